"""The regime map: over pipeline depth Δ and accuracy RL/ε, which DERIVED upper bound on the time to ε is smaller,
PPRS (Theorem D, γ and K tuned) or the pipelined subgradient method, and by how much.

Each cell is `bounds.regime.regime(Δ, d, ε, L = R = 1, n)`: speed-up = subgradient time / PPRS time (both in time
units), the winner, and the log-log slope of the speed-up in Δ, near-linear where ≥ 0.9 (Δ ≪ nK). Over the cells, the
exact crossovers of `reports.regime` (DERIVED, by monotonicity): the depth Δ* where the winner changes at each RL/ε,
and the accuracies ε* where it changes at each Δ. `map_data` and `write_map` draw it for the point of
`pplimits regime --plot` (they live here, not in reports/regime.py, so the two modules import one way only).
Theorem D: PAPER shape, DERIVED constants (bounds/pprs.py, docs/theory.md §2.5); clock docs/theory.md §1.
"""
import io
from dataclasses import asdict
from pathlib import Path

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import CenteredNorm, LinearSegmentedColormap, ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MultipleLocator

from pplimits._util.checks import UsageError
from pplimits._util.files import require_writable, write_atomic
from pplimits.bounds.regime import regime
from pplimits.reports.figures import style
from pplimits.reports.figures.style import METHOD_STYLE
from pplimits.reports.regime import DEPTH_RANGE, Explanation, Point, depth_crossovers, eps_crossovers

TITLE = "Regime map: PPRS against the pipelined subgradient method"
DEPTHS = tuple(2**i for i in range(11))
ACCURACIES = tuple(10 ** (1 + i / 4) for i in range(13))  # RL/ε from 10 to 1e4
NEAR_LINEAR = 0.9
CMAP = LinearSegmentedColormap.from_list(
    "regime", [METHOD_STYLE["subgradient"]["color"], "white", METHOD_STYLE["pprs"]["color"]])
HATCH = "///"
TIE_STYLE = {"color": "black", "linewidth": 2}
NEAR_STYLE = {"color": "black", "linewidth": 0.8, "linestyle": "--"}
DEPTH_CROSSOVER_STYLE = {"color": "#1f3fbf", "linewidth": 1.5, "marker": "o", "markersize": 4.5,
                         "markerfacecolor": "white"}
EPS_CROSSOVER_STYLE = {"color": "#7b2d8e", "linestyle": "none", "marker": "_", "markersize": 12, "markeredgewidth": 2}
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
             "T": [row[0]["T"] for row in rows], **cells, **crossovers(dim, inputs, batch, depths, accuracies)}
    return {**found, "point": point} if point is not None else found


def crossovers(dim: int, inputs: int, batch: int, depths, accuracies) -> dict:
    """Per row (RL/ε, L = R = 1) the depths Δ* ≤ 2²⁰ where the winner changes, per column (Δ) the ε* in 10⁻⁸ … 1
    where it does (`reports.regime.depth_crossovers`, `eps_crossovers`), and how many searches left a sub-range."""
    by_row = [depth_crossovers(Point(1, dim, 1 / accuracy, inputs=inputs, batch=batch)) for accuracy in accuracies]
    by_column = [eps_crossovers(Point(depth, dim, 1 / accuracies[0], inputs=inputs, batch=batch)) for depth in depths]
    return {"crossover_depth": [[c.at for c in found.changes] for found in by_row],
            "crossover_eps": [[c.at for c in found.changes] for found in by_column],
            "crossover_unsettled": sum(found.unsettled is not None for found in by_row + by_column)}


def crossover_points(data) -> dict:
    """The crossovers inside the map, as (Δ, RL/ε) points: "depth" (Δ*, RL/ε) for each row, "eps" (Δ, 1/ε*) for
    each column (L = R = 1)."""
    x_edges, y_edges = _edges(data["depths"]), _edges(data["accuracies"])
    inside = lambda x, y: x_edges[0] <= x <= x_edges[-1] and y_edges[0] <= y <= y_edges[-1]  # noqa: E731
    by_depth = [(at, accuracy) for accuracy, found in zip(data["accuracies"], data["crossover_depth"]) for at in found]
    by_eps = [(depth, 1 / at) for depth, found in zip(data["depths"], data["crossover_eps"]) for at in found]
    return {"depth": [p for p in by_depth if inside(*p)], "eps": [p for p in by_eps if inside(*p)]}


def _baseline(data) -> str:
    """What PPRS is compared with: the subgradient method, or the better of it and SGD when b < n."""
    batch = data.get("batch", data["inputs"])
    return "the pipelined subgradient method" if batch >= data["inputs"] else f"mini-batch SGD (b = {batch})"


