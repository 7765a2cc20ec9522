"""The `pplimits` command line: bounds, bound, run, schedule, regime, verify, report, gate, certify, experiment, engines.

Bad input exits with code 2 and one line naming the parameter and what is allowed.
"""
import argparse
import json
import os
import re
import sys
import time

from pplimits import __version__
from pplimits._util.checks import UsageError, parse_assignments, parse_number, require_int, require_positive
from pplimits._util.imports import is_import_path

USAGE_ERROR = 2
INTERNAL_ERROR = 1
# The names --method and --instance accept, listed here so that the parser (and --help) needs no numeric imports;
# tests/cli/test_cli.py holds them equal to the registries (pplimits.algorithms.methods.METHODS, worstcase.INSTANCES).
METHOD_NAMES = ("gd", "agd", "heavy-ball", "random-span", "subgradient", "pprs", "pprs-drs")
SCHEDULE_NAMES = ("naive", "gpipe", "1f1b", "interleaved-1f1b", "zb-h1")  # = algorithms.clock.ALL_SCHEDULES
INSTANCE_NAMES = ("nesterov-chain", "strongly-convex-chain", "carmon-chain", "random-quadratic", "logistic-regression",
                  "max-function", "max-function-lipschitz", "l1-regression", "hinge", "linf-regression")
