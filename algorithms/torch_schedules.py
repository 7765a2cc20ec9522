"""torch.distributed.pipelining's own schedule IRs, read without a process group and checked by pplimits (issue 15).

Source: torch 2.13, torch/distributed/pipelining/schedules.py. Each schedule class builds `pipeline_order`, its IR:
{rank: [_Action(stage_index, computation_type, microbatch_index, sub_actions) or None]} with computation types F
(forward), B (FULL_BACKWARD), I (BACKWARD_INPUT), W (BACKWARD_WEIGHT), OVERLAP_F_B (sub-actions F and B run as one
overlapped action) and non-compute ones (REDUCE_GRAD, UNSHARD, RESHARD, SEND_*/RECV_*). `read` builds it from stub
stages (attributes only: no process group, no module): single-stage classes compute it in their constructor;
multi-stage classes are subclassed so that `_prepare_schedule_with_comms` (torch's own validation and its lowering
to communication actions) records the compute-only IR instead. The stage → rank map is torch's
(`stage_index_to_group_rank`: looped, or V-shaped for ZBVZeroBubble and DualPipeV).

`check` translates each rank's compute actions into pplimits' op model (device = rank + 1, stage = stage_index + 1,
input = micro-batch + 1; F → F, B and I → B, W → W; None is only padding: each device runs its order as soon as the
dependencies allow) and gives a verdict: 'invalid' with the first violation (an action on a stage or micro-batch that
does not exist or on a rank that does not hold its stage, an op twice or missing, a dependency the orders cannot
meet: a deadlock), 'not expressible' where pplimits' op model has no such op (OVERLAP_F_B; full and split backwards
in one schedule), else 'valid' with makespan, bubble fraction and peak activations from `algorithms.timeline.execute`
(checked by `timeline.check`) beside pplimits' closed form where the class is one of pplimits' schedules.
torch is imported lazily: the rest of pplimits works without it. DERIVED translation; verdicts in
reports/measurements/torch-schedules.json.
"""
import logging
from dataclasses import dataclass
from fractions import Fraction
from types import SimpleNamespace
from typing import NamedTuple

from pplimits._util.checks import UsageError, require_int
from pplimits.algorithms import timeline
from pplimits.algorithms.clock import UNIT_COSTS, Costs, PlacedSchedule, Schedule
from pplimits.algorithms.schedules import orders

INSTALL = "pip install 'pplimits[torch]'"
# The pplimits schedule whose closed form a torch class is compared with, and the chunks v it holds for.
CLOSED_FORMS = {"ScheduleGPipe": ("gpipe", (1,)), "Schedule1F1B": ("1f1b", (1,)),
                "ScheduleInterleaved1F1B": ("interleaved-1f1b", None), "ScheduleInterleavedZeroBubble": ("zb-h1", (1,)),
                "ScheduleLoopedBFS": ("gpipe", (1,))}
V_SHAPED = ("ScheduleZBVZeroBubble", "ScheduleDualPipeV")  # two stages per rank, placed as a V
_COMPUTE = {"F": "F", "B": "B", "I": "B", "W": "W"}  # torch's computation type -> pplimits' op kind
VERDICTS = ("valid", "invalid", "not expressible")


def _schedules():
    """torch.distributed.pipelining.schedules, or a UsageError naming the extra."""
    try:
        import torch.distributed.pipelining.schedules as module
    except ImportError as error:
        raise UsageError(f"torch's schedule IRs need torch with torch.distributed ({error}): {INSTALL}") from None
    return module


def offered() -> tuple:
    """The schedule classes the installed torch offers (its public `Schedule*` classes), in torch's order."""
    module = _schedules()
    return tuple(name for name in module.__all__
                 if name.startswith("Schedule") and isinstance(getattr(module, name), type))


