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
from pplimits.bounds.symbols import D_f, R, beta, depth, eps, makespan, mu, n, tau, tau_g, tau_g_gpipe

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
    # docs/theory.md §2.1: √(64/3) ≈ 4.62 in iterations, ≤ 9.24 when τ_g/τ ≤ 2 (n ≤ Δ + 1, gpipe).
    assert _same(get("smooth-convex.ratio").expression, sp.sqrt(sp.Rational(64, 3)) * tau_g / tau)  # √(64/3)·τ_g/τ
    smooth = get("smooth-convex.ratio").expression.subs(tau_g, tau_g_gpipe)
    assert _same(smooth.subs(n, 1), sp.sqrt(sp.Rational(64, 3)))
    assert _same(smooth.subs(n, depth + 1), 2 * sp.sqrt(sp.Rational(64, 3)))
    # docs/theory.md §2.3: constant gap 2·1824 per iteration, ≈ 7.3·10³ with τ_g/τ ≤ 2.
    nonconvex = get("smooth-nonconvex.ratio").expression.subs(tau_g, tau_g_gpipe)
    assert _same(nonconvex.subs(n, 1), 2 * 1824)
    assert _same(nonconvex.subs(n, depth + 1), 4 * 1824)
    # docs/theory.md §2.2: O(1); by hand, 2 log(1/q) / (−log(1 − 1/√κ)) → 4 as κ → ∞.
    kappa = sp.Symbol("kappa", positive=True)
    strong = get("strongly-convex.ratio").expression.subs(tau_g, tau_g_gpipe).subs(n, 1).subs(mu, beta / kappa)
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
            limit = sp.limit(relaxed(get(claim_id).expression.subs(tau_g, tau_g_gpipe)) / shape, eps, 0, "+")
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
        claim.evaluate(parse_values({"eps": 1e-3, "tau_g": 8, "beta": 1, "R": 1}))
    with pytest.raises(ValueError, match="tau_g"):
        claim.evaluate(parse_values({"eps": 1e-3, "depth": 4, "n": 1, "beta": 1, "mu": 0.5, "R": 1}))
    with pytest.raises(ValueError, match="μ < β"):
        claim.evaluate(parse_values({"eps": 1e-3, "tau_g": 8, "beta": 1, "mu": 2, "R": 1}))
    with pytest.raises(ValueError, match="claim must be one of"):
        get("no-such-claim")


def test_a_ceiling_at_a_tie_is_decided_on_the_inputs_exact_values():
    """√(2βR²/ε) is 300 in real numbers at β = 2, R = 1.5, ε = 1e-4; the float 1e-4 is a little above 10⁻⁴, so
    exactly it is just below 300 and the ceiling is 300 (float arithmetic gives 301: one iteration too many)."""
    q = 2 * Fraction(2) * Fraction(1.5) ** 2 / Fraction(1e-4)
    assert 299**2 < q < 300**2
    values = parse_values({"eps": 1e-4, "tau_g": 2 * (7 + 3 - 1), "beta": 2.0, "R": 1.5})  # gpipe, Δ = 7, n = 3
    assert CLAIMS["smooth-convex.agd.upper.time"].evaluate(values) == (300 - 1) * 2 * (7 + 3 - 1)
    # the example found by hand: (RL/ε)² is just above 297 at this ε, so the horizon is 298 gradients, not 297
    subgradient = parse_values({"eps": 0.058025885318565944, "L": 1, "R": 1, "tau_g": 2 * 64})  # gpipe, Δ = 64, n = 1
    assert CLAIMS["nonsmooth-convex.subgradient.upper.time"].evaluate(subgradient) == 298 * 2 * 64 == 38144


def test_bounds_round_outward():
    """An irrational bound comes back as the float on its safe side: a lower bound never above its exact value,
    an upper bound never below."""
    values = parse_values({"eps": 1e-3, "depth": 5, "n": 2, "tau_g": 12, "beta": 1.0, "R": 1.0, "mu": 0.01, "t": 1000})
    for claim_id in ("smooth-convex.lower.time", "strongly-convex.agd.upper.gap-at-time",
                     "strongly-convex.lower.gap-at-time"):
        claim = CLAIMS[claim_id]
        exact = claim.expression.subs({s: sp.Rational(Fraction(v)) for s, v in values.items()})
        error = sp.N(exact - sp.Rational(Fraction(claim.evaluate(values))), 60)
        assert error != 0 and (error > 0 if claim.kind == "lower" else error < 0), (claim_id, error)


