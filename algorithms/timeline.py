"""Pipeline simulators and timeline validators (docs/theory.md §1 "Pipeline timing").

`simulate` (unit ops, naive and gpipe, tick by tick) and `execute` (any schedule of `algorithms.clock.Schedule`
and its op costs: each unit's op order from `algorithms.schedules`, run as soon as its dependencies allow) are the
reference models against which the closed forms of `algorithms.clock` are tested; they never use those formulas.
An op is identified by (kind, stage, input): kind 'F', 'B' or 'W' (weight gradient, split schedules only),
stage and input 1-based. `validate` and `check` reject infeasible timelines.
"""
from collections import defaultdict
from fractions import Fraction
from typing import NamedTuple

import numpy as np

from pplimits._util.checks import UsageError, require_choice, require_int
from pplimits.algorithms.clock import DUPLEX_MODES, SCHEDULES, Schedule
from pplimits.algorithms.schedules import dependencies, orders, unit_of

# Units of one stage per duplex mode; within a unit, kinds are listed by priority (forward first).
_UNITS = {"half": (("F", "B"),), "full": (("F",), ("B",)), "forward": (("F",),)}
_UNIT_NAMES = {"F": "forward", "B": "backward"}
_MAX_LISTED = 5


class Op(NamedTuple):
    tick: int
    stage: int
    kind: str
    input: int


class TimelineError(ValueError):
    """An invalid timeline; `problems` lists every violation found."""

    def __init__(self, problems):
        self.problems = list(problems)
        if len(self.problems) == 1:
            message = self.problems[0]
        else:
            listed = "; ".join(self.problems[:_MAX_LISTED])
            more = "; ..." if len(self.problems) > _MAX_LISTED else ""
            message = f"{len(self.problems)} problems: {listed}{more}"
        super().__init__(message)


def _name(kind, stage, index):
    return f"{kind}(input {index}, stage {stage})"


def _dependency(kind, stage, index, depth):
    """The op that must complete strictly before (kind, stage, index), or None."""
    if kind == "F":
        return ("F", stage - 1, index) if stage > 1 else None
    return ("F", depth, index) if stage == depth else ("B", stage + 1, index)


def _admission(kind, stage, index, depth, schedule, duplex):
    """Naive schedule: the last op of input index−1 must complete strictly before F(index, 1)."""
    if schedule != "naive" or kind != "F" or stage != 1 or index == 1:
        return None
    return ("F", depth, index - 1) if duplex == "forward" else ("B", 1, index - 1)


def _check_args(depth, batch, schedule, duplex):
    require_choice("schedule", schedule, SCHEDULES)
    require_choice("duplex", duplex, DUPLEX_MODES)
    return require_int("depth", depth), require_int("batch", batch)


