"""Nesterov's worst non-smooth convex function (CLASSICAL: Nesterov 2004, Thm 3.2.1; docs/theory.md §2.4, §3).

f(x) = gamma max_{i<=t} x_i + (mu/2) ||x||^2, t = chain_length, gamma = L sqrt(t)/(1 + sqrt(t)),
mu = L/((1 + sqrt(t)) R). Minimiser x*_i = -gamma/(mu t) = -R/sqrt(t) for i <= t, 0 beyond, so
||x*|| = R and f* = -L R/(2(1 + sqrt(t))). A subgradient is mu x + gamma e_i (i a maximising index), of
norm <= gamma + mu ||x||: f is L-Lipschitz on B(0, R) only (gamma + mu R = L); outside, gamma + mu ||x||.

Resisting oracle: gradient(x) = mu x + gamma e_{i*}, i* the FIRST maximising index among 1..t, so a query
supported on e_1..e_j gets a subgradient supported on e_1..e_{j+1} (a zero-chain).

Span gap (exact, DERIVED): any x in span(e_1..e_k), k < t, has x_t = 0, so max_{i<=t} x_i >= 0 and
f(x) >= 0 = f(0); hence E(k) = -f* = L R/(2(1 + sqrt(t))) for k < t and E(k) = 0 for k >= t.

On numpy float64 arrays the gradient is made sparse: mu·(penalty gradient) + 0.0, then gamma added at i* (a
scatter, not a dense one-hot: the same two additions per element, so the same bits), in blocks of rows on
every core, into an output array kept across calls.
"""
import math

import cvxpy as cp
import numpy as np

from pplimits._util import checks
from pplimits._util.arrays import device, namespace
from pplimits._util.parallel import share
from pplimits._util.scratch import Scratch

from ._span import rounds_to_reach

_CVXPY_TOL = 1e-10  # Clarabel gap/feasibility tolerances; tighter ones flag the Huber variant "inaccurate"
BLOCK = 2**15  # elements per task of the numpy gradient (whole rows, at least one): 256 KiB, within L2


