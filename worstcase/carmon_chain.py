"""The Carmon–Duchi–Hinder–Sidford hard non-convex chain (CLASSICAL: Carmon et al., Math. Program.
2020, "Lower bounds for finding stationary points I", Lemma 3).

Psi(x) = 0 for x <= 1/2, exp(1 - 1/(2x-1)^2) for x > 1/2;  Phi(x) = sqrt(e) int_{-inf}^x e^{-s^2/2} ds;
fbar_T(x) = -Psi(1) Phi(x_1) + sum_{i=2}^T [Psi(-x_{i-1}) Phi(-x_i) - Psi(x_{i-1}) Phi(x_i)].
fbar_T is a zero-chain, grad fbar_T is 152-Lipschitz, and ||grad fbar_T(x)|| > 1 whenever x_T = 0.
Scaled: f(x) = (beta lam^2/152) fbar_T(x/lam), lam = 152 eps/beta, so grad f(x) = eps grad fbar_T(x/lam)
is beta-Lipschitz and ||grad f(x)|| > eps whenever x_T = 0: a zero-respecting method needs T rounds.

inf f (DERIVED): since 0 <= Psi <= e, 0 <= Phi <= sqrt(2 pi e) and Psi(-x) Phi(-x) >= 0,
fbar_T > -sqrt(2 pi e)(1 + (T-1) e), and the bound is approached as all x_i -> +inf (Psi(-x_i) = 0,
Psi(x_i) -> e, Phi(x_i) -> sqrt(2 pi e)); the infimum is not attained.
"""
import math

import numpy as np
from scipy.special import ndtr

from pplimits._util import checks
from pplimits._util.arrays import device, namespace, pad_zeros

from ._span import rounds_to_reach

_SQRT_E = math.sqrt(math.e)
_PHI_MAX = math.sqrt(2.0 * math.pi * math.e)  # Phi(+inf)
# Psi(x) = exp(1 - 1/t^2), t = 2x - 1, underflows to exactly 0.0 for t < 0.0366; clamping t at 0.01
# is therefore exact in float64 and keeps 1/t^2 and 1/t^3 finite (no overflow, no 0 * inf).
_T_MIN = 0.01
# Beyond |x/lam| = 1e10, Phi and Psi are constant in float64, Phi' is 0.0 and Psi' < 2e-30: clamping
# x/lam there (before dividing) keeps every intermediate finite for any finite input.
_U_MAX = 1e10


def _psi(xp, x):
    t = xp.clip(2.0 * x - 1.0, min=_T_MIN)
    return xp.exp(1.0 - 1.0 / (t * t))


def _psi_prime(xp, x):
    t = xp.clip(2.0 * x - 1.0, min=_T_MIN)
    return 4.0 * xp.exp(1.0 - 1.0 / (t * t)) / (t * t * t)


def _phi(xp, x):
    # scipy.special.ndtr is the one non-Array-API call of the package (the standard has no erf): on the host.
    return _PHI_MAX * xp.asarray(ndtr(np.asarray(x)), dtype=x.dtype, device=device(x))


def _phi_prime(xp, x):
    return _SQRT_E * xp.exp(-0.5 * x * x)


class CarmonChain:
    """Carmon et al.'s scaled chain f with x0 = 0 (criterion: ||grad f(x)||, target eps)."""

    name = "carmon-chain"
    setting = "smooth-nonconvex"
    criterion = "grad-norm"

    def __init__(self, dim, beta=1.0, eps=0.1, chain_length=None):
        self.dim = checks.require_int("dim", dim, 1)
        self.beta = checks.require_positive("beta", beta)
        self.eps = checks.require_positive("eps", eps)
        if chain_length is None:
            chain_length = self.dim
        self.chain_length = checks.require_int("chain_length", chain_length, 1, self.dim)
        self.mu = 0.0
        self.params = {"dim": self.dim, "beta": self.beta, "eps": self.eps, "chain_length": self.chain_length}
        self.lam = 152.0 * self.eps / self.beta
        self._scale = self.beta * self.lam**2 / 152.0
        self.x0 = np.zeros(self.dim)
        self.x_star = None
        self.radius = None
        self.f_star = self._scale * (-_PHI_MAX * (1.0 + (self.chain_length - 1) * math.e))
        self.f0 = float(self.value(self.x0))
        self.D_f = self.f0 - self.f_star

    def _chain(self, x):
        """u = x_{1..T}/lam and p = (1, u_1, .., u_{T-1}), so that
        fbar_T(u) = sum_i Psi(-p_i) Phi(-u_i) - Psi(p_i) Phi(u_i)."""
        xp, x = namespace(x)
        bound = _U_MAX * self.lam
        u = xp.clip(x[..., : self.chain_length], min=-bound, max=bound) / self.lam
        p = xp.concat([xp.ones_like(u[..., :1]), u[..., :-1]], axis=-1)
        return xp, u, p

    def value(self, x):
        """f(x) for x of shape (..., dim), returned with shape (...,)."""
        xp, u, p = self._chain(x)
        terms = _psi(xp, -p) * _phi(xp, -u) - _psi(xp, p) * _phi(xp, u)
        return self._scale * xp.sum(terms, axis=-1)

    def gradient(self, x):
        """grad f(x) = eps grad fbar_T(x/lam), zero beyond the chain; shape (..., dim)."""
        xp, u, p = self._chain(x)
        through_phi = -_psi(xp, -p) * _phi_prime(xp, -u) - _psi(xp, p) * _phi_prime(xp, u)
        left, right = u[..., :-1], u[..., 1:]
        through_psi = -_psi_prime(xp, -left) * _phi(xp, -right) - _psi_prime(xp, left) * _phi(xp, right)
        chain = through_phi + pad_zeros(xp, through_psi, 0, 1)
        return pad_zeros(xp, self.eps * chain, 0, self.dim - self.chain_length)

    def span_rounds(self, eps) -> int:
        """Rounds any span method needs before the criterion can be ≤ eps here (‖∇f‖ > E(k) after k rounds)."""
        return rounds_to_reach(self.span_gap, self.chain_length, eps, strict=True)

    def span_gap(self, k):
        """A certified lower bound (not exact) on ||grad f(x)|| over span(e_1..e_k): eps for k < T
        (x_T = 0 there, Carmon et al. 2020 Lemma 3; numerically the minimum is about 1.341 eps), 0 for
        k >= T."""
        k = checks.require_rounds(k)
        return np.where(k < self.chain_length, self.eps, 0.0)[()]
