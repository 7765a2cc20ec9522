"""Claim expressions as plain data, evaluated exactly without sympy (DERIVED: exact rationals and rigorous interval
arithmetic), so that the command line can answer without importing sympy or re-deriving the registry.

`tree(expr)` writes a sympy expression as nested JSON lists (["+", a, b], ["^", base, exponent], ["ceil", x],
["s", name], ["n", p, q], …; sympy is imported only there). `Compiled(tree)` evaluates it at exact rational inputs:
rational operations stay exact Fractions; an irrational step (a root, π, a logarithm) gives an mpmath interval
certain to hold the exact value; a ceiling or floor of an interval is decided only when no integer lies in it, and a
comparison only when the intervals do not meet. `as_float` rounds the exact value as `Claim.evaluate` does (outward
for an upper or lower bound, to nearest otherwise). Whatever cannot be decided this way raises `Undecided`, and the
caller evaluates with sympy (bounds.exact) instead: the answer is the same either way, only slower.
"""
import math
from collections.abc import Callable
from fractions import Fraction

import mpmath
from mpmath import iv, libmp

PRECISIONS = (128, 512)  # bits of the interval arithmetic: the first try, then one more before giving up
EXACT_BITS = 4096  # an exact power larger than this (in bits) is taken as an interval instead
SYMPY_BITS = libmp.dps_to_prec(30)  # sympy's N(x, 30), which Claim.evaluate rounds to a float
SYMPY_SLACK = Fraction(1, 10**25)  # how far from the exact value sympy's 30-digit evaluation may be (relative)


class Undecided(Exception):
    """Not decided by exact rationals and intervals at the precisions tried: evaluate with sympy instead."""


def tree(expr) -> list:
    """A sympy expression (or relation) as nested lists; symbols by their user-facing name (bounds.symbols)."""
    import sympy as sp
    from sympy.core.function import AppliedUndef

    from pplimits.bounds.symbols import NAME_OF

    if expr.is_Symbol:
        return ["s", NAME_OF.get(expr, expr.name)]
    if expr.is_Rational:
        return ["n", int(expr.p), int(expr.q)]
    if expr is sp.pi or expr is sp.E:
        return [str(expr)]
    if isinstance(expr, AppliedUndef):  # a function given with the values (the clock makespan(B))
        return ["call", expr.func.__name__, *(tree(arg) for arg in expr.args)]
    operations = {sp.Add: "+", sp.Mul: "*", sp.Pow: "^", sp.ceiling: "ceil", sp.floor: "floor", sp.Max: "max",
                  sp.Min: "min", sp.log: "log", sp.exp: "exp", sp.GreaterThan: "ge", sp.StrictGreaterThan: "gt",
                  sp.LessThan: "le", sp.StrictLessThan: "lt"}
    if type(expr) not in operations:
        raise TypeError(f"no compiled form for {type(expr).__name__} in {expr}")
    return [operations[type(expr)], *(tree(arg) for arg in expr.args)]


def names(node: list) -> set[str]:
    """The symbols a tree needs."""
    if node[0] in ("s", "call"):
        return {node[1]}.union(*(names(arg) for arg in node[2:]))
    return set().union(*(names(arg) for arg in node[1:] if isinstance(arg, list)))


class Compiled:
    """A tree made into nested closures: `value(values)` is the exact value (a Fraction) or an interval holding it,
    at `values` ({name: int | float}, each taken at its exact rational value)."""

    def __init__(self, node: list):
        self.node = node
        self._function = _compile(node)

    def value(self, values: dict, prec: int = PRECISIONS[0]):
        exact = {name: v if callable(v) else Fraction(v) for name, v in values.items()}
        before, iv.prec = iv.prec, prec
        try:
            return self._function(exact)
        except (ArithmeticError, ValueError) as error:  # a division by zero, an overflow, a log of ≤ 0, …
            raise Undecided(str(error)) from None
        finally:
            iv.prec = before

    def exact(self, values: dict) -> Fraction | mpmath.ctx_iv.ivmpf:
        """`value` at the first precision that decides every ceiling and floor in it."""
        for prec in PRECISIONS[:-1]:
            try:
                return self.value(values, prec)
            except Undecided:
                pass
        return self.value(values, PRECISIONS[-1])

    def decide(self, values: dict) -> bool:
        """A relation's truth at `values`."""
        return bool(self.exact(values))

    def as_float(self, values: dict, kind: str) -> float:
        """The value as `Claim.evaluate` gives it: for kind "upper" the least float ≥ it, for "lower" the greatest
        float ≤ it, otherwise (and for an integer) sympy's 30-digit value rounded to the nearest float."""
        for prec in PRECISIONS[:-1]:
            try:
                return as_float(self.value(values, prec), kind)
            except Undecided:
                pass
        return as_float(self.value(values, PRECISIONS[-1]), kind)


