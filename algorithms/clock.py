"""Pipeline time model in closed form (docs/theory.md §1 "Pipeline timing").

Time is counted in ticks; by default (the paper's unit model) an op (one forward or backward pass of one
input at one stage) takes one tick. `Costs` makes the op costs parameters (forward f, backward b, weight
gradient w where the backward is split, a hop c between devices; ints or exact Fractions) and `Schedule`
adds 1F1B, interleaved 1F1B and zero bubble (ZB-H1) with their makespan, bubble fraction and peak
activations. Every formula here is DERIVED and validated against the simulators of `algorithms.timeline`
(`simulate`, `execute`) in tests/algorithms/test_clock.py and test_schedules.py.
"""
import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from pplimits._util.checks import UsageError, require_choice, require_int

SCHEDULES = ("naive", "gpipe")
DUPLEX_MODES = ("half", "full", "forward")
# Half-duplex schedules given as per-device op orders (algorithms/schedules.py): PipeDream-flush / Megatron 1F1B,
# Megatron-LM's interleaved 1F1B (v model chunks per device), zero bubble ZB-H1 (backward split into B and W).
DEVICE_SCHEDULES = ("1f1b", "interleaved-1f1b", "zb-h1")
ALL_SCHEDULES = SCHEDULES + DEVICE_SCHEDULES
SPLIT_SCHEDULES = ("zb-h1",)  # the backward is an input-gradient op B (cost b − w) and a weight-gradient op W (w)

_INT64_MAX = int(np.iinfo(np.int64).max)

# (schedule, duplex) -> makespan of `b` inputs through `d` stages.
_MAKESPAN = {
    ("naive", "half"): lambda d, b: 2 * b * d,
    ("naive", "full"): lambda d, b: 2 * b * d,
    ("naive", "forward"): lambda d, b: b * d,
    ("gpipe", "half"): lambda d, b: 2 * (b + d - 1),
    ("gpipe", "full"): lambda d, b: b + 2 * d - 1,
    ("gpipe", "forward"): lambda d, b: b + d - 1,
}


def makespan(depth: int, batch: int, schedule: str = "gpipe", duplex: str = "half") -> int:
    """Ticks until the last op of `batch` inputs through `depth` stages completes.

    naive: 2·B·Δ (B·Δ forward-only); gpipe: 2(B+Δ−1) half, B+2Δ−1 full, B+Δ−1 forward-only.
    DERIVED, docs/theory.md §1 "Pipeline timing"; validated against timeline.simulate in tests.
    """
    depth, batch = require_int("depth", depth), require_int("batch", batch)
    require_choice("schedule", schedule, SCHEDULES)
    require_choice("duplex", duplex, DUPLEX_MODES)
    return _MAKESPAN[schedule, duplex](depth, batch)


Number = int | Fraction


