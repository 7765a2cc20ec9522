"""Exact worst cases for a user's own method (issue 14, item 2, first part): `certify --method PACKAGE.MODULE:NAME`
traces NAME(x0, gradient, iterations, **constants), written like a PEPit example, into the same PEP."""
import math
import textwrap
from fractions import Fraction

import pytest

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


@pytest.mark.parametrize("n", [2, 4])
def test_ogm_is_certified_where_the_dual_allows_it(module, n):
    """At β = R = 1 the exact certificate holds for N = 2 and 4 and is never below the closed form. (At N = 8, or
    at β = 2, R = 3 beyond N = 1, the rounded dual is not PSD: the robust certificate is issue 14's next part.)"""
    found = worst_case(f"{module}:ogm", "smooth-convex", n, {})
    truth = Fraction(1, 2) / Fraction(_theta(n) ** 2)
    assert found.certified and Fraction(found.certified_bound) >= truth * (1 - Fraction(1, 10**8))


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
