"""algorithms/statistics.py: the 95 % Student-t half-width, against a hand computation with the textbook quantile."""
import math

import numpy as np
import pytest

from pplimits.algorithms.statistics import student_ci95

T_975_DF3 = 3.182446  # t_{0.975, 3}, the two-sided 95 % quantile with 3 degrees of freedom (any t table: 3.182)


def test_half_width_of_four_seeds_by_hand():
    """1, 2, 3, 4: mean 2.5, sample variance Σ(x − 2.5)²/(n − 1) = 5/3, half-width t_{0.975,3}·√(5/3)/√4."""
    assert student_ci95([1.0, 2.0, 3.0, 4.0]) == pytest.approx(T_975_DF3 * math.sqrt(5 / 3) / 2, rel=1e-6)
    rows = student_ci95(np.array([[1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0]]), axis=1)
    np.testing.assert_allclose(rows, [T_975_DF3 * math.sqrt(5 / 3) / 2, T_975_DF3 * math.sqrt(20 / 3) / 2], rtol=1e-6)


def test_a_single_seed_has_no_interval():
    assert student_ci95([0.3]) is None
