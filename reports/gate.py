"""`pplimits gate`: the deterministic figures against the committed baseline, for CI.

Gated (each metric has a direction and a relative tolerance, stored with its value in the baseline so
that changing a policy is a re-bless too):

- per method × instance × depth × ε: clock time and iterations to ε, the ratios of that time to the
  registered lower and upper bounds (lower is better, 2 %), and whether lower ≤ time ≤ upper holds
  (must not change). A method that no longer reaches ε is a regression;
- PPRS (Theorem D tuning, fixed seed): the mean gap f(x_T) − f* over the seeds and its time T·τ_g
  (lower is better, 2 %);
- every registered claim's exact expression (must not change; a different printing of the same
  expression, as after a sympy upgrade, is not a change);
- the closed-form makespans of the clock (must not change).

These figures are deterministic functions of the code, so any change is one of the code. Wall-clock
seconds depend on the machine: they are shown, never gated. A metric that vanishes is a regression;
a new one is reported and passes until the baseline is re-blessed with --update-baseline. A baseline
records the ids it was blessed with (count and SHA-256): one whose metrics were dropped or added by hand is
refused, so removing a regressed metric from the baseline cannot turn it into a passing "new" one.
"""
import hashlib
import json
import math
import time
from functools import partial
from pathlib import Path

import sympy as sp

from pplimits._util.checks import UsageError
from pplimits._util.files import package_file, write_atomic
from pplimits._util.provenance import provenance
from pplimits.algorithms.clock import DUPLEX_MODES, SCHEDULES, PipelineModel, makespan
from pplimits.bounds.pep.worst_case import worst_case
from pplimits.bounds.registry import registry
from pplimits.experiments.matrix import NONSMOOTH_METHODS, PPRS_SEED, SMOOTH_METHODS, Profile
from pplimits.experiments.measure import build_instance, measure
from pplimits.reports.gate_config import ProjectGate, WorstCaseCheck

FORMAT = "pplimits-gate/1"
DIRECTIONS = ("lower", "higher", "equal")
TOLERANCE = 0.02
# The direction of each kind of metric (the first segment of its id), as this module makes them (`metrics` holds
# every metric it computes to this table): a baseline that says otherwise is refused as it is read, before any
# figure is computed; `compare` checks again, metric by metric.
KIND_DIRECTIONS = {"constant": "equal", "makespan": "equal", "holds": "equal", "time": "lower", "iterations": "lower",
                   "ratio-to-lower": "lower", "ratio-to-upper": "lower", "pprs-gap-mean": "lower", "pprs-time": "lower",
                   "worst-case": "lower"}


def default_baseline(suite: Profile | ProjectGate) -> Path:
    """A project's own baseline (its table's `baseline`), or the one shipped in the package for this profile
    (reports/baselines/quick.json or full.json)."""
    if isinstance(suite, ProjectGate):
        return suite.baseline
    return package_file("pplimits.reports", "baselines", f"{suite.name}.json")


def _metric(value, direction: str, unit: str) -> dict:
    return {"value": value, "direction": direction, "tolerance": 0.0 if direction == "equal" else TOLERANCE,
            "unit": unit}


def _method_metrics(label, instance, method, depth, eps) -> dict:
    """Time and iterations to ε, time over the lower and upper bounds, and lower ≤ time ≤ upper."""
    summary, _ = measure(method, instance, PipelineModel(depth), eps)
    tag = f"{instance.setting}/{label}/{method}/depth={depth},eps={eps:g}"
    reached = summary.time_to_eps
    lower, upper = summary.lower_bound_time, summary.upper_bound_time
    found = {f"time/{tag}": _metric(reached, "lower", "clock units"),
             f"iterations/{tag}": _metric(None if reached is None else summary.iterations, "lower", "iterations")}
    for name, bound in (("ratio-to-lower", lower), ("ratio-to-upper", upper)):
        if bound is not None:
            found[f"{name}/{tag}"] = _metric(None if reached is None else reached / bound, "lower", "ratio")
    if lower is not None or upper is not None:
        time_or_never = math.inf if reached is None else reached
        holds = (lower is None or lower <= time_or_never) and (upper is None or time_or_never <= upper)
        found[f"holds/{tag}"] = _metric(holds, "equal", "lower <= time <= upper")
    return found


