"""Array backends: where the batched values of a run are computed.

Algorithms and instances only use the Python Array API standard through the namespace of the arrays
they are given (`x.__array_namespace__()`), so plugging in another namespace (JAX, torch through
array-api-compat, CuPy) means adding a Backend here, not rewriting algorithms. numpy is the default.
"""
from dataclasses import dataclass
from types import ModuleType

import numpy as np


@dataclass(frozen=True)
class Backend:
    name: str
    xp: ModuleType
    dtype: object

    def asarray(self, values):
        """`values` as an array of this backend, in its float dtype."""
        return self.xp.asarray(values, dtype=self.dtype)

    @staticmethod
    def to_numpy(array) -> np.ndarray:
        return np.asarray(array)


BACKENDS = {"numpy": Backend("numpy", np, np.float64)}


def get_backend(name: str = "numpy") -> Backend:
    if name not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {name!r}")
    return BACKENDS[name]
