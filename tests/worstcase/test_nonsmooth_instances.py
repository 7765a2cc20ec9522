"""Tests for the non-smooth instances of worstcase/: optima, subgradients, Lipschitz constants, the
resisting oracle and span gaps of Nesterov's max function, and the seeded LP-type problems.

Hypothesis runs under the derandomised "pplimits" profile of tests/conftest.py (fixed examples).
"""
import json
import math

import numpy as np
import pytest
import scipy.optimize
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from pplimits.worstcase import (
    INSTANCES,
    Hinge,
    L1Regression,
    LinfRegression,
    LipschitzMaxFunction,
    MaxFunction,
    make_instance,
)
from pplimits.worstcase.hinge import non_separable
from tests.contracts.instance_checks import (
    assert_batched_and_read_only,
    assert_other_namespace_matches_numpy,
    assert_refused_naming,
)

CASES = {
    "max": lambda: MaxFunction(8, chain_length=5),
    "max-full": lambda: MaxFunction(6, L=2.5, R=0.7),
    "max-d1": lambda: MaxFunction(1, L=0.5, R=4.0),
    "lip": lambda: LipschitzMaxFunction(8, L=2.0, R=3.0, chain_length=5),
    "lip-full": lambda: LipschitzMaxFunction(5),
    "l1": lambda: L1Regression(6, seed=1),
    "l1-d1": lambda: L1Regression(1),
    "hinge": lambda: Hinge(5, seed=2),
    "linf": lambda: LinfRegression(6, seed=3),
}
BUILT = {key: make() for key, make in CASES.items()}
ALL = list(BUILT)
MAX = [key for key in ALL if isinstance(BUILT[key], MaxFunction)]
PLAIN_MAX = [key for key in MAX if type(BUILT[key]) is MaxFunction]
LIP_MAX = [key for key in MAX if isinstance(BUILT[key], LipschitzMaxFunction)]
SEEDED = [key for key in ALL if key not in MAX]
GLOBAL_L = LIP_MAX + SEEDED  # `lipschitz` holds on all of R^d


def scale_of(inst) -> float:
    return max(inst.radius, 1.0)


def ball_radius(inst) -> float:
    return inst.params["R"]


def plain_twin(inst) -> MaxFunction:
    """The MaxFunction with the parameters of a LipschitzMaxFunction."""
    return MaxFunction(**inst.params)


def pairs(seed, dim, spread, gap, count=16):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(count, dim)) * spread
    return x, x + rng.normal(size=x.shape) * gap


def into_ball(points, radius):
    """Points scaled radially into the closed ball B(0, radius)."""
    norms = np.linalg.norm(points, axis=-1, keepdims=True)
    return points * np.minimum(1.0, radius / np.maximum(norms, 1e-300))


# ---------------------------------------------------------------- interface and optimum


@pytest.mark.parametrize("key", ALL)
def test_interface(key):
    inst = BUILT[key]
    assert INSTANCES[inst.name] is type(inst)
    assert (inst.setting, inst.criterion, inst.beta) == ("nonsmooth-convex", "gap", math.inf)
    assert inst.layer_sizes == (inst.dim,)
    assert inst.x0.dtype == np.float64 and inst.x0.shape == (inst.dim,) and not inst.x0.any()
    assert inst.x_star.shape == (inst.dim,) and np.all(np.isfinite(inst.x_star))
    assert isinstance(inst.lipschitz, float) and 0 < inst.lipschitz < math.inf
    if key in SEEDED:
        assert inst.mu == 0.0
    else:  # the max function's mu is its strong convexity
        assert inst.mu == inst.lipschitz / ((1 + math.sqrt(inst.chain_length)) * ball_radius(inst)) > 0
    assert inst.f0 == float(inst.value(inst.x0))
    assert isinstance(inst.f_star, float) and inst.f_star <= inst.f0
    assert inst.radius == pytest.approx(np.linalg.norm(inst.x_star - inst.x0), rel=1e-14)
    again = make_instance(inst.name, **json.loads(json.dumps(inst.params)))
    assert again.params == inst.params and again.f_star == inst.f_star
    np.testing.assert_array_equal(again.x_star, inst.x_star)


