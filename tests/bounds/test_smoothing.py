"""Gaussian smoothing lemmas (docs/theory.md §3; bounds/smoothing.py), each checked with a threshold derived
from a concentration inequality, never from observed values.

Inequalities (δ = the failure probability if the lemma holds; each random test splits DELTA = 1e-9 over
its m checks by a union bound, so δ = DELTA/m per check):
  Gaussian concentration (Tsirelson–Ibragimov–Sudakov): F G-Lipschitz in Z ~ N(0, I) ⇒ the mean of n
    i.i.d. copies is (G/√n)-Lipschitz in all the draws, P(|mean − E F| > s) ≤ 2exp(−n s²/(2G²)).
  Hoeffding: values in an interval of width w ⇒ P(|mean − E| > s) ≤ 2exp(−2n s²/w²).
  Bernstein: |D − E D| ≤ b, Var D ≤ σ² ⇒ P(|mean − E D| > s) ≤ 2exp(−n s²/(2σ² + 2bs/3)).
Deterministic checks allow a few ulps of floating-point rounding, stated where used. Seeds are fixed
(numpy Generator(PCG64(seed))).
"""
import math

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pplimits.bounds.smoothing import (
    MonteCarlo,
    expected_norm,
    gradient_variance_bound,
    lipschitz_of_smoothed_gradient,
    monte_carlo_gradient,
    monte_carlo_value,
    smoothed_abs,
    smoothed_abs_grad,
    smoothed_max2,
    smoothed_max2_grad,
    smoothing_bias_bound,
)

DELTA = 1e-9
SEEDS = (2019, 1105, 31415)
EPS = np.finfo(np.float64).eps
C = math.sqrt(2.0 / math.pi)


def rng(seed):
    return np.random.Generator(np.random.PCG64(seed))


def gaussian_margin(lipschitz, n, delta):
    """s with 2exp(−n s²/(2G²)) = δ."""
    return lipschitz * math.sqrt(2.0 * math.log(2.0 / delta) / n)


def hoeffding_margin(width, n, delta):
    """s with 2exp(−2n s²/w²) = δ."""
    return width * math.sqrt(math.log(2.0 / delta) / (2.0 * n))


def bernstein_margin(variance, bound, n, delta):
    """s with 2exp(−n s²/(2σ² + 2bs/3)) = δ: the positive root of n s² − (2bℓ/3) s − 2σ²ℓ, ℓ = ln(2/δ)."""
    ell = math.log(2.0 / delta)
    linear = 2.0 * bound * ell / 3.0
    return (linear + math.sqrt(linear**2 + 8.0 * n * variance * ell)) / (2.0 * n)


# Batched objectives on (..., d) arrays and their (sub)gradients.
def abs_value(p):
    return np.abs(p[..., 0])


def abs_gradient(p):
    return np.sign(p)


def max2_value(p):
    return np.max(p, axis=-1)


def max2_gradient(p):
    return (p == np.max(p, axis=-1, keepdims=True)).astype(p.dtype)  # ties have probability 0


def log_uniform(lo, hi):
    return st.floats(math.log(lo), math.log(hi)).map(math.exp)


finite_x = st.floats(-1e6, 1e6)
gammas = log_uniform(1e-4, 1e4)


# 1. E‖Z‖

def test_expected_norm_matches_mpmath():
    """E‖Z‖ = √2 Γ((d+1)/2)/Γ(d/2) to 4e-15 relative, d = 1..130 and up to 1e12 (40-digit mpmath)."""
    mpmath.mp.dps = 40
    for d in [*range(1, 131), 200, 1000, 12345, 10**6, 10**9, 10**12]:
        exact = mpmath.sqrt(2) * mpmath.exp(mpmath.loggamma(mpmath.mpf(d + 1) / 2) - mpmath.loggamma(mpmath.mpf(d) / 2))
        assert abs(expected_norm(d) / exact - 1) <= 4e-15, d


def test_expected_norm_below_sqrt_d_and_asymptotic():
    """E‖Z‖ < √d, and E‖Z‖/√d = 1 − 1/(4d) + 1/(32d²) + O(d⁻³): |d²(E‖Z‖/√d − 1 + 1/(4d)) − 1/32| ≤ 1/d."""
    for d in [1, 2, 3, 10, 63, 64, 65, 1000, 10**6, 10**9]:
        assert expected_norm(d) < math.sqrt(d)
    for d in [1, 2, 5, 10, 64, 100, 1000, 10**4]:
        deviation = d**2 * (expected_norm(d) / math.sqrt(d) - 1 + 1 / (4 * d))
        assert abs(deviation - 1 / 32) <= 1 / d, d


