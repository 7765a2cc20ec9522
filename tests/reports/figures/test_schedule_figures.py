"""The schedule figures, the bubbling schedule (gantt) and the regime map (regime): data against the clock and
bounds.regime.regime, one labelled rectangle per op, the drawn boundaries, JSON, legibility, byte-identical PDFs."""
import io
import json
import math
from dataclasses import asdict
from fractions import Fraction

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from pplimits.algorithms.clock import makespan
from pplimits.bounds.regime import regime as reference
from pplimits.reports.document import CAPTION_LINES, caption_lines
from pplimits.reports.figures import gantt, regime, style
from pplimits.reports.regime import Point, depth_crossovers, eps_crossovers

SIZE = (7.1, 8.5)
GANTT_CASES = [(4, 3), (1, 1), (3, 5), (6, 2)]
CELLS = [(0, 0), (0, 10), (12, 0), (12, 10), (6, 5), (1, 7), (2, 7)]  # (RL/ε row, Δ column) of regime.data()


@pytest.fixture(scope="module", autouse=True)
def styled():
    style.apply()


@pytest.fixture(scope="module")
def regime_data():
    return regime.data()


def drawn(module, data, **options) -> Figure:
    fig = Figure(figsize=SIZE, **options)
    module.draw(data, fig)
    return fig


def json_ready(value) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and json_ready(v) for k, v in value.items())
    if isinstance(value, list):
        return all(json_ready(v) for v in value)
    return type(value) in (int, float, str, bool, type(None))


@pytest.mark.parametrize("depth, inputs", GANTT_CASES)
def test_gantt_runs_every_op_once_within_the_clock_makespan(depth, inputs):
    data = gantt.data(depth, inputs)
    every = {(kind, stage, k) for kind in ("forward", "backward") for stage in range(1, depth + 1)
             for k in range(1, inputs + 1)}
    for name, schedule in data["schedules"].items():
        ops = schedule["ops"]
        assert len(ops) == 2 * depth * inputs
        assert {(op["op"], op["stage"], op["input"]) for op in ops} == every
        assert len({(op["tick"], op["stage"]) for op in ops}) == len(ops)  # half duplex: one op per stage per tick
        assert schedule["makespan"] == makespan(depth, inputs, name, "half") == max(op["tick"] for op in ops)
        assert min(op["tick"] for op in ops) == 1
    busy = Fraction(2 * inputs, data["schedules"]["gpipe"]["makespan"])  # share of each stage's time not idle
    assert 1 - busy == Fraction(depth - 1, inputs + depth - 1)
    assert gantt.bubble_fraction(data) == pytest.approx(float(1 - busy))
    assert f"{float(1 - busy):.0%}" in gantt.caption(data)


@pytest.mark.parametrize("depth, inputs", [(4, 3), (2, 2)])
def test_gantt_draws_one_labelled_rectangle_per_op_inside_its_cell(depth, inputs):
    data = gantt.data(depth, inputs)
    fig = drawn(gantt, data)
    renderer = FigureCanvasAgg(fig).get_renderer()
    assert len(fig.axes) == 2 and fig.axes[0].get_xlim() == fig.axes[1].get_xlim()
    for ax, (name, schedule) in zip(fig.axes, data["schedules"].items()):
        assert ax.get_ylim()[0] > ax.get_ylim()[1]  # stage 1 at the top
        assert f"= {schedule['makespan']} time units" in ax.get_title()
        rectangles = [p for p in ax.patches if isinstance(p, Rectangle)]
        assert len(rectangles) == len(ax.patches) == len(ax.texts) == len(schedule["ops"])
        color = {"forward": style.FORWARD_COLOR, "backward": style.BACKWARD_COLOR}
        cells = {(op["tick"] - 1, op["stage"]): op for op in schedule["ops"]}
        for rectangle, text in zip(rectangles, ax.texts):
            op = cells.pop((rectangle.get_x(), round(rectangle.get_y() + rectangle.get_height() / 2)))
            assert np.allclose(rectangle.get_facecolor()[:3], to_rgb(color[op["op"]]))
            assert text.get_text() == f"{op['op'][0].upper()}{op['input']}"
            assert text.get_position() == (op["tick"] - 0.5, op["stage"])
            box, cell = text.get_window_extent(renderer), rectangle.get_window_extent(renderer)
            assert cell.x0 <= box.x0 and box.x1 <= cell.x1 and cell.y0 <= box.y0 and box.y1 <= cell.y1
        assert not cells


