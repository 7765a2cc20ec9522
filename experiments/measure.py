"""One measurement: a method on an instance through the pipeline, next to the registered bounds.

The class lower bound (a worst case over the function class) is reported for an instance only where
that instance certifies it: where it does not exceed the instance's own exact span bound
τ·k(ε), k(ε) = the rounds any span method needs on it (rounds lemma + the instance's span gap E(k)).
"""
import math
from dataclasses import asdict, dataclass, replace

import numpy as np

from pplimits._util.checks import UsageError, require_int, require_memory
from pplimits.algorithms.backend import Backend
from pplimits.algorithms.clock import PipelineModel
from pplimits.algorithms.methods import is_span_method, is_stochastic, make_method, require_applicable
from pplimits.algorithms.runner import Run, run
from pplimits.algorithms.statistics import student_ci95
from pplimits.bounds.claim import ClaimKey, parse_values
from pplimits.bounds.registry import find
from pplimits.bounds.symbols import makespan
from pplimits.bounds.tuning import drs_tuning, tuning
from pplimits.worstcase import INSTANCES, make_instance
from pplimits.worstcase.nesterov_chain import NesterovChain

DEFAULT_DIM = {"random-quadratic": 50, "logistic-regression": 20}
CARMON_DEFAULT_CHAIN = 10
ITERATION_CAP = 200_000
CLOCK_TICKS = int(np.iinfo(np.int64).max)  # the clock counts ticks in int64 (PipelineModel.iteration_times)


def build_instance(name: str, eps: float, dim: int | None, params: dict):
    """The instance `name`, sized for eps where the user gave no dimension.

    A given dimension smaller than the lower-bound construction needs at eps is still a valid instance;
    `measure` then reports the class bound as None with the reason in its notes.
    """
    if name not in INSTANCES:
        raise UsageError(f"instance must be one of {', '.join(INSTANCES)}, got {name!r}")
    if params.get("chain_length") is not None:  # by its own name, before it stands in for the dimension
        params = {**params, "chain_length": require_int("chain_length", params["chain_length"], 1)}
    if name == "carmon-chain":
        params = {"eps": eps, **params}
        if dim is None:
            dim = int(params.setdefault("chain_length", CARMON_DEFAULT_CHAIN))
    if name == "nesterov-chain" and dim is None and "chain_length" not in params:
        return NesterovChain.sized_for(eps, **params)
    if name in ("max-function", "max-function-lipschitz") and dim is None:
        # the hard instance for eps: t = ⌈(LR/(2ε) − 1)²⌉ − 1 coordinates in the max
        probe = make_instance(name, dim=1, **params)
        dim = _rounds(ClaimKey("nonsmooth-convex", "lower.time"), {"eps": eps, "L": probe.lipschitz, "R": probe.radius})
    if name == "strongly-convex-chain" and dim is None:  # d ≫ k: twice the AGD iterations to eps, plus slack
        dim = 2 * _strongly_convex_rounds(make_instance(name, dim=1, **params),
                                         ClaimKey("strongly-convex", "upper.time", "agd"), eps) + 50
    if dim is None:
        dim = params.get("chain_length", DEFAULT_DIM.get(name))
    if dim is None:
        raise UsageError(f"dim is required for {name}: give --dim D")
    return make_instance(name, dim=dim, **params)


def _count(number: int) -> str:
    """An integer for a message: as is up to 10^12, else as 1.23e30 (exactly, whatever its size)."""
    if abs(number) < 10**12:
        return str(number)
    exponent = len(str(abs(number))) - 1
    return f"{number / 10**exponent:.2f}e{exponent}"


def _rounds(key: ClaimKey, values: dict) -> int:
    """Rounds (iterations) a time claim implies: the claim at Δ = 1, n = 1, where one round takes 2 units."""
    return math.ceil(find(key).evaluate(parse_values({**values, "depth": 1, "n": 1, "tau_g": 2})) / 2)


def _strongly_convex_rounds(chain, key: ClaimKey, eps) -> int:
    """_rounds on Nesterov's infinite strongly convex chain, whose minimiser has R² = q²/(1 − q²)."""
    radius = chain.q / math.sqrt(1 - chain.q**2)
    return _rounds(key, {"eps": eps, "beta": chain.beta, "mu": chain.mu, "R": radius})


@dataclass(frozen=True)
class Measurement:
    """A method run on an instance through the pipeline (times in clock units), next to the registered bounds.

    n: inputs per gradient; seeds: independent runs, batched; K, gamma: PPRS's samples per iteration and
    smoothing (None for other methods); gap_*: f(x_T) − f* (or ‖∇f‖) at the last iterate, over the seeds.
    A bound that does not apply is None, with the reason in `notes`.
    """

    method: str
    instance: str
    setting: str
    criterion: str
    depth: int
    n: int
    schedule: str
    duplex: str
    eps: float
    dim: int
    seeds: int
    instance_params: dict
    time_to_eps: float | None
    iterations: int
    gradient_queries: int
    final_gap: float | None
    gap_mean: float | None
    gap_ci95: float | None
    K: int | None
    gamma: float | None
    lower_bound_time: float | None
    instance_lower_bound_time: float | None
    upper_bound_time: float | None
    notes: tuple[str, ...]

    def as_dict(self) -> dict:
        """JSON-ready, in field order (notes as a list)."""
        return {**asdict(self), "notes": list(self.notes)}


