"""The torch engine under torch's multi-stage and zero-bubble schedules (issue 15 item 6): P = 2 ranks, K = 4.

ScheduleInterleaved1F1B and ScheduleLoopedBFS hold v = 2 stages per rank; ScheduleInterleavedZeroBubble (v = 1, 2)
and ScheduleZBVZeroBubble (v = 2, V-shaped) split each backward into I and W. Each must give the numpy simulator's
gradient, run exactly torch's own IR, record orders that pplimits' validator accepts, take the model's ticks
(closed form, or pplimits' simulator on torch's IR) and, with 100 ms per action, the model's wall time within 15 %
(never less: the sleeps on the critical path alone take that long; 100 ms keeps torch's and gloo's few ms per action
inside 15 % on a 2-core machine loaded 10-fold). One 2-rank launch (30 s of sleeping, 60 s in all under load)."""
import numpy as np
import pytest

pytest.importorskip("torch", reason="the torch engine needs torch: pip install 'pplimits[torch]'")

from pplimits._util.checks import UsageError  # noqa: E402
from pplimits.algorithms import torch_schedules  # noqa: E402
from pplimits.algorithms.clock import UNIT_COSTS  # noqa: E402
from pplimits.algorithms.engines import torch_engine  # noqa: E402
from pplimits.algorithms.noise import perturbations  # noqa: E402
from pplimits.algorithms.timeline import TimelineError  # noqa: E402
from pplimits.worstcase.layered import network  # noqa: E402

pytestmark = [pytest.mark.engine,
              pytest.mark.skipif(not torch_engine.available()[0], reason=torch_engine.available()[1])]

SEED, ITERATION, GAMMA, DEVICES, SAMPLES, OP_SECONDS, TOLERANCE = 11, 2, 0.2, 2, 4, 0.1, 0.15
SCHEDULES = [("interleaved-1f1b", 2), ("looped-bfs", 2), ("interleaved-zb", 1), ("interleaved-zb", 2), ("zbv", 2)]
# Ticks by hand (every action one tick: F = B = 1, and I = W = 1 where split, i.e. f = 1, b = 2, w = 1):
# interleaved 1F1B (vK + P − 1)(f + b) = (8 + 1)·2 (Narayanan et al. 2021); ZB-H1 K(f + b) + (P − 1)(f + b − 2w)
# = 12 + 1 (Qi et al. 2023); looped BFS v = 2: every rank's forwards of stage r then r + 2, the backwards in reverse,
# micro-batches 3 → 0: F(3, 3) ends at 9, B(0, 0) at 18.
BY_HAND = {("interleaved-1f1b", 2): 18, ("interleaved-zb", 1): 13, ("looped-bfs", 2): 18}


def _objective(chunks):
    return network(DEVICES * chunks, width=6, activation="relu", loss="hinge", seed=3)


def _theta(objective):
    return objective.x0 + 0.1 * np.random.default_rng(0).standard_normal(objective.dim)


@pytest.fixture(scope="module")
def runs():
    cases = [{"objective": _objective(v), "theta": _theta(_objective(v)), "gamma": GAMMA, "samples": SAMPLES,
              "seed": SEED, "iteration": ITERATION, "op_seconds": OP_SECONDS, "repeats": 2, "schedule": name,
              "chunks": v} for name, v in SCHEDULES]
    return dict(zip(SCHEDULES, torch_engine.smoothed_gradients(cases, timeout=180)))


@pytest.mark.parametrize("schedule", SCHEDULES, ids=[f"{name}-v{v}" for name, v in SCHEDULES])
def test_gradient_and_values_equal_the_numpy_simulator(runs, schedule):
    """G = (1/K) Σ_k objective.gradient(θ + γX_k) and f(θ + γX_k) to 1e-12: a split backward loses no gradient."""
    objective = _objective(schedule[1])
    queries = _theta(objective) + GAMMA * perturbations([SEED], ITERATION, SAMPLES, objective.layer_sizes)[0]
    expected = objective.gradient(queries).mean(axis=0)
    assert np.linalg.norm(runs[schedule].gradient - expected) <= 1e-12 * np.linalg.norm(expected)
    np.testing.assert_allclose(runs[schedule].values, objective.value(queries), rtol=1e-12, atol=0)


