"""Schedules with op costs (algorithms.clock.Schedule, Costs) against the order simulator (algorithms.timeline.execute)
and validator (timeline.check): makespan, bubble fraction and peak activations, closed form == simulation."""
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pplimits.algorithms.clock import (
    ALL_SCHEDULES,
    DUPLEX_MODES,
    SCHEDULES,
    UNIT_COSTS,
    Costs,
    PipelineModel,
    Schedule,
    makespan,
)
from pplimits.algorithms.schedules import orders
from pplimits.algorithms.timeline import (
    TimedOp,
    TimelineError,
    check,
    execute,
    measured_bubble,
    measured_peak_activations,
    measured_span,
    simulate,
    timed_records,
)
from tests.examples import examples

COSTS = [UNIT_COSTS, Costs(f=2, b=3), Costs(f=3, b=1), Costs(f=Fraction(1, 2), b=Fraction(3, 2)),
         Costs(f=1, b=1, c=1), Costs(f=2, b=3, c=Fraction(1, 3))]
ZB_COSTS = [Costs(f=1, b=2, w=1), Costs(f=3, b=4, w=Fraction(3, 2)), Costs(f=1, b=3, w=Fraction(1, 4))]


def _domain(name):
    """(duplex, chunks, inputs) of the grid P ≤ 8, B ≤ 16, v ∈ {1, 2, 3} inside the schedule's domain."""
    duplexes = DUPLEX_MODES if name in SCHEDULES else ("half",)
    chunks = (1, 2, 3) if name == "interleaved-1f1b" else (1,)
    for duplex in duplexes:
        for devices in range(1, 9):
            for v in chunks:
                for batch in range(1, 17):
                    if name in ("1f1b", "zb-h1") and batch < devices:
                        continue
                    if name == "interleaved-1f1b" and batch % devices:
                        continue
                    yield duplex, devices, v, batch


def _agrees(schedule):
    """Run, validate, and hold every closed form that applies to the simulated timeline."""
    ops = execute(schedule)
    check(ops, schedule)
    if schedule.closed_form_gap() is not None:
        with pytest.raises(ValueError, match="^(c|w) must be"):
            schedule.makespan()
        return ops
    assert measured_span(ops) == schedule.makespan()
    assert measured_bubble(ops, schedule) == schedule.bubble_fraction()
    if schedule.duplex == "half":
        assert measured_peak_activations(ops, schedule) == schedule.peak_activations()
    return ops


# --- closed form == simulation ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ALL_SCHEDULES)
def test_closed_forms_match_simulation_on_grid_unit_costs(name):
    for duplex, devices, chunks, batch in _domain(name):
        _agrees(Schedule(name, devices, batch, chunks, duplex))


@pytest.mark.parametrize("name", ALL_SCHEDULES)
@pytest.mark.parametrize("costs", COSTS + ZB_COSTS, ids=str)
def test_closed_forms_match_simulation_with_costs(name, costs):
    if costs.w is not None and name != "zb-h1":
        return
    for duplex, devices, chunks, batch in _domain(name):
        if devices <= 5 and batch <= 10:
            _agrees(Schedule(name, devices, batch, chunks, duplex, costs))


_quarters = st.integers(1, 12).map(lambda k: Fraction(k, 4))


