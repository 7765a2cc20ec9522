"""`pplimits verify`: the registered checks, claims × instances × methods × depths.

Each check records what was measured, the bound it is held to and their ratio, and passes when the
measurement is on the claimed side of the bound (lower: measured ≥ bound; upper: measured ≤ bound).
Pointwise checks compare the criterion at every clock time of a trace with a bound at that time.
"""
import math
import time
from dataclasses import dataclass
from functools import partial

import numpy as np

from algorithms.clock import SCHEDULES, PipelineModel, makespan
from algorithms.methods import make_method
from algorithms.timeline import measured_makespan, simulate, validate
from bounds.claim import parse_values
from bounds.pep.worst_case import worst_case
from bounds.pprs import tuning
from bounds.registry import registry
from reports.cache import Cache
from reports.measure import bound_values, build_instance, measure
from worstcase import make_instance


@dataclass(frozen=True)
class Check:
    id: str
    kind: str  # "lower" | "upper" | "equal" | "order" (both finite and > 0: measured, bound are Θ-constants)
    measured: float
    bound: float
    tolerance: float = 0.0  # absolute, for float rounding only (an attained bound, e.g. E(0) = f(x₀) − f*)
    certified: bool | None = None  # an exact rational certificate proves measured·(1 + margin) (PEP checks)

    @property
    def ratio(self) -> float:
        return self.measured / self.bound if self.bound else float(self.measured == self.bound)

    @property
    def passed(self) -> bool:
        if self.kind == "lower":
            return self.measured >= self.bound - self.tolerance
        if self.kind == "upper":
            return self.measured <= self.bound + self.tolerance
        if self.kind == "order":
            return all(0 < v < math.inf for v in (self.measured, self.bound))
        return self.measured == self.bound

    def as_dict(self) -> dict:
        found = {"id": self.id, "kind": self.kind, "passed": self.passed, "measured": self.measured,
                 "bound": self.bound, "ratio": self.ratio}
        return found if self.certified is None else {**found, "certified": self.certified}


def clock_checks(depths, batches):
    """Closed-form makespan == tick-by-tick simulation (which must itself validate)."""
    for depth in depths:
        for batch in batches:
            for schedule in SCHEDULES:
                for duplex in ("half", "full", "forward"):
                    ops = simulate(depth, batch, schedule, duplex)
                    validate(ops, depth, batch, schedule, duplex)
                    yield Check(f"clock.makespan/{schedule}-{duplex}/depth={depth},B={batch}", "equal",
                                measured_makespan(ops), makespan(depth, batch, schedule, duplex))


