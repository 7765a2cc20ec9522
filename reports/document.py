"""A paginated PDF built with matplotlib alone: headings, wrapped text, typeset formulas (mathtext),
monospace tables and full-page figures, flowed down A4 pages.

Vector output; `to_bytes()` is deterministic (no creation date in the metadata), so the same content
gives the same bytes.
"""
import base64
import io
import json
import re
import textwrap
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from pplimits.reports.figures.style import MARGIN, PAGE

CREATOR = "pplimits"
MONO = "DejaVu Sans Mono"
SMALLEST = 5.0  # pt: formulas shrink to fit the width down to this size, then fall back to wrapped text
POINTS_PER_INCH = 72.0


RECORD = re.compile(rb"/Keywords \(pplimits-record ([A-Za-z0-9+/=]+)\)")


def _record(kind: str, provenance: dict) -> str:
    """The record a pplimits PDF carries: what wrote it, which kind it is, and the provenance of its numbers,
    as base64 JSON (no character a PDF string would escape)."""
    payload = {"tool": CREATOR, "kind": kind, "revision": provenance["revision"], "date": provenance["date"]}
    return "pplimits-record " + base64.b64encode(json.dumps(payload, sort_keys=True).encode()).decode()


def written_by_us(path, kind: str) -> bool:
    """Whether the PDF at `path` is a pplimits `kind` ("report", "study"): it carries the record this module writes
    (tool, kind and provenance), so a file that merely says "pplimits" somewhere, or one of our files of another
    kind (a study's figures for a report), is never taken for it."""
    found = RECORD.search(Path(path).read_bytes())
    try:
        record = json.loads(base64.b64decode(found.group(1), validate=True)) if found else None
    except ValueError:  # binascii.Error and JSONDecodeError
        return False
    return isinstance(record, dict) and record.get("tool") == CREATOR and record.get("kind") == kind \
        and isinstance(record.get("revision"), str)


CAPTION_LINES = 7  # a figure page's caption clears the page number (centred under its 8th line) in this many lines


def caption_lines(caption: str) -> list[str]:
    """A figure page's caption wrapped to the page's width (8 pt), line by line."""
    return textwrap.wrap(caption, int((PAGE[0] - 2 * MARGIN) * POINTS_PER_INCH / (8 * 0.56)))


def figure_page_layout():
    """An A4 page Figure and its head (title), body (the figure) and foot (caption) subfigures."""
    page = Figure(figsize=PAGE, layout="constrained")
    page.get_layout_engine().set(w_pad=MARGIN / 2, h_pad=MARGIN / 2)
    return page, page.subfigures(3, 1, height_ratios=(0.5, 9.3, 1.3))


