"""Gaussian smoothing f_γ(x) = E f(x + γZ), Z ~ N(0, I_d) (docs/theory.md §3 "Gaussian smoothing", used by PPRS §2.5).

For f convex and L-Lipschitz (DERIVED; compare Duchi–Bartlett–Wainwright 2012, Lemma E.3, and
Nesterov–Spokoiny 2017, Thm 1 and Lemma 2):
  f ≤ f_γ ≤ f + γL E‖Z‖   (Jensen with E Z = 0; then f(x + γZ) − f(x) ≤ γL‖Z‖);
  ∇f_γ is (√(2/π) L/γ)-Lipschitz: ∇²f_γ(x) = E[∇f(x + γZ) Zᵀ]/γ (Gaussian integration by parts), so
    uᵀ∇²f_γ v = E[⟨u, ∇f⟩⟨v, Z⟩]/γ ≤ L E|⟨v, Z⟩|/γ = √(2/π) L/γ for unit u, v — tight for L|x₁| at 0;
  G = (1/K) Σ_k ∇f(x + γX_k) is unbiased for ∇f_γ(x) with
    E‖G − ∇f_γ‖² = (E‖∇f(x + γX)‖² − ‖∇f_γ(x)‖²)/K ≤ L²/K.
Closed forms in one and two variables (DERIVED) rest on ψ(t) = E(Z − t)₊ = φ(t) − tΦ̄(t) ≥ 0.
scipy.special supplies erf/erfc/erfcx (the Array API standard has none); all other arithmetic runs in
the input's array namespace (numpy by default).
"""
import math
from typing import Any, Callable, NamedTuple

import numpy as np
from scipy.special import erf, erfc, erfcx

from pplimits._util.arrays import namespace
from pplimits._util.checks import UsageError, require_int, require_number

C_SMOOTH = math.sqrt(2 / math.pi)  # c = √(2/π): ∇f_γ of an L-Lipschitz f is (cL/γ)-Lipschitz; the one numeric copy
PERTURBATION_BYTES = 64 * 2**20  # largest block of Gaussian perturbations drawn at once
_SERIES_FROM = 64  # expected_norm: asymptotic series for d >= this (truncation error < 1e-16)


def _special(xp, function, t):
    """A scipy.special function of t, returned in t's namespace, dtype and device."""
    return xp.asarray(function(t), dtype=t.dtype, device=t.device)


def _scaled_psi(xp, a, scale):
    """scale·ψ(a/scale) for a ≥ 0, where ψ(t) = E(Z − t)₊ = φ(t) − tΦ̄(t) = e^{−t²/2}(1/√(2π) − (t/2)·erfcx(t/√2)).

    The bracket is ≈ 1/(√(2π)t²) > 0 and is computed in the normal range, so the result is ≥ 0 even where
    e^{−t²/2} is subnormal. ψ(t) is 0.0 in float64 for t ≥ 39, so capping t at 40 is exact and keeps
    t finite for any finite a.
    """
    t = xp.minimum(a, 40.0 * scale) / scale
    bracket = 1.0 / math.sqrt(2.0 * math.pi) - 0.5 * t * _special(xp, erfcx, t / math.sqrt(2.0))
    return scale * xp.exp(-0.5 * t * t) * bracket


def expected_norm(d: int) -> float:
    """E‖Z‖ = √2 Γ((d+1)/2)/Γ(d/2) for Z ~ N(0, I_d) (CLASSICAL: mean of the chi distribution).

    d < 64: a ratio of math.gamma values (7e-16 relative; Γ(32) ≈ 8e33 does not overflow). d ≥ 64: the
    expansion ln(Γ(z+½)/Γ(z)) = ½ ln z − 1/(8z) + 1/(192z³) − 1/(640z⁵) + 17/(14336z⁷) + O(z⁻⁹) at
    z = d/2 (Bernoulli polynomials at ½), i.e.
    E‖Z‖ = √d exp(−1/(4d) + 1/(24d³) − 1/(20d⁵) + 17/(112d⁷)), remainder < 1e-16 (a gammaln difference
    loses accuracy as ε·lnΓ(d/2): 1e-14 at d = 50, 1e-6 at d = 1e9).
    The exponent is < 0, so E‖Z‖ < √d, and E‖Z‖ = √d (1 − 1/(4d) + O(d⁻²)).
    """
    d = require_int("d", d)
    if d < _SERIES_FROM:
        return math.sqrt(2.0) * math.gamma((d + 1) / 2) / math.gamma(d / 2)
    exponent = -1 / (4 * d) + 1 / (24 * d**3) - 1 / (20 * d**5) + 17 / (112 * d**7)
    return math.sqrt(d) * math.exp(exponent)