def _pprs_metrics(depths, seeds: int) -> dict:
    """PPRS with Theorem D's T, K, γ: the mean gap at T over `seeds` runs, and T·τ_g at each depth."""
    eps = 0.05
    instance = build_instance("max-function-lipschitz", eps, None, {})
    summary, _ = measure("pprs", instance, PipelineModel(depths[0]), eps, seeds, {"seed": PPRS_SEED})
    tag = f"{instance.setting}/{instance.name}/pprs"
    run = f"eps={eps:g},seeds={seeds},seed={PPRS_SEED}"
    found = {f"pprs-gap-mean/{tag}/{run}": _metric(summary.gap_mean, "lower", "f - f*")}
    for depth in depths:
        horizon_time = summary.iterations * PipelineModel(depth).gradient_time(summary.K)
        found[f"pprs-time/{tag}/depth={depth},{run}"] = _metric(horizon_time, "lower", "clock units")
    return found


def _constant_metrics() -> dict:
    return {f"constant/{c.id}": _metric(str(c.expression), "equal", "sympy expression") for c in registry().values()}


def _clock_metrics() -> dict:
    return {f"makespan/{schedule}-{duplex}/depth={depth},B={batch}":
            _metric(makespan(depth, batch, schedule, duplex), "equal", "ticks")
            for schedule in SCHEDULES for duplex in DUPLEX_MODES for depth in (4, 16) for batch in (1, 8)}


def plan(suite: Profile | ProjectGate):
    """The metric groups, as (description, function returning {id: metric}) pairs: pplimits' own (a Profile), or a
    project's methods and worst cases (its [tool.pplimits.gate] table, reports/gate_config.py)."""
    if isinstance(suite, ProjectGate):
        return _project_plan(suite)
    groups = [("exact constants of the registered claims", _constant_metrics),
              ("clock makespans", _clock_metrics),
              (f"pprs on max-function-lipschitz, {suite.gate_pprs_seeds} seeds",
               partial(_pprs_metrics, suite.depths, suite.gate_pprs_seeds))]
    cases = [(case, case.build()) for case in (*suite.hard, *suite.benign)]
    cases = [(case, instance, NONSMOOTH_METHODS if instance.setting == "nonsmooth-convex" else SMOOTH_METHODS)
             for case, instance in cases]
    return groups + _method_groups(cases, suite.depths)


def _method_groups(cases, depths) -> list:
    """One group per depth × (case, its instance, its methods) × method."""
    groups = []
    for depth in depths:
        for case, instance, methods in cases:
            for method in methods:
                groups.append((f"{case.label} {method} Δ={depth} ε={case.eps:g}",
                               partial(_method_metrics, case.label, instance, method, depth, case.eps)))
    return groups


def _project_plan(suite: ProjectGate) -> list:
    groups = _method_groups([(case, case.build(), suite.methods) for case in suite.cases], suite.depths)
    for check in suite.worst_cases:
        for n in check.iterations:
            groups.append((f"worst case of {check.method} on {check.function_class}, N = {n}",
                           partial(_worst_case_metrics, check, n)))
    return groups


def _worst_case_metrics(check: WorstCaseCheck, n: int) -> dict:
    """The exact worst case (PEP) of f − f* after N iterations (lower is better, 2 %)."""
    values = dict(check.values)
    found = worst_case(check.method, check.function_class, n, values, exact=False)
    tag = ",".join([f"N={n}", *(f"{k}={v}" for k, v in check.values)])
    return {f"worst-case/{check.function_class}/{check.method}/{tag}": _metric(found.worst_case, "lower", "f - f*")}


def metrics(suite: Profile | ProjectGate, progress=None) -> tuple[dict, dict]:
    """(metrics by id, wall-clock seconds by group); one progress line per group goes to `progress`."""
    found, seconds = {}, {}
    groups = plan(suite)
    for number, (description, compute) in enumerate(groups, 1):
        start = time.perf_counter()
        group = compute()
        seconds[description] = round(time.perf_counter() - start, 3)
        assert found.keys().isdisjoint(group), f"duplicate metric ids in {description}"
        assert all(KIND_DIRECTIONS.get(i.split("/", 1)[0]) == m["direction"] for i, m in group.items()), \
            f"a metric of {description} is not in KIND_DIRECTIONS"
        found.update(group)
        if progress is not None:
            print(f"[gate {number}/{len(groups)}] {description}: {len(group)} metrics ({seconds[description]:.2f} s)",
                  file=progress, flush=True)
    return found, seconds


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _same_expression(metric_id: str, text: str, other: str) -> bool:
    """Whether two printings are one sympy expression, parsed with the claim's own symbols."""
    claim = registry().get(metric_id.removeprefix("constant/"))
    names = {str(s): s for s in claim.expression.free_symbols} if claim else {}
    try:
        return sp.simplify(sp.sympify(text, locals=names) - sp.sympify(other, locals=names)) == 0
    except (sp.SympifyError, TypeError):
        return False


