"""Seeded logistic regression, a realistic smooth (strongly) convex objective (not a hard instance).

f(x) = (1/n) sum_i log(1 + exp(-y_i a_i^T x)) + (reg/2) ||x||^2 with Gaussian features a_i and labels
y_i = sign(a_i^T w) of a random linear model, 20% of them flipped. The Hessian is
(1/n) A^T diag(s_i (1 - s_i)) A + reg I with s_i (1 - s_i) <= 1/4, so f is beta-smooth with
beta = ||A||_2^2 / (4n) + reg and reg-strongly convex (DERIVED, one line).

With reg = 0 a minimiser exists iff the data are not linearly separable. Existence is certified by the
unregularised Newton point x0*: all weights w_i = sigma(-y_i a_i^T x0*) are >= 1e-9 while
sum_i w_i y_i a_i = -n grad f(x0*) ~ 0, a strictly positive vanishing combination (Stiemke's lemma;
quantitatively, any u with y_i a_i^T u >= 0 for all i has y_i a_i^T u <= n ||grad f(x0*)|| ||u|| / min w).
Draws that fail (separable, or so nearly separable that x0* is huge) are redrawn from the same seeded
generator, at most 20 times, so the data depend on (dim, points, seed) only, not on reg. x* and f* come
from a damped Newton solve to ||grad f(x*)|| <= 1e-13: f* to machine precision, not exact.
"""
import numpy as np
import scipy.linalg

from pplimits._util import checks
from pplimits._util.arrays import constant, namespace

_FLIP_FRACTION = 0.2
_MAX_DRAWS = 20
_GRAD_TOL = 1e-13
_MIN_WEIGHT = 1e-9
_MAX_NEWTON_STEPS = 100


def _draw(rng, points: int, dim: int):
    """Gaussian features and the labels of a random linear model with 20% of them flipped."""
    features = rng.standard_normal((points, dim))
    labels = np.where(features @ rng.standard_normal(dim) >= 0.0, 1.0, -1.0)
    flipped = rng.choice(points, size=max(1, round(_FLIP_FRACTION * points)), replace=False)
    labels[flipped] *= -1.0
    return features, labels


def _newton(features, labels, reg: float):
    """Damped Newton (Armijo backtracking) from 0 to ||grad f|| <= 1e-13; None if it does not get there.

    Returns (x, weights) with weights_i = sigma(-y_i a_i^T x).
    """
    points, dim = features.shape
    x = np.zeros(dim)

    def loss(point):
        return np.mean(np.logaddexp(0.0, -labels * (features @ point))) + 0.5 * reg * point @ point

    for _ in range(_MAX_NEWTON_STEPS):
        margins = labels * (features @ x)
        weights = np.exp(-np.logaddexp(0.0, margins))
        grad = -(labels * weights) @ features / points + reg * x
        if np.linalg.norm(grad) <= _GRAD_TOL:
            return x, weights
        curvature = weights * np.exp(-np.logaddexp(0.0, -margins))
        hessian = (features.T * curvature) @ features / points + reg * np.eye(dim)
        try:
            step = -scipy.linalg.solve(hessian, grad, assume_a="pos")
        except np.linalg.LinAlgError:
            return None
        slope, value, t = float(grad @ step), loss(x), 1.0
        # Backtrack while the Armijo decrease is still resolvable in float64.
        while loss(x + t * step) > value + 0.25 * t * slope and -t * slope > 1e-15 * abs(value):
            t *= 0.5
        x = x + t * step
    return None


def _certified_minimiser(features, labels):
    """The unregularised minimiser if the Stiemke certificate above holds, else None."""
    points, dim = features.shape
    solved = _newton(features, labels, 0.0) if points > dim else None
    if solved is None or solved[1].min() < _MIN_WEIGHT:
        return None
    return solved[0]


class LogisticRegression:
    """The objective above with x0 = 0 (criterion: f(x) - f*)."""

    name = "logistic-regression"
    criterion = "gap"

    def __init__(self, dim, points=None, seed=0, reg=0.0):
        self.dim = checks.require_int("dim", dim, 1)
        if points is None:
            points = 4 * self.dim
        self.points = checks.require_int("points", points, 1)
        self.seed = checks.require_int("seed", seed, 0)
        self.reg = checks.require_nonnegative("reg", reg)
        self.setting = "smooth-convex" if self.reg == 0.0 else "strongly-convex"
        self.params = {"dim": self.dim, "points": self.points, "seed": self.seed, "reg": self.reg}
        rng = np.random.default_rng(self.seed)
        for _ in range(_MAX_DRAWS):
            self.features, self.labels = _draw(rng, self.points, self.dim)
            unregularised = _certified_minimiser(self.features, self.labels)
            if unregularised is not None or self.points <= self.dim:
                break
        if self.reg == 0.0 and unregularised is None:
            raise checks.UsageError(f"points={self.points} gives (nearly) linearly separable data for "
                             f"dim={self.dim}, so no minimiser is certified with reg == 0; "
                             "use reg > 0 or more points")
        self.beta = float(np.linalg.norm(self.features, 2)) ** 2 / (4.0 * self.points) + self.reg
        self.mu = self.reg
        self.x0 = np.zeros(self.dim)
        if self.reg == 0.0:
            self.x_star = unregularised
        else:
            solved = _newton(self.features, self.labels, self.reg)
            if solved is None:
                raise RuntimeError(f"Newton did not reach ||grad f|| <= {_GRAD_TOL} "
                                   f"in {_MAX_NEWTON_STEPS} steps")
            self.x_star = solved[0]
        self.f_star = float(self.value(self.x_star))
        self.f0 = float(self.value(self.x0))
        self.radius = float(np.linalg.norm(self.x_star))

    def value(self, x):
        """f(x) for x of shape (..., dim), returned with shape (...,); log(1 + e^-m) as logaddexp(0, -m)."""
        xp, x = namespace(x)
        margins = (x @ constant(xp, self.features.T, x)) * constant(xp, self.labels, x)
        loss = xp.mean(xp.logaddexp(xp.zeros_like(margins), -margins), axis=-1)
        return loss + (self.reg / 2.0) * xp.sum(x * x, axis=-1)

    def gradient(self, x):
        """grad f(x) = -(1/n) sum_i y_i sigma(-m_i) a_i + reg x, sigma(-m) = exp(-logaddexp(0, m))."""
        xp, x = namespace(x)
        labels = constant(xp, self.labels, x)
        margins = (x @ constant(xp, self.features.T, x)) * labels
        weights = -labels * xp.exp(-xp.logaddexp(xp.zeros_like(margins), margins)) / self.points
        return weights @ constant(xp, self.features, x) + self.reg * x
