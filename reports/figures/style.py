"""One look for every figure of the report: page geometry, fonts, and a colour per method.

Vector output only; `apply()` fixes the rcParams that make the PDF bytes reproducible.
"""
import matplotlib

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
LOWER_STYLE = {"color": "black", "linestyle": "--", "linewidth": 1.2}
UPPER_STYLE = {"color": "black", "linestyle": ":", "linewidth": 1.2}
FORWARD_COLOR = "#4c72b0"
BACKWARD_COLOR = "#dd8452"


def apply() -> None:
    """Set the rcParams every report figure is drawn with (call before creating figures)."""
    matplotlib.rcParams.update({
        "font.size": FONT_SIZE, "axes.titlesize": FONT_SIZE + 1, "axes.labelsize": FONT_SIZE,
        "legend.fontsize": FONT_SIZE - 1, "xtick.labelsize": FONT_SIZE - 1, "ytick.labelsize": FONT_SIZE - 1,
        "font.family": "DejaVu Sans", "mathtext.fontset": "dejavusans",
        "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False,
        "pdf.fonttype": 42, "svg.hashsalt": "pplimits", "path.simplify": False,
    })
