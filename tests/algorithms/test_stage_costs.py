"""`regime --model` (algorithms/stage_costs.py, reports/regime_model.py): d, Δ and the parameters per stage counted
exactly, each stage's forward and backward timed on an injected fake clock (deterministic), the slowest stage named,
the answer in seconds, and without torch one line saying how to install it."""
import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from pplimits import cli
from pplimits._util.imports import import_object
from pplimits.algorithms import stage_costs
from pplimits.algorithms.stage_costs import parse_shape
from pplimits.reports.regime import Point, explain
from tests import doubles

PPLIMITS = Path(sys.executable).with_name("pplimits")

BLOCKS = '''
import torch
from torch import nn

torch.manual_seed(0)


def block():
    return nn.Sequential(nn.Linear(16, 16), nn.ReLU())


def model():
    """8 blocks of Linear(16, 16) + ReLU, and a much heavier 5th block."""
    blocks = [block() for _ in range(8)]
    blocks.insert(4, nn.Sequential(nn.Linear(16, 2048), nn.ReLU(), nn.Linear(2048, 16)))
    return nn.Sequential(*blocks)


eight = nn.Sequential(*[block() for _ in range(8)])
as_list = [block() for _ in range(3)]
shared = nn.Linear(16, 16)
tied = [shared, nn.ReLU(), shared]  # one tensor in two stages: counted once in d
with_example = nn.Sequential(nn.Linear(16, 4), nn.ReLU())
with_example.example_input = (8, 16)
empty = []
not_a_model = 3
mixed = [nn.Linear(16, 16), "relu"]
single = nn.Linear(16, 16)
frozen = nn.Sequential(nn.ReLU())


def broken():
    raise ValueError("no weights here")
'''


def test_a_shape_is_positive_integers_within_the_allocation_limit():
    assert parse_shape("32,512") == (32, 512) and parse_shape(" 7 ") == (7,)
    for bad in ("", "32,", "0,4", "-1", "1e3", "2.5", "a,b", "32;512"):
        with pytest.raises(cli.UsageError, match="input-shape"):
            parse_shape(bad)
    with pytest.raises(cli.UsageError, match="input-shape.*2\\^28"):
        parse_shape("65536,65536")


def _one_line(capsys):
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    return err