def simulate(depth: int, batch: int, schedule: str = "gpipe", duplex: str = "half") -> list[Op]:
    """Greedy tick-by-tick run: at each tick every unit runs its highest-priority ready op.

    Each stage handles inputs in index order per op kind; an op is ready when its dependency (and,
    for naive, the previous input's last op) completed at an earlier tick. Sorted by
    (tick, stage, kind, input).
    """
    depth, batch = _check_args(depth, batch, schedule, duplex)
    units = _UNITS[duplex]
    kinds = [kind for unit in units for kind in unit]
    next_input = {(kind, stage): 1 for kind in kinds for stage in range(1, depth + 1)}
    done = {}
    ops = []
    tick = 0
    while len(ops) < len(kinds) * depth * batch:
        tick += 1
        for stage in range(1, depth + 1):
            for unit in units:
                for kind in unit:
                    index = next_input[kind, stage]
                    needs = (_dependency(kind, stage, index, depth),
                             _admission(kind, stage, index, depth, schedule, duplex))
                    if index <= batch and all(done.get(n, tick) < tick for n in needs if n):
                        done[kind, stage, index] = tick
                        next_input[kind, stage] = index + 1
                        ops.append(Op(tick, stage, kind, index))
                        break
    return sorted(ops)


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def validate(ops, depth: int, batch: int, schedule: str = "gpipe", duplex: str = "half") -> None:
    """Raise TimelineError unless `ops` is a feasible complete timeline for the model.

    Checks: every op exactly once with valid kind/stage/input and tick >= 1, no backward op in
    forward-only mode, dependencies, one op per unit per tick, and the naive admission rule.
    """
    depth, batch = _check_args(depth, batch, schedule, duplex)
    kinds = ("F",) if duplex == "forward" else ("F", "B")
    problems = []
    seen = set()
    ticks = {}  # op key -> tick, for ops seen once with a valid tick
    for op in map(Op._make, ops):
        if op.kind not in ("F", "B"):
            problems.append(f"{op}: kind must be 'F' or 'B'")
            continue
        if op.kind not in kinds:
            problems.append(f"backward op {op} in forward-only mode")
            continue
        if not _is_int(op.stage) or not 1 <= op.stage <= depth:
            problems.append(f"{op}: stage must be in 1..{depth}")
            continue
        if not _is_int(op.input) or not 1 <= op.input <= batch:
            problems.append(f"{op}: input must be in 1..{batch}")
            continue
        key = (op.kind, int(op.stage), int(op.input))
        if key in seen:
            problems.append(f"duplicated op {_name(*key)} (again at tick {op.tick})")
            continue
        seen.add(key)
        if not _is_int(op.tick) or op.tick < 1:
            problems.append(f"{_name(*key)}: tick must be an integer >= 1, got {op.tick!r}")
            continue
        ticks[key] = int(op.tick)

    expected = [(k, s, b) for k in kinds for s in range(1, depth + 1) for b in range(1, batch + 1)]
    problems += [f"missing op {_name(*key)}" for key in expected if key not in seen]

    units = defaultdict(list)
    for key, tick in ticks.items():
        units[tick, key[1] if duplex == "half" else key[:2]].append(key)
    for (tick, unit), keys in sorted(units.items()):
        if len(keys) > 1:
            if duplex == "half":
                where = f"stage {unit}"
            else:
                where = f"stage {unit[1]} {_UNIT_NAMES[unit[0]]} unit"
            names = ", ".join(_name(*key) for key in sorted(keys))
            problems.append(f"resource conflict ({duplex} duplex): {where} runs {names} at tick {tick}")

    for key, tick in ticks.items():
        before = _dependency(*key, depth)
        if before in ticks and ticks[before] >= tick:
            problems.append(f"dependency violated: {_name(*key)} at tick {tick} is not after "
                            f"{_name(*before)} at tick {ticks[before]}")
        previous = _admission(*key, depth, schedule, duplex)
        if previous in ticks and ticks[previous] >= tick:
            problems.append(f"naive admission violated: input {key[2]} enters at tick {tick} before "
                            f"input {key[2] - 1} is done ({_name(*previous)} at tick {ticks[previous]})")
    if problems:
        raise TimelineError(problems)


def measured_makespan(ops) -> int:
    """The last tick of the timeline (0 if empty)."""
    return max((op[0] for op in ops), default=0)


def as_records(ops) -> list[dict]:
    """JSON-ready records {tick, stage, op: 'forward'|'backward', input}."""
    return [{"tick": int(op.tick), "stage": int(op.stage), "op": _UNIT_NAMES[op.kind],
             "input": int(op.input)} for op in map(Op._make, ops)]


# --- any schedule, any op costs: per-unit op orders run as soon as possible ---------------------------------

_KIND_NAMES = {"F": "forward", "B": "backward", "W": "weight"}


class TimedOp(NamedTuple):
    """One op run on `device` during [start, end) (ints or exact Fractions)."""
    start: object
    end: object
    device: int
    kind: str
    stage: int
    input: int


def _plain(value):
    value = Fraction(value)
    return int(value) if value.denominator == 1 else value


