"""The `pplimits` command line, run as a user would (a subprocess of the installed console script)."""
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PPLIMITS = shutil.which("pplimits", path=str(Path(sys.executable).parent)) or "pplimits"


def cli(*args):
    done = subprocess.run([PPLIMITS, *args], capture_output=True, text=True, timeout=300)
    return done.returncode, done.stdout, done.stderr


def _all_finite(value):
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_all_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_all_finite(v) for v in value)
    return True


def test_bounds_lists_every_claim_with_label_and_source():
    code, out, _ = cli("bounds", "--json")
    assert code == 0
    claims = json.loads(out)["claims"]
    assert {"smooth-convex.lower.time", "strongly-convex.agd.upper.time", "smooth-nonconvex.ratio"} <= {c["id"] for c in claims}
    assert all(c["label"] in {"PAPER", "RECON", "DERIVED", "CLASSICAL"} and c["source"] for c in claims)


def test_bound_evaluates_a_claim():
    code, out, _ = cli("bound", "smooth-convex.lower.time", "--set", "eps=1e-4", "--set", "depth=8",
                       "--set", "beta=1", "--set", "R=1", "--json")
    assert code == 0
    payload = json.loads(out)
    assert set(payload) >= {"id", "value", "expression", "label"}
    assert math.isclose(payload["value"], 16 * (math.sqrt(3 / 32 / 1e-4) - 1))  # docs/theory.md §2.1 by hand


