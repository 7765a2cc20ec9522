"""The regime map: over pipeline depth Δ and accuracy RL/ε, which DERIVED upper bound on the time to ε is smaller,
PPRS (Theorem D, γ and K tuned) or the pipelined subgradient method, and by how much.

Each cell is `bounds.regime.regime(Δ, d, ε, L = R = 1, n)`: speed-up = subgradient time / PPRS time (both in time
units), the winner, and the log-log slope of the speed-up in Δ, near-linear where ≥ 0.9 (Δ ≪ nK).
Theorem D: PAPER shape, DERIVED constants (bounds/pprs.py, docs/theory.md §2.5); clock docs/theory.md §1.
"""
from dataclasses import asdict

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import CenteredNorm, LinearSegmentedColormap, ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MultipleLocator

from pplimits.bounds.regime import regime
from pplimits.reports.figures.style import METHOD_STYLE

TITLE = "Regime map: PPRS against the pipelined subgradient method"
DEPTHS = tuple(2**i for i in range(11))
ACCURACIES = tuple(10 ** (1 + i / 4) for i in range(13))  # RL/ε from 10 to 1e4
NEAR_LINEAR = 0.9
CMAP = LinearSegmentedColormap.from_list(
    "regime", [METHOD_STYLE["subgradient"]["color"], "white", METHOD_STYLE["pprs"]["color"]])
HATCH = "///"
TIE_STYLE = {"color": "black", "linewidth": 2}
NEAR_STYLE = {"color": "black", "linewidth": 0.8, "linestyle": "--"}
POINT_STYLE = {"marker": "*", "markersize": 16, "markerfacecolor": "yellow", "markeredgecolor": "black"}


def data(dim: int = 100, inputs: int = 1, depths=DEPTHS, accuracies=ACCURACIES, batch: int | None = None,
         point: dict | None = None) -> dict:
    """Per cell (row: RL/ε, column: Δ) speed-up, winner, depth slope and near-linear flag; K and T per row. With
    `batch` (SGD's b; n when None) the speed-up is over the better of the subgradient method and SGD; `point`
    ({"depth", "accuracy": RL/ε, "winner"}) is a user's point, marked on the map."""
    batch = inputs if batch is None else batch
    rows = [[asdict(regime(depth, dim, 1 / accuracy, inputs=inputs, batch=batch)) for depth in depths]
            for accuracy in accuracies]
    cells = {key: [[cell[key] for cell in row] for row in rows]
             for key in ("speedup", "winner", "depth_slope", "near_linear")}
    found = {"dim": dim, "inputs": inputs, "batch": batch, "depths": list(depths),
             "accuracies": [float(a) for a in accuracies], "K": [row[0]["K"] for row in rows],
             "T": [row[0]["T"] for row in rows], **cells}
    return {**found, "point": point} if point is not None else found


def _baseline(data) -> str:
    """What PPRS is compared with: the subgradient method, or the better of it and SGD when b < n."""
    batch = data.get("batch", data["inputs"])
    return "the pipelined subgradient method" if batch >= data["inputs"] else f"mini-batch SGD (b = {batch})"


def caption(data) -> str:
    speedups = [s for row in data["speedup"] for s in row]
    return (f"Speed-up of PPRS over {_baseline(data)}, the ratio of their DERIVED upper bounds on the "
            f"time to ε (bounds, not measurements), for d = {data['dim']}, n = {data['inputs']}, L = R = 1; "
            f"from ×{min(speedups):.2g} to ×{max(speedups):.3g} on this grid. The subgradient bound wins for "
            "shallow pipelines and low accuracy, PPRS for deep pipelines and high accuracy; the speed-up is "
            f"near-linear in Δ (hatched) only while Δ ≪ nK, K = {data['K'][0]} … {data['K'][-1]} samples per "
            "iteration here. Sources: Theorem D (PAPER shape, DERIVED constants in bounds/pprs.py, docs/theory.md §2.5), "
            "clock docs/theory.md §1.")


