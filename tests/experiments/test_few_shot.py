"""The digits study: the clock it charges each method, tuning kept apart from evaluation, deterministic records,
the verdict arithmetic, the adversarial objective, and the command."""
import json
from dataclasses import replace

import numpy as np
import pytest

pytest.importorskip("sklearn", reason="the digits study needs scikit-learn: pip install 'pplimits[study]'")

from pplimits.algorithms.backend import get_backend  # noqa: E402
from pplimits.cli import main  # noqa: E402
from pplimits.experiments import few_shot  # noqa: E402
from pplimits.experiments.digits import few_shot as draw  # noqa: E402
from pplimits.reports.experiment import write_study  # noqa: E402
from pplimits.worstcase.adversarial import AdversarialObjective  # noqa: E402
from pplimits.worstcase.layered import LayeredObjective, network  # noqa: E402

NUMPY = get_backend()
PLAN = replace(few_shot.QUICK, depths=(4,), shots=(1,), seeds=(0, 1), budget=20, checkpoints=4, test_size=50)


@pytest.fixture(scope="module")
def records():
    """The quick study, computed twice for each task (determinism) — the CI-sized variant."""
    return {task: [few_shot.study(task, quick=True) for _ in range(2)] for task in few_shot.TASKS}


def test_the_quick_study_is_deterministic_and_complete(records):
    for task, (first, second) in records.items():
        assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
        plan = few_shot.QUICK
        assert [(c["depth"], c["shots"]) for c in first["cells"]] == [(d, s) for d in plan.depths for s in plan.shots]
        for cell in first["cells"]:
            assert set(cell["methods"]) == set(few_shot.STUDY_METHODS)
            for found in cell["methods"].values():
                assert len(found["tuning"]) == plan.configurations  # the same tuning budget for every method
                assert len(found["final_loss"]) == len(plan.seeds)
                assert len(found["loss"]["mean"]) == plan.checkpoints + 1


