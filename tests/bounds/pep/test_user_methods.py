"""Exact worst cases for a user's own method (issue 14, item 2, first part): `certify --method PACKAGE.MODULE:NAME`
traces NAME(x0, gradient, iterations, **constants), written like a PEPit example, into the same PEP."""
import math
import textwrap
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest

from pplimits.bounds.pep import certificate
from pplimits.bounds.pep.certificate import certify, trace_bound
from pplimits.bounds.pep.classes import SmoothStronglyConvex
from pplimits.bounds.pep.sdp import solve, solve_trace
from pplimits.bounds.pep.user import trace_user
from pplimits.bounds.pep.worst_case import worst_case
from pplimits.cli import main
from tests import doubles

SOURCE = textwrap.dedent('''
    import math


    def gd(x0, gradient, iterations, beta, step=1):
        x = x0
        for _ in range(iterations):
            x = x - step / beta * gradient(x)
        return x


    def ogm(x0, gradient, iterations, beta):
        """Kim & Fessler 2016, with the last step's θ_N."""
        x = y = x0
        theta = 1.0
        for k in range(iterations):
            y_next = x - gradient(x) / beta
            last = k == iterations - 1
            theta_next = (1 + math.sqrt(1 + (8 if last else 4) * theta**2)) / 2
            x = y_next + (theta - 1) / theta_next * (y_next - y) + theta / theta_next * (y_next - x)
            y, theta = y_next, theta_next
        return x


    def subgradient(x0, gradient, iterations, L, R):
        step = R / (L * math.sqrt(iterations + 1))
        points = [x0]
        for _ in range(iterations):
            points.append(points[-1] - step * gradient(points[-1]))
        return points


    def squares(x0, gradient, iterations, beta):
        return x0 * x0


    def a_number(x0, gradient, iterations, beta):
        return 1.0


    def wrong_signature(x, g, n):
        return x
''')


@pytest.fixture
def module(tmp_path, monkeypatch):
    yield from doubles.user_module(tmp_path, monkeypatch, SOURCE, "user_pep")


def _theta(n: int) -> float:
    theta = 1.0
    for k in range(n):
        theta = (1 + math.sqrt(1 + (8 if k == n - 1 else 4) * theta**2)) / 2
    return theta


def test_a_users_gd_has_the_built_in_worst_case_certified(module):
    for n, step in ((5, "1"), (7, "3/2")):
        mine = worst_case(f"{module}:gd", "smooth-convex", n, {"step": step})
        builtin = worst_case("gd", "smooth-convex", n, {"step": step})
        assert mine.certified and mine.worst_case == pytest.approx(builtin.worst_case, rel=1e-12)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 8])
def test_ogm_reaches_kim_and_fesslers_bound(module, n):
    """OGM's tight worst case is βR²/(2θ_N²) (Kim & Fessler 2016, Thm 2), here at β = 2, R = 3."""
    found = worst_case(f"{module}:ogm", "smooth-convex", n, {"beta": "2", "R": "3"}, exact=False)
    assert found.worst_case == pytest.approx(2 * 9 / (2 * _theta(n) ** 2), rel=1e-6)


@pytest.mark.parametrize("values", [{}, {"beta": "2", "R": "3"}], ids=["beta=R=1", "beta=2,R=3"])
@pytest.mark.parametrize("n", range(1, 21))
def test_ogm_is_certified_exactly_and_never_below_kim_and_fessler(module, n, values):
    """OGM is certified at every N ≤ 20, at β = R = 1 and at β = 2, R = 3, with the default margin (≤ 1e-6), and
    the certified bound is never below the closed form βR²/(2θ_N²) (θ_N in floats: relative slack 1e-9). Its
    dual S is rank-deficient (OGM's proof leaves one square), so the rounded S is indefinite beyond e₀ for most N:
    these are the deficit fallback's (bᵀλ + σT) certificates."""
    found = worst_case(f"{module}:ogm", "smooth-convex", n, values)
    beta, radius = Fraction(values.get("beta", 1)), Fraction(values.get("R", 1))
    truth = beta * radius**2 / 2 / Fraction(_theta(n) ** 2)
    assert found.certified and found.margin <= 1e-6, found.certificate
    assert Fraction(found.certified_bound) >= truth * (1 - Fraction(1, 10**9))


def _ogm_solved(module, n, beta, radius):
    cls = SmoothStronglyConvex(Fraction(beta), 0)
    traced = trace_user(f"{module}:ogm", n, 0, {"beta": Fraction(beta), "R": Fraction(radius)})
    return traced, cls, solve(traced, cls, float(radius))


