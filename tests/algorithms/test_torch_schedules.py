"""torch's own schedule IRs checked by pplimits (issue 15, item 2): the checker on hand-made IRs (no torch needed),
then — with the [torch] extra — every class torch offers over the recorded grid, its verdicts equal to
reports/measurements/torch-schedules.json, and the closed forms where a class is one of pplimits' schedules."""
import json
import re
from fractions import Fraction
from pathlib import Path

import pytest

from pplimits._util.checks import UsageError
from pplimits.algorithms.clock import Costs, Schedule
from pplimits.algorithms.torch_schedules import Action, TorchIR, check

RECORD = Path(__file__).resolve().parents[2] / "reports" / "measurements" / "torch-schedules.json"


def ir(ranks, devices=2, inputs=2, chunks=1, placement=None, name="Hand"):
    """A TorchIR from action strings per rank ('0F1', '1I0', None for an idle step)."""
    def parse(text):
        if text is None:
            return None
        if text.startswith("("):
            subs, kind = text[1:].split(")")
            return Action(kind, -1, None, tuple(parse(t) for t in subs.split(";")))
        stage, kind, batch = re.fullmatch(r"(\d+)([FBIW]|REDUCE_GRAD)(\d*)", text).groups()
        return Action(kind, int(stage), int(batch) if batch else None)
    placement = tuple(range(devices)) * chunks if placement is None else placement
    return TorchIR(name, devices, inputs, chunks, placement, tuple(tuple(map(parse, r)) for r in ranks), "passes",
                   "none", False)


GPIPE_2x2 = [["0F0", "0F1", None, "0B0", "0B1", "0REDUCE_GRAD"], ["1F0", "1F1", "1B0", "1B1"]]


def test_a_valid_hand_made_ir_runs_at_the_closed_form():
    found = check(ir(GPIPE_2x2))
    assert (found.verdict, found.makespan, found.peaks, found.ignored) == ("valid", 6, (2, 2), ("REDUCE_GRAD",))
    assert found.bubble == Schedule("gpipe", 2, 2).bubble_fraction()


@pytest.mark.parametrize("ranks, first", [
    ([["0F0", "0F1", "0B0", "0B1"], ["1F0", "1F1", "1B0", "1B1", "1B1"]], "rank 1, step 4: 1B1: duplicated op"),
    ([["0F0", "0F1", "0B0", "0B1"], ["1F0", "1F1", "1B0", "1B1", "1I1"]],
     "rank 1, step 4: 1I1: duplicated op (its backward already run as 1B1 at rank 1, step 3)"),
    ([["0F0", "0F1", "0B0", "0B1"], ["1F0", "1F2", "1B0", "1B1"]], "rank 1, step 1: 1F2: micro-batch 2 does not exist"),
    ([["0F0", "0F1", "0B0", "0B1"], ["1F0", "1F1", "1B0", "2B1"]], "rank 1, step 3: 2B1: stage 2 does not exist"),
    ([["0F0", "0F1", "0B0", "0B1", "1F0"], ["1F1", "1B0", "1B1"]],
     "rank 0, step 4: 1F0: torch places stage 1 on rank 1"),
    ([["0F0", "0F1", "0B0", "0B1"], ["1F1", "1B0", "1B1"]], "missing op 1F0: no rank runs it"),
    ([["0F0", "0F1", "0I0", "0I1", "0W0", "0W1"], ["1F0", "1F1", "1I0", "1I1", "1W0"]], "missing op 1W1"),
])
def test_a_broken_ir_is_invalid_with_its_first_violation(ranks, first):
    found = check(ir(ranks))
    assert found.verdict == "invalid" and found.reason.startswith(first), found.reason


def test_an_order_that_cannot_meet_its_dependencies_is_a_broken_dependency():
    found = check(ir([["0B0", "0F0", "0F1", "0B1"], ["1F0", "1F1", "1B0", "1B1"]]))
    assert found.verdict == "invalid" and found.reason.startswith("broken dependency: the ranks' orders deadlock")


def test_overlapped_and_mixed_backwards_are_not_expressible_but_their_structure_is_checked():
    overlap = [["0F0", "(0F1;0B0)OVERLAP_F_B", "0B1"], ["1F0", "1F1", "1B0", "1B1"]]
    found = check(ir(overlap))
    assert found.verdict == "not expressible" and "OVERLAP_F_B" in found.reason
    mixed = [["0F0", "0F1", "0B0", "0I1", "0W1"], ["1F0", "1F1", "1B0", "1B1"]]
    assert "full backwards (B) beside split ones" in check(ir(mixed)).reason
    broken = [["0F0", "(0F1;0B0)OVERLAP_F_B", "0B1", "0B1"], ["1F0", "1F1", "1B0", "1B1"]]
    assert check(ir(broken)).verdict == "invalid"


