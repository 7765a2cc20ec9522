"""Few-shot and adversarial learning on handwritten digits: PPRS against GD, AGD, the subgradient method and
GPipe mini-batch SGD, every method given the same pipeline time and the same tuning budget.

The claim under test (PAPER, ../shared/paper-abstract.txt): on highly non-smooth problems with few samples —
few-shot or adversarial learning — PPRS outperforms gradient descent and Nesterov's AGD. The paper's own
experimental setup is not available: this study is ours, and what it reports is MEASURED, not a bound.

- Data (experiments.digits): `shots` images per class for training (N = 10·shots), 500 others held out.
- Model (worstcase.layered.network): Δ dense layers of width W (ReLU; the last linear to 10 scores), multiclass
  hinge loss, He initialisation. Task "few-shot": that loss. Task "adversarial": the loss at inputs attacked by
  `attack_steps` projected sign-gradient steps in the ℓ∞ ball of radius `attack_radius`
  (worstcase.adversarial).
- Clock (DERIVED, docs/theory.md §1): an iteration sends B micro-batches through the GPipe pipeline, makespan
  2(B + Δ − 1), with B = N for GD, AGD and the subgradient method, K·N for PPRS, b for SGD; the adversarial task
  needs attack_steps + 1 such passes per gradient. Budget: the time of `budget` full-batch gradients,
  T = budget · passes · 2(N + Δ − 1), the same for every method. Evaluations (losses, accuracies) are not
  charged to the clock.
- Tuning, the same budget for every method: G configurations each (the grids of `Plan`, one size G), each run
  on the tuning seeds; the configuration with the lowest mean training loss at T is then run on the evaluation
  seeds, which never take part in tuning.
- Seeds: seed s draws the training images and the held-out set, θ₀, PPRS's noise (stream 1000·s + run) and
  SGD's mini-batches.
- Metrics at C + 1 checkpoint times j·T/C: the training loss (the task's loss on the N images) and the held-out
  accuracy (adversarial: robust accuracy under the same attack) of the latest iterate available; mean and 95 %
  Student-t interval over the evaluation seeds.
- Verdict per (Δ, shots): PPRS's final training loss minus that of the best other method (lowest mean), paired
  by seed, with its 95 % interval: "PPRS wins" if the interval lies below 0, "PPRS loses" if above, otherwise
  "no significant difference". The same for held-out accuracy.
"""
import time
from dataclasses import asdict, dataclass, fields, replace

import numpy as np

from pplimits._util.checks import UsageError
from pplimits.algorithms.backend import Backend, get_backend
from pplimits.algorithms.clock import makespan
from pplimits.algorithms.random_smoothing import PPRS
from pplimits.algorithms.span_methods import AcceleratedGradient, DecayingSubgradient, GradientDescent
from pplimits.algorithms.statistics import student_ci95
from pplimits.bounds.smoothing import C_SMOOTH
from pplimits.experiments.digits import CLASSES, few_shot
from pplimits.worstcase.adversarial import AdversarialObjective
from pplimits.worstcase.layered import network

TASKS = ("few-shot", "adversarial")
STUDY_METHODS = ("gd", "agd", "subgradient", "sgd", "pprs")


@dataclass(frozen=True)
class Plan:
    """What the study runs. Every method has the same number G of configurations:
    len(steps) = len(sgd_steps)·len(sgd_batches) = len(pprs_samples)·len(pprs_gammas)·len(pprs_steps)."""

    depths: tuple
    shots: tuple
    seeds: tuple  # evaluation
    tuning_seeds: tuple
    width: int
    budget: int  # pipeline time of this many full-batch gradients
    checkpoints: int
    steps: tuple  # GD and AGD step 1/β, the subgradient method's c in c/√(t+1)
    sgd_steps: tuple
    sgd_batches: tuple  # mini-batch size as a fraction of N (at least 1 image)
    pprs_samples: tuple  # K as a multiple of Δ
    pprs_gammas: tuple
    pprs_steps: tuple  # η = γ/(2cL)
    attack_radius: float = 0.05
    attack_steps: int = 3
    test_size: int = 500

    def __post_init__(self):
        sizes = {"gd/agd/subgradient": len(self.steps), "sgd": len(self.sgd_steps) * len(self.sgd_batches),
                 "pprs": len(self.pprs_samples) * len(self.pprs_gammas) * len(self.pprs_steps)}
        if len(set(sizes.values())) != 1:
            raise UsageError(f"every method needs the same number of configurations, got {sizes}")
        if len(self.seeds) < 2 or set(self.seeds) & set(self.tuning_seeds):
            raise UsageError("need at least 2 evaluation seeds, disjoint from the tuning seeds")

    @property
    def configurations(self) -> int:
        return len(self.steps)