def _edges(centres) -> np.ndarray:
    """Cell edges halfway between log-spaced centres, extended by half a step at both ends."""
    logs = np.log10(centres)
    inner = (logs[:-1] + logs[1:]) / 2
    return 10 ** np.concatenate([[2 * logs[0] - inner[0]], inner, [2 * logs[-1] - inner[-1]]])


def _times(speedup: float) -> str:
    return f"×{speedup:.2g}" if speedup < 10 else f"×{speedup:.0f}"


def _boundary(mask, x_edges, y_edges) -> list:
    """The cell edges between neighbouring cells whose `mask` values differ, as line segments."""
    mask = np.asarray(mask)
    rows, cols = np.nonzero(mask[:, 1:] != mask[:, :-1])
    vertical = [[(x_edges[c + 1], y_edges[r]), (x_edges[c + 1], y_edges[r + 1])] for r, c in zip(rows, cols)]
    rows, cols = np.nonzero(mask[1:] != mask[:-1])
    horizontal = [[(x_edges[c], y_edges[r + 1]), (x_edges[c + 1], y_edges[r + 1])] for r, c in zip(rows, cols)]
    return vertical + horizontal


def draw(data, fig) -> None:
    """Heat map of log10 speed-up (green: subgradient wins, orange: PPRS wins) with the cell edges where the winner
    changes (speed-up = 1), the near-linear cells hatched, and nine cells annotated with their speed-up."""
    depths, accuracies = data["depths"], data["accuracies"]
    x_edges, y_edges = _edges(depths), _edges(accuracies)
    ax = fig.subplots()
    mesh = ax.pcolormesh(x_edges, y_edges, np.log10(data["speedup"]), cmap=CMAP, norm=CenteredNorm(0))
    bar = fig.colorbar(mesh, ax=ax, ticks=MultipleLocator(1), format=FuncFormatter(lambda p, _: f"×{10.0**p:g}"),
                       label=f"speed-up of PPRS over {'subgradient' if _baseline(data).endswith('method') else 'SGD'} (×)")
    bar.solids.set_rasterized(False)  # matplotlib rasterises colour bars of ≥ 50 colours; keep the page vector
    near = np.array(data["near_linear"])
    ax.pcolor(x_edges, y_edges, np.ma.masked_array(np.zeros(near.shape), mask=~near), cmap=ListedColormap(["none"]),
              hatch=HATCH, edgecolor="black", linewidth=0)
    ax.add_collection(LineCollection(_boundary(near, x_edges, y_edges), **NEAR_STYLE, gid="near-linear"))
    pprs_wins = np.array(data["winner"]) == "pprs"
    ax.add_collection(LineCollection(_boundary(pprs_wins, x_edges, y_edges), **TIE_STYLE, gid="speedup-1"))
    for i in (0, len(accuracies) // 2, len(accuracies) - 1):
        for j in (0, len(depths) // 2, len(depths) - 1):
            ax.text(depths[j], accuracies[i], _times(data["speedup"][i][j]), ha="center", va="center", fontsize=7.5,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(depths, labels=[str(d) for d in depths])
    ax.grid(False)
    ax.set_xlabel("pipeline depth Δ (layers)")
    ax.set_ylabel("RL/ε (dimensionless)")
    batch = data.get("batch", data["inputs"])
    ax.set_title(f"Upper bounds on the time to ε, d = {data['dim']}, n = {data['inputs']}"
                 + (f", b = {batch}" if batch != data["inputs"] else ""))
    handles = [Line2D([], [], **TIE_STYLE, label="speed-up = ×1: the winner changes"),
               Patch(facecolor="none", edgecolor="black", hatch=HATCH, linestyle=NEAR_STYLE["linestyle"],
                     label=f"near-linear in Δ (log-log slope ≥ {NEAR_LINEAR})")]
    point = data.get("point")
    if point is not None:
        ax.plot([point["depth"]], [point["accuracy"]], gid="point", **POINT_STYLE)
        handles.append(Line2D([], [], linestyle="none", **POINT_STYLE,
                              label=f"your point: Δ = {point['depth']}, RL/ε = {point['accuracy']:.3g} "
                                    f"({point['winner']} wins)"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2)
