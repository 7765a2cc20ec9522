"""`pplimits regime`, explained: at one point (Δ, d, ε, L, R, n, b) the three registered upper bounds on the time to
ε — PPRS (Theorem D, tuned; DERIVED), the pipelined subgradient method (DERIVED from Nesterov 2004, Thm 3.2.2) and
GPipe mini-batch SGD (CLASSICAL, bounds/sgd.py) — which is smallest, which term dominates each, where the winner
changes in Δ and in ε, and each method's bubble fraction under the schedule.

Each time is iterations × the makespan of one iteration's inputs under the schedule (`clock.makespan`): with gpipe,
half duplex (the default) that is exactly the registered claim, and it is checked against the claim here. Iterations
and batches are exact integers (bounds.regime.counts), so every comparison is exact.
"""
from dataclasses import dataclass
from fractions import Fraction

from pplimits._util.checks import require_int, require_positive
from pplimits.algorithms.clock import PipelineModel, makespan
from pplimits.bounds import crossover
from pplimits.bounds.catalog import catalog
from pplimits.bounds.regime import CLAIMS, METHODS, as_float, counts, horizon, winner

DEPTH_RANGE = (1, 2**20)
EPS_RANGE = (1e-8, 1.0)  # × RL: below ε = RL every bound is one iteration
ASSUMPTIONS = ("convex f = (1/n) Σ f_i, every f_i L-Lipschitz, ‖x₀ − x*‖ ≤ R; worst-case upper bounds (guarantees: "
               "deterministic for the subgradient method, in expectation for PPRS and SGD) compared, not predictions "
               "of a run's time")
NAMES = {"subgradient": "the subgradient method", "sgd": "SGD", "pprs": "PPRS"}


@dataclass(frozen=True)
class Point:
    """Where the regime is asked: depth Δ, dimension d, accuracy ε, L, R, n inputs per gradient, SGD's batch b
    (n when None), and the schedule and duplex mode the clock runs each iteration with."""
    depth: int
    dim: int
    eps: float
    lipschitz: float = 1.0
    radius: float = 1.0
    inputs: int = 1
    batch: int | None = None
    schedule: str = "gpipe"
    duplex: str = "half"

    def __post_init__(self):
        for name, attribute in (("depth", "depth"), ("dim", "dim"), ("n", "inputs")):
            object.__setattr__(self, attribute, require_int(name, getattr(self, attribute)))
        object.__setattr__(self, "batch", self.inputs if self.batch is None else require_int("b", self.batch))
        for name, attribute in (("eps", "eps"), ("L", "lipschitz"), ("R", "radius")):
            object.__setattr__(self, attribute, require_positive(name, getattr(self, attribute)))
        # a UsageError naming a bad schedule or duplex mode (forward only: no gradient)
        PipelineModel(depth=1, inputs=1, duplex=self.duplex, schedule=self.schedule).gradient_time()

    def counts(self, eps_value: float | None = None):
        return counts(self.eps if eps_value is None else eps_value, self.lipschitz, self.radius, self.dim,
                      self.inputs, self.batch)


@dataclass(frozen=True)
class MethodTime:
    """One method's bound at the point: iterations × makespan(Δ, batch), split into the work term (2·batch ticks
    per iteration: each stage's forward and backward ops) and the depth term (the rest: fill and drain)."""
    method: str
    claim: str
    label: str
    source: str
    iterations: int
    batch: int
    makespan: int
    time: int

    @property
    def work(self) -> int:
        return self.iterations * 2 * self.batch

    @property
    def depth_term(self) -> int:
        return self.time - self.work

    @property
    def bubble(self) -> float:
        """1 − useful ops / (devices × makespan) = 1 − 2·batch·Δ / (Δ·makespan) (unit op costs)."""
        return float(1 - Fraction(2 * self.batch, self.makespan))

    @property
    def dominant(self) -> str:
        return "work" if self.work >= self.depth_term else "depth"


