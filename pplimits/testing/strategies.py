"""Hypothesis strategies for your own property tests (needs `hypothesis`, in pplimits' test extra): the hard
instances sized for an ε, random smooth instances, and pipeline clock models.

    from hypothesis import given
    from pplimits.testing import assert_respects_lower_bound
    from pplimits.testing.strategies import hard_cases

    @given(hard_cases(settings=("smooth-convex",)))
    def test_my_method_respects_the_span_bound(case):
        assert_respects_lower_bound(MyMethod, instance=case.name, eps=case.eps)
"""
from hypothesis import strategies as st

from pplimits.algorithms.clock import SCHEDULES, PipelineModel
from pplimits.experiments.measure import build_instance
from pplimits.testing.cases import HARD, NONSMOOTH_EPS, SMOOTH_EPS, HardCase, hard_case

__all__ = ["HardCase", "hard_cases", "random_instances", "pipeline_models"]

def hard_cases(settings: tuple[str, ...] = tuple(sorted(set(HARD.values())))) -> st.SearchStrategy:
    """A hard instance (a lower bound's construction) of one of `settings`, sized for a drawn ε."""
    names = sorted(name for name, setting in HARD.items() if setting in settings)
    if not names:
        raise ValueError(f"settings must be among {', '.join(sorted(set(HARD.values())))}, got {settings!r}")

    def build(name, index):
        return hard_case(name, (NONSMOOTH_EPS if HARD[name] == "nonsmooth-convex" else SMOOTH_EPS)[index])

    return st.builds(build, st.sampled_from(names), st.integers(0, 2))


def random_instances(max_dim: int = 30) -> st.SearchStrategy:
    """A random smooth convex problem: a quadratic (μ ≥ 0) or a logistic regression, from a drawn seed."""
    quadratic = st.builds(lambda dim, seed, mu: build_instance("random-quadratic", 1e-6, dim, {"seed": seed, "mu": mu}),
                          st.integers(2, max_dim), st.integers(0, 2**16), st.sampled_from((0.0, 0.01, 0.1)))
    logistic = st.builds(lambda dim, seed, reg: build_instance("logistic-regression", 1e-6, dim,
                                                               {"seed": seed, "reg": reg}),
                         st.integers(2, max_dim), st.integers(0, 2**16), st.sampled_from((0.0, 0.05)))
    return st.one_of(quadratic, logistic)


def pipeline_models(max_depth: int = 64, max_inputs: int = 8) -> st.SearchStrategy:
    """A synchronous pipeline: depth Δ, n inputs per gradient, a schedule and a half or full duplex link."""
    return st.builds(PipelineModel, depth=st.integers(1, max_depth), inputs=st.integers(1, max_inputs),
                     duplex=st.sampled_from(("half", "full")), schedule=st.sampled_from(SCHEDULES))