def test_exact_and_numeric_evaluation_agree():
    values = {"eps": 1e-4, "depth": 7, "n": 3, "beta": 2.0, "mu": 0.01, "R": 1.4, "D_f": 3.0, "t": 1234, "d": 10**6,
              "L": 2.5, "K": 8, "T": 100, "gamma": 0.01, "k": 12, "b": 5, "tau_g": 18}
    for claim in CLAIMS.values():
        if claim.kind == "order":
            continue
        needed = {k: v for k, v in values.items() if k in claim.parameters}
        clock = {"makespan": lambda inputs: 2 * (7 + inputs) + 3} if "makespan" in claim.parameters else {}  # any
        exact = claim.evaluate({**parse_values(needed), **{makespan: f for f in clock.values()}})
        assert math.isclose(float(claim.numeric(**needed, **clock)), exact, rel_tol=1e-9), claim.id


# --- consistency rule (docs/theory.md §4): no upper bound below a lower bound valid for the same method class ---

SPAN = ("gd", "agd", "subgradient")  # the span lower bounds bind these, not PPRS (randomised)
log_uniform = lambda lo, hi: st.floats(math.log(lo), math.log(hi)).map(math.exp)  # noqa: E731


@given(eps=log_uniform(1e-9, 1e-1), beta_=log_uniform(1e-3, 1e3), radius=log_uniform(1e-3, 1e3),
       gap=log_uniform(1e-3, 1e3), kappa=log_uniform(1.0001, 1e6), depth_=st.integers(1, 10**4),
       n_=st.integers(1, 10**3), t_=log_uniform(1, 1e9))
def test_no_upper_bound_falls_below_a_lower_bound(eps, beta_, radius, gap, kappa, depth_, n_, t_):
    values = {"eps": eps, "beta": beta_, "R": radius, "D_f": gap, "mu": beta_ / kappa, "depth": depth_, "n": n_,
              "L": gap, "tau_g": 2 * (depth_ + n_ - 1)}  # τ_g under gpipe (≥ τ = 2Δ under every schedule of unit ops)
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
    point = {eps: 1e-6, beta: 1, R: 1, depth: 4, n: 1, tau_g: 8}
    assert float(wrong.subs(point)) < float(lower.subs(point))


# --- values at hand-computed points (mutation/bounds.toml): each expected number from docs/theory.md's formula ---


def test_lower_gap_at_time_counts_completed_rounds_only():
    """Rounds lemma (docs/theory.md §1): by time t a span method has completed ⌊t/τ⌋ rounds, τ = 2Δ, and the smooth
    convex bound is 3βR²/(32(⌊t/τ⌋ + 1)²) (§2.1). Δ = 3, t = 20: ⌊20/6⌋ = 3 rounds, so 3·2/(32·16) = 3/256 at β = 2,
    R = 1; the construction for 3 rounds is Nesterov's chain of length 2·3 + 1 = 7, so d = 7 is enough, d = 6 is not."""
    claim = CLAIMS["smooth-convex.lower.gap-at-time"]
    values = {"beta": 2, "R": 1, "depth": 3, "t": 20}
    assert claim.evaluate(parse_values({**values, "d": 7})) == 3 / 256
    with pytest.raises(ValueError, match="does not apply"):
        claim.evaluate(parse_values({**values, "d": 6}))


def test_upper_gap_at_time_counts_synchronous_gradients():
    """A synchronous gradient of n inputs takes τ_g = 2(Δ + n − 1) (docs/theory.md §1): Δ = 3, n = 4 gives τ_g = 12,
    so ⌊40/12⌋ = 3 AGD iterations by t = 40 and 2βR²/(3 + 1)² = 1/4 at β = 2, R = 1 (§2.1)."""
    values = parse_values({"beta": 2, "R": 1, "tau_g": 12, "t": 40})
    assert CLAIMS["smooth-convex.agd.upper.gap-at-time"].evaluate(values) == 1 / 4


