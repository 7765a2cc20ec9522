"""Turn a setting's per-round lower bound and per-iteration upper bounds into registered claims.

Every time-form and ratio claim produced here is DERIVED in sympy (bounds.derive); its source names
the per-round/per-iteration ingredient it starts from.
"""
import sympy as sp

from bounds.claim import Assumption, Claim
from bounds.derive import lower_bound_forms, ratio_limit, upper_bound_forms
from bounds.symbols import d, t, tau, tau_g, tau_g_model

SPAN = Assumption("span (zero-respecting) method: every query lies in x₀ + span of returned gradients")
CLOCK = Assumption(
    "one gradient takes at most τ_g = 2(Δ + n − 1) time units (gpipe schedule, or naive with n = 1)",
    sp.Le(tau_g_model, tau_g),
)


def lower_claims(setting, per_round, source, class_text, dimension_rounds_to_d, class_condition=None):
    """Gap-at-time and time-to-ε lower claims from a per-round span bound E(k).

    `dimension_rounds_to_d(k)` is the dimension the construction needs for k rounds.
    """
    forms = lower_bound_forms(per_round)
    rounds_at_t = sp.floor(t / tau)
    rounds_to_eps = sp.ceiling(forms["time"] / tau)
    common = dict(setting=setting, kind="lower", methods="span methods", label="DERIVED",
                  source=source + " + rounds lemma (THEORY.md §1)", derivation=forms["steps"])
    return [
        Claim(id=f"{setting}.lower.gap-at-time", quantity="gap-at-time",
              statement=f"For every span method there is {class_text} with f(x_t) − f* ≥ E(⌊t/τ⌋) at clock time t.",
              expression=forms["gap"], **common,
              assumptions=(SPAN, Assumption(class_text, class_condition), Assumption("d ≥ dimension of the construction for ⌊t/τ⌋ rounds",
                                            sp.Ge(d, dimension_rounds_to_d(rounds_at_t))))),
        Claim(id=f"{setting}.lower.time", quantity="time-to-eps",
              statement=f"For every span method there is {class_text} on which reaching f − f* ≤ ε takes at least this time.",
              expression=forms["time"], **common,
              assumptions=(SPAN, Assumption(class_text, class_condition), Assumption("d ≥ dimension of the construction for the rounds to ε",
                                            sp.Ge(d, dimension_rounds_to_d(rounds_to_eps))))),
    ]


def upper_claims(setting, method, per_iteration, source, class_text, class_condition=None):
    """Gap-at-time and time-to-ε upper claims of one pipelined method from its per-iteration bound U(k)."""
    forms = upper_bound_forms(per_iteration)
    common = dict(setting=setting, kind="upper", methods=method, label="DERIVED", source=source,
                  derivation=forms["steps"], assumptions=(Assumption(class_text, class_condition), CLOCK))
    return [
        Claim(id=f"{setting}.{method}.upper.gap-at-time", quantity="gap-at-time",
              statement=f"Pipelined {method} on {class_text}: the iterate available at clock time t obeys this bound.",
              expression=forms["gap"], **common),
        Claim(id=f"{setting}.{method}.upper.time", quantity="time-to-eps",
              statement=f"Pipelined {method} on {class_text} reaches accuracy ε within this time.",
              expression=forms["time"], **common),
    ]


def ratio_claim(setting, upper: Claim, lower: Claim, statement):
    """lim_{ε→0} of upper time / lower time, computed by sympy (DERIVED)."""
    limit = ratio_limit(upper.expression, lower.expression)
    return Claim(id=f"{setting}.ratio", setting=setting, kind="ratio", quantity="ratio", methods=upper.methods,
                 label="DERIVED", source=f"sympy limit of {upper.id} / {lower.id} as ε → 0",
                 statement=statement, expression=limit, assumptions=upper.assumptions,
                 derivation=(("upper time", upper.expression), ("lower time", lower.expression),
                             ("lim ε→0 of upper/lower", limit)))


def paper_claim(setting, shape, statement):
    """The paper's Θ-shape for a setting (PAPER, abstract); checked by the DERIVED lower and upper claims."""
    return Claim(id=f"{setting}.paper", setting=setting, kind="order", quantity="time-to-eps",
                 methods="naive pipelined AGD / span methods", label="PAPER",
                 source="Colin, Dos Santos, Scaman, NeurIPS 2019, abstract", statement=statement,
                 expression=shape)
