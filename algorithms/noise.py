"""Counter-based Gaussian perturbations: block (seed, iteration, k, layer) is its own Philox stream.

Each pipeline stage can draw its own block X_k⁽ʲ⁾ without communication (docs/theory.md §1), and the values
do not depend on how runs, queries or layers are batched or split: block (s, t, k, j) is always the
first `size_j` normals of Philox keyed by the 128-bit packing of (seed_s, t, k, j). The same independence lets
`perturbations` draw the (s, k) rows on every core and a long block a piece at a time without changing a bit.
"""
import threading

import numpy as np

from pplimits._util.checks import UsageError
from pplimits._util.parallel import share

_MASK = 2**64 - 1
_LIMITS = {"seed": 2**64, "iteration": 2**32, "k": 2**16, "layer": 2**16}
CHUNK = 2**16  # normals drawn, then finished, at a time: 512 KiB, within one core's L2 cache
_LOCAL = threading.local()  # each thread's (Philox, Generator), re-keyed per block


def _key(seed: int, iteration: int, k: int, layer: int) -> int:
    for name, value in (("seed", seed), ("iteration", iteration), ("k", k), ("layer", layer)):
        if not 0 <= value < _LIMITS[name]:
            raise UsageError(f"{name} must be an integer in [0, {_LIMITS[name]}), got {value!r}")
    return (seed << 64) | (iteration << 32) | (k << 16) | layer


def gaussian_block(seed: int, iteration: int, k: int, layer: int, size: int, out=None) -> np.ndarray:
    """The (seed, iteration, k, layer) block: `size` standard normals (written into `out` if given)."""
    generator = np.random.Generator(np.random.Philox(key=_key(int(seed), int(iteration), int(k), int(layer))))
    return generator.standard_normal(size, out=out)


def philox_state(key: int) -> dict:
    """The state of np.random.Philox(key=key) before its first draw."""
    key = np.array([key & _MASK, key >> 64], np.uint64)
    return {"bit_generator": "Philox", "buffer": np.zeros(4, np.uint64), "buffer_pos": 4, "has_uint32": 0,
            "uinteger": 0, "state": {"counter": np.zeros(4, np.uint64), "key": key}}


def _generator():
    """This thread's Philox and its Generator (built once per thread: Philox(key=...) reads OS entropy first)."""
    if not hasattr(_LOCAL, "generator"):
        bit_generator = np.random.Philox(0)
        _LOCAL.generator = bit_generator, np.random.Generator(bit_generator)
    return _LOCAL.generator


def perturbations(seeds, iteration: int, samples: int, layer_sizes, out=None, then=None, threads=None,
                  chunk: int | None = None) -> np.ndarray:
    """X of shape (S, K, d): run s, query k, layers concatenated in order (d = Σ layer_sizes).

    The same numbers as gaussian_block, block by block. The S·K rows are drawn on `threads` threads (None: one per
    core, see _util.parallel.share), each row in windows of `chunk` normals (None: CHUNK; a block continues its
    own stream across windows); then(s, start, window), if given, is called on each window X[s, k, start:start +
    chunk] as soon as it is drawn, in the thread that drew it (while it is in cache), and may change it in place.
    `out`: the C-contiguous float64 (S, K, d) array to fill (default: a new one). Each thread's one Philox is
    re-keyed per block (a state reset costs about half of building a new generator, which matters for small blocks).
    """
    edges = [0, *np.cumsum(layer_sizes, dtype=np.int64).tolist()]
    dim, runs = edges[-1], len(seeds)
    states = [[[_key(int(seed), int(iteration), int(k), layer) for layer in range(len(edges) - 1)]
               for k in range(samples)] for seed in seeds]  # every key checked before any drawing
    shape = (runs, samples, dim)
    if out is None:
        out = np.empty(shape)
    elif out.shape != shape or out.dtype != np.float64 or not out.flags.c_contiguous:
        raise ValueError(f"out must be a C-contiguous float64 array of shape {shape}, got {out.dtype} {out.shape}")
    chunk = CHUNK if chunk is None else chunk
    if chunk < 1:
        raise ValueError(f"chunk must be >= 1, got {chunk}")

    def draw(rows):
        bit_generator, generator = _generator()
        for row in rows:
            s, k = divmod(row, samples)
            target, keys, layer = out[s, k], states[s][k], -1
            for start in range(0, dim, chunk):
                stop, position = min(start + chunk, dim), start
                while position < stop:
                    while edges[layer + 1] == position:  # a block starts here (empty blocks are skipped)
                        layer += 1
                    if edges[layer] == position:
                        bit_generator.state = philox_state(keys[layer])
                    end = min(stop, edges[layer + 1])
                    generator.standard_normal(end - position, out=target[position:end])
                    position = end
                if then is not None:
                    then(s, start, target[start:stop])

    share(draw, runs * samples, threads, elements=runs * samples * dim)
    return out
