"""Seeded least-absolute-deviations regression, a realistic non-smooth convex objective (not a hard instance).

f(x) = ||A x - b||_1 / m with Gaussian features A (m x d) and targets b = A x_true + Student-t noise with
2 degrees of freedom (heavy-tailed: infinite variance). Subgradient A^T sign(A x - b) / m.
Lipschitz (DERIVED, one line): every subgradient is A^T s / m with s in [-1, 1]^m, and
||A^T s|| <= ||A||_2 ||s|| <= ||A||_2 sqrt(m), so L = ||A||_2 / sqrt(m) on all of R^d.

f is polyhedral and >= 0, so its minimum is attained. x* and f* come from cvxpy + Clarabel with tight
tolerances: f* to solver precision (~1e-8), not exact; radius = ||x*|| for that minimiser.
The shared machinery of the seeded non-smooth problems (hinge.py, linf_regression.py) lives here.
"""
import math

import cvxpy as cp
import numpy as np

from pplimits._util import checks
from pplimits._util.arrays import constant, namespace

_NOISE_DOF = 2.0


def regression_data(rng, points: int, dim: int):
    """Gaussian features and targets b = A x_true + Student-t(2) noise (heavy-tailed)."""
    features = rng.standard_normal((points, dim))
    targets = features @ rng.standard_normal(dim) + rng.standard_t(_NOISE_DOF, size=points)
    return features, targets


class SeededNonsmooth:
    """Shared interface of the seeded non-smooth problems: validation, x0 = 0, x* and f* by cvxpy."""

    setting = "nonsmooth-convex"
    criterion = "gap"
    beta = math.inf
    mu = 0.0
    globally_lipschitz = True  # a mean (or max) of |aᵢx − bᵢ|-type terms: L = its declared `lipschitz` on all of R^d

    def _start(self, dim, points, seed):
        """Validate (dim, points = 4 dim by default, seed); return the seeded generator."""
        self.dim = checks.require_int("dim", dim, 1)
        if points is None:
            points = 4 * self.dim
        self.points = checks.require_int("points", points, 1)
        self.seed = checks.require_int("seed", seed, 0)
        self.params = {"dim": self.dim, "points": self.points, "seed": self.seed}
        self.layer_sizes = (self.dim,)
        self.x0 = np.zeros(self.dim)
        return np.random.default_rng(self.seed)

    def _solve(self, objective):
        """x*, f* = argmin, min of objective(cvxpy variable) by Clarabel (tight tolerances); f0, radius."""
        x = cp.Variable(self.dim)
        problem = cp.Problem(cp.Minimize(objective(x)))
        problem.solve(solver=cp.CLARABEL, tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12)
        if problem.status != cp.OPTIMAL:
            raise RuntimeError(f"Clarabel did not solve {self.name}: status {problem.status}")
        self.x_star = np.asarray(x.value, dtype=np.float64)
        self.f_star = float(problem.value)
        self.f0 = float(self.value(self.x0))
        self.radius = float(np.linalg.norm(self.x_star))


class L1Regression(SeededNonsmooth):
    """The objective above with x0 = 0 (criterion: f(x) - f*)."""

    name = "l1-regression"

    def __init__(self, dim, points=None, seed=0):
        rng = self._start(dim, points, seed)
        self.features, self.targets = regression_data(rng, self.points, self.dim)
        self.lipschitz = float(np.linalg.norm(self.features, 2)) / math.sqrt(self.points)
        self._solve(lambda x: cp.norm1(self.features @ x - self.targets) / self.points)

    def value(self, x):
        """f(x) for x of shape (..., dim), returned with shape (...,)."""
        xp, x = namespace(x)
        residuals = x @ constant(xp, self.features.T, x) - constant(xp, self.targets, x)
        return xp.mean(xp.abs(residuals), axis=-1)

    def gradient(self, x):
        """The subgradient A^T sign(A x - b) / m (sign(0) = 0); shape (..., dim)."""
        xp, x = namespace(x)
        residuals = x @ constant(xp, self.features.T, x) - constant(xp, self.targets, x)
        return (xp.sign(residuals) / self.points) @ constant(xp, self.features, x)