# ── the operations: Fractions where exact, intervals otherwise ──


def _interval(x):
    if isinstance(x, Fraction):
        return iv.mpf(x.numerator) / x.denominator if x.denominator != 1 else iv.mpf(x.numerator)
    return x


def _ends(x) -> tuple[Fraction, Fraction]:
    """The endpoints of an interval as exact Fractions (Undecided for an infinite or enormous one)."""
    ends = []
    for end in x._mpi_:
        if end in (libmp.finf, libmp.fninf, libmp.fnan) or abs(end[2]) > EXACT_BITS:
            raise Undecided("interval beyond range")
        sign, mantissa, exponent, _ = end
        ends.append((-1) ** sign * Fraction(mantissa) * Fraction(2) ** exponent)
    return ends[0], ends[1]


def _add(*args):
    if all(isinstance(a, Fraction) for a in args):
        return sum(args, Fraction(0))
    total = iv.mpf(0)
    for a in args:
        total = total + _interval(a)
    return total


def _mul(*args):
    if all(isinstance(a, Fraction) for a in args):
        product = Fraction(1)
        for a in args:
            product *= a
        return product
    product = iv.mpf(1)
    for a in args:
        product = product * _interval(a)
    return product


def _root(x: int, q: int) -> int | None:
    """The exact q-th root of an integer x ≥ 0, or None."""
    r = round(x ** (1 / q)) if x < 2**52 else _integer_root(x, q)  # the float root is within 1 below 2^52
    for candidate in (r - 1, r, r + 1):
        if candidate >= 0 and candidate**q == x:
            return candidate
    return None


