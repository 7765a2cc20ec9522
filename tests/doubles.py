"""Test doubles shared by the tests of users' methods: what a user would write in a file of their own."""
import sys


def user_module(tmp_path, monkeypatch, source: str, prefix: str):
    """Write `source` as a module of the user's own in `tmp_path`, made the working folder, under a name no other
    test uses; yield the name, and forget the module after (a generator for a fixture to `yield from`)."""
    name = f"{prefix}_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{name}.py").write_text(source)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    yield name
    sys.modules.pop(name, None)


class GradientStep:
    """Gradient descent with step h/β in pplimits' method protocol (arrays of shape (runs, dim)); it declares
    itself zero-respecting, as a user's span method must."""

    span_method = True
    name, queries_per_iteration = "gradient-step", 1  # what the runner reads (adopting a user's method sets them)

    def __init__(self, beta, h=1.0):
        self.step = h / beta

    def init(self, x0):
        return x0

    def queries(self, x):
        return x[:, None, :]

    def update(self, x, gradients):
        return x - self.step * gradients[:, 0, :]

    def iterate(self, x):
        return x
