"""Tests for worstcase/: exact optima, gradients, smoothness, zero-chains and span gaps.

Hypothesis runs under the derandomised "pplimits" profile of tests/conftest.py (fixed examples).
"""
import json
import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import minimize

from pplimits.worstcase import (
    INSTANCES,
    CarmonChain,
    LogisticRegression,
    NesterovChain,
    RandomQuadratic,
    StronglyConvexChain,
    make_instance,
)
from tests.contracts.instance_checks import (
    assert_batched_and_read_only,
    assert_other_namespace_matches_numpy,
    assert_refused_naming,
)

INSTANCE_CASES = {
    "nesterov-full": lambda: NesterovChain(9),
    "nesterov-partial": lambda: NesterovChain(12, beta=2.5, chain_length=7),
    "sc-chain": lambda: StronglyConvexChain(20, beta=3.0, mu=0.1),
    "sc-chain-d1": lambda: StronglyConvexChain(1, mu=0.5),
    "carmon": lambda: CarmonChain(8, beta=2.0, eps=0.05, chain_length=6),
    "quadratic-convex": lambda: RandomQuadratic(5),
    "quadratic-strong": lambda: RandomQuadratic(7, seed=1, beta=2.0, mu=0.1, radius=3.0),
    "logistic": lambda: LogisticRegression(6, seed=2),
    "logistic-reg": lambda: LogisticRegression(4, points=10, seed=0, reg=0.1),
}
BUILT = {key: make() for key, make in INSTANCE_CASES.items()}
ALL = list(BUILT)
WITH_MINIMISER = [key for key in ALL if BUILT[key].x_star is not None]
CHAINS = [key for key in ALL if isinstance(BUILT[key], (NesterovChain, StronglyConvexChain, CarmonChain))]
CONVEX_CHAINS = [key for key in CHAINS if BUILT[key].criterion == "gap"]


def scale_of(inst) -> float:
    """A natural length scale of the instance (where its curvature lives)."""
    return inst.lam if isinstance(inst, CarmonChain) else max(inst.radius, 1.0)


def chain_length(inst) -> int:
    return getattr(inst, "chain_length", inst.dim)


def restricted_minimum(inst, k: int) -> float:
    """min f over span(e_1..e_k) for a quadratic f, by a direct numpy solve on its Hessian."""
    d, k = inst.dim, min(k, chain_length(inst))
    b = -inst.gradient(np.zeros(d))
    hessian = np.stack([inst.gradient(e) + b for e in np.eye(d)])
    if k == 0:
        return inst.f0
    z = np.linalg.solve(hessian[:k, :k], b[:k])
    return inst.f0 - 0.5 * float(b[:k] @ z)


# ---------------------------------------------------------------- interface and optimum


@pytest.mark.parametrize("key", ALL)
def test_interface(key):
    inst = BUILT[key]
    assert INSTANCES[inst.name] is type(inst)
    assert inst.setting in {"smooth-convex", "strongly-convex", "smooth-nonconvex"}
    assert inst.criterion in {"gap", "grad-norm"}
    assert inst.x0.dtype == np.float64 and inst.x0.shape == (inst.dim,) and not inst.x0.any()
    assert inst.beta > 0 and 0 <= inst.mu <= inst.beta
    assert (inst.setting == "strongly-convex") == (inst.mu > 0)
    assert inst.f0 == float(inst.value(inst.x0))
    assert isinstance(inst.f_star, float) and inst.f_star <= inst.f0
    if inst.x_star is None:
        assert inst.radius is None
    else:
        assert inst.radius == pytest.approx(np.linalg.norm(inst.x_star - inst.x0), rel=1e-14)
    again = make_instance(inst.name, **json.loads(json.dumps(inst.params)))
    assert again.params == inst.params and again.f_star == inst.f_star


@pytest.mark.parametrize("key", WITH_MINIMISER)
def test_optimum_is_exact(key):
    inst = BUILT[key]
    assert float(inst.value(inst.x_star)) == pytest.approx(inst.f_star, rel=1e-13, abs=1e-15)
    assert np.linalg.norm(inst.gradient(inst.x_star)) <= 1e-12