def resolve(name: str) -> str:
    """torch's class name for `name`: the class name or its short form (1F1B, GPipe, …), any case."""
    known = {}
    for full in offered():
        known[full.lower()] = known[full[len("Schedule"):].lower()] = full
    if not isinstance(name, str) or name.lower() not in known:
        raise UsageError(f"from-torch must be one of {', '.join(offered())} (or without 'Schedule', any case), "
                         f"got {name!r}")
    return known[name.lower()]


def single_stage(name: str) -> bool:
    """Whether torch's class `name` holds one stage per rank (a PipelineScheduleSingle: no v)."""
    schedules = _schedules()
    return issubclass(getattr(schedules, resolve(name)), schedules.PipelineScheduleSingle)


def default_chunks(name: str) -> int:
    """v when none is given: 2 for the V-shaped classes (they require it), else 1."""
    return 2 if name in V_SHAPED else 1


class Action(NamedTuple):
    """One entry of torch's IR, torch's own indices (0-based); `sub` holds an OVERLAP_F_B's sub-actions."""
    kind: str  # torch's computation type value: F, B, I, W, OVERLAP_F_B, REDUCE_GRAD, …
    stage: int
    microbatch: int | None
    sub: tuple = ()

    def __str__(self):
        if self.sub:
            return f"({';'.join(map(str, self.sub))}){self.kind}"
        return f"{self.stage}{self.kind}{'' if self.microbatch is None else self.microbatch}"


@dataclass(frozen=True)
class TorchIR:
    """torch's IR of one schedule class at P ranks, B micro-batches, v stages per rank: `ranks[r]` is rank r's list
    (None = an idle step), `placement[s]` torch's rank of stage s."""

    name: str
    devices: int
    inputs: int
    chunks: int
    placement: tuple
    ranks: tuple
    torch_validator: str  # "passes", or the first line of what torch's own _validate_schedule raised
    torch_version: str
    single: bool  # a single-stage class: torch's runtime runs its own loop (_step_microbatches), not this IR

    @property
    def stages(self) -> int:
        return self.devices * self.chunks


def _stub(stage_index: int, stages: int, devices: int):
    """The attributes a schedule's constructor reads from a pipeline stage, and nothing else."""
    return SimpleNamespace(stage_index=stage_index, num_stages=stages, group_size=devices, group_rank=0,
                           submod=None, stage_index_to_group_rank=None, is_first=stage_index == 0,
                           is_last=stage_index == stages - 1)


def _parameter(message: str) -> str:
    text = message.lower()
    if "stages per rank" in text:
        return "chunks"
    if "microbatch" in text:
        return "inputs"
    return "depth"


def _action(raw) -> Action | None:
    if raw is None:
        return None
    sub = tuple(_action(a) for a in raw.sub_actions) if raw.sub_actions else ()
    return Action(raw.computation_type.value, raw.stage_index, raw.microbatch_index, sub)


