"""torch pipeline engine: PPRS's smoothed gradient on torch.distributed.pipelining, its stages on P torchrun ranks.

What it computes: the K values f(θ + γX_k) and G = (1/K) Σ_k ∇f(θ + γX_k) of a LayeredObjective, where stage j's
block of X_k is algorithms.noise.gaussian_block(seed, iteration, k, j, size_j) — the numpy simulator's numbers,
drawn by the rank holding stage j. The case's `schedule` (SCHEDULES: torch's class, v stages per rank) runs with
n_microbatches = K, micro-batch k being query k; its Δ = vP stages are placed as torch places them (looped: stage
s on rank s mod P; V-shaped for ZBVZeroBubble). gloo on CPU, NCCL on GPU (one GPU per rank). Float64.

    torchrun --standalone --nproc_per_node=P -m algorithms.engines.torch_worker PROBLEM OUTDIR

The clock: DERIVED (docs/theory.md §1): each rank logs the actions torch runs on it, in order (F, B; I and W where
the backward is split); `ticks` is the makespan of those orders with every action one tick (costs f = b = 1, and
f = 1, b = 2, w = 1 where split: B = b − w = 1, W = 1; algorithms.timeline.execute: each op as early as its device's
previous op and its dependency allow), accepted only if algorithms.timeline.check finds them a valid timeline: each
stage's K forwards and K backwards (B, or I and W) exactly once on the rank holding it, dependencies met. The model
(`model`) is pplimits' closed form where the class is one of the clock's schedules (GPipe, 1F1B, interleaved 1F1B,
zero bubble ZB-H1 at v = 1), else the simulator run on torch's own schedule IR (algorithms.torch_schedules). With
op_seconds > 0 every action also sleeps that long, and `validate_clock` compares the timed schedule.step calls with
model · op_seconds.
"""
import os
import pickle
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist

from pplimits._util.checks import UsageError, require_choice, require_int, require_number
from pplimits.algorithms import torch_schedules
from pplimits.algorithms.clock import UNIT_COSTS, Costs, PlacedSchedule, Schedule
from pplimits.algorithms.engines import EngineRun, clock_objective, clock_row
from pplimits.algorithms.timeline import TimelineError, check, execute, measured_peak_activations, measured_span

ROOT = Path(__file__).resolve().parents[2]
TORCHRUN = Path(sys.executable).with_name("torchrun")
STDERR_LINES = 30


def devices() -> list[str]:
    """The devices a rank can run on: 'cpu' and every 'cuda:i'."""
    return ["cpu"] + [f"cuda:{i}" for i in range(torch.cuda.device_count())]


def available() -> tuple[bool, str]:
    """(whether torchrun with gloo can start here, why or why not)."""
    if not dist.is_available() or not dist.is_gloo_available():
        return False, f"torch {torch.__version__} was built without torch.distributed gloo"
    if not TORCHRUN.exists():
        return False, f"no torchrun next to {sys.executable}"
    return True, f"torch {torch.__version__}, gloo, {TORCHRUN}"


def command(problem, out_dir, ranks: int) -> list[str]:
    """The single-host torchrun command running the worker on a problem file, one rank per stage."""
    return [str(TORCHRUN), "--standalone", f"--nproc_per_node={ranks}", "-m", "pplimits.algorithms.engines.torch_worker",
            str(problem), str(out_dir)]


