"""algorithms/noise.py: block (seed, t, k, j) is Philox keyed by the 128-bit packing of its four fields
(docs/theory.md §1), drawn here from that spec with a fresh numpy generator, independently of the module."""
import numpy as np
import pytest

from pplimits._util.checks import UsageError
from pplimits.algorithms.noise import gaussian_block, perturbations


def philox_normals(seed, iteration, k, layer, size):
    """The first `size` standard normals of Philox keyed by seed·2⁶⁴ + t·2³² + k·2¹⁶ + j."""
    key = seed * 2**64 + iteration * 2**32 + k * 2**16 + layer
    return np.random.Generator(np.random.Philox(key=key)).standard_normal(size)


@pytest.mark.parametrize("seed, iteration, k, layer", [(0, 0, 0, 0), (7, 3, 2, 1), (2**40 + 3, 2**31, 2**16 - 1, 5)])
def test_a_block_is_philox_keyed_by_the_packed_fields(seed, iteration, k, layer):
    np.testing.assert_array_equal(gaussian_block(seed, iteration, k, layer, 6), philox_normals(seed, iteration, k, layer, 6))


def test_perturbations_concatenate_each_layers_own_block():
    """X[s, k] is the blocks of layers 0, 1, 2 in order, each from its own key; run s uses seed s of `seeds`."""
    sizes, seeds, iteration = (3, 1, 4), (11, 12), 9
    noise = perturbations(seeds, iteration, 3, sizes)
    assert noise.shape == (2, 3, 8)
    for s, seed in enumerate(seeds):
        for k in range(3):
            expected = np.concatenate([philox_normals(seed, iteration, k, j, size) for j, size in enumerate(sizes)])
            np.testing.assert_array_equal(noise[s, k], expected)
    assert not np.allclose(noise[0, 0, :3], noise[0, 0, 4:7])  # layers 0 and 2 are not one stream restarted


@pytest.mark.parametrize("field, value", [("k", 2**16), ("layer", 2**16), ("iteration", 2**32), ("seed", 2**64),
                                          ("k", -1)])
def test_a_field_outside_its_bits_is_refused(field, value):
    """k = 2¹⁶ would be packed as (t + 1, k = 0): another block's numbers. Each field must fit its bits."""
    fields = {"seed": 1, "iteration": 1, "k": 1, "layer": 1, field: value}
    with pytest.raises(UsageError, match=f"^{field} must be an integer in"):
        gaussian_block(fields["seed"], fields["iteration"], fields["k"], fields["layer"], 2)


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("chunk", [1, 3, 64, None])
def test_neither_threads_nor_windows_change_a_bit(threads, chunk):
    """Each block is one sequential Philox stream whoever draws it and however many normals at a time: the rows
    drawn on 1-3 threads, in windows of 1, 3, 64 or CHUNK normals (empty layers included), equal the spec's blocks."""
    sizes, seeds, iteration, samples = (5, 0, 70, 1, 0, 30), (3, 4), 17, 4
    noise = perturbations(seeds, iteration, samples, sizes, threads=threads, chunk=chunk)
    for s, seed in enumerate(seeds):
        for k in range(samples):
            expected = np.concatenate([philox_normals(seed, iteration, k, j, size) for j, size in enumerate(sizes)])
            np.testing.assert_array_equal(noise[s, k], expected)


def test_then_finishes_each_window_once_in_place_into_out():
    """then(s, start, window) sees every window of every row once, right after it is drawn; it may change it."""
    sizes, seeds, samples = (10, 7), (1, 2, 3), 2
    out = np.full((3, samples, 17), np.nan)
    seen = []

    def then(s, start, window):
        seen.append((s, start, len(window)))
        window *= 2.0

    result = perturbations(seeds, 5, samples, sizes, out=out, then=then, threads=2, chunk=6)
    assert result is out
    np.testing.assert_array_equal(out, 2.0 * perturbations(seeds, 5, samples, sizes))
    assert sorted(seen) == sorted((s, start, min(6, 17 - start)) for s in range(3) for _ in range(samples)
                                  for start in (0, 6, 12))


def test_out_of_the_wrong_shape_is_refused():
    with pytest.raises(ValueError, match="out must be a C-contiguous float64 array of shape"):
        perturbations((1,), 0, 2, (3,), out=np.empty((1, 2, 4)))