def test_lower_time_needs_the_chain_for_the_last_unfinished_round():
    """T_ε ≥ τr, r = √(3βR²/(32ε)) − 1 (docs/theory.md §2.1): the span method is still above ε in rounds j < r, so the
    construction must be hard for k = ⌈r⌉ − 1 rounds and needs d ≥ 2k + 1. β = R = 1, ε = 0.005: r = √18.75 − 1
    ≈ 3.33, k = 3, d ≥ 7."""
    claim = CLAIMS["smooth-convex.lower.time"]
    values = {"eps": 0.005, "beta": 1, "R": 1, "depth": 2}
    assert claim.evaluate(parse_values({**values, "d": 7})) == pytest.approx(4 * (math.sqrt(18.75) - 1), rel=1e-15)
    with pytest.raises(ValueError, match="does not apply"):
        claim.evaluate(parse_values({**values, "d": 6}))


def test_the_upper_time_is_iterations_times_the_schedules_makespan():
    """The upper claims' clock is τ_g, one iteration's makespan under the schedule run (docs/theory.md §1): the time is
    the iterations times τ_g whatever τ_g is — gpipe's 2(Δ + n − 1) = 10 at Δ = 4, n = 2, or zb-h1's 2n + Δ − 1 = 7.
    AGD at β = R = 1, ε = 10⁻³: ⌈√2000⌉ − 1 = 44 iterations."""
    claim = CLAIMS["smooth-convex.agd.upper.time"]
    values = {"eps": 1e-3, "beta": 1, "R": 1}
    assert math.isqrt(2000) + 1 - 1 == 44
    assert claim.evaluate(parse_values({**values, "tau_g": 10})) == 44 * 10
    assert claim.evaluate(parse_values({**values, "tau_g": 7})) == 44 * 7
    assert claim.evaluate(parse_values({**values, "tau_g": 11})) == 44 * 11  # a larger makespan: no longer refused


def test_gd_upper_time_is_beck_teboulle():
    """GD with step 1/β: f(x_k) − f* ≤ βR²/(2k) (Beck–Teboulle 2009, Thm 3.1), so ⌈βR²/(2ε)⌉ gradients of τ_g each:
    β = R = 1, ε = 0.003, Δ = 4, n = 2 gives ⌈166.67⌉ = 167 gradients of 10 ticks."""
    iterations = math.ceil(1 / (2 * Fraction(0.003)))
    assert iterations == 167
    values = parse_values({"eps": 0.003, "beta": 1, "R": 1, "tau_g": 10})  # gpipe, Δ = 4, n = 2
    assert CLAIMS["smooth-convex.gd.upper.time"].evaluate(values) == 10 * iterations


def test_strongly_convex_agd_upper_time_is_nesterov():
    """AGD with constant momentum: f − f* ≤ (1 − 1/√κ)^k (β + μ)R²/2 (Nesterov 2004, Thm 2.2.3). β = 1, μ = 1/4:
    √κ = 2, so the smallest k with 2^−k · 5/8 ≤ ε = 0.001 is 10 (2^−9 · 5/8 ≈ 0.0012), times τ_g = 10."""
    iterations = next(j for j in range(100) if Fraction(1, 2) ** j * Fraction(5, 8) <= Fraction(0.001))
    assert iterations == 10
    values = parse_values({"eps": 0.001, "beta": 1, "mu": 0.25, "R": 1, "tau_g": 10})  # gpipe, Δ = 4, n = 2
    assert CLAIMS["strongly-convex.agd.upper.time"].evaluate(values) == 10 * iterations


def test_nonconvex_lower_time_at_a_hand_computed_point():
    """T_ε ≥ τ⌊βD_f/(1824ε²)⌋ with d ≥ that chain length (docs/theory.md §2.3): β = 1, D_f = 4788, ε = 1/2 gives
    ⌊4788/456⌋ = ⌊10.5⌋ = 10 links, τ = 4 at Δ = 2: 40; the chain of 10 links fits in d = 10, not in d = 9."""
    claim = CLAIMS["smooth-nonconvex.lower.time"]
    values = {"eps": 0.5, "beta": 1, "D_f": 4788, "depth": 2}
    assert claim.evaluate(parse_values({**values, "d": 10})) == 40
    with pytest.raises(ValueError, match="does not apply"):
        claim.evaluate(parse_values({**values, "d": 9}))