@st.composite
def schedules(draw):
    name = draw(st.sampled_from(ALL_SCHEDULES))
    duplex = draw(st.sampled_from(DUPLEX_MODES)) if name in SCHEDULES else "half"
    devices = draw(st.integers(1, 8))
    chunks = draw(st.integers(1, 3)) if name == "interleaved-1f1b" else 1
    batch = draw(st.integers(devices, 16) if name in ("1f1b", "zb-h1") else st.integers(1, 16))
    if name == "interleaved-1f1b":
        batch = devices * draw(st.integers(1, max(1, 16 // devices)))
    f, b = draw(_quarters), draw(_quarters)
    c = draw(st.sampled_from((0, 0, Fraction(1, 4), 1)))
    w = draw(st.one_of(st.none(), st.integers(1, 7).map(lambda k: b * Fraction(k, 8)))) if name == "zb-h1" else None
    return Schedule(name, devices, batch, chunks, duplex, Costs(f, b, w, c))


@settings(max_examples=examples(200), deadline=None)
@given(schedule=schedules())
def test_closed_forms_match_simulation_random(schedule):
    _agrees(schedule)


@settings(max_examples=examples(100), deadline=None)
@given(depth=st.integers(1, 12), batch=st.integers(1, 16), schedule=st.sampled_from(SCHEDULES),
       duplex=st.sampled_from(DUPLEX_MODES))
def test_default_costs_reproduce_the_unit_model(depth, batch, schedule, duplex):
    """Same numbers as makespan() and the same ticks as the tick-by-tick `simulate` (op at tick t ends at t)."""
    model = Schedule(schedule, depth, batch, 1, duplex)
    assert model.makespan() == makespan(depth, batch, schedule, duplex)
    assert type(model.makespan()) is int
    ops = execute(model)
    assert sorted((op.end, op.stage, op.kind, op.input) for op in ops) == sorted(simulate(depth, batch, schedule,
                                                                                          duplex))
    if duplex != "forward":
        pipeline = PipelineModel(depth, batch, duplex, schedule, costs=Costs(f=1, b=1, c=0))
        assert pipeline.gradient_time() == PipelineModel(depth, batch, duplex, schedule).gradient_time()
        assert pipeline.latency == 2 * depth


# --- by hand ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("schedule,span,bubble", [
    # naive, Δ = 2, B = 2: one input at a time, 2 stages × (F + B) each = 4 per input, 8 in all; each stage is busy
    # 4 of 8 ticks: bubble 1/2.
    (Schedule("naive", 2, 2), 8, Fraction(1, 2)),
    # gpipe, Δ = 2, B = 2: F's end at stage 1 at 1, 2; stage 2 at 2, 3; B's at stage 2 end 4, 5; stage 1 at 5, 6.
    # Each stage busy 4 of 6: bubble 1/3.
    (Schedule("gpipe", 2, 2), 6, Fraction(1, 3)),
    # 1f1b, P = 2, B = 2: device 1 runs F1 [0,1) F2 [1,2) B1 [3,4) B2 [5,6); device 2 F1 [1,2) B1 [2,3) F2 [3,4)
    # B2 [4,5). Busy 4 of 6 each: bubble 1/3, as GPipe's.
    (Schedule("1f1b", 2, 2), 6, Fraction(1, 3)),
    # interleaved, P = 2, v = 2, B = 2 (B = P: all forwards first). Stages 1, 3 on device 1; 2, 4 on device 2.
    # Device 1: F(s1,i1) [0,1) F(s1,i2) [1,2) F(s3,i1) [2,3) F(s3,i2) [3,4) B(s3,i1) [6,7) B(s3,i2) [7,8)
    # B(s1,i1) [8,9) B(s1,i2) [9,10); device 2: F(s2,·) [1,3), F(s4,·) [3,5), B(s4,·) [5,7), B(s2,·) [7,9).
    # Makespan 10, busy 8 of 10 each: bubble 1/5.
    (Schedule("interleaved-1f1b", 2, 2, chunks=2), 10, Fraction(1, 5)),
    # zb-h1, P = 2, B = 2, f = b = 1, w = 1/2 (B and W ops of 1/2). Device 2 defers one W: F1 [1,2) B1 [2,2.5)
    # F2 [2.5,3.5) B2 [3.5,4) W1 [4,4.5) W2 [4.5,5); device 1: F1 [0,1) F2 [1,2) B1 [2.5,3) W1 [3,3.5)
    # B2 [4,4.5) W2 [4.5,5). Makespan 5, busy 4 of 5 each: bubble 1/5 (1f1b: 1/3).
    (Schedule("zb-h1", 2, 2), 5, Fraction(1, 5)),
])
def test_bubble_by_hand(schedule, span, bubble):
    assert schedule.makespan() == span and schedule.bubble_fraction() == bubble
    ops = execute(schedule)
    assert measured_span(ops) == span and measured_bubble(ops, schedule) == bubble


def test_zb_h1_hand_timeline_of_device_2():
    ops = execute(Schedule("zb-h1", 2, 2))
    device_2 = [(op.kind, op.input, op.start, op.end) for op in ops if op.device == 2]
    half = Fraction(1, 2)
    assert device_2 == [("F", 1, 1, 2), ("B", 1, 2, 2 + half), ("F", 2, 2 + half, 3 + half),
                        ("B", 2, 3 + half, 4), ("W", 1, 4, 4 + half), ("W", 2, 4 + half, 5)]


# --- peak activations: 1F1B's reason to exist ----------------------------------------------------------------

@pytest.mark.parametrize("devices,batch", [(4, 4), (4, 16), (8, 16)])
def test_peak_activations_1f1b_is_depth_gpipe_is_batch(devices, batch):
    gpipe, one_f_one_b = Schedule("gpipe", devices, batch), Schedule("1f1b", devices, batch)
    zero_bubble = Schedule("zb-h1", devices, batch)
    assert max(measured_peak_activations(execute(gpipe), gpipe)) == batch
    assert max(measured_peak_activations(execute(one_f_one_b), one_f_one_b)) == devices
    assert measured_peak_activations(execute(one_f_one_b), one_f_one_b) == tuple(range(devices, 0, -1))
    assert measured_peak_activations(execute(zero_bubble), zero_bubble) == (devices,) * devices


def test_peak_activations_interleaved_by_hand():
    # P = 2, v = 2, B = 4: device 1 warms up 2(P − 1) + (v − 1)P = 4 forwards, then a 5th before its first
    # backward; device 2 warms up (v − 1)P = 2, holds 3. Counted per (input, chunk).
    schedule = Schedule("interleaved-1f1b", 2, 4, chunks=2)
    assert schedule.peak_activations() == (5, 3)
    assert measured_peak_activations(execute(schedule), schedule) == (5, 3)


# --- the validator: each timeline broken in exactly one way, the violation named first ---------------------

def _broken(schedule, ops):
    with pytest.raises(TimelineError) as caught:
        check(ops, schedule)
    return caught.value.problems


ZB = Schedule("zb-h1", 3, 4)


def test_check_rejects_missing_op():
    ops = [op for op in execute(ZB) if (op.kind, op.stage, op.input) != ("W", 2, 3)]
    assert _broken(ZB, ops) == ["missing op W(input 3, stage 2)"]


def test_check_rejects_duplicated_op():
    ops = execute(ZB)
    last = max(ops, key=lambda op: op.end)
    ops.append(last._replace(start=last.end, end=last.end + (last.end - last.start)))
    problems = _broken(ZB, ops)
    assert len(problems) == 1 and problems[0].startswith(f"duplicated op {last.kind}(input {last.input}, stage 1)")


def test_check_rejects_op_on_nonexistent_input():
    ops = execute(ZB)
    last = max(ops, key=lambda op: op.end)
    ops.append(last._replace(input=5, start=last.end, end=last.end + 1))
    problems = _broken(ZB, ops)
    assert len(problems) == 1 and "input 5 does not exist (inputs are 1..4)" in problems[0]


def test_check_rejects_broken_dependency():
    schedule = Schedule("1f1b", 3, 3)
    ops = execute(schedule)
    # B(input 3, stage 1) moved to start when B(input 3, stage 2) starts, before its gradient can arrive
    target = next(op for op in ops if (op.kind, op.stage, op.input) == ("B", 1, 3))
    before = next(op for op in ops if (op.kind, op.stage, op.input) == ("B", 2, 3))
    moved = [op._replace(start=before.start, end=before.start + 1) if op == target else op for op in ops]
    problems = _broken(schedule, moved)
    assert problems[0] == (f"dependency violated: B(input 3, stage 1) starts at {before.start}, before "
                           f"B(input 3, stage 2) ends at {before.end}")
    assert len(problems) == 1


def test_check_rejects_an_op_before_its_input_crossed_the_hop():
    schedule = Schedule("gpipe", 2, 1, costs=Costs(c=Fraction(1, 2)))
    ops = execute(schedule)     # F(1,1) [0,1), hop 1/2, F(1,2) [3/2, 5/2)
    early = [op._replace(start=1, end=2) if (op.kind, op.stage) == ("F", 2) else op for op in ops]
    with pytest.raises(TimelineError, match=r"^dependency violated: F\(input 1, stage 2\) starts at 1, before "
                       r"F\(input 1, stage 1\) ends at 1 \+ hop 1/2"):
        check(early, schedule)


def test_check_rejects_a_w_before_its_b():
    ops = execute(ZB)
    w = next(op for op in ops if (op.kind, op.stage, op.input) == ("W", 3, 1))
    b = next(op for op in ops if (op.kind, op.stage, op.input) == ("B", 3, 1))
    # swap them on device 3: B's slot is as long as W's (1/2 each), so only the order breaks
    swapped = [op._replace(start=w.start, end=w.end) if op == b else
               op._replace(start=b.start, end=b.end) if op == w else op for op in ops]
    problems = _broken(ZB, swapped)
    assert problems[0].startswith("dependency violated: W(input 1, stage 3)")


def test_check_rejects_two_ops_on_one_device_at_once():
    schedule = Schedule("gpipe", 2, 2)
    ops = execute(schedule)      # stage 2: F2 [2,3) then B1 [3,4); stage 1 idle during [2,4)
    f2 = next(op for op in ops if (op.kind, op.stage, op.input) == ("F", 2, 2))
    moved = [TimedOp(2, 3, 2, "B", 2, 1) if (op.kind, op.stage, op.input) == ("B", 2, 1) else op for op in ops]
    problems = _broken(schedule, moved)
    assert problems == ["resource conflict: device 2 runs B(input 1, stage 2) during [2, 3) and F(input 2, stage 2) "
                        "from 2"]
    assert f2.start == 2
    check(moved, Schedule("gpipe", 2, 2, duplex="full"))   # separate F and B units: feasible


def test_check_rejects_wrong_duration_device_and_kind():
    schedule = Schedule("1f1b", 2, 2)
    ops = execute(schedule)
    first = ops[0]
    assert "lasts 1" in _broken(schedule, [first._replace(end=first.end + 1)] + ops[1:])[0]
    assert "is on device 1" in _broken(schedule, [first._replace(device=2)] + ops[1:])[0]
    assert "kind must be one of F, B" in _broken(schedule, [first._replace(kind="W")] + ops[1:])[0]


def test_execute_reports_a_deadlocked_order():
    schedule = Schedule("1f1b", 2, 2)
    bad = orders(schedule)
    bad[(1,)] = [("F", 1, 1), ("B", 1, 1), ("F", 1, 2), ("B", 1, 2)]   # B1 on device 1 before F2: fine
    execute(schedule, bad)
    bad[(2,)] = [("B", 2, 1), ("F", 2, 1), ("F", 2, 2), ("B", 2, 2)]   # B before its own forward
    with pytest.raises(TimelineError, match="^deadlock: "):
        execute(schedule, bad)


# --- domains: one line naming the parameter -----------------------------------------------------------------

@pytest.mark.parametrize("kwargs,name", [
    ({"name": "1f1b", "devices": 4, "inputs": 3}, "inputs"),
    ({"name": "zb-h1", "devices": 4, "inputs": 2}, "inputs"),
    ({"name": "interleaved-1f1b", "devices": 4, "inputs": 6, "chunks": 2}, "inputs"),
    ({"name": "1f1b", "devices": 2, "inputs": 4, "chunks": 2}, "chunks"),
    ({"name": "gpipe", "devices": 2, "inputs": 4, "chunks": 2}, "chunks"),
    ({"name": "1f1b", "devices": 2, "inputs": 4, "duplex": "full"}, "duplex"),
    ({"name": "gpipe", "devices": 2, "inputs": 4, "costs": Costs(w=Fraction(1, 2))}, "w"),
    ({"name": "zigzag", "devices": 2, "inputs": 4}, "schedule"),
    ({"name": "gpipe", "devices": 0, "inputs": 4}, "devices"),
    ({"name": "interleaved-1f1b", "devices": 2, "inputs": 4, "chunks": 0}, "chunks"),
])
def test_schedule_domain(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name} must be|^{name} applies") as caught:
        Schedule(**kwargs)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("kwargs,name", [
    ({"f": 0}, "f"), ({"b": -1}, "b"), ({"c": -1}, "c"), ({"f": float("nan")}, "f"), ({"b": True}, "b"),
    ({"w": 1}, "w"), ({"b": 2, "w": 3}, "w"), ({"w": 0}, "w"), ({"f": "1"}, "f"),
])
def test_costs_domain(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name} must be"):
        Costs(**kwargs)


def test_costs_parse_exactly():
    assert Costs.parse("f=1,b=0.5,w=1/8,c=0") == Costs(1, Fraction(1, 2), Fraction(1, 8), 0)
    assert Costs(f=0.1).f == Fraction(1, 10) and type(Costs(f=2.0).f) is int
    for text, name in (("f=1,f=2", "costs gives f twice"), ("x=1", "costs must be"), ("f", "costs must be"),
                       ("f=abc", "f must be")):
        with pytest.raises(ValueError, match=f"^{name}"):
            Costs.parse(text)


@pytest.mark.parametrize("schedule,message", [
    (Schedule("1f1b", 2, 4, costs=Costs(c=1)), "^c must be 0 for the closed form of 1f1b"),
    (Schedule("zb-h1", 2, 4, costs=Costs(f=1, b=2, w=Fraction(3, 2))), "^w must be <= f and <= b − w"),
    (Schedule("zb-h1", 2, 4, costs=Costs(f=Fraction(1, 4), b=2)), "^w must be <= f"),
])
def test_closed_form_refused_outside_its_domain_the_simulator_is_not(schedule, message):
    with pytest.raises(ValueError, match=message):
        schedule.makespan()
    with pytest.raises(ValueError, match=message):
        PipelineModel(schedule.devices, schedule.inputs, schedule=schedule.name, costs=schedule.costs)
    ops = execute(schedule)
    check(ops, schedule)
    assert measured_span(ops) > 0


# --- PipelineModel with schedules and costs ------------------------------------------------------------------

def test_pipeline_model_uses_schedule_and_costs():
    model = PipelineModel(8, inputs=4, schedule="interleaved-1f1b", chunks=2)      # P = 4, v = 2
    assert model.gradient_time() == (2 * 4 + 4 - 1) * 2
    assert model.gradient_time(3) == Schedule("interleaved-1f1b", 4, 12, 2).makespan()
    assert model.iteration_times(2).tolist() == [0, 22, 44]
    assert PipelineModel(4, 4, schedule="1f1b").gradient_time() == makespan(4, 4)          # same as GPipe
    assert PipelineModel(4, 4, schedule="zb-h1").gradient_time() == 2 * 4 + 3              # B(f+b) + (P−1)(f+b−2w)
    costly = PipelineModel(4, 2, costs=Costs(f=2, b=3, c=1))
    assert costly.gradient_time() == 2 * 5 + 3 * (5 + 2)
    for depth in (1, 3):
        one = Schedule("gpipe", depth, 1, costs=Costs(f=2, b=3, c=1))
        assert PipelineModel(depth, costs=one.costs).latency == measured_span(execute(one))


def test_pipeline_model_refusals():
    with pytest.raises(ValueError, match="^chunks must divide depth"):
        PipelineModel(6, 4, schedule="interleaved-1f1b", chunks=4)
    with pytest.raises(ValueError, match="^inputs must be a multiple of depth P = 3"):
        PipelineModel(6, 4, schedule="interleaved-1f1b", chunks=2)
    fractional = PipelineModel(2, 2, costs=Costs(f=Fraction(1, 2)))
    assert fractional.gradient_time() == Fraction(9, 2)                    # 2·(1/2 + 1) + 1·(1/2 + 1)
    with pytest.raises(ValueError, match="^costs give an iteration of 9/2 ticks"):
        fractional.iteration_times(3)


def test_timed_records_json_ready():
    records = timed_records(execute(Schedule("zb-h1", 2, 2)))
    assert records[0] == {"start": 0, "end": 1, "device": 1, "stage": 1, "op": "forward", "input": 1}
    assert {"start": "5/2", "end": 3, "device": 1, "stage": 1, "op": "backward", "input": 1} in records
    assert len(records) == 3 * 2 * 2