CERTIFY_METHODS = ("gd", "agd", "subgradient", "stale-gd")
CERTIFY_CLASSES = ("smooth-convex", "strongly-convex", "lipschitz-convex")
BROKEN_PIPE = 128 + 13  # what a shell reports for a process ended by SIGPIPE
ENGINE_CLOCK_OUT = "reports/out/engine-clock.json"
TIMELINE_PAIRS = 250_000  # schedule --json: (stage, input) pairs simulated op by op (2000 × 2000 took 108 s, 3.6 GB)
# run --set values: 0 or a magnitude within these, so that a product or square of two stays inside float64
# (R = 1e308 divided by zero in the max function's μ = L/((1 + √t)R); γ = 1e308 overflowed PPRS's first steps)
RUN_SCALE = (1e-100, 1e100)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # `--eps -1e-3` is a (bad) value, not an option: argparse's own rule knows no exponents
        self._negative_number_matcher = re.compile(r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")

    def error(self, message):
        self.exit(USAGE_ERROR, f"pplimits: error: {message}\n")


def _positive(name, raw, integer=False):
    """A flag's value: a finite number > 0 (an integer >= 1 if `integer`), read exactly as typed."""
    value = parse_number(name, raw)
    return require_int(name, value, 1) if integer else require_positive(name, value)


def _require_listed(name, value, allowed):
    if value not in allowed:
        raise UsageError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")


def _progress(label, every=2.0):
    """A progress callback printing `label: iteration k/K` to stderr at most every `every` seconds."""
    start = last = time.monotonic()

    def report(done, total):
        nonlocal last
        now = time.monotonic()
        if now - last >= every or done == total:
            print(f"{label}: iteration {done}/{total} ({now - start:.0f} s)", file=sys.stderr, flush=True)
            last = now

    return report


def _print(payload, as_json: bool, text: str):
    print(json.dumps(payload, indent=2, allow_nan=False) if as_json else text)


def cmd_bounds(args):
    from pplimits.bounds.catalog import catalog

    claims = [{"id": c.id, "setting": c.setting, "kind": c.kind, "quantity": c.quantity, "methods": c.methods,
               "label": c.label, "source": c.source, "statement": c.statement, "expression": c.expression,
               "parameters": list(c.parameters), "assumptions": [a.text for a in c.assumptions]}
              for c in catalog().claims.values()]
    width = max(len(c["id"]) for c in claims)
    text = "\n".join(f"{c['id']:<{width}}  {c['label']:<9} {c['kind']:<5}  {c['expression']}" for c in claims)
    _print({"claims": claims}, args.json, text)


def _bound_clock(args, values: dict) -> dict:
    """`values` with the clock of `--schedule/--chunks/--costs/--duplex` where any is given: τ_g = makespan(n) and
    makespan(B), from the pipeline model at --set depth (and n)."""
    if (args.schedule, args.chunks, args.costs, args.duplex) == (None, None, None, None):
        return values
    from pplimits.algorithms.clock import Costs, PipelineModel

    if "depth" not in values:
        raise UsageError("--schedule, --chunks, --costs and --duplex need --set depth=… (the pipeline's depth Δ)")
    chunks = _positive("chunks", args.chunks or "1", integer=True)
    costs = Costs() if args.costs is None else Costs.parse(args.costs)

    def iteration(batch: int) -> int:
        return PipelineModel(depth=values["depth"], inputs=batch, schedule=args.schedule or "gpipe",
                             duplex=args.duplex or "half", chunks=chunks, costs=costs).gradient_time()

    iteration(values.get("n", values["depth"]))  # a bad schedule, chunks or costs is named before any claim is used
    return {"makespan": iteration, **({"tau_g": iteration(values["n"])} if "n" in values else {}), **values}


def cmd_bound(args):
    from pplimits.bounds.catalog import catalog

    claims = catalog()
    claim = claims.get(args.id)
    values, defaulted = claims.with_gpipe_clock(claim, _bound_clock(args, claims.parse_values(parse_assignments(args.set))))
    if "tau_g" in claim.parameters and "tau_g" not in values:
        raise UsageError(f"{claim.id} needs tau_g, one iteration's makespan under the schedule run (`pplimits schedule` "
                         "prints it): give --set tau_g=…, or --set depth=… --set n=… for the gpipe default 2(Δ + n − 1)")
    if "makespan" in claim.parameters and "makespan" not in values:
        raise UsageError(f"{claim.id} needs makespan(B), one iteration's makespan with B inputs: give --set depth=… for "
                         "the gpipe default 2(Δ + B − 1)")
    value, holds = claim.evaluate(values)
    payload = {"id": claim.id, "value": value, "expression": claim.expression, "label": claim.label,
               "source": claim.source,
               "assumptions": [{"text": a.text, "holds": held} for a, held in zip(claim.assumptions, holds)]}
    if defaulted:
        clock = {"tau_g": {"value": values["tau_g"]}} if "tau_g" in claim.parameters else {
            "makespan": {"expression": "2*(Delta + B - 1)"}}
        payload.update({key: {**entry, "default": "gpipe", "note": defaulted} for key, entry in clock.items()})
    text = f"{claim.id} = {value:.6g}   [{claim.label}: {claim.source}]\n  {claim.expression}"
    _print(payload, args.json, text + (f"\n  {defaulted}" if defaulted else ""))


def _scaled(name, raw):
    """A `run --set` value, read exactly: 0 or of magnitude within RUN_SCALE (each parameter checks its own range)."""
    value = parse_number(name, raw)
    low, high = RUN_SCALE
    if value != 0 and not low <= abs(value) <= high:
        raise UsageError(f"{name} must be 0 or of magnitude between {low:g} and {high:g} (so that products of "
                         f"parameters stay within a float), got {raw!r}")
    return value


def _run_parameters(assignments: dict, instance_name: str, method_name: str):
    """`pplimits run`'s --set pairs split into instance parameters, method parameters and the iteration cap."""
    import inspect

    from pplimits.algorithms.methods import override_names
    from pplimits.worstcase import INSTANCES

    instance_allowed = [p for p in inspect.signature(INSTANCES[instance_name]).parameters if p != "dim"]
    method_allowed = override_names(method_name)
    instance_params, method_params, cap = {}, {}, None
    for name, value in assignments.items():
        if name in instance_allowed:
            instance_params[name] = _scaled(name, value)
        elif name in method_allowed:
            method_params[name] = _scaled(name, value)
        elif name == "max_iterations":
            cap = require_int(name, parse_number(name, value), 1)
        else:
            allowed = [*instance_allowed, *method_allowed, "max_iterations"]
            raise UsageError(f"unknown parameter {name!r} for {instance_name} / {method_name}; allowed: "
                             f"{', '.join(allowed)}")
    return instance_params, method_params, cap


HARD = "hard"  # `run --instance hard`: every hard instance, each sized for its own ε


def _run_model(args):
    from pplimits.algorithms.clock import Costs, PipelineModel

    model = PipelineModel(depth=_positive("depth", args.depth, integer=True), inputs=_positive("n", args.n, integer=True),
                          duplex=args.duplex, schedule=args.schedule, chunks=_positive("chunks", args.chunks, integer=True),
                          costs=Costs() if args.costs is None else Costs.parse(args.costs))
    if not isinstance(model.gradient_time(), int):
        raise UsageError(f"costs give one gradient of {model.gradient_time()} ticks, not a whole number: the run's "
                         "clock counts whole ticks; scale the costs (e.g. all ×2)")
    return model


def _run_hard(args):
    """The method on every hard instance of the quick profile (each sized for its own ε) where it applies: time to ε
    against the lower and upper bounds; an instance it does not apply to is a row saying why."""
    from pplimits.algorithms.backend import get_backend
    from pplimits.algorithms.methods import make_method, require_applicable
    from pplimits.experiments.matrix import QUICK
    from pplimits.experiments.measure import measure

    for flag, value in (("--eps", args.eps), ("--dim", args.dim)):
        if value is not None:
            raise UsageError(f"{flag} cannot be given with --instance hard: each hard instance is sized for its own ε")
    model, seeds, rows, lines = _run_model(args), _positive("seeds", args.seeds, integer=True), [], []
    for case in QUICK.hard:
        instance = case.build()
        _, method_params, cap = _run_parameters(parse_assignments(args.set), case.instance, args.method)
        try:
            require_applicable(args.method, instance)
            make_method(args.method, instance, **method_params)
        except UsageError as reason:
            rows.append({"label": case.label, "instance": case.instance, "eps": case.eps, "applies": False,
                         "reason": str(reason)})
            lines.append(f"{case.label:<32} ε = {case.eps:<6g} does not apply: {reason}")
            continue
        result, _ = measure(args.method, instance, model, case.eps, seeds, method_params, cap,
                            _progress(f"{args.method} on {case.label}"), get_backend(args.backend))
        found = {"label": case.label, "applies": True, **result.as_dict()}
        rows.append(found)
        bounds = "  ".join(f"{name} {'—' if found[key] is None else f'{found[key]:.6g}'}" for name, key in
                           (("lower bound", "lower_bound_time"), ("upper bound", "upper_bound_time")))
        reached = "never" if found["time_to_eps"] is None else found["time_to_eps"]
        lines.append(f"{case.label:<32} ε = {case.eps:<6g} time to ε {reached}  {bounds}")
    _print({"method": args.method, "depth": model.depth, "instances": rows}, args.json, "\n".join(lines))


def cmd_run(args):
    from pplimits.algorithms.backend import get_backend
    from pplimits.experiments.measure import build_instance, measure

    if ":" not in args.method:  # PACKAGE.MODULE:NAME is a user's method (algorithms/user_methods.py)
        _require_listed("method", args.method, METHOD_NAMES)
    if args.instance == HARD:
        return _run_hard(args)
    _require_listed("instance", args.instance, INSTANCE_NAMES)
    if args.eps is None:
        raise UsageError("--eps is required (only --instance hard sizes each instance for an ε of its own)")
    eps = _positive("eps", args.eps)
    instance_params, method_params, cap = _run_parameters(parse_assignments(args.set), args.instance, args.method)
    model = _run_model(args)
    instance = build_instance(args.instance, eps, None if args.dim is None else _positive("dim", args.dim, integer=True),
                              instance_params)
    result, _ = measure(args.method, instance, model, eps, _positive("seeds", args.seeds, integer=True), method_params,
                        cap, _progress(f"{args.method} on {args.instance}"), get_backend(args.backend))
    payload = result.as_dict()
    lines = [f"{k:>22}: {v}" for k, v in payload.items() if k != "notes"] + [f"{'note':>22}: {n}" for n in result.notes]
    _print(payload, args.json, "\n".join(lines))


def _exact_json(value):
    """An int as itself, another rational as the string 'p/q' (JSON has no exact rationals)."""
    return value if isinstance(value, int) else str(value)


GANTT_FORMATS = (".pdf", ".png", ".svg")


IR_INVALID, IR_NOT_EXPRESSIBLE = 1, 3  # schedule --from-torch: verdicts on torch's IR (0: valid)


def cmd_schedule_torch(args):
    """`schedule --from-torch NAME`: torch's own schedule IR checked by pplimits' validator and simulator."""
    from pplimits.algorithms import torch_schedules
    from pplimits.algorithms.clock import Costs

    for flag, value in (("--schedule", args.schedule), ("--duplex", args.duplex), ("--gantt", args.gantt)):
        if value is not None:
            raise UsageError(f"{flag} does not go with --from-torch (torch's IR gives the schedule; half duplex)")
    depth, batch = _positive("depth", args.depth, integer=True), _positive("inputs", args.inputs, integer=True)
    chunks = None if args.chunks is None else _positive("chunks", args.chunks, integer=True)
    costs = Costs() if args.costs is None else Costs.parse(args.costs)
    if depth * (chunks or 2) * batch > TIMELINE_PAIRS:
        raise UsageError(f"depth × chunks × inputs = {depth * (chunks or 2) * batch} is too large for the simulator "
                         f"(at most {TIMELINE_PAIRS} (stage, micro-batch) pairs)")
    ir = torch_schedules.read(args.from_torch, depth, batch, chunks)
    found = torch_schedules.check(ir, costs)
    unit = "time units" if costs.is_unit else "ticks"
    if args.json:
        print(json.dumps({**found.as_dict(), "torch": ir.torch_version, "placement": list(ir.placement)}))
    else:
        where = (f"torch {ir.torch_version} {ir.name}: P = {depth} ranks × v = {ir.chunks} stage(s) per rank, "
                 f"B = {batch} micro-batches")
        lines = [f"{where}: {found.verdict}" + ("" if found.reason is None else f": {found.reason}")]
        if found.verdict == "invalid":
            lines.append(f"  {found.problems} violation(s) of a valid schedule in torch's IR (pipeline_order); exit "
                         f"{IR_INVALID} is this verdict on torch's IR, not on your input")
        elif found.verdict == "not expressible":
            lines.append(f"  pplimits' op model cannot run this IR: no makespan (exit {IR_NOT_EXPRESSIBLE})")
        else:
            lines += [f"  makespan: {found.makespan} {unit} (simulator: each rank's compute actions in torch's order, "
                      "each as early as its dependencies allow)",
                      f"  bubble fraction: {found.bubble} = {float(found.bubble):.1%} of the devices' time idle",
                      f"  peak activations: {max(found.peaks)} (per device: {', '.join(map(str, found.peaks))})"]
            closed = found.closed
            if closed is None:
                lines.append("  closed form: none (no pplimits schedule corresponds to this class)")
            elif closed.makespan is None:
                lines.append(f"  closed form ({closed.schedule}): {closed.note}")
            else:
                lines.append(f"  closed form ({closed.schedule}): makespan {closed.makespan}, bubble {closed.bubble}, "
                             f"peak activations {max(closed.peaks)}: {closed.note}")
        if costs.w is not None or not costs.is_unit:
            lines.append(f"  costs: f = {costs.f}, b = {costs.b}, c = {costs.c}"
                         + (f", w = {costs.split_weight(True)}" if torch_schedules.placed(ir, costs).split else ""))
        lines.append(f"  torch's own validator (_validate_schedule): {found.torch_validator}")
        if ir.single:
            lines.append(f"  note: torch runs {ir.name} by its own loop (_step_microbatches); this IR is what its "
                         "schedule visualizer and tools read")
        print("\n".join(lines))
    return {"valid": 0, "invalid": IR_INVALID, "not expressible": IR_NOT_EXPRESSIBLE}[found.verdict]


def cmd_schedule(args):
    if args.from_torch is not None:
        return cmd_schedule_torch(args)
    args.schedule, args.duplex = args.schedule or "gpipe", args.duplex or "half"
    args.chunks = "1" if args.chunks is None else args.chunks
    from pplimits.algorithms.clock import Costs, Schedule
    from pplimits.algorithms.timeline import (
        as_records,
        check,
        execute,
        measured_bubble,
        measured_peak_activations,
        measured_span,
        simulate,
        timed_records,
    )

    depth, batch = _positive("depth", args.depth, integer=True), _positive("inputs", args.inputs, integer=True)
    chunks = _positive("chunks", args.chunks, integer=True)
    costs = Costs() if args.costs is None else Costs.parse(args.costs)
    schedule = Schedule(args.schedule, depth, batch, chunks, args.duplex, costs)
    gantt = None
    if args.gantt is not None:
        from pplimits._util.files import require_writable

        gantt = require_writable("gantt", args.gantt)
        if gantt.suffix.lower() not in GANTT_FORMATS:
            raise UsageError(f"gantt must be a path ending in {', '.join(GANTT_FORMATS)}, got {str(args.gantt)!r}")
    gap = schedule.closed_form_gap()
    peak_closed = schedule.duplex == "forward" or not (schedule.name == "gpipe" and schedule.duplex == "full")
    pairs = schedule.stages * batch
    simulate_needed = args.json or gantt is not None or gap is not None or not peak_closed
    if simulate_needed and pairs > TIMELINE_PAIRS:
        need = "--json timeline" if args.json else "--gantt timeline" if gantt is not None else "simulation"
        raise UsageError(f"depth × inputs = {pairs} is too large for the {need} (at most {TIMELINE_PAIRS}, one "
                         f"record per op); without --json{' and --gantt' if gantt is not None else ''} the makespan "
                         "is printed at once" + ("" if gap is None else f" (but {gap})"))
    ops = None
    if simulate_needed:
        ops = execute(schedule)
        check(ops, schedule)
    if gap is None:
        span, bubble = schedule.makespan(), schedule.bubble_fraction()
        source = "closed form"
        if ops is not None and (measured_span(ops), measured_bubble(ops, schedule)) != (span, bubble):
            raise RuntimeError(f"closed form {span} and simulation {measured_span(ops)} disagree for {schedule}")
    else:
        span, bubble = measured_span(ops), measured_bubble(ops, schedule)
        source = f"simulator (no closed form here: {gap})"
    peaks = None
    if schedule.duplex != "forward":
        peaks = schedule.peak_activations() if peak_closed else measured_peak_activations(ops, schedule)
    unit = "time units" if costs.is_unit else "ticks"
    if args.json:
        payload = {"schedule": schedule.name, "depth": depth, "chunks": chunks, "stages": schedule.stages,
                   "inputs": batch, "duplex": schedule.duplex, "costs": costs.as_dict(), "source": source,
                   "peak_source": "closed form" if peak_closed else "simulator",
                   "makespan": _exact_json(span), "bubble": float(bubble), "bubble_exact": str(bubble),
                   "peak_activations": None if peaks is None else max(peaks),
                   "peak_activations_per_device": None if peaks is None else list(peaks),
                   "ops": timed_records(ops)}
        if schedule.name in ("naive", "gpipe") and costs.is_unit:  # the tick records of the unit model, as before
            payload["timeline"] = as_records(simulate(depth, batch, args.schedule, args.duplex))
        print(json.dumps(payload))
    else:
        where = f"{depth} devices × {chunks} chunks = {schedule.stages} stages" if chunks > 1 else f"{depth} stages"
        lines = [f"makespan of {batch} inputs through {where} ({args.schedule}, {args.duplex} duplex): {span} {unit}"]
        if not costs.is_unit:
            lines.append(f"  costs: f = {costs.f}, b = {costs.b}"
                         + (f", w = {costs.weight(schedule.name)}" if schedule.name == "zb-h1" else "")
                         + f", c = {costs.c}")
        units = "units' (a stage's forward and backward units)" if schedule.duplex == "full" else "devices'"
        lines.append(f"  bubble fraction: {bubble} = {float(bubble):.1%} of the {units} time idle")
        if peaks is not None:
            lines.append(f"  peak activations: {max(peaks)} (per device: {', '.join(map(str, peaks))}; inputs whose "
                         "forward is done and last backward op is not" + (", counted per (input, chunk)" if chunks > 1
                                                                          else "") + ")")
        lines.append(f"  makespan and bubble from the {source}"
                     + ("" if peak_closed else "; peak activations from the simulator (no closed form in full duplex)"))
        print("\n".join(lines))
    if gantt is not None:
        _write_gantt(gantt, schedule, ops, span)


def _write_gantt(path, schedule, ops, span):
    """The timeline drawn by reports.figures.gantt, written atomically."""
    import io

    from pplimits._util.files import write_atomic
    from pplimits.algorithms.timeline import timed_records
    from pplimits.reports.figures import gantt, style

    style.apply()
    chunk_of = (lambda stage: (stage - 1) // schedule.devices + 1) if schedule.chunks > 1 else None
    title = (f"{schedule.name}, P = {schedule.devices}" + (f", v = {schedule.chunks}" if schedule.chunks > 1 else "")
             + f", B = {schedule.inputs}, {schedule.duplex} duplex: makespan {span}")
    fig = gantt.timeline_figure(timed_records(ops), title, schedule.devices if schedule.duplex == "half" else
                                schedule.stages, chunk_of, split_units=schedule.duplex == "full")
    buffer = io.BytesIO()
    fig.savefig(buffer, format=path.suffix.lower().lstrip("."))
    write_atomic(path, buffer.getvalue())
    print(f"wrote {path}", file=sys.stderr)


def cmd_regime(args):
    from pplimits.reports.regime import Point, as_json, explain, lines

    given = {"L": "1", "R": "1", "n": "1", **parse_assignments(args.set)}
    unknown = sorted(set(given) - {"L", "R", "n", "b"})
    if unknown:
        raise UsageError(f"unknown parameter {unknown[0]!r} for regime; allowed: L, R, n, b")
    shape = _regime_model_flags(args)
    op_seconds = None if args.op_seconds is None else _positive("op-seconds", args.op_seconds)
    plot = None
    if args.plot is not None:  # matplotlib only where a map is drawn
        from pplimits.reports.figures.regime import require_map_path, write_map

        plot = require_map_path(args.plot)  # before any work
    values = dict(eps=_positive("eps", args.eps), lipschitz=_positive("L", given["L"]),
                  radius=_positive("R", given["R"]), inputs=_positive("n", given["n"], integer=True),
                  batch=_positive("b", given["b"], integer=True) if "b" in given else None,
                  schedule=args.schedule, duplex=args.duplex)
    if args.model is None:
        point = Point(_positive("depth", args.depth, integer=True), _positive("dim", args.dim, integer=True), **values)
    else:
        from pplimits.algorithms.stage_costs import profile

        Point(1, 1, **values)  # every other input checked before the model is loaded and measured
        model = profile(args.model, shape, progress=sys.stderr)
        point = Point(model.depth, model.dim, **values)
    explanation = explain(point)
    if plot is not None:
        write_map(explanation, plot)
        print(f"regime map written to {plot}", file=sys.stderr)
    if args.model is not None:
        from pplimits.reports import regime_model

        _print(regime_model.as_json(explanation, model), args.json, "\n".join(regime_model.lines(explanation, model)))
        return
    _print(as_json(explanation, op_seconds), args.json, "\n".join(lines(explanation, op_seconds)))


def _regime_model_flags(args):
    """--depth and --dim without --model, neither (nor --op-seconds) with it; the --input-shape, parsed."""
    from pplimits.algorithms.stage_costs import parse_shape

    if args.model is None:
        for flag in ("depth", "dim"):
            if getattr(args, flag) is None:
                raise UsageError(f"--{flag} is required (or --model PACKAGE.MODULE:NAME, which gives Δ and d)")
        if args.input_shape is not None:
            raise UsageError("input-shape applies only with --model PACKAGE.MODULE:NAME")
        return None
    for flag, attribute in (("depth", "depth"), ("dim", "dim"), ("op-seconds", "op_seconds")):
        if getattr(args, attribute) is not None:
            raise UsageError(f"{flag}: --model gives it (Δ its stages, d its trainable parameters, the op seconds "
                             f"measured): drop --{flag}")
    return None if args.input_shape is None else parse_shape(args.input_shape)


def cmd_verify(args):
    from pplimits.experiments.matrix import profile
    from pplimits.reports.verify import run_checks

    result = run_checks(profile(args.quick), progress=sys.stderr)
    width = max(len(c["id"]) for c in result["checks"])
    rows = [f"{'PASS' if c['passed'] else 'FAIL'}  {c['id']:<{width}}  measured={c['measured']:.6g}  "
            f"bound={c['bound']:.6g}  ratio={c['ratio']:.4g}" for c in result["checks"]]
    rows.append(f"{result['passed']} passed, {result['failed']} failed")
    _print(result, args.json, "\n".join(rows))
    return 0 if result["failed"] == 0 else 1


def cmd_report(args):
    from pplimits.experiments.matrix import profile
    from pplimits.reports.cache import Cache
    from pplimits.reports.report import write_report

    start = time.monotonic()
    methods = tuple(args.method or ())
    for method in methods:
        if not is_import_path(method):
            raise UsageError(f"method must be PACKAGE.MODULE:NAME (a user's method; the built-in ones are all in the "
                             f"report), got {method!r}")
    pages = write_report(args.out, profile(args.quick), cache=Cache(None if args.no_cache else args.cache),
                         force=args.force, user_methods=methods)
    payload = {"out": args.out, "pages": pages, "seconds": round(time.monotonic() - start, 1)}
    _print(payload, args.json, f"report written to {args.out} ({pages} pages, {payload['seconds']} s)")


def cmd_gate(args):
    """Exit 1 if a gated figure regressed against the baseline (or vanished from it), else 0."""
    from pplimits._util.files import checkout_root, require_writable
    from pplimits.reports import gate
    from pplimits.reports.gate_config import ProjectGate

    suite = _gate_suite(args)
    if args.baseline is not None and not args.baseline.strip():
        raise UsageError("baseline must be a file path, got ''")
    own = not isinstance(suite, ProjectGate)  # pplimits' own gate: its baseline ships read-only in the wheel
    if own and args.update_baseline and not args.baseline and checkout_root() is None:
        raise UsageError("--update-baseline needs --baseline PATH: the baseline installed with pplimits is read-only")
    path = args.baseline or gate.default_baseline(suite)
    if args.update_baseline:
        require_writable("baseline", path)
    baseline = None if args.update_baseline else gate.load_baseline(path, suite)
    current, seconds = gate.metrics(suite, progress=sys.stderr)
    if args.update_baseline:
        rows = gate.rebless(path, current, suite, notes=sys.stderr)
        payload = {"baseline": gate.shown(path), "written": True, "rows": rows, "wall_seconds": seconds}
        written = f"baseline written to {payload['baseline']}"
        _print(payload, args.json, "\n".join(filter(None, [gate.table(rows), written])))
        return 0
    rows = gate.compare(current, baseline)
    payload = {"baseline": gate.shown(path), "counts": gate.counts(rows), "rows": rows, "metrics": current,
               "wall_seconds": seconds}
    _print(payload, args.json, gate.summary(rows, seconds))
    return 1 if gate.failed(rows) else 0


def _gate_suite(args):
    """What `gate` measures: the [tool.pplimits.gate] table of --config, or of the nearest pyproject.toml above the
    working directory (a project's own gate); pplimits' own quick or full profile where there is none."""
    from pathlib import Path

    from pplimits.experiments.matrix import profile
    from pplimits.reports import gate, gate_config

    if args.config is not None:
        suite = gate_config.load(Path(args.config), required=True)
    else:
        found = gate_config.find_pyproject(Path.cwd())
        suite = None if found is None else gate_config.load(found, required=False)
    if suite is None:
        return profile(args.quick)
    if args.quick:
        raise UsageError(f"--quick selects pplimits' own quick gate, but {gate.shown(suite.pyproject)} has a "
                         f"{gate_config.TABLE} table that sets what this project's gate measures; drop --quick")
    return suite


def cmd_certify(args):
    """The worst case of a method over a function class (PEP SDP, Clarabel) and its exact certificate."""
    from pplimits.bounds.pep.memory import require_memory
    from pplimits.bounds.pep.worst_case import worst_case

    require_memory(args.iterations, args.formulation)  # refused before starting when it would not fit
    result = worst_case(args.method, args.function_class, args.iterations, parse_assignments(args.set),
                        exact=not args.no_exact, formulation=args.formulation, margin=args.margin)
    certified = (f"certified (exact): f − f* ≤ {result.worst_case:.10g} × (1 + {result.margin:g}) "
                 if result.certified else f"not certified: {result.certificate}")
    text = (f"{args.method} on {args.function_class}, N = {result.iterations} "
            f"({', '.join(f'{k}={v}' for k, v in result.params.items())})\n"
            f"worst case {result.worst_case:.12g} ({result.solver}: {result.solver_status}"
            + (f", duality gap {result.duality_gap:.1e}, min eig G {result.min_eig_G:.1e}, S "
               f"{result.min_eig_S:.1e}" if result.duality_gap is not None else f", {result.formulation} formulation")
            + ")\n"
            f"{certified}\n{result.seconds:.2f} s")
    _print(result.as_dict(), args.json, text)


def cmd_experiment(args):
    """The digits study (experiments/few_shot.py): JSON record with provenance and a PDF of its figures."""
    from pplimits.algorithms.backend import get_backend
    from pplimits.experiments.few_shot import study
    from pplimits.reports.experiment import check_out, write_study

    backend = get_backend(args.backend)
    check_out(args.name, args.quick, args.out, args.force)
    start = time.monotonic()
    record = study(args.name, quick=args.quick, backend=backend, progress=sys.stderr)
    written = write_study(record, args.out, force=args.force)
    seconds = round(time.monotonic() - start, 1)
    verdicts = [f"Δ={c['depth']:>2} shots={c['shots']:>2}: lowest loss {c['verdict']['lowest_loss']}; PPRS vs "
                f"{c['verdict']['loss_baseline']}: {_verdict(c['verdict']['loss'])}" for c in record["cells"]]
    _print({"written": written, "seconds": seconds, "cells": record["cells"]}, args.json,
           "\n".join(verdicts + [f"written: {', '.join(written)} ({seconds} s)"]))


def _verdict(paired: dict) -> str:
    if paired["mean"] is None:
        return paired["outcome"]
    return f"{paired['outcome']} (Δloss {paired['mean']:+.4f} ± {paired['ci95']:.4f})"


def cmd_engines(args):
    """The array backends and the pipeline engines: installed, usable, devices; --validate-clock measures the
    engines' wall time against the clock's makespan (GPipe; torch also its other schedules) and records it for the
    report."""
    from pplimits._util.files import require_writable
    from pplimits.algorithms.backend import available
    from pplimits.algorithms.engines import engines

    if args.out is not None and not args.out.strip():  # '' is not the default path: refused, as for report --out
        raise UsageError(f"out must be a file path, got {args.out!r}")
    if args.out and not args.validate_clock:
        raise UsageError("--out is the file --validate-clock writes; add --validate-clock")
    if args.validate_clock:  # before the backends are probed (JAX, torch imports: seconds)
        require_writable("out", args.out or ENGINE_CLOCK_OUT)
    backends, pipelines, yes = available(), engines(), {True: "yes", False: "no"}
    lines = [f"{'backend':<9}{'installed':<11}{'usable':<8}{'version':<13}{'devices':<16}reason"]
    lines += [f"{b['name']:<9}{yes[b['installed']]:<11}{yes[b['usable']]:<8}{b['version'] or '-':<13}"
              f"{', '.join(b['devices']) or '-':<16}{b.get('reason', '')}".rstrip() for b in backends]
    lines += ["", f"{'engine':<9}{'installed':<11}{'usable':<8}{'devices':<29}notes"]
    lines += [f"{e['name']:<9}{yes[e['installed']]:<11}{yes[e['usable']]:<8}{_shortened(e['devices']):<29}"
              f"{e['reason']}" for e in pipelines]
    payload = {"backends": backends, "engines": pipelines}
    if args.validate_clock:
        from pplimits.experiments.engine_clock import measure, record
        from pplimits.reports.engines import table

        measured = measure(progress=sys.stderr)
        payload["clock"] = measured | {"written": str(record(measured, args.out or ENGINE_CLOCK_OUT))}
        lines += ["", table(measured), f"written to {payload['clock']['written']}"]
    _print(payload, args.json, "\n".join(lines))


def _shortened(devices: list[str], shown: int = 2) -> str:
    more = f", … ({len(devices)})" if len(devices) > shown else ""
    return ", ".join(devices[:shown]) + more or "-"


def build_parser():
    parser = _Parser(prog="pplimits", description="Check the bounds of pipeline-parallel optimisation.")
    parser.add_argument("--version", action="version", version=f"pplimits {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name, handler, help_text):
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--json", action="store_true", help="machine-readable output")
        sub.set_defaults(handler=handler)
        return sub

    command("bounds", cmd_bounds, "list every registered claim")
    bound = command("bound", cmd_bound, "evaluate one claim at given parameters")
    bound.add_argument("id")
    bound.add_argument("--set", action="append", metavar="NAME=VALUE", help="eps, depth, n, beta, mu, R, D_f, d, t, tau_g (one iteration's makespan under the schedule; default: gpipe's 2(Δ + n − 1) from depth and n)")
    bound.add_argument("--schedule", choices=SCHEDULE_NAMES, help="the clock of the upper time claims: τ_g and "
                       "makespan(B) under this schedule at --set depth (default gpipe, half duplex, unit costs)")
    bound.add_argument("--chunks", help="v: model chunks per device, interleaved-1f1b only (Δ = v·P)")
    bound.add_argument("--costs", metavar="f=…,b=…,w=…,c=…", help="op costs of the clock (default unit)")
    bound.add_argument("--duplex", choices=("half", "full"), help="default half")
    run = command("run", cmd_run, "run a method on a hard instance and compare with the bounds")
    run.add_argument("--method", required=True, help=f"one of {', '.join(METHOD_NAMES)}, or your own as "
                     "PACKAGE.MODULE:NAME")
    run.add_argument("--instance", required=True, help=f"one of {', '.join(INSTANCE_NAMES)}, or {HARD}: every hard "
                     "instance, each sized for its own ε")
    run.add_argument("--depth", required=True)
    run.add_argument("--eps", help="required, except with --instance hard")
    run.add_argument("--dim")
    run.add_argument("--set", action="append", metavar="NAME=VALUE", help="instance or method parameter")
    run.add_argument("--seeds", default="1", help="independent runs, batched (default 1)")
    run.add_argument("--n", default="1", help="inputs per gradient (default 1)")
    run.add_argument("--schedule", default="gpipe", choices=SCHEDULE_NAMES,
                     help="the pipeline schedule of each iteration's n·queries inputs (τ_g is its makespan)")
    run.add_argument("--chunks", default="1", help="v: model chunks per device, interleaved-1f1b only (Δ = v·P)")
    run.add_argument("--costs", metavar="f=…,b=…,w=…,c=…", help="op costs (default f=1,b=1,c=0, the paper's unit "
                     "model); an iteration must last a whole number of ticks")
    run.add_argument("--duplex", default="half", choices=("half", "full"))
    run.add_argument("--backend", default="numpy", choices=("numpy", "jax", "torch"),
                     help="array backend computing the values (default numpy; jax, torch need their extra)")
    schedule = command("schedule", cmd_schedule, "makespan, bubble fraction, peak activations and timeline of B "
                       "inputs through the pipeline")
    schedule.add_argument("--depth", required=True, help="P: devices (stages when --chunks is 1)")
    schedule.add_argument("--inputs", required=True, help="B: inputs (micro-batches)")
    schedule.add_argument("--schedule", choices=SCHEDULE_NAMES, help="naive, gpipe (the default; any duplex); "
                          "1f1b, zb-h1 (B >= P); interleaved-1f1b (B a multiple of P)")
    schedule.add_argument("--chunks", help="v: model chunks per device, interleaved-1f1b only (default 1); with "
                          "--from-torch, stages per rank (default 2 for ZBVZeroBubble and DualPipeV, else 1)")
    schedule.add_argument("--from-torch", metavar="NAME", help="check torch.distributed.pipelining's own schedule IR "
                          "of class NAME (ScheduleGPipe, Schedule1F1B, ScheduleInterleaved1F1B, ScheduleLoopedBFS, "
                          "ScheduleInterleavedZeroBubble, ScheduleZBVZeroBubble, ScheduleDualPipeV, or without "
                          "'Schedule'; the [torch] extra) for P = --depth ranks and B = --inputs micro-batches with "
                          "pplimits' validator and simulator, beside pplimits' closed form. Exit 0: valid; 1: INVALID, "
                          "a verdict on torch's IR (its first violation is printed), not on your input; 3: not "
                          "expressible in pplimits' op model (said what); 2: bad input, torch's own refusals included")
    schedule.add_argument("--costs", metavar="f=…,b=…,w=…,c=…",
                          help="op costs: forward f, backward b, weight-gradient share w of b (zb-h1; default b/2), "
                          "hop c between devices (default f=1,b=1,c=0; exact: 0.5, 1/3)")
    schedule.add_argument("--duplex", choices=("half", "full", "forward"), help="default half")
    schedule.add_argument("--gantt", metavar="PATH", help="draw the timeline to PATH (.pdf, .png or .svg)")
    regime = command("regime", cmd_regime, "PPRS (Theorem D), the pipelined subgradient method and GPipe mini-batch "
                     "SGD: which upper bound on the time to ε wins, why, and where the winner changes")
    regime.add_argument("--depth", help="Δ, the pipeline's stages (required without --model)")
    regime.add_argument("--dim", help="d, the parameters (required without --model)")
    regime.add_argument("--eps", required=True)
    regime.add_argument("--set", action="append", metavar="NAME=VALUE",
                        help="L, R, n (default 1 each), b: SGD's mini-batch (default n)")
    regime.add_argument("--schedule", default="gpipe", help="the clock's schedule of each iteration (default gpipe)")
    regime.add_argument("--duplex", default="half", help="half or full (default half)")
    regime.add_argument("--op-seconds", metavar="S", help="seconds per op (one forward or backward of one input at "
                        "one stage): the bounds in seconds too")
    regime.add_argument("--plot", metavar="PATH", help="write the regime map for this d, n, b with the point marked "
                        "(.pdf or .png)")
    regime.add_argument("--model", metavar="PACKAGE.MODULE:NAME", help="a torch nn.Sequential, a list of stage "
                        "modules or a function returning one: Δ, d and the op seconds measured from it ([torch] extra)")
    regime.add_argument("--input-shape", metavar="N,…", help="with --model: the shape of one micro-batch the stages "
                        "are timed on, e.g. 32,512 (required unless the model has an example_input attribute)")
    verify = command("verify", cmd_verify, "run the registered checks; exit 0 iff all pass")
    verify.add_argument("--quick", action="store_true", help="the fast subset (under a minute)")
    report = command("report", cmd_report, "write the PDF verification report")
    report.add_argument("--out", default="reports/out/pplimits-report.pdf", help="PDF path (default %(default)s)")
    report.add_argument("--quick", action="store_true", help="the fast subset (under a minute)")
    report.add_argument("--cache", default="reports/out/cache", help="cache folder (default %(default)s)")
    report.add_argument("--no-cache", action="store_true", help="compute everything afresh, store nothing")
    report.add_argument("--force", action="store_true", help="overwrite --out even if it is not a pplimits report")
    report.add_argument("--method", action="append", metavar="PACKAGE.MODULE:NAME",
                        help="your own method, drawn on the convergence figure's smooth panels (repeatable)")
    gate = command("gate", cmd_gate, "compare the deterministic figures with the baseline; exit 1 on a regression")
    gate.add_argument("--quick", action="store_true", help="the fast subset, run by CI (seconds)")
    gate.add_argument("--config", metavar="PYPROJECT", help="a pyproject.toml with a [tool.pplimits.gate] table "
                      "(default: the nearest pyproject.toml above the working directory, if it has one)")
    gate.add_argument("--baseline", metavar="PATH", help="default: the table's baseline, else pplimits' own "
                      "reports/baselines/quick.json or full.json")
    gate.add_argument("--update-baseline", action="store_true", help="re-bless: write the current figures as baseline")
    certify = command("certify", cmd_certify, "exact worst case of a method over a function class (PEP) and its "
                      "certificate")
    certify.add_argument("--method", required=True, help=f"one of {', '.join(CERTIFY_METHODS)}, or your own "
                         "NAME(x0, gradient, iterations, **constants) as PACKAGE.MODULE:NAME")
    certify.add_argument("--class", dest="function_class", required=True, help=f"one of {', '.join(CERTIFY_CLASSES)}")
    certify.add_argument("--iterations", required=True, help="N: 1…100 (full formulation), 1…200 (chain)")
    certify.add_argument("--set", action="append", metavar="NAME=VALUE",
                         help="step, staleness, beta, mu, L, R (exact rationals: 0.1, 1/3)")
    certify.add_argument("--no-exact", action="store_true", help="skip the exact rational check")
    certify.add_argument("--formulation", default="full", choices=("full", "chain"),
                         help="full (all pairs, certificates) or chain (gd; agd on smooth-convex: consecutive pairs, "
                              "chordal, fast)")
    certify.add_argument("--margin", default=None,
                         help="the largest margin a certificate is accepted at: worst case × (1 + margin), a number in "
                              "[0, 1) (default 1e-6; the chain formulation's own margin unless given)")
    experiment = command("experiment", cmd_experiment, "the digits study: PPRS against GD, AGD, subgradient, SGD")
    experiment.add_argument("name", choices=("few-shot", "adversarial"))
    experiment.add_argument("--quick", action="store_true", help="the small variant run by CI (under two minutes)")
    experiment.add_argument("--backend", default="numpy", choices=("numpy", "jax", "torch"),
                            help="array backend computing the values (default numpy)")
    experiment.add_argument("--out", default="experiments/out", help="folder for NAME[-quick].json and .pdf "
                            "(default %(default)s; reports/measurements is what the report reads)")
    experiment.add_argument("--force", action="store_true", help="overwrite files that are not pplimits records")
    engines = command("engines", cmd_engines, "the array backends and pipeline engines: installed, usable, devices")
    engines.add_argument("--validate-clock", action="store_true",
                         help="time each usable engine with 50 ms per stage op against the clock's makespan (GPipe; with torch "
                              "also 1F1B, interleaved 1F1B, looped BFS and the zero-bubble schedules)")
    engines.add_argument("--out", metavar="PATH",
                         help=f"where --validate-clock records (default {ENGINE_CLOCK_OUT}; the report shows the record "
                         "shipped in the package, reports/measurements/engine-clock.json in a checkout)")
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args) or 0
    except UsageError as error:
        print(f"pplimits {args.command}: error: {error}", file=sys.stderr)
        return USAGE_ERROR
    except BrokenPipeError:  # the reader left (`pplimits bounds | head`): stop quietly, as a SIGPIPE would
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes stdout
        return BROKEN_PIPE
    except Exception as error:  # not the user's input: a bug in pplimits (or a library it calls), said as such
        if os.environ.get("PPLIMITS_TRACEBACK"):
            raise
        print(f"pplimits {args.command}: internal error (a bug in pplimits, not your input): "
              f"{type(error).__name__}: {error}\n  please report it with the command line; PPLIMITS_TRACEBACK=1 "
              "shows the traceback", file=sys.stderr)
        return INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