def _status(metric_id: str, value, old, rule: dict) -> str:
    """same, improved or regressed: `value` against the baseline's value `old`, by the code's direction and
    tolerance (`rule`: a baseline carries values, never the rules it is judged by)."""
    direction = rule["direction"]
    if direction == "equal":
        if isinstance(value, str) and isinstance(old, str) and value != old:
            return "same" if _same_expression(metric_id, value, old) else "regressed"
        return "same" if isinstance(value, bool) == isinstance(old, bool) and value == old else "regressed"
    finite = _is_number(value) and math.isfinite(value)
    if old is None:  # ε was not reached when the baseline was made
        return "same" if value is None else "improved" if finite else "regressed"
    if not finite:
        return "regressed"
    worse = value - old if direction == "lower" else old - value
    margin = rule["tolerance"] * abs(old)
    return "regressed" if worse > margin else "improved" if -worse > margin else "same"


def _change(value, old):
    if _is_number(value) and _is_number(old) and old != 0 and math.isfinite(value):
        return (value - old) / abs(old)
    return None


def compare(current: dict, baseline: dict) -> list[dict]:
    """One row {id, baseline, current, change, status} per metric in either; status is same, improved,
    regressed, new (current only: passes) or missing (baseline only: a regression).

    The code's direction and tolerance judge each metric; a baseline whose metric says otherwise (a tolerance
    widened by hand, a direction turned) is refused with a UsageError, never obeyed."""
    for metric_id in sorted(current.keys() & baseline.keys()):
        for field in ("direction", "tolerance"):
            if baseline[metric_id][field] != current[metric_id][field]:
                raise UsageError(_not_the_code(metric_id, field, baseline[metric_id][field], current[metric_id][field]))
    rows = []
    for metric_id in sorted(current.keys() | baseline.keys()):
        now, then = current.get(metric_id), baseline.get(metric_id)
        value = None if now is None else now["value"]
        old = None if then is None else then["value"]
        status = "new" if then is None else "missing" if now is None else _status(metric_id, value, old, now)
        rows.append({"id": metric_id, "baseline": old, "current": value, "change": _change(value, old),
                     "status": status})
    return rows


def failed(rows: list[dict]) -> bool:
    return any(row["status"] in ("regressed", "missing") for row in rows)


def shown(path) -> str:
    """`path` relative to the working directory where it lies under it."""
    path = Path(path).absolute()
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)


def _not_the_code(metric_id: str, field: str, found, code) -> str:
    return (f"baseline metric {metric_id!r} has {field} {found!r}, the code's is {code!r}: tolerances and directions "
            "live in the code; re-bless with --update-baseline")


def _not_the_code_rule(metric_id: str, metric: dict) -> str | None:
    """Where a baseline's metric has another direction or tolerance than the code gives its kind, why."""
    direction = KIND_DIRECTIONS.get(metric_id.split("/", 1)[0], metric["direction"])  # an unknown kind: compare's
    tolerance = 0.0 if direction == "equal" else TOLERANCE
    for field, code in (("direction", direction), ("tolerance", tolerance)):
        if metric[field] != code:
            return _not_the_code(metric_id, field, metric[field], code)
    return None


def _metric_problem(metric) -> str | None:
    if not isinstance(metric, dict) or not {"value", "direction", "tolerance", "unit"} <= metric.keys():
        return "must be an object with value, direction, tolerance and unit"
    value, direction, tolerance = metric["value"], metric["direction"], metric["tolerance"]
    if direction not in DIRECTIONS:
        return f"has direction {direction!r}; allowed: {', '.join(DIRECTIONS)}"
    if not (_is_number(tolerance) and 0 <= tolerance < math.inf):
        return f"has tolerance {tolerance!r}; allowed: a finite number >= 0"
    if _is_number(value) and not math.isfinite(value):
        return f"has value {value!r}; allowed: a finite number"
    if direction != "equal" and not (value is None or _is_number(value)):
        return f"has value {value!r}; a {direction}-is-better metric needs a number or null"
    if not (value is None or _is_number(value) or isinstance(value, (bool, str))):
        return f"has value {value!r}; allowed: null, true, false, a number or a string"
    if not isinstance(metric["unit"], str):
        return f"has unit {metric['unit']!r}; allowed: a string"
    return None


def blessed_ids(metrics: dict) -> dict:
    """The record of which metrics a baseline was blessed with: their count and the SHA-256 of the sorted ids."""
    digest = hashlib.sha256("\n".join(sorted(metrics)).encode()).hexdigest()
    return {"count": len(metrics), "sha256": digest}


def _project(suite: Profile | ProjectGate) -> str | None:
    """The project a baseline belongs to: None for pplimits' own."""
    return suite.project if isinstance(suite, ProjectGate) else None


def _whose(project: str | None) -> str:
    return "pplimits' own gate" if project is None else f"project {project!r}"