@pytest.mark.parametrize("key", ALL)
def test_batched_shapes_and_read_only_input(key):
    assert_batched_and_read_only(BUILT[key], scale_of(BUILT[key]))


@pytest.mark.parametrize("key", ALL)
def test_other_array_namespace(key):
    assert_other_namespace_matches_numpy(BUILT[key], scale_of(BUILT[key]))


# ---------------------------------------------------------------- gradient, smoothness, convexity


@pytest.mark.parametrize("key", ALL)
@given(seed=st.integers(0, 2**32 - 1), spread=st.sampled_from([0.1, 1.0, 3.0]))
def test_gradient_matches_central_differences(key, seed, spread):
    inst = BUILT[key]
    scale = scale_of(inst)
    x = np.random.default_rng(seed).normal(size=(2, 3, inst.dim)) * spread * scale
    h = 1e-6 * scale
    basis = np.eye(inst.dim) * h
    numeric = np.stack([(inst.value(x + e) - inst.value(x - e)) / (2 * h) for e in basis], axis=-1)
    grads = inst.gradient(x)
    assert grads.shape == x.shape
    tol = 1e-6 * max(1.0, float(np.abs(grads).max())) + 1e-8 * inst.beta * scale
    np.testing.assert_allclose(grads, numeric, rtol=0, atol=tol)


@pytest.mark.parametrize("key", ALL)
@given(seed=st.integers(0, 2**32 - 1), spread=st.sampled_from([0.3, 1.0, 10.0]),
       gap=st.sampled_from([1e-3, 0.1, 1.0]))
def test_smoothness_and_strong_convexity(key, seed, spread, gap):
    inst = BUILT[key]
    rng = np.random.default_rng(seed)
    scale = scale_of(inst)
    x = rng.normal(size=(16, inst.dim)) * spread * scale
    y = x + rng.normal(size=x.shape) * gap * scale
    dg, dx = inst.gradient(x) - inst.gradient(y), x - y
    assert np.all(np.linalg.norm(dg, axis=-1) <= inst.beta * np.linalg.norm(dx, axis=-1) + 1e-12)
    if inst.mu > 0:
        assert np.all(np.sum(dg * dx, axis=-1) >= inst.mu * np.sum(dx * dx, axis=-1) - 1e-12)


@pytest.mark.parametrize("key", CHAINS)
def test_zero_chain(key):
    inst = BUILT[key]
    rng = np.random.default_rng(1)
    for j in range(inst.dim + 1):
        x = np.zeros((5, inst.dim))
        x[:, :j] = rng.normal(size=(5, j)) * scale_of(inst)
        assert not inst.gradient(x)[:, j + 1 :].any()


# ---------------------------------------------------------------- span gaps of the convex chains

SPAN_CASES = {
    "nesterov": lambda: NesterovChain(15, beta=2.0, chain_length=11),
    "nesterov-full": lambda: NesterovChain(7),
    "sc-chain": lambda: StronglyConvexChain(12, beta=2.0, mu=0.05),
    "sc-chain-stiff": lambda: StronglyConvexChain(9, beta=1.0, mu=1e-4),
}


@pytest.mark.parametrize("key", list(SPAN_CASES))
def test_span_gap_closed_form_matches_cvxpy_and_direct_solve(key):
    inst = SPAN_CASES[key]()
    for k in range(inst.dim + 2):
        closed = float(inst.span_gap(k))
        assert closed == pytest.approx(inst.span_gap_cvxpy(k), rel=1e-6, abs=1e-12), k
        direct = restricted_minimum(inst, k) - inst.f_star
        assert closed == pytest.approx(direct, rel=1e-9, abs=1e-14), k


@pytest.mark.parametrize("key", CONVEX_CHAINS + ["carmon"])
def test_span_gap_shape_monotonicity_and_ends(key):
    inst = BUILT[key]
    m = chain_length(inst)
    ks = np.arange(inst.dim + 4)
    gaps = inst.span_gap(ks)
    assert gaps.dtype == np.float64 and gaps.shape == ks.shape
    np.testing.assert_array_equal(gaps, [inst.span_gap(int(k)) for k in ks])
    assert np.all(np.diff(gaps) <= 0)
    assert np.all(gaps[m:] == 0) and np.all(gaps[:m] > 0)
    if inst.criterion == "gap":
        assert float(inst.span_gap(0)) == pytest.approx(inst.f0 - inst.f_star, rel=1e-12)
    with pytest.raises(ValueError, match="k must"):
        inst.span_gap(-1)
    with pytest.raises(ValueError, match="k must"):
        inst.span_gap(1.5)


