"""The `pplimits` command line, run as a user would (a subprocess of the installed console script). Bad input is
one table, all commands, in tests/cli/test_hostile_table.py."""
import importlib.util
import json
import math
import shutil
import subprocess
import sys
from fractions import Fraction
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


def _agd_run(schedule):
    code, out, err = cli("run", "--method", "agd", "--instance", "nesterov-chain", "--depth", "4", "--n", "4",
                         "--eps", "0.01", "--schedule", schedule, "--json")
    assert code == 0, err
    return json.loads(out)


def test_the_upper_time_claim_takes_the_schedules_makespan():
    """τ_g is one iteration's makespan under the schedule run: zb-h1 with P = Δ = 4 stages and n = 4 micro-batches
    takes 2n + P − 1 = 11 ticks, not gpipe's 2(Δ + n − 1) = 14 (issue 15, item 3)."""
    from pplimits.experiments.measure import build_instance

    instance = build_instance("nesterov-chain", 0.01, None, {})  # β = 1, R² = 2.85: 2βR²/ε = 570
    iterations = math.ceil(math.sqrt(2 * instance.beta * instance.radius**2 / 0.01)) - 1  # AGD: 2βR²/(k+1)² ≤ ε
    assert iterations == 23
    result = _agd_run("zb-h1")
    assert result["upper_bound_time"] == iterations * (2 * 4 + 4 - 1) == 253  # before this change: 322 (= 23 × 14)
    assert result["time_to_eps"] <= result["upper_bound_time"]


def test_the_gpipe_numbers_are_unchanged():
    # regression: these literal values are the pre-change output of main (dc1ba8c) for this run under gpipe
    result = _agd_run("gpipe")
    assert (result["time_to_eps"], result["iterations"], result["upper_bound_time"]) == (140, 10, 322.0)
    assert result["lower_bound_time"] == 33.352146256270665 and result["instance_lower_bound_time"] == 40


