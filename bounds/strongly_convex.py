"""Smooth strongly convex setting (docs/theory.md §2.2, by analogy — not in the paper's abstract)."""
import sympy as sp

from pplimits.bounds.builder import lower_claims, ratio_claim, upper_claims
from pplimits.bounds.symbols import R, beta, k, mu

CLASS = "a β-smooth μ-strongly convex f (0 < μ < β) with ‖x₀ − x*‖ ≤ R"
CONDITION = sp.Lt(mu, beta)
KAPPA = beta / mu
Q = (sp.sqrt(KAPPA) - 1) / (sp.sqrt(KAPPA) + 1)


def claims():
    lower = lower_claims(
        "strongly-convex", mu / 2 * Q ** (2 * k) * R**2,
        "Nesterov 2004, Thm 2.1.13 (infinite chain, truncated at d ≫ k)", CLASS, None, CONDITION)
    agd = upper_claims("strongly-convex", "agd", (1 - 1 / sp.sqrt(KAPPA)) ** k * (beta + mu) * R**2 / 2,
                       "Nesterov 2004, Thm 2.2.3 (constant momentum (√κ−1)/(√κ+1))", CLASS, CONDITION)
    gd = upper_claims("strongly-convex", "gd", (1 - 1 / KAPPA) ** k * beta * R**2 / 2,
                      "Polyak 1963; Karimi–Nutini–Schmidt 2016, Thm 1 (GD step 1/β, PL)", CLASS, CONDITION)
    ratio = ratio_claim("strongly-convex", agd[1], lower[1],
                        "Pipelined AGD is optimal among span methods up to this κ-dependent O(1) factor as ε → 0.")
    return [*lower, *agd, *gd, ratio]