@pytest.mark.parametrize("d", [0, -3, 1.5, True, "4"])
def test_expected_norm_rejects_bad_dimension(d):
    with pytest.raises(ValueError, match="d must be an integer"):
        expected_norm(d)


# 2. Closed forms

POINTS = [-3.0, -0.4, 0.0, 0.25, 2.0]
WIDTHS = [0.1, 1.0, 7.0]


def _psi_mp(t):
    return mpmath.npdf(t) - t * (1 - mpmath.ncdf(t))  # E(Z − t)₊


def test_closed_forms_match_quadrature():
    """Closed forms equal 30-digit mpmath quadrature: E|x + γZ| split at the kink, E sign(x + γZ) = 1 − 2Φ(−x/γ)
    as an integral, and E max(x₁ + γZ₁, x₂ + γZ₂) by conditioning on Z₂ (inner E(Z₁ − t)₊ = φ(t) − tΦ̄(t))."""
    mpmath.mp.dps = 30
    for gamma in WIDTHS:
        for x in POINTS:
            pieces = [-mpmath.inf, *sorted({0.0, -x / gamma}), mpmath.inf]  # split at the kink and the mode
            abs_exact = mpmath.quad(lambda z: abs(x + gamma * z) * mpmath.npdf(z), pieces)
            sign_exact = mpmath.quad(lambda z: mpmath.sign(x + gamma * z) * mpmath.npdf(z), pieces)
            assert float(smoothed_abs(x, gamma)) == pytest.approx(float(abs_exact), rel=1e-13, abs=1e-300)
            assert float(smoothed_abs_grad(x, gamma)) == pytest.approx(float(sign_exact), rel=1e-13, abs=1e-15)
            x1, x2 = x, 0.3

            def inner(z):
                c = x2 + gamma * z
                return c + gamma * _psi_mp((c - x1) / gamma)

            max_exact = mpmath.quad(lambda z: inner(z) * mpmath.npdf(z), [-mpmath.inf, mpmath.inf])
            first_wins = mpmath.quad(lambda z: (1 - mpmath.ncdf((x2 + gamma * z - x1) / gamma)) * mpmath.npdf(z),
                                     [-mpmath.inf, mpmath.inf])
            assert float(smoothed_max2(x1, x2, gamma)) == pytest.approx(float(max_exact), rel=1e-13, abs=1e-15)
            grad = smoothed_max2_grad(x1, x2, gamma)
            np.testing.assert_allclose(grad, [float(first_wins), float(1 - first_wins)], rtol=1e-13, atol=1e-15)


def test_smoothed_abs_equals_the_stated_formula():
    """The stable forms equal the stated ones to a few ulps of max(|x|, γ): E|x + γZ| = γ√(2/π)e^{−x²/(2γ²)} +
    x·erf(x/(γ√2)) and E max(x + γZ₁, γZ₂) = x/2 + ½·E|x + √2γZ|."""
    from scipy.special import erf

    x = np.linspace(-50.0, 50.0, 2001)
    for gamma in [0.01, 1.0, 30.0]:
        stated = gamma * C * np.exp(-(x**2) / (2 * gamma**2)) + x * erf(x / (gamma * math.sqrt(2)))
        assert np.all(np.abs(smoothed_abs(x, gamma) - stated) <= 8 * EPS * np.maximum(np.abs(x), gamma))
        identity = 2 * smoothed_max2(x, 0.0, gamma) - x  # max(a, b) = (a + b + |a − b|)/2
        tolerance = 8 * EPS * np.maximum(np.abs(x), gamma)
        assert np.all(np.abs(identity - smoothed_abs(x, math.sqrt(2) * gamma)) <= tolerance)