def caption(data) -> str:
    speedups = [s for row in data["speedup"] for s in row]
    points = crossover_points(data)
    left = data["crossover_unsettled"]
    unsettled = f" ({left} searches left a sub-range unsettled)" if left else ""
    return (f"Speed-up of PPRS over {_baseline(data)}, the ratio of their DERIVED upper bounds on the "
            f"time to ε (bounds, not measurements), for d = {data['dim']}, n = {data['inputs']}, L = R = 1; "
            f"from ×{min(speedups):.2g} to ×{max(speedups):.3g} on this grid. The subgradient bound wins for "
            "shallow pipelines and low accuracy, PPRS for deep pipelines and high accuracy; the speed-up is "
            f"near-linear in Δ (hatched) only while Δ ≪ nK, K = {data['K'][0]} … {data['K'][-1]} samples per "
            f"iteration here. Blue: the exact crossover depth Δ* per RL/ε ({len(points['depth'])} of "
            f"{len(data['accuracies'])} rows), purple: the crossover accuracies RL/ε* per Δ (clustered where ceilings "
            f"in K, T make the winner alternate), by reports/regime.py's search{unsettled}; both refine the black "
            "boundary. Sources: Theorem D (PAPER shape, DERIVED "
            "constants in bounds/pprs.py, docs/theory.md §2.5), clock docs/theory.md §1.")


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
    points = crossover_points(data)
    if points["depth"]:
        ax.plot(*zip(*points["depth"]), **DEPTH_CROSSOVER_STYLE, gid="crossover-depth")
    if points["eps"]:
        ax.plot(*zip(*points["eps"]), **EPS_CROSSOVER_STYLE, gid="crossover-eps")
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
                     label=f"near-linear in Δ (log-log slope ≥ {NEAR_LINEAR})"),
               Line2D([], [], **DEPTH_CROSSOVER_STYLE, label="crossover depth Δ* at each RL/ε (exact)"),
               Line2D([], [], **EPS_CROSSOVER_STYLE, label="crossover accuracy RL/ε* at each Δ (exact)")]
    point = data.get("point")
    if point is not None:
        ax.plot([point["depth"]], [point["accuracy"]], gid="point", **POINT_STYLE)
        handles.append(Line2D([], [], linestyle="none", **POINT_STYLE,
                              label=f"your point: Δ = {point['depth']}, RL/ε = {point['accuracy']:.3g} "
                                    f"({point['winner']} wins)"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2)


# ── the map for a point of `pplimits regime --plot` ──

MAP_FORMATS = ("pdf", "png")
MAP_SIZE = (7.5, 6.5)  # inches


def require_map_path(path) -> Path:
    """`path` for `--plot`, checked before any work: writable (require_writable) and ending in .pdf or .png."""
    if Path(str(path)).suffix.lower().lstrip(".") not in MAP_FORMATS:
        raise UsageError(f"plot must be a file path ending in .pdf or .png, got {str(path)!r}")
    return require_writable("plot", path)


def _grid(low: float, high: float, value: float, steps: list[float]) -> list[float]:
    """`steps` (log-spaced) extended by the same ratio until they cover `value`."""
    ratio = steps[1] / steps[0]
    while steps[0] > value:
        steps.insert(0, steps[0] / ratio)
    while steps[-1] < value:
        steps.append(steps[-1] * ratio)
    return [s for s in steps if low <= s <= high] or steps


def map_data(explanation: Explanation) -> dict:
    """The report's regime map for the point's d, n and b, over Δ = 1, 2, 4, … and
    RL/ε in quarter decades, both extended to cover the point, which is marked."""
    point = explanation.point
    accuracy = point.lipschitz * point.radius / point.eps
    depths = [float(2**i) for i in range(11)]
    depths = [int(x) for x in _grid(1, DEPTH_RANGE[1], point.depth, depths)]
    accuracies = _grid(1.0, 1e8, accuracy, [10 ** (1 + i / 4) for i in range(13)])
    return data(dim=point.dim, inputs=point.inputs, batch=point.batch, depths=tuple(depths),
                           accuracies=tuple(accuracies),
                           point={"depth": point.depth, "accuracy": accuracy, "winner": explanation.winner})


def write_map(explanation: Explanation, path) -> Path:
    """Draw the map (map_data) and write it to `path` (PDF or PNG by its suffix), atomically."""
    path = require_map_path(path)
    style.apply()
    figure = Figure(figsize=MAP_SIZE, layout="constrained")
    draw(map_data(explanation), figure)
    buffer = io.BytesIO()
    kind = path.suffix.lower().lstrip(".")
    figure.savefig(buffer, format=kind, metadata={"CreationDate": None} if kind == "pdf" else {"Software": None})
    return write_atomic(path, buffer.getvalue())
