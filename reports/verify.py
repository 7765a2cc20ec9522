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

from pplimits._util.checks import UsageError
from pplimits.algorithms.clock import SCHEDULES, PipelineModel, makespan
from pplimits.algorithms.methods import make_method
from pplimits.algorithms.timeline import measured_makespan, simulate, validate
from pplimits.bounds.claim import ClaimKey, parse_values
from pplimits.bounds.pep.claims import CASES as PEP_CASES
from pplimits.bounds.pep.worst_case import worst_case
from pplimits.bounds.registry import find, registry
from pplimits.bounds.tuning import tuning
from pplimits.experiments.matrix import (
    BENIGN_EPS,
    BENIGN_METHODS,
    NONSMOOTH_METHODS,
    PPRS_SEED,
    RANDOM_SPAN_SEED,
    SMOOTH_METHODS,
    Profile,
)
from pplimits.experiments.measure import bound_values, build_instance, measure
from pplimits.reports.cache import Cache, fingerprint


@dataclass(frozen=True)
class Check:
    """One measured value held against one bound. `claim` is the registered claim's id (or a check family:
    clock.makespan, <setting>.instance-span-gap); `case` says what was measured; `id` is claim/case."""

    claim: str
    case: str
    kind: str  # "lower" | "upper" | "equal" | "order" (both finite and > 0: measured, bound are Θ-constants)
    measured: float
    bound: float
    tolerance: float = 0.0  # absolute, for float rounding only (an attained bound, e.g. E(0) = f(x₀) − f*)
    certified: bool | None = None  # an exact rational certificate proves measured·(1 + margin) (PEP checks)
    setting: str | None = None  # the claim's setting (None for the clock)
    params: tuple[tuple[str, object], ...] = ()  # the case's parameters, where a table needs them

    @property
    def id(self) -> str:
        return f"{self.claim}/{self.case}"

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
        found = {"id": self.id, "claim": self.claim, "setting": self.setting, "kind": self.kind,
                 "passed": self.passed, "measured": self.measured, "bound": self.bound, "ratio": self.ratio,
                 **({"params": dict(self.params)} if self.params else {})}
        return found if self.certified is None else {**found, "certified": self.certified}


def clock_checks(depths, batches):
    """Closed-form makespan == tick-by-tick simulation (which must itself validate)."""
    for depth in depths:
        for batch in batches:
            for schedule in SCHEDULES:
                for duplex in ("half", "full", "forward"):
                    ops = simulate(depth, batch, schedule, duplex)
                    validate(ops, depth, batch, schedule, duplex)
                    yield Check("clock.makespan", f"{schedule}-{duplex}/depth={depth},B={batch}", "equal",
                                measured_makespan(ops), makespan(depth, batch, schedule, duplex),
                                params=(("mode", f"{schedule}-{duplex}"), ("depth", depth), ("B", batch)))


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
        yield Check(f"{instance.setting}.instance-span-gap", tag, "lower", float(best_runs[i]), float(bound[i]), rounding,
                    setting=instance.setting)
    claim = find(ClaimKey(instance.setting, "upper.gap-at-time", trace.method))
    if claim is not None and not claim.failed_assumptions(values):
        # U(⌊t/τ_g⌋) is vacuous (infinite for GD) before one iteration of the claim's clock τ_g (the makespan of one
        # iteration under the model's schedule: 2(Δ + n − 1) under gpipe, half duplex, unit costs)
        later = trace.times >= model.gradient_time(trace.queries_per_iteration)
        names = claim.named(values, without=("t",))
        bound = np.asarray(claim.numeric(t=trace.times[later], **names), dtype=float)
        i = int(np.argmax(worst_runs[later] - bound))
        yield Check(claim.id, tag, "upper", float(worst_runs[later][i]), float(bound[i]), setting=claim.setting)


def method_checks(label, instance, method_name, model, eps, seeds=1, method_params=None, max_iterations=None):
    """Time-to-ε against the lower and upper time claims, plus the pointwise checks of the trace."""
    summary, trace = measure(method_name, instance, model, eps, seeds, method_params, max_iterations)
    tag = f"{label}/{method_name}/depth={model.depth},eps={eps:g}"  # label: the instance with its chosen parameters
    measured = summary.time_to_eps
    setting = instance.setting
    if summary.lower_bound_time is not None:
        reached = measured if measured is not None else float(trace.times[-1])
        yield Check(ClaimKey(setting, "lower.time").id, tag, "lower", float(reached), summary.lower_bound_time,
                    setting=setting)
    if summary.upper_bound_time is not None:
        reached = measured if measured is not None else float(trace.times[-1])  # not reached: ≥ 2× the bound
        yield Check(ClaimKey(setting, "upper.time", method_name).id, tag, "upper", float(reached),
                    summary.upper_bound_time, setting=setting)
    lower, upper = summary.lower_bound_time, summary.upper_bound_time
    ratio = find(ClaimKey(setting, "ratio"))
    if measured is not None and lower and upper is not None and ratio.methods == method_name:  # the optimal method
        yield Check(ratio.id, tag, "upper", measured / lower, upper / lower, setting=setting)
    yield from pointwise_checks(tag, instance, trace, model, bound_values(instance, model, eps))


