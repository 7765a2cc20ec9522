"""Smooth non-convex setting, ε-stationary points (docs/theory.md §2.3): Θ(Δ β D_f / ε²)."""
import sympy as sp

from pplimits.bounds.builder import SPAN, paper_claim, ratio_claim, upper_claims
from pplimits.bounds.claim import Assumption, Claim
from pplimits.bounds.symbols import D_f, beta, d, depth, eps, k, tau

SETTING = "smooth-nonconvex"
CLASS = "a β-smooth f with f(x₀) − inf f ≤ D_f"
# Carmon–Duchi–Hinder–Sidford 2020: ∇f̄_T is 152-Lipschitz, f̄_T(0) − inf f̄_T ≤ 12T (CLASSICAL).
GRADIENT_LIPSCHITZ, GAP_PER_LINK = sp.Integer(152), sp.Integer(12)


def lower_claim():
    """T_ε ≥ τ⌊β D_f / (1824 ε²)⌋, DERIVED from the scaled Carmon chain f = (βλ²/152) f̄_T(x/λ)."""
    T, lam = sp.symbols("T lambda", positive=True)
    scale = sp.Eq(lam, GRADIENT_LIPSCHITZ * eps / beta)
    budget = sp.Eq(D_f, (beta * lam**2 / GRADIENT_LIPSCHITZ) * GAP_PER_LINK * T)
    chain = sp.solve(budget.subs(lam, scale.rhs), T)[0]
    time = tau * sp.floor(chain)
    return Claim(
        id=f"{SETTING}.lower.time", setting=SETTING, kind="lower", quantity="time-to-eps",
        methods="span methods", label="DERIVED",
        source="Carmon–Duchi–Hinder–Sidford 2020 (zero-chain, ‖∇f‖ > ε while x_T = 0) + rounds lemma (docs/theory.md §1)",
        statement=f"For every span method there is {CLASS} on which reaching ‖∇f‖ ≤ ε takes at least this time.",
        expression=time,
        assumptions=(SPAN, Assumption("d ≥ T, the chain length", sp.Ge(d, sp.floor(chain)))),
        derivation=(("gradient scale λ", scale), ("value budget of a T-link chain", budget),
                    ("longest chain within D_f", sp.Eq(T, chain)), ("T_ε ≥ τ·⌊T⌋", time)),
    )


def claims():
    lower = lower_claim()
    gd = upper_claims(SETTING, "gd", sp.sqrt(2 * beta * D_f / k),
                      "Nesterov 2004, eq. (1.2.13) (GD step 1/β: min_{j<k} ‖∇f(x_j)‖² ≤ 2βD_f/k)", CLASS)
    ratio = ratio_claim(SETTING, gd[1], lower,
                        "Pipelined GD matches the span lower bound up to this constant factor as ε → 0.")
    paper = paper_claim(SETTING, depth * beta * D_f / eps**2,
                        "T_ε = Θ(Δ β D_f / ε²) for ε-stationary points; matching lower and upper bounds.")
    return [lower, *gd, ratio, paper]
