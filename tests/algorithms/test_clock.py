"""Pipeline clock (algorithms.clock) against the tick-by-tick simulator (algorithms.timeline)."""
import itertools
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pplimits.algorithms.clock import DUPLEX_MODES, SCHEDULES, PipelineModel, makespan
from pplimits.algorithms.timeline import Op, TimelineError, as_records, measured_makespan, simulate, validate
from tests.examples import examples

MODES = list(itertools.product(SCHEDULES, DUPLEX_MODES))


def _move(ops, kind, stage, index, tick):
    """`ops` with op (kind, stage, index) moved to `tick` (the op must exist)."""
    moved = [op._replace(tick=tick) if (op.kind, op.stage, op.input) == (kind, stage, index) else op
             for op in ops]
    assert moved != ops
    return moved


def _problems(ops, *args, **kwargs):
    with pytest.raises(TimelineError) as caught:
        validate(ops, *args, **kwargs)
    return caught.value.problems


# --- closed form == simulation --------------------------------------------------------------

@pytest.mark.parametrize("schedule,duplex", MODES)
def test_closed_form_matches_simulation_on_grid(schedule, duplex):
    for depth in range(1, 9):
        for batch in range(1, 13):
            ops = simulate(depth, batch, schedule, duplex)
            validate(ops, depth, batch, schedule, duplex)
            assert measured_makespan(ops) == makespan(depth, batch, schedule, duplex)


@settings(max_examples=examples(150), deadline=None)
@given(depth=st.integers(1, 12), batch=st.integers(1, 16),
       schedule=st.sampled_from(SCHEDULES), duplex=st.sampled_from(DUPLEX_MODES))
def test_closed_form_matches_simulation_random(depth, batch, schedule, duplex):
    ops = simulate(depth, batch, schedule, duplex)
    validate(ops, depth, batch, schedule, duplex)
    assert measured_makespan(ops) == makespan(depth, batch, schedule, duplex)


def test_makespan_table_values():
    assert [makespan(4, 3, s, d) for s, d in MODES] == [24, 24, 12, 12, 10, 6]


@pytest.mark.parametrize("schedule,duplex", MODES)
def test_simulation_respects_priority_rules(schedule, duplex):
    depth, batch = 4, 5
    ops = simulate(depth, batch, schedule, duplex)
    assert ops == sorted(ops)
    for kind in ("F", "B"):
        for stage in range(1, depth + 1):
            order = [op.input for op in ops if op.kind == kind and op.stage == stage]
            assert order == sorted(order)
    if schedule == "gpipe":
        assert [op.tick for op in ops if op.kind == "F" and op.stage == 1] == list(range(1, batch + 1))
    if schedule == "gpipe" and duplex == "half":
        for stage in range(1, depth + 1):
            last_f = max(op.tick for op in ops if op.stage == stage and op.kind == "F")
            assert last_f < min(op.tick for op in ops if op.stage == stage and op.kind == "B")


def test_as_records_json_ready():
    ops = simulate(2, 2, "gpipe", "half")
    records = as_records(ops)
    assert json.loads(json.dumps(records)) == records
    assert records[0] == {"tick": 1, "stage": 1, "op": "forward", "input": 1}
    assert records[-1] == {"tick": 6, "stage": 1, "op": "backward", "input": 2}
    assert len(records) == 8


@pytest.mark.parametrize("call", [makespan, simulate])
@pytest.mark.parametrize("kwargs,name", [
    ({"depth": 0, "batch": 1}, "depth"), ({"depth": 2, "batch": 1.5}, "batch"),
    ({"depth": 2, "batch": 1, "schedule": "1f1b"}, "schedule"),
    ({"depth": 2, "batch": 1, "duplex": "simplex"}, "duplex"),
])
def test_bad_arguments_rejected(call, kwargs, name):
    with pytest.raises(ValueError, match=f"^{name} must be"):
        call(**kwargs)


# --- validate rejects hand-broken timelines, each broken in exactly one way ----------------