def _integer_root(x: int, q: int) -> int:
    r = 1 << ((x.bit_length() + q - 1) // q)  # ≥ the root; Newton's iteration decreases to it
    while True:
        s = ((q - 1) * r + x // r ** (q - 1)) // q
        if s >= r:
            return r
        r = s


def _pow(base, exponent):
    if isinstance(exponent, Fraction) and isinstance(base, Fraction):
        p, q = exponent.numerator, exponent.denominator
        if base == 0:
            if exponent <= 0:
                raise Undecided("0 to a power ≤ 0")
            return Fraction(0)
        if q != 1 and base > 0:
            roots = _root(base.numerator, q), _root(base.denominator, q)
            if None not in roots:
                base, q = Fraction(*roots), 1
        if q == 1 and abs(p) * max(base.numerator.bit_length(), base.denominator.bit_length()) <= EXACT_BITS:
            return base**p
    if isinstance(exponent, Fraction) and exponent.denominator == 1:
        return _interval(base) ** int(exponent)
    if isinstance(base, Fraction) and base <= 0 or not isinstance(base, Fraction) and _ends(base)[0] <= 0:
        raise Undecided("a non-integer power of a number that may be ≤ 0")
    if exponent == Fraction(1, 2):
        return iv.sqrt(_interval(base))
    return iv.exp(_interval(exponent) * iv.log(_interval(base)))


def _integer(x, up: bool) -> Fraction:
    if isinstance(x, Fraction):
        return Fraction(math.ceil(x) if up else math.floor(x))
    low, high = _ends(x)
    low, high = (math.ceil(low), math.ceil(high)) if up else (math.floor(low), math.floor(high))
    if low != high:
        raise Undecided("an integer lies in the interval")
    return Fraction(low)


def _extreme(largest: bool):
    def extreme(*args):
        if all(isinstance(a, Fraction) for a in args):
            return max(args) if largest else min(args)
        ends = [_interval(a)._mpi_ for a in args]  # (low, high) as raw mpf values: compared exactly
        pick = (lambda x, y: x if libmp.mpf_ge(x, y) else y) if largest else (
            lambda x, y: x if libmp.mpf_le(x, y) else y)
        low, high = ends[0]
        for a, b in ends[1:]:
            low, high = pick(low, a), pick(high, b)
        return iv.make_mpf((low, high))
    return extreme


def _log(x):
    if isinstance(x, Fraction):
        if x == 1:
            return Fraction(0)
        if x <= 0:
            raise Undecided("log of a number ≤ 0")
    elif _ends(x)[0] <= 0:
        raise Undecided("log of an interval reaching 0")
    return iv.log(_interval(x))


def _exp(x):
    return Fraction(1) if x == Fraction(0) else iv.exp(_interval(x))


def _compare(holds: Callable[[Fraction, Fraction], bool]):
    def compare(a, b):
        if isinstance(a, Fraction) and isinstance(b, Fraction):
            return holds(a, b)
        (a_low, a_high), (b_low, b_high) = _ends(_interval(a)), _ends(_interval(b))
        if holds(a_low, b_high) == holds(a_high, b_low) == holds(a_low, b_low) == holds(a_high, b_high):
            return holds(a_low, b_low)
        raise Undecided("the compared intervals meet")
    return compare


def _call(function, *args) -> Fraction:
    """A given function (the clock makespan(B)) at exact integer arguments, its value taken exactly."""
    if not all(isinstance(arg, Fraction) and arg.denominator == 1 for arg in args):
        raise Undecided("a function's argument is not an exact integer")
    return Fraction(function(*(int(arg) for arg in args)))


OPERATIONS = {"+": _add, "*": _mul, "^": _pow, "ceil": lambda x: _integer(x, True),
              "floor": lambda x: _integer(x, False), "max": _extreme(True), "min": _extreme(False), "log": _log,
              "exp": _exp, "ge": _compare(lambda a, b: a >= b), "gt": _compare(lambda a, b: a > b),
              "le": _compare(lambda a, b: a <= b), "lt": _compare(lambda a, b: a < b)}


def _compile(node: list) -> Callable[[dict], object]:
    head = node[0]
    if head == "n":
        constant = Fraction(node[1], node[2])
        return lambda values: constant
    if head == "s":
        name = node[1]
        return lambda values: values[name]
    if head == "pi":
        return lambda values: iv.pi
    if head == "E":
        return lambda values: iv.e
    if head == "call":
        name, parts = node[1], [_compile(arg) for arg in node[2:]]
        return lambda values: _call(values[name], *(part(values) for part in parts))
    operation, parts = OPERATIONS[head], [_compile(arg) for arg in node[1:]]
    if len(parts) == 1:
        only = parts[0]
        return lambda values: operation(only(values))
    if len(parts) == 2:
        first, second = parts
        return lambda values: operation(first(values), second(values))
    return lambda values: operation(*(part(values) for part in parts))


# ── the float a claim's value is reported as ──


def as_float(value, kind: str) -> float:
    """See `Compiled.as_float`; Undecided where the interval does not settle it, or the value is beyond a float."""
    if isinstance(value, Fraction):
        if abs(value) >= 2**1023:
            raise Undecided("at the edge of a float's range")
        if kind in ("upper", "lower"):  # integers too: beyond 2⁵³ the nearest float may be on the wrong side
            nearest = float(value)
            if kind == "upper" and Fraction(nearest) < value:
                return math.nextafter(nearest, math.inf)
            if kind == "lower" and Fraction(nearest) > value:
                return math.nextafter(nearest, -math.inf)
            return nearest
        return _sympy_float(libmp.from_rational(value.numerator, value.denominator, SYMPY_BITS, "n"))
    low, high = _ends(value)
    if max(abs(low), abs(high)) >= 2**1023:
        raise Undecided("at the edge of a float's range")
    if kind in ("upper", "lower"):
        rounding = "c" if kind == "upper" else "f"
        ends = {libmp.to_float(libmp.from_rational(x.numerator, x.denominator, 53, rounding)) for x in (low, high)}
    else:  # sympy's 30 digits may lie anywhere within SYMPY_SLACK of the value: each end must round alike
        slack = max(abs(low), abs(high)) * SYMPY_SLACK
        ends = {_sympy_float(libmp.from_rational(x.numerator, x.denominator, SYMPY_BITS, "n"))
                for x in (low - slack, high + slack)}
    if len(ends) != 1:
        raise Undecided("the interval straddles a float")
    return ends.pop()


def _sympy_float(mpf_value) -> float:
    """complex(sympy Float of SYMPY_BITS bits).real: rounded to 53 bits, then read as a float."""
    return libmp.to_float(libmp.mpf_pos(mpf_value, 53, "n"))
