"""Argument checks shared by the algorithms: one-line ValueErrors naming the parameter and what is allowed."""
import math

import numpy as np


def require_int(name, value, minimum=1) -> int:
    """Return `value` as a Python int, or raise a one-line ValueError naming `name`.

    Accepts ints, numpy integers and integral floats; rejects bools and fractional values.
    """
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        number = int(value)
    elif isinstance(value, (float, np.floating)) and float(value).is_integer():
        number = int(value)
    else:
        number = None
    if number is None or number < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return number


def require_choice(name, value, allowed) -> str:
    """Return `value` if it is one of `allowed`, else raise a one-line ValueError naming `name`."""
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def require_number(name, value, low: float, high: float = math.inf, low_open: bool = True) -> float:
    """Return `value` as a float in (low, high) — [low, high) if not low_open — or raise naming `name`."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    ok = ok and math.isfinite(value) and (value > low if low_open else value >= low) and value < high
    if not ok:
        bracket = "(" if low_open else "["
        raise ValueError(f"{name} must be a finite number in {bracket}{low:g}, {high:g}), got {value!r}")
    return float(value)


def require_numbers(name, value, low: float, high: float = math.inf, low_open: bool = True):
    """A number as require_number, or a non-empty 1-D sequence of them — one per run, a hyperparameter grid
    batched over the runs axis — returned as a tuple of floats."""
    if np.ndim(value) == 0:
        return require_number(name, value, low, high, low_open)
    if np.ndim(value) != 1 or len(value) == 0:
        raise ValueError(f"{name} must be a number or a non-empty 1-D sequence of numbers (one per run), "
                         f"got shape {np.shape(value)}")
    return tuple(require_number(f"{name}[{i}]", v, low, high, low_open) for i, v in enumerate(value))
