"""Tight worst cases that performance estimation re-derives and certifies exactly (reports/verify.py, pep_checks).

- smooth-convex.gd.upper.tight: GD with step 1/β, f(x_k) − f* ≤ βR²/(4k + 2), attained (Drori & Teboulle 2014,
  Thm 3.1 and its tightness example; CLASSICAL).
- nonsmooth-convex.subgradient.upper.tight: the subgradient method with constant step R/(L√(k+1)),
  min_{i≤k} f(x_i) − f* ≤ RL/√(k + 1), attained (Drori & Teboulle 2016, Math. Program. 160; CLASSICAL).
"""
from dataclasses import dataclass

import sympy as sp

from pplimits.bounds.claim import Assumption, Claim, ClaimKey
from pplimits.bounds.symbols import L, R, beta, k


@dataclass(frozen=True)
class PEPCase:
    """A tight claim with the performance-estimation problem that re-derives it (PEPit's idiom: the method, its
    class, its guarantee and its reference kept together): `worst_case(method, function_class, N, params)` must
    equal the claim at `claim_values` and k = N, certified exactly."""

    claim: ClaimKey
    method: str
    function_class: str
    params: tuple[tuple[str, str], ...]  # the exact parameters of the PEP (certify's --set)
    claim_values: tuple[tuple[str, float], ...]  # the same parameters, by the claim's names


CASES = (
    PEPCase(ClaimKey("smooth-convex", "upper.tight", "gd"), "gd", "smooth-convex", (("beta", "1"), ("R", "1")),
            (("beta", 1), ("R", 1))),
    PEPCase(ClaimKey("nonsmooth-convex", "upper.tight", "subgradient"), "subgradient", "lipschitz-convex",
            (("L", "1"), ("R", "1")), (("L", 1), ("R", 1))),
)


def claims():
    return [
        Claim(id="smooth-convex.gd.upper.tight", setting="smooth-convex", kind="upper", quantity="gap-at-iteration",
              methods="gd", label="CLASSICAL", source="Drori & Teboulle 2014, Thm 3.1 (tight; step 1/β)",
              statement="f(x_k) − f* after k GD steps of size 1/β; equality for a Huber-like function. Checked by "
                        "exact PEP worst cases with rational certificates.",
              expression=beta * R**2 / (4 * k + 2),
              assumptions=(Assumption("a β-smooth convex f with ‖x₀ − x*‖ ≤ R"),)),
        Claim(id="nonsmooth-convex.subgradient.upper.tight", setting="nonsmooth-convex", kind="upper",
              quantity="gap-at-iteration", methods="subgradient", label="CLASSICAL",
              source="Drori & Teboulle 2016, Math. Program. 160 (tight; constant step R/(L√(k+1)))",
              statement="min over x_0 … x_k of f − f* for the subgradient method with constant step R/(L√(k+1)). "
                        "Checked by exact PEP worst cases with rational certificates.",
              expression=L * R / sp.sqrt(k + 1),
              assumptions=(Assumption("a convex L-Lipschitz f with ‖x₀ − x*‖ ≤ R"),)),
    ]