def test_gradients_are_derivatives_of_the_values():
    """Central differences of the values match the gradients within h²/6·sup|f'''| + rounding 8·ε·max|f|/h,
    with sup|f'''| ≤ √(2/π)e^{−1/2}/γ² < 0.5/γ² (|x|) and ≤ 0.121/γ² (max of two, along x₁)."""
    x = np.linspace(-4.0, 4.0, 161)
    for gamma in [0.3, 1.0, 5.0]:
        h = 1e-4 * gamma
        for value, grad in [(lambda u: smoothed_abs(u, gamma), smoothed_abs_grad(x, gamma)),
                            (lambda u: smoothed_max2(u, 0.5, gamma), smoothed_max2_grad(x, 0.5, gamma)[..., 0])]:
            difference = (value(x + h) - value(x - h)) / (2 * h)
            scale = np.maximum(np.abs(value(x + h)), np.abs(value(x - h)))
            assert np.all(np.abs(difference - grad) <= h**2 / 6 * 0.5 / gamma**2 + 8 * EPS * scale / h)


def closed_form_vs_monte_carlo(seed, abs_closed_form=smoothed_abs):
    """Largest |MC mean − closed form| / margin over the checks below (≤ 1 expected), n = 100 000 samples.

    |x + γZ| and max(x₁ + γZ₁, x₂ + γZ₂) are γ-Lipschitz in Z (Gaussian margin); sign ∈ [−1, 1] (Hoeffding,
    w = 2); each coordinate of the max's gradient (a one-hot vector) ∈ [0, 1] (Hoeffding, w = 1).
    """
    n, generator = 100_000, rng(seed)
    x = np.array(POINTS)
    pairs = np.stack([x, np.full_like(x, 0.3)], axis=-1)
    m = 6 * len(WIDTHS) * len(POINTS)  # 1 + 1 + 2 + 2 checks per (x, γ)
    worst = 0.0
    for gamma in WIDTHS:
        value = monte_carlo_value(abs_value, x[:, None], gamma, n, generator).mean
        grad = monte_carlo_gradient(abs_gradient, x[:, None], gamma, n, generator).mean[:, 0]
        max_value = monte_carlo_value(max2_value, pairs, gamma, n, generator).mean
        max_grad = monte_carlo_gradient(max2_gradient, pairs, gamma, n, generator).mean
        ratios = [np.abs(value - abs_closed_form(x, gamma)) / gaussian_margin(gamma, n, DELTA / m),
                  np.abs(grad - smoothed_abs_grad(x, gamma)) / hoeffding_margin(2.0, n, DELTA / m),
                  np.abs(max_value - smoothed_max2(x, 0.3, gamma)) / gaussian_margin(gamma, n, DELTA / m),
                  np.abs(max_grad - smoothed_max2_grad(x, 0.3, gamma)) / hoeffding_margin(1.0, n, DELTA / m)]
        worst = max(worst, *(float(np.max(r)) for r in ratios))
    return worst


@pytest.mark.parametrize("seed", SEEDS)
def test_closed_forms_match_monte_carlo(seed):
    """|MC mean − closed form| ≤ concentration margin at failure probability 1e-9 (all 90 checks together)."""
    assert closed_form_vs_monte_carlo(seed) <= 1.0


def test_monte_carlo_check_rejects_a_wrong_closed_form():
    """Dropping the kink term γ√(2/π)e^{−x²/(2γ²)} (keeping x·erf) is caught by the same margins."""
    from scipy.special import erf

    assert closed_form_vs_monte_carlo(SEEDS[0], lambda x, g: x * erf(x / (g * math.sqrt(2)))) > 1.0


# Monte Carlo estimator contract