def _hop(schedule: Schedule, before, after):
    """c where `before` and `after` run on different devices, else 0."""
    different = schedule.device_of(before[1]) != schedule.device_of(after[1])
    return schedule.costs.c if different else 0


def execute(schedule: Schedule, unit_orders: dict | None = None) -> list[TimedOp]:
    """Run each unit's op order (default `algorithms.schedules.orders`) as soon as possible: an op starts when
    its unit has finished the op before it and each dependency has ended (plus c across devices). This is the
    tick-by-tick rule (an idle unit starts its next op at the first tick all of that op's inputs are there)
    advanced from event to event, exact in rationals. A TimelineError if the orders deadlock. Sorted by
    (start, device, kind, stage, input)."""
    unit_orders = orders(schedule) if unit_orders is None else unit_orders
    costs = {kind: schedule.cost(kind) for kind in schedule.kinds}
    ends, free, position, ops = {}, defaultdict(int), {unit: 0 for unit in unit_orders}, []
    blocked = defaultdict(list)  # op not yet run -> units whose next op waits for it
    ready = list(unit_orders)
    while ready:
        unit = ready.pop()
        order = unit_orders[unit]
        while position[unit] < len(order):
            key = tuple(order[position[unit]])
            needs = dependencies(schedule, key)
            missing = next((need for need in needs if need not in ends), None)
            if missing is not None:
                blocked[missing].append(unit)
                break
            if key[0] not in costs:
                raise TimelineError([f"op {_name(*key)} has no cost under {schedule.name}"])
            start = max([free[unit], *(ends[need] + _hop(schedule, need, key) for need in needs)])
            ends[key] = free[unit] = _plain(start + costs[key[0]])
            ops.append(TimedOp(_plain(start), ends[key], schedule.device_of(key[1]), *key))
            position[unit] += 1
            ready += blocked.pop(key, [])
    waiting = [f"{unit} waits to run {_name(*order[position[unit]])}" for unit, order in unit_orders.items()
               if position[unit] < len(order)]
    if waiting:
        raise TimelineError([f"deadlock: {'; '.join(waiting[:3])}"])
    return sorted(ops, key=lambda op: (op.start, op.device, op.kind, op.stage, op.input))


def _is_time(value):
    return (_is_int(value) or isinstance(value, Fraction)) and value >= 0


