"""Layered objectives: stage VJPs are the derivatives of the stage maps, batching changes nothing, a wrapped
hard instance is the instance, and PPRS runs on a network through the ordinary runner."""
import numpy as np
import pytest

from pplimits.algorithms.clock import PipelineModel
from pplimits.algorithms.methods import make_method
from pplimits.algorithms.runner import run
from pplimits.worstcase import make_instance
from pplimits.worstcase.layered import ACTIVATIONS, LOSSES, network, pipelined

CASES = [(a, l) for a in ACTIVATIONS for l in LOSSES]


def _generic_point(objective, seed=0):
    return objective.x0 + 0.1 * np.random.default_rng(seed).standard_normal(objective.dim)


@pytest.mark.parametrize("activation, loss", CASES)
def test_gradient_is_the_directional_derivative(activation, loss):
    """At a generic point every kink is inactive, so ⟨∇f, e⟩ equals the central difference (O(h²) error)."""
    f = network(4, width=6, activation=activation, loss=loss, seed=1)
    theta = _generic_point(f)
    rng = np.random.default_rng(1)
    for _ in range(3):
        e = rng.standard_normal(f.dim)
        h = 1e-6
        difference = (f.value(theta + h * e) - f.value(theta - h * e)) / (2 * h)
        assert f.gradient(theta) @ e == pytest.approx(difference, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("activation", ["relu", "abs", "maxpool"])
def test_residual_gradients_are_the_directional_derivatives(activation):
    """Residual layers x + act(xWᵀ + b): parameter and input gradients against central differences."""
    f = network(5, width=6, activation=activation, loss="hinge", seed=4, residual=True)
    assert [s.residual for s in f.stages] == [False, True, True, True, False]
    theta, rng, h = _generic_point(f), np.random.default_rng(4), 1e-6
    e = rng.standard_normal(f.dim)
    assert f.gradient(theta) @ e == pytest.approx((f.value(theta + h * e) - f.value(theta - h * e)) / (2 * h),
                                                  rel=1e-6, abs=1e-8)
    u = rng.standard_normal(f.data.shape)
    difference = (f.value(theta, f.data + h * u) - f.value(theta, f.data - h * u)) / (2 * h)
    assert np.sum(f.input_gradient(theta) * u) == pytest.approx(difference, rel=1e-6, abs=1e-8)


def test_a_network_moved_to_other_data_is_that_data_s_network():
    f = network(3, width=4, seed=5, classes=3, points=10)
    rng = np.random.default_rng(5)
    features, labels = rng.standard_normal((7, f.data.shape[1])), rng.integers(0, 3, 7)
    moved = f.on(features, labels)
    fresh = network(3, width=4, seed=5, classes=3, features=features, targets=labels)
    theta = _generic_point(f)
    assert moved.value(theta) == fresh.value(theta) != f.value(theta)
    np.testing.assert_array_equal(moved.gradient(theta), fresh.gradient(theta))
    assert moved.outputs(theta).shape == (7, 3)


@pytest.mark.parametrize("activation, loss", CASES)
def test_batched_equals_one_at_a_time(activation, loss):
    f = network(3, width=4, activation=activation, loss=loss, seed=2)
    batch = _generic_point(f) + 0.05 * np.random.default_rng(3).standard_normal((2, 3, f.dim))
    values, gradients = f.value(batch), f.gradient(batch)
    assert values.shape == (2, 3) and gradients.shape == (2, 3, f.dim)
    for i in range(2):
        for j in range(3):
            np.testing.assert_allclose(values[i, j], f.value(batch[i, j]), rtol=1e-14)
            np.testing.assert_allclose(gradients[i, j], f.gradient(batch[i, j]), rtol=1e-13, atol=1e-15)


def test_stage_blocks_partition_theta():
    f = network(5, width=6, activation="maxpool", input_dim=8, classes=3)
    assert f.depth == 5 and sum(f.layer_sizes) == f.dim == f.x0.size
    assert f.layer_sizes == (6 * 9, 6 * 4, 6 * 4, 6 * 4, 3 * 4)  # maxpool halves the width fed forward
    assert np.concatenate(f.split(f.x0)).tolist() == f.x0.tolist()


def test_losses_are_nonnegative_and_zero_at_a_perfect_fit():
    f = network(2, width=4, loss="l1", seed=4)
    assert f.value(f.x0) >= 0
    perfect = network(2, width=4, loss="l1", seed=4, targets=f._forward(f.x0)[2])
    assert perfect.value(perfect.x0) == 0.0


@pytest.mark.parametrize("name", ["max-function-lipschitz", "nesterov-chain", "l1-regression"])
def test_wrapped_instance_is_the_instance(name):
    instance = make_instance(name, dim=12)
    wrapped = pipelined(instance, 4)
    x = np.random.default_rng(5).standard_normal((3, 12))
    assert wrapped.depth == 4 and wrapped.layer_sizes == (12, 0, 0, 0)
    np.testing.assert_array_equal(wrapped.value(x), instance.value(x))
    np.testing.assert_array_equal(wrapped.gradient(x), instance.gradient(x))
    assert (wrapped.f_star, wrapped.setting) == (instance.f_star, instance.setting)


def test_wrapped_instance_gets_the_instance_noise():
    """Blocks 2..Δ are empty, so PPRS perturbs a wrapped instance exactly as the instance itself."""
    instance = make_instance("max-function-lipschitz", dim=10)
    model = PipelineModel(4)
    plain = run(make_method("pprs", instance, samples=4, gamma=0.1, seed=3), instance, model, 20, runs=2)
    wrapped_instance = pipelined(instance, 4)
    wrapped = run(make_method("pprs", wrapped_instance, samples=4, gamma=0.1, seed=3), wrapped_instance, model, 20,
                  runs=2)
    np.testing.assert_array_equal(plain.values, wrapped.values)


def test_pprs_trains_a_network():
    f = network(4, width=8, activation="relu", loss="hinge", seed=0)
    trace = run(make_method("pprs", f, samples=8, gamma=0.01, seed=0), f, PipelineModel(4), 60, runs=4)
    assert np.all(trace.values[:, -1] < trace.values[:, 0])


@pytest.mark.parametrize("kwargs, message", [
    ({"depth": 0}, "depth must be an integer >= 1"),
    ({"depth": 2, "activation": "tanh"}, "activation must be one of relu, abs, maxpool, identity"),
    ({"depth": 2, "loss": "mse"}, "loss must be one of hinge, l1"),
    ({"depth": 2, "width": 1, "activation": "maxpool"}, "width must be an integer >= 2"),
])
def test_bad_network_parameters_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        network(**kwargs)