def test_monte_carlo_layout_chunking_and_variance():
    """Samples are rng.standard_normal((n, *x.shape)) whatever the chunk size; mean and unbiased variance
    match numpy on those samples; no block passed to f exceeds max_bytes of float64 perturbations."""
    x = np.array([[0.5, -1.0, 2.0], [0.0, 0.0, 0.0]])
    gamma, n = 0.7, 1000
    z = rng(7).standard_normal((n, *x.shape))
    points = x + gamma * z  # (n, S, d)
    blocks = []

    def recording_value(p):
        blocks.append(p.shape)
        return max2_value(p)

    for max_bytes in [1, 480, 10_000, 2**26]:
        blocks.clear()
        value = monte_carlo_value(recording_value, x, gamma, n, rng(7), max_bytes=max_bytes)
        assert max(math.prod(shape) * 8 for shape in blocks) <= max(max_bytes, x.size * 8)
        assert all(shape[0] == 2 and shape[2] == 3 for shape in blocks)
        np.testing.assert_allclose(value.mean, np.mean(max2_value(points), axis=0), rtol=1e-13)
        np.testing.assert_allclose(value.variance, np.var(max2_value(points), axis=0, ddof=1), rtol=1e-10)
        grad = monte_carlo_gradient(max2_gradient, x, gamma, n, rng(7), max_bytes=max_bytes)
        assert grad.mean.shape == grad.variance.shape == x.shape
        np.testing.assert_allclose(grad.mean, np.mean(max2_gradient(points), axis=0), rtol=1e-13)
        np.testing.assert_allclose(grad.variance, np.var(max2_gradient(points), axis=0, ddof=1), rtol=1e-10)
        np.testing.assert_allclose(grad.standard_error, np.sqrt(grad.variance / n))
    single = monte_carlo_value(abs_value, np.array([0.2]), 1.0, 1, rng(3))
    assert isinstance(single, MonteCarlo) and single.mean.shape == () and np.isnan(single.variance)


@pytest.mark.parametrize("kwargs, match", [
    ({"x": np.zeros((2, 2, 2))}, "x must have shape"),
    ({"gamma": 0.0}, "gamma must be"),
    ({"samples": 0}, "samples must be"),
    ({"rng": 3}, "rng must be"),
    ({"max_bytes": 0}, "max_bytes must be"),
])
def test_monte_carlo_rejects_bad_arguments(kwargs, match):
    arguments = {"x": np.zeros(2), "gamma": 1.0, "samples": 10, "rng": rng(0), "max_bytes": 1000} | kwargs
    with pytest.raises(ValueError, match=match):
        monte_carlo_value(max2_value, **arguments)


def test_array_api_namespace_is_kept():
    """array-api-strict inputs give array-api-strict outputs with numpy's numbers."""
    xp = pytest.importorskip("array_api_strict", reason="array-api-strict is in the [test] extra")
    x = np.linspace(-2.0, 2.0, 9)
    strict = xp.asarray(x)
    for ours, reference in [(smoothed_abs(strict, 0.5), smoothed_abs(x, 0.5)),
                            (smoothed_abs_grad(strict, 0.5), smoothed_abs_grad(x, 0.5)),
                            (smoothed_max2(strict, xp.asarray(0.1), 0.5), smoothed_max2(x, 0.1, 0.5)),
                            (smoothed_max2_grad(strict, xp.asarray(0.1), 0.5), smoothed_max2_grad(x, 0.1, 0.5))]:
        assert ours.__array_namespace__() is xp
        np.testing.assert_allclose(np.asarray(ours), reference, rtol=1e-15)
    estimate = monte_carlo_gradient(lambda p: xp.sign(p), xp.reshape(strict, (9, 1)), 0.5, 50, rng(1))
    assert estimate.mean.__array_namespace__() is xp


# 3. Bias f ≤ f_γ ≤ f + γL E‖Z‖

def bias_violations(x, gamma, bound_scale=1.0):
    """Points where |x| ≤ f_γ ≤ |x| + scale·γE|Z| (d = 1, L = 1) or the same for max(x, 0.3) (d = 2) fails.

    f ≤ f_γ is exact in floating point (f_γ = f + nonnegative); the upper side allows 4 ulps of f + bound.
    """
    x = np.asarray(x, dtype=np.float64)
    bad = 0
    for f, smoothed, d in [(np.abs(x), smoothed_abs(x, gamma), 1),
                           (np.maximum(x, 0.3), smoothed_max2(x, 0.3, gamma), 2)]:
        bound = bound_scale * smoothing_bias_bound(1.0, gamma, d)
        bad += int(np.sum(smoothed < f)) + int(np.sum(smoothed > f + bound + 4 * EPS * (np.abs(f) + bound)))
    return bad


def test_bias_on_grids():
    for gamma in [1e-8, 1e-3, 0.5, 1.0, 40.0, 1e6]:
        x = np.concatenate([np.linspace(-60, 60, 1201) * gamma, [0.0, 1e-300, -1e12, 1e300]])
        assert bias_violations(x, gamma) == 0


@given(finite_x, gammas)
def test_bias_on_hypothesis_examples(x, gamma):
    assert bias_violations(x, gamma) == 0