@pytest.mark.parametrize("n, beta, radius", [(8, 1, 1), (12, 2, 3)])
def test_the_deficit_fallback_never_certifies_a_false_claim(module, n, beta, radius):
    """OGM's duals need the fallback (bᵀλ + σT) here. A claim 10⁻³ below the solver's worst case (false: the
    closed form is within 1e-7 of it) is refused even at margin 10⁻⁴, and the reason gives the exact bound and
    the step that fell short; the true claim is certified at the default margin."""
    traced, cls, solution = _ogm_solved(module, n, beta, radius)
    assert certify(traced, cls, solution, radius).certified
    lowered = replace(solution, worst_case=solution.worst_case * (1 - 1e-3))
    found = certify(traced, cls, lowered, radius, margin=Fraction(1, 10**4))
    assert not found.certified and found.bound is None
    assert "bᵀλ + σT" in found.reason and "exceeds the worst case" in found.reason and "0.0001" in found.reason


@pytest.mark.parametrize("n, beta, radius", [(3, 1, 1), (10, 2, 3)])
def test_the_trace_bound_bounds_every_feasible_gram_matrix(module, n, beta, radius):
    """T ≥ tr(G) for the worst case's G, and ≥ the largest trace the auxiliary SDP finds (T is about twice it:
    the dual is doubled so that its slack absorbs the rounding)."""
    traced, cls, solution = _ogm_solved(module, n, beta, radius)
    bound, how = trace_bound(traced, cls, radius)
    assert bound is not None, how
    largest = solve_trace(traced, cls, float(radius)).value
    assert np.trace(solution.gram) <= largest * (1 + 1e-6) and largest <= bound <= 2.01 * largest
    assert bound >= radius**2  # ‖x₀ − x*‖² alone can be R²


def test_a_dual_short_of_psd_pays_for_its_deficit(module, monkeypatch):
    """OGM, N = 8: the initial-condition multiplier cut by 10⁻³ puts bᵀλ 10⁻³ below the worst case and leaves S
    indefinite. With the re-solves off only σT stands between that dual and a claim 10⁻⁴ low: refused."""
    traced, cls, solution = _ogm_solved(module, 8, 1, 1)
    multipliers = solution.multipliers.copy()
    multipliers[solution.rows.kinds.index(("initial",))] *= 1 - 1e-3
    monkeypatch.setattr(certificate, "REFINE", ())
    lowered = replace(solution, multipliers=multipliers, worst_case=solution.worst_case * (1 - 1e-4))
    found = certify(traced, cls, lowered)
    assert not found.certified and "bᵀλ + σT" in found.reason


def test_a_trace_dual_short_of_the_identity_is_refused(module, monkeypatch):
    """A quarter of the trace SDP's dual, doubled, is half of it: Σμ_p A_p − I is not PSD, so no T."""
    traced, cls, _ = _ogm_solved(module, 4, 1, 1)

    def quartered(*args):
        found = solve_trace(*args)
        return replace(found, multipliers=found.multipliers / 4)

    monkeypatch.setattr(certificate, "solve_trace", quartered)
    bound, how = trace_bound(traced, cls, 1)
    assert bound is None and "Σμ_p A_p − I ⪰ 0" in how


def test_a_user_method_returning_points_is_measured_at_its_best(module):
    """A list of points counts its best value: the user's subgradient method is the built-in one (min over
    x_0 … x_N) on the Lipschitz class."""
    mine = worst_case(f"{module}:subgradient", "lipschitz-convex", 4, {"L": "2"})
    builtin = worst_case("subgradient", "lipschitz-convex", 4, {"L": "2", "step": str(1 / (2 * math.sqrt(5)))})
    assert mine.worst_case == pytest.approx(builtin.worst_case, rel=1e-9)


@pytest.mark.parametrize("name, extra, message", [
    ("squares", (), "failed when traced"),
    ("a_number", (), "must return the output point"),
    ("wrong_signature", (), "must take (x0, gradient, iterations, ...) first"),
    ("gd", ("--set", "momentum=1"), "unknown parameter 'momentum'"),
    ("missing", (), "has no 'missing'"),
])
def test_a_bad_user_method_is_one_line_naming_it(module, capsys, name, extra, message):
    code = main(["certify", "--method", f"{module}:{name}", "--class", "smooth-convex", "--iterations", "3", *extra])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1, err


def test_a_function_given_itself_is_traced_like_its_import_path(module):
    """The function object, not only PACKAGE.MODULE:NAME: same worst case, named MODULE:QUALNAME."""
    from pplimits._util.imports import import_object

    function = import_object(f"{module}:gd")
    by_object = worst_case(function, "smooth-convex", 3, {"step": "1"}, exact=False)
    by_path = worst_case(f"{module}:gd", "smooth-convex", 3, {"step": "1"}, exact=False)
    assert by_object.worst_case == by_path.worst_case and by_object.method == f"{module}:gd"
