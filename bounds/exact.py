"""Exact values of claim expressions at exact rational inputs, ceilings and floors included (DERIVED: exact
arithmetic, no rounding before a ceiling or a floor is decided).

sympy decides ⌈x⌉ and ⌊x⌋ of an irrational x from a 30-bit evaluation that it refines too little near an integer
(sympy/sympy#26368): sympy 1.14 gives ⌈X⌉ = ⌊X⌋ = 39861 for X = 39861.0000000019, Theorem D's T = ⌈4·2^{3/4}·d^{1/4}/
(π^{1/4}ε)⌉ at d = 2101248, ε = 0.00482632049839995 (tests/bounds/test_exact.py). Here each ceiling or floor is decided
on its argument's value: a rational one exactly, an irrational one on enough digits that its distance to the nearest
integer is far above the evaluation's error, doubling the digits until it is.
"""
import math
from fractions import Fraction

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef

DIGITS = 30  # the first try; doubled while the nearest integer is too close to tell
MAX_DIGITS = 20_000


def exact_value(expr: sp.Basic, values: dict[sp.Symbol, sp.Rational]) -> sp.Basic:
    """`expr` with `values` put in, every ceiling and floor decided exactly (see the module docstring); an undefined
    function in `values` (as makespan(B)) is called on its exact integer arguments."""
    if expr in values:
        return values[expr]
    if not expr.args:
        return expr
    args = [exact_value(arg, values) for arg in expr.args]
    if isinstance(expr, AppliedUndef) and expr.func in values:  # a function given as a Python callable (the clock)
        if not all(arg.is_Integer for arg in args):
            raise ArithmeticError(f"{expr.func}(·) of a number that is not an integer: {args}")
        return sp.Rational(Fraction(values[expr.func](*(int(arg) for arg in args))))
    if isinstance(expr, (sp.ceiling, sp.floor)) and args[0].is_number:
        return sp.Integer(integer_part(args[0], up=isinstance(expr, sp.ceiling)))
    return expr.func(*args)


def integer_part(x: sp.Expr, up: bool) -> int:
    """⌈x⌉ (`up`) or ⌊x⌋ of a real number x given exactly. ArithmeticError when not real or not decided within
    MAX_DIGITS digits (an irrational-looking expression equal to an integer that sympy does not simplify)."""
    if x.is_Rational:
        value = Fraction(int(x.p), int(x.q))
        return math.ceil(value) if up else math.floor(value)
    if x.is_real is False or x.is_finite is False:
        raise ArithmeticError(f"⌈·⌉/⌊·⌋ of a number that is not a finite real: {x}")
    digits = DIGITS
    while digits <= MAX_DIGITS:
        approx = sp.N(x, digits)
        if not approx.is_Float:
            raise ArithmeticError(f"⌈·⌉/⌊·⌋ of a number that is not a finite real: {x}")
        with mpmath.workdps(digits + 10):
            value = mpmath.mpf(approx._mpf_)
            error = abs(value) * mpmath.mpf(10) ** (4 - digits)  # sp.N is good to `digits` digits; 1000× margin
            nearest = mpmath.nint(value)
            if abs(value - nearest) > error + mpmath.mpf(10) ** -(digits + 5):  # decided: not within the error
                return int(mpmath.ceil(value) if up else mpmath.floor(value))
        digits *= 2
    raise ArithmeticError(f"cannot decide the integer part of {x} within {MAX_DIGITS} digits")