def read(name: str, devices: int, inputs: int, chunks: int | None = None) -> TorchIR:
    """torch's own IR of schedule class `name` (see `resolve`) for P = `devices` ranks, B = `inputs` micro-batches
    and v = `chunks` stages per rank (default `default_chunks`). A UsageError naming the parameter where torch's
    constructor refuses them (its ValueError), or where pplimits does (v ≠ 1 for a single-stage class)."""
    schedules = _schedules()
    import torch

    name = resolve(name)
    devices, inputs = require_int("depth", devices), require_int("inputs", inputs)
    chunks = require_int("chunks", default_chunks(name) if chunks is None else chunks)
    cls = getattr(schedules, name)
    single = issubclass(cls, schedules.PipelineScheduleSingle)
    if single and chunks != 1:
        raise UsageError(f"chunks must be 1 for {name} (a single-stage schedule: one stage per rank), got {chunks}")
    stages = devices * chunks
    log = logging.getLogger(schedules.__name__)
    level = log.level
    log.setLevel(logging.ERROR)  # torch logs each schedule it builds
    try:
        if single:
            built = cls(_stub(0, stages, devices), inputs)
            placement = {s: s for s in range(stages)}
        else:
            class Capture(cls):
                def _prepare_schedule_with_comms(self, actions, format="compute_only"):
                    pass  # the IR stays in self.pipeline_order, unvalidated and not lowered

            Capture.__name__ = Capture.__qualname__ = name
            built = Capture([_stub(k * devices, stages, devices) for k in range(chunks)], inputs)
            placement = dict(built.stage_index_to_group_rank)
    except ValueError as error:
        message = " ".join(str(error).split())
        parameter = _parameter(message)
        raise UsageError(f"{parameter}: torch's {name} refuses depth P = {devices}, inputs B = {inputs}, chunks v = "
                         f"{chunks}: {message}") from None
    finally:
        log.setLevel(level)
    order = built.pipeline_order
    if order is None:
        raise UsageError(f"from-torch: torch's {name} builds no schedule IR (pipeline_order is None)")
    try:
        schedules._validate_schedule(order, devices, stages, inputs)
        verdict = "passes"
    except Exception as error:  # torch's own verdict on its IR, recorded beside pplimits'
        verdict = f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}"
    ranks = tuple(tuple(_action(a) for a in order.get(rank, ())) for rank in range(devices))
    return TorchIR(name, devices, inputs, chunks, tuple(placement.get(s) for s in range(stages)), ranks, verdict,
                   torch.__version__, single)


@dataclass(frozen=True)
class ClosedForm:
    """pplimits' closed form for the schedule a torch class corresponds to, or why there is none (`note`)."""

    schedule: str
    makespan: object = None
    bubble: Fraction | None = None
    peaks: tuple | None = None
    same_order: bool | None = None
    note: str = ""

    def as_dict(self) -> dict:
        return {"schedule": self.schedule, "makespan": _json(self.makespan),
                "bubble": None if self.bubble is None else str(self.bubble),
                "peak_activations": None if self.peaks is None else list(self.peaks), "same_order": self.same_order,
                "note": self.note}


@dataclass(frozen=True)
class Verdict:
    """pplimits' verdict on one torch IR under `costs`: 'valid' (makespan, bubble, peaks per device from the
    simulator), 'invalid' (`reason`: the first of `problems` violations) or 'not expressible' (`reason`: what)."""

    name: str
    devices: int
    inputs: int
    chunks: int
    verdict: str
    reason: str | None
    problems: int = 0
    makespan: object = None
    bubble: Fraction | None = None
    peaks: tuple | None = None
    closed: ClosedForm | None = None
    torch_validator: str = ""
    ignored: tuple = ()  # torch's non-compute action types seen (not ops of the timing model)
    costs: Costs = UNIT_COSTS
    violations: tuple = ()  # the first few violations where invalid

    def as_dict(self) -> dict:
        return {"schedule": self.name, "depth": self.devices, "inputs": self.inputs, "chunks": self.chunks,
                "verdict": self.verdict, "reason": self.reason, "problems": self.problems,
                "violations": list(self.violations),
                "makespan": _json(self.makespan), "bubble": None if self.bubble is None else str(self.bubble),
                "peak_activations": None if self.peaks is None else list(self.peaks),
                "closed_form": None if self.closed is None else self.closed.as_dict(),
                "torch_validator": self.torch_validator, "ignored_actions": list(self.ignored),
                "costs": self.costs.as_dict()}


def _json(value):
    return value if value is None or isinstance(value, int) else str(value)


