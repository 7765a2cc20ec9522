"""Nesterov's worst strongly convex function, truncated at dimension d (CLASSICAL construction:
Nesterov 2004, Thm 2.1.13; closed forms for the truncation DERIVED here).

f(x) = ((beta-mu)/8) [x_1^2 + sum_{i<d} (x_i - x_{i+1})^2 - 2 x_1] + (mu/2) ||x||^2 is mu-strongly
convex, beta-smooth and a zero-chain. With kappa = beta/mu and q = (sqrt(kappa)-1)/(sqrt(kappa)+1),
the optimality conditions are x_{i-1} - (q + 1/q) x_i + x_{i+1} = 0 with x_0 = 1 and the ghost
x_{d+1} = x_d, whose solution is

    x*_i = (q^i + q^(2d+1-i)) / (1 + q^(2d+1)),   f* = -((beta-mu)/8) x*_1.

Restricted to span(e_1..e_k), k < d, the same recurrence holds with the Dirichlet end x_{k+1} = 0:
x_1^(k) = q (1 - q^(2k)) / (1 - q^(2k+2)), and E(k) = ((beta-mu)/8)(x*_1 - x_1^(k)), which simplifies
without cancellation to

    E(k) = ((beta-mu)/8) (1 - q^2) (q^(2k+1) + q^(2d)) / ((1 + q^(2d+1)) (1 - q^(2k+2))),   k < d,

and E(k) = 0 for k >= d. As d -> infinity, x*_i -> q^i (Nesterov's infinite-dimensional minimiser).
"""
import math

import cvxpy as cp
import numpy as np

from pplimits._util import checks
from pplimits._util.arrays import namespace, pad_zeros, shift_first

from ._span import rounds_to_reach


class StronglyConvexChain:
    """The chain of Nesterov 2004, Thm 2.1.13 truncated at dim, with x0 = 0 (criterion: f(x) - f*)."""

    name = "strongly-convex-chain"
    setting = "strongly-convex"
    criterion = "gap"

    def __init__(self, dim, beta=1.0, mu=0.01):
        self.dim = checks.require_int("dim", dim, 1)
        self.beta = checks.require_positive("beta", beta)
        self.mu = checks.require_interval(
            "mu", mu, 0.0, self.beta, strict=True, rule=f"0 < mu < beta = {self.beta!r}"
        )
        self.params = {"dim": self.dim, "beta": self.beta, "mu": self.mu}
        self.kappa = self.beta / self.mu
        root = math.sqrt(self.kappa)
        self.q = (root - 1.0) / (root + 1.0)
        # log q and 1 - q^2 written to stay accurate when kappa is large (q close to 1).
        self._log_q = math.log1p(-2.0 / (root + 1.0))
        self._one_minus_q2 = 4.0 * root / (root + 1.0) ** 2
        d = self.dim
        i = np.arange(1, d + 1)
        self.x0 = np.zeros(d)
        self.x_star = (self._pow_q(i) + self._pow_q(2 * d + 1 - i)) / (1.0 + self._pow_q(2 * d + 1))
        self.f_star = -((self.beta - self.mu) / 8.0) * float(self.x_star[0])
        self.f0 = float(self.value(self.x0))
        self.radius = float(np.linalg.norm(self.x_star))

    def _pow_q(self, n):
        """q**n for integer n >= 0 (underflows to 0, never overflows)."""
        return np.exp(np.asarray(n, dtype=np.float64) * self._log_q)

    def value(self, x):
        """f(x) for x of shape (..., dim), returned with shape (...,)."""
        xp, x = namespace(x)
        steps = pad_zeros(xp, x, 1, 0)
        steps = steps[..., 1:] - steps[..., :-1]
        chain = xp.sum(steps * steps, axis=-1) - 2.0 * x[..., 0]
        return ((self.beta - self.mu) / 8.0) * chain + (self.mu / 2.0) * xp.sum(x * x, axis=-1)

    def gradient(self, x):
        """grad f(x) = ((beta-mu)/4)(A x - e_1) + mu x, A the Dirichlet-Neumann Laplacian; (..., dim)."""
        xp, x = namespace(x)
        steps = pad_zeros(xp, x, 1, 0)
        steps = pad_zeros(xp, steps[..., 1:] - steps[..., :-1], 0, 1)
        chain = shift_first(xp, steps[..., :-1] - steps[..., 1:], -1.0)
        return ((self.beta - self.mu) / 4.0) * chain + self.mu * x

    def span_rounds(self, eps) -> int:
        """Rounds any span method needs before the criterion can be ≤ eps here (f − f* ≥ E(k) after k rounds)."""
        return rounds_to_reach(self.span_gap, self.dim, eps, strict=False)

    def span_gap(self, k):
        """E(k) = min over span(e_1..e_k) of f, minus f* (exact closed form above)."""
        k = checks.require_rounds(k)
        kk = np.minimum(k, self.dim)
        d = self.dim
        numerator = self._one_minus_q2 * (self._pow_q(2 * kk + 1) + self._pow_q(2 * d))
        denominator = (1.0 + self._pow_q(2 * d + 1)) * -np.expm1((2 * kk + 2) * self._log_q)
        gap = np.where(k < d, ((self.beta - self.mu) / 8.0) * numerator / denominator, 0.0)
        return gap[()]

    def span_gap_cvxpy(self, k: int) -> float:
        """E(k) by solving min f subject to x_{k+1..dim} = 0 with cvxpy + Clarabel (a cross-check)."""
        k = int(checks.require_rounds(k))
        x = cp.Variable(self.dim)
        steps = np.eye(self.dim) - np.eye(self.dim, k=-1)  # (x_1, x_2 - x_1, ..., x_d - x_{d-1})
        chain = cp.sum_squares(steps @ x) - 2.0 * x[0]
        objective = ((self.beta - self.mu) / 8.0) * chain + (self.mu / 2.0) * cp.sum_squares(x)
        constraints = [x[k:] == 0] if k < self.dim else []
        problem = cp.Problem(cp.Minimize(objective), constraints)
        problem.solve(solver=cp.CLARABEL, tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12)
        return float(problem.value) - self.f_star