@pytest.mark.parametrize("schedule", SCHEDULES, ids=[f"{name}-v{v}" for name, v in SCHEDULES])
def test_the_ranks_run_torchs_own_ir_in_the_models_ticks(runs, schedule):
    """Each rank's recorded actions are its compute actions of torch's IR (pipeline_order), in order; the orders,
    accepted by pplimits' validator when read back (read_results), take the ticks computed by hand or, for the
    others, by pplimits' simulator on torch's IR (algorithms.torch_schedules)."""
    name, chunks = schedule
    ir = torch_schedules.read(torch_engine.SCHEDULES[name][0], DEVICES, SAMPLES, chunks)
    expected = tuple(tuple((a.kind, a.stage, a.microbatch) for a in actions if a is not None and a.kind in "FBIW")
                     for actions in ir.ranks)
    assert runs[schedule].orders == expected
    simulated = torch_schedules.check(ir, torch_engine.SPLIT_COSTS if name in ("interleaved-zb", "zbv")
                                      else UNIT_COSTS)
    assert simulated.verdict == "valid"
    assert runs[schedule].ticks == BY_HAND.get(schedule, simulated.makespan)
    assert torch_engine.model(name, DEVICES, SAMPLES, chunks)[0] == runs[schedule].ticks


@pytest.mark.parametrize("schedule", SCHEDULES, ids=[f"{name}-v{v}" for name, v in SCHEDULES])
def test_wall_time_is_the_models_within_15_percent(runs, schedule):
    """100 ms per action: the step (the faster of two) takes at least ticks · 100 ms and at most 15 % more."""
    model = runs[schedule].ticks * OP_SECONDS
    assert model <= runs[schedule].wall_seconds <= (1 + TOLERANCE) * model


def test_split_orders_need_each_i_before_its_w_on_the_rank_of_its_stage():
    """ZB-H1 by hand at P = 2, K = 2 (I = the input-gradient op B): valid, 3K + (P − 1) = 7 ticks; a W before its I,
    a missing W, an I/W under a schedule that does not split, or a full B where it splits are refused."""
    good = [[("F", 0, 0), ("F", 0, 1), ("I", 0, 0), ("W", 0, 0), ("I", 0, 1), ("W", 0, 1)],
            [("F", 1, 0), ("I", 1, 0), ("F", 1, 1), ("I", 1, 1), ("W", 1, 0), ("W", 1, 1)]]
    assert torch_engine.recorded_ticks(good, 2, "interleaved-zb")[0] == 7
    early_w = [good[0], [("F", 1, 0), ("W", 1, 0), ("I", 1, 0), *good[1][2:]]]
    missing_w = [good[0], good[1][:-1]]
    for orders in (early_w, missing_w):
        with pytest.raises(TimelineError):
            torch_engine.recorded_ticks(orders, 2, "interleaved-zb")
    with pytest.raises(TimelineError, match="1f1b runs only F, B"):
        torch_engine.recorded_ticks(good, 2, "1f1b")
    full = [[("B" if kind == "I" else kind, stage, k) for kind, stage, k in order] for order in good]
    with pytest.raises(TimelineError, match="interleaved-zb runs only F, I, W"):
        torch_engine.recorded_ticks(full, 2, "interleaved-zb")  # a full backward where torch's schedule splits it


def test_zbv_orders_need_the_v_placement():
    """ZBV places stages 0 and 3 on rank 0, 1 and 2 on rank 1: torch's own IR passes, the same IR read on the looped
    placement (stages 0, 2 on rank 0) does not."""
    ir = torch_schedules.read("ScheduleZBVZeroBubble", DEVICES, SAMPLES, 2)
    orders = [[(a.kind, a.stage, a.microbatch) for a in actions if a is not None and a.kind in "FBIW"]
              for actions in ir.ranks]
    assert torch_engine.placement("zbv", DEVICES, 2) == (0, 1, 1, 0)
    ticks = torch_engine.recorded_ticks(orders, SAMPLES, "zbv", 2)[0]
    assert ticks == torch_engine.model("zbv", DEVICES, SAMPLES, 2)[0]
    with pytest.raises(TimelineError, match="rank 0 ran F0 of stage 3, which interleaved-zb places on rank 1"):
        torch_engine.recorded_ticks(orders, SAMPLES, "interleaved-zb", 2)


def test_schedules_outside_their_domain_are_refused_before_a_launch(tmp_path):
    objective = _objective(2)
    case = {"objective": objective, "theta": objective.x0, "gamma": GAMMA, "samples": 4, "seed": SEED,
            "iteration": ITERATION}
    for schedule, chunks, message in (("zbv", 1, "chunks"), ("1f1b", 2, "chunks must be 1"),
                                      ("interleaved-1f1b", 3, "chunks must divide")):
        with pytest.raises(UsageError, match=message):
            torch_engine.write_problem(tmp_path / "problem.pkl", [case | {"schedule": schedule, "chunks": chunks}])
    assert not (tmp_path / "problem.pkl").exists()