@dataclass(frozen=True)
class Crossovers:
    """The changes of winner along one parameter over [low, high], the others fixed (none: `throughout` wins
    throughout); `unsettled` is a sub-range the search left (bounds.crossover: too many changes to list), or None."""
    parameter: str
    low: float
    high: float
    changes: tuple[crossover.Change, ...]
    throughout: str  # the winner at `low`
    unsettled: tuple[float, float] | None = None


@dataclass(frozen=True)
class Explanation:
    point: Point
    winner: str
    tied: tuple[str, ...]
    methods: tuple[MethodTime, ...]
    crossover_depth: Crossovers
    crossover_eps: Crossovers

    def method(self, name: str) -> MethodTime:
        return next(m for m in self.methods if m.method == name)


def _method_times(point: Point, found: dict, depth_value: int) -> dict[str, int]:
    return {m: c.iterations * makespan(depth_value, c.batch, point.schedule, point.duplex) for m, c in found.items()}


def _contenders(point: Point) -> tuple[str, ...]:
    """The methods that can win somewhere: the subgradient method and SGD take the same ⌈(RL/ε)²⌉ iterations at every
    ε, so the one with the smaller batch is never slower (the makespan grows with the batch); a tie goes to the
    subgradient method."""
    return ("subgradient" if point.inputs <= point.batch else "sgd", "pprs")


def _rank(method: str) -> int:
    return METHODS.index(method)