def order_checks():
    """PAPER Θ-shapes against the DERIVED bounds (sympy limits, at Δ = 4, n = 1, d = 16, gpipe τ_g = 8).

    Smooth settings: lower and optimal-method upper times over the shape → finite positive constants as
    ε → 0. PPRS: its leading DERIVED time over the paper's shape → finite positive constants both as
    Δ → ∞ (the depth term) and as ε → 0 (the ε⁻² term).
    """
    import sympy as sp

    from pplimits.bounds.derive import relaxed
    from pplimits.bounds.symbols import d, depth, eps, n, tau_g, tau_g_gpipe

    claims = registry()
    point = {depth: 4, n: 1, d: 16}
    point[tau_g] = tau_g_gpipe.subs(point)  # the upper claims' τ_g under gpipe (half duplex, unit costs)
    for paper in (c for c in claims.values() if c.kind == "order" and c.label == "PAPER"):
        if paper.methods == "pprs":
            leading_claim = find(ClaimKey(paper.setting, "upper.time-leading", "pprs"))
            leading = leading_claim.expression / paper.expression
            constants = [float(sp.limit(leading, depth, sp.oo).subs(point)), float(sp.limit(leading, eps, 0, "+").subs(point))]
            yield Check(paper.id, f"Θ-constants of {leading_claim.id} as Δ → ∞ and ε → 0", "order", *constants,
                        setting=paper.setting)
            continue
        optimal = find(ClaimKey(paper.setting, "ratio")).methods  # the method the setting's ratio claim is about
        lower, upper = find(ClaimKey(paper.setting, "lower.time")), find(ClaimKey(paper.setting, "upper.time", optimal))
        constants = [float(sp.limit(relaxed(c.expression) / paper.expression, eps, 0, "+").subs(point)) for c in (lower, upper)]
        yield Check(paper.id, f"Θ-constants of {lower.id} and {upper.id}", "order", *constants, setting=paper.setting)


def empirical_bernstein_margin(values, value_range: float, failure: float) -> float:
    """s with P(mean − E ≥ s) ≤ `failure` for n i.i.d. values in [0, value_range], from their sample variance V:
    s = √(2V ln(2/δ)/n) + 7M ln(2/δ)/(3(n − 1)) (Maurer & Pontil 2009, Thm 4, applied to M − X)."""
    values = np.asarray(values, dtype=float)
    n, log = len(values), math.log(2 / failure)
    return math.sqrt(2 * values.var(ddof=1) * log / n) + 7 * value_range * log / (3 * (n - 1))


CLIP = 2.0  # the mean check reads min(gap, CLIP·B)
FAILURE = 1e-6  # probability that a true claim fails its mean check
POWER = 0.99  # … and the probability with which the check catches a violation it states it catches


def mean_check(gaps, bound: float, failure: float = FAILURE) -> tuple[float, float]:
    """(statistic, threshold) of a claim E[gap] ≤ B on i.i.d. gaps ≥ 0: the mean of min(gap, CLIP·B) against
    B + its empirical-Bernstein margin. Under the claim E min(gap, CLIP·B) ≤ E gap ≤ B, so a true claim fails
    with probability ≤ `failure`; clipping bounds the range by CLIP·B, so no sure range of the gap is needed."""
    clipped = np.minimum(np.asarray(gaps, dtype=float), CLIP * bound)
    return float(clipped.mean()), bound + empirical_bernstein_margin(clipped, CLIP * bound, failure)


def detectable_mean(bound: float, runs: int, failure: float = FAILURE, power: float = POWER) -> float:
    """The clipped mean E min(gap, CLIP·B) at and above which mean_check fails with probability ≥ `power`,
    for gaps concentrated at that mean: B + both range terms (Maurer & Pontil, at δ = failure and at
    δ = 1 − power); gaps whose clipped values have variance V add √(2V ln(2/δ)/n) for each δ."""
    return bound + sum(7 * CLIP * bound * math.log(2 / delta) / (3 * (runs - 1)) for delta in (failure, 1 - power))


MIN_RUNS = 94  # the fewest runs for which detectable_mean < CLIP·B: below it the check could never fail