@pytest.mark.parametrize("key", ALL)
def test_value_at_the_minimiser_is_f_star(key):
    inst = BUILT[key]
    rel = 1e-12 if key in MAX else 1e-7
    assert float(inst.value(inst.x_star)) == pytest.approx(inst.f_star, rel=rel, abs=1e-15)


@pytest.mark.parametrize("key", MAX)
def test_max_function_closed_forms(key):
    inst = BUILT[key]
    t, L, R = inst.chain_length, inst.lipschitz, ball_radius(inst)
    assert inst.gamma == pytest.approx(L * math.sqrt(t) / (1 + math.sqrt(t)), rel=1e-15)
    assert inst.gamma + inst.mu * R == pytest.approx(L, rel=1e-15)
    np.testing.assert_allclose(inst.x_star[:t], -R / math.sqrt(t), rtol=1e-15)
    assert not inst.x_star[t:].any()
    assert inst.radius == pytest.approx(R, rel=1e-15)
    assert inst.f_star == pytest.approx(-L * R / (2 * (1 + math.sqrt(t))), rel=1e-15)
    assert inst.f0 == 0.0
    # 0 is in the subdifferential at x*: mu x* + gamma (1/t, .., 1/t, 0, ..), a convex combination of the
    # tied e_i; the oracle's regulariser part there is mu x* (Huber: grad H_R(||x*||) = x*).
    regulariser = inst.gradient(inst.x_star) - inst.gamma * np.eye(inst.dim)[0]
    np.testing.assert_allclose(regulariser, inst.mu * inst.x_star, rtol=1e-14)
    combination = np.concatenate([np.full(t, inst.gamma / t), np.zeros(inst.dim - t)])
    np.testing.assert_allclose(regulariser + combination, 0.0, atol=1e-15 * L)


def test_max_function_closed_forms_in_sympy():
    """DERIVED claims re-derived symbolically: gamma + mu R = L, x*, ||x*|| = R, f*, optimality, Huber."""
    L, R, t, r = sp.symbols("L R t r", positive=True)
    gamma = L * sp.sqrt(t) / (1 + sp.sqrt(t))
    mu = L / ((1 + sp.sqrt(t)) * R)
    coordinate = -gamma / (mu * t)
    assert sp.simplify(gamma + mu * R - L) == 0
    assert sp.simplify(coordinate + R / sp.sqrt(t)) == 0
    assert sp.simplify(t * coordinate**2 - R**2) == 0
    f_star = gamma * coordinate + mu / 2 * t * coordinate**2
    assert sp.simplify(f_star + L * R / (2 * (1 + sp.sqrt(t)))) == 0
    assert sp.simplify(mu * coordinate + gamma / t) == 0  # weights 1/t on the tied maximisers
    inside, outside = r**2 / 2, R * r - R**2 / 2
    assert sp.simplify((inside - outside).subs(r, R)) == 0  # continuous at R
    assert sp.simplify((sp.diff(inside, r) - sp.diff(outside, r)).subs(r, R)) == 0  # C^1 at R
    assert sp.factor(inside - outside) == (r - R) ** 2 / 2  # below r^2/2 beyond R, by (r - R)^2 / 2
    assert sp.diff(outside, r) == R  # slope R beyond the ball: ||subgradient|| <= gamma + mu R = L


# ---------------------------------------------------------------- seeded problems: f*, x*, data


