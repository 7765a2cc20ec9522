"""Summaries over independent seeds."""
import math

import numpy as np
from scipy import stats


def student_ci95(values, axis: int = 0):
    """Half-width of the two-sided 95 % Student-t interval of the mean along `axis` (None for a single seed)."""
    values = np.asarray(values, dtype=np.float64)
    count = values.shape[axis]
    if count < 2:
        return None
    return stats.t.ppf(0.975, count - 1) * values.std(axis=axis, ddof=1) / math.sqrt(count)