def pprs_checks(instance, method, horizon, seeds):
    """Theorem D: E f(x_T) − f* ≤ B, by mean_check over `seeds` independent runs (false failure ≤ 1e-6; with
    256 runs it catches a mean gap ≥ 1.37 B, with 1024 runs ≥ 1.09 B, each with probability ≥ 0.99:
    detectable_mean)."""
    from pplimits.algorithms.runner import run

    gamma, samples = method.gamma, method.samples
    trace = run(method, instance, PipelineModel(1), horizon, runs=seeds)
    claim = find(ClaimKey("nonsmooth-convex", "upper.gap-at-horizon", "pprs"))
    bound = float(claim.numeric(L=instance.lipschitz, R=instance.radius, T=horizon, K=samples, gamma=gamma, d=instance.dim))
    if detectable_mean(bound, seeds) >= CLIP * bound:
        raise UsageError(f"seeds must be at least {MIN_RUNS} for Theorem D's check to catch anything, got {seeds}")
    statistic, threshold = mean_check(trace.values[:, -1], bound)
    tag = f"{instance.name}/T={horizon},K={samples},gamma={gamma:.3g},seeds={seeds}"
    yield Check(claim.id, tag, "upper", statistic, threshold, setting=claim.setting)


def plan(profile: Profile):
    """The checks to run, as (description, generator factory) pairs."""
    lipschitz_max = build_instance("max-function-lipschitz", 0.05, None, {})
    pprs = tuning(0.05, lipschitz_max.lipschitz, lipschitz_max.radius, lipschitz_max.dim)
    pprs_method = make_method("pprs", lipschitz_max, samples=pprs.K, gamma=pprs.gamma, seed=PPRS_SEED)
    random_span = {"seeds": profile.random_span_runs,
                   "method_params": {"seed": RANDOM_SPAN_SEED, "queries_per_iteration": 3}}
    steps = [("clock: closed form against the tick simulator",
              partial(clock_checks, profile.clock_depths, profile.clock_batches)),
             ("tight worst cases: exact PEP certificates", partial(pep_checks, profile.pep_iterations)),
             ("paper Θ-shapes against the derived bounds", partial(order_checks)),
             (f"Theorem D over {profile.theorem_d_seeds} seeds", partial(
                 pprs_checks, lipschitz_max, pprs_method, pprs.T, profile.theorem_d_seeds))]
    hard = [(case.label, case.build(), case.eps) for case in profile.hard]
    benign = [(case.label, case.build()) for case in profile.benign]
    for depth in profile.depths:
        model = PipelineModel(depth)
        for label, instance, eps in hard:
            for method in NONSMOOTH_METHODS if instance.setting == "nonsmooth-convex" else SMOOTH_METHODS:
                steps.append((f"{label} {method} Δ={depth} ε={eps:g}", partial(method_checks, label, instance, method, model, eps)))
            steps.append((f"{label} {profile.random_span_runs} random span methods Δ={depth} ε={eps:g}", partial(
                method_checks, label, instance, "random-span", model, eps, **random_span,
                max_iterations=instance.span_rounds(eps) + 10)))
        for label, instance in benign:
            for method in BENIGN_METHODS:
                steps.append((f"{label} {method} Δ={depth}",
                              partial(method_checks, label, instance, method, model, BENIGN_EPS)))
    return steps


def pep_checks(iterations):
    """Each tight claim against the exact PEP worst case at N iterations: worst ≤ claimed bound up to the
    certificate's margin, and the worst case certified in exact arithmetic (bounds/pep)."""
    for case in PEP_CASES:
        claim = find(case.claim)
        for n in iterations:
            result = worst_case(case.method, case.function_class, n, dict(case.params))
            bound = claim.evaluate(parse_values({**dict(case.claim_values), "k": n}))
            margin = result.margin or 0.0
            yield Check(claim.id, f"N={n}", "upper", result.worst_case, float(bound), margin * float(bound),
                        certified=result.certified, setting=claim.setting)


def run_checks(profile: Profile, progress=None, cache: Cache | None = None) -> dict:
    """Run every planned check; progress lines (one per step) go to `progress` if given.

    With a `cache`, each step's checks are stored as they finish, keyed on everything the step computes from
    (its function and arguments, `fingerprint`), so an interrupted run resumes.
    """
    cache = cache or Cache(None)
    rows = []
    steps = plan(profile)
    for number, (description, make_checks) in enumerate(steps, 1):
        start = time.perf_counter()
        found, hit = cache.get("verify", fingerprint(make_checks),
                               lambda: [c.as_dict() for c in make_checks()])
        rows.extend(found)
        if progress is not None:
            failed = sum(not c["passed"] for c in found)
            print(f"[{number}/{len(steps)}] {description}: {len(found)} checks, {failed} failed "
                  f"({'cached' if hit else f'{time.perf_counter() - start:.2f} s'})", file=progress, flush=True)
    passed = sum(r["passed"] for r in rows)
    return {"checks": rows, "passed": passed, "failed": len(rows) - passed}