def smoothed_abs(x, gamma):
    """E|x + γZ| = γ√(2/π) e^{−x²/(2γ²)} + x·erf(x/(γ√2)) (DERIVED, elementwise, Z ~ N(0, 1)).

    |y| = y + 2(−y)₊ and the symmetry of Z give E|x + γZ| = |x| + 2γψ(|x|/γ), evaluated in that form so
    that f ≤ f_γ holds exactly in floating point; 2γφ(t) and |x|(1 − 2Φ̄(t)) expand it to the formula above.
    """
    xp, x = namespace(x)
    gamma = require_number("gamma", gamma, 0.0)
    return xp.abs(x) + 2.0 * _scaled_psi(xp, xp.abs(x), gamma)


def smoothed_abs_grad(x, gamma):
    """d/dx E|x + γZ| = E sign(x + γZ) = erf(x/(γ√2)) (DERIVED; ψ' = −Φ̄). Its slope √(2/π)/γ·e^{−x²/(2γ²)}
    peaks at x = 0, so lipschitz_of_smoothed_gradient(1, γ) is attained there."""
    xp, x = namespace(x)
    gamma = require_number("gamma", gamma, 0.0)
    return _special(xp, erf, x / (gamma * math.sqrt(2.0)))


def smoothed_max2(x1, x2, gamma):
    """E max(x₁ + γZ₁, x₂ + γZ₂) = (x₁ + x₂)/2 + ½·smoothed_abs(x₁ − x₂, √2γ) (DERIVED, elementwise).

    max(a, b) = (a + b)/2 + |a − b|/2 and Z₁ − Z₂ ~ √2·N(0, 1). Evaluated as max(x₁, x₂) + √2γ ψ(|x₁ − x₂|/(√2γ))
    (the same number) so that f ≤ f_γ holds exactly in floating point.
    """
    xp, x1 = namespace(x1)
    _, x2 = namespace(x2)
    gamma = require_number("gamma", gamma, 0.0)
    width = math.sqrt(2.0) * gamma
    return xp.maximum(x1, x2) + _scaled_psi(xp, xp.abs(x1 - x2), width)


def smoothed_max2_grad(x1, x2, gamma):
    """∇ E max(x₁ + γZ₁, x₂ + γZ₂) = (Φ(δ/(√2γ)), Φ(−δ/(√2γ))), δ = x₁ − x₂, stacked on a new last axis
    (DERIVED: ½ ± ½ erf(δ/(2γ)), the probability that each coordinate wins; written with erfc for tails)."""
    xp, x1 = namespace(x1)
    _, x2 = namespace(x2)
    gamma = require_number("gamma", gamma, 0.0)
    u = (x1 - x2) / (2.0 * gamma)
    return xp.stack([0.5 * _special(xp, erfc, -u), 0.5 * _special(xp, erfc, u)], axis=-1)


class MonteCarlo(NamedTuple):
    """A Monte Carlo estimate of E g(x + γZ) from `samples` i.i.d. draws.

    mean: the sample mean; variance: the unbiased sample variance of the per-sample values (per
    coordinate for gradients; NaN when samples == 1) — enough for a CLT confidence interval
    mean ± z·standard_error.
    """

    mean: Any
    variance: Any
    samples: int

    @property
    def standard_error(self):
        return (self.variance / self.samples) ** 0.5