def test_bound_without_tau_g_uses_the_gpipe_makespan_and_says_so():
    args = ("bound", "smooth-convex.agd.upper.time", "--set", "eps=0.01", "--set", "beta=1", "--set", "R=1",
            "--set", "depth=4", "--set", "n=4")
    code, out, err = cli(*args, "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["value"] == 196.0  # pre-change value (main, dc1ba8c): (⌈√200⌉ − 1)·2(4 + 4 − 1) = 14 × 14
    assert payload["tau_g"]["value"] == 14 and payload["tau_g"]["default"] == "gpipe"
    code, text, _ = cli(*args)
    assert code == 0 and "tau_g not given" in text and "gpipe" in text and "= 14" in text
    code, out, _ = cli("bound", "smooth-convex.agd.upper.time", "--set", "eps=0.01", "--set", "beta=1", "--set", "R=1",
                       "--set", "tau_g=11", "--json")  # a schedule's makespan given: used, nothing defaulted
    assert code == 0 and json.loads(out)["value"] == 14 * 11 and "tau_g" not in json.loads(out)
    code, _, err = cli("bound", "smooth-convex.agd.upper.time", "--set", "eps=0.01", "--set", "beta=1", "--set", "R=1")
    assert code != 0 and "needs tau_g" in err


PPRS_POINT = ("--set", "eps=0.01", "--set", "L=1", "--set", "R=1", "--set", "d=2101248", "--set", "n=16",
              "--set", "depth=8")


@pytest.mark.parametrize("schedule, costs, per_iteration", [
    # closed forms typed from docs/theory.md §1 at P = Δ = 8 and B inputs: gpipe 2(Δ + B − 1), 1F1B (B + P − 1)(f + b),
    # ZB-H1 B(f + b) + (P − 1)(f + b − 2w) with w = b/2 by default, and f = 1, b = 2, w = 1 given
    ("gpipe", None, lambda inputs: 2 * (8 + inputs - 1)),
    ("1f1b", None, lambda inputs: (inputs + 7) * 2),
    ("zb-h1", None, lambda inputs: 2 * inputs + 7),
    ("zb-h1", "f=1,b=2,w=1", lambda inputs: 3 * inputs + 7),
])
def test_the_pprs_and_sgd_time_claims_take_the_schedules_makespan_of_their_own_batch(schedule, costs, per_iteration):
    """PPRS's iteration sends nK inputs (K from Theorem D's tuning), SGD's b: each claim is its iterations × the
    makespan of that many inputs under the schedule given (issue 15, item 3)."""
    from pplimits.bounds.tuning import tuning

    tuned = tuning(0.01, 1.0, 1.0, 2101248)
    extra = ("--schedule", schedule) + (("--costs", costs) if costs else ())
    code, out, err = cli("bound", "nonsmooth-convex.pprs.upper.time", *PPRS_POINT, *extra, "--json")
    assert code == 0, err
    assert json.loads(out)["value"] == tuned.T * per_iteration(16 * tuned.K)
    code, out, err = cli("bound", "nonsmooth-convex.sgd.upper.time", *PPRS_POINT, "--set", "b=12", *extra, "--json")
    assert code == 0, err
    assert json.loads(out)["value"] == 10_000 * per_iteration(12)  # (RL/ε)² = 10⁴ mini-batches of b = 12


def test_the_pprs_claim_defaults_to_gpipe_and_says_so_and_needs_a_depth_for_it():
    from pplimits.bounds.tuning import tuning

    tuned = tuning(0.01, 1.0, 1.0, 2101248)
    code, out, err = cli("bound", "nonsmooth-convex.pprs.upper.time", *PPRS_POINT, "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["value"] == tuned.T * 2 * (8 + 16 * tuned.K - 1) and payload["makespan"]["default"] == "gpipe"
    code, _, err = cli("bound", "nonsmooth-convex.pprs.upper.time", *PPRS_POINT[:-2])
    assert code == 2 and "needs makespan(B)" in err and "depth" in err
    code, _, err = cli("bound", "nonsmooth-convex.pprs.upper.time", *PPRS_POINT[:-2], "--schedule", "1f1b")
    assert code == 2 and "--set depth" in err


def test_run_on_every_hard_instance_each_at_its_own_eps():
    """`--instance hard`: one row per hard instance of the quick profile; where the method does not apply, why."""
    code, out, err = cli("run", "--method", "agd", "--instance", "hard", "--depth", "4", "--json")
    assert code == 0, err
    rows = {row["label"]: row for row in json.loads(out)["instances"]}
    assert list(rows) == ["nesterov-chain", "strongly-convex-chain[mu=0.01]", "carmon-chain[chain_length=4]",
                          "max-function"]
    assert not rows["max-function"]["applies"] and "needs a β-smooth instance" in rows["max-function"]["reason"]
    code, single, _ = cli("run", "--method", "agd", "--instance", "nesterov-chain", "--depth", "4", "--eps", "1e-3",
                          "--json")
    assert {**json.loads(single), "label": "nesterov-chain", "applies": True} == rows["nesterov-chain"]
    chain = rows["nesterov-chain"]
    assert chain["eps"] == 1e-3 and chain["lower_bound_time"] <= chain["time_to_eps"] <= chain["upper_bound_time"]
    code, _, err = cli("run", "--method", "agd", "--instance", "hard", "--depth", "4", "--eps", "1e-2")
    assert code == 2 and "--eps cannot be given with --instance hard" in err


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


REGIME_KEYS = {"depth", "dim", "eps", "L", "R", "n", "b", "schedule", "duplex", "winner", "tied", "times",
               "crossover_depth", "crossover_eps", "bubble", "assumptions", "methods", "why"}
ISSUE_15 = ("regime", "--depth", "8", "--dim", "2101248", "--eps", "0.01", "--set", "n=16")  # the engineer's question


def test_regime_names_a_winner():
    code, out, _ = cli("regime", "--depth", "256", "--dim", "100", "--eps", "0.01", "--set", "L=1", "--json")
    result = json.loads(out)
    assert code == 0 and set(result) == REGIME_KEYS
    assert result["winner"] == "pprs" and result["times"]["pprs"] < result["times"]["subgradient"]
    assert set(result["times"]) == set(result["bubble"]) == {"pprs", "subgradient", "sgd"}
    assert result["b"] == result["n"] == 1 and result["tied"] == []  # SGD ties the subgradient method, not the winner
    assert "convex" in result["assumptions"] and "L-Lipschitz" in result["assumptions"]
    assert result["methods"]["sgd"]["label"] == "CLASSICAL" and result["methods"]["pprs"]["label"] == "DERIVED"


def test_regime_answers_the_engineers_question():
    """Issue 15: d = 2101248, n = 16, ε = 1e-2 — PPRS never wins for Δ ≤ 2²⁰, and no ε in range makes it win at Δ = 8;
    at ε = 1e-3 it wins from Δ = 88 (tests/bounds/test_regime.py checks 88 against the claims by hand)."""
    code, out, _ = cli(*ISSUE_15)
    assert code == 0
    assert out.startswith("the subgradient method (SGD ties it: the same bound) wins: 460000 time units")
    assert "PPRS never wins for Δ ≤ 1048576" in out and "crossover depth: none for Δ = 1 … 1048576" in out
    assert "outweighs" in out and "bubble 30.4%" in out and "assumptions: convex" in out
    code, out, _ = cli(*ISSUE_15[:6], "1e-3", *ISSUE_15[7:], "--json")
    result = json.loads(out)
    assert result["crossover_depth"]["changes"] == [{"at": 88, "below": "subgradient", "from": "pprs"}]
    assert result["crossover_eps"]["changes"] == [] and result["crossover_eps"]["throughout"] == "subgradient"


def test_regime_in_seconds():
    code, out, _ = cli(*ISSUE_15, "--op-seconds", "0.002", "--json")
    result = json.loads(out)
    assert code == 0 and set(result) == REGIME_KEYS | {"seconds", "op_seconds"}
    assert result["seconds"] == {m: t * 0.002 for m, t in result["times"].items()}
    assert result["seconds"]["subgradient"] == 920.0  # 460000 ticks of 2 ms
    code, out, _ = cli(*ISSUE_15, "--op-seconds", "0.002")
    assert "in seconds at 0.002 s per op: subgradient 920 s (15.3 min)" in out


@pytest.mark.parametrize("name", ["map.png", "map.pdf"])
def test_regime_plot_writes_the_map(tmp_path, name):
    code, out, err = cli(*ISSUE_15, "--plot", str(tmp_path / "maps" / name))
    written = (tmp_path / "maps" / name).read_bytes()
    assert code == 0 and "regime map written" in err and "wins" in out
    assert written.startswith(b"\x89PNG" if name.endswith(".png") else b"%PDF") and len(written) > 10_000
    assert [p.name for p in (tmp_path / "maps").iterdir()] == [name]  # atomic: no temporary left


def test_regime_refuses_a_bad_plot_path_before_any_work(tmp_path, monkeypatch, capsys):
    from pplimits import cli as module
    from pplimits.reports import regime

    monkeypatch.setattr(regime, "explain", lambda point: pytest.fail("worked before checking --plot"))
    (tmp_path / "a-file").write_text("mine")
    for bad in (tmp_path / "a-file" / "map.pdf", tmp_path / "map.svg", tmp_path):
        assert module.main([*ISSUE_15, "--plot", str(bad)]) == 2
        assert "plot" in capsys.readouterr().err
    assert (tmp_path / "a-file").read_text() == "mine" and sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_schedule_returns_makespan_and_timeline():
    code, out, _ = cli("schedule", "--depth", "4", "--inputs", "3", "--schedule", "gpipe", "--json")
    payload = json.loads(out)
    assert code == 0 and payload["makespan"] == 2 * (3 + 4 - 1)
    assert len(payload["timeline"]) == 2 * 3 * 4 and max(op["tick"] for op in payload["timeline"]) == payload["makespan"]


@pytest.mark.parametrize("args,span,bubble,peak", [
    (("--schedule", "1f1b"), 22, "3/11", 4),                              # (B+P−1)(f+b) = 11·2; peak P
    (("--schedule", "gpipe"), 22, "3/11", 8),                             # same makespan, peak B
    (("--schedule", "zb-h1"), 19, "3/19", 4),                             # 2B + (P−1)(2 − 1)
    (("--schedule", "interleaved-1f1b", "--chunks", "2"), 38, "3/19", 11),  # (vB+P−1)·2; 2(P−1) + (v−1)P + 1
    (("--schedule", "zb-h1", "--costs", "f=1,b=2,w=1"), 27, "1/9", 4),    # 3B + (P−1)(1 + 1 − 1)
])
def test_schedule_json_makespan_bubble_and_peak(args, span, bubble, peak):
    code, out, _ = cli("schedule", "--depth", "4", "--inputs", "8", *args, "--json")
    payload = json.loads(out)
    assert code == 0 and payload["source"] == "closed form"
    assert (payload["makespan"], payload["bubble_exact"], payload["peak_activations"]) == (span, bubble, peak)
    assert max(Fraction(str(op["end"])) for op in payload["ops"]) == span  # a fractional time is "p/q"


def test_schedule_falls_back_to_the_simulator_and_says_so():
    code, out, _ = cli("schedule", "--schedule", "1f1b", "--depth", "4", "--inputs", "8", "--costs", "c=1")
    assert code == 0 and "makespan" in out and ": 38 ticks" in out
    assert "from the simulator (no closed form here: c must be 0" in out


def test_schedule_gantt_writes_a_figure(tmp_path):
    target = tmp_path / "figures" / "zb.pdf"
    code, out, err = cli("schedule", "--schedule", "zb-h1", "--depth", "3", "--inputs", "4", "--gantt", str(target))
    assert code == 0, err
    assert target.read_bytes().startswith(b"%PDF") and "makespan" in out
    assert [p.name for p in target.parent.iterdir()] == ["zb.pdf"]  # no temporary file left


needs_torch = pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                                 reason="--from-torch needs the [torch] extra: pip install 'pplimits[torch]'")


@needs_torch
def test_schedule_from_torch_checks_torchs_own_ir_and_its_exit_code_is_the_verdict():
    code, out, err = cli("schedule", "--from-torch", "ScheduleGPipe", "--depth", "4", "--inputs", "8")
    assert code == 0 and ": valid" in out and "makespan: 22 time units" in out
    assert "closed form (gpipe): makespan 22" in out
    code, out, err = cli("schedule", "--from-torch", "interleaved1f1b", "--depth", "4", "--inputs", "8", "--chunks",
                         "2", "--json")
    found = json.loads(out)
    assert code == 0 and (found["verdict"], found["makespan"], found["closed_form"]["makespan"]) == ("valid", 38, 38)
    code, out, err = cli("schedule", "--from-torch", "1F1B", "--depth", "4", "--inputs", "8")
    assert code == 1 and "invalid: rank 3, step 14: 3F8: micro-batch 8 does not exist" in out and err == ""
    assert "not on your input" in out
    code, out, err = cli("schedule", "--from-torch", "DualPipeV", "--depth", "4", "--inputs", "8", "--json")
    assert code == 3 and json.loads(out)["verdict"] == "not expressible" and "OVERLAP_F_B" in out
    code, out, err = cli("schedule", "--from-torch", "ZBVZeroBubble", "--depth", "4", "--inputs", "8", "--costs",
                         "f=1,b=2", "--json")
    found = json.loads(out)
    assert code == 0 and found["placement"] == [0, 1, 2, 3, 3, 2, 1, 0] and found["makespan"] == 51


def test_schedule_from_torch_without_torch_says_how_to_install_it(monkeypatch, capsys):
    from pplimits import cli as module

    for name in [n for n in sys.modules if n == "torch" or n.startswith("torch.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch fails as where it is not installed
    assert module.main(["schedule", "--from-torch", "GPipe", "--depth", "2", "--inputs", "2"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pip install 'pplimits[torch]'" in err[0]


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
    from pplimits.algorithms.clock import ALL_SCHEDULES, DUPLEX_MODES
    from pplimits.algorithms.methods import METHODS
    from pplimits.bounds.pep.methods import PEP_METHODS
    from pplimits.bounds.pep.worst_case import CLASSES, FORMULATIONS
    from pplimits.experiments.few_shot import TASKS
    from pplimits.worstcase import INSTANCES

    assert module.METHOD_NAMES == tuple(METHODS) and module.INSTANCE_NAMES == tuple(INSTANCES)
    assert module.CERTIFY_METHODS == PEP_METHODS and module.CERTIFY_CLASSES == tuple(CLASSES)
    choices = {(a.dest, tuple(a.choices)) for sub in module.build_parser()._subparsers._group_actions[0].choices.values()
               for a in sub._actions if a.choices}
    assert module.SCHEDULE_NAMES == ALL_SCHEDULES
    assert {("schedule", ALL_SCHEDULES), ("duplex", DUPLEX_MODES), ("backend", NAMES), ("formulation", FORMULATIONS),
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