@pytest.mark.parametrize("row, column", CELLS)
def test_regime_cells_equal_bounds_pprs_regime(regime_data, row, column):
    depth, accuracy = regime_data["depths"][column], regime_data["accuracies"][row]
    expected = asdict(reference(depth, 100, 1 / accuracy, lipschitz=1, radius=1, inputs=1))
    for key in ("speedup", "winner", "depth_slope", "near_linear"):
        assert regime_data[key][row][column] == expected[key], key
    assert (regime_data["K"][row], regime_data["T"][row]) == (expected["K"], expected["T"])
    assert expected["pprs_time"] == 2 * (depth + expected["K"] - 1) * expected["T"]  # T batches of nK inputs
    assert abs(expected["subgradient_time"] / (2 * depth) - accuracy**2) <= 1  # ⌈(RL/ε)²⌉ gradients, n = 1
    assert expected["speedup"] == expected["subgradient_time"] / expected["pprs_time"]


def test_regime_with_other_dimension_and_inputs_matches_every_cell():
    data = regime.data(dim=16, inputs=3, depths=(1, 8, 64), accuracies=(10.0, 1000.0))
    for row, accuracy in enumerate(data["accuracies"]):
        for column, depth in enumerate(data["depths"]):
            expected = asdict(reference(depth, 16, 1 / accuracy, inputs=3))
            assert [data[k][row][column] for k in ("speedup", "winner")] == [expected["speedup"], expected["winner"]]


def test_regime_winner_flips_exactly_where_the_speedup_crosses_one(regime_data):
    speedup, winner = np.array(regime_data["speedup"]), np.array(regime_data["winner"])
    assert ((winner == "pprs") == (speedup > 1)).all()
    assert {"pprs", "subgradient"} == set(winner.ravel())
    assert (np.diff(speedup, axis=1) > 0).all()  # speed-up grows with Δ: at most one flip per row
    near = np.array(regime_data["near_linear"])
    assert (near == (np.array(regime_data["depth_slope"]) >= regime.NEAR_LINEAR)).all() and near.any()


def between(mask, depths, accuracies) -> set:
    """Midpoints (in log coordinates) of the edges between neighbouring cells of different `mask`."""
    across = zip(*np.nonzero(mask[:, 1:] != mask[:, :-1]))  # (row, column) left of a vertical edge
    down = zip(*np.nonzero(mask[1:] != mask[:-1]))  # (row, column) below a horizontal edge
    edges = {(math.sqrt(depths[j] * depths[j + 1]), accuracies[i]) for i, j in across}
    edges |= {(depths[j], math.sqrt(accuracies[i] * accuracies[i + 1])) for i, j in down}
    return {(round(x, 6), round(y, 6)) for x, y in edges}


def midpoints(collection) -> set:
    segments = collection.get_segments()
    return {(round(math.sqrt(x0 * x1), 6), round(math.sqrt(y0 * y1), 6)) for (x0, y0), (x1, y1) in segments}