def affine_in_depth(point: Point, batches, high: int) -> bool:
    """Whether the clock's makespan of each batch grows by the same number of ticks with every stage over [1, high]:
    true of its closed forms (naive 2BΔ, gpipe 2(B + Δ − 1), full duplex B + 2Δ − 1), checked at both ends, the middle
    and the whole span, so that a schedule without that property is searched by monotonicity alone."""
    def span(depth_value, batch):
        return makespan(depth_value, batch, point.schedule, point.duplex)

    for batch in batches:
        step = span(2, batch) - span(1, batch)
        middle = max(2, high // 2)
        if not (span(3, batch) - span(2, batch) == span(high, batch) - span(high - 1, batch) == step
                == span(middle, batch) - span(middle - 1, batch)) or span(high, batch) != span(1, batch) + (high - 1) * step:
            return False
    return True


def depth_crossovers(point: Point) -> Crossovers:
    """Every Δ in DEPTH_RANGE (up to the point's own Δ if larger) where the winner changes, at the point's d, n, ε."""
    found = point.counts()
    keep = {m: found[m] for m in _contenders(point)}
    low, high = DEPTH_RANGE[0], max(DEPTH_RANGE[1], point.depth)
    times = lambda i: _method_times(point, keep, i)  # noqa: E731
    affine = affine_in_depth(point, {c.batch for c in keep.values()}, high)
    search = crossover.changes(low, high, times, _rank, increasing=True, affine=affine)
    return Crossovers("depth", low, high, search.changes, winner(times(low)), search.unsettled)


def eps_crossovers(point: Point) -> Crossovers:
    """Every ε in EPS_RANGE × RL where the winner changes, at the point's Δ, d, n: `at` is the smallest float ε at
    which `after` wins, `before` wins at the float just below it."""
    keep = _contenders(point)
    scale = point.lipschitz * point.radius
    low, high = (crossover.float_index(bound * scale) for bound in EPS_RANGE)

    def times(i):
        found = point.counts(crossover.float_at(i))
        return _method_times(point, {m: found[m] for m in keep}, point.depth)

    # times are non-increasing in ε: T and K are ceilings of decreasing functions of ε, the makespan grows with K
    search = crossover.changes(low, high, times, _rank, increasing=False)
    changes = tuple(crossover.Change(crossover.float_at(c.at), c.before, c.after) for c in search.changes)
    unsettled = None if search.unsettled is None else tuple(crossover.float_at(i) for i in search.unsettled)
    return Crossovers("eps", crossover.float_at(low), crossover.float_at(high), changes, winner(times(low)), unsettled)


def explain(point: Point) -> Explanation:
    """The regime at `point`, explained (see the module docstring)."""
    found = point.counts()
    times = _method_times(point, found, point.depth)
    # exactly the registered claims under the point's schedule: τ_g = makespan(n) for the subgradient method,
    # makespan(B) of the iteration's inputs for PPRS (nK) and SGD (b)
    values = {"eps": point.eps, "L": point.lipschitz, "R": point.radius, "d": point.dim, "depth": point.depth,
              "n": point.inputs, "b": point.batch,
              "tau_g": makespan(point.depth, found["subgradient"].batch, point.schedule, point.duplex),
              "makespan": lambda batch: makespan(point.depth, batch, point.schedule, point.duplex)}
    claims = {method: catalog().get(claim_id) for method, claim_id in CLAIMS.items()}
    for method in ("pprs", "subgradient", "sgd"):  # PPRS first: a value beyond a float is named as before
        claim = claims[method]
        assert claim.evaluate(claim_values(claim, values))[0] == as_float(method, times[method]), method
    methods = tuple(
        MethodTime(method=m, claim=CLAIMS[m], label=claims[m].label, source=claims[m].source,
                   iterations=found[m].iterations, batch=found[m].batch,
                   makespan=makespan(point.depth, found[m].batch, point.schedule, point.duplex), time=times[m])
        for m in METHODS)
    best = winner(times)
    return Explanation(point=point, winner=best, tied=tuple(m for m in METHODS if m != best and times[m] == times[best]),
                       methods=methods, crossover_depth=depth_crossovers(point), crossover_eps=eps_crossovers(point))


def claim_values(claim, values: dict) -> dict:
    """The `values` ({name: number, "makespan": a function of B}) a catalog claim's expression needs (evaluate
    checks its assumptions on exactly those)."""
    return {name: value for name, value in values.items() if name in claim.parameters}


# ── the explanation in words and as JSON ──


def _n(value: int) -> str:
    """An exact integer as typed, or in scientific notation when it is beyond 15 digits."""
    return str(value) if abs(value) < 10**15 else f"{value:.6e}"


def _g(value: float) -> str:
    return f"{value:.6g}"


def _seconds(value: float) -> str:
    for unit, size in (("years", 365.25 * 86400), ("days", 86400), ("h", 3600), ("min", 60)):
        if value >= size:
            return f"{value:.4g} s ({value / size:.3g} {unit})"
    return f"{value:.4g} s"


def _winners(names) -> str:
    """'PPRS', or 'the subgradient method (SGD ties it)'-like text for a winner and its ties."""
    names = list(names)
    return NAMES[names[0]] + (f" ({', '.join(NAMES[m] for m in names[1:])} ties it: the same bound)" if names[1:] else "")


def dominant_term(method: MethodTime, point: Point) -> str:
    """Which term of the method's bound is larger, in words."""
    ticks = f"{_n(method.makespan)} ticks"
    if method.method == "pprs":
        k = method.batch // point.inputs
        count = (f"T = {_n(method.iterations)} iterations (Theorem D: ∝ RL·d^{{1/4}}/ε) of K = {k} smoothed samples "
                 f"× n = {point.inputs} inputs, {ticks} each")
        work = f"the sample term T·2nK = {_n(method.work)} (∝ n(RL/ε)²)"
        depth_term = f"the depth term {_n(method.depth_term)} (fill and drain, T·2(Δ − 1) in gpipe: ∝ Δ·RL·d^{{1/4}}/ε)"
    else:
        what = "gradient" if method.method == "subgradient" else "mini-batch"
        inputs = "n" if method.method == "subgradient" else "b"
        count = (f"⌈(RL/ε)²⌉ = {_n(method.iterations)} iterations, each a {what} of {inputs} = {method.batch} inputs, "
                 f"{ticks} each")
        work = f"the input term (RL/ε)²·2{inputs} = {_n(method.work)}"
        depth_term = f"the depth term {_n(method.depth_term)} (fill and drain, (RL/ε)²·2(Δ − 1) in gpipe)"
    first, second = (work, depth_term) if method.dominant == "work" else (depth_term, work)
    share = max(method.work, method.depth_term) / method.time
    return f"{count}: {first} outweighs {second} ({share:.0%} of the bound)"


def _unsettled(found: Crossovers, show) -> str:
    if found.unsettled is None:
        return ""
    low, high = found.unsettled
    return (f"; between {show(low)} and {show(high)} not searched to the end: the bounds stay within their ceilings' "
            "slack of each other there, and the winner may change many more times")


def _depth_sentence(found: Crossovers) -> str:
    span = f"Δ = {found.low} … {found.high}"
    if found.unsettled is not None:
        parts = [f"Δ* = {c.at}: {NAMES[c.before]} → {NAMES[c.after]}" for c in found.changes]
        return (f"crossover depth ({span}; d, n, ε fixed): " + ("; ".join(parts) or "none found")
                + _unsettled(found, str))
    if not found.changes:
        return f"crossover depth: none for {span} (d, n, ε fixed): {NAMES[found.throughout]} wins throughout"
    parts = [f"Δ* = {c.at}: {NAMES[c.before]} for Δ ≤ {c.at - 1}, {NAMES[c.after]} from Δ = {c.at}"
             for c in found.changes]
    return f"crossover depth ({span}; d, n, ε fixed): " + "; ".join(parts)


def _eps_sentence(found: Crossovers) -> str:
    span = f"ε = {found.low:.3g} … {found.high:.3g}"
    if found.unsettled is not None:
        first = (f"{NAMES[found.changes[0].before]} wins below {found.changes[0].at:.6g}, "
                 if found.changes and found.changes[0].at <= found.unsettled[0] else "")
        last = (f"{NAMES[found.changes[-1].after]} from {found.changes[-1].at:.6g} up, "
                if found.changes and found.changes[-1].at > found.unsettled[1] else "")
        return (f"crossover accuracy ({span}; Δ, d, n fixed): {first}{last}{len(found.changes)} changes found"
                + _unsettled(found, lambda x: f"ε = {x:.6g}"))
    if not found.changes:
        return f"crossover accuracy: none for {span} (Δ, d, n fixed): {NAMES[found.throughout]} wins throughout"
    first, last = found.changes[0], found.changes[-1]
    if len(found.changes) == 1:
        return (f"crossover accuracy ({span}; Δ, d, n fixed): ε* = {first.at:.6g}: {NAMES[first.before]} wins below "
                f"it, {NAMES[first.after]} from it up")
    return (f"crossover accuracy ({span}; Δ, d, n fixed): the winner changes {len(found.changes)} times between "
            f"ε = {first.at:.6g} and {last.at:.6g} (the ceilings in the iteration counts make the boundary ragged): "
            f"{NAMES[first.before]} wins below {first.at:.6g}, {NAMES[last.after]} from {last.at:.6g} up")


def why(explanation: Explanation) -> str:
    """Why PPRS wins or loses here, in one sentence from its iterations, batch and the depth crossover."""
    point, pprs = explanation.point, explanation.method("pprs")
    base = explanation.method(_contenders(point)[0])
    pprs_changes = [c for c in explanation.crossover_depth.changes if "pprs" in (c.before, c.after)]
    found = explanation.crossover_depth
    fewer = pprs.iterations < base.iterations
    counts = (f"PPRS needs {_n(pprs.iterations)} iterations of nK = {_n(pprs.batch)} inputs, {NAMES[base.method]} "
              f"{_n(base.iterations)} of {_n(base.batch)}")
    if not pprs_changes and found.throughout != "pprs":
        coefficient = horizon(point.dim)
        reason = ("no fewer iterations, each carrying more inputs, so a deeper pipeline cannot help it (Theorem D's "
                  f"T ≈ {coefficient:.4g}·RL/ε at this d falls below (RL/ε)² only for ε < RL/{coefficient:.4g} = "
                  f"{point.lipschitz * point.radius / coefficient:.3g})" if not fewer
                  else "fewer iterations, but not few enough to repay its larger batches within this range")
        return f"PPRS never wins for Δ ≤ {found.high} at this d, n, ε: {counts} — {reason}"
    if not pprs_changes:
        return f"PPRS wins at every Δ ≤ {found.high} at this d, n, ε: {counts}"
    change = pprs_changes[0]
    return (f"PPRS {'wins' if change.after == 'pprs' else 'loses'} from Δ = {change.at} at this d, n, ε: {counts}; "
            "the fill and drain of every iteration grow with Δ, so the method with fewer iterations wins deep "
            "pipelines")


def as_json(explanation: Explanation, op_seconds: float | None = None) -> dict:
    """The keys of `pplimits regime --json`: the inputs echoed, winner, times, the crossovers, bubble, seconds (only
    with `op_seconds`), assumptions, and the explanation per method."""
    point = explanation.point
    methods = explanation.methods

    def crossings(found: Crossovers) -> dict:
        return {"range": [found.low, found.high],
                "throughout": found.throughout if not found.changes and found.unsettled is None else None,
                "changes": [{"at": c.at, "below": c.before, "from": c.after} for c in found.changes],
                "unsettled": None if found.unsettled is None else list(found.unsettled)}

    payload = {
        "depth": point.depth, "dim": point.dim, "eps": point.eps, "L": point.lipschitz, "R": point.radius,
        "n": point.inputs, "b": point.batch, "schedule": point.schedule, "duplex": point.duplex,
        "winner": explanation.winner, "tied": list(explanation.tied),
        "times": {m.method: m.time for m in methods},
        "crossover_depth": crossings(explanation.crossover_depth),
        "crossover_eps": crossings(explanation.crossover_eps),
        "bubble": {m.method: m.bubble for m in methods},
        "assumptions": ASSUMPTIONS,
        "methods": {m.method: {"claim": m.claim, "label": m.label, "source": m.source, "iterations": m.iterations,
                               "batch": m.batch, "makespan": m.makespan, "work_term": m.work,
                               "depth_term": m.depth_term, "dominant": m.dominant,
                               "explanation": dominant_term(m, point)} for m in methods},
        "why": why(explanation),
    }
    if op_seconds is not None:
        payload["op_seconds"] = op_seconds
        payload["seconds"] = {m.method: m.time * op_seconds for m in methods}
    return payload


def lines(explanation: Explanation, op_seconds: float | None = None) -> list[str]:
    """`pplimits regime`'s text: the winner, each bound with its dominant term and bubble, why, the crossovers,
    seconds (with `op_seconds`) and the assumptions."""
    point = explanation.point
    best = explanation.method(explanation.winner)
    others = sorted((m for m in explanation.methods if m.method != best.method and m.method not in explanation.tied),
                    key=lambda m: m.time)
    against = ", ".join(f"{m.time / best.time:.3g}× less than {NAMES[m.method]}'s {_n(m.time)}" for m in others)
    text = [f"{_winners((best.method, *explanation.tied))} wins: {_n(best.time)} time units, {against}",
            f"  at Δ = {point.depth}, d = {point.dim}, ε = {_g(point.eps)}, L = {_g(point.lipschitz)}, "
            f"R = {_g(point.radius)}, n = {point.inputs}, b = {point.batch}; {point.schedule} schedule, {point.duplex} "
            "duplex (a time unit: one forward or backward op of one input at one stage)"]
    if (point.schedule, point.duplex) != ("gpipe", "half"):
        text.append("  times: each claim's iterations × the makespan of one iteration's inputs under this schedule")
    for m in explanation.methods:
        text.append(f"  {m.method:<11} {_n(m.time):>14} = {_n(m.iterations)} × {_n(m.makespan)}   bubble "
                    f"{m.bubble:.1%}   [{m.label}: {m.claim}]")
        text.append(f"      {dominant_term(m, point)}")
    text.append(f"why: {why(explanation)}")
    text.append(_depth_sentence(explanation.crossover_depth))
    text.append(_eps_sentence(explanation.crossover_eps))
    if op_seconds is not None:
        text.append(f"in seconds at {_g(op_seconds)} s per op: " + ", ".join(
            f"{m.method} {_seconds(m.time * op_seconds)}" for m in explanation.methods))
    text.append(f"assumptions: {ASSUMPTIONS}")
    return text
