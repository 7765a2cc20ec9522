"""Methods by import path (issue 14, item 1): a user's own method in a file of their own, run like a built-in one,
in pplimits' protocol or the optax convention; span lower bounds only for a method that declares itself one."""
import json
import textwrap

import pytest

from pplimits.cli import main
from tests import doubles

SOURCE = textwrap.dedent('''
    import numpy as np


    from tests.doubles import GradientStep as GD


    def gd(beta):
        return GD(beta)


    class Momentum:
        """optax convention: v <- m v - g/β, updates = v (heavy ball); says nothing about spans."""

        def __init__(self, beta, momentum):
            self.beta, self.momentum = beta, momentum

        def init(self, params):
            return np.zeros_like(params)

        def update(self, grads, velocity, params=None):
            velocity = self.momentum * velocity - grads / self.beta
            return velocity, velocity


    def heavy(beta, momentum=0.5):
        return Momentum(beta, momentum)


    def needs_lipschitz(lipschitz):
        return GD(1.0)


    not_a_method = 3


    class Broken(GD):
        def update(self, x, gradients):
            raise ValueError("my bug")


    class FlatQueries(GD):
        def queries(self, x):
            return x
''')


@pytest.fixture
def user_module(tmp_path, monkeypatch):
    yield from doubles.user_module(tmp_path, monkeypatch, SOURCE, "user_methods")


def _run(capsys, method, *extra, instance="nesterov-chain", eps="1e-3"):
    code = main(["run", "--method", method, "--instance", instance, "--depth", "4", "--eps", eps, "--json", *extra])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else None), err


def test_a_users_gd_is_the_built_in_gd_with_the_span_bounds(user_module, capsys):
    """Step 1/β is GD: the same time to ε and iterations as `--method gd`, and the span lower bounds, which it
    declares it respects, are reported (a method that hid its zero-respecting nature lost them, and ran
    40 180 iterations as 'randomised')."""
    code, mine, _ = _run(capsys, f"{user_module}:gd")
    _, builtin, _ = _run(capsys, "gd")
    assert code == 0 and mine["time_to_eps"] == builtin["time_to_eps"] and mine["iterations"] == builtin["iterations"]
    assert mine["lower_bound_time"] == builtin["lower_bound_time"] is not None
    assert mine["instance_lower_bound_time"] == builtin["instance_lower_bound_time"]


def test_an_optax_style_method_with_its_own_parameter(user_module, capsys):
    """heavy ball with momentum 0: exactly GD; with momentum 0.9 it is faster, but it never said it is a span
    method, so no span lower bound is claimed for it (pplimits does not guess from a name)."""
    _, plain, _ = _run(capsys, f"{user_module}:heavy", "--set", "momentum=0")
    _, builtin, _ = _run(capsys, "gd")
    assert plain["time_to_eps"] == builtin["time_to_eps"]
    code, fast, _ = _run(capsys, f"{user_module}:heavy", "--set", "momentum=0.9")
    assert code == 0 and fast["time_to_eps"] < builtin["time_to_eps"]
    assert fast["lower_bound_time"] is None and any("is not a span method" in n for n in fast["notes"])


@pytest.mark.parametrize("method, extra, message", [
    (":gd", (), "must be PACKAGE.MODULE:NAME"),
    ("no_such_module_here:gd", (), "no module 'no_such_module_here' importable"),
    ("{m}:missing", (), "has no 'missing'"),
    ("{m}:not_a_method", (), "neither a method object"),
    ("{m}:needs_lipschitz", (), "needs lipschitz, which nesterov-chain does not have"),
    ("{m}:heavy", ("--set", "step=2"), "unknown parameter 'step'"),
    ("{m}:Broken", (), "its update raised ValueError: my bug"),  # the user's bug, not pplimits' (was exit 1)
    ("{m}:FlatQueries", (), "queries must be an array of shape (runs, queries_per_iteration = 1, dim)"),
])
def test_a_bad_user_method_is_one_line_naming_it(user_module, capsys, method, extra, message):
    code, _, err = _run(capsys, method.format(m=user_module), *extra)
    assert code == 2 and message in err and err.count("\n") == 1, err
