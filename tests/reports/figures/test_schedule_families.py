"""The schedule-family pages (reports/figures/schedule_families.py): each family's makespan, bubble and peaks against
the clock's closed forms and, separately, the simulator's measurements; the bubble curves; PPRS's advantage by hand;
legible, unclipped pages whose legends cover no data; byte-identical PDFs."""
import io
import json
from fractions import Fraction

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from pplimits.algorithms.clock import Schedule
from pplimits.algorithms.timeline import (
    execute,
    measured_bubble,
    measured_peak_activations,
    measured_span,
    timed_records,
)
from pplimits.bounds.regime import counts
from pplimits.reports.document import CAPTION_LINES, caption_lines, figure_page_layout
from pplimits.reports.figures import schedule_families as families
from pplimits.reports.figures import style
from pplimits.reports.report import figure_pages
from tests.reports.figures.test_schedule_figures import json_ready

NAMES = list(families.FAMILIES)


@pytest.fixture(scope="module", autouse=True)
def styled():
    style.apply()


@pytest.fixture(scope="module")
def data():
    return families.data()


def page(data, name):
    """The family's page as the report lays it out, drawn."""
    figure, (_, body, _) = figure_page_layout()
    families.draw(data, body, name)
    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    return figure, renderer


def test_data_is_json_ready_and_round_trips(data):
    assert json_ready(data) and json.loads(json.dumps(data)) == data
    assert list(data["families"]) == NAMES == ["gpipe", "1f1b", "interleaved-1f1b", "zb-h1"]


@pytest.mark.parametrize("name", NAMES)
def test_makespan_bubble_and_peaks_equal_the_closed_forms(data, name):
    family = data["families"][name]
    schedule = Schedule(name, 4, 8, 2 if name == "interleaved-1f1b" else 1)
    assert (data["devices"], data["inputs"], family["chunks"]) == (4, 8, schedule.chunks)
    assert Fraction(family["closed_form"]["makespan"]) == schedule.makespan()
    assert Fraction(family["closed_form"]["bubble"]) == schedule.bubble_fraction()
    assert tuple(family["closed_form"]["peak"]) == schedule.peak_activations()


@pytest.mark.parametrize("name", NAMES)
def test_makespan_bubble_and_peaks_equal_the_simulators_measurements(data, name):
    family = data["families"][name]
    schedule = Schedule(name, 4, 8, family["chunks"])
    ops = execute(schedule)
    assert family["records"] == timed_records(ops)
    assert Fraction(family["simulated"]["makespan"]) == measured_span(ops)
    assert Fraction(family["simulated"]["bubble"]) == measured_bubble(ops, schedule)
    assert tuple(family["simulated"]["peak"]) == measured_peak_activations(ops, schedule)
    assert families.agreement(family) and " equal the DERIVED closed forms" in families.caption(data, name)


def test_the_numbers_the_pages_state():
    """Unit costs, P = 4, B = 8 (docs/theory.md §1): GPipe and 1F1B 2(B + P − 1) = 22, interleaved v = 2
    (vB + P − 1)·2 = 38, ZB-H1 2B + P − 1 = 19 (W = 1/2); peaks B, P − d + 1, 2(P − d) + P + 1, P."""
    found = families.data()["families"]
    assert [found[n]["closed_form"]["makespan"] for n in NAMES] == [22, 22, 38, 19]
    assert [found[n]["closed_form"]["peak"] for n in NAMES] == [[8] * 4, [4, 3, 2, 1], [11, 9, 7, 5], [4] * 4]
    assert [found[n]["closed_form"]["bubble"] for n in NAMES] == ["3/11", "3/11", "3/19", "3/19"]


@pytest.mark.parametrize("name", NAMES)
def test_bubble_curve_is_the_closed_form_over_the_domain(data, name):
    curve, chunks = data["families"][name]["bubble_curve"], data["families"][name]["chunks"]
    step = 4 if name == "interleaved-1f1b" else 1  # B a multiple of P
    assert curve["inputs"] == list(range(4, 65, step))
    assert curve["bubble"] == [float(Schedule(name, 4, b, chunks).bubble_fraction()) for b in curve["inputs"]]
    if name != "interleaved-1f1b":  # P = 4: (P − 1)/(B + P − 1), ZB-H1 (P − 1)/(2B + P − 1)
        factor = 2 if name == "zb-h1" else 1
        assert curve["bubble"] == [3 / (factor * b + 3) for b in curve["inputs"]]