def test_nesterov_span_gap_beats_the_smooth_lower_bound():
    for k in range(40):
        inst = NesterovChain(2 * k + 1, beta=3.0)
        gap = float(inst.span_gap(k))
        assert gap == pytest.approx(inst.beta / (16 * (k + 1)), rel=1e-13)
        assert gap >= 3 * inst.beta * inst.radius**2 / (32 * (k + 1) ** 2)
        assert inst.radius**2 == pytest.approx((2 * k + 1) * (4 * k + 3) / (12 * (k + 1)), rel=1e-13)


@given(log_eps=st.floats(-8.0, math.log10(3 / 128) - 1e-9), beta=st.sampled_from([0.5, 1.0, 7.0]))
def test_nesterov_sized_for_picks_the_largest_hard_k(log_eps, beta):
    eps = beta * 10.0**log_eps

    def hard(k):
        return Fraction(beta) * (2 * k + 1) * (4 * k + 3) > 128 * Fraction(eps) * (k + 1) ** 3

    inst = NesterovChain.sized_for(eps, beta=beta)
    k = (inst.dim - 1) // 2
    assert inst.dim == inst.chain_length == 2 * k + 1 and inst.beta == beta
    assert hard(k) and not hard(k + 1)
    assert float(inst.span_gap(k)) >= 3 * beta * inst.radius**2 / (32 * (k + 1) ** 2) > eps


def test_nesterov_sized_for_rejects_large_eps():
    assert NesterovChain.sized_for(3 / 128 * 0.999).dim == 1
    with pytest.raises(ValueError, match="eps must be < 3\\*beta/128"):
        NesterovChain.sized_for(3 / 128)
    with pytest.raises(ValueError, match="eps"):
        NesterovChain.sized_for(-1.0)


# ---------------------------------------------------------------- strongly convex chain closed forms


@pytest.mark.parametrize("dim,mu", [(1, 0.3), (2, 0.1), (10, 0.01), (60, 0.002), (300, 0.05)])
def test_strongly_convex_minimiser_matches_banded_solve(dim, mu):
    inst = StronglyConvexChain(dim, beta=2.0, mu=mu)
    c = (inst.beta - inst.mu) / 4
    bands = np.zeros((3, dim))
    bands[0, 1:] = bands[2, :-1] = -c
    bands[1] = 2 * c + inst.mu
    bands[1, -1] = c + inst.mu
    rhs = np.zeros(dim)
    rhs[0] = c
    solved = scipy.linalg.solve_banded((1, 1), bands, rhs)
    np.testing.assert_allclose(inst.x_star, solved, rtol=0, atol=1e-12)
    assert inst.f_star == pytest.approx(-0.5 * c * solved[0], rel=1e-12)


