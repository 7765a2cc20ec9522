"""Performance estimation: tight worst cases where the closed form is known, exact certificates that hold
and fail where they must, the pipeline statement, and the certify command."""
import json
import math
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest

from pplimits._util.checks import UsageError
from pplimits.bounds.pep import certificate
from pplimits.bounds.pep.certificate import MARGINS, certify, ladder
from pplimits.bounds.pep.classes import LipschitzConvex, SmoothStronglyConvex
from pplimits.bounds.pep.methods import _sqrt, trace
from pplimits.bounds.pep.rational import deficit, schur_pad
from pplimits.bounds.pep.sdp import solve
from pplimits.bounds.pep.worst_case import worst_case
from pplimits.cli import main
from pplimits.experiments.pep_pipeline import STEP_GRID, stale_against_lower

SMOOTH = SmoothStronglyConvex(Fraction(1))


@pytest.mark.parametrize("n", [1, 2, 5, 10, 20])
def test_gd_worst_case_is_drori_teboulle_and_certified(n):
    """GD, step 1/L: f(x_N) − f* ≤ LR²/(4N + 2), tight (Drori & Teboulle 2014, Thm 3.1; CLASSICAL)."""
    result = worst_case("gd", "smooth-convex", n)
    assert result.worst_case == pytest.approx(1 / (4 * n + 2), rel=1e-6)
    assert result.certified and result.margin <= 1e-6
    assert Fraction(result.certified_bound) >= Fraction(1, 4 * n + 2)  # a proof can't beat the tight value


@pytest.mark.parametrize("n", [1, 4, 10])
def test_subgradient_worst_case_is_rl_over_root_n_and_certified(n):
    """Constant step R/(L√(N+1)): min_k f(x_k) − f* ≤ RL/√(N+1), tight (Drori & Teboulle 2016, Thm 2;
    CLASSICAL)."""
    result = worst_case("subgradient", "lipschitz-convex", n, {"R": "2", "L": "3"})
    assert result.worst_case == pytest.approx(6 / math.sqrt(n + 1), rel=1e-6)
    assert result.certified


def test_metamorphic_identities():
    """Stale GD with staleness 0 is GD; AGD's first step is GD's; GD's worst case falls with N (GD decreases f;
    AGD's need not); scaling R scales the smooth worst case by R²."""
    gd = worst_case("gd", "smooth-convex", 6, {"step": "1/2"}, exact=False).worst_case
    stale = worst_case("stale-gd", "smooth-convex", 6, {"step": "1/2", "staleness": "0"}, exact=False).worst_case
    assert stale == pytest.approx(gd, rel=1e-7)
    assert worst_case("agd", "smooth-convex", 1, exact=False).worst_case == pytest.approx(1 / 6, rel=1e-7)
    values = [worst_case("gd", "strongly-convex", n, {"mu": "1/20"}, exact=False).worst_case for n in (2, 4, 8)]
    assert values[0] > values[1] > values[2]
    assert worst_case("gd", "smooth-convex", 3, {"R": "3"}, exact=False).worst_case == \
        pytest.approx(9 / 14, rel=1e-6)


def test_a_bound_below_the_worst_case_is_never_certified():
    traced = trace("gd", 4, step=1)
    solution = solve(traced, SMOOTH)
    assert certify(traced, SMOOTH, solution).certified
    lowered = replace(solution, worst_case=solution.worst_case * (1 - 1e-4))  # claim something false
    found = certify(traced, SMOOTH, lowered)
    assert not found.certified and "exceeds" in found.reason


