"""PPRS against Theorem D's algorithm as docs/theory.md §2.5 writes it, with the same Gaussian draws
(algorithms/noise.perturbations), independently of the method's own code."""
import hashlib
import math

import numpy as np
import pytest

from pplimits._util import parallel
from pplimits.algorithms import noise, random_smoothing
from pplimits.algorithms.clock import PipelineModel
from pplimits.algorithms.noise import perturbations
from pplimits.algorithms.random_smoothing import PPRS, DRSSchedule
from pplimits.algorithms.runner import run
from pplimits.worstcase import LipschitzMaxFunction, MaxFunction, max_function


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


def _sha(*arrays):
    digest = hashlib.sha256()
    for array in arrays:
        array = np.ascontiguousarray(np.asarray(array, dtype=np.float64))
        digest.update(str(array.shape).encode())
        digest.update(array.tobytes())
    return digest.hexdigest()[:16]


# (method, instance, runs, iterations) -> sha256[:16] of (x_T, z_T), of the queries and gradients at state T, and of
# runner.run's values over T iterations: computed with main's code (commit fe77923) BEFORE PPRS drew its noise on
# threads, formed queries in kept arrays, and the max function's gradient became sparse (issue 16 item 3).
CASES = {
    "lip-d1000-K7-S3": (lambda: (PPRS(1.0, samples=7, seed=5, gamma=0.03), LipschitzMaxFunction(dim=1000), 3, 25),
                        ("d8cd5ced93055f58", "7ff273485bd6f8e4", "ee9235012c95f802", "4085de94dade2321")),
    "lip-d4096-K32-S4-gammas": (lambda: (PPRS(1.0, samples=32, seed=0, gamma=(0.01, 0.02, 0.05, 0.1)),
                                         LipschitzMaxFunction(dim=4096), 4, 6),
                                ("2da15e4b5d226d5d", "03cce26c2fe97c7e", "cf706f2192fdc33c", "b92c98f18ac4523d")),
    "max-d777-chain300-K5-S2": (lambda: (PPRS(1.0, samples=5, seed=2**40, gamma=0.2),
                                         MaxFunction(dim=777, chain_length=300), 2, 30),
                                ("94f3ef021ab9a939", "3affabbd12337ca5", "a7ac1218eeb6dbd5", "863029a73f3914b1")),
    "lip-layers-K4-S2": (lambda: (PPRS(1.0, samples=4, seed=9, gamma=0.07, layer_sizes=(100, 1, 57, 300)),
                                  LipschitzMaxFunction(dim=458, R=2.0, L=3.0), 2, 20),
                         ("08b608e976b66096", "d8428f3dfe28f100", "bca15c51ca806111", "97b0db6ae8ffd473")),
    "drs-lip-d512-K9-S3": (lambda: (DRSSchedule(1.0, samples=9, seed=3, radius=1.0), LipschitzMaxFunction(dim=512),
                                    3, 40),
                           ("ffeb5ab412d352b7", "b50dd2cb407d302c", "1088d65800f272bb", "e7f4f4803c84638f")),
}
# small blocks: every numpy fast path (several windows per row, several rows per task, column blocks of the mean,
# queries formed per window or on the whole array) runs
SPLITS = {"1 thread": (1, None, None, None, None), "2 threads": (2, None, None, None, None),
          "3 threads, small blocks": (3, 7, 100, 2, 1), "2 threads, other blocks": (2, 1000, 1, 5, 10**9)}


@pytest.mark.parametrize("split", sorted(SPLITS))
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_numbers_are_mains_to_the_last_bit_however_the_work_is_split(case, split, monkeypatch):
    threads, chunk, block, columns, form_per_row = SPLITS[split]
    monkeypatch.setattr(parallel, "THREADS", threads)
    for module, name, value in ((noise, "CHUNK", chunk), (max_function, "BLOCK", block),
                                (random_smoothing, "COLUMNS", columns), (random_smoothing, "FORM_PER_ROW", form_per_row)):
        if value is not None:
            monkeypatch.setattr(module, name, value)
    method, instance, runs, iterations = CASES[case][0]()
    state = method.init(np.broadcast_to(instance.x0, (runs, instance.dim)).copy())
    for _ in range(iterations):
        state = method.update(state, instance.gradient(method.queries(state)))
    queries = method.queries(state)
    trace = run(method, instance, PipelineModel(depth=4), iterations, runs=runs)
    assert state[0] == iterations
    hashes = _sha(state[1], state[2]), _sha(queries), _sha(instance.gradient(queries)), _sha(trace.values)
    assert hashes == CASES[case][1]


def test_queries_a_caller_keeps_are_not_overwritten_by_the_next_call():
    """The query array is reused only when nobody holds it: a kept one keeps its values."""
    instance = LipschitzMaxFunction(dim=2**15)
    method = PPRS(instance.lipschitz, samples=4, seed=1, gamma=0.01)
    state = method.init(np.zeros((2, instance.dim)))
    first = method.queries(state)
    values = first.copy()
    state = method.update(state, instance.gradient(first))
    second = method.queries(state)
    np.testing.assert_array_equal(first, values)
    assert not np.array_equal(first, second)
    address = second.ctypes.data
    del second
    assert method.queries(state).ctypes.data == address  # dropped: reused