def lp_minimum(inst) -> float:
    """min f by scipy's HiGHS LP solver (independent of cvxpy/Clarabel), via an epigraph form."""
    A, m, d = inst.features, inst.points, inst.dim
    free = [(None, None)] * d
    if isinstance(inst, L1Regression):  # min sum t / m, -t <= A x - b <= t
        c = np.concatenate([np.zeros(d), np.full(m, 1.0 / m)])
        ub = np.block([[A, -np.eye(m)], [-A, -np.eye(m)]])
        rhs = np.concatenate([inst.targets, -inst.targets])
        bounds = free + [(0, None)] * m
    elif isinstance(inst, LinfRegression):  # min t, -t <= A x - b <= t
        c = np.concatenate([np.zeros(d), [1.0]])
        ub = np.block([[A, -np.ones((m, 1))], [-A, -np.ones((m, 1))]])
        rhs = np.concatenate([inst.targets, -inst.targets])
        bounds = free + [(0, None)]
    else:  # hinge: min sum s / m, s >= 1 - y a^T x, s >= 0
        c = np.concatenate([np.zeros(d), np.full(m, 1.0 / m)])
        ub = np.block([[-A * inst.labels[:, None], -np.eye(m)]])
        rhs = -np.ones(m)
        bounds = free + [(0, None)] * m
    solved = scipy.optimize.linprog(c, A_ub=ub, b_ub=rhs, bounds=bounds, method="highs")
    assert solved.status == 0
    return float(solved.fun)


@pytest.mark.parametrize("key", SEEDED)
def test_f_star_matches_an_independent_lp_solver(key):
    inst = BUILT[key]
    assert inst.f_star == pytest.approx(lp_minimum(inst), rel=1e-7, abs=1e-9)


@pytest.mark.parametrize("key", SEEDED)
@given(seed=st.integers(0, 2**32 - 1), step=st.sampled_from([1e-6, 1e-3, 0.1]))
def test_x_star_is_a_local_hence_global_minimiser(key, seed, step):
    inst = BUILT[key]
    x = inst.x_star + np.random.default_rng(seed).normal(size=(32, inst.dim)) * step * scale_of(inst)
    assert np.all(inst.value(x) >= inst.f_star - 1e-7 * max(1.0, abs(inst.f_star)))


def test_seeded_data_and_labels():
    l1, linf, hinge = BUILT["l1"], BUILT["linf"], BUILT["hinge"]
    assert l1.features.shape == (24, 6) and l1.targets.shape == (24,) and l1.points == 4 * l1.dim
    assert np.array_equal(L1Regression(6, seed=1).targets, l1.targets)
    assert not np.array_equal(L1Regression(6, seed=2).targets, l1.targets)
    assert np.array_equal(LinfRegression(6, seed=3).features, L1Regression(6, seed=3).features)
    assert set(hinge.labels) == {-1.0, 1.0} and hinge.features.shape == (20, 5)
    assert linf.f_star > 0 and l1.f_star > 0 and hinge.f_star > 0  # noisy: nothing is interpolated
    assert L1Regression(3, points=50).params == {"dim": 3, "points": 50, "seed": 0}


def test_hinge_labels_are_certified_non_separable():
    inst = BUILT["hinge"]
    assert non_separable(inst.features, inst.labels)
    # independent check: max sum_i y_i a_i^T u over {y_i a_i^T u >= 0, |u| <= 1} is 0 (no recession direction)
    signed = inst.features * inst.labels[:, None]
    solved = scipy.optimize.linprog(-signed.sum(axis=0), A_ub=-signed, b_ub=np.zeros(inst.points),
                                    bounds=(-1, 1), method="highs")
    assert solved.status == 0 and -solved.fun <= 1e-9
    separable = np.where(inst.features @ np.ones(inst.dim) >= 0, 1.0, -1.0)
    assert not non_separable(inst.features, separable)
    with pytest.raises(ValueError, match="^points must"):
        Hinge(5, points=5)


# ---------------------------------------------------------------- subgradients and convexity