def test_without_torch_one_line_says_how_to_install_it(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` raises ImportError
    assert cli.main(["regime", "--model", "blocks:model", "--input-shape", "4,16", "--eps", "0.1"]) == 2
    assert "pip install 'pplimits[torch]'" in _one_line(capsys)


@pytest.mark.parametrize("args, named", [
    (("--depth", "4"), "depth"), (("--dim", "10"), "dim"), (("--op-seconds", "1"), "op-seconds"),
    (("--input-shape", "x"), "input-shape"),
])
def test_model_flags_are_checked_before_torch(args, named, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "torch", None)  # nothing here needs torch
    assert cli.main(["regime", "--model", "blocks:model", "--eps", "0.1", *args]) == 2
    assert named in _one_line(capsys)


@pytest.mark.parametrize("args, named", [
    (("--dim", "10"), "--depth"), (("--depth", "4"), "--dim"),
    (("--depth", "4", "--dim", "10", "--input-shape", "4"), "input-shape"),
])
def test_without_a_model_depth_and_dim_are_required(args, named, capsys):
    assert cli.main(["regime", "--eps", "0.1", *args]) == 2
    assert named in _one_line(capsys)


# ── with torch ──


@pytest.fixture
def torch():
    return pytest.importorskip("torch", reason="--model needs torch: pip install 'pplimits[torch]'")


@pytest.fixture
def blocks(tmp_path, monkeypatch, torch):
    yield from doubles.user_module(tmp_path, monkeypatch, BLOCKS, "blocks")


class FakeClock:
    """A timer the stages advance: a stage's forward adds its f, its backward its b (a custom autograd op)."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def costly(torch, clock, width, forward, backward):
    """A Linear(width, width) whose forward takes `forward` seconds on `clock` and whose backward `backward`; each
    may be a list, one value per call (the warm-up runs first)."""

    class Advance(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.clone()

        @staticmethod
        def backward(ctx, grad):
            clock.now += next(backward_costs)
            return grad

    forward_costs = iter(forward if isinstance(forward, list) else [forward] * 1000)
    backward_costs = iter(backward if isinstance(backward, list) else [backward] * 1000)
    linear = torch.nn.Linear(width, width)

    class Stage(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = linear

        def forward(self, x):
            if torch.is_grad_enabled():  # the untimed pass that checks the input runs without grad
                clock.now += next(forward_costs)
            return Advance.apply(self.linear(x))

    return Stage()


@pytest.mark.engine
def test_fake_clock_gives_exact_medians_after_the_warm_up(torch):
    clock = FakeClock()
    slow_start = [5.0] * (stage_costs.WARMUP + 1) + [0.25] * stage_costs.REPEATS  # +1: the whole-model warm-up
    outliers = [7.0] * (stage_costs.WARMUP + 1) + [1.0, 100.0] * 5 + [1.0]  # timed: six 1s and five 100s
    stages = [costly(torch, clock, 4, slow_start, 0.5), costly(torch, clock, 4, 0.125, 0.25),
              costly(torch, clock, 4, outliers, 3.0)]
    forward, backward = stage_costs.measure(stages, torch.ones(2, 4), path="fake", shape=(2, 4), source="test",
                                            timer=clock)
    assert forward == [0.25, 0.125, 1.0] and backward == [0.5, 0.25, 3.0]


@pytest.mark.engine
def test_profile_counts_and_names_the_slowest_stage_on_a_fake_clock(torch, monkeypatch):
    clock = FakeClock()
    costs = [(2**-10 * (8 if i == 4 else 1), 2**-9 * (8 if i == 4 else 1)) for i in range(9)]  # sums exact
    stages = [costly(torch, clock, 16, f, b) for f, b in costs]
    monkeypatch.setattr(stage_costs, "load_model", lambda path: (list(zip(map(str, range(9)), stages)), None))
    found = stage_costs.profile("fake:model", (4, 16), timer=clock, device="cpu")
    assert found.depth == 9 and found.dim == 9 * (16 * 16 + 16)
    assert [s.forward for s in found.stages] == [f for f, _ in costs]
    assert [s.backward for s in found.stages] == [b for _, b in costs]
    assert found.slowest.stage.index == 5 and (found.costs.f, found.costs.b) == (Fraction(1, 128), Fraction(1, 64))
    assert (found.balanced_costs.f, found.balanced_costs.b) == (Fraction(16, 9 * 1024), Fraction(16, 9 * 512))
    assert found.share == 8 / 16


@pytest.mark.engine
def test_parameters_are_counted_exactly(blocks, torch):
    stages, example = stage_costs.load_model(f"{blocks}:model")
    model = import_object(f"{blocks}:model")()  # built again, counted here independently
    dim, described = stage_costs.count_parameters(stages)
    assert len(stages) == 9 and example is None
    assert dim == sum(p.numel() for p in model.parameters())
    assert [s.params for s in described] == [sum(p.numel() for p in block.parameters()) for block in model]
    assert described[4].params == 16 * 2048 + 2048 + 2048 * 16 + 16
    dim, described = stage_costs.count_parameters(stage_costs.load_model(f"{blocks}:tied")[0])
    assert dim == 16 * 16 + 16 and [s.params for s in described] == [272, 0, 272]  # one tensor, counted once in d
    listed, _ = stage_costs.load_model(f"{blocks}:as_list")
    assert len(listed) == 3 and stage_costs.load_model(f"{blocks}:with_example")[1] == (8, 16)


@pytest.mark.engine
@pytest.mark.parametrize("name, named", [
    ("not_a_model", "must be an nn.Sequential"), ("empty", "no stages"), ("mixed", "stage 2 is a str"),
    ("single", "Linear"), ("broken", "ValueError: no weights here"), ("frozen", "no trainable parameters"),
    ("nothing", "has no 'nothing'"),
])
def test_a_bad_model_is_one_line_naming_it(blocks, name, named, capsys):
    assert cli.main(["regime", "--model", f"{blocks}:{name}", "--input-shape", "4,16", "--eps", "0.1"]) == 2
    err = _one_line(capsys)
    assert "model" in err and named in err


@pytest.mark.engine
def test_an_input_that_does_not_fit_names_the_input_shape(blocks, capsys):
    assert cli.main(["regime", "--model", f"{blocks}:eight", "--input-shape", "4,17", "--eps", "0.1"]) == 2
    err = _one_line(capsys)
    assert "input-shape" in err and "stage 1" in err and "RuntimeError" in err
    assert cli.main(["regime", "--model", f"{blocks}:eight", "--eps", "0.1"]) == 2
    assert "input-shape is required" in _one_line(capsys)


def _regime(folder, *args):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}  # no OpenMP thread waiting for a busy core: see the README
    done = subprocess.run([str(PPLIMITS), "regime", *args], capture_output=True, text=True, timeout=300, cwd=folder,
                          env=env)
    assert done.returncode == 0, done.stderr
    return done


@pytest.mark.engine
def test_regime_with_a_model_names_the_heavy_stage_and_answers_in_seconds(blocks, tmp_path):
    args = ("--model", f"{blocks}:model", "--input-shape", "32,16", "--eps", "0.01", "--set", "n=16")
    result = json.loads(_regime(tmp_path, *args, "--json").stdout)
    model = result["model"]
    assert result["depth"] == model["stages"] == 9 and result["dim"] == model["d"] == 8 * 272 + 67600
    assert model["params_per_stage"] == [272] * 4 + [67600] + [272] * 4
    assert model["slowest_stage"]["stage"] == 5  # ~250× the work of a small block: no timing noise flips it
    assert model["tick"] == {"forward_seconds": max(model["forward_seconds"]),
                             "backward_seconds": max(model["backward_seconds"])}
    f, b = model["tick"]["forward_seconds"], model["tick"]["backward_seconds"]
    gpipe = result["methods"]["subgradient"]
    assert result["seconds"]["subgradient"] == pytest.approx(gpipe["iterations"] * gpipe["makespan"] * (f + b) / 2)
    assert result["L_R"]["given_by"] == "user" and set(result["seconds"]) == {"pprs", "subgradient", "sgd"}
    done = _regime(tmp_path, *args)
    assert "measuring 9 stages on cpu" in done.stderr
    assert "stage 5 (Sequential) is the slowest and sets the tick" in done.stdout
    assert "L and R are yours to give" in done.stdout and "in seconds with the measured op costs" in done.stdout


@pytest.mark.engine
def test_an_example_input_stands_for_the_input_shape(blocks, capsys):
    assert cli.main(["regime", "--model", f"{blocks}:with_example", "--eps", "0.1", "--json"]) == 0
    model = json.loads(capsys.readouterr().out)["model"]
    assert model["input_shape"] == [8, 16] and model["input_from"] == "example_input" and model["stages"] == 2


def test_a_wrong_rl_is_the_answer_at_another_eps():
    """The sensitivity read off the crossover accuracy: a true RL c× the given gives the answer at ε/c."""
    from pplimits.reports.regime_model import sensitivity

    point = Point(256, 10**6, 0.01, inputs=16)
    found = sensitivity(explain(point))
    assert found.up is not None and found.down is None  # PPRS wins at this point for smaller ε only
    c = found.up
    at = lambda eps: explain(Point(256, 10**6, eps, inputs=16)).winner  # noqa: E731
    assert at(point.eps) != found.up_winner and at(point.eps / (c * 1.001)) == found.up_winner
    assert explain(Point(256, 10**6, 0.01, lipschitz=c * 1.001, inputs=16)).winner == found.up_winner
