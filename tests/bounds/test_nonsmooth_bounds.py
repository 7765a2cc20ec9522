"""Non-smooth claims: Theorem D re-derived in sympy against docs/theory.md's statement, the span bound, the
regime map, and the counter-based noise (independent of batching)."""
import math

import numpy as np
import pytest
import sympy as sp

from pplimits.algorithms.noise import gaussian_block, perturbations
from pplimits.bounds.pprs import derivation
from pplimits.bounds.regime import regime
from pplimits.bounds.registry import get
from pplimits.bounds.symbols import L, R, T, d, depth, eps, makespan, n, tau, tau_g, tau_g_gpipe
from pplimits.bounds.tuning import tuning

C = sp.sqrt(2 / sp.pi)


def _same(a, b):
    return sp.simplify(a - b) == 0


def test_theorem_d_tuning_is_theory_statement():
    steps = derivation()
    # docs/theory.md §2.5: γ = R√(2c)/(T d^{1/4}), K = (2T+1)/(12c√d), tuned bound 4√(2c)·LR d^{1/4}/T
    assert _same(steps["gamma"], R * sp.sqrt(2 * C) / (T * d ** sp.Rational(1, 4)))
    assert _same(steps["samples"], (2 * T + 1) / (12 * C * sp.sqrt(d)))
    assert _same(steps["tuned"], 4 * sp.sqrt(2 * C) * L * R * d ** sp.Rational(1, 4) / T)
    assert abs(float(4 * sp.sqrt(2 * C)) - 5.053) < 5e-4  # docs/theory.md's ≈ 5.053


def test_theorem_d_leading_constants_match_theory():
    # docs/theory.md §2.5: T_ε ≈ 10.1 Δ LR d^{1/4}/ε + 10.7 n (LR/ε)² (two-decimal rounding there)
    leading = sp.expand(derivation()["leading"])
    depth_coefficient = leading.coeff(depth) * eps / (L * R * d ** sp.Rational(1, 4))
    n_coefficient = leading.coeff(n) * eps**2 / (L * R) ** 2
    assert abs(float(depth_coefficient) - 10.1) < 0.05 and abs(float(n_coefficient) - 10.7) < 0.05


def test_tuning_numbers():
    tuned = tuning(1e-2, 1.0, 1.0, 10_000)
    assert tuned.T == math.ceil(float(4 * sp.sqrt(2 * C)) * 10 / 1e-2)
    assert tuned.K == math.ceil((2 * tuned.T + 1) / (12 * float(C) * 100))
    assert math.isclose(tuned.gamma, math.sqrt(2 * float(C)) / (tuned.T * 10))


def test_span_lower_bound_and_subgradient_ratio_match_theory():
    # docs/theory.md §2.4: T_ε ≥ τ((LR/(2ε) − 1)² − 1); span ratio 4τ_g/τ, ≈ 8 with τ_g/τ ≤ 2 (gpipe)
    expected = tau * ((L * R / (2 * eps) - 1) ** 2 - 1)
    assert _same(get("nonsmooth-convex.lower.time").expression, sp.Max(0, expected))
    assert _same(get("nonsmooth-convex.ratio").expression, 4 * tau_g / tau)
    ratio = get("nonsmooth-convex.ratio").expression.subs(tau_g, tau_g_gpipe)
    assert _same(ratio.subs(n, 1), 4) and _same(ratio.subs(n, depth + 1), 8)


def test_pprs_ratio_is_order_d_to_the_quarter_and_recon_labelled():
    claim = get("nonsmooth-convex.pprs.ratio")
    assert claim.label == "RECON"
    assert d not in sp.simplify(claim.expression / d ** sp.Rational(1, 4)).free_symbols
    assert get("nonsmooth-convex.pprs-drs.upper.time").label == "RECON"
    assert get("nonsmooth-convex.recon.lower.time").label == "RECON"


@pytest.mark.parametrize("depth_value", [1, 2, 4])
def test_regime_subgradient_wins_shallow_pipelines(depth_value):
    assert regime(depth_value, 100, 1e-2).winner == "subgradient"


@pytest.mark.parametrize("depth_value", [64, 256, 1024])
def test_regime_pprs_wins_deep_pipelines_when_rl_over_eps_is_large(depth_value):
    # docs/theory.md: PPRS wins roughly when Δ ≳ 5n and RL/ε ≳ 5 d^{1/4}
    result = regime(depth_value, 100, 1e-2)
    assert result.winner == "pprs" and result.speedup > 1
    assert math.isclose(result.speedup, result.subgradient_time / result.pprs_time)


def test_noise_does_not_depend_on_batching():
    together = perturbations([11, 12, 13], 5, 4, (7, 3))
    alone = perturbations([12], 5, 4, (7, 3))
    np.testing.assert_array_equal(together[1], alone[0])
    np.testing.assert_array_equal(together[2, 3, 7:], gaussian_block(13, 5, 3, 1, 3))
    assert not np.array_equal(perturbations([12], 6, 4, (7, 3)), alone)  # another iteration, other noise
    big = perturbations([2**63 + 5], 2**31 + 3, 3, (5, 4))  # the key's high word and top bits
    np.testing.assert_array_equal(big[0, 2, 5:], gaussian_block(2**63 + 5, 2**31 + 3, 2, 1, 4))
    assert not np.array_equal(together[0, 0], together[0, 1])  # another query, other noise


