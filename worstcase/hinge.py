"""Seeded linear SVM (hinge loss), a realistic non-smooth convex objective (not a hard instance).

f(x) = (1/m) sum_i max(0, 1 - y_i a_i^T x) with Gaussian features a_i and labels y_i = sign(a_i^T w) of
a random linear model, 20% of them flipped (the draw of logistic_regression.py). Subgradient
-(1/m) sum_{i: y_i a_i^T x < 1} y_i a_i.
Lipschitz (DERIVED, one line): every subgradient is -A^T (s * y) / m with s in [0, 1]^m, whose norm is
<= mean_i ||a_i|| (triangle inequality) and <= ||A||_2 sqrt(m) / m, so L = min(||A||_2/sqrt(m), mean_i ||a_i||).

Finite, bounded minimiser set (DERIVED, certified): an LP finds w >= 1 with r = sum_i w_i y_i a_i ~ 0. If
u has y_i a_i^T u >= 0 for all i then each y_i a_i^T u <= r^T u <= ||r|| ||u||, so ||A u|| <= sqrt(m) ||r|| ||u||;
when sqrt(m) ||r|| < sigma_min(A) this forces u = 0: no direction of recession, so the minimiser set is
bounded (f is polyhedral and >= 0, so a minimum is attained anyway). Draws that fail the certificate
(separable labels) are redrawn from the same seeded generator, at most 20 times. x* and f* come from
cvxpy + Clarabel with tight tolerances: f* to solver precision (~1e-8), not exact; radius = ||x*||.
"""
import math

import cvxpy as cp
import numpy as np
import scipy.optimize

from pplimits._util.arrays import constant, namespace
from pplimits._util.checks import UsageError

from .l1_regression import SeededNonsmooth
from .logistic_regression import _draw

_MAX_DRAWS = 20


def non_separable(features, labels) -> bool:
    """True if the Stiemke certificate above proves no u != 0 has y_i a_i^T u >= 0 for all i."""
    points, dim = features.shape
    if points <= dim:
        return False
    signed = features * labels[:, None]
    solved = scipy.optimize.linprog(np.ones(points), A_eq=signed.T, b_eq=np.zeros(dim),
                                    bounds=(1.0, None), method="highs")
    if solved.status != 0:
        return False
    residual = float(np.linalg.norm(signed.T @ solved.x))
    return math.sqrt(points) * residual < np.linalg.svd(features, compute_uv=False)[-1]


class Hinge(SeededNonsmooth):
    """The objective above with x0 = 0 (criterion: f(x) - f*)."""

    name = "hinge"

    def __init__(self, dim, points=None, seed=0):
        rng = self._start(dim, points, seed)
        for _ in range(_MAX_DRAWS):
            self.features, self.labels = _draw(rng, self.points, self.dim)
            if non_separable(self.features, self.labels):
                break
        else:
            raise UsageError(f"points must give non-separable labels: points={self.points} gave separable "
                             f"data for dim={self.dim} in {_MAX_DRAWS} draws; use more points")
        spectral = float(np.linalg.norm(self.features, 2)) / math.sqrt(self.points)
        self.lipschitz = min(spectral, float(np.mean(np.linalg.norm(self.features, axis=1))))
        signed = self.features * self.labels[:, None]
        self._solve(lambda x: cp.sum(cp.pos(1.0 - signed @ x)) / self.points)

    def value(self, x):
        """f(x) for x of shape (..., dim), returned with shape (...,)."""
        xp, x = namespace(x)
        margins = (x @ constant(xp, self.features.T, x)) * constant(xp, self.labels, x)
        return xp.mean(xp.maximum(1.0 - margins, xp.zeros_like(margins)), axis=-1)

    def gradient(self, x):
        """The subgradient -(1/m) sum over margins < 1 of y_i a_i; shape (..., dim)."""
        xp, x = namespace(x)
        labels = constant(xp, self.labels, x)
        margins = (x @ constant(xp, self.features.T, x)) * labels
        weights = -xp.astype(margins < 1.0, x.dtype) * labels / self.points
        return weights @ constant(xp, self.features, x)