def _structure(ir: TorchIR) -> tuple[list, set, dict, set]:
    """Violations of the IR as a set of ops, in torch's terms and in scan order (rank, then step), then the ops no
    rank runs; the expressibility gaps; {rank: [(kind, stage, input), …]} in pplimits' terms; the non-compute
    action types skipped."""
    problems, gaps, seen, runs, ignored = [], set(), {}, {}, set()
    for rank, actions in enumerate(ir.ranks):
        runs[rank] = []
        for step, action in enumerate(actions):
            if action is None:
                continue
            if action.kind == "OVERLAP_F_B":
                gaps.add("OVERLAP_F_B (a forward and a full backward of other micro-batches run as one overlapped "
                         "action; pplimits' devices run one op at a time)")
            for leaf in action.sub or (action,):
                if leaf.kind not in _COMPUTE:
                    ignored.add(leaf.kind)
                    continue
                where = f"rank {rank}, step {step}: {leaf}"
                if not isinstance(leaf.stage, int) or not 0 <= leaf.stage < ir.stages:
                    problems.append(f"{where}: stage {leaf.stage} does not exist (stages 0..{ir.stages - 1})")
                    continue
                if ir.placement[leaf.stage] != rank:
                    problems.append(f"{where}: torch places stage {leaf.stage} on rank {ir.placement[leaf.stage]}")
                    continue
                if not isinstance(leaf.microbatch, int) or not 0 <= leaf.microbatch < ir.inputs:
                    problems.append(f"{where}: micro-batch {leaf.microbatch} does not exist (micro-batches "
                                    f"0..{ir.inputs - 1})")
                    continue
                key = (leaf.kind, leaf.stage, leaf.microbatch)
                twin = ("B" if leaf.kind == "I" else "I" if leaf.kind == "B" else leaf.kind, *key[1:])
                if key in seen or twin in seen:
                    first = seen.get(key) or seen[twin]
                    again = "already run" if key in seen else f"its backward already run as {twin[1]}{twin[0]}{twin[2]}"
                    problems.append(f"{where}: duplicated op ({again} at rank {first[0]}, step {first[1]})")
                    continue
                seen[key] = (rank, step)
                runs[rank].append((_COMPUTE[leaf.kind], leaf.stage + 1, leaf.microbatch + 1))
    kinds = {key[0] for key in seen}
    if "B" in kinds and kinds & {"I", "W"}:
        gaps.add("full backwards (B) beside split ones (I and W) in one schedule (pplimits' op model splits every "
                 "backward or none)")
    for stage in range(ir.stages):
        for batch in range(ir.inputs):
            if ("F", stage, batch) not in seen:
                problems.append(f"missing op {stage}F{batch}: no rank runs it")
            if ("B", stage, batch) not in seen and ("I", stage, batch) not in seen:
                problems.append(f"missing op {stage}{'I' if 'I' in kinds else 'B'}{batch}: no rank runs it")
            if ("I", stage, batch) in seen and ("W", stage, batch) not in seen:
                problems.append(f"missing op {stage}W{batch}: {stage}I{batch} runs, its weight gradient never")
            if ("W", stage, batch) in seen and ("I", stage, batch) not in seen:
                problems.append(f"{stage}W{batch} has no input-gradient op {stage}I{batch} before it")
    return problems, gaps, runs, ignored


def placed(ir: TorchIR, costs: Costs = UNIT_COSTS) -> PlacedSchedule:
    """The translated schedule (torch's placement, split iff the IR has I or W actions) under `costs`."""
    split = any(leaf.kind in ("I", "W") for actions in ir.ranks for a in actions if a is not None
                for leaf in (a.sub or (a,)))
    return PlacedSchedule(ir.name, ir.devices, ir.inputs, ir.chunks, costs=costs,
                          placement=tuple(rank + 1 for rank in ir.placement), split=split)


