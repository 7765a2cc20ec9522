"""algorithms/methods.py: each command-line method is built from its instance's constants as the docstrings say,
checked against the recursions and numbers written out here."""
import math
from types import SimpleNamespace

import numpy as np
import pytest

from pplimits.algorithms.methods import make_method
from pplimits.worstcase import LipschitzMaxFunction, NesterovChain, StronglyConvexChain
from tests.algorithms.test_noise import philox_normals


def test_random_span_steps_up_to_two_over_beta_or_two_r_over_l():
    assert make_method("random-span", NesterovChain(dim=5, beta=3.0)).max_step == pytest.approx(2 / 3, rel=1e-15)
    lipschitz = LipschitzMaxFunction(dim=4, L=2.0, R=0.5)
    assert make_method("random-span", lipschitz).max_step == pytest.approx(2 * lipschitz.radius / 2.0, rel=1e-15)


def test_agd_on_a_strongly_convex_instance_is_constant_momentum_agd():
    """`--method agd` with μ > 0: y = x_k + q(x_k − x_{k−1}), q = (√κ − 1)/(√κ + 1), x_{k+1} = y − ∇f(y)/β."""
    instance = StronglyConvexChain(dim=40, beta=1.0, mu=0.04)
    q = (math.sqrt(25.0) - 1) / (math.sqrt(25.0) + 1)  # κ = 25
    method = make_method("agd", instance)
    x = x_previous = instance.x0
    state = method.init(instance.x0[None, :])
    for _ in range(15):
        y = x + q * (x - x_previous)
        x, x_previous = y - instance.gradient(y) / 1.0, x
        state = method.update(state, instance.gradient(method.queries(state)))
    np.testing.assert_allclose(method.iterate(state)[0], x, rtol=1e-12, atol=1e-14)


def test_heavy_ball_on_a_strongly_convex_instance_takes_polyaks_constants():
    instance = StronglyConvexChain(dim=10, beta=1.0, mu=0.04)
    method = make_method("heavy-ball", instance)
    assert method.step == pytest.approx(4 / (1 + 0.2) ** 2, rel=1e-14)
    assert method.momentum == pytest.approx(((5 - 1) / (5 + 1)) ** 2, rel=1e-14)


def test_pprs_draws_one_noise_block_per_layer_of_its_instance():
    """A layered instance's PPRS perturbs block j of θ with the (seed, t, k, j) stream, not one stream for all θ."""
    instance = SimpleNamespace(name="layered-stub", beta=math.inf, lipschitz=1.0, layer_sizes=(3, 2, 4))
    method = make_method("pprs", instance, gamma=0.25, samples=2, seed=5)
    queries = method.queries(method.init(np.zeros((1, 9))))
    for k in range(2):
        expected = np.concatenate([philox_normals(5, 0, k, j, size) for j, size in enumerate((3, 2, 4))])
        np.testing.assert_allclose(queries[0, k], 0.25 * expected, rtol=1e-15)
