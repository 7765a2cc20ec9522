"""Large arrays an object reuses from call to call instead of allocating them afresh.

glibc maps every block above its mmap threshold afresh and gives freed heap tops back to the kernel, which zeroes
each page again on first touch: a loop that allocates a 64 MiB temporary per iteration pays ~16,000 page faults for
it. A kept array is handed out again only when nothing else refers to it (its user dropped it and every view of
it), so an array someone keeps is never overwritten.
"""
import sys
import threading

import numpy as np

_HELD_BY_US = 3  # sys.getrefcount of a free kept array in `empty`: its list, the loop's name, the call's argument


class Scratch:
    """Up to `keep` arrays per name; pickles and copies as empty."""

    def __init__(self):
        self._arrays = {}
        self._lock = threading.Lock()

    def __reduce__(self):
        return Scratch, ()

    def empty(self, name: str, shape: tuple, dtype=np.float64, keep: int = 1) -> np.ndarray:
        """An uninitialised array of this shape and dtype: a kept one under `name` that nothing else refers to, else
        a new one (kept if fewer than `keep` are; arrays of another shape or dtype are let go)."""
        shape, dtype = tuple(int(n) for n in shape), np.dtype(dtype)
        with self._lock:
            kept = [a for a in self._arrays.get(name, []) if a.shape == shape and a.dtype == dtype]
            self._arrays[name] = kept
            for array in kept:
                if sys.getrefcount(array) <= _HELD_BY_US:
                    return array
            array = np.empty(shape, dtype=dtype)
            if len(kept) < keep:
                kept.append(array)
            return array