def _exact(name, value, *, positive: bool) -> Number:
    """`value` as an exact int or Fraction (a float is read as its shortest decimal: 0.1 is 1/10)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, Fraction, np.integer, np.floating)):
        raise UsageError(f"{name} must be a number {'> 0' if positive else '>= 0'}, got {value!r}")
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            raise UsageError(f"{name} must be a finite number {'> 0' if positive else '>= 0'}, got {value!r}")
        value = Fraction(repr(float(value)))
    value = Fraction(value)
    if value < 0 or (positive and value == 0):
        raise UsageError(f"{name} must be a number {'> 0' if positive else '>= 0'}, got {value}")
    return int(value) if value.denominator == 1 else value


def _plain(value: Number) -> Number:
    """An integral Fraction as int; anything else unchanged."""
    return int(value) if isinstance(value, Fraction) and value.denominator == 1 else value


@dataclass(frozen=True)
class Costs:
    """Op costs in ticks: forward f, whole backward b, weight-gradient share w of b (zero bubble only), hop c.

    f = b = 1, c = 0 is the paper's unit model. Where a schedule splits the backward (zb-h1) its input-gradient
    op B costs b − w and its weight-gradient op W costs w, default w = b/2, 0 < w < b; b is the whole backward
    of one input at one stage in every schedule, so schedules compare at equal work. c is paid by every
    dependency between ops on different devices. Values are ints or exact Fractions.
    """

    f: Number = 1
    b: Number = 1
    w: Number | None = None
    c: Number = 0

    def __post_init__(self):
        object.__setattr__(self, "f", _exact("f", self.f, positive=True))
        object.__setattr__(self, "b", _exact("b", self.b, positive=True))
        object.__setattr__(self, "c", _exact("c", self.c, positive=False))
        if self.w is not None:
            w = _exact("w", self.w, positive=True)
            if not w < self.b:
                raise UsageError(f"w must be a number in (0, b) (the weight-gradient share of the backward b = "
                                 f"{self.b}), got {w}")
            object.__setattr__(self, "w", w)

    @classmethod
    def parse(cls, text: str) -> "Costs":
        """`f=…,b=…,w=…,c=…` (any subset, each once; values exact: 1, 0.5, 1/3) as Costs."""
        from pplimits._util.checks import parse_value

        values = {}
        for part in str(text).split(","):
            name, sep, raw = part.partition("=")
            name = name.strip()
            if not sep or name not in ("f", "b", "w", "c"):
                raise UsageError(f"costs must be NAME=VALUE pairs with NAME one of f, b, w, c, got {part.strip()!r}")
            if name in values:
                raise UsageError(f"costs gives {name} twice")
            values[name] = parse_value(name, raw)
        return cls(**values)

    @property
    def is_unit(self) -> bool:
        return self == UNIT_COSTS

    def weight(self, schedule: str) -> Number | None:
        """The cost of a W op under `schedule` (b/2 unless w is given), None where the backward is not split."""
        return self.split_weight(schedule in SPLIT_SCHEDULES)

    def split_weight(self, split: bool) -> Number | None:
        """The cost of a W op where the backward is `split` (b/2 unless w is given), else None."""
        if not split:
            return None
        return self.w if self.w is not None else _plain(Fraction(self.b) / 2)

    def of(self, kind: str, schedule: str) -> Number:
        """The cost of one op of `kind` ('F', 'B', 'W') under `schedule`."""
        return self.op(kind, schedule in SPLIT_SCHEDULES, schedule)

    def op(self, kind: str, split: bool, where: str = "this schedule") -> Number:
        """The cost of one op of `kind` ('F', 'B', 'W') where the backward is `split` (B costs b − w) or not."""
        w = self.split_weight(split)
        if kind == "F":
            return self.f
        if kind == "B":
            return self.b if w is None else _plain(self.b - Fraction(w))
        if kind == "W" and w is not None:
            return w
        raise UsageError(f"op kind must be F or B{' or W' if w is not None else ''} under {where}, got {kind!r}")

    def as_dict(self) -> dict:
        return {name: (None if value is None else str(value)) for name, value in
                (("f", self.f), ("b", self.b), ("w", self.w), ("c", self.c))}


UNIT_COSTS = Costs()


@dataclass(frozen=True)
class Schedule:
    """B inputs (micro-batches) through P devices holding v model chunks each (Δ = vP stages) under a schedule.

    Domains (UsageError naming the parameter outside them): naive and gpipe, any duplex, v = 1, P = Δ ≥ 1,
    B ≥ 1; 1f1b and zb-h1 half duplex, v = 1, B ≥ P; interleaved-1f1b half duplex, v ≥ 1, B a multiple of P
    (Megatron-LM's condition). Stage s (1-based) runs on device ((s − 1) mod P) + 1.
    """

    name: str = "gpipe"
    devices: int = 1
    inputs: int = 1
    chunks: int = 1
    duplex: str = "half"
    costs: Costs = field(default=UNIT_COSTS)

    def __post_init__(self):
        require_choice("schedule", self.name, ALL_SCHEDULES)
        object.__setattr__(self, "devices", require_int("devices", self.devices))
        object.__setattr__(self, "inputs", require_int("inputs", self.inputs))
        object.__setattr__(self, "chunks", require_int("chunks", self.chunks))
        require_choice("duplex", self.duplex, DUPLEX_MODES)
        if not isinstance(self.costs, Costs):
            raise UsageError(f"costs must be a Costs, got {self.costs!r}")
        if self.name != "interleaved-1f1b" and self.chunks != 1:
            raise UsageError(f"chunks must be 1 for {self.name} (only interleaved-1f1b has v > 1 chunks), "
                             f"got {self.chunks}")
        if self.name in DEVICE_SCHEDULES and self.duplex != "half":
            raise UsageError(f"duplex must be half for {self.name}, got {self.duplex!r}")
        if self.name in ("1f1b", "zb-h1") and self.inputs < self.devices:
            raise UsageError(f"inputs must be >= depth P = {self.devices} for {self.name}, got {self.inputs}")
        if self.name == "interleaved-1f1b" and self.inputs % self.devices:
            raise UsageError(f"inputs must be a multiple of depth P = {self.devices} for interleaved-1f1b, "
                             f"got {self.inputs}")
        if self.costs.w is not None and self.name not in SPLIT_SCHEDULES:
            raise UsageError(f"w applies only to {', '.join(SPLIT_SCHEDULES)} (the schedules that split the "
                             f"backward), not to {self.name}")

    @property
    def stages(self) -> int:
        """Δ = vP."""
        return self.chunks * self.devices

    def cost(self, kind: str) -> Number:
        """The cost of one op of `kind` ('F', 'B', 'W') under this schedule and its costs."""
        return self.costs.of(kind, self.name)

    @property
    def kinds(self) -> tuple:
        if self.duplex == "forward":
            return ("F",)
        return ("F", "B", "W") if self.name in SPLIT_SCHEDULES else ("F", "B")

    def device_of(self, stage: int) -> int:
        return (stage - 1) % self.devices + 1

    @property
    def units(self) -> int:
        """Resources that each run one op at a time: P devices (a stage's F and B units in full duplex)."""
        return 2 * self.devices if self.duplex == "full" else self.devices

    @property
    def work(self) -> Number:
        """Busy time summed over units: Δ·B·(f + b) (Δ·B·f forward-only); splitting b into B and W keeps it."""
        per_input = sum(self.costs.of(kind, self.name) for kind in self.kinds)
        return _plain(self.stages * self.inputs * Fraction(per_input))

    def closed_form_gap(self) -> str | None:
        """Why the closed form does not hold for these costs (None where it does)."""
        c = self.costs
        if self.name in DEVICE_SCHEDULES and c.c != 0:
            return (f"c must be 0 for the closed form of {self.name} (a hop c > 0 adds stalls in its steady "
                    f"state that the closed form does not count), got c = {c.c}")
        w = c.weight(self.name)
        if w is not None and not (w <= c.f and w <= c.b - w):
            return (f"w must be <= f and <= b − w (a weight-gradient op no longer than a forward or an "
                    f"input-gradient op) for the closed form of zb-h1, got w = {w} with f = {c.f}, b = {c.b}")
        return None

    def _require_closed_form(self):
        gap = self.closed_form_gap()
        if gap is not None:
            raise UsageError(f"{gap}; the simulator (pplimits.algorithms.timeline.execute) covers it")

    def makespan(self) -> Number:
        """Time until the last op completes, in closed form. DERIVED, docs/theory.md §1 "Pipeline timing":

        naive B(Δ(f+b) + 2(Δ−1)c) half and full, BΔf + (B(Δ−1) + (B−1)[Δ>1])c forward-only;
        gpipe B(f+b) + (Δ−1)(f+b+2c) half, f + b + (B−1)max(f, b) + (Δ−1)(f+b+2c) full, Bf + (Δ−1)(f+c)
        forward-only; with c = 0: 1f1b (B+P−1)(f+b), interleaved-1f1b (vB+P−1)(f+b) (Narayanan et al. 2021),
        zb-h1 B(f+b) + (P−1)(f+b−2w) when w <= f and w <= b − w (Qi et al. 2023: (P−1)(T_F + T_B − T_W)).
        Outside `closed_form_gap` a UsageError: the simulator covers those costs.
        """
        self._require_closed_form()
        c, depth, batch = self.costs, self.stages, self.inputs
        f, b, hop = Fraction(c.f), Fraction(c.b), Fraction(c.c)
        if self.name == "naive":
            if self.duplex == "forward":
                span = batch * (depth * f + (depth - 1) * hop) + (batch - 1) * hop * (depth > 1)
            else:
                span = batch * (depth * (f + b) + 2 * (depth - 1) * hop)
        elif self.name == "gpipe":
            if self.duplex == "half":
                span = batch * (f + b) + (depth - 1) * (f + b + 2 * hop)
            elif self.duplex == "full":
                span = f + b + (batch - 1) * max(f, b) + (depth - 1) * (f + b + 2 * hop)
            else:
                span = batch * f + (depth - 1) * (f + hop)
        elif self.name == "1f1b":
            span = (batch + self.devices - 1) * (f + b)
        elif self.name == "interleaved-1f1b":
            span = (self.chunks * batch + self.devices - 1) * (f + b)
        else:
            w = Fraction(c.weight(self.name))
            span = batch * (f + b) + (self.devices - 1) * (f + b - 2 * w)
        return _plain(span)

    def bubble_fraction(self) -> Fraction:
        """Idle share of the units' time: 1 − work/(units · makespan). DERIVED from makespan; e.g. (P−1)/(B+P−1)
        for gpipe and 1f1b (Narayanan et al. 2021 state bubble/ideal time instead: (P−1)/B, (P−1)/(vB))."""
        return 1 - Fraction(self.work) / (self.units * Fraction(self.makespan()))

    def peak_activations(self) -> tuple:
        """Per device (per stage in full duplex), the most inputs whose forward is done and whose last backward
        op (B; W where split) is not, counted per (input, stage): DERIVED, docs/theory.md §1.

        naive 1; gpipe half B; 1f1b P − d + 1; zb-h1 P (its deferred W's keep 1F1B's memory);
        interleaved-1f1b min(2(P − d) + (v − 1)P + 1, vB), vB when B = P (Megatron-LM's warm-up).
        """
        devices, batch = self.devices, self.inputs
        if self.duplex == "forward":
            raise UsageError("duplex='forward' has no backward pass, so no activations are held; use half or full")
        if self.name == "gpipe" and self.duplex == "full":
            raise UsageError("peak activations of gpipe in full duplex have no closed form here; the simulator "
                             "(pplimits.algorithms.timeline.execute) measures them")
        if self.name == "naive":
            return (1,) * devices
        if self.name == "gpipe":
            return (batch,) * devices
        if self.name == "1f1b":
            return tuple(devices - d + 1 for d in range(1, devices + 1))
        if self.name == "zb-h1":
            return (devices,) * devices
        total = self.chunks * batch
        if batch == devices:
            return (total,) * devices
        return tuple(min(2 * (devices - d) + (self.chunks - 1) * devices + 1, total) for d in range(1, devices + 1))


@dataclass(frozen=True)
class PlacedSchedule(Schedule):
    """A schedule given only by its per-device op orders, with its own stage → device placement: `placement[s − 1]`
    is the device of stage s (1-based), e.g. a V shape; `split` when its backward is split into B (b − w) and W (w).

    `name` is a label (torch's class name for torch's IRs), not one of ALL_SCHEDULES: no closed form, the simulator
    (`algorithms.timeline.execute` with explicit orders) and validator (`check`) run it. Half duplex only.
    """

    placement: tuple = ()
    split: bool = False

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise UsageError(f"name must be a non-empty label, got {self.name!r}")
        for name in ("devices", "inputs", "chunks"):
            object.__setattr__(self, name, require_int(name, getattr(self, name)))
        require_choice("duplex", self.duplex, ("half",))
        if not isinstance(self.costs, Costs):
            raise UsageError(f"costs must be a Costs, got {self.costs!r}")
        placement = tuple(self.placement)
        if len(placement) != self.stages or not all(
                isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= self.devices for d in placement):
            raise UsageError(f"placement must give each of the Δ = {self.stages} stages a device in "
                             f"1..{self.devices}, got {placement!r}")
        object.__setattr__(self, "placement", placement)
        if self.costs.w is not None and not self.split:
            raise UsageError(f"w applies only to schedules that split the backward into B and W, not to {self.name}")

    @property
    def kinds(self) -> tuple:
        return ("F", "B", "W") if self.split else ("F", "B")

    def device_of(self, stage: int) -> int:
        return self.placement[stage - 1]

    def cost(self, kind: str) -> Number:
        return self.costs.op(kind, self.split, self.name)

    def closed_form_gap(self) -> str | None:
        return f"{self.name} is given by its op orders only: it has no closed form here"


@dataclass(frozen=True)
class PipelineModel:
    """Clock of synchronous pipelined iterations: depth Δ, n inputs per gradient, a schedule of ALL_SCHEDULES
    with v chunks per device (P = Δ/v devices; v > 1 only for interleaved-1f1b) and op costs (default the
    paper's unit model, whose numbers are those of `makespan`).

    DERIVED, docs/theory.md §1 "Pipeline timing"; validated against timeline.simulate and timeline.execute in
    tests. Costs outside a schedule's closed form are refused here (the simulator covers them).
    """

    depth: int
    inputs: int = 1
    duplex: str = "half"
    schedule: str = "gpipe"
    chunks: int = 1
    costs: Costs = field(default=UNIT_COSTS)

    def __post_init__(self):
        object.__setattr__(self, "depth", require_int("depth", self.depth))
        object.__setattr__(self, "inputs", require_int("inputs", self.inputs))
        require_choice("duplex", self.duplex, DUPLEX_MODES)
        require_choice("schedule", self.schedule, ALL_SCHEDULES)
        object.__setattr__(self, "chunks", require_int("chunks", self.chunks))
        if self.depth % self.chunks:
            raise UsageError(f"chunks must divide depth Δ = {self.depth} (Δ = v·P layers), got {self.chunks}")
        if not self._unit_model and self.duplex != "forward":
            self.pipeline(1)._require_closed_form()

    @property
    def _unit_model(self) -> bool:
        """The paper's model: naive or gpipe, unit costs — the closed forms of `makespan`."""
        return self.schedule in SCHEDULES and self.chunks == 1 and isinstance(self.costs, Costs) and self.costs.is_unit

    def pipeline(self, queries: int = 1) -> Schedule:
        """The Schedule of one iteration: n·queries inputs through P = Δ/v devices."""
        return Schedule(self.schedule, self.depth // self.chunks, self.inputs * require_int("queries", queries),
                        self.chunks, self.duplex, self.costs)

    def _require_gradients(self):
        if self.duplex == "forward":
            raise UsageError("duplex='forward' has no backward pass, so no gradient; use half or full")

    @property
    def latency(self) -> int:
        """τ = 2Δ: ticks from sending one query to receiving its gradient (lower bounds). With costs, one input's
        round trip: Δ forwards and Δ backward ops in sequence (B ops then the last W where split), plus c per
        device change each way, Δ(f + b_B) + w + 2(Δ − 1)c (no hop on a single device), rounded down to whole
        ticks: a shorter τ only weakens a lower bound, so the bounds stay valid."""
        self._require_gradients()
        if self._unit_model:
            return 2 * self.depth
        costs, name = self.costs, self.schedule
        hops = self.depth - 1 if self.depth // self.chunks > 1 else 0
        tail = costs.weight(name) or 0
        return math.floor(self.depth * Fraction(costs.f + costs.of("B", name)) + tail + 2 * hops * Fraction(costs.c))

    def gradient_time(self, queries: int = 1) -> int:
        """Ticks of one synchronous iteration sending `queries` query points of n inputs each:
        makespan(Δ, n·queries)."""
        self._require_gradients()
        batch = self.inputs * require_int("queries", queries)
        if not self._unit_model:
            return self.pipeline(queries).makespan()
        return makespan(self.depth, batch, self.schedule, self.duplex)

    def _tick_step(self, queries):
        """gradient_time as an integer number of ticks, which the iteration clock (int64) needs."""
        step = self.gradient_time(queries)
        if not isinstance(step, int):
            raise UsageError(f"costs give an iteration of {step} ticks, not an integer; the iteration clock counts "
                             "integer ticks: scale the costs (e.g. all ×2)")
        return step

    def iteration_times(self, iterations: int, queries: int = 1) -> np.ndarray:
        """int64 array of shape (iterations+1,): entry k = k·gradient_time(queries), the tick at
        which iterate x_k is available (iterations do not overlap)."""
        iterations = require_int("iterations", iterations, minimum=0)
        step = self._tick_step(queries)
        if iterations * step > _INT64_MAX:
            raise OverflowError(f"iteration_times: {iterations}·{step} ticks exceeds int64")
        return np.arange(iterations + 1, dtype=np.int64) * np.int64(step)

    def iterations_by(self, time, queries: int = 1):
        """Number of complete iterations by tick `time`: time // gradient_time(queries).

        `time` is a non-negative integer (returns int) or integer array (returns int64 array).
        """
        step = self._tick_step(queries)
        if np.ndim(time) == 0:
            value = time.item() if isinstance(time, np.ndarray) else time
            return require_int("time", value, minimum=0) // step
        times = np.asarray(time)
        if times.dtype.kind not in "iu" or not np.can_cast(times.dtype, np.int64):
            raise UsageError(f"time must be an integer array (int64-castable), got dtype {times.dtype}")
        if (times < 0).any():
            raise UsageError("time must be >= 0")
        return times.astype(np.int64) // np.int64(step)