def test_regime_draws_the_winner_boundary_and_hatches_near_linear_cells(regime_data):
    fig = drawn(regime, regime_data)
    ax = fig.axes[0]
    depths, accuracies = regime_data["depths"], regime_data["accuracies"]
    collections = {c.get_gid(): c for c in ax.collections}
    winner = np.array(regime_data["winner"]) == "pprs"
    near = np.array(regime_data["near_linear"])
    assert midpoints(collections["speedup-1"]) == between(winner, depths, accuracies)
    assert midpoints(collections["near-linear"]) == between(near, depths, accuracies)
    hatched = [c for c in ax.collections if c.get_hatch()]
    assert len(hatched) == 1 and len(hatched[0].get_paths()) == near.sum()
    assert {t.get_text() for t in fig.axes[1].get_yticklabels()} >= {"×0.1", "×1", "×10"}
    for text in ax.texts:
        row, column = accuracies.index(text.get_position()[1]), depths.index(text.get_position()[0])
        assert float(text.get_text().lstrip("×")) == pytest.approx(regime_data["speedup"][row][column], rel=0.05)


def test_regime_crossovers_are_the_crossover_searches_and_exact(regime_data):
    """Each row's Δ* and each column's ε* are reports/regime.py's searches, and each is a change of winner of
    bounds.regime.regime evaluated directly: at Δ* − 1 and Δ* (at the float below ε* and at ε*) the winners differ."""
    for accuracy, found in zip(regime_data["accuracies"], regime_data["crossover_depth"]):
        search = depth_crossovers(Point(1, 100, 1 / accuracy, inputs=1))
        assert found == [c.at for c in search.changes] and len(found) <= 1  # affine times: one change at most
        asked = (1, 2**20, *found, *(at - 1 for at in found))
        winner = {depth: reference(depth, 100, 1 / accuracy).winner for depth in asked}
        for at in found:
            assert winner[at - 1] == "subgradient" != winner[at]
        assert winner[2**20] == ("pprs" if found else winner[1])
    for depth, found in zip(regime_data["depths"], regime_data["crossover_eps"]):
        assert found == [c.at for c in eps_crossovers(Point(depth, 100, 0.1, inputs=1)).changes]
        for at in found:
            assert reference(depth, 100, at).winner != reference(depth, 100, math.nextafter(at, 0)).winner
    assert regime_data["crossover_unsettled"] == 0
    assert sum(map(len, regime_data["crossover_depth"])) == 12 and sum(map(len, regime_data["crossover_eps"])) > 11


def test_regime_crossovers_agree_with_the_drawn_winner_boundary(regime_data):
    """The cell boundary and the crossovers are the same thing: in each row the winner changes between columns j and
    j + 1 exactly where a Δ* lies in (Δ_j, Δ_j+1], in each column between rows i and i + 1 exactly where an odd number
    of ε* lie in (ε_i+1, ε_i] (ε = 1/(RL/ε) as the cells evaluate it, L = R = 1)."""
    winner = np.array(regime_data["winner"]) == "pprs"
    depths, accuracies = regime_data["depths"], regime_data["accuracies"]
    for i, found in enumerate(regime_data["crossover_depth"]):
        for j in range(len(depths) - 1):
            assert (winner[i, j] != winner[i, j + 1]) == any(depths[j] < at <= depths[j + 1] for at in found)
        assert winner[i, 0] == any(at <= depths[0] for at in found)
    for j, found in enumerate(regime_data["crossover_eps"]):
        for i in range(len(accuracies) - 1):
            inside = sum(1 / accuracies[i + 1] < at <= 1 / accuracies[i] for at in found)
            assert (winner[i, j] != winner[i + 1, j]) == (inside % 2 == 1)


def test_regime_draws_the_crossovers_inside_the_map(regime_data):
    fig = drawn(regime, regime_data)
    ax = fig.axes[0]
    lines = {line.get_gid(): line for line in ax.get_lines()}
    points = regime.crossover_points(regime_data)
    assert [tuple(p) for p in lines["crossover-depth"].get_xydata()] == points["depth"]
    assert [tuple(p) for p in lines["crossover-eps"].get_xydata()] == points["eps"]
    rows = zip(regime_data["accuracies"], regime_data["crossover_depth"])  # searched to Δ = 2²⁰, drawn to 1024
    assert points["depth"] == [(at, a) for a, found in rows for at in found if at <= 1024]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("crossover depth Δ*" in t for t in labels) and any("crossover accuracy" in t for t in labels)
    assert "crossover depth Δ*" in regime.caption(regime_data) and "12 of 13 rows" in regime.caption(regime_data)


