"""A project's own gate (issue 14, item 4): `[tool.pplimits.gate]` in the project's pyproject.toml makes `pplimits
gate` measure the project's methods against the project's baseline; without the table the gate is pplimits' own."""
import json
import sys
import textwrap
from fractions import Fraction

import pytest

from pplimits.algorithms.clock import PipelineModel
from pplimits.cli import main
from pplimits.experiments.matrix import QUICK, Case
from pplimits.experiments.measure import build_instance, measure
from pplimits.reports import gate, gate_config
from tests import doubles

OPTIMISER = textwrap.dedent('''
    class GD:
        """Gradient descent in the optax convention, step h/beta."""

        span_method = True

        def __init__(self, beta, h=1.0):
            self.step = h / beta

        def init(self, params):
            return ()

        def update(self, grads, state, params):
            return -self.step * grads, state


    def pep_gd(x0, gradient, iterations, beta):
        x = x0
        for _ in range(iterations):
            x = x - STEP / beta * gradient(x)
        return x


    STEP = 1
''')

TABLE = textwrap.dedent('''
    [project]
    name = "tinyproject"

    [tool.pplimits.gate]
    methods = ["{module}:GD"]
    instances = ["nesterov-chain"]
    depths = [4]
    eps = [1e-3]
    baseline = "ci/baseline.json"

    [[tool.pplimits.gate.worst-cases]]
    method = "{module}:pep_gd"
    class = "smooth-convex"
    iterations = [1, 3]
''')


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder (the working folder) with its optimiser module and a gate table; yields the module name."""
    for name in doubles.user_module(tmp_path, monkeypatch, OPTIMISER, "tinyopt"):
        (tmp_path / "pyproject.toml").write_text(TABLE.format(module=name))
        yield name


def _gate(capsys, *extra) -> tuple[int, dict, str]:
    code = main(["gate", "--json", *extra])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out else {}, err


def test_a_projects_gate_measures_its_methods_against_its_own_baseline(project, tmp_path, capsys):
    code, payload, _ = _gate(capsys, "--update-baseline")
    assert code == 0 and payload["written"]
    written = json.loads((tmp_path / "ci" / "baseline.json").read_text())
    assert written["project"] == "tinyproject" and written["quick"] is False
    metrics = written["metrics"]
    assert all(f"/{project}:" in metric_id for metric_id in metrics), sorted(metrics)  # theirs only, none of ours
    # the user's GD (optax convention) takes the built-in GD's iterations, measured independently here
    instance = build_instance("nesterov-chain", 1e-3, None, {})
    builtin, _ = measure("gd", instance, PipelineModel(4), 1e-3)
    tag = f"smooth-convex/nesterov-chain/{project}:GD/depth=4,eps=0.001"
    assert metrics[f"iterations/{tag}"]["value"] == builtin.iterations
    assert metrics[f"holds/{tag}"]["value"] is True  # it declares itself a span method: the class bound applies
    for n in (1, 3):  # GD with step 1/β: βR²/(4N + 2) (Drori & Teboulle 2014)
        found = metrics[f"worst-case/smooth-convex/{project}:pep_gd/N={n}"]["value"]
        assert found == pytest.approx(float(Fraction(1, 4 * n + 2)), rel=1e-7)

    code, payload, err = _gate(capsys)
    assert code == 0 and payload["counts"]["same"] == len(metrics) and payload["baseline"] == "ci/baseline.json"
    assert f"[gate 1/3] nesterov-chain {project}:GD" in err


def test_a_projects_gate_fails_when_its_method_regresses(project, tmp_path, capsys):
    assert _gate(capsys, "--update-baseline")[0] == 0
    source = (tmp_path / f"{project}.py").read_text()
    (tmp_path / f"{project}.py").write_text(source.replace("h=1.0", "h=0.5").replace("STEP = 1", "STEP = 1 / 2"))
    sys.modules.pop(project)  # as a new CI run would, import the changed module
    code, payload, _ = _gate(capsys)
    regressed = {row["id"].split("/")[0] for row in payload["rows"] if row["status"] == "regressed"}
    assert code == 1 and regressed == {"time", "iterations", "ratio-to-lower", "worst-case"}


def test_without_a_table_the_gate_is_pplimits_own(tmp_path, monkeypatch, capsys):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\n[tool.other]\nx = 1\n')
    monkeypatch.chdir(tmp_path)
    seen = []
    monkeypatch.setattr(gate, "metrics", lambda suite, progress=None: (seen.append(suite), ({}, {}))[1])
    main(["gate", "--quick", "--json"])
    capsys.readouterr()
    assert seen == [QUICK]


def test_a_project_baseline_is_refused_for_pplimits_own_gate_and_the_other_way(project, tmp_path, capsys):
    assert _gate(capsys, "--update-baseline")[0] == 0
    own = gate.default_baseline(QUICK)
    code, _, err = _gate(capsys, "--baseline", str(own))
    assert code == 2 and "was made for pplimits' own gate, not project 'tinyproject'" in err
    code, _, err = _gate(capsys, "--quick")
    assert code == 2 and "drop --quick" in err
    with pytest.raises(ValueError, match="made for project 'tinyproject', not pplimits' own gate"):
        gate.load_baseline(tmp_path / "ci" / "baseline.json", QUICK)


@pytest.mark.parametrize("edit, message", [
    (("methods = [", "methods = []  # "), "methods must be a non-empty list"),
    (("{module}:GD", "adam"), "methods[0] must be PACKAGE.MODULE:NAME or one of"),
    (('"nesterov-chain"', '"nesterov"'), "instances[0] name must be one of"),
    (('"nesterov-chain"', '{{name = "random-quadratic", dim = 0}}'), "instances[0].dim must be"),
    (('"nesterov-chain"', '{{name = "nesterov-chain", eps = "x"}}'), "instances[0].eps must be a number"),
    (("depths = [4]", "depths = [0]"), "depths[0] must be"),
    (("eps = [1e-3]", "eps = [-1e-3]"), "eps must be > 0"),
    (("depths = [4]", "depth = [4]"), "unknown key 'depth'"),
    (('class = "smooth-convex"', 'class = "smooth"'), "worst-cases[0]: class must be one of"),
    (("iterations = [1, 3]", "iterations = [1, 300]"), "worst-cases[0]: iterations must be"),
    (("iterations = [1, 3]", "iterations = [1]\nset = {{momentum = 1}}"), "unknown parameter 'momentum'"),
    (("[project]", "[project"), "is not valid TOML"),
])
def test_a_bad_table_is_one_line_naming_the_key(project, tmp_path, capsys, edit, message):
    text = TABLE.replace(*edit).format(module=project)
    (tmp_path / "pyproject.toml").write_text(text)
    code, _, err = _gate(capsys)
    assert code == 2 and message in err and err.count("\n") == 1, err


def test_config_names_the_pyproject_and_needs_its_table(project, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path / "..")
    assert _gate(capsys, "--config", str(tmp_path / "pyproject.toml"), "--update-baseline")[0] == 0
    assert (tmp_path / "ci" / "baseline.json").is_file()  # the table's baseline, beside its pyproject
    (tmp_path / "other.toml").write_text("[project]\nname = 'x'\n")
    code, _, err = _gate(capsys, "--config", str(tmp_path / "other.toml"))
    assert code == 2 and "has no [tool.pplimits.gate] table" in err


def test_an_instance_takes_its_own_eps_or_each_of_the_tables(tmp_path):
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent('''
        [tool.pplimits.gate]
        methods = ["gd"]
        instances = ["nesterov-chain", {name = "random-quadratic", dim = 30, seed = 2, eps = 1e-6}]
        eps = [1e-3, 1e-4]
    '''))
    suite = gate_config.load(tmp_path / "pyproject.toml", required=True)
    assert suite.cases == (Case("nesterov-chain", 1e-3), Case("nesterov-chain", 1e-4),
                           Case("random-quadratic", 1e-6, (("seed", 2),), 30))
    assert suite.project == tmp_path.name and suite.baseline == tmp_path / "pplimits-baseline.json"
    assert suite.depths == (4,) and suite.worst_cases == ()