def test_bias_bound_is_attained_and_too_small_a_constant_is_flagged():
    """E|γZ| = γ√(2/π) = γ·1·E|Z|: the bound is an equality for |x| at 0, so 0.9 × it fails there."""
    for gamma in [1e-3, 1.0, 250.0]:
        assert float(smoothed_abs(0.0, gamma)) == pytest.approx(smoothing_bias_bound(1.0, gamma, 1), rel=4 * EPS)
        assert bias_violations([0.0], gamma, bound_scale=0.9) > 0


@pytest.mark.parametrize("seed", SEEDS)
def test_bias_in_dimension_50_by_monte_carlo(seed):
    """f = L·max_i x_i and f = L‖x‖₁/√d (d = 50, L = 3; convex, L-Lipschitz in ℓ₂) at 4 points: the MC mean
    of f(x + γZ) (Lγ-Lipschitz in Z, Gaussian margin, 12 checks at total failure probability 1e-9) lies in
    [f − s, f + γL E‖Z‖ + s]; the ℓ₁ one also matches its closed form (L/√d) Σ E|x_i + γZ_i| within s."""
    d, L, gamma, n = 50, 3.0, 0.5, 20_000
    generator = rng(seed)
    x = np.stack([np.zeros(d), 0.1 * generator.standard_normal(d), generator.standard_normal(d),
                  np.linspace(-1.0, 1.0, d)])
    s = gaussian_margin(L * gamma, n, DELTA / 12)
    bound = smoothing_bias_bound(L, gamma, d)
    for f in [lambda p: L * np.max(p, axis=-1), lambda p: L * np.sum(np.abs(p), axis=-1) / math.sqrt(d)]:
        mean = monte_carlo_value(f, x, gamma, n, generator).mean
        assert np.all(mean >= f(x) - s) and np.all(mean <= f(x) + bound + s)
    closed = L * np.sum(smoothed_abs(x, gamma), axis=-1) / math.sqrt(d)
    assert np.all(np.abs(mean - closed) <= s)


# 4. ∇f_γ is (√(2/π)L/γ)-Lipschitz

def lipschitz_violations(x, y, gamma, constant_scale=1.0):
    """Pairs where |∇f_γ(x) − ∇f_γ(y)| > scale·√(2/π)/γ·|x − y| + 4ε for |x| and for max(·, 0.3) (L = 1;
    for the max, ‖Δ∇‖₂ against ‖Δ(x₁, x₂)‖₂ = |x − y|); 4ε covers the rounding of the two gradients."""
    constant = constant_scale * lipschitz_of_smoothed_gradient(1.0, gamma)
    allowed = constant * np.abs(x - y) + 4 * EPS
    abs_gap = np.abs(smoothed_abs_grad(x, gamma) - smoothed_abs_grad(y, gamma))
    max_gap = np.linalg.norm(smoothed_max2_grad(x, 0.3, gamma) - smoothed_max2_grad(y, 0.3, gamma), axis=-1)
    return int(np.sum(abs_gap > allowed) + np.sum(max_gap > allowed))


def test_gradient_lipschitz_on_grids():
    for gamma in [1e-6, 0.1, 1.0, 30.0]:
        x = np.linspace(-8, 8, 801) * gamma
        assert lipschitz_violations(x[:, None], x[None, :], gamma) == 0


@given(finite_x, finite_x, gammas)
def test_gradient_lipschitz_on_hypothesis_examples(x, y, gamma):
    assert lipschitz_violations(np.array(x), np.array(y), gamma) == 0


def test_gradient_lipschitz_constant_is_tight_for_abs_and_too_small_a_constant_is_flagged():
    """(erf(u) − erf(−u))/(2h), u = h/(γ√2), lies in [(c/γ)(1 − u²/3), c/γ] (erf(u) ≥ (2/√π)(u − u³/3)),
    so the ratio → c/γ = √(2/π)/γ as h → 0, and 0.9·c/γ is violated near 0."""
    for gamma in [1e-3, 1.0, 50.0]:
        constant = lipschitz_of_smoothed_gradient(1.0, gamma)
        for h in [1e-1 * gamma, 1e-2 * gamma, 1e-4 * gamma]:
            u = h / (gamma * math.sqrt(2))
            ratio = float(smoothed_abs_grad(h, gamma) - smoothed_abs_grad(-h, gamma)) / (2 * h)
            assert constant * (1 - u**2 / 3) * (1 - 1e-13) <= ratio <= constant * (1 + 1e-13)
        grid = np.linspace(-0.5, 0.5, 11) * gamma
        assert lipschitz_violations(grid[:, None], grid[None, :], gamma, constant_scale=0.9) > 0


