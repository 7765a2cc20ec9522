"""Nesterov's worst smooth convex function (CLASSICAL: Nesterov 2004, Thm 2.1.7).

f(x) = (beta/4) (1/2 x^T A x - x_1), A = tridiag(-1, 2, -1) on the first m = chain_length coordinates
(coordinates beyond m do not enter f). f is convex and beta-smooth (0 < A < 4I) and a zero-chain:
a gradient at a point supported on e_1..e_j is supported on e_1..e_{j+1}, so after k rounds a span
method's iterate lies in span(e_1..e_k).

Closed forms (DERIVED, docs/theory.md §3): x*_i = 1 - i/(m+1) for i <= m, f* = -(beta/8)(1 - 1/(m+1)), and the
restricted minimum over span(e_1..e_k) is the same chain of length k, so
E(k) = (beta/8)(1/(k+1) - 1/(m+1)) for k < m, 0 for k >= m.
"""
from fractions import Fraction

import cvxpy as cp
import numpy as np

from pplimits._util import checks
from pplimits._util.arrays import namespace, pad_zeros, shift_first

from ._span import rounds_to_reach


class NesterovChain:
    """The tridiagonal chain of Nesterov 2004, Thm 2.1.7, with x0 = 0 (criterion: f(x) - f*)."""

    name = "nesterov-chain"
    setting = "smooth-convex"
    criterion = "gap"

    def __init__(self, dim, beta=1.0, chain_length=None):
        self.dim = checks.require_int("dim", dim, 1)
        self.beta = checks.require_positive("beta", beta)
        if chain_length is None:
            chain_length = self.dim
        self.chain_length = checks.require_int("chain_length", chain_length, 1, self.dim)
        self.mu = 0.0
        m = self.chain_length
        self.params = {"dim": self.dim, "beta": self.beta, "chain_length": m}
        self.x0 = np.zeros(self.dim)
        self.x_star = np.concatenate([1.0 - np.arange(1, m + 1) / (m + 1), np.zeros(self.dim - m)])
        self.f_star = -(self.beta / 8.0) * (1.0 - 1.0 / (m + 1))
        self.f0 = float(self.value(self.x0))
        self.radius = float(np.linalg.norm(self.x_star))

    @classmethod
    def sized_for(cls, eps, beta=1.0):
        """The hard instance for accuracy eps (DERIVED, docs/theory.md §2.1): chain_length = dim = 2k + 1.

        k is the largest integer >= 0 with 3 beta ||x*||^2 / (32 (k+1)^2) > eps, where
        ||x*||^2 = (2k+1)(4k+3)/(12(k+1)), i.e. beta (2k+1)(4k+3) / (128 (k+1)^3) > eps. On this
        instance every span method has, for each of its first k rounds j <= k,
        f(x_j) - f* >= E(j) >= E(k) = beta/(16(k+1)) >= 3 beta R^2/(32(k+1)^2) > eps, R = ||x0 - x*||.
        The left side decreases in k, so k is found by doubling and bisection, compared in exact
        rational arithmetic.
        """
        eps = checks.require_positive("eps", eps)
        beta = checks.require_positive("beta", beta)
        b, e = Fraction(beta), Fraction(eps)

        def hard(k: int) -> bool:
            return b * (2 * k + 1) * (4 * k + 3) > 128 * e * (k + 1) ** 3

        if not hard(0):
            raise checks.UsageError(f"eps must be < 3*beta/128 for the chain construction, got {eps!r}")
        low, high = 0, 1
        while hard(high):
            low, high = high, 2 * high
        while high - low > 1:
            mid = (low + high) // 2
            low, high = (mid, high) if hard(mid) else (low, mid)
        checks.require_memory("eps", eps, 8.0 * 64 * (2 * low + 1), f"the chain sized for it (dim {2 * low + 1:.3g})", too="small")
        return cls(dim=2 * low + 1, beta=beta, chain_length=2 * low + 1)

    def value(self, x):
        """f(x) for x of shape (..., dim), returned with shape (...,)."""
        xp, x = namespace(x)
        u = x[..., : self.chain_length]
        steps = pad_zeros(xp, u, 1, 1)
        steps = steps[..., 1:] - steps[..., :-1]
        return (self.beta / 4.0) * (0.5 * xp.sum(steps * steps, axis=-1) - u[..., 0])

    def gradient(self, x):
        """grad f(x) = (beta/4)(A x - e_1) on the chain, 0 beyond it; shape (..., dim)."""
        xp, x = namespace(x)
        u = x[..., : self.chain_length]
        steps = pad_zeros(xp, u, 1, 1)
        steps = steps[..., 1:] - steps[..., :-1]
        chain = (self.beta / 4.0) * shift_first(xp, steps[..., :-1] - steps[..., 1:], -1.0)
        return pad_zeros(xp, chain, 0, self.dim - self.chain_length)

    def span_rounds(self, eps) -> int:
        """Rounds any span method needs before the criterion can be ≤ eps here (f − f* ≥ E(k) after k rounds)."""
        return rounds_to_reach(self.span_gap, self.chain_length, eps, strict=False)

    def span_gap(self, k):
        """E(k) = min over span(e_1..e_k) of f, minus f* (exact): (beta/8)(1/(k+1) - 1/(m+1)), k < m."""
        k = np.minimum(checks.require_rounds(k), self.chain_length)
        gap = (self.beta / 8.0) * (1.0 / (k + 1.0) - 1.0 / (self.chain_length + 1.0))
        return gap[()]

    def span_gap_cvxpy(self, k: int) -> float:
        """E(k) by solving min f subject to x_{k+1..dim} = 0 with cvxpy + Clarabel (a cross-check)."""
        k = int(checks.require_rounds(k))
        m = self.chain_length
        x = cp.Variable(self.dim)
        steps = np.eye(m + 1, self.dim) - np.eye(m + 1, self.dim, k=-1)  # x_1, x_2 - x_1, .., -x_m
        steps[:, m:] = 0.0
        objective = (self.beta / 4.0) * (0.5 * cp.sum_squares(steps @ x) - x[0])
        constraints = [x[k:] == 0] if k < self.dim else []
        problem = cp.Problem(cp.Minimize(objective), constraints)
        problem.solve(solver=cp.CLARABEL, tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12)
        return float(problem.value) - self.f_star