def check(ir: TorchIR, costs: Costs = UNIT_COSTS) -> Verdict:
    """pplimits' verdict on `ir` under `costs` (see the module's docstring)."""
    if not isinstance(costs, Costs):
        raise UsageError(f"costs must be a Costs, got {costs!r}")
    base = dict(name=ir.name, devices=ir.devices, inputs=ir.inputs, chunks=ir.chunks,
                torch_validator=ir.torch_validator, costs=costs)
    schedule = placed(ir, costs)  # refuses a w where torch's IR does not split the backward
    problems, gaps, runs, ignored = _structure(ir)
    base["ignored"] = tuple(sorted(ignored))
    if problems:
        return Verdict(verdict="invalid", reason=problems[0], problems=len(problems), violations=tuple(problems[:5]),
                       **base)
    if gaps:
        return Verdict(verdict="not expressible", reason="; ".join(sorted(gaps)), **base)
    unit_orders = {(rank + 1,): ops for rank, ops in runs.items()}
    try:
        ops = timeline.execute(schedule, unit_orders)
    except timeline.TimelineError as error:
        return Verdict(verdict="invalid", reason=f"broken dependency: the ranks' orders {error} (pplimits' names: "
                       "1-based stage and input)", problems=1, **base)
    timeline.check(ops, schedule)  # pplimits' validator: a failure here is a bug in pplimits, not in torch's IR
    span, bubble = timeline.measured_span(ops), timeline.measured_bubble(ops, schedule)
    peaks = timeline.measured_peak_activations(ops, schedule)
    return Verdict(verdict="valid", reason=None, makespan=span, bubble=bubble, peaks=peaks,
                   closed=closed_form(ir, costs, unit_orders, span, peaks), **base)


def closed_form(ir: TorchIR, costs: Costs, unit_orders: dict, span, peaks: tuple) -> ClosedForm | None:
    """pplimits' closed form for the schedule `ir`'s class corresponds to, with whether the per-device op orders
    are pplimits' own and, where the makespans differ, the first place the orders do; None for no counterpart."""
    if ir.name not in CLOSED_FORMS:
        return None
    name, chunk_values = CLOSED_FORMS[ir.name]
    if chunk_values is not None and ir.chunks not in chunk_values:
        return ClosedForm(name, note=f"no closed form: {ir.name} with v = {ir.chunks} is not pplimits' {name}")
    try:
        schedule = Schedule(name, ir.devices, ir.inputs, ir.chunks, "half", costs)
        gap = schedule.closed_form_gap()
    except UsageError as error:
        return ClosedForm(name, note=f"no closed form: pplimits' {name} needs {error}")
    if gap is not None:
        return ClosedForm(name, note=f"no closed form: {gap}")
    mine = orders(schedule)
    same = all(list(map(tuple, mine[unit])) == unit_orders.get(unit, []) for unit in mine)
    closed, closed_peaks = schedule.makespan(), schedule.peak_activations()
    if closed == span:
        note = "equal" + ("" if same else " (the op orders differ, the makespans do not)")
    else:
        note = f"torch's makespan {span} vs closed form {closed}: " + _first_difference(mine, unit_orders)
    if peaks != closed_peaks:
        note += (f"; peak activations per device differ: torch's order {', '.join(map(str, peaks))}, pplimits' "
                 f"{name} {', '.join(map(str, closed_peaks))}")
    return ClosedForm(name, closed, schedule.bubble_fraction(), closed_peaks, same, note)


def _first_difference(mine: dict, theirs: dict) -> str:
    for unit in sorted(mine):
        for position, (a, b) in enumerate(zip(mine[unit], theirs.get(unit, []))):
            if tuple(a) != tuple(b):
                return (f"the orders first differ on device {unit[0]} at op {position + 1}: torch runs {_op(b)}, "
                        f"pplimits' closed form {_op(a)}")
    return "the same op orders (a gap in pplimits' closed form?)"


def _op(key) -> str:
    kind, stage, index = key
    return f"{kind}(input {index}, stage {stage})"


def verdict(name: str, devices: int, inputs: int, chunks: int | None = None, costs: Costs = UNIT_COSTS) -> Verdict:
    """`check(read(name, devices, inputs, chunks), costs)`."""
    return check(read(name, devices, inputs, chunks), costs)
