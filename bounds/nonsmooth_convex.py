"""Non-smooth convex setting (docs/theory.md §2.4): span lower bound Ω(Δ(RL/ε)²), subgradient baseline,
and the paper's all-procedure lower bound (RECON)."""
import sympy as sp

from pplimits.bounds.builder import lower_claims, ratio_claim, upper_claims
from pplimits.bounds.claim import Claim
from pplimits.bounds.symbols import L, R, depth, eps, k

SETTING = "nonsmooth-convex"
CLASS = "a convex L-Lipschitz f with ‖x₀ − x*‖ ≤ R"


def claims():
    lower = lower_claims(SETTING, L * R / (2 * (1 + sp.sqrt(k + 1))),
                         "Nesterov 2004, Thm 3.2.1 (max function on k+1 coordinates)", CLASS,
                         lambda rounds: rounds + 1)
    subgradient = upper_claims(SETTING, "subgradient", R * L / sp.sqrt(k),
                               "Nesterov 2004, Thm 3.2.2 (step R/(L√T), horizon T; min over iterates)", CLASS)[1]
    ratio = ratio_claim(SETTING, subgradient, lower[1],
                        "The pipelined subgradient method is optimal among span methods up to this factor as ε → 0.")
    recon_lower = Claim(
        id=f"{SETTING}.recon.lower.time", setting=SETTING, kind="order", quantity="time-to-eps",
        methods="all procedures (randomised included)", label="RECON",
        source="Colin, Dos Santos, Scaman 2019 (form reconstructed, constants not recovered; docs/theory.md §2.4)",
        statement="Any procedure needs Ω((RL/ε)² + Δ·RL/ε) time; constants unknown, set to 1 here.",
        expression=(R * L / eps) ** 2 + depth * R * L / eps)
    return [*lower, subgradient, ratio, recon_lower]