def test_a_corrupted_dual_is_not_a_certificate(monkeypatch):
    """Half of every interpolation multiplier: S loses its PSD-ness and the dual proves nothing. The deficit
    fallback re-solves the SDP at tighter tolerances (its own dual, not the one handed in): with that off the
    corrupted dual certifies nothing; with it on the true claim is certified, and a claim 1e-4 lower is not."""
    traced = trace("agd", 5, L=1)
    solution = solve(traced, SMOOTH)
    multipliers = solution.multipliers.copy()
    interpolation = [p for p, kind in enumerate(solution.rows.kinds) if kind[0] == "interpolation"]
    multipliers[interpolation] *= 0.5
    corrupted = replace(solution, multipliers=multipliers)
    assert certify(traced, SMOOTH, corrupted).certified
    assert not certify(traced, SMOOTH, replace(corrupted, worst_case=solution.worst_case * (1 - 1e-4))).certified
    monkeypatch.setattr(certificate, "REFINE", ())
    found = certify(traced, SMOOTH, corrupted)
    assert not found.certified and "exceeds" in found.reason


def test_schur_padding_is_exact():
    one = Fraction(1)
    assert schur_pad([[one, 0 * one], [0 * one, one]]) == 0
    assert schur_pad([[0 * one, one], [one, one]]) == 1  # [[p, 1], [1, 1]] ⪰ 0 iff p ≥ 1
    assert schur_pad([[one, 0 * one], [0 * one, -one]]) is None
    assert schur_pad([[one, one, 0 * one], [one, 0 * one, 0 * one], [0 * one] * 3]) is None  # zero pivot, non-zero row
    assert schur_pad([[one, 0 * one], [0 * one, 0 * one]]) == 0  # PSD and singular: a zero pivot with a zero row
    assert schur_pad([[2 * one, 0 * one, one], [0 * one, 0 * one, 0 * one], [one, 0 * one, one]]) == 0  # det 1, PSD


def test_the_deficit_is_checked_exactly_not_read_off_floats():
    """[[10²⁰, 10²⁰], [10²⁰, 10²⁰ − 1]] is the same in floats as a PSD matrix but has λ_min ≈ −1/2: the float
    estimate gives σ ≈ 0, and only the exact check raises it past 1/2."""
    big = Fraction(10**20)
    matrix = [[big, big], [big, big - 1]]
    sigma = deficit(matrix)
    assert sigma is not None and sigma >= Fraction(1, 2) and schur_pad(
        [[v + (sigma if r == c else 0) for c, v in enumerate(row)] for r, row in enumerate(matrix)]) == 0
    assert deficit([[Fraction(1), Fraction(0)], [Fraction(0), Fraction(2)]]) == Fraction(1, 10**15)  # the floor


def test_a_claim_just_below_the_tight_value_is_not_certified():
    """GD, step 1/L, N = 4: the worst case is exactly 1/(4N + 2) = 1/18 (Drori & Teboulle 2014, attained). A claim
    5·10⁻⁶ below it is false, and no accepted margin (at most 10⁻⁶) may certify it, whatever the solver said."""
    traced = trace("gd", 4, step=1)
    solution = solve(traced, SMOOTH)
    false_claim = float(Fraction(1, 18) * (1 - Fraction(5, 10**6)))
    found = certify(traced, SMOOTH, replace(solution, worst_case=false_claim))
    assert not found.certified and "exceeds" in found.reason


def test_certificates_at_radius_two_scale_by_r_squared():
    """With ‖x₀ − x*‖ ≤ R = 2 GD's worst case is R²/(4N + 2) = 4/18 (Drori & Teboulle 2014): certified there, and a
    claim 10⁻⁴ below it is not (the initial condition contributes R², not R, to the dual bound)."""
    traced = trace("gd", 4, step=1)
    solution = solve(traced, SMOOTH, 2.0)
    assert solution.worst_case == pytest.approx(4 / 18, rel=1e-6)
    found = certify(traced, SMOOTH, solution, radius=2)
    assert found.certified and found.bound >= Fraction(4, 18)
    lowered = certify(traced, SMOOTH, replace(solution, worst_case=4 / 18 * (1 - 1e-4)), radius=2)
    assert not lowered.certified