def check(ops, schedule: Schedule) -> None:
    """Raise TimelineError unless `ops` (TimedOp or plain tuples) is a feasible complete timeline of `schedule`.

    Checks, and lists in this order: each op's fields (kind of the schedule, stage in 1..Δ, input in 1..B, on
    the device of its stage, start >= 0, lasting its cost), every op exactly once, one op at a time per unit,
    dependencies (F before B before W of an input, stage order across devices, plus c per hop).
    """
    depth, batch = schedule.stages, schedule.inputs
    problems, ticks = [], {}
    for op in map(TimedOp._make, ops):
        if op.kind not in schedule.kinds:
            problems.append(f"{op}: kind must be one of {', '.join(schedule.kinds)} under {schedule.name}")
            continue
        if not _is_int(op.stage) or not 1 <= op.stage <= depth:
            problems.append(f"{op}: stage must be in 1..{depth}")
            continue
        if not _is_int(op.input) or not 1 <= op.input <= batch:
            problems.append(f"{op}: input {op.input} does not exist (inputs are 1..{batch})")
            continue
        key = (op.kind, int(op.stage), int(op.input))
        if key in ticks:
            problems.append(f"duplicated op {_name(*key)} (again at {op.start})")
            continue
        if op.device != schedule.device_of(key[1]):
            problems.append(f"{_name(*key)} runs on device {op.device}, but stage {key[1]} is on device "
                            f"{schedule.device_of(key[1])}")
            continue
        cost = schedule.cost(key[0])
        if not (_is_time(op.start) and _is_time(op.end)) or op.end - op.start != cost:
            problems.append(f"{_name(*key)} runs [{op.start}, {op.end}), but a {_KIND_NAMES[key[0]]} op lasts "
                            f"{cost} from a start >= 0")
            continue
        ticks[key] = (op.start, op.end)
    expected = [(k, s, i) for k in schedule.kinds for s in range(1, depth + 1) for i in range(1, batch + 1)]
    problems += [f"missing op {_name(*key)}" for key in expected if key not in ticks and
                 not any(p.startswith(("duplicated", f"{_name(*key)} runs")) and _name(*key) in p for p in problems)]

    units = defaultdict(list)
    for key, (start, end) in ticks.items():
        units[unit_of(schedule, key)].append((start, end, key))
    conflicts = []
    for unit, runs in units.items():
        runs.sort()
        latest = runs[0]
        for run in runs[1:]:
            if run[0] < latest[1]:
                where = f"device {unit[0]}" if len(unit) == 1 else f"stage {unit[0]} {_KIND_NAMES[unit[1]]} unit"
                conflicts.append((run[0], f"resource conflict: {where} runs {_name(*latest[2])} during "
                                  f"[{latest[0]}, {latest[1]}) and {_name(*run[2])} from {run[0]}"))
            latest = max(latest, run, key=lambda r: r[1])
    problems += [text for _, text in sorted(conflicts, key=lambda item: item[0])]

    broken = []
    for key, (start, _) in ticks.items():
        for need in dependencies(schedule, key):
            if need in ticks:
                ready = ticks[need][1] + _hop(schedule, need, key)
                if start < ready:
                    hop = f" + hop {schedule.costs.c}" if _hop(schedule, need, key) else ""
                    broken.append((start, f"dependency violated: {_name(*key)} starts at {start}, before "
                                   f"{_name(*need)} ends at {ticks[need][1]}{hop}"))
    problems += [text for _, text in sorted(broken, key=lambda item: item[0])]
    if problems:
        raise TimelineError(problems)


def measured_span(ops):
    """The end of the last op (0 if empty)."""
    return max((op[1] for op in ops), default=0)


def measured_bubble(ops, schedule: Schedule) -> Fraction:
    """1 − busy time/(units · makespan), from the timeline."""
    busy = sum(Fraction(op[1]) - Fraction(op[0]) for op in ops)
    return 1 - busy / (schedule.units * Fraction(measured_span(ops)))


def measured_peak_activations(ops, schedule: Schedule) -> tuple:
    """Per device (per stage in full duplex), the most (input, stage) pairs held at once: counted from the end
    of the forward to the end of the input's last backward op there (B; W where the backward is split)."""
    if schedule.duplex == "forward":
        raise UsageError("duplex='forward' has no backward pass, so no activations are held; use half or full")
    release = "W" if "W" in schedule.kinds else "B"
    events = defaultdict(list)
    for op in map(TimedOp._make, ops):
        holder = op.device if schedule.duplex == "half" else op.stage
        if op.kind in ("F", release):
            events[holder].append((op.end, 1 if op.kind == "F" else -1))
    holders = schedule.devices if schedule.duplex == "half" else schedule.stages
    peaks = []
    for holder in range(1, holders + 1):
        held = peak = 0
        by_time = defaultdict(int)
        for time, change in events[holder]:
            by_time[time] += change
        for time in sorted(by_time):
            held += by_time[time]
            peak = max(peak, held)
        peaks.append(peak)
    return tuple(peaks)


def timed_records(ops) -> list[dict]:
    """JSON-ready records {start, end, device, stage, op: 'forward'|'backward'|'weight', input}; times as
    ints, or as strings 'p/q' where a cost made them fractional."""
    def time(value):
        value = _plain(value)
        return value if isinstance(value, int) else str(value)
    return [{"start": time(op.start), "end": time(op.end), "device": int(op.device), "stage": int(op.stage),
             "op": _KIND_NAMES[op.kind], "input": int(op.input)} for op in map(TimedOp._make, ops)]
