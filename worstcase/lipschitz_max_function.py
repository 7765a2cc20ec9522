"""Nesterov's max function made globally L-Lipschitz, safe under Gaussian perturbations (DERIVED).

f(x) = gamma max_{i<=t} x_i + mu H_R(||x||), H_R(r) = r^2/2 for r <= R, R r - R^2/2 for r > R (Huber in
the norm), gamma and mu as in MaxFunction (Nesterov 2004, Thm 3.2.1). Proof sketch (DERIVED, tested):
- convex: H_R is convex and nondecreasing on [0, inf) and ||.|| is convex, so H_R(||x||) is convex;
- grad H_R(||x||) = x min(1, R/||x||) (0 at x = 0) has norm min(||x||, R) <= R and the max term's
  subgradients are convex combinations of the e_i, so every subgradient has norm <= gamma + mu R = L:
  f is L-Lipschitz on all of R^d (a convex function with subgradients bounded by L is L-Lipschitz);
- H_R(r) = r^2/2 on [0, R], so f equals the max function on B(0, R), and H_R(r) < r^2/2 for r > R;
- same x* and f*: ||x*|| = R, H_R is C^1 with H_R'(R) = R, so grad H_R(||x||) = x at x*, the
  subdifferential at x* is the max function's, which contains 0; f(x*) is unchanged;
- same span gap: H_R >= 0, so f >= 0 = f(0) on span(e_1..e_k) for k < t, exactly as for the max function.
The resisting oracle (first maximising index) and the zero-chain property are unchanged.
"""
import cvxpy as cp
import numpy as np

from pplimits._util import checks

from .max_function import MaxFunction


class LipschitzMaxFunction(MaxFunction):
    """The max function with a Huber-in-the-norm regulariser, x0 = 0 (criterion: f(x) - f*)."""

    name = "max-function-lipschitz"
    globally_lipschitz = True  # the Huber regulariser keeps every subgradient within L on all of R^d

    def lipschitz_at(self, radius) -> float:
        """A Lipschitz constant of f on B(0, radius): gamma + mu min(radius, R) (<= L everywhere)."""
        return self.gamma + self.mu * min(checks.require_nonnegative("radius", radius), self._ball)

    def _penalty(self, xp, x):
        """H_R(||x||): ||x||^2 / 2 inside B(0, R) (the max function's formula), R (||x|| - R/2) outside."""
        square = xp.sum(x * x, axis=-1)
        norm = xp.sqrt(square)
        return xp.where(norm <= self._ball, 0.5 * square, self._ball * (norm - 0.5 * self._ball))

    def _penalty_gradient(self, xp, x):
        """grad H_R(||x||) = x min(1, R/||x||), written R / max(||x||, R) (no division by zero)."""
        norm = xp.sqrt(xp.sum(x * x, axis=-1, keepdims=True))
        return x * (self._ball / xp.maximum(norm, xp.full_like(norm, self._ball)))

    def _penalty_gradient_rows(self, x, out, square):
        """_penalty_gradient(np, x) for float64 rows x of shape (m, dim), by the same operations, written into `out`
        (`square`: scratch of x's shape); x itself when every row's factor is exactly 1 (then x is finite and
        x·1.0 = x bit for bit: inside the ball, PPRS's usual case)."""
        np.multiply(x, x, out=square)
        norm = np.sqrt(np.add.reduce(square, axis=-1, keepdims=True))
        scale = self._ball / np.maximum(norm, self._ball)
        return x if (scale == 1.0).all() else np.multiply(x, scale, out=out)

    def _penalty_cvxpy(self, x):
        return 0.5 * cp.huber(cp.norm(x, 2), self._ball)
