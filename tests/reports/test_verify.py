"""reports/verify.py: its statistics (Maurer & Pontil's empirical-Bernstein margin, the clipped mean check of
Theorem D, MIN_RUNS) and its pointwise checks (the rounds lemma), against numbers computed by hand here."""
import math

import numpy as np
import pytest

from pplimits.algorithms.clock import PipelineModel
from pplimits.algorithms.runner import Run
from pplimits.experiments.measure import bound_values
from pplimits.reports.verify import (
    FAILURE,
    MIN_RUNS,
    POWER,
    detectable_mean,
    empirical_bernstein_margin,
    mean_check,
    pointwise_checks,
)
from pplimits.worstcase import NesterovChain


def test_the_bernstein_margin_of_five_values_by_hand():
    """Maurer & Pontil 2009, Thm 4 on [0, M]: s = √(2V ln(2/δ)/n) + 7M ln(2/δ)/(3(n − 1)), V the sample variance.
    0, 1, 0, 1, 1: mean 0.6, V = (2·0.6² + 3·0.4²)/4 = 0.3; M = 1, δ = 0.1, n = 5."""
    log = math.log(20)
    expected = math.sqrt(2 * 0.3 * log / 5) + 7 * log / (3 * 4)
    assert empirical_bernstein_margin([0.0, 1.0, 0.0, 1.0, 1.0], 1.0, 0.1) == pytest.approx(expected, rel=1e-12)
    # values and range scaled by 4: V by 16, so both terms, and the margin, by 4
    assert empirical_bernstein_margin([0.0, 4.0, 0.0, 4.0, 4.0], 4.0, 0.1) == pytest.approx(4 * expected, rel=1e-12)
    # constant values: no variance term, only the range term
    assert empirical_bernstein_margin([0.5] * 5, 2.0, 0.1) == pytest.approx(7 * 2.0 * log / 12, rel=1e-12)


def test_the_mean_check_reads_gaps_clipped_at_2b_with_range_2b():
    """B = 0.5: gaps 0, 0.2, 3.0, 0.4 clip to 0, 0.2, 1.0, 0.4 (mean 0.4, sample variance 0.56/3), range 2B = 1."""
    statistic, threshold = mean_check([0.0, 0.2, 3.0, 0.4], 0.5)
    log = math.log(2 / FAILURE)
    assert statistic == pytest.approx(0.4, rel=1e-12)
    assert threshold == pytest.approx(0.5 + math.sqrt(2 * (0.56 / 3) * log / 4) + 7 * 1.0 * log / 9, rel=1e-12)


def _range_terms(runs):
    """detectable_mean − B in units of B: Maurer & Pontil's range term at range 2B, at δ = 1e-6 and δ = 1 − 0.99."""
    return sum(7 * 2 * math.log(2 / delta) / (3 * (runs - 1)) for delta in (1e-6, 0.01))


def test_detectable_mean_and_min_runs_by_hand():
    """detectable_mean(B, n) = B(1 + Σ_δ 14 ln(2/δ)/(3(n − 1))); MIN_RUNS is the fewest runs with it below 2B."""
    assert (FAILURE, POWER) == (1e-6, 0.99)
    for runs in (94, 256, 1024):
        assert detectable_mean(0.05, runs) == pytest.approx(0.05 * (1 + _range_terms(runs)), rel=1e-12)
    fewest = next(n for n in range(2, 10_000) if 1 + _range_terms(n) < 2)
    assert MIN_RUNS == fewest == 94
    assert detectable_mean(1.0, MIN_RUNS) < 2.0 <= detectable_mean(1.0, MIN_RUNS - 1)


def _chain_gap(k, beta=1.0, m=10):
    """Nesterov's chain of length m: E(k) = (β/8)(1/(k + 1) − 1/(m + 1)) for k < m (docs/theory.md §2.1)."""
    return beta / 8 * (1 / (k + 1) - 1 / (m + 1))


@pytest.mark.parametrize("offset, passed", [(0.0, True), (-1e-4, False)])
def test_the_span_bound_at_time_t_is_read_at_floor_t_over_tau(offset, passed):
    """The rounds lemma: at clock time t a span method has done at most ⌊t/τ⌋ rounds, so f − f* ≥ E(⌊t/τ⌋). τ = 6
    (Δ = 3); at t = 11, ⌊11/6⌋ = 1 (not ⌈11/6⌉ = 2): a value E(1) passes and a value just below it fails."""
    chain, model = NesterovChain(dim=10), PipelineModel(depth=3)
    times = np.array([0, 5, 6, 11, 13])
    rounds = [0, 0, 1, 1, 2]  # ⌊t/6⌋
    values = np.array([[_chain_gap(k) + 1e-3 for k in rounds]])
    values[0, 3] = _chain_gap(1) + offset
    trace = Run("none", chain.name, "gap", times, values, 1)
    (check,) = pointwise_checks("tag", chain, trace, model, {})
    assert check.kind == "lower" and check.passed is passed
    assert check.measured == values[0, 3] and check.bound == pytest.approx(_chain_gap(1), rel=1e-12)


def test_the_pointwise_upper_check_reads_the_worst_run():
    """GD's gap-at-time claim βR²/(2⌊t/τ_g⌋): one of two runs exceeds it twice over at its 3rd iteration; the check
    must fail there and report that run's value."""
    chain, model = NesterovChain(dim=10), PipelineModel(depth=3)
    tau_g = 2 * 3  # 2(Δ + n − 1)
    times = tau_g * np.arange(6)
    upper = np.array([math.inf] + [chain.radius**2 / (2 * k) for k in range(1, 6)])  # β = 1
    values = np.vstack([0.1 * upper, 0.1 * upper])
    values[:, 0] = chain.f0 - chain.f_star
    values[1, 3] = 2 * upper[3]
    trace = Run("gd", chain.name, "gap", times, values, 1)
    checks = {c.kind: c for c in pointwise_checks("tag", chain, trace, model, bound_values(chain, model, 0.01))}
    upper_check = checks["upper"]
    assert not upper_check.passed
    assert upper_check.measured == 2 * upper[3] and upper_check.bound == pytest.approx(upper[3], rel=1e-12)
