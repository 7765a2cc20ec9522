"""`pplimits gate`: passes on the unchanged code, fails on a slower method, refuses a bad baseline."""
import io
import json
import math
from contextlib import redirect_stderr, redirect_stdout

import pytest

from pplimits.algorithms.methods import METHODS
from pplimits.algorithms.span_methods import GradientDescent
from pplimits.cli import main
from pplimits.experiments.matrix import QUICK
from pplimits.reports import gate

GD_TIME = "time/smooth-convex/nesterov-chain/gd/depth=4,eps=0.001"


@pytest.fixture(scope="module")
def unchanged():
    """(exit code, JSON payload, stderr) of the quick gate on the unchanged code against the committed baseline."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["gate", "--quick", "--json"])
    return code, json.loads(out.getvalue()), err.getvalue()


@pytest.fixture
def cached_metrics(monkeypatch, unchanged):
    """gate.metrics returns the unchanged code's figures without recomputing them."""
    payload = unchanged[1]
    monkeypatch.setattr(gate, "metrics", lambda profile, progress=None: (payload["metrics"], payload["wall_seconds"]))


def test_gate_passes_on_the_unchanged_code(unchanged):
    code, payload, err = unchanged
    assert code == 0
    assert payload["counts"]["regressed"] == payload["counts"]["missing"] == 0
    assert payload["counts"]["same"] == len(gate.load_baseline(gate.default_baseline(QUICK), QUICK)) > 100
    assert "[gate 1/" in err  # progress on stderr


def test_gate_fails_when_gd_is_20_percent_slower(monkeypatch, capsys):
    monkeypatch.setitem(METHODS, "gd", (lambda instance, **overrides: GradientDescent(1.2 * instance.beta), ()))
    code = main(["gate", "--quick", "--json"])
    rows = {row["id"]: row for row in json.loads(capsys.readouterr().out)["rows"]}
    regressed = {metric_id for metric_id, row in rows.items() if row["status"] == "regressed"}
    assert code == 1
    assert GD_TIME in regressed and rows[GD_TIME]["change"] == pytest.approx(0.2, abs=0.01)
    assert not any("/agd/" in metric_id for metric_id in regressed)


def test_gate_prints_what_regressed(monkeypatch, capsys):
    baseline = gate.load_baseline(gate.default_baseline(QUICK), QUICK)
    current = {**baseline, GD_TIME: {**baseline[GD_TIME], "value": baseline[GD_TIME]["value"] * 2}}
    monkeypatch.setattr(gate, "metrics", lambda profile, progress=None: (current, {"group": 0.5}))
    assert main(["gate", "--quick"]) == 1
    out = capsys.readouterr().out
    assert f"regressed  {GD_TIME}" in out and "+100.0%" in out
    assert f"{len(current)} metrics: {len(current) - 1} same, 0 improved, 1 regressed, 0 new, 0 missing" in out
    assert "(information, not gated)" in out


def _baseline_text(quick=True, direction="lower", metrics=None):
    metrics = {"time/x": {"value": 1, "direction": direction, "tolerance": 0.02, "unit": "clock units"}} \
        if metrics is None else metrics
    return json.dumps({"format": gate.FORMAT, "quick": quick, "metrics": metrics,
                       "metric_ids": gate.blessed_ids(metrics)})


