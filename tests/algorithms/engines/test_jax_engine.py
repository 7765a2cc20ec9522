"""The JAX pipeline engine: its PPRS gradient and values are the numpy simulator's, its tick loop runs exactly
the clock's GPipe makespan 2(K + Δ − 1), and the devices' ops overlap (4 host-platform CPU devices)."""
import numpy as np
import pytest

jax = pytest.importorskip("jax")

from pplimits.algorithms.clock import makespan  # noqa: E402
from pplimits.algorithms.engines.jax_engine import smoothed_gradient, validate_clock  # noqa: E402
from pplimits.algorithms.noise import perturbations  # noqa: E402
from pplimits.worstcase import make_instance  # noqa: E402
from pplimits.worstcase.layered import network, pipelined  # noqa: E402

pytestmark = [pytest.mark.engine,
              pytest.mark.skipif(len(jax.devices()) < 4, reason="needs 4 JAX devices (XLA_FLAGS, tests/conftest.py)")]

SEED, ITERATION, GAMMA = 11, 2, 0.2
OBJECTIVES = {f"{activation}-{loss}": (lambda a=activation, l=loss: network(4, width=6, activation=a, loss=l, seed=3))
              for activation in ("relu", "abs", "maxpool") for loss in ("hinge", "l1")}
OBJECTIVES["pipelined-max-function-lipschitz"] = lambda: pipelined(make_instance("max-function-lipschitz", dim=10), 4)


def _check_against_numpy(objective, samples):
    """The engine's run at θ = x0 + 0.1·noise against (1/K) Σ_k objective.gradient(θ + γX_k) in numpy."""
    theta = objective.x0 + 0.1 * np.random.default_rng(0).standard_normal(objective.dim)
    run = smoothed_gradient(objective, theta, GAMMA, samples, SEED, ITERATION)
    queries = theta + GAMMA * perturbations([SEED], ITERATION, samples, objective.layer_sizes)[0]
    expected = objective.gradient(queries).mean(axis=0)
    assert np.linalg.norm(run.gradient - expected) <= 1e-12 * np.linalg.norm(expected)
    np.testing.assert_allclose(run.values, objective.value(queries), rtol=1e-12, atol=0)
    return run


@pytest.mark.parametrize("name", OBJECTIVES)
def test_gradient_and_values_equal_the_numpy_simulator(name):
    _check_against_numpy(OBJECTIVES[name](), samples=3)


@pytest.mark.parametrize("depth", [2, 3, 4])
@pytest.mark.parametrize("samples", [1, 2, 5])
def test_ticks_are_the_gpipe_makespan(depth, samples):
    run = _check_against_numpy(network(depth, width=3, points=4, seed=depth), samples)
    assert run.ticks == makespan(depth, samples, "gpipe", "half") == 2 * (samples + depth - 1)


def test_too_deep_for_the_devices_is_a_clear_error():
    deep = network(5, width=3)
    with pytest.raises(ValueError, match=r"needs 5 devices .* found 4; .*device_count=5 before"):
        smoothed_gradient(deep, deep.x0, GAMMA, 2, SEED, ITERATION)


def test_stage_ops_overlap_across_devices():
    """With 20 ms per op the run takes at least the pipelined time 2(K + Δ − 1)·20 ms and well under the
    one-op-at-a-time time 2KΔ·20 ms (Δ = 4, K = 8: 0.44 s against 1.28 s)."""
    (row,) = validate_clock(depths=(4,), samples=(8,), op_seconds=0.02, repeats=1)
    assert row["model_seconds"] <= row["measured_seconds"] < 0.5 * makespan(4, 8, "naive") * 0.02
