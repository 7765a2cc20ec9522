"""Another Array API namespace plugs in without touching the algorithms: array-api-strict (the standard's
reference implementation, which refuses anything outside the standard), JAX and torch give numpy's numbers
on the same noise (to 1e-12 relative in float64); a backend whose extra is missing is named, never half-run."""
import json
import subprocess
import sys

import numpy as np
import pytest

from pplimits.algorithms.backend import Backend, available, get_backend
from pplimits.algorithms.clock import PipelineModel
from pplimits.algorithms.engines import engines
from pplimits.algorithms.methods import METHODS, make_method
from pplimits.algorithms.runner import run
from pplimits.cli import main
from pplimits.worstcase import (
    CarmonChain,
    L1Regression,
    LipschitzMaxFunction,
    LogisticRegression,
    NesterovChain,
    StronglyConvexChain,
)

SMOOTH = [NesterovChain(dim=20), StronglyConvexChain(dim=30, mu=0.05), CarmonChain(dim=4, eps=0.1),
          LogisticRegression(dim=5, seed=1)]
NONSMOOTH = [LipschitzMaxFunction(dim=12), L1Regression(dim=6, seed=2)]
NONSMOOTH_PARAMS = {"subgradient": {"horizon": 25}, "pprs": {"samples": 3, "gamma": 0.1, "seed": 5},
                    "pprs-drs": {"samples": 3, "seed": 5}, "random-span": {}}
CASES = [(i, m, {}) for i in SMOOTH for m in ("gd", "agd", "heavy-ball", "random-span")]
CASES += [(i, m, p) for i in NONSMOOTH for m, p in NONSMOOTH_PARAMS.items()]
IDS = [f"{i.name}-{m}" for i, m, _ in CASES]
RUN = ["run", "--method", "agd", "--instance", "nesterov-chain", "--depth", "4", "--eps", "1e-3"]
MISSING = "backend '{0}' needs the [{0}] extra: pip install 'pplimits[{0}]'"


def _backend(name):
    """The backend `name`, or a skip naming the extra that provides it."""
    if name == "array-api-strict":
        xp = pytest.importorskip("array_api_strict", reason="array-api-strict is in the [test] extra")
        return Backend(name, xp, xp.float64)
    pytest.importorskip(name, reason=f"{name} is in the [{name}] extra")
    if name == "torch":
        pytest.importorskip("array_api_compat", reason="array-api-compat is in the [torch] extra")
    return get_backend(name)


def test_every_method_is_covered():
    assert {m for _, m, _ in CASES} == set(METHODS)


@pytest.mark.parametrize("backend", ["array-api-strict", "jax", "torch"])
@pytest.mark.parametrize("instance, method, params", CASES, ids=IDS)
def test_backend_matches_numpy(backend, instance, method, params):
    model = PipelineModel(depth=3, inputs=2)
    other = run(make_method(method, instance, **params), instance, model, 25, runs=4, backend=_backend(backend))
    reference = run(make_method(method, instance, **params), instance, model, 25, runs=4)
    np.testing.assert_allclose(other.values, reference.values, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(other.times, reference.times)


HOST_ONLY = pytest.mark.xfail(strict=True, reason="scipy's ndtr needs the values on the host (the standard has no erf)")
ON_DEVICE = [pytest.param(*case, id=name, marks=HOST_ONLY if case[0].name == "carmon-chain" else ())
             for case, name in zip(CASES, IDS)]


@pytest.mark.parametrize("instance, method, params", ON_DEVICE)
def test_torch_keeps_every_array_on_the_backend_device(instance, method, params):
    """On torch's "meta" device (shapes, no data) an array made on the host fails to mix, as on a GPU."""
    _backend("torch")
    meta = get_backend("torch", "meta")
    algorithm = make_method(method, instance, **params)
    state = algorithm.init(meta.asarray(np.broadcast_to(instance.x0, (2, instance.dim))))
    for _ in range(3):
        state = algorithm.update(state, instance.gradient(algorithm.queries(state)))
    assert instance.value(algorithm.iterate(state)).device == meta.device


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_run_command_on_a_backend_matches_numpy(backend, capsys):
    _backend(backend)
    results = []
    for extra in ([], ["--backend", backend]):
        assert main([*RUN, "--json", *extra]) == 0
        results.append(json.loads(capsys.readouterr().out))
    numpy_result, other = results
    assert other["time_to_eps"] == numpy_result["time_to_eps"] is not None
    assert other["iterations"] == numpy_result["iterations"]
    assert other["final_gap"] == pytest.approx(numpy_result["final_gap"], rel=1e-12)


def test_unknown_backend_is_named(capsys):
    with pytest.raises(ValueError, match="^backend must be one of numpy, jax, torch, got 'cupy'$"):
        get_backend("cupy")
    with pytest.raises(SystemExit) as exit_info:
        main([*RUN, "--backend", "cupy"])
    assert exit_info.value.code == 2 and "--backend" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["jax", "torch"])
