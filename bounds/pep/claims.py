"""Tight worst cases that performance estimation re-derives and certifies exactly (reports/verify.py, pep_checks).

- smooth-convex.gd.upper.tight: GD with step 1/β, f(x_k) − f* ≤ βR²/(4k + 2), attained (Drori & Teboulle 2014,
  Thm 3.1 and its tightness example; CLASSICAL).
- nonsmooth-convex.subgradient.upper.tight: the subgradient method with constant step R/(L√(k+1)),
  min_{i≤k} f(x_i) − f* ≤ RL/√(k + 1), attained (Drori & Teboulle 2016, Math. Program. 160; CLASSICAL).
"""
import sympy as sp

from pplimits.bounds.claim import Assumption, Claim
from pplimits.bounds.symbols import L, R, beta, k


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
