"""Seeded minimax (Chebyshev) regression, a realistic non-smooth convex objective (not a hard instance).

f(x) = ||A x - b||_inf with Gaussian features A (m x d) and targets b = A x_true + Student-t(2) noise
(the draw of l1_regression.py). Subgradient sign(r_{i*}) a_{i*}, r = A x - b, i* the first maximiser
of |r_i|.
Lipschitz (DERIVED, one line): f is the max of the 2m affine functions +-(a_i^T x - b_i), each
||a_i||-Lipschitz, so L = max_i ||a_i|| on all of R^d (attained far along the longest row).

f is polyhedral and >= 0, so its minimum is attained. x* and f* come from cvxpy + Clarabel with tight
tolerances: f* to solver precision (~1e-8), not exact; radius = ||x*|| for that minimiser.
"""
import cvxpy as cp
import numpy as np

from pplimits._util.arrays import constant, device, namespace

from .l1_regression import SeededNonsmooth, regression_data


class LinfRegression(SeededNonsmooth):
    """The objective above with x0 = 0 (criterion: f(x) - f*)."""

    name = "linf-regression"

    def __init__(self, dim, points=None, seed=0):
        rng = self._start(dim, points, seed)
        self.features, self.targets = regression_data(rng, self.points, self.dim)
        self.lipschitz = float(np.max(np.linalg.norm(self.features, axis=1)))
        self._solve(lambda x: cp.norm_inf(self.features @ x - self.targets))

    def _residuals(self, xp, x):
        return x @ constant(xp, self.features.T, x) - constant(xp, self.targets, x)

    def value(self, x):
        """f(x) for x of shape (..., dim), returned with shape (...,)."""
        xp, x = namespace(x)
        return xp.max(xp.abs(self._residuals(xp, x)), axis=-1)

    def gradient(self, x):
        """The subgradient sign(r_{i*}) a_{i*}, i* the first maximiser of |r_i|; shape (..., dim)."""
        xp, x = namespace(x)
        residuals = self._residuals(xp, x)
        first = xp.expand_dims(xp.argmax(xp.abs(residuals), axis=-1), axis=-1)
        hit = xp.astype(xp.arange(self.points, device=device(x)) == first, x.dtype)
        return (hit * xp.sign(residuals)) @ constant(xp, self.features, x)