class Document:
    """Flow content down pages; `to_bytes()` gives the finished PDF."""

    def __init__(self, title: str, kind: str, provenance: dict):
        self._buffer = io.BytesIO()
        self._pdf = PdfPages(self._buffer, metadata={"Title": title, "Creator": CREATOR, "Subject": f"{CREATOR} {kind}",
                                                     "Keywords": _record(kind, provenance), "CreationDate": None})
        self._page = None
        self._width = PAGE[0] - 2 * MARGIN
        self.pages = 0

    # -- pages ---------------------------------------------------------------------------------------
    def new_page(self) -> None:
        self._finish_page()
        self._page = Figure(figsize=PAGE)
        FigureCanvasAgg(self._page)  # a renderer to measure text with
        self._y = PAGE[1] - MARGIN  # inches from the bottom

    def _finish_page(self) -> None:
        if self._page is not None:
            self._page.text(0.5, MARGIN / 2 / PAGE[1], f"{self.pages + 1}", ha="center", fontsize=7, color="grey")
            self._pdf.savefig(self._page)
            self.pages += 1
            self._page = None

    def _place(self, text: str, size: float, gap: float = 0.04, indent: float = 0.0, **style):
        """Place `text` at the cursor (a new page if it does not fit); returns the artist."""
        if self._page is None:
            self.new_page()
        for attempt in range(2):
            artist = self._page.text((MARGIN + indent) / PAGE[0], self._y / PAGE[1], text, fontsize=size, va="top",
                                     ha="left", **style)
            height = self._extent(artist).height / self._page.dpi
            if self._y - height >= MARGIN or attempt == 1:
                self._y -= height + gap
                return artist
            artist.remove()
            self.new_page()

    def _extent(self, artist):
        return artist.get_window_extent(renderer=self._page.canvas.get_renderer())

    def _fits(self, artist, indent: float) -> bool:
        return self._extent(artist).width / self._page.dpi <= self._width - indent

    # -- content -------------------------------------------------------------------------------------
    def heading(self, text: str, level: int = 1) -> None:
        """A section heading (level 1 starts a new page)."""
        if level == 1:
            self.new_page()
        self._y -= 0.06 if level > 1 else 0.0
        self._place(text, {1: 15, 2: 11, 3: 9}[level], gap=0.08, weight="bold")

    def paragraph(self, text: str, size: float = 8.5, indent: float = 0.0, mono: bool = False, **style) -> None:
        """Wrapped text; each '\\n'-separated line is wrapped separately."""
        chars = int((self._width - indent) * POINTS_PER_INCH / (size * (0.61 if mono else 0.56)))
        while True:
            lines = [wrapped for line in text.split("\n")
                     for wrapped in (textwrap.wrap(line, chars, subsequent_indent="  ") or [""])]
            artist = self._place("\n".join(lines), size, indent=indent, family=MONO if mono else None, **style)
            if self._fits(artist, indent) or chars < 20:
                return
            self._unplace(artist)
            chars = int(chars * 0.9)

    def _unplace(self, artist) -> None:
        self._y += self._extent(artist).height / self._page.dpi + 0.04
        artist.remove()

    def formula(self, latex: str, fallback: str, size: float = 10.0, indent: float = 0.25) -> None:
        """`latex` typeset by mathtext, shrunk to the width; below SMALLEST pt, `fallback` as wrapped text."""
        while size >= SMALLEST:
            artist = self._place(f"${latex}$", size, gap=0.06, indent=indent)
            if self._fits(artist, indent):
                return
            self._unplace(artist)
            size -= 0.5
        self.paragraph(fallback, size=7, indent=indent, mono=True)

    def table(self, header: list[str], rows: list[list[str]], widths: list[int], size: float = 6.2) -> None:
        """A monospace table. No cell is ever cut: a column widens to its longest cell, except the first, whose
        long cells take a line of their own."""
        widths = [widths[0], *(max([width, *(len(row[i]) for row in [header, *rows])])
                               for i, width in enumerate(widths) if i > 0)]

        def line(cells):
            return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths))

        formatted = []
        for row in rows:
            if len(row[0]) > widths[0]:
                formatted += [row[0], line([""] + row[1:])]
            else:
                formatted.append(line(row))
        rule = "─" * (sum(widths) + 2 * (len(widths) - 1))
        while formatted:
            height = self._line_height(size)  # opens the first page if none is open yet
            fit = max(1, int((self._y - MARGIN) / height) - 2)
            if fit < 5 and len(formatted) > fit:
                self.new_page()
                continue
            self._place("\n".join([line(header), rule] + formatted[:fit]), size, gap=0.08, family=MONO)
            formatted = formatted[fit:]

    def _line_height(self, size: float) -> float:
        """Inches per line of monospace text at `size` (measured, with matplotlib's line spacing)."""
        if self._page is None:
            self.new_page()
        one, two = (self._page.text(0, 0, text, fontsize=size, family=MONO) for text in ("X", "X\nX\nX"))
        height = (self._extent(two).height - self._extent(one).height) / 2 / self._page.dpi
        one.remove()
        two.remove()
        return height

    def figure_page(self, title: str, draw, caption: str) -> None:
        """A page of its own: title, the figure drawn by `draw(subfigure)`, the caption."""
        self._finish_page()
        page, (head, body, foot) = figure_page_layout()
        left = MARGIN / PAGE[0]
        head.text(left, 0.5, title, fontsize=13, weight="bold", va="center")
        draw(body)
        foot.text(left, 1.0, "\n".join(caption_lines(caption)), fontsize=8, va="top")
        page.text(0.5, MARGIN / 2 / PAGE[1], f"{self.pages + 1}", ha="center", fontsize=7, color="grey")
        self._pdf.savefig(page)
        self.pages += 1

    def to_bytes(self) -> bytes:
        self._finish_page()
        self._pdf.close()
        return self._buffer.getvalue()