def bound_values(instance, model: PipelineModel, eps: float):
    values = {"eps": eps, "depth": model.depth, "n": model.inputs, "d": instance.dim, "tau_g": model.gradient_time()}
    optional = {"beta": instance.beta, "mu": instance.mu, "R": instance.radius,
                "D_f": getattr(instance, "D_f", None), "L": getattr(instance, "lipschitz", None)}
    values.update({k: v for k, v in optional.items() if v is not None and 0 < v < math.inf})
    # the clock of the upper claims whose inputs per iteration are derived (PPRS's nK) or chosen (SGD's b)
    return {**parse_values(values), makespan: lambda batch: replace(model, inputs=batch).gradient_time()}


def _evaluate(key: ClaimKey, values, notes: list[str]):
    claim = find(key)
    if claim is None:
        notes.append(f"no {key.bound.split('.')[0]} bound is registered for this method on this setting ({key.id})")
        return None
    try:
        return claim.evaluate(values)
    except ValueError as error:
        notes.append(str(error))
        return None


def tuned_parameters(method_name: str, instance, eps: float) -> tuple[dict, int | None]:
    """ε-dependent defaults from the bounds, and the method's horizon T (None: run until ε).

    subgradient: T = ⌈(RL/ε)²⌉; pprs: Theorem D's T, K, γ (sympy); pprs-drs: the RECON T, K.
    """
    if method_name == "subgradient":
        horizon = _rounds(ClaimKey("nonsmooth-convex", "upper.time", "subgradient"), {"eps": eps, "L": instance.lipschitz, "R": instance.radius})
        return {"horizon": horizon}, horizon
    if method_name in ("pprs", "pprs-drs"):
        tune = tuning if method_name == "pprs" else drs_tuning
        tuned = tune(eps, instance.lipschitz, instance.radius, instance.dim)
        return {"samples": tuned.K, **({"gamma": tuned.gamma} if tuned.gamma is not None else {})}, tuned.T
    return {}, None


def _theorem_d_time(tuned_time, instance, model, method, iterations, tuned, eps, notes) -> float | None:
    """Theorem D's guaranteed time to ε for this PPRS run, or None with the reason: its tuned time when the run is
    the tuned one; at the run's own (T, K, γ), T·τ_g(K) if the theorem's bound there is ≤ ε (DERIVED)."""
    if not getattr(instance, "globally_lipschitz", False):
        notes.append(f"no upper bound for pprs: Theorem D assumes f globally L-Lipschitz, and {instance.name} is "
                     "L-Lipschitz only on a ball around its minimiser")
        return None
    horizon, defaults = tuned
    if (iterations, method.samples, method.gamma) == (horizon, defaults["samples"], defaults["gamma"]):
        return tuned_time
    if isinstance(method.gamma, tuple):
        notes.append("no upper bound for pprs: γ differs per run")
        return None
    at = {"L": instance.lipschitz, "R": instance.radius, "T": iterations, "K": method.samples, "gamma": method.gamma,
          "d": instance.dim}
    bound = find(ClaimKey(instance.setting, "upper.gap-at-horizon", "pprs")).evaluate(parse_values(at))
    if bound > eps:
        notes.append(f"no upper bound for pprs: at this run's T = {iterations}, K = {method.samples}, "
                     f"γ = {method.gamma:.4g} Theorem D bounds E f(x_T) − f* by {bound:.4g} > eps")
        return None
    notes.append(f"upper bound: Theorem D at this run's T = {iterations}, K = {method.samples}, γ = {method.gamma:.4g}"
                 f" (not its tuning), where E f(x_T) − f* ≤ {bound:.4g} ≤ eps")
    return float(iterations * model.gradient_time(method.samples))


def _ci95(values) -> float | None:
    half = student_ci95(values)
    return None if half is None else float(half)


