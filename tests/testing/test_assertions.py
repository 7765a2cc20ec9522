"""pplimits.testing's assertions (issue 14, item 3, first part): they pass on correct methods, fail with a
message naming the instance, time or N, value and bound on broken ones, and never pass vacuously."""
import numpy as np
import pytest

from pplimits._util.checks import UsageError
from pplimits.testing import assert_respects_lower_bound, assert_within_upper_bound, assert_worst_case_at_most
from pplimits.worstcase import NesterovChain
from tests.doubles import GradientStep as _GD


class _Cheater(_GD):
    """Says it is zero-respecting but jumps to the chain's minimiser (which it was told): it beats the span bound."""

    def __init__(self, beta, dim):
        super().__init__(beta)
        self.target = NesterovChain(dim=dim).x_star

    def update(self, x, gradients):
        return np.broadcast_to(self.target, x.shape).copy()


def cheater(beta, dim):
    return _Cheater(beta, dim)


def test_correct_methods_pass():
    assert_respects_lower_bound("gd")
    assert_respects_lower_bound("agd")
    assert_respects_lower_bound(_GD)  # a class is a factory: called with the constants it names (beta)
    assert_within_upper_bound(_GD, lambda k, c: c["beta"] * c["R"] ** 2 / (4 * k + 2), iterations=300)
    assert_worst_case_at_most("gd", lambda n: 1 / (4 * n + 2), iterations=range(1, 6), certified=True)


def test_a_method_that_beats_the_span_bound_fails_with_where_and_by_how_much():
    with pytest.raises(AssertionError, match=r"^cheater on nesterov-chain \(d = 121\) at depth 4: at t = 8 "
                                             r"\(iteration 1, run 0\) gap = \S+ is below the span lower bound "
                                             r"E\(⌊t/τ⌋\) = 0.0614754 by 100.00%$"):
        assert_respects_lower_bound(cheater)


def test_registered_gap_at_time_claims_as_bounds():
    """GD and FISTA keep their registered bounds on the gap at clock time t; GD does not keep AGD's (it leaves it
    at iteration 92 on this chain), and the message says where; a lower bound is not accepted as one."""
    assert_within_upper_bound("gd", "smooth-convex.gd.upper.gap-at-time", iterations=300)
    assert_within_upper_bound("agd", "smooth-convex.agd.upper.gap-at-time", iterations=300)
    with pytest.raises(AssertionError, match=r"gd on nesterov-chain .* after iteration \d+ \(t = \d+\) gap = .* "
                                             r"exceeds the bound"):
        assert_within_upper_bound("gd", "smooth-convex.agd.upper.gap-at-time", iterations=300)
    with pytest.raises(AssertionError, match="is not a registered upper bound on the gap at time t"):
        assert_within_upper_bound("gd", "smooth-convex.lower.gap-at-time", iterations=10)


def test_a_method_over_its_upper_bound_fails_with_the_iteration_and_the_excess():
    """GD at step 2.5/β diverges on Nesterov's chain: it leaves βR²/(4k + 2) early, and the message says when."""
    with pytest.raises(AssertionError, match=r"after iteration \d+ \(t = \d+\) gap = .* exceeds the bound .* by"):
        assert_within_upper_bound(lambda beta: _GD(beta, 2.5), lambda k, c: c["beta"] * c["R"] ** 2 / (4 * k + 2),
                                  iterations=300)


def test_a_worst_case_over_the_bound_or_uncertified_fails():
    """GD's N = 3 worst case is 1/14 (Drori–Teboulle), 14.3 % over 1/16; at N = 60 no certificate is attempted."""
    with pytest.raises(AssertionError, match=r"gd on smooth-convex, N = 3: worst case 0.07142857\d* exceeds the "
                                             r"bound 0.0625 by 14.286%"):
        assert_worst_case_at_most("gd", lambda n: 1 / (4 * n + 4), iterations=3)
    with pytest.raises(AssertionError, match=r"N = 60: worst case .* is not certified exactly \(not attempted"):
        assert_worst_case_at_most("gd", 1, iterations=60, certified=True)
    assert_worst_case_at_most("gd", lambda n: 1 / (4 * n + 2), iterations=3, certified=True, margin="1e-4")
    with pytest.raises(UsageError, match=r"^margin must be a number in \[0, 1\), got 2$"):
        assert_worst_case_at_most("gd", 1, iterations=3, certified=True, margin=2)


@pytest.mark.parametrize("call, reason", [
    (lambda: assert_within_upper_bound("gd", lambda k, c: 1, iterations=0), "nothing to check"),
    (lambda: assert_worst_case_at_most("gd", 1, iterations=[]), "nothing to check"),
    (lambda: assert_respects_lower_bound("pprs", instance="max-function-lipschitz", eps=0.05),
     "does not declare span_method = True"),
    (lambda: assert_respects_lower_bound(lambda beta: _GD(beta, 1e-6)), "never reached ε"),
    (lambda: assert_within_upper_bound(lambda beta: _GD(beta, 40.0), lambda k, c: 1e300, iterations=400),
     "not finite"),
], ids=["no-iterations", "no-N", "not-span", "never-reaches-eps", "diverges"])
def test_nothing_passes_vacuously(call, reason):
    with pytest.raises(AssertionError, match=reason):
        call()