@pytest.mark.parametrize("shortfall", [1e-7, 1e-6, 2e-6, 3e-6, 4e-6, 1e-5])
def test_a_perturbed_dual_never_certifies_a_false_subgradient_claim(shortfall):
    """Soundness whatever dual is handed in: the subgradient method, M = L = 3, R = 2, N = 4, constant step
    R/(L√(N+1)), has worst case exactly RL/√(N+1) (Drori & Teboulle 2016, attained). Lower the multipliers of the rows
    ‖g_i‖² ≤ M² so that their share of the dual bound drops by `shortfall`·RL/√(N+1) in all, and claim 2·10⁻⁶ below
    the tight value: padding those rows back costs M² per unit, and no accepted margin can make the claim certified."""
    N, M, R = 4, 3, 2
    tight = R * M / math.sqrt(N + 1)
    cls = LipschitzConvex(Fraction(M))
    traced = trace("subgradient", N, step=Fraction(R) / (M * Fraction(math.sqrt(N + 1)).limit_denominator(10**6)))
    solution = solve(traced, cls, float(R))
    assert solution.worst_case == pytest.approx(tight, rel=1e-7)
    multipliers = solution.multipliers.copy()
    extra = [p for p, kind in enumerate(solution.rows.kinds) if kind[0] == "extra"]
    multipliers[extra] -= shortfall * tight / (M**2 * len(extra))
    found = certify(traced, cls, replace(solution, multipliers=multipliers, worst_case=tight * (1 - 2e-6)), R)
    assert not found.certified


def test_the_margin_ladder_stops_at_the_largest_margin_accepted():
    assert ladder(certificate.DEFAULT_MARGIN) == list(MARGINS)
    assert ladder(0) == [0] and ladder("5e-8") == [0, Fraction(1, 10**9), Fraction(1, 10**8), Fraction(5, 10**8)]
    assert ladder(Fraction(1, 10**4)) == [*MARGINS, Fraction(1, 10**4)]


def test_the_default_margin_leaves_gd_certificates_as_they_were(monkeypatch):
    """GD's duals pass the padding check: the fallback is never reached (it would raise here), and the record —
    margin, bound, reason — is the same with and without margin="1e-6" given."""
    def unreachable(*args, **kwargs):
        raise AssertionError("the deficit fallback ran")

    monkeypatch.setattr(certificate, "trace_bound", unreachable)
    for n in (1, 3, 10):
        default = worst_case("gd", "smooth-convex", n).as_dict()
        given = worst_case("gd", "smooth-convex", n, margin="1e-6").as_dict()
        assert default["certified"] and default["certificate"] == "exact LDLᵀ over ℚ: S ⪰ 0"
        assert default["margin"] in [float(m) for m in MARGINS]
        assert Fraction(default["certified_bound"]) == Fraction(default["worst_case"]) * (1 + Fraction(
            repr(default["margin"])))
        assert {**default, "seconds": 0} == {**given, "seconds": 0}


def test_a_larger_margin_certifies_what_the_default_refuses():
    """GD, N = 4: a claim 10⁻⁵ below the tight 1/18 is refused at the default margin 1e-6 and certified at 1e-4
    (then worst case × (1 + 1e-4) ≥ 1/18: still a true bound)."""
    traced = trace("gd", 4, step=1)
    solution = solve(traced, SMOOTH)
    claim = replace(solution, worst_case=float(Fraction(1, 18) * (1 - Fraction(1, 10**5))))
    assert not certify(traced, SMOOTH, claim).certified
    found = certify(traced, SMOOTH, claim, margin="1e-4")
    assert found.certified and found.margin == Fraction(1, 10**4) and found.bound >= Fraction(1, 18)


@pytest.mark.parametrize("bad", [-1, "-1e-3", 1, "1.5", "nan", "inf", "abc", True])
def test_a_bad_margin_is_a_usage_error_naming_margin(bad):
    with pytest.raises(UsageError, match="^margin must be"):
        worst_case("gd", "smooth-convex", 2, margin=bad)


