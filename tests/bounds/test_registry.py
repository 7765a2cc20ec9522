"""The claims registry: labels and sources, the sympy derivations against docs/theory.md's statements,
parameter validation, and the consistency rule (no upper bound below a lower bound of its class)."""
import math
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from pplimits.bounds.claim import KINDS, LABELS, parse_values
from pplimits.bounds.registry import SETTINGS, get, registry
from pplimits.bounds.symbols import D_f, R, beta, depth, eps, mu, n, tau, tau_g

CLAIMS = registry()


def test_every_claim_is_labelled_sourced_and_well_formed():
    assert CLAIMS
    for claim in CLAIMS.values():
        assert claim.label in LABELS and claim.kind in KINDS
        assert claim.source.strip() and claim.statement.strip()
        assert claim.setting in SETTINGS
        assert claim.id.startswith(claim.setting + ".")
    for setting in SETTINGS:
        kinds = {c.kind for c in CLAIMS.values() if c.setting == setting}
        assert {"lower", "upper", "ratio"} <= kinds, setting


def test_recon_claims_are_exactly_the_reconstructed_ones():
    # docs/theory.md §2.4–2.5: the all-procedure lower bound, the DRS schedule and anything measured against
    # them are RECON; every smooth claim is DERIVED or a PAPER shape.
    recon = {c.id for c in CLAIMS.values() if c.label == "RECON"}
    assert recon == {"nonsmooth-convex.recon.lower.time", "nonsmooth-convex.pprs.ratio", "nonsmooth-convex.pprs-drs.upper.time"}


def _same(a, b):
    return sp.simplify(a - b) == 0


def test_smooth_convex_lower_time_is_theory_statement():
    # docs/theory.md §2.1: T_ε ≥ τ(√(3βR²/(32ε)) − 1), τ = 2Δ.
    expected = tau * (sp.sqrt(3 * beta * R**2 / (32 * eps)) - 1)
    assert _same(get("smooth-convex.lower.time").expression, sp.Max(0, expected))


def test_smooth_convex_agd_upper_time_is_at_most_theory_statement():
    # docs/theory.md §2.1 states T_ε ≤ τ_g⌈√(2βR²/ε)⌉; solving 2βR²/(k+1)² ≤ ε exactly is one iteration tighter.
    ours = get("smooth-convex.agd.upper.time").expression
    theory = tau_g * sp.ceiling(sp.sqrt(2 * beta * R**2 / eps))
    assert _same(theory - ours, tau_g)


def test_ratio_limits_match_theory():
    # docs/theory.md §2.1: √(64/3) ≈ 4.62 in iterations, ≤ 9.24 when τ_g/τ ≤ 2 (n ≤ Δ + 1).
    smooth = get("smooth-convex.ratio").expression
    assert _same(smooth.subs(n, 1), sp.sqrt(sp.Rational(64, 3)))
    assert _same(smooth.subs(n, depth + 1), 2 * sp.sqrt(sp.Rational(64, 3)))
    # docs/theory.md §2.3: constant gap 2·1824 per iteration, ≈ 7.3·10³ with τ_g/τ ≤ 2.
    nonconvex = get("smooth-nonconvex.ratio").expression
    assert _same(nonconvex.subs(n, 1), 2 * 1824)
    assert _same(nonconvex.subs(n, depth + 1), 4 * 1824)
    # docs/theory.md §2.2: O(1); by hand, 2 log(1/q) / (−log(1 − 1/√κ)) → 4 as κ → ∞.
    kappa = sp.Symbol("kappa", positive=True)
    strong = get("strongly-convex.ratio").expression.subs(n, 1).subs(mu, beta / kappa)
    assert sp.limit(strong, kappa, sp.oo) == 4


def test_nonconvex_constant_1824_comes_from_carmon_constants():
    lower = get("smooth-nonconvex.lower.time").expression
    assert _same(lower, tau * sp.floor(beta * D_f / (12 * 152 * eps**2)))


def test_paper_shapes_are_matched_by_derived_bounds():
    # PAPER: Θ(Δ√(βR²/ε)) and Θ(Δ β D_f/ε²): derived lower and upper times over the shape tend to
    # finite positive constants as ε → 0 (relaxing ceilings, which do not change the limit).
    from pplimits.bounds.derive import relaxed

    for setting in ("smooth-convex", "smooth-nonconvex"):
        shape = get(f"{setting}.paper").expression
        for claim_id in (f"{setting}.lower.time", next(i for i in CLAIMS if i.startswith(setting) and i.endswith("upper.time"))):
            limit = sp.limit(relaxed(get(claim_id).expression) / shape, eps, 0, "+")
            limit = sp.simplify(limit.subs(n, 1 + sp.Symbol("m", nonnegative=True, integer=True)))  # n ≥ 1
            assert eps not in limit.free_symbols and limit.is_positive and limit.is_finite, (claim_id, limit)


@pytest.mark.parametrize("bad, name", [
    ({"eps": "0"}, "eps"), ({"eps": "-1"}, "eps"), ({"eps": "nan"}, "eps"), ({"eps": "inf"}, "eps"),
    ({"depth": "2.5"}, "depth"), ({"depth": "0"}, "depth"), ({"beta": "abc"}, "beta"), ({"t": "-1"}, "t"),
    ({"foo": "1"}, "foo"),
])
def test_bad_parameters_are_refused_with_their_name(bad, name):
    with pytest.raises(ValueError, match=name):
        parse_values(bad)