@pytest.mark.parametrize("schedule,duplex,depth,batch,op", [
    ("naive", "half", 3, 2, ("F", 2, 1)),   # F(1,2): tick 2 -> 1, beside F(1,1) on stage 1
    ("gpipe", "full", 2, 1, ("B", 1, 1)),   # B(1,1): tick 4 -> 3, beside B(1,2) on stage 2
])
def test_rejects_dependency_violation(schedule, duplex, depth, batch, op):
    ops = simulate(depth, batch, schedule, duplex)
    tick = next(o.tick for o in ops if (o.kind, o.stage, o.input) == op)
    problems = _problems(_move(ops, *op, tick - 1), depth, batch, schedule, duplex)
    assert len(problems) == 1 and problems[0].startswith("dependency violated")


def test_rejects_two_ops_on_half_duplex_stage():
    ops = simulate(2, 2, "gpipe", "half")          # stage 2: F(2,2) at tick 3, B(1,2) at tick 4
    broken = _move(ops, "B", 2, 1, 3)
    with pytest.raises(TimelineError, match=r"resource conflict \(half duplex\): stage 2 .* tick 3"):
        validate(broken, 2, 2, "gpipe", "half")
    assert len(_problems(broken, 2, 2, "gpipe", "half")) == 1
    validate(broken, 2, 2, "gpipe", "full")        # separate F and B units: feasible


def test_full_duplex_timeline_is_infeasible_in_half_duplex():
    ops = simulate(3, 4, "gpipe", "full")
    problems = _problems(ops, 3, 4, "gpipe", "half")
    assert problems and all(p.startswith("resource conflict") for p in problems)


def test_rejects_two_ops_on_full_duplex_unit():
    ops = simulate(2, 2, "gpipe", "full")          # stage 1 forward unit: F(1,1) at 1, F(2,1) at 2
    broken = _move(ops, "F", 1, 2, 1)
    with pytest.raises(TimelineError, match=r"^resource conflict \(full duplex\): stage 1 forward unit"):
        validate(broken, 2, 2, "gpipe", "full")
    assert len(_problems(broken, 2, 2, "gpipe", "full")) == 1


def test_rejects_missing_op():
    ops = simulate(3, 2, "gpipe", "half")
    with pytest.raises(TimelineError, match=r"^missing op B\(input 2, stage 1\)$"):
        validate(ops[:-1], 3, 2, "gpipe", "half")


def test_rejects_duplicated_op():
    ops = simulate(3, 2, "gpipe", "half")
    extra = ops[-1]._replace(tick=ops[-1].tick + 1)
    with pytest.raises(TimelineError, match=r"^duplicated op B\(input 2, stage 1\)"):
        validate(ops + [extra], 3, 2, "gpipe", "half")


@pytest.mark.parametrize("duplex,shift", [("half", 2), ("forward", 1)])
def test_rejects_naive_admission_violation(duplex, shift):
    ops = simulate(2, 2, "naive", duplex)
    broken = [op._replace(tick=op.tick - shift) if op.input == 2 else op for op in ops]
    with pytest.raises(TimelineError, match="^naive admission violated: input 2 enters"):
        validate(broken, 2, 2, "naive", duplex)
    assert len(_problems(broken, 2, 2, "naive", duplex)) == 1
    validate(broken, 2, 2, "gpipe", duplex)        # no admission rule: otherwise feasible


def test_rejects_backward_op_in_forward_mode():
    ops = simulate(3, 2, "gpipe", "forward")
    broken = ops + [Op(measured_makespan(ops) + 1, 3, "B", 2)]
    with pytest.raises(TimelineError, match="^backward op .* in forward-only mode$"):
        validate(broken, 3, 2, "gpipe", "forward")


@pytest.mark.parametrize("field,value,message", [
    ("kind", "X", "kind must be"), ("stage", 0, "stage must be in 1..3"),
    ("stage", 4, "stage must be in 1..3"), ("input", 0, "input must be in 1..2"),
    ("input", 3, "input must be in 1..2"), ("tick", 0, "tick must be an integer >= 1"),
])
def test_rejects_bad_op_fields(field, value, message):
    ops = simulate(3, 2, "gpipe", "half")
    broken = [ops[-1]._replace(**{field: value})] + ops[:-1]
    with pytest.raises(TimelineError, match=message):
        validate(broken, 3, 2, "gpipe", "half")


def test_validate_accepts_plain_tuples():
    validate([tuple(op) for op in simulate(2, 3, "naive", "full")], 2, 3, "naive", "full")