def test_pprs_advantage_by_hand(data):
    """d = 100, n = 64, ε = 0.01, L = R = 1: the subgradient method takes (RL/ε)² = 10000 iterations of n = 64 inputs,
    PPRS (Theorem D tuned) 1598 iterations of nK = 2176. At P = 4:
    GPipe: 10000 · 2(64 + 4 − 1) = 1 340 000 against 1598 · 2(2176 + 4 − 1) = 6 964 084, ratio 0.19242;
    ZB-H1 (w = 1/2): 10000 · (2·64 + 4 − 1) = 1 310 000 against 1598 · (2·2176 + 4 − 1) = 6 959 290, ratio 0.18824."""
    assert data["counts"] == {"subgradient": {"iterations": 10000, "batch": 64},
                              "pprs": {"iterations": 1598, "batch": 2176}}
    at = {name: dict(zip(f["advantage"]["devices"], f["advantage"]["ratio"])) for name, f in data["families"].items()}
    assert at["gpipe"][4] == float(Fraction(1_340_000, 6_964_084)) == pytest.approx(0.19242, abs=1e-5)
    assert at["zb-h1"][4] == float(Fraction(1_310_000, 6_959_290)) == pytest.approx(0.18824, abs=1e-5)
    assert at["1f1b"][4] == at["gpipe"][4] and at["interleaved-1f1b"][4] == at["zb-h1"][4]


def test_advantage_stays_in_every_domain_and_only_gpipe_goes_past_n(data):
    n = data["point"]["inputs"]
    found = counts(0.01, 1.0, 1.0, 100, n, n)
    for name, family in data["families"].items():
        devices = family["advantage"]["devices"]
        reach = 1024 if name == "gpipe" else n
        assert devices == [2**i for i in range(11) if 2**i <= reach]
        for p in devices:
            if name != "gpipe":
                assert n % p == 0 and 2176 % p == 0  # B ≥ P and interleaved's B a multiple of P, for n and nK
            assert family["advantage"]["ratio"][devices.index(p)] == float(families.advantage(name, p, found))
    gpipe = data["families"]["gpipe"]["advantage"]
    assert gpipe["ratio"][-1] > 1 > gpipe["ratio"][0]  # PPRS overtakes only where the depth dwarfs n
    assert "PPRS is faster from P = 512 on" in families.caption(data, "gpipe")


def test_equal_curves_are_found_exactly(data):
    same = {name: family["same_as"] for name, family in data["families"].items()}
    assert same == {"gpipe": {"bubble": None, "advantage": None}, "1f1b": {"bubble": "gpipe", "advantage": "gpipe"},
                    "interleaved-1f1b": {"bubble": None, "advantage": None},
                    "zb-h1": {"bubble": "interleaved-1f1b", "advantage": "interleaved-1f1b"}}


def test_one_page_per_family_with_label_and_sources(data):
    pages = figure_pages(families, data)
    assert [title for title, _, _ in pages] == [families.title(n) for n in NAMES]
    sources = {"gpipe": "Huang et al. 2019", "1f1b": "Narayanan et al. 2021",
               "interleaved-1f1b": "Narayanan et al. 2021", "zb-h1": "Qi et al. 2023"}
    for name, (_, _, caption) in zip(NAMES, pages):
        assert sources[name] in caption and "DERIVED" in caption and "SIMULATED" in caption
        assert "docs/theory.md §1" in caption and "a multiple of every P" in caption
        assert len(caption_lines(caption)) <= CAPTION_LINES  # clear of the page number


@pytest.mark.parametrize("name", NAMES)
def test_page_is_labelled_legible_unclipped_and_its_legends_cover_no_data(data, name):
    figure, renderer = page(data, name)
    gantt, bubble, peaks, advantage = figure.axes
    assert all(ax.get_title() for ax in figure.axes)
    for ax in figure.axes:
        for label in (ax.get_xlabel(), ax.get_ylabel()):
            assert label and (label.startswith("device") or ("(" in label and label.endswith(")"))), label
    assert min(t.get_fontsize() for t in figure.findobj(Text) if t.get_visible() and t.get_text()) >= 7
    box, sheet = figure.get_tightbbox(renderer), figure.bbox_inches
    assert sheet.x0 <= box.x0 and box.x1 <= sheet.x1 and sheet.y0 <= box.y0 and box.y1 <= sheet.y1
    cells = [p.get_window_extent(renderer) for p in gantt.patches if isinstance(p, Rectangle)]
    assert len(gantt.texts) == len(cells) * (2 if name == "interleaved-1f1b" else 1)  # "Fk" over "·c"
    for text in gantt.texts:
        label = text.get_window_extent(renderer)
        cell = next(c for c in cells if c.contains(*gantt.transData.transform(text.get_position())))
        assert cell.x0 <= label.x0 and label.x1 <= cell.x1 and cell.y0 <= label.y0 and label.y1 <= cell.y1
    for ax in (bubble, peaks, advantage):
        legend = ax.get_legend().get_window_extent(renderer)
        for line in ax.get_lines():
            points = line.get_transform().transform(np.asarray(line.get_xydata(), float))
            assert not any(legend.contains(x, y) for x, y in points), (ax.get_title(), line.get_label())
        for bar in ax.patches:
            assert not legend.overlaps(bar.get_window_extent(renderer)), ax.get_title()


@pytest.mark.parametrize("name", NAMES)
def test_drawing_twice_gives_identical_pdf_bytes(data, name):
    pdfs = []
    for _ in range(2):
        buffer = io.BytesIO()
        page(data, name)[0].savefig(buffer, format="pdf", metadata={"CreationDate": None})
        pdfs.append(buffer.getvalue())
    assert pdfs[0] == pdfs[1] and len(pdfs[0]) > 1000