def pointwise_checks(tag, instance, trace, model, values):
    """At every clock time: criterion ≥ the instance span bound E(⌊t/τ⌋), ≤ the method's gap-at-time claim.

    For ‖∇f‖ the upper claims bound the best iterate so far, so the running minimum is compared.
    """
    best_runs = trace.values.min(axis=0)
    observed = np.minimum.accumulate(trace.values, axis=1) if trace.criterion == "grad-norm" else trace.values
    worst_runs = observed.max(axis=0)
    if hasattr(instance, "span_gap"):
        bound = instance.span_gap(trace.times // model.latency)
        i = int(np.argmin(best_runs - bound))
        rounding = 1e-12 * max(1.0, abs(instance.f0 - instance.f_star))
        yield Check(f"{instance.setting}.instance-span-gap/{tag}", "lower", float(best_runs[i]), float(bound[i]), rounding)
    claim = registry().get(f"{instance.setting}.{trace.method}.upper.gap-at-time")
    if claim is not None and not claim.failed_assumptions(values):
        # U(⌊t/τ_g⌋) is vacuous (infinite for GD) before one iteration of the claim's clock τ_g = 2(Δ + n − 1)
        later = trace.times >= max(model.gradient_time(trace.queries_per_iteration), 2 * (model.depth + model.inputs - 1))
        names = {name: v for name, v in _named(values).items() if name in claim.parameters and name != "t"}
        bound = np.asarray(claim.numeric(t=trace.times[later], **names), dtype=float)
        i = int(np.argmax(worst_runs[later] - bound))
        yield Check(f"{claim.id}/{tag}", "upper", float(worst_runs[later][i]), float(bound[i]))


def _named(values):
    from bounds.symbols import NAME_OF
    return {NAME_OF[s]: v for s, v in values.items()}


def method_checks(instance, method_name, model, eps, seeds=1, method_params=None, max_iterations=None):
    """Time-to-ε against the lower and upper time claims, plus the pointwise checks of the trace."""
    summary, trace = measure(method_name, instance, model, eps, seeds, method_params, max_iterations)
    tag = f"{instance.name}/{method_name}/depth={model.depth},eps={eps:g}"
    measured = summary["time_to_eps"]
    setting = instance.setting
    if summary["lower_bound_time"] is not None:
        reached = measured if measured is not None else float(trace.times[-1])
        yield Check(f"{setting}.lower.time/{tag}", "lower", float(reached), summary["lower_bound_time"])
    if summary["upper_bound_time"] is not None:
        reached = measured if measured is not None else float(trace.times[-1])  # not reached: ≥ 2× the bound
        yield Check(f"{setting}.{method_name}.upper.time/{tag}", "upper", float(reached), summary["upper_bound_time"])
    lower, upper = summary["lower_bound_time"], summary["upper_bound_time"]
    if measured is not None and lower and upper is not None and registry()[f"{setting}.ratio"].methods == method_name:
        yield Check(f"{setting}.ratio/{tag}", "upper", measured / lower, upper / lower)
    yield from pointwise_checks(tag, instance, trace, model, bound_values(instance, model, eps))


def order_checks():
    """PAPER Θ-shapes against the DERIVED bounds (sympy limits, at Δ = 4, n = 1, d = 16).

    Smooth settings: lower and optimal-method upper times over the shape → finite positive constants as
    ε → 0. PPRS: its leading DERIVED time over the paper's shape → finite positive constants both as
    Δ → ∞ (the depth term) and as ε → 0 (the ε⁻² term).
    """
    import sympy as sp

    from bounds.derive import relaxed
    from bounds.symbols import d, depth, eps, n

    claims = registry()
    point = {depth: 4, n: 1, d: 16}
    for paper in (c for c in claims.values() if c.kind == "order" and c.label == "PAPER"):
        if paper.methods == "pprs":
            leading = claims[f"{paper.setting}.pprs.upper.time-leading"].expression / paper.expression
            constants = [float(sp.limit(leading, depth, sp.oo).subs(point)), float(sp.limit(leading, eps, 0, "+").subs(point))]
            yield Check(f"{paper.id}/Θ-constants of {paper.setting}.pprs.upper.time-leading as Δ → ∞ and ε → 0",
                        "order", *constants)
            continue
        upper_id = f"{paper.setting}.{claims[f'{paper.setting}.ratio'].methods}.upper.time"  # the optimal method
        constants = [float(sp.limit(relaxed(claims[i].expression) / paper.expression, eps, 0, "+").subs(point))
                     for i in (f"{paper.setting}.lower.time", upper_id)]
        yield Check(f"{paper.id}/Θ-constants of {paper.setting}.lower.time and {upper_id}", "order", *constants)


def bernstein_margin(value_range: float, variance: float, samples: int, failure: float) -> float:
    """s with P(mean − E ≥ s) ≤ failure for i.i.d. values in an interval of length `value_range` with
    variance ≤ `variance` (Bernstein: exp(−S s²/(2σ² + (2/3)M s)) = failure, solved for s)."""
    log = math.log(1 / failure)
    linear = 2 * value_range * log / 3
    return (linear + math.sqrt(linear**2 + 8 * samples * variance * log)) / (2 * samples)


def pprs_checks(instance, method, horizon, seeds, failure=1e-6):
    """Theorem D: the mean of f(x_T) − f* over `seeds` runs ≤ the bound B + a Bernstein margin.

    f(x_T) − f* ∈ [0, M] surely, M = L(γT(T+1)/(8c) + R): x_T is a convex combination of z_0..z_T and
    ‖z_t − z_0‖ ≤ Σ_{j<T} (j+1)η/2 · L = γT(T+1)/(8c) (η = γ/(2cL), ‖G‖ ≤ L). If the claim holds
    (E ≤ B), the variance is ≤ E[g²] ≤ M·B, and Bernstein's inequality bounds P(mean ≥ B + s) by δ =
    `failure`. Needs a globally L-Lipschitz instance.
    """
    from algorithms.runner import run

    c = math.sqrt(2 / math.pi)
    gamma, samples = method.gamma, method.samples
    trace = run(method, instance, PipelineModel(1), horizon, runs=seeds)
    claim = registry()["nonsmooth-convex.pprs.upper.gap-at-horizon"]
    bound = float(claim.numeric(L=instance.lipschitz, R=instance.radius, T=horizon, K=samples, gamma=gamma, d=instance.dim))
    reach = instance.lipschitz * (gamma * horizon * (horizon + 1) / (8 * c) + instance.radius)
    margin = bernstein_margin(reach, reach * bound, seeds, failure)
    tag = f"{instance.name}/T={horizon},K={samples},gamma={gamma:.3g},seeds={seeds}"
    yield Check(f"{claim.id}/{tag}", "upper", float(trace.values[:, -1].mean()), bound + margin)


SPAN_METHODS = ("gd", "agd", "heavy-ball")
NONSMOOTH_SPAN_METHODS = ("subgradient",)
RANDOM_SPAN = {"seeds": 100, "method_params": {"seed": 2019, "queries_per_iteration": 3}}


def plan(quick: bool):
    """The checks to run, as (description, generator factory) pairs."""
    depths = (4,) if quick else (1, 4, 16)
    hard = [(build_instance("nesterov-chain", eps, None, {}), eps) for eps in ((1e-3,) if quick else (1e-3, 3e-4))]
    hard += [(build_instance("strongly-convex-chain", 1e-6, None, {"mu": 0.01}), 1e-6),
             (build_instance("carmon-chain", 0.05, None, {"chain_length": 4 if quick else 8}), 0.05)]
    nonsmooth = [(build_instance("max-function", eps, None, {}), eps) for eps in ((0.05,) if quick else (0.05, 0.02))]
    lipschitz_max = build_instance("max-function-lipschitz", 0.05, None, {})
    benign = [make_instance(name, dim=dim, seed=seed, **{key: mu})
              for seed in ((0,) if quick else (0, 1, 2)) for mu in (0.0, 0.05)
              for name, dim, key in (("random-quadratic", 30, "mu"), ("logistic-regression", 10, "reg"))]
    grid = range(1, 6) if quick else range(1, 9), range(1, 7) if quick else range(1, 13)
    pprs = tuning(0.05, lipschitz_max.lipschitz, lipschitz_max.radius, lipschitz_max.dim)
    pprs_method = make_method("pprs", lipschitz_max, samples=pprs["K"], gamma=pprs["gamma"], seed=2019)
    steps = [("clock: closed form against the tick simulator", partial(clock_checks, *grid)),
             ("tight worst cases: exact PEP certificates", partial(pep_checks, (1, 2, 5) if quick else (1, 2, 5, 10, 20))),
             ("paper Θ-shapes against the derived bounds", order_checks),
             (f"Theorem D over {256 if quick else 1024} seeds", partial(
                 pprs_checks, lipschitz_max, pprs_method, pprs["T"], 256 if quick else 1024))]
    for depth in depths:
        model = PipelineModel(depth)
        for instance, eps in hard + nonsmooth:
            for method in NONSMOOTH_SPAN_METHODS if instance.setting == "nonsmooth-convex" else SPAN_METHODS:
                steps.append((f"{instance.name} {method} Δ={depth} ε={eps:g}", partial(method_checks, instance, method, model, eps)))
            steps.append((f"{instance.name} 100 random span methods Δ={depth}", partial(
                method_checks, instance, "random-span", model, eps, **RANDOM_SPAN,
                max_iterations=instance.span_rounds(eps) + 10)))
        for instance in benign:
            for method in ("gd", "agd"):
                steps.append((f"{instance.name} {instance.params} {method} Δ={depth}", partial(method_checks, instance, method, model, 1e-6)))
    return steps


PEP_CLAIMS = {  # claim: (method, class, parameters, the claim's parameters)
    "smooth-convex.gd.upper.tight": ("gd", "smooth-convex", {"beta": "1", "R": "1"}, {"beta": 1, "R": 1}),
    "nonsmooth-convex.subgradient.upper.tight": ("subgradient", "lipschitz-convex", {"L": "1", "R": "1"},
                                                 {"L": 1, "R": 1}),
}


def pep_checks(iterations):
    """Each tight claim against the exact PEP worst case at N iterations: worst ≤ claimed bound up to the
    certificate's margin, and the worst case certified in exact arithmetic (bounds/pep)."""
    for claim_id, (method, function_class, values, symbols) in PEP_CLAIMS.items():
        claim = registry()[claim_id]
        for n in iterations:
            result = worst_case(method, function_class, n, values)
            bound = claim.evaluate(parse_values({**symbols, "k": n}))
            margin = result["margin"] or 0.0
            yield Check(f"{claim_id}/N={n}", "upper", result["worst_case"], float(bound), margin * float(bound),
                        certified=result["certified"])


def run_checks(quick: bool = False, progress=None, cache: Cache | None = None) -> dict:
    """Run every planned check; progress lines (one per step) go to `progress` if given.

    With a `cache`, each step's checks are stored as they finish, so an interrupted run resumes.
    """
    cache = cache or Cache(None)
    rows = []
    steps = plan(quick)
    for number, (description, make_checks) in enumerate(steps, 1):
        start = time.perf_counter()
        found, hit = cache.get("verify", {"quick": quick, "step": description},
                               lambda: [c.as_dict() for c in make_checks()])
        rows.extend(found)
        if progress is not None:
            failed = sum(not c["passed"] for c in found)
            print(f"[{number}/{len(steps)}] {description}: {len(found)} checks, {failed} failed "
                  f"({'cached' if hit else f'{time.perf_counter() - start:.2f} s'})", file=progress, flush=True)
    passed = sum(r["passed"] for r in rows)
    return {"checks": rows, "passed": passed, "failed": len(rows) - passed}
