"""Property tests of the smooth-case claims (hypothesis, derandomised — see conftest.py).

(a) On every hard instance, every span method — ours, a Krylov-optimal one, and ≥ 100 random ones per
    example — stays above the instance's span lower bound E(⌊t/τ⌋) at every clock time t.
(b) On random members of each class, pipelined GD and AGD stay below their registered gap-at-time
    upper bounds at every clock time.
(c) On the hard instance sized for ε, measured time-to-ε over the lower bound lies in
    [1, upper/lower], the sympy ratio at that ε, which tends to the registered ratio limit.
(The consistency rule (d) is in tests/bounds/test_registry.py.)
"""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pplimits.algorithms.clock import PipelineModel
from pplimits.algorithms.methods import make_method
from pplimits.algorithms.runner import run
from pplimits.bounds.claim import parse_values
from pplimits.bounds.registry import get
from pplimits.experiments.measure import build_instance, measure
from pplimits.worstcase import CarmonChain, LogisticRegression, NesterovChain, RandomQuadratic, StronglyConvexChain
from tests.examples import examples


def log_uniform(lo, hi):
    return st.floats(math.log(lo), math.log(hi)).map(math.exp)


models = st.builds(PipelineModel, depth=st.integers(1, 16), inputs=st.integers(1, 3),
                   duplex=st.sampled_from(["half", "full"]), schedule=st.sampled_from(["naive", "gpipe"]))


@st.composite
def hard_instances(draw):
    beta = draw(log_uniform(0.1, 10.0))
    kind = draw(st.sampled_from(["nesterov", "strongly", "carmon"]))
    if kind == "nesterov":
        dim = draw(st.integers(3, 40))
        return NesterovChain(dim=dim, beta=beta, chain_length=draw(st.integers(1, dim)))
    if kind == "strongly":
        return StronglyConvexChain(dim=draw(st.integers(5, 60)), beta=beta, mu=beta / draw(log_uniform(2.0, 1e3)))
    chain = draw(st.integers(2, 6))
    return CarmonChain(dim=chain + draw(st.integers(0, 3)), beta=beta, eps=draw(log_uniform(0.01, 1.0)), chain_length=chain)


class KrylovOptimal:
    """Conjugate gradient on a quadratic (one query per iteration: x + p gives H p): after j updates its
    iterate minimises f over span(e_1..e_j) on a chain, so it attains the span gap E(j) exactly."""

    name, queries_per_iteration = "krylov-optimal", 1

    def init(self, x0):
        return x0, None, None, x0  # x, residual, direction, next query

    def queries(self, state):
        return state[3][:, None, :]

    def update(self, state, gradients):
        x, residual, direction, _ = state
        g = gradients[:, 0, :]
        if residual is None:  # first answer: the gradient at x0
            return x, -g, -g, x - g
        h_direction = g + residual  # ∇f(x + p) − ∇f(x) = H p
        curvature = np.sum(direction * h_direction, axis=-1, keepdims=True)
        alpha = np.sum(residual**2, axis=-1, keepdims=True) / np.where(curvature > 0, curvature, 1.0)
        x = x + alpha * direction
        new_residual = residual - alpha * h_direction
        ratio = np.sum(new_residual**2, axis=-1, keepdims=True) / np.maximum(np.sum(residual**2, axis=-1, keepdims=True), 1e-300)
        direction = new_residual + ratio * direction
        return x, new_residual, direction, x + direction

    def iterate(self, state):
        return state[0]


def _span_methods(instance, seed, queries):
    methods = [make_method(name, instance) for name in ("gd", "agd", "heavy-ball")]
    methods.append(make_method("random-span", instance, seed=seed, queries_per_iteration=queries))
    if instance.criterion == "gap":
        methods.append(KrylovOptimal())
    return methods


def _slack(instance):
    return 1e-12 * max(1.0, abs(instance.f0 - instance.f_star))


