"""Each plausible slip in AGD (tests/bugs.py) is caught by at least one of the assertions tinyopt's own tests
use, each by the same assertions every run (the table in README.md), while the correct AGD passes them all."""
import pytest
from pplimits.testing import assert_respects_lower_bound, assert_within_upper_bound, assert_worst_case_at_most

import bugs
import tinyopt
from guarantees import agd_rate, agd_worst_case

N = range(1, 9)

# check -> the assertion on (the method class, its traced function's import path), as tinyopt's tests use it:
# the span lower bound on Nesterov's chain; 2βR²/(k+1)², then the registered claim of AGD's gap at clock time t, on
# the chain for 300 iterations; the exact worst case over the smooth convex class for N = 1…8 (β = R = 1) against
# Beck–Teboulle's βR²/(2t_N²), then against its rounded form 2βR²/(N+1)²
CHECKS = {
    "span-lower-bound": lambda cls, path: assert_respects_lower_bound(cls),
    "chain-rate": lambda cls, path: assert_within_upper_bound(cls, agd_rate, iterations=300),
    "chain-claim": lambda cls, path: assert_within_upper_bound(
        cls, "smooth-convex.agd.upper.gap-at-time", iterations=300),
    "worst-case-bt": lambda cls, path: assert_worst_case_at_most(path, agd_worst_case, iterations=N),
    "worst-case-rate": lambda cls, path: assert_worst_case_at_most(path, lambda n: 2 / (n + 1) ** 2, iterations=N),
}
MESSAGE = {"span-lower-bound": "below the span lower bound"}  # the others: "exceeds the bound"

# bug -> the checks that fail on it (README.md's table)
CAUGHT = {
    "half-step": {"worst-case-bt", "worst-case-rate"},
    "lagging-momentum": {"worst-case-bt"},
    "no-momentum": {"chain-rate", "chain-claim", "worst-case-bt", "worst-case-rate"},
    "fixed-momentum": {"worst-case-bt", "worst-case-rate"},
}


def test_every_bug_is_caught_by_some_check():
    assert set(CAUGHT) == set(bugs.BUGS) and all(CAUGHT.values())


@pytest.mark.parametrize("check", CHECKS)
def test_the_correct_agd_passes_every_check(check):
    CHECKS[check](tinyopt.AGD, "tinyopt.agd:agd")


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("bug", bugs.BUGS)
def test_each_bug_is_caught_by_the_checks_of_the_table(bug, check):
    run = lambda: CHECKS[check](bugs.BUGS[bug], f"bugs:{bug.replace('-', '_')}")  # noqa: E731
    if check in CAUGHT[bug]:
        with pytest.raises(AssertionError, match=MESSAGE.get(check, "exceeds the bound")):
            run()
    else:
        run()


@pytest.mark.parametrize("check", CHECKS)
def test_a_leading_momentum_passes_every_check(check):
    """Not every slip is a bug a bound can see: a momentum read one index ahead is still accelerated (its exact
    worst case is below the correct AGD's for N ≤ 8), so it passes — a limit of checking against bounds."""
    CHECKS[check](bugs.LeadingMomentum, "bugs:leading_momentum")
