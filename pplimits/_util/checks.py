"""The one validation kit: every argument check in pplimits raises `UsageError`, a one-line message naming the
parameter and what is allowed. One rule everywhere: an integer may be given as any integral real (4, 4.0,
numpy.int64(4)), never as a bool; a number is a finite real, never a bool; a value typed by a user (--set, a
flag) is read exactly (0.1 is 1/10, 1/3 is a third) before it is converted."""
import math
import numbers
import os
import re
import sys
from fractions import Fraction

import numpy as np


class UsageError(ValueError):
    """Bad input from the user (a wrong name, value or path). The CLI turns exactly this into one line and exit
    code 2; any other exception is a bug in pplimits (exit 1)."""


class NotANumber(UsageError):
    """A value typed by a user that does not read as a number at all (a caller may say what it allows instead)."""


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _finite(value) -> bool:
    """Whether a real is finite as a float; an integer beyond a float's range (10**400) is not (math.isfinite
    raises OverflowError on it)."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def require_int(name, value, minimum=1, maximum=None) -> int:
    """`value` as a Python int in [minimum, maximum]; integral floats are accepted, bools and fractions are not."""
    if _is_real(value) and isinstance(value, numbers.Integral):
        number = int(value)  # exact at any size (a float conversion would overflow beyond 1.8e308)
    else:
        number = int(value) if _is_real(value) and _finite(value) and float(value).is_integer() else None
    if number is None or number < minimum or (maximum is not None and number > maximum):
        allowed = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise UsageError(f"{name} must be an integer {allowed}, got {value!r}")
    return number


def require_choice(name, value, allowed) -> str:
    """`value` if it is one of `allowed`."""
    if not isinstance(value, str) or value not in allowed:
        raise UsageError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def require_number(name, value, low: float = -math.inf, high: float = math.inf, low_open: bool = True) -> float:
    """`value` as a float in (low, high) — [low, high) if not low_open."""
    ok = _is_real(value) and _finite(value) and (value > low if low_open else value >= low) and value < high
    if not ok:
        bracket = "(" if low_open else "["
        raise UsageError(f"{name} must be a finite number in {bracket}{low:g}, {high:g}), got {value!r}")
    return float(value)


def require_positive(name, value) -> float:
    """A finite number > 0, as float."""
    if not (_is_real(value) and _finite(value) and value > 0):
        raise UsageError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def require_nonnegative(name, value) -> float:
    """A finite number >= 0, as float."""
    if not (_is_real(value) and _finite(value) and value >= 0):
        raise UsageError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def require_interval(name, value, low: float, high: float, *, strict: bool, rule: str) -> float:
    """A finite number in (low, high) if strict, else in [low, high]; `rule` spells the range in the message."""
    inside = _is_real(value) and _finite(value) and (low < value < high if strict else low <= value <= high)
    if not inside:
        raise UsageError(f"{name} must satisfy {rule}, got {value!r}")
    return float(value)


def require_numbers(name, value, low: float, high: float = math.inf, low_open: bool = True):
    """A number as require_number, or a non-empty 1-D sequence of them — one per run, a hyperparameter grid
    batched over the runs axis — returned as a tuple of floats."""
    if np.ndim(value) == 0:
        return require_number(name, value, low, high, low_open)
    if np.ndim(value) != 1 or len(value) == 0:
        raise UsageError(f"{name} must be a number or a non-empty 1-D sequence of numbers (one per run), "
                         f"got shape {np.shape(value)}")
    return tuple(require_number(f"{name}[{i}]", v, low, high, low_open) for i, v in enumerate(value))


def require_rounds(k) -> np.ndarray:
    """Round counts k >= 0 (an int or an integer array) as an int64 array of the same shape."""
    arr = np.asarray(k)
    if arr.dtype.kind not in "iu" or np.any(arr < 0):
        raise UsageError(f"k must be an integer >= 0 or an array of them, got {k!r}")
    return arr.astype(np.int64)


def _typed(raw) -> str:
    """What the user typed, quoted for a message; a long one shortened (an argument can be 128 KB)."""
    shown = repr(raw)
    return shown if len(shown) <= 60 else f"{shown[:40]}… ({len(str(raw))} characters)"


EXPONENT_LIMIT = 1000  # 1e1000000000 would be read exactly as a billion-digit integer (minutes, gigabytes)
_EXPONENT = re.compile(r"[eE][-+]?(\d+)")


def parse_value(name: str, raw) -> Fraction:
    """A number typed by a user (`--set NAME=VALUE`, a flag), read exactly: 4, 0.1, 1e-4, 1/3; a decimal exponent
    beyond ±EXPONENT_LIMIT is refused before it is expanded."""
    text = str(raw).strip()
    exponents = [match.group(1).lstrip("0") for match in _EXPONENT.finditer(text)]
    if any(len(digits) > len(str(EXPONENT_LIMIT)) or int(digits or 0) > EXPONENT_LIMIT for digits in exponents):
        raise UsageError(f"{name} must be a number with an exponent between -{EXPONENT_LIMIT} and {EXPONENT_LIMIT}, "
                         f"got {_typed(raw)}")
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise NotANumber(f"{name} must be a number such as 4, 0.1, 1e-4 or 1/3, got {_typed(raw)}") from None


def parse_number(name: str, raw) -> int | float:
    """parse_value as a Python number: an int where the value is integral, else the nearest float. A value beyond a
    float's range (1e999) is refused: every number pplimits computes with is a float, or an int a float can hold."""
    value = parse_value(name, raw)
    if abs(value) > sys.float_info.max:
        raise UsageError(f"{name} must be a number of magnitude at most {sys.float_info.max:.4g} (a float's range), "
                         f"got {_typed(raw)}")
    if value and not float(value):  # 1e-400: not 0, but 0.0 as a float
        raise UsageError(f"{name} must be of magnitude at least {math.ulp(0):.3g} to be a float (it would round to "
                         f"0.0), got {_typed(raw)}")
    return int(value) if value.denominator == 1 else float(value)


def parse_assignments(pairs) -> dict[str, str]:
    """`--set NAME=VALUE` pairs (the one grammar of every command) as {NAME: VALUE}; the last one given wins."""
    values = {}
    for pair in pairs or []:
        name, sep, value = str(pair).partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--set expects NAME=VALUE, got {pair!r}")
        values[name.strip()] = value.strip()
    return values


def machine_memory() -> int:
    """This machine's physical memory in bytes."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def require_memory(name: str, value, estimate: float, what: str, too: str = "large") -> None:
    """Refuse, before allocating, a `value` of `name` whose arrays are estimated at `estimate` bytes when that is
    more than half of this machine's memory (a MemoryError, or the machine swapping, otherwise)."""
    limit = machine_memory() // 2
    if estimate > limit:
        raise UsageError(f"{name} = {value} is too {too}: {what} would take about {estimate / 2**30:.3g} GiB, more "
                         f"than half of this machine's {machine_memory() / 2**30:.0f} GiB")