@pytest.mark.parametrize("task", few_shot.TASKS)
@pytest.mark.parametrize("name", few_shot.STUDY_METHODS)
def test_each_method_is_charged_its_pipeline_time(task, name, monkeypatch):
    """τ = passes·2(B + Δ − 1) with B = N, K·N or b; a method runs ⌊T/τ⌋ iterations of the common budget T, each
    costing `passes` backward passes through the network (counted), and T is the same for every method."""
    depth, shots = 4, 1
    calls = []
    backward = LayeredObjective._backward
    monkeypatch.setattr(LayeredObjective, "_backward", lambda self, *a: calls.append(1) or backward(self, *a))
    monkeypatch.setattr(few_shot, "evaluate", lambda problem, iterates: (np.zeros(iterates.shape[:2]),) * 2)
    configs, times, _, _ = few_shot.run_method(name, task, PLAN, depth, shots, 0, NUMPY)
    samples, passes = 10 * shots, PLAN.attack_steps + 1 if task == "adversarial" else 1
    budget = PLAN.budget * passes * 2 * (samples + depth - 1)
    assert times[-1] == budget and len(times) == PLAN.checkpoints + 1
    expected_calls = 0
    for group in {(c.get("K"), c.get("batch")) for c in configs}:
        k, batch = group
        micro = batch if name == "sgd" else samples * (k if name == "pprs" else 1)
        tau = passes * 2 * (micro + depth - 1)
        found = [c for c in configs if (c.get("K"), c.get("batch")) == group]
        assert {(c["iteration_time"], c["iterations"]) for c in found} == {(tau, budget // tau)}
        expected_calls += (budget // tau) * passes
    if name == "pprs":
        assert {c["K"] for c in configs} == {round(m * depth) for m in PLAN.pprs_samples}
    assert len(calls) == expected_calls


def test_tuning_never_sees_an_evaluation_seed(monkeypatch):
    seen, problem, tune = [], few_shot.problem, few_shot.tune

    def tuning(*args):
        seen.append("tune")
        found = tune(*args)
        seen.append("evaluate")
        return found

    monkeypatch.setattr(few_shot, "problem", lambda task, plan, d, s, seed: seen.append(seed) or problem(
        task, plan, d, s, seed))
    monkeypatch.setattr(few_shot, "tune", tuning)
    few_shot.cell("few-shot", PLAN, 4, 1, NUMPY)
    assert seen == ["tune", *PLAN.tuning_seeds, "evaluate", *PLAN.seeds] * len(few_shot.STUDY_METHODS)


def test_plans_give_every_method_the_same_number_of_configurations():
    with pytest.raises(ValueError, match="same number of configurations"):
        replace(PLAN, sgd_steps=(0.1,))
    with pytest.raises(ValueError, match="disjoint"):
        replace(PLAN, tuning_seeds=(0,))
    assert few_shot.FULL.configurations == 18 and few_shot.FULL.pprs_samples == (0.5, 1, 2)


def _methods(pprs, others):
    found = {name: {"final_loss": list(others[name]), "final_accuracy": [0.5] * 5} for name in others}
    found["pprs"] = {"final_loss": list(pprs), "final_accuracy": [0.5] * 5}
    return found


def test_the_verdict_is_a_paired_student_interval():
    base = {"gd": [3.0] * 5, "agd": [2.0, 2.1, 1.9, 2.0, 2.0], "subgradient": [5.0] * 5, "sgd": [4.0] * 5}
    wins = few_shot.verdict(_methods([1.0, 1.0, 1.0, 1.1, 0.9], base))
    assert wins["loss_baseline"] == "agd" and wins["lowest_loss"] == "pprs"
    difference = np.array([-1.0, -1.1, -0.9, -0.9, -1.1])
    half = 2.7764451051977987 * difference.std(ddof=1) / np.sqrt(5)  # t_{0.975, 4}
    assert wins["loss"] == pytest.approx({"mean": -1.0, "ci95": half, "outcome": "PPRS wins"})
    assert few_shot.verdict(_methods([3.0] * 5, base))["loss"]["outcome"] == "PPRS loses"
    assert few_shot.verdict(_methods([1.0, 3.0, 1.0, 3.0, 2.0], base))["loss"]["outcome"] == \
        "no significant difference"
    assert few_shot.verdict(_methods([1.0, 3.0, 1.0, 3.0, 2.0], base))["accuracy"]["outcome"] == \
        "no significant difference"


def test_the_attack_stays_in_its_ball_and_the_gradient_is_taken_at_the_attacked_inputs():
    x, y, _, _ = draw(2, 0, test_size=10)
    clean = network(3, 6, "relu", "hinge", x, y, 10, seed=1, residual=True)
    attacked = AdversarialObjective(clean, 0.05, 3)
    theta = clean.x0 + 0.05 * np.random.default_rng(0).standard_normal((2, clean.dim))
    inputs = attacked.attacked_inputs(theta)
    assert inputs.shape == (2, *x.shape) and np.abs(inputs - x).max() == pytest.approx(0.05)
    np.testing.assert_array_equal(attacked.gradient(theta), clean.gradient(theta, inputs))
    np.testing.assert_array_equal(attacked.value(theta), clean.value(theta, inputs))
    assert (attacked.value(theta) > clean.value(theta)).all()  # the attack found a worse loss here
    assert attacked.passes == 4
    with pytest.raises(ValueError, match="radius > 0 and steps >= 1"):
        AdversarialObjective(clean, 0.0, 3)


def test_few_shot_draws_are_per_class_and_disjoint():
    x, y, tx, ty = draw(5, 3, test_size=40)
    assert x.shape == (50, 64) and np.bincount(y).tolist() == [5] * 10 and tx.shape == (40, 64)
    assert 0 <= x.min() and x.max() <= 1
    assert not {row.tobytes() for row in x} & {row.tobytes() for row in tx}  # no training image is held out
    again = draw(5, 3, test_size=40)
    assert all(np.array_equal(a, b) for a, b in zip((x, y, tx, ty), again))
    assert not np.array_equal(draw(5, 4, test_size=40)[0], x)


def test_records_are_byte_identical_and_a_foreign_file_is_kept(records, tmp_path, capsys):
    record = records["few-shot"][0]
    first = [open(p, "rb").read() for p in write_study(record, tmp_path / "a")]
    second = [open(p, "rb").read() for p in write_study(records["few-shot"][1], tmp_path / "b")]
    assert first == second and first[1].startswith(b"%PDF")
    assert json.loads(first[0])["provenance"]["revision"]
    foreign = tmp_path / "c" / "few-shot-quick.json"
    foreign.parent.mkdir()
    foreign.write_text("my notes")
    with pytest.raises(ValueError, match="not a pplimits study record"):
        write_study(record, foreign.parent)
    assert foreign.read_text() == "my notes"
    assert main(["experiment", "few-shot", "--quick", "--out", str(foreign.parent)]) == 2
    assert capsys.readouterr().err.startswith("pplimits experiment: error: out ")
    with pytest.raises(SystemExit) as exit_info:
        main(["experiment", "few-shoot"])
    assert exit_info.value.code == 2


@pytest.mark.engine
def test_the_study_gives_the_same_numbers_on_jax():
    pytest.importorskip("jax", reason="the JAX backend needs the [jax] extra")
    for name in ("agd", "pprs", "sgd"):
        ours = few_shot.run_method(name, "few-shot", PLAN, 4, 1, 0, NUMPY)
        theirs = few_shot.run_method(name, "few-shot", PLAN, 4, 1, 0, get_backend("jax"))
        assert ours[0] == theirs[0]
        np.testing.assert_allclose(theirs[2], ours[2], rtol=1e-12, atol=1e-15)


def test_the_report_section_states_each_cell_s_verdict(records, tmp_path, monkeypatch):
    import io

    from pypdf import PdfReader

    from pplimits.reports import experiment
    from pplimits.reports.document import Document
    from pplimits.reports.report import _study, study_summary

    record = records["few-shot"][0]
    write_study(record, tmp_path)
    (tmp_path / "few-shot-quick.json").rename(tmp_path / "few-shot.json")
    monkeypatch.setattr(experiment, "RECORDS", tmp_path)
    doc = Document("t", kind="test", provenance={"revision": "r", "date": "d"})
    _study(doc, "few-shot")
    _study(doc, "adversarial")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(doc.to_bytes())).pages)
    outcomes = [c["verdict"]["loss"]["outcome"] for c in record["cells"]]
    summary = study_summary(record, "loss")
    assert f"PPRS wins in {outcomes.count('PPRS wins')} of {len(outcomes)} cells" in summary
    assert f"loses in {outcomes.count('PPRS loses')}" in summary
    assert " ".join(summary.split()[:8]) in " ".join(text.split())
    for cell in record["cells"]:
        pprs = cell["methods"]["pprs"]["loss"]
        assert f"{pprs['mean'][-1]:.3f} ± {pprs['ci95'][-1]:.3f}" in text
    assert "No study recorded: run `pplimits experiment adversarial" in " ".join(text.split())