def load_baseline(path, suite: Profile | ProjectGate) -> dict:
    """The metrics of the baseline at `path`; a one-line ValueError naming the path and the problem."""
    quick = suite.quick
    name, mode = shown(path), "--quick" if quick else "full"
    remedy = f"`pplimits gate{' --quick' if quick else ''} --update-baseline`"
    try:
        data = json.loads(Path(path).read_bytes())
    except FileNotFoundError:
        raise UsageError(f"baseline {name} does not exist; create it with {remedy}") from None
    except OSError as error:
        raise UsageError(f"baseline {name} cannot be read ({error.strerror})") from None
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError
        raise UsageError(f"baseline {name} is not valid JSON ({error}); re-create it with {remedy}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UsageError(f"baseline {name} is not a {FORMAT} file (no \"format\": \"{FORMAT}\" at the top)")
    if not isinstance(data.get("quick"), bool) or not isinstance(data.get("metrics"), dict):
        raise UsageError(f"baseline {name} needs \"quick\": true/false and a \"metrics\" object")
    if not data["metrics"]:
        raise UsageError(f"baseline {name} has no metrics: it would pass anything; re-create it with {remedy}")
    if data.get("project") != _project(suite):
        raise UsageError(f"baseline {name} was made for {_whose(data.get('project'))}, not {_whose(_project(suite))}; "
                         "pass the matching --baseline")
    if data["quick"] != quick:
        made = "--quick" if data["quick"] else "full"
        raise UsageError(f"baseline {name} was made for the {made} gate, not the {mode} one; "
                         "pass the matching --baseline")
    for metric_id, metric in data["metrics"].items():
        problem = _metric_problem(metric)
        if problem:
            raise UsageError(f"baseline {name}: metric {metric_id!r} {problem}")
        problem = _not_the_code_rule(metric_id, metric)
        if problem:
            raise UsageError(f"{problem} (in {name})")
    blessed = data.get("metric_ids")
    if blessed != blessed_ids(data["metrics"]):
        held = len(data["metrics"])
        was = blessed.get("count") if isinstance(blessed, dict) else None
        what = ("has no record of the metrics it was blessed with" if was is None else
                f"holds {held} metrics but was blessed with {was}" if was != held else
                f"holds other metric ids than the {was} it was blessed with")
        raise UsageError(f"baseline {name} {what} (metrics dropped or added by hand?); re-create it with {remedy}")
    return data["metrics"]


def save_baseline(path, metrics: dict, suite: Profile | ProjectGate) -> None:
    """Write the baseline atomically (a reader sees the old file or the new one), with its provenance."""
    payload = {"format": FORMAT, "quick": suite.quick, "metrics": metrics, "metric_ids": blessed_ids(metrics),
               "provenance": provenance()}
    if _project(suite) is not None:
        payload["project"] = _project(suite)
    write_atomic(path, json.dumps(payload, sort_keys=True, indent=1, allow_nan=False, ensure_ascii=False) + "\n")


def rebless(path, current: dict, suite: Profile | ProjectGate, notes) -> list[dict]:
    """Write `current` as the baseline at `path`; return the rows of what changed since the previous one.

    A previous file that is not a valid baseline is replaced after a line on `notes` says why.
    """
    rows = []
    if Path(path).exists():
        try:
            rows = compare(current, load_baseline(path, suite))
        except ValueError as error:
            print(f"pplimits gate: not comparing with the previous baseline: {error}", file=notes)
    save_baseline(path, current, suite)
    return rows


def _cell(value) -> str:
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def table(rows: list[dict]) -> str:
    """The rows whose status is not same: status, id, baseline, current, change %."""
    changed = [(row["status"], row["id"], _cell(row["baseline"]), _cell(row["current"]),
                "" if row["change"] is None else f"{row['change']:+.1%}") for row in rows if row["status"] != "same"]
    if not changed:
        return ""
    cells = [("status", "id", "baseline", "current", "change"), *changed]
    widths = [max(len(line[i]) for line in cells) for i in range(4)]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths)) + "  " + line[4]
                     for line in cells)


def counts(rows: list[dict]) -> dict:
    statuses = ("same", "improved", "regressed", "new", "missing")
    return {status: sum(row["status"] == status for row in rows) for status in statuses}


def summary(rows: list[dict], seconds: dict) -> str:
    """The table of changes, the counts, and the wall-clock seconds per group (not gated)."""
    changes = table(rows)
    lines = [changes] if changes else []
    lines.append(f"{len(rows)} metrics: " + ", ".join(f"{n} {status}" for status, n in counts(rows).items()))
    lines.append(f"wall-clock seconds per group (information, not gated): {sum(seconds.values()):.2f} in all")
    lines += [f"  {s:8.2f}  {description}" for description, s in seconds.items()]
    return "\n".join(lines)
