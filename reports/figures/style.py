"""One look for every figure of the report: page geometry, fonts, and a colour per method.

Vector output only; `apply()` fixes the rcParams that make the PDF bytes reproducible.
"""
import matplotlib
import numpy as np

PAGE = (8.27, 11.69)  # A4 portrait, inches
MARGIN = 0.6  # inches on every side of a page
FONT_SIZE = 9

# The same method always gets the same colour and marker across figures.
METHOD_STYLE = {
    "gd": {"color": "#1f77b4", "marker": "o", "label": "GD"},
    "agd": {"color": "#d62728", "marker": "s", "label": "AGD"},
    "heavy-ball": {"color": "#9467bd", "marker": "^", "label": "heavy ball"},
    "random-span": {"color": "#7f7f7f", "marker": ".", "label": "random span"},
    "subgradient": {"color": "#2ca02c", "marker": "D", "label": "subgradient"},
    "subgradient-decay": {"color": "#2ca02c", "marker": "D", "label": "subgradient (c/√(t+1))"},
    "pprs": {"color": "#ff7f0e", "marker": "v", "label": "PPRS"},
    "pprs-drs": {"color": "#8c564b", "marker": "P", "label": "PPRS (DRS, RECON)"},
    "sgd": {"color": "#17becf", "marker": "x", "label": "mini-batch SGD"},
}
# The same schedule family always gets the same colour and marker (the schedule-family pages).
SCHEDULE_STYLE = {
    "gpipe": {"color": "#1f77b4", "marker": "o", "label": "GPipe"},
    "1f1b": {"color": "#d62728", "marker": "s", "label": "1F1B"},
    "interleaved-1f1b": {"color": "#9467bd", "marker": "^", "label": "interleaved 1F1B (v = 2)"},
    "zb-h1": {"color": "#8c564b", "marker": "D", "label": "ZB-H1"},
}
# A user's methods (PACKAGE.MODULE:NAME), in the order given: colours no built-in method uses.
USER_COLORS = ("#e377c2", "#bcbd22", "#000080", "#808000", "#00a087", "#b8860b")


def method_styles(user_methods=()) -> dict:
    """Every method's style: the built-in ones, and a user's methods by their place in `user_methods`."""
    users = {method: {"color": USER_COLORS[i % len(USER_COLORS)], "marker": "*", "label": method}
             for i, method in enumerate(user_methods)}
    return {**METHOD_STYLE, **users}


# A curve equal to one drawn before it is dashed with hollow markers, so the first shows through it.
COINCIDING_STYLE = {"linestyle": (0, (3, 3)), "markerfacecolor": "none"}
LOWER_STYLE = {"color": "black", "linestyle": "--", "linewidth": 1.2}
UPPER_STYLE = {"color": "black", "linestyle": ":", "linewidth": 1.2}
FORWARD_COLOR = "#4c72b0"
BACKWARD_COLOR = "#dd8452"
WEIGHT_COLOR = "#55a868"  # the weight-gradient op W of a split backward (zero bubble)


def apply() -> None:
    """Set the rcParams every report figure is drawn with (call before creating figures)."""
    matplotlib.rcParams.update({
        "font.size": FONT_SIZE, "axes.titlesize": FONT_SIZE + 1, "axes.labelsize": FONT_SIZE,
        "legend.fontsize": FONT_SIZE - 1, "xtick.labelsize": FONT_SIZE - 1, "ytick.labelsize": FONT_SIZE - 1,
        "font.family": "DejaVu Sans", "mathtext.fontset": "dejavusans",
        "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False,
        "pdf.fonttype": 42, "svg.hashsalt": "pplimits", "path.simplify": False,
    })


def coinciding(series: list, rtol: float = 0.02) -> list[int | None]:
    """For each (x, y) pair of sequences (x increasing, y > 0), the index of an earlier pair it lies on — within
    `rtol` (2 %: a line's width on these log axes) of the earlier curve, interpolated log-log, at half or more of
    its points — else None. A curve drawn over another it follows hides it, so the figures draw it dashed."""
    found = []
    for i, (x, y) in enumerate(series):
        x, y = np.asarray(x, float), np.asarray(y, float)
        match = None
        for j, (x_j, y_j) in enumerate(series[:i]):
            x_j, y_j = np.asarray(x_j, float), np.asarray(y_j, float)
            inside = (x >= x_j[0]) & (x <= x_j[-1]) & (y > 0)
            if found[j] is not None or not (y_j > 0).all():
                continue
            under = np.exp(np.interp(np.log(x[inside]), np.log(x_j), np.log(y_j)))
            close = np.abs(y[inside] - under) <= rtol * under
            if 2 * close.sum() >= len(x):
                match = j
                break
        found.append(match)
    return found