def test_a_missing_extra_is_named(name, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, name, None)  # `import name` now fails as if it were not installed
    with pytest.raises(ValueError) as error:
        get_backend(name)
    assert str(error.value) == MISSING.format(name)
    assert main([*RUN, "--backend", name]) == 2
    assert capsys.readouterr().err == f"pplimits run: error: {MISSING.format(name)}\n"
    row = {b["name"]: b for b in available()}[name]
    assert row == {"name": name, "installed": False, "usable": False, "version": None, "devices": [],
                   "reason": MISSING.format(name)}
    monkeypatch.setitem(sys.modules, f"pplimits.algorithms.engines.{name}_engine", None)  # even if a test imported it
    row = {e["name"]: e for e in engines()}[name]
    assert row == {"name": name, "installed": False, "usable": False, "devices": [],
                   "reason": MISSING.replace("backend", "engine").format(name)}


def test_available_backends_are_usable():
    rows = available()
    assert [b["name"] for b in rows] == ["numpy", "jax", "torch"]
    assert rows[0] == {"name": "numpy", "installed": True, "usable": True, "version": np.__version__,
                       "devices": ["cpu"]}
    for row in rows:
        assert row["usable"] == row["installed"], row  # an installed backend that fails its float64 check is a bug
        assert ("reason" in row) != row["usable"]


def test_engines_command_lists_the_backends_and_the_pipeline_engines(capsys):
    assert main(["engines", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert [b["name"] for b in payload["backends"]] == ["numpy", "jax", "torch"]
    assert [e["name"] for e in payload["engines"]] == ["jax", "torch"]
    for row in payload["engines"]:
        assert row["usable"] == row["installed"] and row["reason"], row
    assert main(["engines"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["backend", "installed", "usable", "version", "devices", "reason"]
    assert lines[1].split() == ["numpy", "yes", "yes", np.__version__, "cpu"]
    assert lines[4:6] == ["", lines[5]] and lines[5].split()[:2] == ["engine", "installed"]
    assert len(lines) == 8


def test_validate_clock_records_where_asked_and_out_needs_it(tmp_path, monkeypatch, capsys):
    from pplimits.experiments import engine_clock
    from pplimits.reports import engines as clock

    measured = {"op_seconds": 0.02, "tolerance": 0.15, "skipped": {"torch": "why"}, "engines": {}, "provenance": {},
                "rows": [{"engine": "jax", "depth": 2, "K": 2, "model_seconds": 0.12, "measured_seconds": 0.126,
                          "ratio": 1.05, "within_tolerance": True}]}
    monkeypatch.setattr(engine_clock, "measure", lambda progress=None: measured)
    out = tmp_path / "clock.json"
    assert main(["engines", "--validate-clock", "--out", str(out)]) == 0
    assert clock.load(out) == measured
    text = capsys.readouterr().out
    old_record = "jax       gpipe             1   2    2    closed form  0.120      0.126        1.050    yes"
    assert old_record in text  # a record made before schedules, v and the model's source were recorded
    assert f"written to {out}" in text
    assert main(["engines", "--out", str(tmp_path / "other.json")]) == 2
    assert capsys.readouterr().err == ("pplimits engines: error: --out is the file --validate-clock writes; "
                                       "add --validate-clock\n")
    assert not (tmp_path / "other.json").exists()


def test_importing_the_backends_imports_neither_jax_nor_torch():
    code = "import sys, pplimits.algorithms.backend; print(sorted({'jax', 'torch'} & set(sys.modules)))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"