def _grid(low, high, count):
    return tuple(float(v) for v in np.round(np.geomspace(low, high, count), 12))


FULL = Plan(depths=(4, 8, 16, 32), shots=(1, 5, 10), seeds=(0, 1, 2, 3, 4), tuning_seeds=(100, 101), width=16,
            budget=150, checkpoints=20, steps=_grid(1e-4, 1.0, 18), sgd_steps=_grid(1e-3, 1.0, 6),
            sgd_batches=(0.1, 0.25, 0.5), pprs_samples=(0.5, 1, 2), pprs_gammas=(0.001, 0.01),
            pprs_steps=(0.01, 0.03, 0.1))
QUICK = Plan(depths=(4, 8), shots=(1, 5), seeds=(0, 1, 2, 3, 4), tuning_seeds=(100,), width=8, budget=60,
             checkpoints=10, steps=_grid(1e-3, 0.1, 4), sgd_steps=(0.003, 0.03), sgd_batches=(0.1, 0.5),
             pprs_samples=(0.5, 1, 2, 4), pprs_gammas=(0.05,), pprs_steps=(0.01,), test_size=200)


@dataclass(frozen=True)
class Problem:
    """One seed's data and network for a task: the training objective and the held-out objective."""

    train: object  # LayeredObjective or AdversarialObjective
    test: object
    test_labels: np.ndarray
    samples: int  # N
    passes: int  # pipeline passes per gradient


def problem(task: str, plan: Plan, depth: int, shots: int, seed: int) -> Problem:
    train_x, train_y, test_x, test_y = few_shot(shots, seed, plan.test_size)
    objective = network(depth, plan.width, "relu", "hinge", train_x, train_y, CLASSES, seed=seed, residual=True)
    test = objective.on(test_x, test_y, "held-out")
    if task == "adversarial":
        objective = AdversarialObjective(objective, plan.attack_radius, plan.attack_steps)
        test = AdversarialObjective(test, plan.attack_radius, plan.attack_steps)
    return Problem(objective, test, test_y, len(train_y), getattr(objective, "passes", 1))


def groups(name: str, plan: Plan, depth: int, samples: int, seed: int, layer_sizes) -> list[tuple]:
    """The method's G configurations as runs batched per group: [(method, configs, batch or None), …]."""
    steps = plan.steps
    if name in ("gd", "agd", "subgradient"):
        build = {"gd": GradientDescent, "agd": AcceleratedGradient, "subgradient": DecayingSubgradient}[name]
        arguments = tuple(1 / s for s in steps) if name != "subgradient" else steps
        return [(build(arguments), [{"step": s} for s in steps], None)]
    if name == "sgd":
        found = []
        for fraction in plan.sgd_batches:
            batch = max(1, round(fraction * samples))
            found.append((GradientDescent(tuple(1 / s for s in plan.sgd_steps)),
                          [{"step": s, "batch": batch} for s in plan.sgd_steps], batch))
        return found
    found = []
    for multiple in plan.pprs_samples:
        k = max(1, round(multiple * depth))
        configs = [{"K": k, "gamma": g, "eta": e} for g in plan.pprs_gammas for e in plan.pprs_steps]
        method = PPRS(tuple(c["gamma"] / (2 * C_SMOOTH * c["eta"]) for c in configs), k, seed=1000 * seed,
                      layer_sizes=layer_sizes, gamma=tuple(c["gamma"] for c in configs))
        found.append((method, configs, None))
    return found


def iteration_time(depth: int, micro_batches: int, passes: int) -> int:
    """Pipeline time of one iteration: `passes` GPipe batches of B micro-batches, each 2(B + Δ − 1)."""
    return passes * makespan(depth, micro_batches, "gpipe", "half")