def test_noise_key_ranges_are_checked():
    with pytest.raises(ValueError, match="iteration"):
        gaussian_block(0, 2**32, 0, 0, 3)
    with pytest.raises(ValueError, match="seed"):
        gaussian_block(-1, 0, 0, 0, 3)


def test_noise_is_standard_normal():
    # 10⁶ draws: mean within 6 standard errors (6/1000) and variance within 6·√2/1000 of 1
    x = perturbations([0], 0, 1, (10**6,)).ravel()
    assert abs(x.mean()) < 6e-3 and abs(x.var() - 1) < 6 * math.sqrt(2) * 1e-3


def test_regime_slope_matches_the_speedup_between_neighbouring_depths():
    # the speed-up's local log-log slope in Δ, from two nearby depths, equals the closed form reported
    low, high = regime(40, 16, 1e-3), regime(41, 16, 1e-3)
    measured = math.log(high.speedup / low.speedup) / math.log(41 / 40)
    assert abs(measured - (low.depth_slope + high.depth_slope) / 2) < 1e-3
    assert low.near_linear and not regime(2000, 16, 1e-3).near_linear  # K = 528 here: nK ≫ Δ fails


def test_the_numeric_smoothing_constant_is_the_exact_one_rounded():
    from pplimits.bounds.smoothing import C_SMOOTH
    from pplimits.bounds.symbols import c_smooth

    assert C_SMOOTH == pytest.approx(float(c_smooth.evalf(30)), rel=2**-52)


def test_the_papers_pprs_shape_is_the_abstracts():
    """PAPER: within a d^{1/4} factor of optimal, O(Δ·RL d^{1/4}/ε + n(RL/ε)²) — written here from the abstract."""
    from pplimits.bounds.registry import get
    from pplimits.bounds.symbols import L, R, d, depth, eps, n

    written = depth * R * L * d ** sp.Rational(1, 4) / eps + n * (R * L / eps) ** 2
    assert sp.simplify(get("nonsmooth-convex.pprs.paper").expression - written) == 0


def test_recon_lower_bound_is_the_theory_form_with_unit_constants():
    """docs/theory.md §2.4: any procedure needs Ω((RL/ε)² + Δ·RL/ε); RECON, constants set to 1."""
    written = (R * L / eps) ** 2 + depth * R * L / eps
    assert _same(get("nonsmooth-convex.recon.lower.time").expression, written)


def test_pprs_time_at_a_hand_computed_point():
    """docs/theory.md §2.5: T = ⌈4√(2c)·LR d^{1/4}/ε⌉, K = ⌈(2T+1)/(12c√d)⌉, c = √(2/π), and each iteration takes
    2(nK + Δ − 1) ticks. Evaluated here in 50-digit mpmath at the float ε's exact value: d = 10⁴, L = R = 1, ε = 0.01
    gives T = ⌈5052.97⌉ = 5053, K = ⌈10.56⌉ = 11, and at Δ = 64, n = 2 the time 5053·2·(64 + 22 − 1)."""
    import mpmath

    with mpmath.workdps(50):
        c = mpmath.sqrt(2 / mpmath.pi)
        iterations = int(mpmath.ceil(4 * mpmath.sqrt(2 * c) * 10 / mpmath.mpf(0.01)))
        batch = int(mpmath.ceil((2 * iterations + 1) / (12 * c * 100)))
    assert (iterations, batch) == (5053, 11)
    values = {eps: 0.01, L: 1.0, R: 1.0, d: 10_000, n: 2, makespan: lambda inputs: 2 * (64 + inputs - 1)}
    assert get("nonsmooth-convex.pprs.upper.time").evaluate(values) == iterations * 2 * (64 + 2 * batch - 1) == 859010


def test_drs_schedule_at_a_hand_computed_point():
    """docs/theory.md §2.5, RECON variant: T = ⌈20 RL d^{1/4}/ε⌉, K = ⌈5 RL d^{-1/4}/ε⌉. At d = 10⁴ (d^{1/4} = 10),
    L = R = 1, ε = 0.03 (RL/ε ≈ 33.33): T = ⌈6666.7⌉ = 6667, K = ⌈16.67⌉ = 17; at Δ = 8, n = 1 the time is
    6667·2·(8 + 17 − 1)."""
    from pplimits.bounds.tuning import Tuning, drs_tuning

    assert drs_tuning(0.03, 1.0, 1.0, 10_000) == Tuning(T=6667, K=17)
    values = {eps: 0.03, L: 1.0, R: 1.0, d: 10_000, n: 1, makespan: lambda inputs: 2 * (8 + inputs - 1)}
    assert get("nonsmooth-convex.pprs-drs.upper.time").evaluate(values) == 6667 * 2 * (8 + 17 - 1) == 320016
