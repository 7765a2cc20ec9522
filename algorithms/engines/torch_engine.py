"""torch pipeline engine: PPRS's smoothed gradient on torch.distributed.pipelining, one torchrun rank per stage.

What it computes: the K values f(θ + γX_k) and G = (1/K) Σ_k ∇f(θ + γX_k) of a LayeredObjective, where stage j's
block of X_k is algorithms.noise.gaussian_block(seed, iteration, k, j, size_j) — the numpy simulator's numbers,
drawn by rank j itself. Rank j runs stage j (algorithms.engines.torch_worker) under ScheduleGPipe with
n_microbatches = K (or Schedule1F1B, K ≥ Δ: the case's `schedule`, gpipe or 1f1b), micro-batch k being query k;
gloo on CPU, NCCL on GPU (one GPU per rank). Float64.

    torchrun --standalone --nproc_per_node=Δ -m algorithms.engines.torch_worker PROBLEM OUTDIR

The clock: DERIVED (docs/theory.md §1): each stage logs the ops it runs, in order; `ticks` is the makespan of those
orders with unit ops (algorithms.timeline.execute: each op as early as its stage's previous op and its dependency
allow), accepted only if algorithms.timeline.check finds every stage ran exactly K forwards and K backwards as a
valid timeline of the schedule; it is the clock's closed form, 2(K + Δ − 1) for GPipe and for 1F1B at unit costs
(tests/algorithms/engines/test_torch_engine.py). With op_seconds > 0 every op also sleeps that long, and
`validate_clock` compares the timed schedule.step calls with makespan · op_seconds.
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
from pplimits.algorithms.clock import Schedule
from pplimits.algorithms.engines import EngineRun, clock_objective, clock_row
from pplimits.algorithms.timeline import check, execute, measured_peak_activations, measured_span

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


SCHEDULES = ("gpipe", "1f1b")  # the clock's schedules torch runs here (one stage per rank, unsplit backward)


def recorded_ticks(orders, samples: int, schedule: str = "gpipe") -> tuple[int, tuple]:
    """(ticks, peak activations per stage) of the stages' recorded op orders ([("F" | "B", k), …] per stage, k
    from 0) run as early as possible with unit ops; TimelineError unless they form a valid timeline of `schedule`
    with K forwards and K backwards per stage."""
    timed = Schedule(schedule, devices=len(orders), inputs=samples)
    units = {(j + 1,): [(kind, j + 1, k + 1) for kind, k in order] for j, order in enumerate(orders)}
    ops = execute(timed, units)
    check(ops, timed)
    return measured_span(ops), measured_peak_activations(ops, timed)


def smoothed_gradients(cases, device: str = "cpu", timeout: float = 120) -> list[EngineRun]:
    """Several smoothed_gradient calls of the same depth in one torchrun launch (a launch costs seconds).

    Each case: a dict of smoothed_gradient's arguments objective, theta, gamma, samples, seed, iteration,
    op_seconds (default 0), schedule (gpipe or 1f1b, default gpipe) and repeats (timed schedule.step calls after
    one warm-up, default 1).
    """
    with tempfile.TemporaryDirectory(prefix="pplimits-torch-") as folder:
        problem = Path(folder) / "problem.pkl"
        ranks = write_problem(problem, cases, device, timeout)
        launch(problem, folder, ranks, timeout)
        return read_results(folder, problem)


def write_problem(path, cases, device: str = "cpu", timeout: float = 120) -> int:
    """Write the worker's problem file (checked cases, see smoothed_gradients); returns the ranks it needs (Δ).

    For a launch by hand, e.g. across nodes: every node runs torchrun on this file (see the README)."""
    require_choice("device", device, ("cpu", "cuda"))
    cases = [_checked(case) for case in cases]
    ranks = cases[0]["objective"].depth
    if any(case["objective"].depth != ranks for case in cases):
        raise UsageError("cases of one launch must share their depth (one rank per stage)")
    if device == "cuda" and torch.cuda.device_count() < 1:
        raise UsageError("device 'cuda' needs a GPU per rank; torch sees none here")
    Path(path).write_bytes(pickle.dumps({"device": device, "timeout": timeout, "cases": cases}))
    return ranks


def read_results(out_dir, problem) -> list[EngineRun]:
    """The EngineRun of each case from the ranks' files in out_dir (gathered there from every node)."""
    cases = pickle.loads(Path(problem).read_bytes())["cases"]
    ranks = cases[0]["objective"].depth
    missing = [f"rank{j}.pkl" for j in range(ranks) if not (Path(out_dir) / f"rank{j}.pkl").exists()]
    if missing:
        raise UsageError(f"{out_dir} lacks {', '.join(missing)}: every rank must finish and its file be gathered there")
    results = [pickle.loads((Path(out_dir) / f"rank{j}.pkl").read_bytes()) for j in range(ranks)]
    runs = []
    for i, case in enumerate(cases):
        stages = [result[i] for result in results]
        walls = np.max([stage["walls"] for stage in stages], axis=0)
        ticks, peaks = recorded_ticks([stage["ops"] for stage in stages], case["samples"], case["schedule"])
        runs.append(EngineRun(np.concatenate([stage["gradient"] for stage in stages]), stages[-1]["values"], ticks,
                              float(walls.min()), peaks))
    return runs


