"""The assertions of pplimits.testing: a method (a built-in name, PACKAGE.MODULE:NAME, or your own object or
factory) through the pipeline clock on a hard instance, or traced into an exact worst case over a class."""
import math
from collections.abc import Callable, Iterable

import numpy as np

from pplimits._util.imports import is_import_path
from pplimits.algorithms.clock import PipelineModel
from pplimits.algorithms.methods import SPAN_METHODS, make_method
from pplimits.algorithms.runner import run
from pplimits.experiments.measure import build_instance, measure


def _name(method) -> str:
    return method if isinstance(method, str) else getattr(method, "name", None) or getattr(
        method, "__qualname__", type(method).__name__)


def _where(instance, depth) -> str:
    return f"on {instance.name} (d = {instance.dim}) at depth {depth}"


def assert_respects_lower_bound(method, *, instance: str = "nesterov-chain", depth: int = 4, eps: float = 1e-3,
                                dim: int | None = None, seeds: int = 1, **params) -> None:
    """The method never beats the span lower bound: at every iteration k (clock time t_k), its f − f* (‖∇f‖ on
    Carmon's chain) is at least the instance's exact span gap E(⌊t_k/τ⌋), τ = 2Δ (rounds lemma, docs/theory.md
    §1), and it reaches ε no earlier than the instance's span bound τ·k(ε). The method must declare itself
    zero-respecting (`span_method = True`; the built-in span methods are), and must reach ε."""
    hard = build_instance(instance, eps, dim, {})
    model = PipelineModel(depth)
    name = _name(method)
    builtin = isinstance(method, str) and not is_import_path(method)
    if not (method in SPAN_METHODS if builtin else make_method(method, hard, **params).span_method):
        raise AssertionError(f"{name} does not declare span_method = True: the span lower bound binds "
                             "zero-respecting methods only, so there is nothing to check")
    summary, trace = measure(method, hard, model, eps, seeds, params or None)
    _require_finite(name, trace.values, f"{_where(hard, depth)}")
    floor = np.asarray(hard.span_gap(trace.times // model.latency), dtype=float)
    below = trace.values < floor * (1 - 1e-12)
    if below.any():
        run_index, k = map(int, np.argwhere(below)[0])
        value, bound = float(trace.values[run_index, k]), float(floor[k])
        raise AssertionError(f"{name} {_where(hard, depth)}: at t = {int(trace.times[k])} (iteration {k}, run "
                             f"{run_index}) {hard.criterion} = {value:.6g} is below the span lower bound E(⌊t/τ⌋) = "
                             f"{bound:.6g} by {(bound - value) / bound:.2%}")
    if summary.time_to_eps is None:
        raise AssertionError(f"{name} {_where(hard, depth)} never reached ε = {eps:g} within {trace.iterations} "
                             "iterations: the lower bound is checked on a run that reaches ε (raise max_iterations "
                             "or ε)")
    if summary.instance_lower_bound_time is not None and summary.time_to_eps < summary.instance_lower_bound_time:
        raise AssertionError(f"{name} {_where(hard, depth)} reached ε = {eps:g} at t = {summary.time_to_eps}, "
                             f"before the span lower bound {summary.instance_lower_bound_time}")


def assert_within_upper_bound(method, bound: Callable | str, *, instance: str = "nesterov-chain", depth: int = 4,
                              iterations: int = 100, dim: int | None = None, eps: float = 1e-3, seeds: int = 1,
                              **params) -> None:
    """f − f* (‖∇f‖ on Carmon's chain) after every iteration k ≤ `iterations` stays at or under the bound: a
    registered claim of the gap at clock time t (e.g. "smooth-convex.gd.upper.gap-at-time"), or a callable
    `bound(k, c)` of the iteration and the instance's constants c ({"beta", "mu", "R", "L", "dim"} where defined):
    GD's βR²/(4k + 2) is `lambda k, c: c["beta"] * c["R"] ** 2 / (4 * k + 2)`."""
    hard = build_instance(instance, eps, dim, {})
    model = PipelineModel(depth)
    name = _name(method)
    if iterations < 1:
        raise AssertionError(f"{name}: iterations = {iterations}, so there is nothing to check")
    built = make_method(method, hard, **params)
    trace = run(built, hard, model, iterations, runs=seeds)
    _require_finite(name, trace.values, _where(hard, depth))
    constants = {k: v for k, v in {"beta": hard.beta, "mu": hard.mu, "R": hard.radius,
                                   "L": getattr(hard, "lipschitz", None), "dim": hard.dim}.items()
                 if v is not None and (not isinstance(v, float) or math.isfinite(v))}
    if isinstance(bound, str):
        bound = _claim_at_time(bound, hard, model, eps, trace.times)
    for k in range(trace.values.shape[1]):
        limit = float(bound(k, constants))
        worst = float(trace.values[:, k].max())
        if not worst <= limit:
            raise AssertionError(f"{name} {_where(hard, depth)}: after iteration {k} (t = {int(trace.times[k])}) "
                                 f"{hard.criterion} = {worst:.6g} exceeds the bound {limit:.6g} by "
                                 f"{(worst - limit) / abs(limit) if limit else math.inf:.2%}")


def assert_worst_case_at_most(method, bound, *, function_class: str = "smooth-convex",
                              iterations: int | Iterable[int] = 5, certified: bool = False, rtol: float = 1e-7,
                              margin=None, **constants) -> None:
    """The worst case of the method over the whole class (a PEP, bounds/pep) is at most `bound` (a number, or a
    callable of N) times 1 + rtol (the solver's accuracy; a tight bound is met with equality) for every N in
    `iterations`; `certified=True` also requires the exact certificate, at a margin of at most `margin` (worst
    case × (1 + margin); default 1e-6, see pplimits.bounds.pep.worst_case). The method is a built-in PEP name, or
    a function NAME(x0, gradient, iterations, **constants) itself or by its path PACKAGE.MODULE:NAME."""
    from pplimits.bounds.pep.worst_case import worst_case

    counts = [iterations] if isinstance(iterations, int) else list(iterations)
    if not counts:
        raise AssertionError(f"{_name(method)}: no iterations given, so there is nothing to check")
    values = {k: str(v) for k, v in constants.items()}
    for n in counts:
        found = worst_case(method, function_class, n, values, exact=certified, margin=margin)
        limit = float(bound(n) if callable(bound) else bound)
        value = found.worst_case
        if not value <= limit * (1 + rtol):
            raise AssertionError(f"{found.method} on {function_class}, N = {n}: worst case {value:.10g} exceeds the bound "
                                 f"{limit:.10g} by {(value - limit) / abs(limit) if limit else math.inf:.3%}")
        if certified and not found.certified:
            raise AssertionError(f"{found.method} on {function_class}, N = {n}: worst case {found.worst_case:.10g} is not "
                                 f"certified exactly ({found.certificate})")


def _claim_at_time(claim_id: str, instance, model, eps, times) -> Callable:
    """The registered claim `claim_id`, a bound on the gap at clock time t, as a bound of the iteration k (t = t_k)."""
    from pplimits.bounds.registry import registry
    from pplimits.experiments.measure import bound_values

    uppers = [c for c in registry() if ".upper.gap-at-time" in c]
    if claim_id not in uppers:
        raise AssertionError(f"{claim_id!r} is not a registered upper bound on the gap at time t (one of "
                             f"{', '.join(uppers)})")
    claim, values = registry()[claim_id], bound_values(instance, model, eps)
    if claim.failed_assumptions(values):
        raise AssertionError(f"{claim_id} does not apply to {instance.name} at depth {model.depth}: "
                             f"{'; '.join(claim.failed_assumptions(values))}")
    with np.errstate(divide="ignore"):  # t = 0: no iteration done yet, the bound is +inf
        limits = np.asarray(claim.numeric(t=np.asarray(times), **claim.named(values, without=("t",))), dtype=float)
    limits = limits * np.ones(len(times))
    return lambda k, constants: limits[k]


def _require_finite(name, values, where) -> None:
    if not np.isfinite(values).all():
        k = int(np.flatnonzero(~np.isfinite(values).all(axis=0))[0])
        raise AssertionError(f"{name} {where}: the value is not finite from iteration {k} (diverged)")
