"""experiments/measure.py: a method on an instance, held against the bounds that apply — and only those."""
import math

import pytest

from pplimits._util.checks import UsageError
from pplimits.algorithms.clock import PipelineModel
from pplimits.experiments.measure import build_instance, measure


@pytest.mark.parametrize("method, instance, needs", [
    ("pprs", "nesterov-chain", "L-Lipschitz"), ("subgradient", "strongly-convex-chain", "L-Lipschitz"),
    ("gd", "max-function", "β-smooth"), ("agd", "hinge", "β-smooth"), ("heavy-ball", "l1-regression", "β-smooth"),
])
def test_a_method_that_does_not_apply_to_an_instance_is_refused_by_name(method, instance, needs):
    built = build_instance(instance, 0.1, 8, {})
    with pytest.raises(UsageError, match=rf"^method {method} does not apply to {instance}: it needs an? {needs}"):
        measure(method, built, PipelineModel(2), 0.1, max_iterations=5)


def _pprs(instance, **params):
    eps = 0.05
    summary, _ = measure("pprs", build_instance(instance, eps, None, {}), PipelineModel(8), eps, 2, params)
    return summary


def test_theorem_d_is_not_claimed_on_a_function_lipschitz_only_near_its_minimiser():
    summary = _pprs("max-function")
    assert summary.upper_bound_time is None and any("globally L-Lipschitz" in n for n in summary.notes)


def test_theorem_d_with_its_own_tuning_gives_its_registered_time():
    summary = _pprs("max-function-lipschitz")  # T = 303, K = 8: 303 batches of 8 through 8 stages
    assert (summary.iterations, summary.K, summary.upper_bound_time) == (303, 8, 303 * 2 * (8 + 8 - 1))


def test_theorem_d_at_the_runs_own_parameters_holds_only_where_its_bound_reaches_eps():
    more_samples = _pprs("max-function-lipschitz", samples=100)  # the bound at (303, 100, γ_D) is below ε
    assert more_samples.upper_bound_time == 303 * 2 * (8 + 100 - 1)
    assert any("at this run's T = 303, K = 100" in n and "≤ eps" in n for n in more_samples.notes)
    wide = _pprs("max-function-lipschitz", gamma=0.5)  # the smoothing bias γL√d alone exceeds ε
    assert wide.upper_bound_time is None and any("> eps" in n for n in wide.notes)


def test_a_diverging_run_stops_quietly_and_says_so():
    """Heavy ball at step 10/β on Nesterov's chain overflows: it used to run all 40 180 iterations on inf/nan with
    numpy's overflow warnings on stderr; it now stops where every run left the finite numbers, with a note."""
    import warnings

    instance = build_instance("nesterov-chain", 1e-3, None, {})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        summary, trace = measure("heavy-ball", instance, PipelineModel(4), 1e-3, 1, {"step": 10})
    assert summary.final_gap is None and trace.iterations < 1000
    assert any(note.startswith("diverged: 1 of 1 runs left the finite numbers") for note in summary.notes)
    assert not any("raise with --set max_iterations" in note for note in summary.notes)


def test_gap_statistics_are_over_the_seeds_last_iterates():
    """gap_mean and final_gap: the mean and the worst of f(x_T) − f* over the seeds (run r: seed + r), each run
    written out as Theorem D's algorithm in tests/algorithms/test_random_smoothing.py."""
    from tests.algorithms.test_random_smoothing import theorem_d

    eps, horizon = 0.05, 20
    instance = build_instance("max-function-lipschitz", eps, None, {})
    summary, _ = measure("pprs", instance, PipelineModel(2), eps, 3, {"samples": 2, "seed": 4}, max_iterations=horizon)
    gaps = [float(instance.value(theorem_d(instance, summary.gamma, 2, 4 + r, horizon)) - instance.f_star)
            for r in range(3)]
    assert summary.iterations == horizon and len(set(gaps)) == 3
    assert summary.gap_mean == pytest.approx(sum(gaps) / 3, rel=1e-10)
    assert summary.final_gap == pytest.approx(max(gaps), rel=1e-10)


def test_the_max_function_for_eps_has_the_hard_instances_dimension():
    """docs/theory.md §2.4: the hard instance for ε has t = ⌈(LR/(2ε) − 1)²⌉ − 1 coordinates; L = R = 1, ε = 0.05:
    ⌈(10 − 1)²⌉ − 1 = 80; ε = 0.03: ⌈(16.67 − 1)²⌉ − 1 = ⌈245.44⌉ − 1 = 245."""
    assert build_instance("max-function-lipschitz", 0.05, None, {}).dim == 80
    assert build_instance("max-function-lipschitz", 0.03, None, {}).dim == math.ceil((1 / 0.06 - 1) ** 2) - 1 == 245
