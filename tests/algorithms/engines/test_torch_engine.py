"""The torch pipeline engine (torchrun, gloo, ScheduleGPipe, one rank per stage): its PPRS gradient and values are
the numpy simulator's, every stage runs K forwards and K backwards whose order takes the clock's GPipe makespan
2(K + Δ − 1), the ranks' ops overlap, and a failing or hanging launch is a RuntimeError, never a hang.

One 4-rank launch computes every case (a launch costs 6–17 s)."""
import time

import numpy as np
import pytest

pytest.importorskip("torch", reason="the torch engine needs torch: pip install 'pplimits[torch]'")

from pplimits._util.checks import UsageError  # noqa: E402
from pplimits.algorithms.clock import makespan  # noqa: E402
from pplimits.algorithms.engines import torch_engine  # noqa: E402
from pplimits.algorithms.noise import perturbations  # noqa: E402
from pplimits.algorithms.timeline import TimelineError  # noqa: E402
from pplimits.worstcase import make_instance  # noqa: E402
from pplimits.worstcase.layered import network, pipelined  # noqa: E402

pytestmark = [pytest.mark.engine,
              pytest.mark.skipif(not torch_engine.available()[0], reason=torch_engine.available()[1])]

SEED, ITERATION, GAMMA = 11, 2, 0.2
CASES = {  # name: (objective, K)
    "relu-hinge": (network(4, width=6, activation="relu", loss="hinge", seed=3), 3),
    "relu-l1": (network(4, width=6, activation="relu", loss="l1", seed=3), 1),
    "maxpool-hinge": (network(4, width=6, activation="maxpool", loss="hinge", seed=3), 2),
    "maxpool-l1": (network(4, width=6, activation="maxpool", loss="l1", seed=3), 5),
    "pipelined-max-function-lipschitz": (pipelined(make_instance("max-function-lipschitz", dim=10), 4), 4),
}
TIMED = network(4, width=4, points=4)  # Δ = 4, K = 8, 20 ms per op
ONE_F_ONE_B = (network(4, width=6, activation="relu", loss="hinge", seed=5), 6)  # Schedule1F1B needs K ≥ Δ


def _theta(objective):
    return objective.x0 + 0.1 * np.random.default_rng(0).standard_normal(objective.dim)


@pytest.fixture(scope="module")
def runs():
    cases = [{"objective": objective, "theta": _theta(objective), "gamma": GAMMA, "samples": k, "seed": SEED,
              "iteration": ITERATION} for objective, k in CASES.values()]
    cases.append({"objective": TIMED, "theta": TIMED.x0, "gamma": GAMMA, "samples": 8, "seed": 0, "iteration": 0,
                  "op_seconds": 0.02})
    objective, samples = ONE_F_ONE_B
    cases.append({"objective": objective, "theta": _theta(objective), "gamma": GAMMA, "samples": samples,
                  "seed": SEED, "iteration": ITERATION, "schedule": "1f1b"})
    found = torch_engine.smoothed_gradients(cases, timeout=180)
    return dict(zip([*CASES, "timed", "1f1b"], found))


def test_1f1b_computes_the_same_gradient_in_the_1f1b_makespan(runs):
    """torch's Schedule1F1B: the numpy simulator's G and values; its recorded per-stage orders, checked as a 1F1B
    timeline, take (K + Δ − 1)(f + b) = 2(6 + 3) = 18 unit ticks (docs/theory.md §1)."""
    objective, samples = ONE_F_ONE_B
    queries = _theta(objective) + GAMMA * perturbations([SEED], ITERATION, samples, objective.layer_sizes)[0]
    expected = objective.gradient(queries).mean(axis=0)
    assert np.linalg.norm(runs["1f1b"].gradient - expected) <= 1e-12 * np.linalg.norm(expected)
    assert runs["1f1b"].ticks == 18  # = GPipe's 2(K + Δ − 1) at unit costs: the activations tell them apart
    assert runs["1f1b"].peak_activations == (4, 3, 2, 1) and runs["relu-hinge"].peak_activations == (3, 3, 3, 3)