def test_strongly_convex_chain_limits_and_stability():
    inst = StronglyConvexChain(2000, beta=1.0, mu=0.01)
    assert inst.kappa == pytest.approx(100.0) and inst.q == pytest.approx(9 / 11)
    np.testing.assert_allclose(inst.x_star[:30], inst.q ** np.arange(1, 31), rtol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stiff = StronglyConvexChain(5000, beta=1.0, mu=1e-12)
        gaps = stiff.span_gap(np.arange(0, 5001, 50))
    assert np.all(np.isfinite(gaps)) and np.all(np.diff(gaps) <= 0) and gaps[-1] == 0
    assert np.all(gaps[:-1] > 0) and np.all(np.isfinite(stiff.x_star))


# ---------------------------------------------------------------- Carmon chain

CARMON = CarmonChain(10, beta=3.0, eps=0.02, chain_length=7)


@given(seed=st.integers(0, 2**32 - 1), spread=st.sampled_from([0.01, 0.3, 1.0, 3.0, 100.0]))
def test_carmon_gradient_is_large_before_the_chain_ends(seed, spread):
    inst = CARMON
    x = np.random.default_rng(seed).normal(size=(64, inst.dim)) * spread * inst.lam
    x[:, inst.chain_length - 1 :] = 0.0
    assert np.all(np.linalg.norm(inst.gradient(x), axis=-1) > inst.eps)


def test_carmon_gradient_adversarial_search_stays_above_eps():
    inst = CARMON
    T = inst.chain_length
    rng = np.random.default_rng(0)

    def ratio(z):
        x = np.zeros(inst.dim)
        x[: T - 1] = z * inst.lam
        return np.linalg.norm(inst.gradient(x)) / inst.eps

    starts = [rng.normal(size=T - 1) * spread for spread in (0.3, 1.0, 2.0) for _ in range(4)]
    best = min(minimize(ratio, z, method="Powell").fun for z in starts)
    assert 1.3 < best < 1.4  # Carmon et al.: > 1 everywhere; the numerical minimum is about 1.341


@given(seed=st.integers(0, 2**32 - 1), spread=st.sampled_from([0.1, 1.0, 10.0, 1e4]))
def test_carmon_infimum_bounds_values(seed, spread):
    inst = CARMON
    x = np.random.default_rng(seed).normal(size=(64, inst.dim)) * spread * inst.lam
    assert np.all(inst.value(x) >= inst.f_star)


def test_carmon_constants_and_extreme_inputs():
    inst = CARMON
    T, scale = inst.chain_length, inst.beta * inst.lam**2 / 152
    assert inst.lam == pytest.approx(152 * inst.eps / inst.beta)
    assert inst.D_f == inst.f0 - inst.f_star and 0 < inst.D_f <= 12 * T * scale
    assert inst.f0 == pytest.approx(-scale * math.sqrt(2 * math.pi * math.e) / 2, rel=1e-14)
    assert float(inst.value(np.full(inst.dim, 1e8 * inst.lam))) == pytest.approx(inst.f_star, rel=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for big in (1e6, 1e300, np.finfo(np.float64).max):
            for x in (np.full(inst.dim, big), np.full(inst.dim, -big), np.resize([big, -big], inst.dim)):
                assert np.isfinite(inst.value(x)) and np.all(np.isfinite(inst.gradient(x)))
    assert float(inst.span_gap(T - 1)) == inst.eps and float(inst.span_gap(T)) == 0.0


def test_carmon_span_rounds_count_the_whole_chain():
    """‖∇f(x)‖ > ε whenever x_T = 0 (Carmon et al. 2020, Lemma 3: strict), so a span method cannot reach ‖∇f‖ ≤ ε
    before all T = 7 links are discovered; reaching a looser 2ε is not ruled out by that bound at all."""
    assert CARMON.span_rounds(CARMON.eps) == CARMON.chain_length == 7
    assert CARMON.span_rounds(CARMON.eps / 2) == 7 and CARMON.span_rounds(2 * CARMON.eps) == 0


# ---------------------------------------------------------------- random quadratic and logistic


def test_random_quadratic_spectrum_and_seed():
    inst = RandomQuadratic(6, seed=3, beta=2.0, mu=0.25, radius=1.5)
    eig = np.linalg.eigvalsh(inst.hessian)
    assert eig[-1] == pytest.approx(2.0, rel=1e-13) and eig[0] == pytest.approx(0.25, rel=1e-12)
    assert inst.radius == pytest.approx(1.5, rel=1e-14) and inst.f_star == 0.0
    assert np.array_equal(RandomQuadratic(6, seed=3, beta=2.0, mu=0.25, radius=1.5).hessian, inst.hessian)
    assert not np.allclose(RandomQuadratic(6, seed=4, beta=2.0, mu=0.25).x_star, inst.x_star)
    assert RandomQuadratic(1, beta=2.0).eigenvalues.tolist() == [2.0]


def test_logistic_regression_solution_and_constants():
    inst = LogisticRegression(5, seed=1)
    assert inst.points == 20 and inst.setting == "smooth-convex"
    assert np.linalg.norm(inst.gradient(inst.x_star)) <= 1e-13
    n = inst.points
    assert inst.beta == pytest.approx(np.linalg.norm(inst.features, 2) ** 2 / (4 * n), rel=1e-14)
    assert abs(np.mean(inst.labels[inst.labels != 0] == 1) - 0.5) < 0.5 and set(inst.labels) == {-1.0, 1.0}
    regularised = LogisticRegression(5, seed=1, reg=0.2)
    assert regularised.mu == 0.2 and regularised.setting == "strongly-convex"
    assert np.array_equal(regularised.features, inst.features)
    assert np.array_equal(regularised.labels, inst.labels)
    for dim, points in ((5, 5), (20, 25)):  # no minimiser: too few points, or separable data
        with pytest.raises(ValueError, match="^points="):
            LogisticRegression(dim, points=points)
    wide = LogisticRegression(100, seed=4)
    assert np.linalg.norm(wide.gradient(wide.x_star)) <= 1e-13 and wide.f_star < wide.f0
    assert np.all(np.isfinite(inst.value(np.full((2, 5), 1e6))))
    assert np.all(np.isfinite(inst.gradient(np.full(5, -1e6))))


# ---------------------------------------------------------------- validation and registry

BAD_PARAMETERS = [
    (NesterovChain, {"dim": 0}, "dim"),
    (NesterovChain, {"dim": 3.5}, "dim"),
    (NesterovChain, {"dim": True}, "dim"),
    (NesterovChain, {"dim": 5, "beta": -1.0}, "beta"),
    (NesterovChain, {"dim": 5, "beta": float("nan")}, "beta"),
    (NesterovChain, {"dim": 5, "beta": float("inf")}, "beta"),
    (NesterovChain, {"dim": 5, "beta": True}, "beta"),
    (NesterovChain, {"dim": 5, "chain_length": 6}, "chain_length"),
    (NesterovChain, {"dim": 5, "chain_length": 0}, "chain_length"),
    (StronglyConvexChain, {"dim": 5, "mu": 2.0}, "mu"),
    (StronglyConvexChain, {"dim": 5, "mu": 1.0}, "mu"),
    (StronglyConvexChain, {"dim": 5, "mu": 0.0}, "mu"),
    (StronglyConvexChain, {"dim": 5, "mu": float("nan")}, "mu"),
    (CarmonChain, {"dim": 5, "eps": 0.0}, "eps"),
    (CarmonChain, {"dim": 5, "eps": -0.1}, "eps"),
    (CarmonChain, {"dim": 5, "chain_length": 6}, "chain_length"),
    (RandomQuadratic, {"dim": 5, "mu": 1.5}, "mu"),
    (RandomQuadratic, {"dim": 5, "mu": -0.1}, "mu"),
    (RandomQuadratic, {"dim": 5, "radius": 0.0}, "radius"),
    (RandomQuadratic, {"dim": 5, "seed": -1}, "seed"),
    (RandomQuadratic, {"dim": 5, "seed": 1.5}, "seed"),
    (LogisticRegression, {"dim": 5, "reg": -1.0}, "reg"),
    (LogisticRegression, {"dim": 5, "points": 0}, "points"),
]


@pytest.mark.parametrize("cls,kwargs,parameter", BAD_PARAMETERS)
def test_bad_parameters_raise_naming_the_parameter(cls, kwargs, parameter):
    assert_refused_naming(cls, kwargs, parameter)


def test_make_instance_errors_and_defaults():
    with pytest.raises(ValueError, match=r"^instance must be one of nesterov-chain, .*got 'x'$"):
        make_instance("x")
    expected = r"^unknown parameter 'foo' for nesterov-chain; allowed: beta, chain_length, dim$"
    with pytest.raises(ValueError, match=expected):
        make_instance("nesterov-chain", dim=3, foo=1)
    assert make_instance("nesterov-chain", dim=9).params == {"dim": 9, "beta": 1.0, "chain_length": 9}
    assert set(INSTANCES) == {"nesterov-chain", "strongly-convex-chain", "carmon-chain", "random-quadratic",
                              "logistic-regression", "max-function", "max-function-lipschitz", "l1-regression",
                              "hinge", "linf-regression"}
