"""The max functions' numpy gradient (sparse: a scatter at the first maximiser, in row blocks on every core, into a
kept array) against the dense formula of the docstring, mu·∇penalty(x) + gamma·e_{i*} with a one-hot e_{i*}, bit
for bit: ties, signed zeros, rows inside and outside the Huber ball, any leading shape."""
import numpy as np
import pytest

from pplimits._util import parallel
from pplimits.worstcase import LipschitzMaxFunction, MaxFunction, max_function


def dense(instance, x):
    """mu·∇penalty(x) + gamma·one-hot(first maximiser among 1..t), written out with a dense one-hot."""
    first = np.argmax(x[..., : instance.chain_length], axis=-1)[..., None]
    hit = (np.arange(instance.dim) == first).astype(np.float64)
    if isinstance(instance, LipschitzMaxFunction):
        norm = np.sqrt(np.sum(x * x, axis=-1, keepdims=True))
        penalty = x * (instance._ball / np.maximum(norm, instance._ball))
    else:
        penalty = x
    return instance.mu * penalty + instance.gamma * hit


INSTANCES = {"max": lambda: MaxFunction(40, L=2.0, R=3.0, chain_length=25),
             "lip": lambda: LipschitzMaxFunction(40, L=2.0, R=3.0, chain_length=25),
             "lip-full": lambda: LipschitzMaxFunction(33)}


def inputs(dim, rng, radius=3.0):
    """(5, 7, dim) rows: inside, on and just outside the ball, exact ties for the maximum, -0.0 and subnormals."""
    x = rng.standard_normal((5, 7, dim)) * np.exp(rng.uniform(-8, 3, (5, 7, 1)))
    x[2, 1] *= 1.005 * radius / np.linalg.norm(x[2, 1])  # factor R/‖x‖ ≈ 0.995
    x[2, 4] *= radius / np.linalg.norm(x[2, 4])
    x[0, 0] = 0.0
    x[0, 1] = -0.0
    x[0, 2, :4] = x[0, 2].max() + 1.0  # a tie among the first indices
    x[1, 0, ::3] = -0.0
    x[1, 1, ::2] = -5e-324
    x[1, 2] = -np.abs(x[1, 2])
    return x


@pytest.mark.parametrize("threads, block", [(None, None), (1, 1), (2, 40), (3, 100)])
@pytest.mark.parametrize("name", sorted(INSTANCES))
def test_the_sparse_gradient_is_the_dense_formula_bit_for_bit(name, threads, block, monkeypatch):
    monkeypatch.setattr(parallel, "THREADS", threads)
    if block is not None:
        monkeypatch.setattr(max_function, "BLOCK", block)
    instance = INSTANCES[name]()
    x = inputs(instance.dim, np.random.default_rng(7))
    got = instance.gradient(x)
    expected = dense(instance, x)
    assert got.shape == x.shape
    assert got.tobytes() == expected.tobytes()  # signed zeros included
    assert np.signbit(got[0, 1]).sum() == 0 and np.signbit(expected[1, 0, 3::3]).sum() == 0
    for rows in (x[2, 3], x[:, 0], x[:, :, ::-1][..., ::-1]):  # one point, a strided view, a reversed copy
        assert instance.gradient(rows).tobytes() == dense(instance, rows).tobytes()


def test_the_generic_path_still_serves_other_dtypes():
    instance = LipschitzMaxFunction(12)
    x = np.random.default_rng(1).standard_normal((3, 12)).astype(np.float32)
    got = instance.gradient(x)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, dense(instance, x.astype(np.float64)), rtol=1e-6, atol=1e-7)


def test_a_gradient_the_caller_keeps_is_not_overwritten():
    instance = LipschitzMaxFunction(2**15)
    rng = np.random.default_rng(2)
    first = instance.gradient(rng.standard_normal((4, instance.dim)) * 1e-3)
    values = first.copy()
    second = instance.gradient(rng.standard_normal((4, instance.dim)) * 1e-3)
    np.testing.assert_array_equal(first, values)
    assert not np.array_equal(first, second)
