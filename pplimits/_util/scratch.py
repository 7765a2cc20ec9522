"""Large output arrays an object reuses from call to call instead of allocating them afresh.

glibc maps every block above its mmap threshold (32 MiB at most) afresh and the kernel zeroes each of its pages on
first touch, so a loop that allocates a 64 MiB temporary per iteration pays ~16,000 page faults for it. A kept
array is handed out again only when nothing else refers to it (the caller dropped it and every view of it): an
array a caller keeps is never overwritten.
"""
import sys
import threading

import numpy as np

_HELD_BY_US = 3  # sys.getrefcount of a free kept array in `empty`: the dict, the local name, the call's argument


class Scratch:
    """One kept array per name; pickles and copies as empty."""

    def __init__(self):
        self._arrays = {}
        self._lock = threading.Lock()

    def __reduce__(self):
        return Scratch, ()

    def empty(self, name: str, shape: tuple, dtype=np.float64) -> np.ndarray:
        """An uninitialised array: the one kept under `name` when it has this shape and dtype and nothing else refers
        to it, else a new one (kept from now on)."""
        shape = tuple(int(n) for n in shape)
        with self._lock:
            array = self._arrays.get(name)
            if array is None or array.shape != shape or array.dtype != dtype or sys.getrefcount(array) > _HELD_BY_US:
                array = np.empty(shape, dtype=dtype)
                self._arrays[name] = array
            return array
