"""Counter-based Gaussian perturbations: block (seed, iteration, k, layer) is its own Philox stream.

Each pipeline stage can draw its own block X_k⁽ʲ⁾ without communication (docs/theory.md §1), and the values
do not depend on how runs, queries or layers are batched or split: block (s, t, k, j) is always the
first `size_j` normals of Philox keyed by the 128-bit packing of (seed_s, t, k, j).
"""
import numpy as np

from pplimits._util.checks import UsageError

_MASK = 2**64 - 1
_LIMITS = {"seed": 2**64, "iteration": 2**32, "k": 2**16, "layer": 2**16}


def _key(seed: int, iteration: int, k: int, layer: int) -> int:
    for name, value in (("seed", seed), ("iteration", iteration), ("k", k), ("layer", layer)):
        if not 0 <= value < _LIMITS[name]:
            raise UsageError(f"{name} must be an integer in [0, {_LIMITS[name]}), got {value!r}")
    return (seed << 64) | (iteration << 32) | (k << 16) | layer


def gaussian_block(seed: int, iteration: int, k: int, layer: int, size: int, out=None) -> np.ndarray:
    """The (seed, iteration, k, layer) block: `size` standard normals (written into `out` if given)."""
    generator = np.random.Generator(np.random.Philox(key=_key(int(seed), int(iteration), int(k), int(layer))))
    return generator.standard_normal(size, out=out)


def perturbations(seeds, iteration: int, samples: int, layer_sizes) -> np.ndarray:
    """X of shape (S, K, d): run s, query k, layers concatenated in order (d = Σ layer_sizes).

    The same numbers as gaussian_block, block by block; one Philox is re-keyed per block (a state reset
    costs about a quarter of building a new generator, which matters for small blocks).
    """
    edges = np.concatenate([[0], np.cumsum(layer_sizes)])
    noise = np.empty((len(seeds), samples, int(edges[-1])))
    bit_generator = np.random.Philox(key=0)
    generator = np.random.Generator(bit_generator)
    for s, seed in enumerate(seeds):
        for k in range(samples):
            for layer, (start, stop) in enumerate(zip(edges[:-1], edges[1:])):
                key = _key(int(seed), int(iteration), int(k), layer)
                bit_generator.state = {
                    "bit_generator": "Philox", "buffer": np.zeros(4, np.uint64), "buffer_pos": 4,
                    "has_uint32": 0, "uinteger": 0,
                    "state": {"counter": np.zeros(4, np.uint64), "key": np.array([key & _MASK, key >> 64], np.uint64)},
                }
                generator.standard_normal(stop - start, out=noise[s, k, start:stop])
    return noise
