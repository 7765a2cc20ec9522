"""The contract every registered instance keeps (benchopt's / optax's idiom: registering an instance in
`pplimits.worstcase.INSTANCES` enrols it here, nobody lists it by hand)."""
import numpy as np
import pytest

from pplimits.bounds.registry import SETTINGS
from pplimits.worstcase import INSTANCES, make_instance
from tests.contracts.instance_checks import assert_batched_and_read_only, assert_other_namespace_matches_numpy

DIM = 8
CONVEX = ("smooth-convex", "strongly-convex", "nonsmooth-convex")


@pytest.fixture(params=sorted(INSTANCES), scope="module")
def instance(request):
    return make_instance(request.param, dim=DIM)


def _points(instance, count=16, scale=1.0):
    return np.random.default_rng(7).normal(size=(count, instance.dim)) * scale


def test_it_says_what_it_is(instance):
    assert INSTANCES[instance.name] is type(instance)
    assert instance.setting in SETTINGS and instance.criterion in ("gap", "grad-norm")
    assert instance.dim == DIM and isinstance(instance.params, dict)
    assert np.array_equal(instance.x0, np.zeros(DIM)) and np.isfinite(instance.f_star)


def test_value_and_gradient_are_batched_and_never_write_to_their_input(instance):
    assert_batched_and_read_only(instance, scale=1.0)


def test_any_array_api_namespace_gives_numpys_numbers(instance):
    assert_other_namespace_matches_numpy(instance, scale=1.0)


def test_f_star_is_attained_at_x_star_and_is_a_lower_bound(instance):
    if instance.x_star is not None:
        assert float(instance.value(instance.x_star)) == pytest.approx(instance.f_star, rel=1e-9, abs=1e-12)
        assert np.linalg.norm(instance.x_star - instance.x0) == pytest.approx(instance.radius, rel=1e-9, abs=1e-12)
    if instance.criterion == "gap":
        assert (instance.value(_points(instance)) >= instance.f_star - 1e-12).all()
    assert float(instance.value(instance.x0)) == pytest.approx(instance.f0, rel=1e-12)


def test_the_gradient_is_a_subgradient_of_a_convex_instance(instance):
    """f(y) ≥ f(x) + ⟨g(x), y − x⟩ at random pairs (convexity and a correct (sub)gradient together)."""
    if instance.setting not in CONVEX:
        pytest.skip(f"{instance.setting} is not convex")
    x, y = _points(instance), _points(instance)[::-1] * 0.5
    gap = instance.value(y) - instance.value(x) - np.einsum("sd,sd->s", instance.gradient(x), y - x)
    assert (gap >= -1e-10 * (1 + np.abs(instance.value(y)))).all()


def test_a_hard_instance_has_a_non_increasing_span_gap_starting_at_f0(instance):
    if not hasattr(instance, "span_gap"):
        pytest.skip(f"{instance.name} claims no span lower bound")
    gaps = np.asarray(instance.span_gap(np.arange(3 * DIM)), dtype=float)
    assert (np.diff(gaps) <= 1e-15).all() and (gaps >= 0).all()
    assert gaps[0] == pytest.approx(float(instance.value(instance.x0)) - instance.f_star if
                                    instance.criterion == "gap" else gaps[0], rel=1e-12)


def test_the_gradient_is_the_directional_derivative_at_random_points(instance):
    """(f(x + hv) − f(x − hv))/2h = ⟨∇f(x), v⟩ at random x, v (where f is differentiable, almost surely)."""
    x, v = _points(instance, scale=0.7), np.random.default_rng(8).normal(size=(16, instance.dim))
    h = 1e-6
    central = (instance.value(x + h * v) - instance.value(x - h * v)) / (2 * h)
    np.testing.assert_allclose(central, np.einsum("sd,sd->s", instance.gradient(x), v), rtol=1e-4, atol=1e-6)


def test_a_globally_lipschitz_instance_is_lipschitz_far_from_its_minimiser(instance):
    """|f(x) − f(y)| ≤ L‖x − y‖ at points 100 radii out, where an instance declaring `globally_lipschitz` says
    Theorem D applies (and MaxFunction, which does not declare it, breaks it there)."""
    if getattr(instance, "lipschitz", None) is None:
        pytest.skip(f"{instance.name} declares no Lipschitz constant")
    x, y = _points(instance, scale=100.0), _points(instance, scale=100.0)[::-1]
    ratio = np.abs(instance.value(x) - instance.value(y)) / np.linalg.norm(x - y, axis=1)
    holds = bool((ratio <= instance.lipschitz * (1 + 1e-9)).all())
    assert holds == instance.globally_lipschitz, (ratio.max(), instance.lipschitz)
