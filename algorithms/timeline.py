"""Tick-by-tick pipeline simulator and timeline validator (docs/theory.md §1 "Pipeline timing").

`simulate` is the reference model against which the closed forms of `algorithms.clock` are tested;
it never uses those formulas. An op is identified by (kind, stage, input): kind 'F' or 'B',
stage and input 1-based.
"""
from collections import defaultdict
from typing import NamedTuple

import numpy as np

from pplimits._util.checks import require_choice, require_int
from pplimits.algorithms.clock import DUPLEX_MODES, SCHEDULES

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