@pytest.mark.parametrize("key", ALL)
@given(seed=st.integers(0, 2**32 - 1), spread=st.sampled_from([0.1, 1.0, 30.0]),
       gap=st.sampled_from([1e-3, 0.3, 3.0]))
def test_subgradient_inequality(key, seed, spread, gap):
    inst = BUILT[key]
    x, y = pairs(seed, inst.dim, spread * scale_of(inst), gap * scale_of(inst))
    if key in MAX:
        x[:4, :2] = 0.0  # ties in the max
    fx, fy, g = inst.value(x), inst.value(y), inst.gradient(x)
    slack = 1e-12 * (np.abs(fx) + np.abs(fy) + inst.lipschitz * np.linalg.norm(y - x, axis=-1) + 1.0)
    assert np.all(fy >= fx + np.sum(g * (y - x), axis=-1) - slack)
    assert np.all(fx >= inst.f_star - 1e-7 * max(1.0, abs(inst.f_star)))


@pytest.mark.parametrize("key", GLOBAL_L)
@given(seed=st.integers(0, 2**32 - 1), spread=st.sampled_from([0.1, 1.0, 100.0, 1e4]),
       gap=st.sampled_from([1e-3, 1.0, 100.0]))
def test_lipschitz_everywhere(key, seed, spread, gap):
    inst = BUILT[key]
    x, y = pairs(seed, inst.dim, spread * scale_of(inst), gap * scale_of(inst))
    L = inst.lipschitz
    change = np.abs(inst.value(x) - inst.value(y))
    distance = np.linalg.norm(x - y, axis=-1)
    assert np.all(change <= L * distance * (1 + 1e-12) + 1e-12 * (np.abs(inst.value(x)) + 1.0))
    assert np.all(np.linalg.norm(inst.gradient(x), axis=-1) <= L + 1e-12)


@pytest.mark.parametrize("key", PLAIN_MAX)
@given(seed=st.integers(0, 2**32 - 1), gap=st.sampled_from([1e-3, 0.1, 1.0]))
def test_max_function_lipschitz_on_the_ball_only(key, seed, gap):
    inst = BUILT[key]
    R, L = ball_radius(inst), inst.lipschitz
    x, y = pairs(seed, inst.dim, R, gap * R)
    x, y = into_ball(x, R), into_ball(y, R)
    change = np.abs(inst.value(x) - inst.value(y))
    assert np.all(change <= L * np.linalg.norm(x - y, axis=-1) * (1 + 1e-12) + 1e-15)
    assert np.all(np.linalg.norm(inst.gradient(x), axis=-1) <= L * (1 + 1e-12))
    far = 10.0 * R
    assert inst.lipschitz_at(R) == pytest.approx(L, rel=1e-15)
    assert inst.lipschitz_at(far) == inst.gamma + inst.mu * far > L
    x, y = into_ball(x * 10.0, far), into_ball(y * 10.0, far)
    assert np.all(np.linalg.norm(inst.gradient(x), axis=-1) <= inst.lipschitz_at(far) * (1 + 1e-12))


@pytest.mark.parametrize("key", MAX)
def test_max_function_lipschitz_constants_are_tight(key):
    inst = BUILT[key]
    R, L, e1 = ball_radius(inst), inst.lipschitz, np.eye(inst.dim)[0]
    assert np.linalg.norm(inst.gradient(R * e1)) == pytest.approx(L, rel=1e-14)
    outside = np.linalg.norm(inst.gradient(100.0 * R * e1))
    if key in LIP_MAX:
        assert outside == pytest.approx(L, rel=1e-14) and inst.lipschitz_at(100.0 * R) == pytest.approx(L)
    else:
        assert outside == pytest.approx(inst.gamma + 100.0 * inst.mu * R, rel=1e-14) and outside > 10 * L
    with pytest.raises(ValueError, match="^radius must"):
        inst.lipschitz_at(-1.0)


