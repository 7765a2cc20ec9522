"""Parameter checks shared by the instances: one-line ValueErrors that name the parameter."""
import math
import numbers

import numpy as np


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def positive_float(name: str, value) -> float:
    """A finite real number > 0, returned as float."""
    if not _is_real(value) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def nonnegative_float(name: str, value) -> float:
    """A finite real number >= 0, returned as float."""
    if not _is_real(value) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def interval_float(name: str, value, low: float, high: float, *, strict: bool, rule: str) -> float:
    """A finite real number in (low, high) if strict, else in [low, high]; ``rule`` spells the range."""
    inside = _is_real(value) and math.isfinite(value)
    if inside:
        inside = low < value < high if strict else low <= value <= high
    if not inside:
        raise ValueError(f"{name} must satisfy {rule}, got {value!r}")
    return float(value)


def integer(name: str, value, low: int, high: int | None = None) -> int:
    """An integer (not bool, not float) with low <= value (<= high), returned as int."""
    ok = isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))
    ok = ok and value >= low and (high is None or value <= high)
    if not ok:
        allowed = f">= {low}" if high is None else f"between {low} and {high}"
        raise ValueError(f"{name} must be an integer {allowed}, got {value!r}")
    return int(value)


def rounds(k) -> np.ndarray:
    """Round counts k >= 0 (an int or an integer array) as an int64 array of the same shape."""
    arr = np.asarray(k)
    if arr.dtype.kind not in "iu" or np.any(arr < 0):
        raise ValueError(f"k must be an integer >= 0 or an array of them, got {k!r}")
    return arr.astype(np.int64)
