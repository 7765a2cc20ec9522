"""Smooth convex setting (docs/theory.md §2.1): lower Ω(Δ√(βR²/ε)) for span methods, pipelined AGD matches it."""
import sympy as sp

from pplimits.bounds.builder import lower_claims, paper_claim, ratio_claim, upper_claims
from pplimits.bounds.symbols import R, beta, depth, eps, k

CLASS = "a β-smooth convex f with ‖x₀ − x*‖ ≤ R"


def claims():
    lower = lower_claims(
        "smooth-convex", 3 * beta * R**2 / (32 * (k + 1) ** 2),
        "Nesterov 2004, Thm 2.1.7 (chain of length 2k+1)", CLASS, lambda rounds: 2 * rounds + 1)
    agd = upper_claims("smooth-convex", "agd", 2 * beta * R**2 / (k + 1) ** 2,
                       "Beck–Teboulle 2009, Thm 4.4 (FISTA, step 1/β)", CLASS)
    gd = upper_claims("smooth-convex", "gd", beta * R**2 / (2 * k),
                      "Beck–Teboulle 2009, Thm 3.1 (GD, step 1/β)", CLASS)
    ratio = ratio_claim("smooth-convex", agd[1], lower[1],
                        "Pipelined AGD is optimal among span methods up to this factor as ε → 0.")
    paper = paper_claim("smooth-convex", depth * sp.sqrt(beta * R**2 / eps),
                        "T_ε = Θ(Δ√(βR²/ε)); naive pipelined Nesterov AGD is optimal.")
    return [*lower, *agd, *gd, ratio, paper]