def test_an_explicit_margin_bounds_the_chain_formulation_too():
    """The chain's margin is its exact bound's (rounded up); one above the margin given is refused, with both."""
    free = worst_case("gd", "smooth-convex", 30, formulation="chain")
    assert free.certified and free.margin > 1e-9
    held = worst_case("gd", "smooth-convex", 30, formulation="chain", margin="1e-9")
    assert not held.certified and "margin 1e-09" in held.certificate and "needs" in held.certificate
    assert worst_case("gd", "smooth-convex", 30, formulation="chain", margin=str(free.margin)).certified


def test_exact_square_roots_and_their_double_fallback():
    """_sqrt is exact on squares of rationals and otherwise the double's value: √(9/4) = 3/2, √(1/10) = 0.316…"""
    assert _sqrt(Fraction(9, 4)) == Fraction(3, 2)
    assert _sqrt(Fraction(1, 10)) == Fraction(math.sqrt(0.1))
    assert _sqrt(Fraction(4, 10)) == Fraction(math.sqrt(0.4))


def test_stale_gd_default_step_shrinks_with_the_staleness():
    """worst_case's documented default for stale-gd: step 1/(β(s + 1)); β = 2, s = 2 gives 1/6, s = 0 gives 1/2."""
    stale = worst_case("stale-gd", "smooth-convex", 4, {"beta": "2", "staleness": "2"}, exact=False)
    assert stale.params["step"] == "1/6"
    assert worst_case("stale-gd", "smooth-convex", 4, {"beta": "2", "staleness": "0"}, exact=False).params["step"] \
        == "1/2"


@pytest.mark.parametrize("depth, ticks", [(1, 8), (2, 16)])
def test_a_stale_gradient_pipeline_does_not_beat_the_pipelined_lower_bound(depth, ticks):
    row = stale_against_lower(depth, ticks)
    assert row["holds"] and row["stale"] >= row["lower"]
    assert Fraction(row["best_step"]) * 2 * depth not in (STEP_GRID[0], STEP_GRID[-1])  # interior optimum of the grid


