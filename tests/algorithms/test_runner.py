"""The runner: clock accounting, batching over runs, determinism, time-to-ε semantics."""
import numpy as np
import pytest

from pplimits.algorithms.clock import PipelineModel
from pplimits.algorithms.methods import make_method
from pplimits.algorithms.runner import Run, run
from pplimits.algorithms.span_methods import AcceleratedGradient, GradientDescent, RandomSpanMethod
from pplimits.worstcase import NesterovChain, RandomQuadratic
from tests.doubles import GradientStep


def test_naive_schedule_iterate_k_is_available_at_2_delta_k():
    chain = NesterovChain(dim=21)
    trace = run(GradientDescent(chain.beta), chain, PipelineModel(depth=5, schedule="naive"), iterations=7)
    np.testing.assert_array_equal(trace.times, 2 * 5 * np.arange(8))
    assert trace.times.dtype == np.int64


def test_batched_queries_take_one_synchronous_batch():
    chain = NesterovChain(dim=21)
    method = RandomSpanMethod(2 / chain.beta, seed=3, queries_per_iteration=4)
    trace = run(method, chain, PipelineModel(depth=6, inputs=2), iterations=5, runs=3)
    np.testing.assert_array_equal(trace.times, 2 * (2 * 4 + 6 - 1) * np.arange(6))
    assert trace.values.shape == (3, 6)


def test_deterministic_methods_give_identical_runs_and_match_a_hand_loop():
    quad = RandomQuadratic(dim=12, seed=4, mu=0.1)
    trace = run(AcceleratedGradient(quad.beta, quad.mu), quad, PipelineModel(depth=3), iterations=30, runs=4)
    assert np.all(trace.values == trace.values[:1])
    # the same iteration written out by hand (constant momentum, step 1/β)
    m = (np.sqrt(quad.beta / quad.mu) - 1) / (np.sqrt(quad.beta / quad.mu) + 1)
    x = x_prev = quad.x0
    for k in range(30):
        y = x + m * (x - x_prev)
        x, x_prev = y - quad.gradient(y) / quad.beta, x
    assert np.isclose(trace.values[0, -1], quad.value(x) - quad.f_star, rtol=1e-12, atol=1e-15)


def test_same_seed_same_numbers_different_seed_different_numbers():
    chain = NesterovChain(dim=31)
    model = PipelineModel(depth=2)
    a = run(RandomSpanMethod(2 / chain.beta, seed=7), chain, model, iterations=20, runs=8)
    b = run(RandomSpanMethod(2 / chain.beta, seed=7), chain, model, iterations=20, runs=8)
    c = run(RandomSpanMethod(2 / chain.beta, seed=8), chain, model, iterations=20, runs=8)
    assert np.array_equal(a.values, b.values)
    assert not np.array_equal(a.values, c.values)
    assert len({tuple(row) for row in a.values}) == 8  # the 8 runs are 8 different methods


def test_time_to_eps_is_the_first_time_every_run_is_below():
    trace = Run("m", "i", "gap", np.array([0, 10, 20, 30]), np.array([[5.0, 0.5, 2.0, 0.1], [5.0, 3.0, 0.9, 0.2]]), 1)
    assert trace.time_to_eps(1.0) == 20
    assert trace.time_to_eps(0.05) is None
    np.testing.assert_array_equal(trace.first_index_below(1.0), [1, 2])


def test_stop_below_stops_once_every_run_has_reached_eps():
    chain = NesterovChain(dim=41)
    trace = run(AcceleratedGradient(chain.beta), chain, PipelineModel(depth=1), iterations=10_000, stop_below=1e-2)
    assert trace.values[0, -1] <= 1e-2 < trace.values[0, :-1].min()


@pytest.mark.parametrize("name, params, message", [
    ("newton", {}, "method must be one of"),
    ("gd", {"step": 0.1}, "unknown parameter 'step' for method gd"),
    ("heavy-ball", {"momentum": 1.5}, "momentum must be"),
    ("heavy-ball", {"step": float("nan")}, "step must be"),
    ("random-span", {"queries_per_iteration": 0}, "queries_per_iteration must be"),
])
def test_bad_method_names_and_parameters(name, params, message):
    with pytest.raises(ValueError, match=message):
        make_method(name, NesterovChain(dim=3), **params)


def test_an_iterate_exactly_at_eps_has_reached_it():
    """criterion ≤ ε, not < ε: the iterate at 1.0 reaches ε = 1.0 at time 10."""
    trace = Run("m", "i", "gap", np.array([0, 10, 20]), np.array([[2.0, 1.0, 0.5], [3.0, 0.25, 1.0]]), 1)
    np.testing.assert_array_equal(trace.first_index_below(1.0), [1, 1])
    assert trace.time_to_eps(1.0) == 10


def test_stop_below_waits_for_the_slowest_run():
    """GD with step 1/β on one run and 1/(4β) on the other: the runner stops at the iteration the slower one first
    reaches ε (counted by a hand loop), not when the faster one does."""
    chain = NesterovChain(dim=30)
    eps, betas = 2e-3, (chain.beta, 4 * chain.beta)
    first = []
    for beta in betas:
        x, k = chain.x0, 0
        while chain.value(x) - chain.f_star > eps:
            x, k = x - chain.gradient(x) / beta, k + 1
        first.append(k)
    assert first[0] < first[1]
    trace = run(GradientDescent(betas), chain, PipelineModel(depth=2), iterations=10_000, runs=2, stop_below=eps)
    assert trace.iterations == first[1]
    np.testing.assert_array_equal(trace.first_index_below(eps), first)


class _Square:
    name, criterion, dim, f_star, x0 = "square", "gap", 1, 0.0, np.ones(1)

    def value(self, x):
        return np.sum(x * x, axis=-1)

    def gradient(self, x):
        return 2 * x


def test_a_diverging_run_does_not_stop_the_others():
    """Gradient descent with one step per run on f = x²: run 0 (s = 10: x ← −19x) overflows within ~120 steps; run 1 (s = 1/1000: x ← 0.998x) keeps going until it
    reaches f = x² ≤ 1e-12, at the iteration a hand loop counts, and the batch stops there."""
    trace = run(GradientStep(1.0, np.array([[10.0], [0.001]])), _Square(), PipelineModel(1), iterations=10_000, runs=2, stop_below=1e-12)
    x, reached = 1.0, 0
    while x * x > 1e-12:
        x, reached = x - 0.001 * 2 * x, reached + 1
    assert not np.isfinite(trace.values[0, -1]) and trace.values.shape[1] - 1 == reached > 6000
