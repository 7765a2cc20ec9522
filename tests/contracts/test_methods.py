"""The contract every registered method keeps (optax's `_OPTIMIZERS_UNDER_TEST` idiom: registering a method in
`pplimits.algorithms.methods.METHODS` enrols it here)."""
import numpy as np
import pytest

from pplimits._util.checks import UsageError
from pplimits.algorithms.clock import PipelineModel
from pplimits.algorithms.methods import METHODS, SPAN_METHODS, make_method
from pplimits.algorithms.runner import run
from pplimits.experiments.measure import tuned_parameters
from pplimits.worstcase import LipschitzMaxFunction, NesterovChain

CHAIN, LIPSCHITZ = NesterovChain(dim=16), LipschitzMaxFunction(dim=16)
ITERATIONS = 12
SMALL = {"pprs": {"samples": 4}, "pprs-drs": {"samples": 4}}  # a few queries per iteration keep it fast


def _built(name):
    """(method, instance) on the first of the two reference instances the method applies to."""
    for instance in (CHAIN, LIPSCHITZ):
        try:  # with the defaults `pplimits run` gives it (ε = 0.1); a smooth method needs β, a non-smooth one L
            defaults = tuned_parameters(name, instance, 0.1)[0]
            return make_method(name, instance, **{**defaults, **SMALL.get(name, {})}), instance
        except (UsageError, AttributeError):
            continue
    pytest.fail(f"method {name} builds on neither {CHAIN.name} nor {LIPSCHITZ.name}")


@pytest.fixture(params=sorted(METHODS), scope="module")
def built(request):
    return _built(request.param)


def test_it_names_itself_and_sends_its_queries_as_a_batch(built):
    method, instance = built
    assert method.queries_per_iteration >= 1
    state = method.init(np.zeros((3, instance.dim)))
    queries = method.queries(state)
    assert queries.shape == (3, method.queries_per_iteration, instance.dim)
    assert method.iterate(state).shape == (3, instance.dim)


def test_the_same_seed_gives_the_same_numbers(built):
    method, instance = built
    first, again = (run(method, instance, PipelineModel(2), ITERATIONS, runs=2) for _ in range(2))
    np.testing.assert_array_equal(first.values, again.values)
    assert np.isfinite(first.values).all()


def test_runs_batched_together_equal_runs_made_alone(built):
    """Run r of a batch is the run a batch of one makes with that run's randomness (seed + r)."""
    method, instance = built
    batch = run(method, instance, PipelineModel(2), ITERATIONS, runs=3)
    alone = run(method, instance, PipelineModel(2), ITERATIONS, runs=1)
    np.testing.assert_allclose(batch.values[:1], alone.values, rtol=1e-12, atol=1e-15)


def test_a_span_method_stays_in_the_span_of_the_gradients_it_has_seen(built):
    """On Nesterov's chain each gradient reveals one more coordinate: after k iterations of q queries the
    iterate has no weight beyond coordinate k·q (the zero-respecting property the lower bounds need)."""
    method, instance = built
    if method.name not in SPAN_METHODS or instance is not CHAIN:
        pytest.skip(f"{method.name} is not a span method on {CHAIN.name}")
    state = method.init(np.zeros((2, instance.dim)))
    for k in range(1, 6):
        state = method.update(state, instance.gradient(method.queries(state)))
        assert not np.any(method.iterate(state)[:, k * method.queries_per_iteration:]), (method.name, k)


def test_a_method_that_is_not_a_span_method_leaves_the_span(built):
    """The registry's SPAN_METHODS is honest in the other direction too: PPRS's noise leaves the span at once."""
    method, instance = built
    if method.name in SPAN_METHODS:
        pytest.skip("a span method")
    state = method.init(np.zeros((2, instance.dim)))
    state = method.update(state, instance.gradient(method.queries(state)))
    assert np.count_nonzero(method.iterate(state)[0]) > method.queries_per_iteration