@pytest.mark.parametrize("key", SEEDED)
def test_seeded_lipschitz_constants_bound_the_whole_subdifferential(key):
    """The one-line proofs: L bounds the norm of every element of every subdifferential."""
    inst = BUILT[key]
    A, m = inst.features, inst.points
    rng = np.random.default_rng(0)
    rows = np.linalg.norm(A, axis=1)
    if isinstance(inst, L1Regression):
        assert inst.lipschitz == pytest.approx(np.linalg.norm(A, 2) / math.sqrt(m), rel=1e-15)
        s = np.concatenate([rng.uniform(-1, 1, size=(200, m)), np.sign(rng.normal(size=(200, m)))])
        elements = s @ A / m
    elif isinstance(inst, Hinge):
        assert inst.lipschitz == pytest.approx(min(np.linalg.norm(A, 2) / math.sqrt(m), rows.mean()), rel=1e-15)
        s = np.concatenate([rng.uniform(0, 1, size=(200, m)), rng.integers(0, 2, size=(200, m))])
        elements = -(s * inst.labels) @ A / m
    else:
        assert inst.lipschitz == pytest.approx(rows.max(), rel=1e-15)
        elements = np.concatenate([A, -A])
        longest = A[np.argmax(rows)]  # tight: far along the longest row, the subgradient is that row
        assert np.linalg.norm(inst.gradient(1e6 * longest)) == pytest.approx(inst.lipschitz, rel=1e-15)
    assert np.all(np.linalg.norm(elements, axis=-1) <= inst.lipschitz * (1 + 1e-12))


@pytest.mark.parametrize("key", SEEDED)
@given(seed=st.integers(0, 2**32 - 1), spread=st.sampled_from([0.1, 1.0, 100.0]))
def test_seeded_subgradient_formulas(key, seed, spread):
    inst = BUILT[key]
    x = np.random.default_rng(seed).normal(size=(8, inst.dim)) * spread * scale_of(inst)
    A, g = inst.features, inst.gradient(x)
    if isinstance(inst, L1Regression):
        expected = np.sign(x @ A.T - inst.targets) @ A / inst.points
    elif isinstance(inst, Hinge):
        expected = -((inst.labels * (x @ A.T) < 1) * inst.labels) @ A / inst.points
    else:
        r = x @ A.T - inst.targets
        first = np.argmax(np.abs(r), axis=-1)
        expected = np.sign(r[np.arange(len(x)), first])[:, None] * A[first]
    np.testing.assert_allclose(g, expected, rtol=1e-13, atol=1e-15)


# ---------------------------------------------------------------- the Huber variant


@pytest.mark.parametrize("key", LIP_MAX)
@given(seed=st.integers(0, 2**32 - 1), spread=st.sampled_from([0.5, 3.0, 1e3]))
def test_huber_variant_equals_the_max_function_on_the_ball_only(key, seed, spread):
    inst = BUILT[key]
    twin, R = plain_twin(inst), ball_radius(inst)
    assert (twin.gamma, twin.mu, twin.f_star) == (inst.gamma, inst.mu, inst.f_star)
    np.testing.assert_array_equal(twin.x_star, inst.x_star)
    points = np.random.default_rng(seed).normal(size=(32, inst.dim)) * spread * R
    norms = np.linalg.norm(points, axis=-1)
    inside = into_ball(points, R * (1 - 1e-12))  # same formula inside: bitwise equal
    np.testing.assert_array_equal(inst.value(inside), twin.value(inside))
    np.testing.assert_array_equal(inst.gradient(inside), twin.gradient(inside))
    boundary = into_ball(points * 1e3, R)  # ||x|| = R up to rounding: either branch, same numbers
    np.testing.assert_allclose(inst.value(boundary), twin.value(boundary), rtol=0, atol=1e-15 * inst.lipschitz * R)
    np.testing.assert_allclose(inst.gradient(boundary), twin.gradient(boundary), rtol=0, atol=1e-15 * inst.lipschitz)
    out = norms > R * (1 + 1e-9)
    excess = twin.value(points[out]) - inst.value(points[out])  # mu (||x|| - R)^2 / 2 > 0
    np.testing.assert_allclose(excess, inst.mu * (norms[out] - R) ** 2 / 2, rtol=1e-8, atol=1e-13)
    assert np.all(excess > 0)
    scaled = points[out] * (R / norms[out])[:, None]  # grad H_R(||x||) = R x / ||x|| outside the ball
    np.testing.assert_allclose(inst.gradient(points[out]) - twin.gradient(points[out]),
                               inst.mu * (scaled - points[out]), rtol=1e-12, atol=1e-12 * inst.lipschitz)