def test_smoothed_functions_are_1_lipschitz():
    """f_γ inherits f's Lipschitz constant (L = 1): |erf| ≤ 1 and the max's gradient is a probability vector."""
    x = np.linspace(-1e3, 1e3, 20001)
    assert np.all(np.abs(smoothed_abs_grad(x, 0.7)) <= 1.0)
    grad = smoothed_max2_grad(x, 0.3, 0.7)
    assert np.all(grad >= 0) and np.allclose(np.sum(grad, axis=-1), 1.0, rtol=0, atol=2 * EPS)


# 5. K-sample gradient average: E‖G − ∇f_γ‖² ≤ L²/K

BATCHES = 500_000
VARIANCE_CASES = [  # (name, gradient of f (L = 1), point, closed-form ∇f_γ there, E‖G − ∇f_γ‖² = L²/K exactly?)
    ("abs at 0", abs_gradient, np.array([0.0]), lambda g: np.atleast_1d(smoothed_abs_grad(0.0, g)), True),
    ("abs at 0.5γ", abs_gradient, np.array([0.5]), lambda g: np.atleast_1d(smoothed_abs_grad(0.5, g)), False),
    ("max at a tie", max2_gradient, np.array([0.3, 0.3]), lambda g: smoothed_max2_grad(0.3, 0.3, g), False),
]


def variance_statistic(case, K, seed, gamma=1.0):
    _, grad, x, exact_gradient, _ = case
    G = monte_carlo_gradient(grad, np.tile(x, (BATCHES, 1)), gamma, K, rng(seed)).mean
    return float(np.mean(np.sum((G - exact_gradient(gamma)) ** 2, axis=-1)))


def variance_margin(K, m):
    """Bernstein at δ = DELTA/m for D = ‖G − ∇f_γ‖² ∈ [0, 4L²] (‖∇f‖, ‖∇f_γ‖ ≤ L): |D − E D| ≤ 4L², and if
    E D ≤ L²/K then Var D ≤ E D² ≤ 4L²·E D ≤ 4L⁴/K (L = 1)."""
    return bernstein_margin(4.0 / K, 4.0, BATCHES, DELTA / m)


@pytest.mark.parametrize("seed", SEEDS[:2])
@pytest.mark.parametrize("case", VARIANCE_CASES, ids=[c[0] for c in VARIANCE_CASES])
def test_gradient_variance_bound(case, seed):
    """mean D ≤ L²/K + s for K ∈ {1, 4, 16}; where E D = L²/K exactly (|x| at 0: G is a mean of K signs,
    E G² = 1/K) also mean D ≥ L²/K − s. 6 checks at total failure probability 1e-9."""
    for K in [1, 4, 16]:
        statistic, bound, s = variance_statistic(case, K, seed), gradient_variance_bound(1.0, K), variance_margin(K, 6)
        assert statistic <= bound + s
        if case[4]:
            assert statistic >= bound - s


def test_too_small_a_variance_constant_is_flagged():
    """0.9·L²/K fails the same one-sided check on |x| at 0, where E D = L²/K (the gap 0.1/K exceeds s)."""
    for K in [1, 4, 16]:
        too_small = 0.9 * gradient_variance_bound(1.0, K)
        assert variance_statistic(VARIANCE_CASES[0], K, SEEDS[0]) > too_small + variance_margin(K, 6)


# Argument checks of the bound helpers

def test_bound_helpers_reject_bad_arguments():
    for call in [lambda: lipschitz_of_smoothed_gradient(1.0, 0.0), lambda: lipschitz_of_smoothed_gradient(-1.0, 1.0),
                 lambda: smoothing_bias_bound(1.0, math.inf, 3), lambda: smoothing_bias_bound(1.0, 1.0, 0),
                 lambda: gradient_variance_bound(1.0, 0), lambda: gradient_variance_bound(1.0, 2.5),
                 lambda: smoothed_abs(1.0, 0.0), lambda: smoothed_max2_grad(1.0, 2.0, -1.0)]:
        with pytest.raises(ValueError):
            call()