@pytest.mark.parametrize("module", [gantt, regime])
def test_data_is_json_ready_and_round_trips(module, regime_data):
    data = regime_data if module is regime else gantt.data()
    assert json_ready(data) and json.loads(json.dumps(data)) == data
    assert 1 <= module.caption(data).count(". ") + 1 <= 4 and "docs/theory.md" in module.caption(data)
    assert len(caption_lines(module.caption(data))) <= CAPTION_LINES  # clear of the page number


@pytest.mark.parametrize("module", [gantt, regime])
def test_axes_are_named_with_units_legible_and_nothing_is_clipped(module, regime_data):
    data = regime_data if module is regime else gantt.data()
    fig = drawn(module, data, layout="constrained")
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    for ax in fig.axes:
        for axis, label in ((ax.xaxis, ax.get_xlabel()), (ax.yaxis, ax.get_ylabel())):
            if any(t.get_text() for t in axis.get_ticklabels()):
                assert "(" in label and label.endswith(")"), label
    assert min(t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text()) >= 7
    drawn_box, page = fig.get_tightbbox(renderer), fig.bbox_inches  # everything drawn, in inches
    assert page.x0 <= drawn_box.x0 and drawn_box.x1 <= page.x1 and page.y0 <= drawn_box.y0 and drawn_box.y1 <= page.y1


@pytest.mark.parametrize("module", [gantt, regime])
def test_drawing_twice_gives_identical_pdf_bytes(module, regime_data):
    data = regime_data if module is regime else gantt.data()
    pdfs = []
    for _ in range(2):
        buffer = io.BytesIO()
        drawn(module, data).savefig(buffer, format="pdf", metadata={"CreationDate": None})
        pdfs.append(buffer.getvalue())
    assert pdfs[0] == pdfs[1] and len(pdfs[0]) > 1000


@pytest.mark.parametrize("name,devices,inputs,chunks,duplex", [("zb-h1", 3, 4, 1, "half"),
                                                               ("interleaved-1f1b", 2, 4, 2, "half"),
                                                               ("gpipe", 3, 2, 1, "full")])
def test_timeline_figure_one_rectangle_per_op_at_its_time(name, devices, inputs, chunks, duplex):
    from pplimits.algorithms.clock import Schedule
    from pplimits.algorithms.timeline import execute, timed_records

    schedule = Schedule(name, devices, inputs, chunks, duplex)
    records = timed_records(execute(schedule))
    chunk_of = (lambda stage: (stage - 1) // devices + 1) if chunks > 1 else None
    fig = gantt.timeline_figure(records, "t", devices if duplex == "half" else schedule.stages, chunk_of,
                                split_units=duplex == "full")
    ax = fig.axes[0]
    rectangles = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(rectangles) == len(ax.texts) == len(records)
    colors = {"forward": style.FORWARD_COLOR, "backward": style.BACKWARD_COLOR, "weight": style.WEIGHT_COLOR}
    for rectangle, text, record in zip(rectangles, ax.texts, records):
        assert rectangle.get_x() == pytest.approx(float(Fraction(str(record["start"]))))
        assert rectangle.get_width() == pytest.approx(float(Fraction(str(record["end"])) - Fraction(str(record["start"]))))
        assert round(rectangle.get_y() + rectangle.get_height() / 2) == record["device"]
        assert np.allclose(rectangle.get_facecolor()[:3], to_rgb(colors[record["op"]]))
        chunk = f"·{chunk_of(record['stage'])}" if chunk_of else ""
        assert text.get_text() == f"{record['op'][0].upper()}{record['input']}{chunk}"
