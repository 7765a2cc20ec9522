"""Figure style: curves that lie on one another are found (so they are drawn dashed), and the convergence
figure keeps its legend out of the panels."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from pplimits.reports.figures import convergence  # noqa: E402
from pplimits.reports.figures.style import coinciding  # noqa: E402


def test_coinciding_finds_curves_drawn_over_earlier_ones():
    x = [1, 2, 4, 8, 16]
    assert coinciding([(x, [5, 4, 3, 2, 1]), (x, [5, 4, 3, 2, 1])]) == [None, 0]  # identical
    assert coinciding([(x, [5, 4, 3, 2, 1]), (x, [5.05, 4.04, 3, 2, 1])]) == [None, 0]  # 1 % apart
    assert coinciding([(x, [5, 4, 3, 2, 1]), (x, [5.5, 4.4, 3.3, 2.2, 1.1])]) == [None, None]  # 10 % apart
    # another time grid, on the earlier curve (log-log interpolation): y = 1/t against y = 1/t
    assert coinciding([([1, 10, 100], [1, 0.1, 0.01]), ([2, 5, 20, 50], [0.5, 0.2, 0.05, 0.02])]) == [None, 0]
    # on the earlier curve at 2 of 5 points only (the rest far off): visible, not dashed
    assert coinciding([(x, [5, 4, 3, 2, 1]), (x, [5, 4, 30, 20, 10])]) == [None, None]
    # a third curve equal to the first two is matched to the first, never to one already dashed
    assert coinciding([(x, [1, 1, 1, 1, 1])] * 3) == [None, 0, 0]


def test_the_convergence_legend_is_in_its_own_cell():
    """Each panel's own legend covered curves and a marker (nesterov-chain, ▲ at ε); the one legend now sits in the
    free cell and lists each method once, and a curve on another is dashed."""
    times = [8, 16, 32, 64]
    panel = {"instance": "nesterov-chain", "setting": "smooth-convex", "criterion": "gap", "eps": 1e-3, "dim": 10,
             "curves": [{"method": "gd", "times": times, "values": [1, 0.5, 0.1, 0.01], "summary": "deterministic"},
                        {"method": "heavy-ball", "times": times, "values": [1, 0.5, 0.1, 0.01],
                         "summary": "deterministic"}],
             "span_bound": None, "upper": [], "markers": [{"method": None, "time": 20}]}
    fig = plt.figure()
    convergence.draw({"panels": [panel, panel], "user_methods": []}, fig)
    axes = fig.axes
    assert [ax.get_legend() is None for ax in axes[:2]] == [True, True]
    labels = [text.get_text() for text in axes[2].get_legend().get_texts()]
    assert labels[:2] == ["GD (deterministic)", "heavy ball (deterministic)"]
    gd, heavy_ball = axes[0].get_lines()[:2]
    assert gd.get_linestyle() == "-" and heavy_ball.get_linestyle() == "--"
    plt.close(fig)