def measure(method_name, instance, model: PipelineModel, eps: float, seeds: int = 1,
            method_params: dict | None = None, max_iterations: int | None = None, progress=None,
            backend: Backend | None = None) -> tuple[Measurement, Run]:
    """Run `method_name` on `instance` on `backend` (default numpy): (summary of times and bounds, trace).
    `method_name` is a built-in name, a user's PACKAGE.MODULE:NAME, or a user's method object or factory.

    Deterministic and span methods stop once every seed reaches eps; the randomised ones run their
    horizon T, since their guarantee is on E f(x_T) − f*.
    """
    require_applicable(method_name, instance)
    defaults, horizon = tuned_parameters(method_name, instance, eps)
    method = make_method(method_name, instance, **{**defaults, **(method_params or {})})
    method_name = method_name if isinstance(method_name, str) else method.name  # a user's object: its label
    queries = method.queries_per_iteration
    require_memory(*(("samples", queries) if queries > seeds else ("seeds", seeds)),
                   8.0 * 4 * seeds * (queries + 4) * instance.dim,
                   f"{seeds} runs of {queries} queries per iteration on dimension {instance.dim}")
    step = model.gradient_time(queries)
    if step > CLOCK_TICKS:
        raise UsageError(f"depth = {_count(model.depth)} and n = {_count(model.inputs)} are too large: one gradient of "
                         f"{queries} quer{'y' if queries == 1 else 'ies'} takes {_count(step)} ticks, beyond the "
                         f"clock's int64 range ({_count(CLOCK_TICKS)} ticks)")
    notes: list[str] = []
    values = bound_values(instance, model, eps)
    upper = _evaluate(ClaimKey(instance.setting, "upper.time", method_name), values, notes)
    lower = instance_lower = None
    if hasattr(instance, "span_rounds"):
        instance_lower = model.latency * instance.span_rounds(eps)
        class_lower = ClaimKey(instance.setting, "lower.time")
        lower = _evaluate(class_lower, values, notes)
        if lower is not None and model.latency != 2 * model.depth:  # a schedule or costs other than the unit model's
            notes.append(f"{class_lower.id} takes one query's round trip to be τ = 2Δ = {2 * model.depth} (the unit "
                         f"model); under {model.schedule} with these op costs it is τ = {model.latency}, so the class "
                         "bound is not evaluated (the instance's own span bound uses this τ)")
            lower = None
        if lower is not None and lower > instance_lower:
            notes.append(f"{class_lower.id} = {lower:.6g} is a worst case over the class that this "
                         f"instance does not attain (its own span bound is {instance_lower}); omit --dim to get the "
                         "instance sized for eps")
            lower = None
        if not is_span_method(method_name, method):
            notes.append(f"{method_name} is not a span method: the span lower bounds (class {lower}, instance "
                         f"{instance_lower}) bind zero-respecting methods only (a user's method says it is one "
                         "with span_method = True)")
            lower = instance_lower = None
    else:
        notes.append(f"{instance.name} is not a hard instance: no lower bound is claimed on it")
    randomised = is_stochastic(method_name, method)
    if max_iterations is None and horizon is not None:
        max_iterations = horizon
    if max_iterations is None:
        reference = upper if upper is not None else _evaluate(ClaimKey(instance.setting, "upper.time", "gd"), values, [])
        max_iterations = ITERATION_CAP if reference is None else min(ITERATION_CAP, 2 * int(reference // model.gradient_time(method.queries_per_iteration)) + 10)
    if max_iterations * step > CLOCK_TICKS:  # refused now, not after the run
        raise UsageError(f"up to {_count(max_iterations)} iterations (max_iterations) of {_count(step)} ticks each "
                         f"(depth = {_count(model.depth)}, n = {_count(model.inputs)}) would pass the clock's int64 "
                         f"range ({_count(CLOCK_TICKS)} ticks): lower max_iterations, depth or n")
    if method_name == "pprs" and upper is not None:
        upper = _theorem_d_time(upper, instance, model, method, max_iterations, (horizon, defaults), eps, notes)
    trace = run(method, instance, model, max_iterations, runs=seeds, stop_below=None if randomised else eps,
                progress=progress, backend=backend)
    time_to_eps = trace.time_to_eps(eps)
    final = trace.values[:, -1]
    finite = bool(np.isfinite(final).all())
    if not finite:
        first = int(np.flatnonzero(~np.isfinite(trace.values).all(axis=0))[0])
        notes.append(f"diverged: {int((~np.isfinite(final)).sum())} of {seeds} runs left the finite numbers (from "
                     f"iteration {first}), so the run stopped there: a step too large for this instance?")
    elif time_to_eps is None:
        notes.append(f"eps not reached by every seed within {trace.iterations} iterations (raise with --set max_iterations=N)")
    summary = Measurement(
        method=method_name, instance=instance.name, setting=instance.setting, criterion=instance.criterion,
        depth=model.depth, n=model.inputs, schedule=model.schedule, duplex=model.duplex, eps=eps, dim=instance.dim,
        seeds=seeds, instance_params=instance.params, time_to_eps=time_to_eps, iterations=trace.iterations,
        gradient_queries=trace.iterations * method.queries_per_iteration,
        final_gap=float(final.max()) if finite else None, gap_mean=float(final.mean()) if finite else None,
        gap_ci95=_ci95(final) if finite else None, K=getattr(method, "samples", None),
        gamma=getattr(method, "gamma", None), lower_bound_time=lower, instance_lower_bound_time=instance_lower,
        upper_bound_time=upper, notes=tuple(notes))
    return summary, trace
