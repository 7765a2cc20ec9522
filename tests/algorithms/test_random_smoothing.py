"""PPRS against Theorem D's algorithm as docs/theory.md §2.5 writes it, with the same Gaussian draws
(algorithms/noise.perturbations), independently of the method's own code."""
import math

import numpy as np
import pytest

from pplimits.algorithms.noise import perturbations
from pplimits.algorithms.random_smoothing import PPRS
from pplimits.worstcase import LipschitzMaxFunction


def theorem_d(instance, gamma, samples, seed, iterations):
    """y_t = (1−α_t)x_t + α_t z_t; G_t = (1/K) Σ_k ∇f(y_t + γX_k); z_{t+1} = z_t − ((t+1)η/2) G_t;
    x_{t+1} = (1−α_t)x_t + α_t z_{t+1}; α_t = 2/(t+2), η = γ/(2cL), c = √(2/π)."""
    c, x = math.sqrt(2 / math.pi), instance.x0.copy()
    z, eta = x.copy(), gamma / (2 * math.sqrt(2 / math.pi) * instance.lipschitz)
    assert eta == gamma / (2 * c * instance.lipschitz)
    for t in range(iterations):
        alpha = 2 / (t + 2)
        y = (1 - alpha) * x + alpha * z
        X = perturbations([seed], t, samples, (instance.dim,))[0]  # (K, d): the K draws of iteration t
        G = sum(instance.gradient(y + gamma * X[k]) for k in range(samples)) / samples
        z = z - (t + 1) * eta / 2 * G
        x = (1 - alpha) * x + alpha * z
    return x


def test_pprs_is_theorem_ds_algorithm():
    """Averaging over K (not K − 1), the step (t+1)η/2 with η = γ/(2cL), the weights 2/(t+2): each is held to the
    theorem's text, not to a recorded number."""
    instance = LipschitzMaxFunction(dim=12)
    gamma, samples, seed = 0.05, 5, 11
    method = PPRS(instance.lipschitz, samples=samples, seed=seed, gamma=gamma)
    state = method.init(instance.x0[None, :])
    for _ in range(30):
        state = method.update(state, instance.gradient(method.queries(state)))
    np.testing.assert_allclose(method.iterate(state)[0], theorem_d(instance, gamma, samples, seed, 30),
                               rtol=1e-12, atol=1e-14)


def test_drs_weights_solve_nesterovs_estimate_sequence_equation():
    """α₀ = 1 and α_{t+1} the positive root of α² = α_t²(1 − α) (Scaman et al. 2018's schedule): α₁ = (√5 − 1)/2,
    and α_t ~ 2/t."""
    from pplimits.algorithms.random_smoothing import DRSSchedule

    method = DRSSchedule(1.0, samples=2)
    alphas = [method.alpha(t) for t in range(2001)]
    assert alphas[0] == 1.0 and alphas[1] == pytest.approx((math.sqrt(5) - 1) / 2, rel=1e-15)
    for previous, current in zip(alphas[:50], alphas[1:51]):
        assert current**2 == pytest.approx(previous**2 * (1 - current), rel=1e-12)
    assert alphas[2000] * 2000 == pytest.approx(2, rel=0.01)


def test_run_r_of_a_batch_is_theorem_ds_algorithm_with_seed_plus_r():
    """Batched runs are independent draws: run r of a batch of 3 is the algorithm above with the noise of seed + r."""
    instance = LipschitzMaxFunction(dim=6)
    method = PPRS(instance.lipschitz, samples=3, seed=20, gamma=0.1)
    state = method.init(np.broadcast_to(instance.x0, (3, instance.dim)).copy())
    for _ in range(10):
        state = method.update(state, instance.gradient(method.queries(state)))
    expected = np.stack([theorem_d(instance, 0.1, 3, 20 + r, 10) for r in range(3)])
    np.testing.assert_allclose(method.iterate(state), expected, rtol=1e-12, atol=1e-14)