def test_certify_command(capsys):
    assert main(["certify", "--method", "gd", "--class", "smooth-convex", "--iterations", "3", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert {"worst_case", "certified", "margin", "solver", "solver_status", "seconds"} <= set(result)
    assert result["solver"] == "CLARABEL" and result["certified"] is True and result["class"] == "smooth-convex"
    for argv, message in [(["--method", "gd", "--class", "lipschitz-convex"], "method gd runs on class"),
                          (["--method", "newton", "--class", "smooth-convex"], "method must be one of"),
                          (["--method", "gd", "--class", "smooth-convex", "--set", "mu=0.1"], "mu applies"),
                          (["--method", "stale-gd", "--class", "smooth-convex", "--set", "staleness=9"],
                           "staleness must be")]:
        assert main(["certify", *argv, "--iterations", "3"]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1


@pytest.mark.parametrize("n, values", [(5, {}), (20, {"step": "3/2"}), (12, {"mu": "1/10"}), (25, {"step": "1/2"})])
def test_the_chain_formulation_equals_the_full_one_for_gd(n, values):
    """Consecutive pairs on a chordal Gram matrix (a relaxation) reach the all-pairs worst case for GD."""
    function_class = "strongly-convex" if "mu" in values else "smooth-convex"
    full = worst_case("gd", function_class, n, values, exact=False).worst_case
    chain = worst_case("gd", function_class, n, values, formulation="chain")
    assert chain.worst_case == pytest.approx(full, rel=1e-6) and chain.certified


def test_the_chain_formulation_reaches_drori_teboulle_at_n_100():
    assert worst_case("gd", "smooth-convex", 100, formulation="chain").worst_case == \
        pytest.approx(1 / 402, rel=1e-6)


def test_the_chain_formulation_is_refused_where_it_is_not_tight():
    """At step 9/(5β), N = 8 the relaxation is 18 % above the all-pairs worst case: a bound, but not the worst case
    `certify` promises; steps above 3/(2β) are refused, 3/(2β) is accepted."""
    full = worst_case("gd", "smooth-convex", 8, {"step": "9/5"}, exact=False).worst_case
    with pytest.raises(UsageError, match=r"^step must be at most 3/2/beta for the chain formulation"):
        worst_case("gd", "smooth-convex", 8, {"step": "9/5"}, formulation="chain")
    assert full > 0 and worst_case("gd", "smooth-convex", 8, {"step": "3/2"}, formulation="chain").worst_case == \
        pytest.approx(worst_case("gd", "smooth-convex", 8, {"step": "3/2"}, exact=False).worst_case, rel=1e-6)


def _drori_teboulle(n: int, step: Fraction, beta=Fraction(1), radius=Fraction(1)) -> Fraction:
    """GD's tight worst case on β-smooth convex functions for steps h/β, h ≤ 3/2 (Drori & Teboulle 2014 for h ≤ 1,
    Teboulle & Vaisbourd 2023 beyond): βR²/2 · max(1/(2Nh + 1), (1 − h)^{2N})."""
    h = step * beta
    return beta * radius**2 / 2 * max(1 / (2 * n * h + 1), (1 - h) ** (2 * n))


@pytest.mark.parametrize("n, step, beta, radius", [
    (1, "1/10", 1, 1), (20, "1/100", 1, 1), (20, "1/10", 1, 1), (100, "1", 1, 1), (60, "3/2", 1, 1),
    (20, "1/3", 3, 2), (7, "1/2", 1, 5),
])
def test_the_chain_value_carries_its_solver_error_outward(n, step, beta, radius):
    """The solver's value lands below the worst case (by 3.9e-7 relative at step 1/100, N = 20; at step 1/10,
    N = 1 Clarabel's tight tolerances fail): what is reported is the exact dual bound, never below the closed
    form, and within 1e-5 of it."""
    values = {"step": step, "beta": str(beta), "R": str(radius)}
    chain = worst_case("gd", "smooth-convex", n, values, formulation="chain")
    truth = _drori_teboulle(n, Fraction(step), Fraction(beta), Fraction(radius))
    assert chain.certified and Fraction(chain.certified_bound) >= truth
    assert Fraction(chain.certified_bound) <= truth * (1 + Fraction(1, 10**5))
    assert Fraction(chain.certified_bound) == Fraction(chain.worst_case) * (1 + Fraction(repr(chain.margin)))
    from pplimits.bounds.pep.chain import solve_chain  # the margin is rounded up: never below the exact bound

    exact_bound = solve_chain(trace("gd", n, mu=Fraction(0), step=Fraction(step)), SmoothStronglyConvex(Fraction(beta)),
                              Fraction(radius))["exact_bound"]
    assert exact_bound <= Fraction(chain.certified_bound) <= exact_bound * (1 + Fraction(1, 10))


def test_any_dual_gives_the_chain_an_upper_bound():
    """certify_chain's bound holds for every λ ≥ 0 and ν, not only the solver's: halved, perturbed or zeroed
    equality multipliers give bounds that are worse but never below the worst case."""
    from pplimits.bounds.pep.chain import certify_chain, chain_rows, solve_chain

    traced = trace("gd", 6, mu=Fraction(0), step=Fraction(1))
    rows = chain_rows(traced, SMOOTH, 1)
    truth = _drori_teboulle(6, Fraction(1))
    rng = np.random.default_rng(0)
    captured = {}
    original = certify_chain

    def keep(chain, lam, nu):
        captured.update(lam=lam, nu=nu)
        return original(chain, lam, nu)

    import pplimits.bounds.pep.chain as module
    module.certify_chain = keep
    try:
        solve_chain(traced, SMOOTH, 1)
    finally:
        module.certify_chain = original
    lam, nu = captured["lam"], captured["nu"]
    performance_only = np.array([float(row.c) for row in rows.rows])  # Σλd = 0 must be restored for this one
    for changed_lam, changed_nu in [(lam, nu), (lam * 0.5, nu), (lam * 0.5, nu * 0.5), (lam, 0 * nu),
                                    (performance_only, 0 * nu),
                                    *((lam * rng.uniform(0.9, 1.1, lam.shape), nu + rng.normal(0, 1e-3, nu.shape))
                                      for _ in range(5))]:
        assert certify_chain(rows, changed_lam, changed_nu) >= truth


@pytest.mark.parametrize("beta, mu, step", [(1, "0", "1/1000"), (1, "0", "3/2"), (1, "1/2", "3/2"), (1, "1/10", "1"),
                                            (3, "0", "1/3000"), (3, "1", "1/2")])
def test_the_chain_trace_bound_holds_for_quadratics_in_the_class(beta, mu, step):
    """tr(Y_i) = ‖p_i‖² + ‖u_i‖² + ‖u_{i+1}‖² for f = (λ/2)‖x‖², λ ∈ {μ, β} (in the class; u = (λ − μ)x, so
    p_{i+1} = (1 − γλ)p_i), is at most the bound the rows imply — and at a tiny step, λ = β, block 0 nearly
    attains it: R²(1 + 2β²)."""
    from pplimits.bounds.pep.chain import chain_rows

    beta, mu, step, radius, n = Fraction(beta), Fraction(mu), Fraction(step), Fraction(2), 8
    bound = chain_rows(trace("gd", n, mu=mu, step=step), SmoothStronglyConvex(beta, mu), radius).trace_bound
    for curvature in (mu, beta):
        points = [radius**2 * (1 - step * curvature) ** (2 * i) for i in range(n + 1)]  # ‖p_i‖²
        gradients = [(curvature - mu) ** 2 * q for q in points]
        for i in range(n):
            assert points[i] + gradients[i] + gradients[i + 1] <= bound[i], (curvature, i)
    if step * beta < Fraction(1, 100):
        assert bound[0] == radius**2 * (1 + 2 * beta**2)
        assert points[0] + gradients[0] + gradients[1] >= bound[0] * Fraction(99, 100)


def test_the_chain_formulation_refuses_other_methods():
    """gd and agd only, agd on smooth-convex only (with constant momentum on strongly-convex it is not tight)."""
    with pytest.raises(ValueError, match="chain formulation is for methods gd and agd, not stale-gd"):
        worst_case("stale-gd", "smooth-convex", 3, formulation="chain")
    with pytest.raises(ValueError, match="chain formulation is for agd on smooth-convex .* not strongly-convex"):
        worst_case("agd", "strongly-convex", 3, formulation="chain")


def test_certified_status_needs_every_check_certified():
    from pplimits.bounds.registry import registry
    from pplimits.reports.report import claim_status

    claim = registry()["smooth-convex.gd.upper.tight"]
    yes, no = {"passed": True, "certified": True}, {"passed": True, "certified": False}
    assert claim_status(claim, [yes, yes]) == "certified (exact)"
    assert claim_status(claim, [yes, no]) == "verified (exact certificate failed for 1 of 2)"
    assert claim_status(claim, [yes, {"passed": False, "certified": True}]) == "violated"


@pytest.mark.parametrize("step, code", [("1", 1), ("10", 2)])
def test_a_solver_failure_is_bad_input_only_where_the_step_explains_it(monkeypatch, capsys, step, code):
    """Clarabel giving up at step 10/β (the worst case grows like 9^{2N}) is the input's doing: exit 2 naming step.
    The same failure at step 1/β is pplimits' limit, not the user's: exit 1, reported as an internal error."""
    import pplimits.bounds.pep.worst_case as module
    from pplimits.bounds.pep.sdp import SolverFailure

    def fail(*args, **kwargs):
        raise SolverFailure("Clarabel ended 'user_limit'")

    monkeypatch.setattr(module, "solve", fail)
    assert main(["certify", "--method", "gd", "--class", "smooth-convex", "--iterations", "3", "--set",
                 f"step={step}"]) == code
    err = capsys.readouterr().err
    assert ("step 10 is above 2/beta" in err) if code == 2 else ("internal error" in err and "user_limit" in err)