# --- PipelineModel --------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs,name", [
    ({"depth": 0}, "depth"), ({"depth": 2.5}, "depth"), ({"depth": True}, "depth"),
    ({"depth": np.float64(3.5)}, "depth"), ({"depth": "4"}, "depth"),
    ({"depth": 4, "inputs": 0}, "inputs"), ({"depth": 4, "inputs": False}, "inputs"),
    ({"depth": 4, "duplex": "x"}, "duplex"), ({"depth": 4, "schedule": "dualpipe"}, "schedule"),
])
def test_model_validation(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name} must be") as caught:
        PipelineModel(**kwargs)
    assert "\n" not in str(caught.value)


def test_model_error_messages():
    with pytest.raises(ValueError, match="^depth must be an integer >= 1, got 0$"):
        PipelineModel(0)
    with pytest.raises(ValueError, match="^duplex must be one of half, full, forward, got 'x'$"):
        PipelineModel(2, duplex="x")


def test_model_accepts_numpy_integers():
    model = PipelineModel(np.int64(4), np.int32(3))
    assert type(model.depth) is int and type(model.inputs) is int
    assert model == PipelineModel(4, 3)
    assert model.gradient_time() == 12


@pytest.mark.parametrize("schedule,duplex", [m for m in MODES if m[1] != "forward"])
def test_latency_is_one_input_round_trip(schedule, duplex):
    for depth in (1, 2, 7):
        model = PipelineModel(depth, duplex=duplex, schedule=schedule)
        assert model.latency == 2 * depth == measured_makespan(simulate(depth, 1, schedule, duplex))


def test_forward_mode_has_no_gradient():
    model = PipelineModel(3, duplex="forward")
    for call in (lambda: model.latency, model.gradient_time, lambda: model.iteration_times(2)):
        with pytest.raises(ValueError, match="duplex='forward'"):
            call()


def test_iteration_times_exact():
    depth = 5
    naive = PipelineModel(depth, schedule="naive")
    assert naive.iteration_times(4).tolist() == [2 * depth * k for k in range(5)]
    gpipe = PipelineModel(4, inputs=3)
    assert gpipe.gradient_time() == 12
    assert gpipe.iteration_times(5).tolist() == [0, 12, 24, 36, 48, 60]
    assert PipelineModel(4, inputs=3, duplex="full").iteration_times(2).tolist() == [0, 10, 20]
    assert gpipe.iteration_times(0).tolist() == [0]


@pytest.mark.parametrize("schedule,duplex", [m for m in MODES if m[1] != "forward"])
def test_gradient_time_with_queries(schedule, duplex):
    for depth, inputs, queries in [(1, 1, 1), (4, 3, 5), (9, 2, 7)]:
        model = PipelineModel(depth, inputs, duplex, schedule)
        assert model.gradient_time(queries) == makespan(depth, inputs * queries, schedule, duplex)
        assert model.iteration_times(3, queries)[1] == model.gradient_time(queries)


def test_iteration_times_large_exact():
    times = PipelineModel(10**4).iteration_times(10**6)
    assert times.dtype == np.int64 and times.shape == (10**6 + 1,)
    assert int(times[-1]) == 10**6 * 2 * 10**4
    assert int(times[123_457]) == 123_457 * 2 * 10**4


def test_iteration_times_overflow_rejected():
    with pytest.raises(OverflowError):
        PipelineModel(2**40).iteration_times(2**30)


def test_iterations_by():
    model = PipelineModel(4, inputs=3)                          # 12 ticks per iteration
    assert model.iterations_by(0) == 0 and model.iterations_by(11) == 0
    assert model.iterations_by(12) == 1 and model.iterations_by(np.int64(35)) == 2
    assert model.iterations_by(24, queries=2) == 1               # 2·(6+4−1) = 18 ticks
    times = model.iteration_times(6)
    by = model.iterations_by(times)
    assert by.dtype == np.int64 and by.tolist() == list(range(7))
    assert model.iterations_by(times[1:] - 1).tolist() == list(range(6))
    for bad in (-1, 2.5, np.array([1.0, 2.0]), np.array([-1, 3])):
        with pytest.raises(ValueError, match="time must be"):
            model.iterations_by(bad)