def launch(problem, out_dir, ranks: int, timeout: float = 120) -> None:
    """Run the worker under torchrun; RuntimeError with the last stderr lines if it fails or outlives `timeout`
    seconds (torchrun is then sent SIGTERM, which ends its workers, then SIGKILL)."""
    process = subprocess.Popen(command(problem, out_dir, ranks), cwd=ROOT, env={**os.environ, "OMP_NUM_THREADS": "1"},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _, stderr = process.communicate(timeout=timeout)
        failure = None if process.returncode == 0 else f"failed with exit code {process.returncode}"
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            _, stderr = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            _, stderr = process.communicate()
        failure = f"timed out after {timeout} s"
    if failure:
        tail = "\n".join(stderr.splitlines()[-STDERR_LINES:])
        raise RuntimeError(f"torch engine: torchrun with {ranks} ranks {failure}; last stderr lines:\n{tail}")


# The engine's schedules: name -> (torch's class, default v stages per rank). Every action sleeps one op.
SCHEDULES = {"gpipe": ("ScheduleGPipe", 1), "1f1b": ("Schedule1F1B", 1),
             "interleaved-1f1b": ("ScheduleInterleaved1F1B", 2), "looped-bfs": ("ScheduleLoopedBFS", 2),
             "interleaved-zb": ("ScheduleInterleavedZeroBubble", 1), "zbv": ("ScheduleZBVZeroBubble", 2)}
# (schedule, v) measured by validate_clock: every class torch runs with one op per action (DualPipeV overlaps a
# forward with a backward in one action: not expressible in pplimits' op model, algorithms.torch_schedules).
CLOCK_GRID = (("gpipe", 1), ("1f1b", 1), ("interleaved-1f1b", 2), ("looped-bfs", 2), ("interleaved-zb", 1),
              ("interleaved-zb", 2), ("zbv", 2))
SPLIT_COSTS = Costs(f=1, b=2, w=1)  # split backward: F, B (= I) and W one tick each
_SPLIT = ("ScheduleInterleavedZeroBubble", "ScheduleZBVZeroBubble")


def placement(schedule: str, devices: int, chunks: int) -> tuple:
    """torch's rank (0-based) of each of the Δ = vP stages: looped (s mod P), or V-shaped for ZBVZeroBubble."""
    from torch.distributed.pipelining.schedules import generate_stage_to_rank_mapping

    shape = "v" if SCHEDULES[schedule][0] in torch_schedules.V_SHAPED else "loop"
    ranks = generate_stage_to_rank_mapping(devices, devices * chunks, style=shape)
    return tuple(ranks[s] for s in range(devices * chunks))


def timing(schedule: str, devices: int, samples: int, chunks: int = 1) -> Schedule:
    """The clock's model of `schedule` on P = `devices` ranks, K = `samples`, v = `chunks`, every action one tick:
    pplimits' own Schedule where torch's class is one of the clock's at this v (torch_schedules.CLOSED_FORMS),
    else a PlacedSchedule with torch's placement (no closed form). UsageError outside the schedule's domain."""
    require_choice("schedule", schedule, tuple(SCHEDULES))
    name = SCHEDULES[schedule][0]
    costs = SPLIT_COSTS if name in _SPLIT else UNIT_COSTS
    clock, chunk_values = torch_schedules.CLOSED_FORMS.get(name, (None, ()))
    if clock is not None and (chunk_values is None or chunks in chunk_values):
        return Schedule(clock, devices=devices, inputs=samples, chunks=chunks, costs=costs)
    return PlacedSchedule(name, devices, samples, chunks, costs=costs,
                          placement=tuple(rank + 1 for rank in placement(schedule, devices, chunks)),
                          split=name in _SPLIT)


def model(schedule: str, devices: int, samples: int, chunks: int = 1) -> tuple:
    """(ticks, source): the makespan of one step of `schedule` with every action one tick: pplimits' closed form
    where `timing` is one of the clock's schedules, else pplimits' simulator run on torch's own IR of the class
    (algorithms.torch_schedules; a UsageError if pplimits does not find that IR valid)."""
    timed = timing(schedule, devices, samples, chunks)
    if not isinstance(timed, PlacedSchedule):
        return timed.makespan(), "closed form"
    found = torch_schedules.verdict(SCHEDULES[schedule][0], devices, samples, chunks, timed.costs)
    if found.verdict != "valid":
        raise UsageError(f"schedule: torch's {found.name} IR at P = {devices}, K = {samples}, v = {chunks} is "
                         f"{found.verdict}: {found.reason}")
    return found.makespan, "simulator"


def recorded_ticks(orders, samples: int, schedule: str = "gpipe", chunks: int = 1) -> tuple[int, tuple]:
    """(ticks, peak activations per rank) of the ranks' recorded action orders (orders[r] = [(F | B | I | W, stage,
    k), …], stage and k from 0; I is the input-gradient op B of a split backward) run as early as possible with
    every action one tick; TimelineError unless every action is of the schedule's kinds (F, B; F, I, W where the
    backward is split), ran on the rank of its stage, and they form a valid timeline of `schedule` (see `timing`)."""
    timed = timing(schedule, len(orders), samples, chunks)
    kinds = ("F", "I", "W") if "W" in timed.kinds else ("F", "B")
    elsewhere = []
    for r, order in enumerate(orders):
        for kind, stage, k in order:
            if kind not in kinds:
                elsewhere.append(f"rank {r} ran {kind}{k} of stage {stage}: {schedule} runs only {', '.join(kinds)}")
            elif not (isinstance(stage, int) and 0 <= stage < timed.stages):
                elsewhere.append(f"rank {r} ran {kind}{k} of stage {stage}, which does not exist")
            elif timed.device_of(stage + 1) != r + 1:
                elsewhere.append(f"rank {r} ran {kind}{k} of stage {stage}, which {schedule} places on rank "
                                 f"{timed.device_of(stage + 1) - 1}")
    if elsewhere:
        raise TimelineError(elsewhere)
    units = {(r + 1,): [("B" if kind == "I" else kind, stage + 1, k + 1) for kind, stage, k in order]
             for r, order in enumerate(orders)}
    ops = execute(timed, units)
    check(ops, timed)
    return measured_span(ops), measured_peak_activations(ops, timed)


def smoothed_gradients(cases, device: str = "cpu", timeout: float = 120) -> list[EngineRun]:
    """Several smoothed_gradient calls on the same number of ranks in one torchrun launch (a launch costs seconds).

    Each case: a dict of smoothed_gradient's arguments objective, theta, gamma, samples, seed, iteration,
    op_seconds (default 0), schedule (one of SCHEDULES, default gpipe), chunks (v stages per rank, default the
    schedule's; Δ/v ranks) and repeats (timed schedule.step calls after one warm-up, default 1).
    """
    with tempfile.TemporaryDirectory(prefix="pplimits-torch-") as folder:
        problem = Path(folder) / "problem.pkl"
        ranks = write_problem(problem, cases, device, timeout)
        launch(problem, folder, ranks, timeout)
        return read_results(folder, problem)


def write_problem(path, cases, device: str = "cpu", timeout: float = 120) -> int:
    """Write the worker's problem file (checked cases, see smoothed_gradients); returns the ranks it needs (P = Δ/v).

    For a launch by hand, e.g. across nodes: every node runs torchrun on this file (see the README)."""
    require_choice("device", device, ("cpu", "cuda"))
    cases = [_checked(case) for case in cases]
    ranks = cases[0]["devices"]
    if any(case["devices"] != ranks for case in cases):
        raise UsageError("cases of one launch must share their ranks P = Δ/v (depth over the schedule's stages per "
                         f"rank), got {sorted({case['devices'] for case in cases})}")
    if device == "cuda" and torch.cuda.device_count() < 1:
        raise UsageError("device 'cuda' needs a GPU per rank; torch sees none here")
    Path(path).write_bytes(pickle.dumps({"device": device, "timeout": timeout, "cases": cases}))
    return ranks


def read_results(out_dir, problem) -> list[EngineRun]:
    """The EngineRun of each case from the ranks' files in out_dir (gathered there from every node)."""
    cases = pickle.loads(Path(problem).read_bytes())["cases"]
    ranks = cases[0]["devices"]
    missing = [f"rank{j}.pkl" for j in range(ranks) if not (Path(out_dir) / f"rank{j}.pkl").exists()]
    if missing:
        raise UsageError(f"{out_dir} lacks {', '.join(missing)}: every rank must finish and its file be gathered there")
    results = [pickle.loads((Path(out_dir) / f"rank{j}.pkl").read_bytes()) for j in range(ranks)]
    runs = []
    for i, case in enumerate(cases):
        ranked = [result[i] for result in results]
        walls = np.max([rank["walls"] for rank in ranked], axis=0)
        ticks, peaks = recorded_ticks([rank["ops"] for rank in ranked], case["samples"], case["schedule"],
                                      case["chunks"])
        blocks = {j: block for rank in ranked for j, block in rank["gradients"].items()}
        last = ranked[case["placement"][-1]]
        runs.append(EngineRun(np.concatenate([blocks[j] for j in range(len(blocks))]), last["values"], ticks,
                              float(walls.min()), peaks, tuple(tuple(rank["ops"]) for rank in ranked)))
    return runs


def _checked(case) -> dict:
    objective = case["objective"]
    theta = np.asarray(case["theta"], dtype=np.float64)
    if theta.shape != (objective.dim,):
        raise UsageError(f"theta must have shape ({objective.dim},), got {theta.shape}")
    schedule = require_choice("schedule", case.get("schedule", "gpipe"), tuple(SCHEDULES))
    chunks = require_int("chunks", case.get("chunks", SCHEDULES[schedule][1]))
    if objective.depth % chunks:
        raise UsageError(f"chunks must divide the depth Δ = {objective.depth} (v stages on each of Δ/v ranks), "
                         f"got {chunks}")
    devices, samples = objective.depth // chunks, require_int("samples", case["samples"])
    model(schedule, devices, samples, chunks)  # its domain, torch's and pplimits'
    return {"devices": devices, "chunks": chunks, "torch_schedule": SCHEDULES[schedule][0],
            "placement": placement(schedule, devices, chunks), "objective": objective, "theta": theta,
            "gamma": require_number("gamma", case["gamma"], 0.0, low_open=False),
            "samples": require_int("samples", case["samples"]), "seed": require_int("seed", case["seed"], 0),
            "iteration": require_int("iteration", case["iteration"], 0),
            "op_seconds": require_number("op_seconds", case.get("op_seconds", 0.0), 0.0, low_open=False),
            "repeats": require_int("repeats", case.get("repeats", 1)), "schedule": schedule}


def smoothed_gradient(objective, theta, gamma, samples, seed, iteration, op_seconds=0.0, device="cpu",
                      timeout=120, schedule="gpipe", chunks=None) -> EngineRun:
    """PPRS's G = (1/K) Σ_k ∇f(θ + γX_k) and the values f(θ + γX_k), pipelined over Δ/v torchrun ranks (see the
    module). `wall_seconds` times one schedule.step after a warm-up step, launch excluded."""
    case = {"objective": objective, "theta": theta, "gamma": gamma, "samples": samples, "seed": seed,
            "iteration": iteration, "op_seconds": op_seconds, "schedule": schedule}
    return smoothed_gradients([case | ({} if chunks is None else {"chunks": chunks})], device, timeout)[0]


def validate_clock(depths=(2, 4), samples=(2, 8), op_seconds=0.05, repeats=5, schedules=CLOCK_GRID) -> list[dict]:
    """Measured wall time of schedule.step against `model` · op_seconds, per (schedule, v) of `schedules`, P in
    `depths` ranks holding v stages each (Δ = vP) and K in `samples`, within the schedule's domain (torch's and
    pplimits': 1F1B and ZB-H1 K ≥ P, interleaved 1F1B K a multiple of P, …).

    Each action sleeps `op_seconds`; measured = the minimum over `repeats` timed steps after a warm-up step,
    one torchrun launch per P (timeout: 120 s plus three times the model's sleeping time). The recorded orders must
    be valid timelines (else a TimelineError); their ticks are recorded beside the model's.
    """
    rows = []
    for devices in depths:
        grid = []
        for name, chunks in schedules:
            for k in samples:
                try:
                    grid.append((name, chunks, k, *model(name, devices, k, chunks)))
                except UsageError:
                    continue  # outside the schedule's domain
        cases = []
        for name, chunks, k, _, _ in grid:
            objective = clock_objective(devices * chunks)
            cases.append({"objective": objective, "theta": objective.x0, "gamma": 0.1, "samples": k, "seed": 0,
                          "iteration": 0, "op_seconds": op_seconds, "repeats": repeats, "schedule": name,
                          "chunks": chunks})
        slept = (1 + repeats) * op_seconds * sum(float(ticks) for *_, ticks, _ in grid)
        for (name, chunks, k, ticks, source), run in zip(grid, smoothed_gradients(cases, timeout=120 + 3 * slept)):
            rows.append(clock_row("torch", devices, k, op_seconds, run.wall_seconds, name, chunks=chunks,
                                  ticks=ticks, model=source) | {"recorded_ticks": run.ticks})
    return rows
