"""tinyopt's methods keep their published guarantees, checked with pplimits.testing (a test dependency only):
on pplimits' hard instances through its pipeline clock, and exactly over the whole smooth convex class."""
import numpy as np
import pytest
from hypothesis import given, settings
from pplimits.testing import assert_respects_lower_bound, assert_within_upper_bound, assert_worst_case_at_most
from pplimits.testing.strategies import hard_cases

import tinyopt
from guarantees import agd_rate, agd_worst_case, ogm_rate, ogm_worst_case

N = range(1, 9)  # exact worst cases for N ≤ 8: a second or two each


@pytest.mark.parametrize("method", [tinyopt.AGD, tinyopt.OGM])
def test_never_beats_the_span_lower_bound(method):
    """Zero-respecting (span_method = True): no method of the kind may beat the rounds lemma on the chain."""
    assert_respects_lower_bound(method, instance="nesterov-chain", depth=4, eps=1e-3)


@settings(max_examples=6, deadline=None, derandomize=True)
@given(hard_cases(settings=("smooth-convex", "strongly-convex")))
def test_never_beats_the_span_lower_bound_on_drawn_hard_cases(case):
    for method in (tinyopt.AGD, tinyopt.OGM):
        assert_respects_lower_bound(method, instance=case.name, eps=case.eps, depth=3)


def test_agd_keeps_its_rate_on_the_chain():
    assert_within_upper_bound(tinyopt.AGD, agd_rate, iterations=300)
    assert_within_upper_bound(tinyopt.AGD, "smooth-convex.agd.upper.gap-at-time", iterations=300)


def test_ogm_keeps_its_rate_on_the_chain():
    """OGM's iterate is its primary sequence y_k (N unknown to the runner): βR²/(4θ_{k−1}²) ≤ βR²/(k + 1)²,
    half of AGD's bound, and so AGD's registered bound too."""
    assert_within_upper_bound(tinyopt.OGM, ogm_rate, iterations=300)
    assert_within_upper_bound(tinyopt.OGM, "smooth-convex.agd.upper.gap-at-time", iterations=300)


def test_agd_worst_case_is_within_beck_and_teboulle():
    """Certified exactly (a rational dual certificate) for every N ≤ 8."""
    assert_worst_case_at_most("tinyopt.agd:agd", agd_worst_case, iterations=N, certified=True)


def test_ogm_worst_case_is_kim_and_fesslers_bound():
    """The bound is tight: met with equality up to the solver's accuracy, here at β = 2, R = 3."""
    assert_worst_case_at_most("tinyopt.ogm:ogm", lambda n: ogm_worst_case(n, beta=2, radius=3), iterations=N,
                              beta=2, R=3)


def test_ogm_worst_case_is_certified_exactly_where_the_dual_allows():
    assert_worst_case_at_most("tinyopt.ogm:ogm", ogm_worst_case, iterations=[2, 4], certified=True)


def test_one_implementation_runs_on_arrays():
    """The code the tests trace is the code a user runs: on a least-squares problem given as numpy arrays, both
    methods end within their worst-case bounds (f* = 0, R = ‖x_0 − x*‖)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((30, 10))
    x_star = rng.standard_normal(10)
    b = a @ x_star
    beta, radius, n = np.linalg.norm(a, 2) ** 2, np.linalg.norm(x_star), 50
    f = lambda x: np.sum((a @ x - b) ** 2) / 2  # noqa: E731
    for method, bound in ((tinyopt.AGD(beta), agd_worst_case), (tinyopt.OGM(beta, iterations=n), ogm_worst_case)):
        x = tinyopt.minimise(method, np.zeros(10), lambda x: a.T @ (a @ x - b), n)
        assert 0 < f(x) <= bound(n, beta, radius)
