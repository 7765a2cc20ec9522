"""PPRS's schedule for accuracy ε: Theorem D's T, K, γ (DERIVED, from the sympy derivation in pprs.py) and the
RECON DRS schedule (docs/theory.md §2.5)."""
import math
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from pplimits._util.checks import UsageError
from pplimits.bounds.exact import exact_value
from pplimits.bounds.pprs import derivation
from pplimits.bounds.symbols import L, R, T, d, eps


@dataclass(frozen=True)
class Tuning:
    """T iterations of K smoothed queries each, smoothing radius γ (None where the schedule sets none)."""
    T: int
    K: int
    gamma: float | None = None


def tuning(eps_value: float, lipschitz: float, radius: float, dim: int) -> Tuning:
    """Theorem D's default T, K and γ for accuracy ε (from the sympy derivation) — DERIVED."""
    steps = derivation()
    values = {symbol: sp.Rational(Fraction(value)) for symbol, value in
              ((eps, eps_value), (L, lipschitz), (R, radius), (d, dim))}  # exact: T and K are ceilings
    try:
        iterations = int(exact_value(steps["iterations"], values))
        return Tuning(T=iterations, K=int(exact_value(steps["batch"], values)),
                      gamma=float(steps["gamma"].subs(values).subs(T, iterations)))
    except (ArithmeticError, OverflowError):  # sympy's PrecisionExhausted on a ceiling far beyond a float
        raise UsageError(f"eps = {eps_value:g} is too small for Theorem D's tuning: T would exceed a float's range") from None


def drs_tuning(eps_value: float, lipschitz: float, radius: float, dim: int) -> Tuning:
    """The RECON DRS schedule's T and K (Scaman et al. 2018 constants, docs/theory.md §2.5) — RECON, not verified."""
    u = lipschitz * radius / eps_value
    return Tuning(T=math.ceil(20 * u * dim**0.25), K=math.ceil(5 * u * dim**-0.25))
