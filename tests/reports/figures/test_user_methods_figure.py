"""`pplimits report --method PACKAGE.MODULE:NAME` (issue 14, item 1): a user's method joins the convergence figure's
smooth panels, with the same envelopes, its own colour and a legend entry; never the non-smooth ones."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from pplimits.experiments.matrix import QUICK  # noqa: E402
from pplimits.reports.figures import convergence  # noqa: E402
from pplimits.reports.figures.style import METHOD_STYLE, method_styles  # noqa: E402
from tests import doubles  # noqa: E402

SOURCE = '''
class GD:
    span_method = True
    def __init__(self, beta): self.step = 1 / beta
    def init(self, params): return ()
    def update(self, grads, state, params): return -self.step * grads, state
'''


@pytest.fixture
def module(tmp_path, monkeypatch):
    yield from doubles.user_module(tmp_path, monkeypatch, SOURCE, "figure_methods")


def test_a_users_method_is_drawn_on_the_smooth_panels_only(module, monkeypatch):
    monkeypatch.setattr(convergence, "PANELS", (convergence.PANELS[0], convergence.PANELS[3]))  # nesterov, max-function
    data = convergence.data(QUICK, (f"{module}:GD",))
    smooth, nonsmooth = data["panels"]
    curves = {c["method"]: c for c in smooth["curves"]}
    assert curves[f"{module}:GD"]["values"] == curves["gd"]["values"]  # the user's GD is GD (optax convention)
    assert all(c["method"] != f"{module}:GD" for c in nonsmooth["curves"])
    assert f"{module}:GD on GD (nesterov-chain)" in convergence.caption(data)
    fig = plt.figure()
    convergence.draw(data, fig)
    legend = [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]
    assert f"{module}:GD (deterministic)" in legend
    plt.close(fig)


def test_each_users_method_gets_a_colour_no_built_in_method_has():
    styles = method_styles(("a:X", "b:Y"))
    built_in = {s["color"] for s in METHOD_STYLE.values()}
    assert styles["a:X"]["color"] != styles["b:Y"]["color"]
    assert not {styles["a:X"]["color"], styles["b:Y"]["color"]} & built_in