@settings(max_examples=examples(100))
@given(instance=hard_instances(), model=models, seed=st.integers(0, 2**32 - 1), queries=st.integers(1, 4))
def test_a_span_methods_stay_above_the_span_lower_bound_at_every_clock_time(instance, model, seed, queries):
    rounds = min(instance.dim, 60) + 3
    for method in _span_methods(instance, seed, queries):
        runs = 128 if method.name == "random-span" else 1
        trace = run(method, instance, model, iterations=rounds * 2, runs=runs)
        bound = instance.span_gap(trace.times // model.latency)
        assert np.isfinite(trace.values).all(), method.name
        if instance.criterion == "gap":
            assert (trace.values >= bound - _slack(instance)).all(), method.name
        else:  # ‖∇f‖ > ε while x_T = 0 (Carmon et al., Lemma 3)
            assert (trace.values > bound).all(), method.name


@pytest.mark.parametrize("instance", [NesterovChain(dim=30, chain_length=25, beta=2.0),
                                      StronglyConvexChain(dim=40, mu=0.02)], ids=["nesterov", "strongly"])
def test_a_krylov_optimal_method_attains_the_span_gap_so_the_bound_is_tight(instance):
    trace = run(KrylovOptimal(), instance, PipelineModel(depth=3), iterations=20)
    # iteration 0 only learns ∇f(x0); after iteration j ≥ 1 the iterate has used j directions
    attained = trace.values[0, 1:]
    expected = instance.span_gap(np.arange(20))
    np.testing.assert_allclose(attained, expected, rtol=1e-9, atol=1e-14)


def test_a_span_check_catches_a_non_span_method():
    # A method that jumps to x* (not zero-respecting) must violate the span lower bound.
    chain = NesterovChain(dim=20)

    class Cheater:
        name, queries_per_iteration = "cheater", 1
        init = staticmethod(lambda x0: x0)
        queries = staticmethod(lambda x: x[:, None, :])
        update = staticmethod(lambda x, g: x * 0 + chain.x_star)
        iterate = staticmethod(lambda x: x)

    model = PipelineModel(depth=2)
    trace = run(Cheater(), chain, model, iterations=3)
    assert not (trace.values >= chain.span_gap(trace.times // model.latency) - _slack(chain)).all()


@st.composite
def random_instances(draw):
    seed = draw(st.integers(0, 10_000))
    kind = draw(st.sampled_from(["quadratic", "strongly-quadratic", "logistic", "strongly-logistic", "chain"]))
    if kind == "quadratic":
        return RandomQuadratic(dim=draw(st.integers(2, 40)), seed=seed, beta=draw(log_uniform(0.1, 10)),
                               radius=draw(log_uniform(0.1, 10)))
    if kind == "strongly-quadratic":
        beta = draw(log_uniform(0.1, 10))
        return RandomQuadratic(dim=draw(st.integers(2, 40)), seed=seed, beta=beta, mu=beta / draw(log_uniform(1.5, 1e4)))
    if kind in ("logistic", "strongly-logistic"):
        reg = 0.0 if kind == "logistic" else draw(log_uniform(1e-3, 1.0))
        return LogisticRegression(dim=draw(st.integers(2, 12)), seed=seed, reg=reg)
    return NesterovChain(dim=draw(st.integers(3, 60)), beta=draw(log_uniform(0.1, 10)))


@settings(max_examples=examples(100))
@given(instance=random_instances(), model=models, method=st.sampled_from(["gd", "agd"]))
def test_b_gd_and_agd_stay_below_their_upper_bounds(instance, model, method):
    claim = get(f"{instance.setting}.{method}.upper.gap-at-time")
    # the claim's clock τ_g is one iteration's makespan under the model's schedule (naive with n > 1 included)
    tau_g = model.gradient_time()
    assert not claim.failed_assumptions(parse_values({"tau_g": tau_g}))
    trace = run(make_method(method, instance), instance, model, iterations=300)
    # U(⌊t/τ_g⌋) is vacuous (infinite for GD) before the first iteration
    later = trace.times >= tau_g
    params = {"beta": instance.beta, "R": instance.radius, "mu": instance.mu, "tau_g": tau_g}
    bound = claim.numeric(t=trace.times[later], **{k: v for k, v in params.items() if k in claim.parameters})
    # f* of logistic regression is known to ~1e-15 (Newton to ‖∇f‖ ≤ 1e-13), far below these bounds
    assert (trace.values[0, later] <= bound * (1 + 1e-12) + 1e-14).all()


def test_b_nonconvex_gd_stays_below_its_upper_bound_on_the_carmon_chain():
    instance = CarmonChain(dim=5, eps=0.05, beta=2.0)
    model = PipelineModel(depth=4)
    claim = get("smooth-nonconvex.gd.upper.gap-at-time")
    trace = run(make_method("gd", instance), instance, model, iterations=3000)
    best_so_far = np.minimum.accumulate(trace.values[0])
    later = trace.times >= model.gradient_time()
    bound = claim.numeric(t=trace.times[later], beta=instance.beta, D_f=instance.D_f, tau_g=model.gradient_time())
    assert (best_so_far[later] <= bound).all()


def test_b_upper_bound_check_catches_a_slow_method():
    # GD with a 100× smaller step is still a span method but breaks AGD's bound: the check sees it.
    instance = NesterovChain(dim=50)
    model = PipelineModel(depth=2)
    from pplimits.algorithms.span_methods import GradientDescent

    trace = run(GradientDescent(instance.beta * 100), instance, model, iterations=200)
    bound = get("smooth-convex.agd.upper.gap-at-time").numeric(t=trace.times[1:], beta=1.0, R=instance.radius, tau_g=model.gradient_time())
    assert not (trace.values[0, 1:] <= bound).all()


@pytest.mark.parametrize("depth, inputs", [(1, 1), (4, 1), (16, 2)])
@pytest.mark.parametrize("eps", [1e-2, 3e-3, 1e-3])
def test_c_agd_time_to_eps_over_lower_bound_within_the_sympy_ratio(depth, inputs, eps):
    model = PipelineModel(depth=depth, inputs=inputs)
    summary, _ = measure("agd", build_instance("nesterov-chain", eps, None, {}), model, eps)
    measured = summary.time_to_eps / summary.lower_bound_time
    finite = summary.upper_bound_time / summary.lower_bound_time
    assert 1.0 <= measured <= finite


def test_c_the_finite_ratio_tends_to_the_registered_limit():
    upper, lower = get("smooth-convex.agd.upper.time"), get("smooth-convex.lower.time")
    limit = get("smooth-convex.ratio").evaluate(parse_values({"depth": 4, "tau_g": 8}))  # gpipe, n = 1
    point = {"beta": 1.0, "R": 1.0, "depth": 4, "tau_g": 8}
    ratios = [upper.numeric(eps=e, **point) / lower.numeric(eps=e, **point) for e in 10.0 ** -np.arange(4, 16, 2)]
    assert abs(ratios[-1] / limit - 1) < 1e-3
    assert all(abs(a / limit - 1) >= abs(b / limit - 1) for a, b in zip(ratios, ratios[1:]))


@pytest.mark.parametrize("name, params, eps, method", [
    ("strongly-convex-chain", {"mu": 0.01}, 1e-6, "agd"),
    ("strongly-convex-chain", {"mu": 0.05}, 1e-8, "agd"),
    ("carmon-chain", {"chain_length": 4}, 0.05, "gd"),
])
def test_c_other_settings_time_over_lower_bound_within_the_sympy_ratio(name, params, eps, method):
    summary, _ = measure(method, build_instance(name, eps, None, params), PipelineModel(depth=4), eps)
    assert summary.lower_bound_time is not None, summary.notes
    measured = summary.time_to_eps / summary.lower_bound_time
    assert 1.0 <= measured <= summary.upper_bound_time / summary.lower_bound_time
