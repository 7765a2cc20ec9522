"""pplimits.testing.strategies draw valid objects, and properties written with them hold (and can fail)."""
import numpy as np
import pytest
from hypothesis import given, settings

from pplimits.algorithms.clock import makespan
from pplimits.algorithms.timeline import simulate
from pplimits.testing import assert_respects_lower_bound
from pplimits.testing.strategies import hard_cases, pipeline_models, random_instances
from tests.examples import examples


@settings(max_examples=examples(10))
@given(random_instances())
def test_gradient_descent_at_step_one_over_beta_never_increases_f(instance):
    """The descent lemma: on a β-smooth f, x ← x − ∇f(x)/β gives f(x⁺) ≤ f(x) − ‖∇f(x)‖²/(2β)."""
    x = np.asarray(instance.x0, dtype=float)
    for _ in range(20):
        gradient = instance.gradient(x)
        following = x - gradient / instance.beta
        assert instance.value(following) <= instance.value(x) - gradient @ gradient / (2 * instance.beta) + 1e-12
        x = following


@settings(max_examples=examples(10))
@given(pipeline_models(max_depth=8, max_inputs=4))
def test_every_drawn_model_has_the_simulated_makespan(model):
    batch = model.inputs
    assert model.gradient_time() == makespan(model.depth, batch, model.schedule, model.duplex)
    assert max(op.tick for op in simulate(model.depth, batch, model.schedule, model.duplex)) == \
        model.gradient_time()  # ticks count from 1: the last op ends the makespan


@settings(max_examples=examples(3), deadline=None)
@given(hard_cases(settings=("smooth-convex", "strongly-convex")))
def test_gd_respects_the_span_bound_on_every_drawn_hard_case(case):
    assert case.instance.name == case.name and np.isfinite(case.instance.f_star)
    assert_respects_lower_bound("gd", instance=case.name, depth=2, eps=case.eps)


@settings(max_examples=examples(3), deadline=None)
@given(hard_cases(settings=("smooth-convex",)))
def test_a_property_written_with_the_strategies_can_fail(case):
    """The cheater of test_assertions (jumps to x*) fails on every drawn hard case: the property has power."""
    from tests.testing.test_assertions import cheater

    with pytest.raises(AssertionError, match="is below the span lower bound"):
        assert_respects_lower_bound(cheater, instance=case.name, depth=2, eps=case.eps)