def test_run_reports_times_and_bounds():
    code, out, err = cli("run", "--method", "agd", "--instance", "nesterov-chain", "--depth", "8", "--eps", "1e-3", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert set(result) >= {"method", "instance", "depth", "eps", "time_to_eps", "iterations", "gradient_queries",
                           "final_gap", "lower_bound_time", "upper_bound_time"}
    assert result["lower_bound_time"] <= result["time_to_eps"] <= result["upper_bound_time"]
    assert result["time_to_eps"] % (2 * 8) == 0 and _all_finite(result)


def test_run_naive_schedule_n1_iterate_k_at_2_delta_k():
    code, out, _ = cli("run", "--method", "gd", "--instance", "carmon-chain", "--depth", "3", "--eps", "0.1",
                       "--set", "chain_length=3", "--schedule", "naive", "--json")
    result = json.loads(out)
    assert code == 0 and result["criterion"] == "grad-norm"
    assert result["time_to_eps"] == 2 * 3 * result["iterations"]


def test_run_gives_null_bounds_with_reasons():
    code, out, _ = cli("run", "--method", "heavy-ball", "--instance", "nesterov-chain", "--depth", "2", "--eps", "1e-2",
                       "--dim", "200", "--json")
    result = json.loads(out)
    assert code == 0 and result["upper_bound_time"] is None and result["lower_bound_time"] is None
    assert any("heavy-ball" in note for note in result["notes"]) and any("does not attain" in note for note in result["notes"])


def test_run_pprs_reports_its_batch_and_the_mean_gap_over_seeds():
    code, out, err = cli("run", "--method", "pprs", "--instance", "max-function-lipschitz", "--depth", "8", "--eps", "0.05",
                         "--seeds", "8", "--json")
    result = json.loads(out)
    assert code == 0 and set(result) >= {"K", "gamma", "seeds", "gap_mean", "gap_ci95"}
    assert result["seeds"] == 8 and result["K"] >= 1 and result["gamma"] > 0 and _all_finite(result)
    assert result["lower_bound_time"] is None and any("not a span method" in note for note in result["notes"])
    assert result["iterations"] * 2 * (result["K"] + 8 - 1) >= result["time_to_eps"]
    assert "iteration" in err  # progress on stderr


def test_regime_names_a_winner():
    code, out, _ = cli("regime", "--depth", "256", "--dim", "100", "--eps", "0.01", "--set", "L=1", "--json")
    result = json.loads(out)
    assert code == 0 and set(result) == {"winner", "speedup", "pprs_time", "subgradient_time", "K", "T",
                                         "depth_slope", "near_linear"}
    assert result["winner"] == "pprs" and result["speedup"] > 1


def test_schedule_returns_makespan_and_timeline():
    code, out, _ = cli("schedule", "--depth", "4", "--inputs", "3", "--schedule", "gpipe", "--json")
    payload = json.loads(out)
    assert code == 0 and payload["makespan"] == 2 * (3 + 4 - 1)
    assert len(payload["timeline"]) == 2 * 3 * 4 and max(op["tick"] for op in payload["timeline"]) == payload["makespan"]


@pytest.mark.parametrize("args, name", [
    (("run", "--method", "agd", "--instance", "nesterov-chain", "--depth", "4", "--eps", "0"), "eps"),
    (("run", "--method", "agd", "--instance", "nesterov-chain", "--depth", "4", "--eps", "-1e-3"), "eps"),
    (("run", "--method", "agd", "--instance", "nesterov-chain", "--depth", "0", "--eps", "1e-3"), "depth"),
    (("run", "--method", "agd", "--instance", "nesterov-chain", "--depth", "four", "--eps", "1e-3"), "depth"),
    (("run", "--method", "agd", "--instance", "nesterov-chain", "--depth", "4", "--eps", "nan"), "eps"),
    (("run", "--method", "agd", "--instance", "nesterov-chain", "--depth", "4", "--eps", "0.5"), "eps"),
    (("run", "--method", "newton", "--instance", "nesterov-chain", "--depth", "4", "--eps", "1e-3"), "method"),
    (("run", "--method", "agd", "--instance", "rosenbrock", "--depth", "4", "--eps", "1e-3"), "instance"),
    (("run", "--method", "agd", "--instance", "nesterov-chain", "--depth", "4", "--eps", "1e-3", "--set", "foo=1"), "foo"),
    (("run", "--method", "agd", "--instance", "nesterov-chain", "--depth", "4", "--eps", "1e-3", "--set", "beta"), "--set"),
    (("run", "--method", "agd", "--instance", "strongly-convex-chain", "--depth", "4", "--eps", "1e-3", "--set", "mu=2"), "mu"),
    (("run", "--method", "agd", "--instance", "carmon-chain", "--depth", "4", "--eps", "0.1", "--dim", "3", "--set", "chain_length=5"), "chain_length"),
    (("run", "--method", "heavy-ball", "--instance", "nesterov-chain", "--depth", "4", "--eps", "1e-3", "--set", "step=-1"), "step"),
    (("run", "--method", "random-span", "--instance", "nesterov-chain", "--depth", "4", "--eps", "1e-3", "--set", "seed=1.5"), "seed"),
    (("bound", "smooth-convex.lower.time", "--set", "eps=1e-3", "--set", "depth=2", "--set", "beta=1"), "R"),
    (("bound", "no.such.claim"), "claim"),
    (("bound", "smooth-convex.lower.time", "--set", "eps=1e-3", "--set", "depth=2", "--set", "beta=1", "--set", "R=1", "--set", "d=3"), "d ≥"),
    (("schedule", "--depth", "4", "--inputs", "0"), "inputs"),
    (("regime", "--depth", "4", "--dim", "0", "--eps", "0.1"), "dim"),
    (("regime", "--depth", "4", "--dim", "10", "--eps", "0.1", "--set", "beta=1"), "beta"),
    (("run", "--method", "pprs", "--instance", "max-function", "--depth", "4", "--eps", "0.05", "--set", "samples=0"), "samples"),
    (("run", "--method", "pprs", "--instance", "max-function", "--depth", "4", "--eps", "0.05", "--set", "gamma=-1"), "gamma"),
    (("schedule", "--depth", "4", "--inputs", "2", "--duplex", "quarter"), "duplex"),
])
def test_bad_input_exits_2_with_one_line_naming_the_parameter(args, name):
    code, out, err = cli(*args)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and name in lines[0] and "Traceback" not in err, err
    assert out == ""


def test_verify_quick_passes_with_checks_for_every_setting():
    code, out, err = cli("verify", "--quick", "--json")
    assert code == 0, err[-2000:]
    result = json.loads(out)
    assert result["failed"] == 0 and result["passed"] == len(result["checks"]) > 0
    ids = [c["id"] for c in result["checks"]]
    assert len(set(ids)) == len(ids), sorted(i for i in ids if ids.count(i) > 1)[:4]  # every parameter in the id
    ids = " ".join(c["id"] for c in result["checks"])
    for setting in ("smooth-convex", "strongly-convex", "smooth-nonconvex", "nonsmooth-convex"):
        assert f"{setting}.lower.time" in ids and f"{setting}.ratio" in ids
    assert "nonsmooth-convex.pprs.upper.gap-at-horizon" in ids and "nonsmooth-convex.pprs.paper" in ids
    assert "[1/" in err  # per-step progress on stderr


@pytest.mark.parametrize("args", [
    ("--method", "agd", "--instance", "nesterov-chain", "--depth", "4", "--eps", "1e-3", "--dim", "50"),
    ("--method", "agd", "--instance", "strongly-convex-chain", "--depth", "4", "--eps", "1e-6", "--dim", "10"),
    ("--method", "subgradient", "--instance", "max-function", "--depth", "4", "--eps", "0.05", "--dim", "5"),
])
def test_a_dimension_below_the_construction_runs_and_says_why_the_class_bound_is_null(args):
    code, out, err = cli("run", *args, "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["lower_bound_time"] is None and result["upper_bound_time"] is not None
    assert any(".lower.time" in note and ("does not" in note or "construction" in note) for note in result["notes"]), result["notes"]
    assert result["instance_lower_bound_time"] is not None  # the instance's own span bound still holds


def test_the_listed_names_are_the_registries():
    from pplimits import cli as module
    from pplimits.algorithms.backend import NAMES
    from pplimits.algorithms.clock import DUPLEX_MODES, SCHEDULES
    from pplimits.algorithms.methods import METHODS
    from pplimits.bounds.pep.methods import PEP_METHODS
    from pplimits.bounds.pep.worst_case import CLASSES, FORMULATIONS
    from pplimits.experiments.few_shot import TASKS
    from pplimits.worstcase import INSTANCES

    assert module.METHOD_NAMES == tuple(METHODS) and module.INSTANCE_NAMES == tuple(INSTANCES)
    assert module.CERTIFY_METHODS == PEP_METHODS and module.CERTIFY_CLASSES == tuple(CLASSES)
    choices = {(a.dest, tuple(a.choices)) for sub in module.build_parser()._subparsers._group_actions[0].choices.values()
               for a in sub._actions if a.choices}
    assert {("schedule", SCHEDULES), ("duplex", DUPLEX_MODES), ("backend", NAMES), ("formulation", FORMULATIONS),
            ("name", TASKS), ("duplex", DUPLEX_MODES[:2])} == choices


def test_help_lists_the_methods_and_instances():
    code, out, _ = cli("run", "--help")
    assert code == 0 and "nesterov-chain" in out and "pprs-drs" in out


def test_version_and_python_dash_m():
    from pplimits import __version__

    assert cli("--version")[1].strip() == f"pplimits {__version__}"
    done = subprocess.run([sys.executable, "-m", "pplimits", "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == f"pplimits {__version__}"


def test_a_closed_pipe_ends_quietly():
    """`pplimits … | head -1` with far more output than a pipe buffers (~1 MB): no BrokenPipe traceback."""
    command = f"'{PPLIMITS}' schedule --depth 64 --inputs 64 --json | head -c 100"
    done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and len(done.stdout) == 100 and done.stderr == "", done.stderr


def test_an_internal_error_is_a_bug_not_bad_input(monkeypatch, capsys):
    """Only UsageError means bad input (exit 2); a ValueError from deep inside is a bug: exit 1, said so."""
    from pplimits import cli as module

    def broken(args):
        raise ValueError("operands could not be broadcast together")

    monkeypatch.setattr(module, "cmd_bounds", broken)
    monkeypatch.delenv("PPLIMITS_TRACEBACK", raising=False)
    assert module.main(["bounds"]) == 1
    err = capsys.readouterr().err
    assert "internal error" in err and "a bug" in err and "ValueError: operands" in err and "Traceback" not in err


def test_set_samples_is_pprs_k_and_points_is_the_data_size():
    """One meaning per name: `samples` is PPRS's K, `points` the data points of an instance (once both were
    `samples`, and `--set samples=3` silently resized the data instead of setting K)."""
    code, out, err = cli("run", "--method", "pprs", "--instance", "l1-regression", "--dim", "5", "--depth", "4",
                         "--eps", "0.5", "--set", "samples=3", "--set", "points=30", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["K"] == 3 and result["instance_params"]["points"] == 30


@pytest.mark.parametrize("args", [
    ("report", "--quick", "--out", ""), ("report", "--quick", "--out", "{tmp}"), ("report", "--quick", "--out", "{file}/r.pdf"),
    ("report", "--quick", "--out", "/proc/pplimits-report.pdf"), ("gate", "--quick", "--baseline", ""),
    ("gate", "--quick", "--update-baseline", "--baseline", "{file}/b.json"), ("experiment", "few-shot", "--quick", "--out", ""),
    ("experiment", "few-shot", "--quick", "--out", "{file}"), ("engines", "--validate-clock", "--out", "/proc/e.json"),
])
def test_a_bad_output_path_is_refused_before_any_work(args, tmp_path):
    """'' is never the current folder, a folder is not a file, a file is not a folder, /proc takes no files: exit 2
    with one line and no progress line (refused before the work), and nothing is written."""
    file = tmp_path / "a-file"
    file.write_text("mine")
    code, out, err = cli(*(a.format(tmp=tmp_path, file=file) for a in args))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]
    assert file.read_text() == "mine"


# runs argv[1:] under a 4 GiB address-space limit, so an unguarded allocation fails at once (set in the child
# itself: a preexec_fn would fork a process that JAX's threads share)
LIMITED = ("import os, resource, sys; resource.setrlimit(resource.RLIMIT_AS, (4 * 2**30, 4 * 2**30)); "
           "os.execv(sys.argv[1], sys.argv[1:])")


@pytest.mark.parametrize("args, name", [
    (("run", "--method", "agd", "--instance", "nesterov-chain", "--depth", "4", "--eps", "1e-300"), "eps"),
    (("run", "--method", "gd", "--instance", "nesterov-chain", "--depth", "4", "--eps", "1e-3", "--dim", "1000000000"),
     "dim"),
    (("run", "--method", "pprs", "--instance", "max-function-lipschitz", "--depth", "4", "--eps", "0.05", "--seeds",
      "1000000000"), "seeds"),
    (("run", "--method", "pprs", "--instance", "max-function-lipschitz", "--depth", "4", "--eps", "0.05", "--set",
      "samples=1000000000"), "samples"),
    (("run", "--method", "gd", "--instance", "carmon-chain", "--depth", "4", "--eps", "0.05", "--set",
      "chain_length=1000000000"), "dim"),
    (("run", "--method", "subgradient", "--instance", "hinge", "--depth", "4", "--eps", "0.05", "--dim", "8", "--set",
      "points=10000000000"), "points"),
    (("run", "--method", "pprs", "--instance", "nesterov-chain", "--depth", "4", "--eps", "1e-3"), "pprs"),
    (("run", "--method", "gd", "--instance", "max-function", "--depth", "4", "--eps", "0.05"), "gd"),
    (("regime", "--depth", "4", "--dim", "10", "--eps", "1e-300"), "pprs.upper.time"),
    (("certify", "--method", "gd", "--class", "smooth-convex", "--iterations", "5", "--set", "R=1e308"), "R"),
    (("schedule", "--depth", "2000", "--inputs", "2000", "--json"), "depth × inputs"),
    (("certify", "--method", "gd", "--class", "smooth-convex", "--iterations", "200"), "iterations"),
    (("certify", "--method", "gd", "--class", "smooth-convex", "--iterations", "5", "--set", "step=10"), "unbounded"),
    (("certify", "--method", "gd", "--class", "smooth-convex", "--iterations", "4", "--formulation", "chain",
      "--set", "step=9/5"), "step"),
])
def test_hostile_input_is_refused_with_one_line_before_any_allocation(args, name):
    """Each of these was a traceback (MemoryError, AttributeError, PrecisionExhausted, OverflowError, a solver
    status); now exit 2, one line naming the parameter, under a 4 GiB address-space limit."""
    done = subprocess.run([sys.executable, "-c", LIMITED, PPLIMITS, *args], capture_output=True, text=True, timeout=300)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and name in lines[0] and "Traceback" not in done.stderr, done.stderr