def test_missing_parameter_and_failed_assumption_are_named():
    claim = get("strongly-convex.agd.upper.time")
    with pytest.raises(ValueError, match="mu"):
        claim.evaluate(parse_values({"eps": 1e-3, "depth": 4, "n": 1, "beta": 1, "R": 1}))
    with pytest.raises(ValueError, match="μ < β"):
        claim.evaluate(parse_values({"eps": 1e-3, "depth": 4, "n": 1, "beta": 1, "mu": 2, "R": 1}))
    with pytest.raises(ValueError, match="claim must be one of"):
        get("no-such-claim")


def test_a_ceiling_at_a_tie_is_decided_on_the_inputs_exact_values():
    """√(2βR²/ε) is 300 in real numbers at β = 2, R = 1.5, ε = 1e-4; the float 1e-4 is a little above 10⁻⁴, so
    exactly it is just below 300 and the ceiling is 300 (float arithmetic gives 301: one iteration too many)."""
    q = 2 * Fraction(2) * Fraction(1.5) ** 2 / Fraction(1e-4)
    assert 299**2 < q < 300**2
    values = parse_values({"eps": 1e-4, "depth": 7, "n": 3, "beta": 2.0, "R": 1.5})
    assert CLAIMS["smooth-convex.agd.upper.time"].evaluate(values) == (300 - 1) * 2 * (7 + 3 - 1)
    # the example found by hand: (RL/ε)² is just above 297 at this ε, so the horizon is 298 gradients, not 297
    subgradient = parse_values({"eps": 0.058025885318565944, "L": 1, "R": 1, "depth": 64, "n": 1})
    assert CLAIMS["nonsmooth-convex.subgradient.upper.time"].evaluate(subgradient) == 298 * 2 * 64 == 38144


def test_bounds_round_outward():
    """An irrational bound comes back as the float on its safe side: a lower bound never above its exact value,
    an upper bound never below."""
    values = parse_values({"eps": 1e-3, "depth": 5, "n": 2, "beta": 1.0, "R": 1.0, "mu": 0.01, "t": 1000})
    for claim_id in ("smooth-convex.lower.time", "strongly-convex.agd.upper.gap-at-time",
                     "strongly-convex.lower.gap-at-time"):
        claim = CLAIMS[claim_id]
        exact = claim.expression.subs({s: sp.Rational(Fraction(v)) for s, v in values.items()})
        error = sp.N(exact - sp.Rational(Fraction(claim.evaluate(values))), 60)
        assert error != 0 and (error > 0 if claim.kind == "lower" else error < 0), (claim_id, error)


def test_exact_and_numeric_evaluation_agree():
    values = {"eps": 1e-4, "depth": 7, "n": 3, "beta": 2.0, "mu": 0.01, "R": 1.4, "D_f": 3.0, "t": 1234, "d": 10**6,
              "L": 2.5, "K": 8, "T": 100, "gamma": 0.01, "k": 12}
    for claim in CLAIMS.values():
        if claim.kind == "order":
            continue
        needed = {k: v for k, v in values.items() if k in claim.parameters}
        exact = claim.evaluate(parse_values(needed))
        assert math.isclose(float(claim.numeric(**needed)), exact, rel_tol=1e-9), claim.id


# --- consistency rule (docs/theory.md §4): no upper bound below a lower bound valid for the same method class ---

SPAN = ("gd", "agd", "subgradient")  # the span lower bounds bind these, not PPRS (randomised)
log_uniform = lambda lo, hi: st.floats(math.log(lo), math.log(hi)).map(math.exp)  # noqa: E731


@given(eps=log_uniform(1e-9, 1e-1), beta_=log_uniform(1e-3, 1e3), radius=log_uniform(1e-3, 1e3),
       gap=log_uniform(1e-3, 1e3), kappa=log_uniform(1.0001, 1e6), depth_=st.integers(1, 10**4),
       n_=st.integers(1, 10**3), t_=log_uniform(1, 1e9))
def test_no_upper_bound_falls_below_a_lower_bound(eps, beta_, radius, gap, kappa, depth_, n_, t_):
    values = {"eps": eps, "beta": beta_, "R": radius, "D_f": gap, "mu": beta_ / kappa, "depth": depth_, "n": n_,
              "L": gap}
    for setting in SETTINGS:
        lower = get(f"{setting}.lower.time")
        lower_value = lower.numeric(**{k: values[k] for k in lower.parameters})
        for claim in CLAIMS.values():
            if claim.setting == setting and claim.kind == "upper" and claim.quantity == "time-to-eps" and claim.methods in SPAN:
                upper_value = claim.numeric(**{k: values[k] for k in claim.parameters})
                assert upper_value >= lower_value, (claim.id, upper_value, lower_value)
        gap_lower = CLAIMS.get(f"{setting}.lower.gap-at-time")
        t_late = max(t_, 2 * (depth_ + n_ - 1))  # upper gap claims are vacuous before the first iteration
        for claim in CLAIMS.values():
            if gap_lower and claim.setting == setting and claim.kind == "upper" and claim.quantity == "gap-at-time":
                point = {**values, "t": t_late}
                upper_value = claim.numeric(**{k: point[k] for k in claim.parameters})
                lower_value = gap_lower.numeric(**{k: point[k] for k in gap_lower.parameters})
                assert upper_value >= lower_value * (1 - 1e-12), (claim.id, t_late)


def test_consistency_check_can_fail():
    # The same comparison flags a deliberately wrong upper bound (the AGD rate with β/100).
    wrong = get("smooth-convex.agd.upper.time").expression.subs(beta, beta / 100)
    lower = get("smooth-convex.lower.time").expression
    point = {eps: 1e-6, beta: 1, R: 1, depth: 4, n: 1}
    assert float(wrong.subs(point)) < float(lower.subs(point))
