"""Turn a setting's per-round lower bound and per-iteration upper bounds into registered claims.

Every time-form and ratio claim produced here is DERIVED in sympy (bounds.derive); its source names
the per-round/per-iteration ingredient it starts from.
"""
import sympy as sp

from pplimits.bounds.claim import Assumption, Claim
from pplimits.bounds.derive import lower_bound_forms, ratio_limit, upper_bound_forms
from pplimits.bounds.symbols import d, t, tau

SPAN = Assumption("span (zero-respecting) method: every query lies in x₀ + span of returned gradients")
CLOCK = Assumption("τ_g is one iteration's makespan under the schedule and op costs run (gpipe, half duplex, unit "
                   "costs: 2(Δ + n − 1))")


def lower_claims(setting, per_round, source, class_text, construction_dim=None, class_condition=None):
    """Gap-at-time and time-to-ε lower claims from a per-round span bound E(k).

    `construction_dim(k)` is the dimension of the hard instance that forces E(k) for k rounds (None when
    the construction is infinite-dimensional, as Nesterov's strongly convex chain).
    """
    forms = lower_bound_forms(per_round)
    common = dict(setting=setting, kind="lower", methods="span methods", label="DERIVED",
                  source=source + " + rounds lemma (docs/theory.md §1)", derivation=forms["steps"])
    # at time t the construction for k = ⌊t/τ⌋ rounds; for T_ε ≥ τ·r the one for k = ⌈T_ε/τ⌉ − 1
    rounds = {"gap-at-time": sp.floor(t / tau), "time-to-eps": sp.ceiling(forms["time"] / tau) - 1}
    claims = []
    for quantity, key, statement in (
        ("gap-at-time", "gap", f"For every span method there is {class_text} with f(x_t) − f* ≥ E(⌊t/τ⌋) at clock time t."),
        ("time-to-eps", "time", f"For every span method there is {class_text} on which reaching f − f* ≤ ε takes at least this time."),
    ):
        if construction_dim is None:
            dimension = Assumption("d = ∞ (ℓ²) in the construction; a truncated instance is certified against its exact span gap")
        else:
            dimension = Assumption("d ≥ dimension of the construction for these rounds", sp.Ge(d, construction_dim(rounds[quantity])))
        claims.append(Claim(id=f"{setting}.lower.{quantity.replace('time-to-eps', 'time')}", quantity=quantity,
                            statement=statement, expression=forms[key], **common,
                            assumptions=(SPAN, Assumption(class_text, class_condition), dimension)))
    return claims


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