def test_a_v_shaped_placement_is_torchs_own():
    """Two stages per rank placed as a V (stage 0 and 3 on rank 0): a hop-free turn on the last rank."""
    ranks = [["0F0", "3F0", "3B0", "0B0"], ["1F0", "2F0", "2B0", "1B0"]]
    found = check(ir(ranks, inputs=1, chunks=2, placement=(0, 1, 1, 0)))
    assert (found.verdict, found.makespan) == ("valid", 8)
    assert check(ir(ranks, inputs=1, chunks=2)).reason.startswith("rank 0, step 1: 3F0: torch places stage 3 on rank 1")


def test_w_is_refused_where_the_ir_does_not_split_the_backward():
    with pytest.raises(UsageError, match="w applies only"):
        check(ir(GPIPE_2x2), Costs(w=Fraction(1, 2)))


# ── with torch: every class it offers ──────────────────────────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def measured():
    pytest.importorskip("torch.distributed.pipelining", reason="needs the [torch] extra: pip install 'pplimits[torch]'")
    from pplimits.experiments.torch_schedules import measure

    return measure()


def test_the_recorded_verdicts_are_the_current_ones(measured):
    """benchmarks/torch_schedules.py re-records them (the message says which cells moved)."""
    recorded = json.loads(RECORD.read_text())
    assert measured["classes"] == recorded["classes"], "torch offers other classes: re-record"
    moved = [(new["schedule"], new["depth"], new["inputs"], new["chunks"], new["cost_model"])
             for new, old in zip(measured["cells"], recorded["cells"]) if new != old]
    assert len(measured["cells"]) == len(recorded["cells"]) and not moved, moved[:5]
    assert measured == recorded


def test_every_class_torch_offers_has_a_verdict(measured):
    from pplimits.algorithms.torch_schedules import offered

    assert set(offered()) == {c["schedule"] for c in measured["cells"]}
    assert {c["verdict"] for c in measured["cells"]} <= {"valid", "invalid", "not expressible", "refused"}
    for name in offered():
        assert any(c["verdict"] != "refused" for c in measured["cells"] if c["schedule"] == name), name


def test_torch_makespans_equal_the_closed_forms_or_the_difference_is_explained(measured):
    compared = 0
    for found in measured["cells"]:
        closed = (found.get("closed_form") or {})
        if closed.get("makespan") is None:
            continue
        compared += 1
        if closed["same_order"]:  # the same op orders: the closed form must be the simulated makespan
            assert closed["makespan"] == found["makespan"] and closed["note"] == "equal", found
        else:
            assert closed["note"].startswith("equal") or "first differ" in closed["note"], found
    assert compared >= 50


def test_the_verdicts_found(measured):
    """What the record says (README, "torch's schedule IRs"): every Schedule1F1B IR invalid, DualPipeV not
    expressible, every other IR torch builds valid."""
    by = {}
    for found in measured["cells"]:
        by.setdefault(found["schedule"], set()).add(found["verdict"])
    assert by["Schedule1F1B"] == {"invalid", "refused"}
    assert by["ScheduleDualPipeV"] == {"not expressible", "refused"}
    for name in ("ScheduleGPipe", "ScheduleInterleaved1F1B", "ScheduleLoopedBFS", "ScheduleInterleavedZeroBubble",
                 "ScheduleZBVZeroBubble"):
        assert by[name] <= {"valid", "refused"}, name


def test_schedule1f1b_is_pplimits_1f1b_once_its_last_rank_counts_micro_batches_from_0():
    """The violation is the last rank's forward micro-batch counter (it starts at 1: no warm-up forward there);
    renumbered, torch's Schedule1F1B IR is pplimits' 1f1b op for op, at its closed form."""
    pytest.importorskip("torch.distributed.pipelining", reason="needs the [torch] extra")
    from dataclasses import replace

    from pplimits.algorithms.torch_schedules import read

    torch_ir = read("Schedule1F1B", 4, 8)
    last = tuple(a._replace(microbatch=a.microbatch - 1) if a is not None and a.kind == "F" else a
                 for a in torch_ir.ranks[-1])
    fixed = check(replace(torch_ir, ranks=(*torch_ir.ranks[:-1], last)))
    assert (fixed.verdict, fixed.makespan, fixed.closed.note, fixed.closed.same_order) == ("valid", 22, "equal", True)
    assert fixed.makespan == Schedule("1f1b", 4, 8).makespan()