def checkpoint_times(plan: Plan, depth: int, samples: int, passes: int) -> np.ndarray:
    budget = plan.budget * iteration_time(depth, samples, passes)
    return np.array([j * budget // plan.checkpoints for j in range(plan.checkpoints + 1)], dtype=np.int64)


def _trajectory(method, problem_: Problem, runs: int, tau: int, times, batch, rng, backend: Backend):
    """Iterates (C+1, runs, d) available at each checkpoint time, iterations of length tau in pipeline time."""
    train = problem_.train
    wanted = times // tau
    x = backend.asarray(np.broadcast_to(train.x0, (runs, train.dim)))
    state, kept, marks = method.init(x), {}, set(wanted.tolist())
    for k in range(int(wanted[-1]) + 1):
        if k in marks:
            kept[k] = backend.to_numpy(method.iterate(state))
        if k == wanted[-1]:
            break
        oracle = train
        if batch is not None:
            chosen = rng.choice(problem_.samples, batch, replace=False)
            oracle = train.on(_data(train)[chosen], _labels(train)[chosen])
        state = method.update(state, oracle.gradient(method.queries(state)))
    return np.stack([kept[int(k)] for k in wanted])


def _data(objective):
    return getattr(objective, "objective", objective).data


def _labels(objective):
    return getattr(objective, "objective", objective).loss.labels


def evaluate(problem_: Problem, iterates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(training loss, held-out accuracy), each (C+1, runs); non-finite losses stay inf."""
    with np.errstate(all="ignore"):
        loss = problem_.train.value(iterates)
        scores = problem_.test.outputs(iterates)
    accuracy = (np.argmax(scores, axis=-1) == problem_.test_labels).mean(axis=-1)
    return np.where(np.isfinite(loss), loss, np.inf), np.where(np.isfinite(loss), accuracy, 0.0)


def run_method(name: str, task: str, plan: Plan, depth: int, shots: int, seed: int, backend: Backend, only=None):
    """All of the method's configurations (or the one `only`) on one seed, each config with its iterations
    and iteration time; loss and accuracy (C+1, configs) at the checkpoint times."""
    problem_ = problem(task, plan, depth, shots, seed)
    times = checkpoint_times(plan, depth, problem_.samples, problem_.passes)
    configs, losses, accuracies = [], [], []
    for method, group_configs, batch in groups(name, plan, depth, problem_.samples, seed, problem_.train.layer_sizes):
        keep = [i for i, c in enumerate(group_configs) if only is None or c == only]
        if not keep:
            continue
        if len(keep) < len(group_configs):
            method = _select(method, keep)
        micro = batch if batch is not None else problem_.samples * method.queries_per_iteration
        tau = iteration_time(depth, micro, problem_.passes)
        rng = np.random.default_rng([seed, batch or 0])
        with np.errstate(all="ignore"):
            iterates = _trajectory(method, problem_, len(keep), tau, times, batch, rng, backend)
        loss, accuracy = evaluate(problem_, iterates)
        configs += [{**group_configs[i], "iteration_time": tau, "iterations": int(times[-1] // tau)} for i in keep]
        losses.append(loss)
        accuracies.append(accuracy)
    return configs, times, np.concatenate(losses, axis=1), np.concatenate(accuracies, axis=1)


def _select(method, keep):
    """The method with its per-run hyperparameters restricted to the runs `keep`."""
    changes = {f.name: tuple(getattr(method, f.name)[i] for i in keep) for f in fields(method)
               if isinstance(getattr(method, f.name), tuple) and f.name != "layer_sizes"}
    return replace(method, **changes)


def tune(name: str, task: str, plan: Plan, depth: int, shots: int, backend: Backend) -> tuple[dict, list[dict]]:
    """The configuration with the lowest mean final training loss over the tuning seeds, and every one's score."""
    finals = []
    for seed in plan.tuning_seeds:
        configs, _, loss, _ = run_method(name, task, plan, depth, shots, seed, backend)
        finals.append(loss[-1])
    mean = np.mean(finals, axis=0)
    scores = [{**config, "tuning_loss": _number(value)} for config, value in zip(configs, mean)]
    return _hyperparameters(configs[int(np.argmin(mean))]), scores


def _hyperparameters(config: dict) -> dict:
    return {k: v for k, v in config.items() if k not in ("iteration_time", "iterations")}


def _number(value):
    """A float for JSON, None where it is not finite (a diverged run)."""
    return float(value) if np.isfinite(value) else None


def _summary(values: np.ndarray) -> dict:
    """Mean and 95 % Student-t half-width over seeds (axis 0), per checkpoint; None where a seed diverged."""
    finite = np.isfinite(values).all(axis=0)
    mean, half = values.mean(axis=0), student_ci95(values)
    return {"mean": [_number(m) if ok else None for m, ok in zip(mean, finite)],
            "ci95": [_number(h) if ok else None for h, ok in zip(half, finite)]}


def cell(task: str, plan: Plan, depth: int, shots: int, backend: Backend, progress=None) -> dict:
    """Every method at (Δ, shots): tuned on the tuning seeds, then measured on the evaluation seeds."""
    methods = {}
    for name in STUDY_METHODS:
        start = time.perf_counter()
        chosen, scores = tune(name, task, plan, depth, shots, backend)
        runs = [run_method(name, task, plan, depth, shots, seed, backend, only=chosen) for seed in plan.seeds]
        times = runs[0][1]
        loss = np.stack([r[2][:, 0] for r in runs])  # (seeds, C+1)
        accuracy = np.stack([r[3][:, 0] for r in runs])
        clock = {k: runs[0][0][0][k] for k in ("iteration_time", "iterations")}
        methods[name] = {"chosen": chosen, **clock, "tuning": scores, "times": times.tolist(),
                         "loss": _summary(loss), "accuracy": _summary(accuracy),
                         "final_loss": [_number(v) for v in loss[:, -1]],
                         "final_accuracy": [float(v) for v in accuracy[:, -1]]}
        if progress is not None:
            print(f"[{task}] Δ={depth} shots={shots} {name}: loss {_show(methods[name]['loss'])}, "
                  f"accuracy {_show(methods[name]['accuracy'])} ({time.perf_counter() - start:.1f} s)",
                  file=progress, flush=True)
    return {"depth": depth, "shots": shots, "samples": CLASSES * shots, "methods": methods,
            "verdict": verdict(methods)}


def _show(summary: dict) -> str:
    mean, half = summary["mean"][-1], summary["ci95"][-1]
    return "diverged" if mean is None else f"{mean:.4f} ± {half:.4f}"


def _paired(pprs: list, other: list, lower_is_better: bool) -> dict:
    difference = np.array(pprs, dtype=float) - np.array(other, dtype=float)
    if not np.isfinite(difference).all():
        return {"mean": None, "ci95": None, "outcome": "a run diverged: no verdict"}
    mean, half = float(difference.mean()), float(student_ci95(difference))
    better, worse = (mean + half < 0, mean - half > 0) if lower_is_better else (mean - half > 0, mean + half < 0)
    outcome = "PPRS wins" if better else "PPRS loses" if worse else "no significant difference"
    return {"mean": mean, "ci95": half, "outcome": outcome}


def verdict(methods: dict) -> dict:
    """PPRS against the best other method (lowest mean final loss; highest mean final accuracy), paired by seed."""
    others = [name for name in STUDY_METHODS if name != "pprs"]

    def mean_of(name, key):
        values = np.array(methods[name][key], dtype=float)
        return values.mean() if np.isfinite(values).all() else np.inf

    by_loss = min(others, key=lambda name: mean_of(name, "final_loss"))
    by_accuracy = max(others, key=lambda name: mean_of(name, "final_accuracy"))
    best = min(STUDY_METHODS, key=lambda name: mean_of(name, "final_loss"))
    return {"lowest_loss": best, "loss_baseline": by_loss,
            "loss": _paired(methods["pprs"]["final_loss"], methods[by_loss]["final_loss"], True),
            "accuracy_baseline": by_accuracy,
            "accuracy": _paired(methods["pprs"]["final_accuracy"], methods[by_accuracy]["final_accuracy"], False)}


def study(task: str, quick: bool = False, backend: Backend | None = None, progress=None) -> dict:
    """The whole study for one task: every (Δ, shots) cell; JSON-ready."""
    if task not in TASKS:
        raise UsageError(f"experiment must be one of {', '.join(TASKS)}, got {task!r}")
    plan, backend = QUICK if quick else FULL, backend or get_backend()
    cells = [cell(task, plan, depth, shots, backend, progress) for depth in plan.depths for shots in plan.shots]
    return {"task": task, "quick": quick, "plan": {**asdict(plan), "configurations": plan.configurations},
            "backend": backend.name, "methods": list(STUDY_METHODS), "cells": cells}
