"""Property tests of the non-smooth claims.

- Span methods (subgradient, ≥ 100 random ones per example) stay above the max function's span lower
  bound E(⌊t/τ⌋) at every clock time (PPRS is not a span method: experiments/separation.py).
- The pipelined subgradient method stays below RL/√T at its horizon on random non-smooth problems.
- PPRS (Theorem D): the mean of f(x_T) − f* over many seeds stays below the bound plus a Bernstein
  margin (reports.verify.pprs_checks: range and variance bounds proved there, failure probability 1e-6);
  a broken PPRS (ascent instead of descent) is caught by the same check.
"""
import math
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pplimits._util.checks import UsageError
from pplimits.algorithms.clock import PipelineModel
from pplimits.algorithms.methods import make_method
from pplimits.algorithms.random_smoothing import PPRS
from pplimits.algorithms.runner import run
from pplimits.bounds.tuning import tuning
from pplimits.reports.verify import MIN_RUNS, POWER, detectable_mean, mean_check, pprs_checks
from pplimits.worstcase import Hinge, L1Regression, LinfRegression, LipschitzMaxFunction, MaxFunction
from tests.examples import examples


def log_uniform(lo, hi):
    return st.floats(math.log(lo), math.log(hi)).map(math.exp)


@st.composite
def max_functions(draw):
    dim = draw(st.integers(2, 60))
    cls = draw(st.sampled_from([MaxFunction, LipschitzMaxFunction]))
    return cls(dim=dim, L=draw(log_uniform(0.1, 10)), R=draw(log_uniform(0.1, 10)), chain_length=draw(st.integers(1, dim)))


models = st.builds(PipelineModel, depth=st.integers(1, 16), inputs=st.integers(1, 3),
                   duplex=st.sampled_from(["half", "full"]), schedule=st.sampled_from(["naive", "gpipe"]))


@settings(max_examples=examples(60))
@given(instance=max_functions(), model=models, seed=st.integers(0, 2**32 - 1), queries=st.integers(1, 4),
       horizon=st.integers(1, 10_000))
def test_span_methods_stay_above_the_span_lower_bound_on_the_max_function(instance, model, seed, queries, horizon):
    methods = [make_method("subgradient", instance, horizon=horizon),
               make_method("random-span", instance, seed=seed, queries_per_iteration=queries)]
    for method in methods:
        runs = 128 if method.name == "random-span" else 1
        trace = run(method, instance, model, iterations=instance.chain_length + 3, runs=runs)
        bound = instance.span_gap(trace.times // model.latency)
        slack = 1e-12 * instance.lipschitz * instance.radius
        assert np.isfinite(trace.values).all() and (trace.values >= bound - slack).all(), method.name


@pytest.mark.parametrize("instance", [LipschitzMaxFunction(dim=40), MaxFunction(dim=30, L=2.0, R=0.5),
                                      L1Regression(dim=8, seed=1), Hinge(dim=6, seed=2), LinfRegression(dim=5, seed=3)],
                         ids=lambda i: i.name)
@pytest.mark.parametrize("horizon", [10, 400])
def test_subgradient_stays_below_rl_over_sqrt_t(instance, horizon):
    trace = run(make_method("subgradient", instance, horizon=horizon), instance, PipelineModel(3), iterations=horizon)
    best = trace.values[0].min()
    tolerance = 1e-7 * max(1.0, abs(instance.f_star))  # f* of the data problems: solver precision
    assert best <= instance.radius * instance.lipschitz / math.sqrt(horizon) + tolerance


PPRS_CASES = [
    (LipschitzMaxFunction(dim=64), None),
    (LipschitzMaxFunction(dim=16, L=2.0, R=3.0), {"gamma": 0.3, "samples": 2, "horizon": 30}),
    (L1Regression(dim=10, seed=4), None),
    (Hinge(dim=8, seed=5), {"gamma": 0.05, "samples": 4, "horizon": 40}),
]


def _pprs(instance, params, method_class=PPRS):
    if params is None:  # Theorem D's tuning for ε = LR/4
        tuned = tuning(instance.lipschitz * instance.radius / 4, instance.lipschitz, instance.radius, instance.dim)
        params = {"gamma": tuned.gamma, "samples": tuned.K, "horizon": tuned.T}
    method = method_class(instance.lipschitz, samples=params["samples"], gamma=params["gamma"], seed=7,
                          layer_sizes=instance.layer_sizes)
    return method, params["horizon"]


@pytest.mark.parametrize("instance, params", PPRS_CASES, ids=[f"{i.name}-{p is None and 'tuned' or 'free'}" for i, p in PPRS_CASES])
def test_pprs_mean_gap_over_seeds_stays_below_theorem_d(instance, params):
    method, horizon = _pprs(instance, params)
    (check,) = pprs_checks(instance, method, horizon, seeds=256)
    assert check.passed, check.as_dict()


@dataclass(frozen=True)
class AscendingPPRS(PPRS):
    """A deliberately broken PPRS: it steps up the smoothed gradient."""

    def z_step(self, t, dim):
        return -super().z_step(t, dim)


def test_the_theorem_d_check_catches_a_broken_pprs():
    instance = LipschitzMaxFunction(dim=64)
    method, horizon = _pprs(instance, None, AscendingPPRS)
    (check,) = pprs_checks(instance, method, horizon, seeds=256)
    assert not check.passed, check.as_dict()


def test_the_theorem_d_check_refuses_too_few_runs_to_have_power():
    instance = LipschitzMaxFunction(dim=64)
    method, horizon = _pprs(instance, None)
    with pytest.raises(UsageError, match=f"^seeds must be at least {MIN_RUNS}"):
        next(pprs_checks(instance, method, horizon, seeds=MIN_RUNS - 1))


@pytest.mark.parametrize("runs", [256, 1024])
def test_the_mean_check_has_the_power_it_states(runs):
    """Gaps concentrated at detectable_mean fail it in ≥ 99 % of 400 batches (seeded draws, ±5 % spread); the
    former sure-range Bernstein margin passed anything below 19 B (256 runs) or 7 B (1024)."""
    bound, rng = 0.05, np.random.default_rng(2026)
    level = detectable_mean(bound, runs) * 1.05  # the ±5 % spread's variance terms, on the safe side
    caught = []
    for _ in range(400):
        statistic, threshold = mean_check(level * rng.uniform(0.95, 1.05, runs), bound)
        caught.append(statistic > threshold)
    assert np.mean(caught) >= POWER, np.mean(caught)
    assert detectable_mean(bound, runs) <= {256: 1.37, 1024: 1.10}[runs] * bound


def test_the_mean_check_rarely_fails_a_true_claim_even_with_heavy_tails():
    """Exponential gaps with mean exactly B (a heavy right tail, far above the clip): no false failure in 2000
    seeded batches of 256 (the bound allows 1e-6 per batch)."""
    bound, rng = 0.05, np.random.default_rng(7)
    statistics = [mean_check(rng.exponential(bound, 256), bound) for _ in range(2000)]
    assert not any(s > t for s, t in statistics)
    assert max(s / t for s, t in statistics) < 0.95