# ---------------------------------------------------------------- resisting oracle and span gaps


@pytest.mark.parametrize("key", MAX)
def test_resisting_oracle_reveals_one_coordinate(key):
    inst = BUILT[key]
    t, R, rng = inst.chain_length, ball_radius(inst), np.random.default_rng(5)
    for j in range(inst.dim + 1):
        x = np.zeros((6, inst.dim))
        x[:, :j] = rng.normal(size=(6, j)) * R
        x[1, :j] = -np.abs(x[1, :j])  # the max over the chain is the 0 at coordinate j + 1 (if j < t)
        x[2, :j] = 0.0  # all tied at 0: the first index, 1
        x[3, :j] = 5.0 * R  # all tied (first index 1), outside the ball
        g = inst.gradient(x)
        assert not g[:, j + 1:].any(), j
        if j < t:
            assert g[1, j] == inst.gamma, j
        np.testing.assert_array_equal(g[2], inst.gamma * np.eye(inst.dim)[0])
        if j >= 2:
            assert g[3, 0] - g[3, 1] == pytest.approx(inst.gamma, rel=1e-14)
    if t >= 4:
        tie = np.zeros(inst.dim)
        tie[:4] = np.array([-1.0, 2.0, 0.5, 2.0]) * R
        g = inst.gradient(tie)
        assert g[1] - g[3] == pytest.approx(inst.gamma, rel=1e-14)


@pytest.mark.parametrize("key", MAX)
def test_span_gap_closed_form_matches_cvxpy(key):
    inst = BUILT[key]
    t = inst.chain_length
    for k in range(inst.dim + 2):
        closed = float(inst.span_gap(k))
        assert closed == (-inst.f_star if k < t else 0.0)
        assert inst.span_gap_cvxpy(k) == pytest.approx(closed, rel=1e-8, abs=1e-9), k
    ks = np.arange(inst.dim + 3)
    gaps = inst.span_gap(ks)
    assert gaps.dtype == np.float64 and gaps.shape == ks.shape
    np.testing.assert_array_equal(gaps, [inst.span_gap(int(k)) for k in ks])
    with pytest.raises(ValueError, match="k must"):
        inst.span_gap(-1)
    with pytest.raises(ValueError, match="k must"):
        inst.span_gap(1.5)


@pytest.mark.parametrize("key", MAX)
@given(seed=st.integers(0, 2**32 - 1), spread=st.sampled_from([0.1, 1.0, 10.0]))
def test_restricted_minimum_is_zero_below_the_chain_length(key, seed, spread):
    inst = BUILT[key]
    rng = np.random.default_rng(seed)
    for k in range(inst.chain_length):
        x = np.zeros((8, inst.dim))
        x[:, :k] = rng.normal(size=(8, k)) * spread * ball_radius(inst)
        assert np.all(inst.value(x) >= 0.0)


