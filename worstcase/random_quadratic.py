"""A seeded random convex quadratic (not a hard instance: a random member of the class, for
upper-bound tests).

f(x) = 1/2 (x - x*)^T H (x - x*), H = Q diag(lam) Q^T, Q Haar-orthogonal (QR of a Gaussian with the
signs of diag(R) fixed), lam in [mu, beta] with max lam = beta and, if dim >= 2, min lam = mu; so f is
beta-smooth and mu-strongly convex with both constants tight (DERIVED: by construction). ||x*|| = radius,
f* = 0 exactly.
"""
import numpy as np

from pplimits._util import checks
from pplimits._util.arrays import constant, namespace


class RandomQuadratic:
    """The quadratic above with x0 = 0 (criterion: f(x) - f*)."""

    name = "random-quadratic"
    criterion = "gap"

    def __init__(self, dim, seed=0, beta=1.0, mu=0.0, radius=1.0):
        self.dim = checks.require_int("dim", dim, 1)
        self.seed = checks.require_int("seed", seed, 0)
        self.beta = checks.require_positive("beta", beta)
        self.mu = checks.require_interval(
            "mu", mu, 0.0, self.beta, strict=False, rule=f"0 <= mu <= beta = {self.beta!r}"
        )
        radius = checks.require_positive("radius", radius)
        self.setting = "smooth-convex" if self.mu == 0.0 else "strongly-convex"
        self.params = {"dim": self.dim, "seed": self.seed, "beta": self.beta, "mu": self.mu, "radius": radius}
        rng = np.random.default_rng(self.seed)
        q, r = np.linalg.qr(rng.standard_normal((self.dim, self.dim)))
        q = q * np.sign(np.diag(r))
        inner = rng.uniform(self.mu, self.beta, size=max(self.dim - 2, 0))
        spectrum = np.concatenate([[self.mu], inner, [self.beta]]) if self.dim >= 2 else np.array([self.beta])
        self.eigenvalues = np.sort(spectrum)
        hessian = (q * self.eigenvalues) @ q.T
        self.hessian = 0.5 * (hessian + hessian.T)
        direction = rng.standard_normal(self.dim)
        self.x_star = radius * direction / np.linalg.norm(direction)
        self.x0 = np.zeros(self.dim)
        self.f_star = 0.0
        self.f0 = float(self.value(self.x0))
        self.radius = float(np.linalg.norm(self.x_star))

    def value(self, x):
        """f(x) for x of shape (..., dim), returned with shape (...,)."""
        xp, x = namespace(x)
        shift = x - constant(xp, self.x_star, x)
        return 0.5 * xp.sum((shift @ constant(xp, self.hessian, x)) * shift, axis=-1)

    def gradient(self, x):
        """grad f(x) = H (x - x*); shape (..., dim)."""
        xp, x = namespace(x)
        return (x - constant(xp, self.x_star, x)) @ constant(xp, self.hessian, x)