@pytest.mark.parametrize("name", CASES)
def test_gradient_and_values_equal_the_numpy_simulator(runs, name):
    """G = (1/K) Σ_k objective.gradient(θ + γX_k) and the values f(θ + γX_k), X from algorithms.noise, to 1e-12."""
    objective, samples = CASES[name]
    queries = _theta(objective) + GAMMA * perturbations([SEED], ITERATION, samples, objective.layer_sizes)[0]
    expected = objective.gradient(queries).mean(axis=0)
    assert np.linalg.norm(runs[name].gradient - expected) <= 1e-12 * np.linalg.norm(expected)
    np.testing.assert_allclose(runs[name].values, objective.value(queries), rtol=1e-12, atol=0)


def test_ticks_are_the_gpipe_makespan(runs):
    """The recorded op orders (checked: K forwards and K backwards per stage) take 2(K + Δ − 1) unit ticks."""
    samples = {name: k for name, (_, k) in CASES.items()} | {"timed": 8}
    assert {name: runs[name].ticks for name in samples} == {name: makespan(4, k) for name, k in samples.items()}


def test_stage_ops_overlap_across_ranks(runs):
    """With 20 ms per op a step takes at least the pipelined time 2(K + Δ − 1)·20 ms and well under the
    one-op-at-a-time time 2KΔ·20 ms (Δ = 4, K = 8: 0.44 s against 1.28 s)."""
    assert makespan(4, 8) * 0.02 <= runs["timed"].wall_seconds < 0.5 * makespan(4, 8, "naive") * 0.02


def test_recorded_orders_must_be_k_forwards_and_k_backwards_per_stage():
    gpipe = [[("F", k) for k in range(3)] + [("B", k) for k in range(3)] for _ in range(4)]
    assert torch_engine.recorded_ticks(gpipe, 3) == (makespan(4, 3), (3, 3, 3, 3)) == (12, (3, 3, 3, 3))
    extra_forward = [gpipe[0], [("F", 0)] + gpipe[1], *gpipe[2:]]  # a shape-inference call counted as an op
    missing_backward = [*gpipe[:3], gpipe[3][:-1]]
    for orders in (extra_forward, missing_backward):
        with pytest.raises(TimelineError):
            torch_engine.recorded_ticks(orders, 3)


def test_recorded_1f1b_orders_take_the_1f1b_makespan_and_gpipe_orders_are_not_1f1b():
    """Stage j (0-based) of P = 4: P − j − 1 warm-up forwards, then one forward, one backward, then the rest
    of the backwards (Narayanan et al. 2021); K = 4: (K + P − 1)·2 = 14 ticks, with P − j activations held."""
    depth, samples = 4, 4
    orders = []
    for j in range(depth):
        warm = depth - j - 1
        order = [("F", k) for k in range(warm)]
        for k in range(samples - warm):
            order += [("F", warm + k), ("B", k)]
        orders.append(order + [("B", k) for k in range(samples - warm, samples)])
    assert torch_engine.recorded_ticks(orders, samples, "1f1b") == (14, (4, 3, 2, 1))
    with pytest.raises(UsageError, match="inputs must be >= depth"):
        torch_engine.recorded_ticks(orders, 2, "1f1b")  # 1F1B is defined for K ≥ P only


def test_a_failing_worker_raises_its_message(tmp_path):
    problem = tmp_path / "problem.pkl"
    problem.write_bytes(b"not a pickle")
    start = time.perf_counter()
    with pytest.raises(RuntimeError, match=r"failed with exit code 1(.|\n)*UnpicklingError"):
        torch_engine.launch(problem, tmp_path, ranks=2, timeout=60)
    assert time.perf_counter() - start < 60


def test_a_launch_past_its_timeout_is_killed():
    objective = network(2, width=3)
    start = time.perf_counter()
    with pytest.raises(RuntimeError, match="timed out after 3 s"):
        torch_engine.smoothed_gradient(objective, objective.x0, GAMMA, 2, SEED, ITERATION, op_seconds=30, timeout=3)
    assert time.perf_counter() - start < 20


def test_one_launch_needs_one_depth(tmp_path):
    cases = [{"objective": network(depth, width=3), "theta": network(depth, width=3).x0, "gamma": GAMMA, "samples": 2,
              "seed": SEED, "iteration": ITERATION} for depth in (2, 3)]
    with pytest.raises(ValueError, match="share their depth"):
        torch_engine.write_problem(tmp_path / "problem.pkl", cases)
    assert not (tmp_path / "problem.pkl").exists()