@pytest.mark.parametrize("key", MAX)
def test_span_rounds(key):
    inst = BUILT[key]
    t, gap0 = inst.chain_length, -inst.f_star
    for eps in (1e-9, 0.5 * gap0, gap0 * (1 - 1e-12)):
        assert inst.span_rounds(eps) == t
    for eps in (gap0, 2 * gap0, 1e9):
        assert inst.span_rounds(eps) == 0
    for eps in (1e-3 * gap0, 0.9 * gap0, 1.1 * gap0):
        k = inst.span_rounds(eps)
        assert inst.span_gap(k) <= eps and all(inst.span_gap(j) > eps for j in range(k))


# ---------------------------------------------------------------- shapes and namespaces


@pytest.mark.parametrize("key", ALL)
def test_batched_shapes_and_read_only_input(key):
    assert_batched_and_read_only(BUILT[key], scale_of(BUILT[key]))


@pytest.mark.parametrize("key", ALL)
def test_array_api_strict_matches_numpy(key):
    assert_other_namespace_matches_numpy(BUILT[key], scale_of(BUILT[key]) * 3.0)


# ---------------------------------------------------------------- validation and registry

BAD_PARAMETERS = [
    (MaxFunction, {"dim": 0}, "dim"),
    (MaxFunction, {"dim": True}, "dim"),
    (MaxFunction, {"dim": 5, "L": 0.0}, "L"),
    (MaxFunction, {"dim": 5, "L": -1.0}, "L"),
    (MaxFunction, {"dim": 5, "L": float("nan")}, "L"),
    (MaxFunction, {"dim": 5, "L": float("inf")}, "L"),
    (MaxFunction, {"dim": 5, "L": True}, "L"),
    (MaxFunction, {"dim": 5, "R": 0.0}, "R"),
    (MaxFunction, {"dim": 5, "R": -2.0}, "R"),
    (MaxFunction, {"dim": 5, "R": float("nan")}, "R"),
    (MaxFunction, {"dim": 5, "chain_length": 6}, "chain_length"),
    (MaxFunction, {"dim": 5, "chain_length": 0}, "chain_length"),
    (MaxFunction, {"dim": 5, "chain_length": 2.5}, "chain_length"),
    (LipschitzMaxFunction, {"dim": 5, "L": -1.0}, "L"),
    (LipschitzMaxFunction, {"dim": 5, "R": False}, "R"),
    (LipschitzMaxFunction, {"dim": 5, "chain_length": 6}, "chain_length"),
    (L1Regression, {"dim": 0}, "dim"),
    (L1Regression, {"dim": 5, "points": 0}, "points"),
    (L1Regression, {"dim": 5, "seed": -1}, "seed"),
    (Hinge, {"dim": 5, "seed": True}, "seed"),
    (Hinge, {"dim": 5, "points": 1.5}, "points"),
    (LinfRegression, {"dim": 2.5}, "dim"),
    (LinfRegression, {"dim": 5, "seed": float("nan")}, "seed"),
]


@pytest.mark.parametrize("cls,kwargs,parameter", BAD_PARAMETERS)
def test_bad_parameters_raise_naming_the_parameter(cls, kwargs, parameter):
    assert_refused_naming(cls, kwargs, parameter)


def test_registry_and_make_instance():
    names = {"max-function", "max-function-lipschitz", "l1-regression", "hinge", "linf-regression"}
    assert names <= set(INSTANCES)
    with pytest.raises(ValueError, match=r"^instance must be one of .*max-function.*got 'max'$"):
        make_instance("max")
    expected = r"^unknown parameter 'beta' for max-function; allowed: L, R, chain_length, dim$"
    with pytest.raises(ValueError, match=expected):
        make_instance("max-function", dim=3, beta=1.0)
    with pytest.raises(ValueError, match=r"^unknown parameter 'reg' for hinge; allowed: dim, points, seed$"):
        make_instance("hinge", dim=3, reg=1.0)
    assert make_instance("max-function", dim=4).params == {"dim": 4, "L": 1.0, "R": 1.0, "chain_length": 4}
    assert make_instance("linf-regression", dim=2).params == {"dim": 2, "points": 8, "seed": 0}