def _monte_carlo(function, x, gamma, samples, rng, max_bytes) -> MonteCarlo:
    xp, x = namespace(x)
    if x.ndim not in (1, 2):
        raise UsageError(f"x must have shape (d,) or (S, d), got shape {tuple(x.shape)}")
    gamma = require_number("gamma", gamma, 0.0)
    samples = require_int("samples", samples)
    max_bytes = require_int("max_bytes", max_bytes)
    if not isinstance(rng, np.random.Generator):
        raise UsageError(f"rng must be a numpy.random.Generator, got {rng!r}")
    axis = x.ndim - 1  # the sample axis of the points: (n, d) or (S, n, d)
    chunk = max(1, min(samples, max_bytes // (math.prod(x.shape) * 8)))  # draws are float64
    centre = xp.expand_dims(x, axis=axis)
    count, mean, m2 = 0, None, None
    for start in range(0, samples, chunk):
        n = min(chunk, samples - start)
        # Drawn sample-major, so the samples do not depend on the chunk size.
        z = np.moveaxis(rng.standard_normal((n, *x.shape)), 0, axis)
        values = function(centre + gamma * xp.asarray(z, dtype=x.dtype, device=x.device))
        chunk_mean = xp.mean(values, axis=axis)
        chunk_m2 = xp.sum((values - xp.expand_dims(chunk_mean, axis=axis)) ** 2, axis=axis)
        if mean is None:
            mean, m2 = chunk_mean, chunk_m2
        else:  # Chan–Golub–LeVeque pairwise update
            delta = chunk_mean - mean
            mean = mean + delta * (n / (count + n))
            m2 = m2 + chunk_m2 + delta**2 * (count * n / (count + n))
        count += n
    variance = m2 / (samples - 1) if samples > 1 else xp.full_like(m2, xp.nan)
    return MonteCarlo(mean, variance, samples)


def monte_carlo_value(f: Callable, x, gamma, samples: int, rng: np.random.Generator, *,
                      max_bytes: int = PERTURBATION_BYTES) -> MonteCarlo:
    """Estimate f_γ(x) = E f(x + γZ) (unbiased; CLASSICAL).

    f maps (..., d) points to (...) values; x has shape (d,) or (S, d) — S independent estimates, f called
    on (S, n, d) blocks like an instance's `value`. mean and variance have shape x.shape[:-1]. Samples are
    drawn as rng.standard_normal((samples, *x.shape)) in blocks of at most max_bytes.
    """
    return _monte_carlo(f, x, gamma, samples, rng, max_bytes)


def monte_carlo_gradient(grad: Callable, x, gamma, samples: int, rng: np.random.Generator, *,
                         max_bytes: int = PERTURBATION_BYTES) -> MonteCarlo:
    """G = (1/K) Σ_k ∇f(x + γX_k), K = samples: unbiased for ∇f_γ(x) with E‖G − ∇f_γ‖² ≤ L²/K (DERIVED).

    grad maps (..., d) points to (..., d) gradients; x has shape (d,) or (S, d) (S independent estimates);
    mean and variance have shape x.shape. Sampling as in monte_carlo_value.
    """
    return _monte_carlo(grad, x, gamma, samples, rng, max_bytes)


def lipschitz_of_smoothed_gradient(L, gamma) -> float:
    """√(2/π)·L/γ: ∇f_γ is this Lipschitz for f L-Lipschitz (DERIVED, module docstring; tight for L|x₁|)."""
    return C_SMOOTH * require_number("L", L, 0.0) / require_number("gamma", gamma, 0.0)


def smoothing_bias_bound(L, gamma, d: int) -> float:
    """γ·L·E‖Z‖: 0 ≤ f_γ − f ≤ this for f convex L-Lipschitz on R^d (DERIVED; DBW 2012 Lemma E.3;
    equality for L|x₁| at 0 when d = 1)."""
    return require_number("gamma", gamma, 0.0) * require_number("L", L, 0.0) * expected_norm(d)


def gradient_variance_bound(L, K: int) -> float:
    """L²/K: bound on E‖G − ∇f_γ‖² for the K-sample average G (DERIVED; equality for L|x₁| at 0)."""
    return require_number("L", L, 0.0) ** 2 / require_int("K", K)