@pytest.mark.parametrize("text, problem", [
    (None, "does not exist"),
    ('{"format": "pplimits-gate/1", "metrics": {', "is not valid JSON"),
    ('{"metrics": {}}', "is not a pplimits-gate/1 file"),
    (_baseline_text(direction="sideways"), "metric 'time/x' has direction 'sideways'"),
    (_baseline_text(quick=False), "was made for the full gate"),
    (json.dumps({"format": "pplimits-gate/1", "quick": True, "metrics": {}}), "has no metrics"),
    (_baseline_text()[:-1] + ', "metric_ids": null}', "has no record of the metrics it was blessed with"),
])
def test_a_missing_or_corrupt_baseline_is_refused(tmp_path, capsys, text, problem):
    path = tmp_path / "baseline.json"
    if text is not None:
        path.write_text(text)
    assert main(["gate", "--quick", "--baseline", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err.startswith(f"pplimits gate: error: baseline {path}") and problem in err


def test_update_baseline_writes_a_baseline_the_gate_accepts(tmp_path, capsys, cached_metrics):
    path = tmp_path / "baseline.json"
    path.write_text("corrupt")
    assert main(["gate", "--quick", "--baseline", str(path), "--update-baseline"]) == 0
    out, err = capsys.readouterr()
    assert f"baseline written to {path}" in out and "not comparing with the previous baseline" in err
    assert [p.name for p in tmp_path.iterdir()] == ["baseline.json"]  # no temporary file left behind
    assert json.loads(path.read_text())["provenance"]["revision"]
    assert main(["gate", "--quick", "--baseline", str(path)]) == 0


def _metric(value, direction="lower", tolerance=0.02):
    return {"value": value, "direction": direction, "tolerance": tolerance, "unit": "u"}


@pytest.mark.parametrize("direction, before, after, status", [
    ("lower", 100, 101.9, "same"),
    ("lower", 100, 102.1, "regressed"),
    ("lower", 100, 97, "improved"),
    ("lower", 100, None, "regressed"),  # ε no longer reached
    ("lower", 100, math.nan, "regressed"),
    ("lower", None, 100, "improved"),  # ε now reached
    ("lower", None, None, "same"),
    ("higher", 100, 97, "regressed"),
    ("higher", 100, 103, "improved"),
    ("higher", 100, 98.5, "same"),
    ("equal", 5, 5, "same"),
    ("equal", 5, 6, "regressed"),
    ("equal", True, False, "regressed"),
    ("equal", True, 1, "regressed"),
])
def test_compare_by_direction_and_tolerance(direction, before, after, status):
    tolerance = 0.0 if direction == "equal" else 0.02
    rows = gate.compare({"m": _metric(after, direction, tolerance)}, {"m": _metric(before, direction, tolerance)})
    assert [row["status"] for row in rows] == [status]


@pytest.mark.parametrize("after, status", [
    ("R*Delta*beta**(1/2)/epsilon**(1/2)", "same"),  # another printing of the same expression
    ("2*Delta*R*sqrt(beta)/sqrt(epsilon)", "regressed"),
    ("Delta*(", "regressed"),  # not an expression
])
def test_compare_constants_as_sympy_expressions(after, status):
    metric_id = "constant/smooth-convex.paper"
    before = _metric("Delta*R*sqrt(beta)/sqrt(epsilon)", "equal", 0.0)
    rows = gate.compare({metric_id: {**before, "value": after}}, {metric_id: before})
    assert rows[0]["status"] == status


def test_compare_new_and_missing_metrics():
    rows = gate.compare({"new": _metric(1)}, {"gone": _metric(1)})
    assert [(row["id"], row["status"]) for row in rows] == [("gone", "missing"), ("new", "new")]
    assert gate.failed(rows) and not gate.failed(rows[1:])


def test_a_baseline_cannot_widen_its_own_tolerance(tmp_path, capsys, monkeypatch):
    """A baseline carries values: one whose tolerance was edited to 1.0 (so a 14.7 % regression would pass) is
    refused, and the code's 2 % is what judges."""
    baseline = gate.load_baseline(gate.default_baseline(QUICK), QUICK)
    tampered = {**baseline, GD_TIME: {**baseline[GD_TIME], "tolerance": 1.0}}
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps({"format": gate.FORMAT, "quick": True, "metrics": tampered,
                                "metric_ids": gate.blessed_ids(tampered)}))
    slower = {**baseline, GD_TIME: {**baseline[GD_TIME], "value": baseline[GD_TIME]["value"] * 1.147}}
    monkeypatch.setattr(gate, "metrics", lambda profile, progress=None: (slower, {"group": 0.5}))
    assert main(["gate", "--quick", "--baseline", str(path)]) == 2
    assert f"baseline metric '{GD_TIME}' has tolerance 1.0, the code's is 0.02" in capsys.readouterr().err
    assert main(["gate", "--quick"]) == 1  # the untampered baseline catches the same regression


@pytest.mark.parametrize("edit, problem", [
    ("drop", "holds 145 metrics but was blessed with 146"),
    ("rename", "holds other metric ids than the 146 it was blessed with"),
])
def test_a_baseline_that_lost_a_metric_is_refused(tmp_path, capsys, monkeypatch, edit, problem):
    """Dropping a regressed metric from the baseline would make it "new" (which passes): the baseline's record of
    the ids it was blessed with refuses it, and the untouched baseline catches the regression."""
    baseline = gate.load_baseline(gate.default_baseline(QUICK), QUICK)
    data = json.loads(gate.default_baseline(QUICK).read_text())
    assert data["metric_ids"]["count"] == len(baseline) == 146  # with constant/nonsmooth-convex.sgd.upper.time
    edited = {k: v for k, v in baseline.items() if k != GD_TIME}
    if edit == "rename":
        edited[GD_TIME + ",renamed"] = baseline[GD_TIME]
    path = tmp_path / "edited.json"
    path.write_text(json.dumps({**data, "metrics": edited}))
    slower = {**baseline, GD_TIME: {**baseline[GD_TIME], "value": baseline[GD_TIME]["value"] * 1.147}}
    monkeypatch.setattr(gate, "metrics", lambda profile, progress=None: (slower, {"group": 0.5}))
    assert main(["gate", "--quick", "--baseline", str(path)]) == 2
    assert problem in capsys.readouterr().err
    assert main(["gate", "--quick"]) == 1


@pytest.mark.parametrize("before, after, status", [(100, 101.5, "same"), (100, 102.5, "regressed"),
                                                   (100, 97.5, "improved"), (1000, 1019, "same"),
                                                   (1000, 1021, "regressed")])
def test_the_codes_metrics_are_judged_at_two_percent(before, after, status):
    """The module's policy: lower is better within 2 % of the baseline value, for the metrics the code builds."""
    rows = gate.compare({"time/m": gate._metric(after, "lower", "clock units")},
                        {"time/m": gate._metric(before, "lower", "clock units")})
    assert [row["status"] for row in rows] == [status]


class _Summary:
    def __init__(self, time_to_eps, lower, upper, iterations=7, K=None):
        self.time_to_eps, self.lower_bound_time, self.upper_bound_time = time_to_eps, lower, upper
        self.iterations, self.K = iterations, K


@pytest.mark.parametrize("reached, lower, upper, holds", [
    (15, 10, 20, True), (10, 10, 20, True), (20, 10, 20, True),  # lower ≤ time ≤ upper, attained at either end
    (5, 10, 20, False), (25, 10, 20, False), (None, 10, 20, False),  # below the lower bound, above the upper, never
    (5, None, 20, True), (25, 10, None, True), (5, 10, None, False),  # a missing bound constrains nothing
])
def test_holds_is_lower_at_most_time_at_most_upper(monkeypatch, reached, lower, upper, holds):
    monkeypatch.setattr(gate, "measure", lambda *args, **kwargs: (_Summary(reached, lower, upper), None))
    found = gate._method_metrics("chain", type("Instance", (), {"setting": "smooth-convex"})(), "gd", 4, 0.01)
    tag = "smooth-convex/chain/gd/depth=4,eps=0.01"
    assert found[f"holds/{tag}"]["value"] is holds
    if lower is not None:
        assert found[f"ratio-to-lower/{tag}"]["value"] == (None if reached is None else reached / lower)


def test_pprs_time_is_t_batches_of_k_queries(monkeypatch):
    """T·τ_g(K) with τ_g(K) = 2(K + Δ − 1): T = 303 iterations of K = 8 queries through Δ = 4 and 16 stages."""
    monkeypatch.setattr(gate, "measure", lambda *args, **kwargs: (_Summary(None, None, None, iterations=303, K=8), None))
    monkeypatch.setattr(_Summary, "gap_mean", 0.01, raising=False)
    found = gate._pprs_metrics((4, 16), 8)
    times = sorted(metric["value"] for metric_id, metric in found.items() if metric_id.startswith("pprs-time/"))
    assert times == [303 * 2 * (8 + 4 - 1), 303 * 2 * (8 + 16 - 1)]