class MaxFunction:
    """The max function of Nesterov 2004, Thm 3.2.1, with x0 = 0 (criterion: f(x) - f*)."""

    name = "max-function"
    setting = "nonsmooth-convex"
    criterion = "gap"
    beta = math.inf
    globally_lipschitz = False  # L-Lipschitz on the ball B(0, R) only: γ + μ‖x‖ grows outside it

    def __init__(self, dim, L=1.0, R=1.0, chain_length=None):
        self.dim = checks.require_int("dim", dim, 1)
        self.lipschitz = checks.require_positive("L", L)  # on B(0, R); outside, gamma + mu ||x||
        self._ball = checks.require_positive("R", R)
        if chain_length is None:
            chain_length = self.dim
        self.chain_length = checks.require_int("chain_length", chain_length, 1, self.dim)
        t = self.chain_length
        self.params = {"dim": self.dim, "L": self.lipschitz, "R": self._ball, "chain_length": t}
        self.layer_sizes = (self.dim,)
        root = math.sqrt(t)
        self.gamma = self.lipschitz * root / (1.0 + root)
        self.mu = self.lipschitz / ((1.0 + root) * self._ball)
        self.x0 = np.zeros(self.dim)
        self.x_star = np.concatenate([np.full(t, -self.gamma / (self.mu * t)), np.zeros(self.dim - t)])
        self.f_star = -self.lipschitz * self._ball / (2.0 * (1.0 + root))
        self.f0 = float(self.value(self.x0))
        self.radius = float(np.linalg.norm(self.x_star))
        self._scratch = Scratch()

    def lipschitz_at(self, radius) -> float:
        """A Lipschitz constant of f on B(0, radius): gamma + mu radius (= L at radius = R)."""
        return self.gamma + self.mu * checks.require_nonnegative("radius", radius)

    def _penalty(self, xp, x):
        """The regulariser divided by mu: ||x||^2 / 2, shape (...,)."""
        return 0.5 * xp.sum(x * x, axis=-1)

    def _penalty_gradient(self, xp, x):
        """The gradient of ``_penalty``: x."""
        return x

    def _penalty_gradient_rows(self, x, out, square):
        """_penalty_gradient(np, x) for float64 rows x of shape (m, dim): x itself (`out`, `square`: scratch)."""
        return x

    def _penalty_cvxpy(self, x):
        return 0.5 * cp.sum_squares(x)

    def value(self, x):
        """f(x) for x of shape (..., dim), returned with shape (...,)."""
        xp, x = namespace(x)
        return self.gamma * xp.max(x[..., : self.chain_length], axis=-1) + self.mu * self._penalty(xp, x)

    def gradient(self, x):
        """The resisting subgradient mu x + gamma e_{i*}, i* the first maximiser among 1..t; (..., dim)."""
        xp, x = namespace(x)
        if isinstance(x, np.ndarray) and x.dtype == np.float64 and x.ndim >= 1 and x.shape[-1] == self.dim:
            return self._gradient_numpy(x)
        first = xp.expand_dims(xp.argmax(x[..., : self.chain_length], axis=-1), axis=-1)
        hit = xp.astype(xp.arange(self.dim, device=device(x)) == first, x.dtype)
        return self.mu * self._penalty_gradient(xp, x) + self.gamma * hit

    def _gradient_numpy(self, x):
        """gradient(x) for a numpy float64 x: per block of rows g = mu·(penalty gradient), g += 0.0 (the dense
        formula adds gamma·0.0 = +0.0 to every element: -0.0 becomes +0.0), g[i*] += gamma."""
        rows = np.reshape(x, (-1, self.dim))
        out = self._scratch.empty("gradient", rows.shape)
        per_block = max(1, BLOCK // self.dim)
        blocks = -(-len(rows) // per_block)

        def compute(indices):
            square = np.empty((per_block, self.dim))
            for b in indices:  # last rows first: the rows written last (by PPRS's queries) may still be in cache
                b = blocks - 1 - b
                start, stop = b * per_block, min((b + 1) * per_block, len(rows))
                block, g = rows[start:stop], out[start:stop]
                first = np.argmax(block[:, : self.chain_length], axis=-1)
                np.multiply(self.mu, self._penalty_gradient_rows(block, g, square[: stop - start]), out=g)
                np.add(g, 0.0, out=g)
                g[np.arange(stop - start), first] += self.gamma

        share(compute, blocks, elements=rows.size)
        return np.reshape(out, x.shape)

    def span_rounds(self, eps) -> int:
        """Rounds any span method needs before the criterion can be ≤ eps here (f − f* ≥ E(k) after k rounds)."""
        return rounds_to_reach(self.span_gap, self.chain_length, eps, strict=False)

    def span_gap(self, k):
        """E(k) = min over span(e_1..e_k) of f, minus f* (exact): -f* for k < t, 0 for k >= t."""
        k = checks.require_rounds(k)
        gap = np.where(k < self.chain_length, -self.f_star, 0.0)
        return gap[()]

    def span_gap_cvxpy(self, k: int) -> float:
        """E(k) by solving min f subject to x_{k+1..dim} = 0 with cvxpy + Clarabel (a cross-check)."""
        k = int(checks.require_rounds(k))
        x = cp.Variable(self.dim)
        objective = self.gamma * cp.max(x[: self.chain_length]) + self.mu * self._penalty_cvxpy(x)
        constraints = [x[k:] == 0] if k < self.dim else []
        problem = cp.Problem(cp.Minimize(objective), constraints)
        problem.solve(solver=cp.CLARABEL, tol_gap_abs=_CVXPY_TOL, tol_gap_rel=_CVXPY_TOL, tol_feas=_CVXPY_TOL)
        if problem.status != cp.OPTIMAL:
            raise RuntimeError(f"Clarabel did not solve the restricted {self.name}: status {problem.status}")
        return float(problem.value) - self.f_star