def _checked(case) -> dict:
    objective = case["objective"]
    theta = np.asarray(case["theta"], dtype=np.float64)
    if theta.shape != (objective.dim,):
        raise UsageError(f"theta must have shape ({objective.dim},), got {theta.shape}")
    schedule = require_choice("schedule", case.get("schedule", "gpipe"), SCHEDULES)
    Schedule(schedule, devices=objective.depth, inputs=require_int("samples", case["samples"]))  # its domain
    return {"objective": objective, "theta": theta, "gamma": require_number("gamma", case["gamma"], 0.0, low_open=False),
            "samples": require_int("samples", case["samples"]), "seed": require_int("seed", case["seed"], 0),
            "iteration": require_int("iteration", case["iteration"], 0),
            "op_seconds": require_number("op_seconds", case.get("op_seconds", 0.0), 0.0, low_open=False),
            "repeats": require_int("repeats", case.get("repeats", 1)), "schedule": schedule}


def smoothed_gradient(objective, theta, gamma, samples, seed, iteration, op_seconds=0.0, device="cpu",
                      timeout=120, schedule="gpipe") -> EngineRun:
    """PPRS's G = (1/K) Σ_k ∇f(θ + γX_k) and the values f(θ + γX_k), pipelined over Δ torchrun ranks (see the
    module). `wall_seconds` times one schedule.step after a warm-up step, launch excluded."""
    case = {"objective": objective, "theta": theta, "gamma": gamma, "samples": samples, "seed": seed,
            "iteration": iteration, "op_seconds": op_seconds, "schedule": schedule}
    return smoothed_gradients([case], device, timeout)[0]


def validate_clock(depths=(2, 4), samples=(2, 8), op_seconds=0.02, repeats=3, schedules=SCHEDULES) -> list[dict]:
    """Measured wall time of schedule.step against the clock's makespan · op_seconds, per (schedule, Δ, K) in
    the schedule's domain (1F1B: K ≥ Δ).

    Each op sleeps `op_seconds`; measured = the minimum over `repeats` timed steps after a warm-up step,
    one torchrun launch per depth.
    """
    rows = []
    for depth in depths:
        objective = clock_objective(depth)
        grid = [(name, k) for name in schedules for k in samples if name != "1f1b" or k >= depth]
        cases = [{"objective": objective, "theta": objective.x0, "gamma": 0.1, "samples": k, "seed": 0,
                  "iteration": 0, "op_seconds": op_seconds, "repeats": repeats, "schedule": name} for name, k in grid]
        rows += [clock_row("torch", depth, k, op_seconds, run.wall_seconds, name)
                 for (name, k), run in zip(grid, smoothed_gradients(cases))]
    return rows
