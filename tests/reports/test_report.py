"""The PDF report: its pages and claims, byte-identical re-runs, the cache, safe writing, and its progress lines."""
import io
import threading
import time
from concurrent.futures import Future

import pytest
from pypdf import PdfReader

from pplimits.bounds.registry import SETTINGS, registry
from pplimits.cli import main
from pplimits.experiments.matrix import QUICK
from pplimits.reports import report
from pplimits.reports.cache import Cache
from pplimits.reports.figures import convergence, gantt, regime, schedule_families, speedup
from pplimits.reports.report import RECON_STATUS, SETTING_TITLES, Progress, claim_status

@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """The quick report twice, as `pplimits report --quick` writes it: computed into a fresh cache, then read from
    the cache; and each one's progress lines."""
    folder = tmp_path_factory.mktemp("report")
    cache = folder / "cache"
    out = {}
    for name in ("cached-fresh", "from-cache"):
        path = folder / f"{name}.pdf"
        progress = io.StringIO()
        report.write_report(path, QUICK, Cache(cache), progress=progress)
        out[name], out[f"{name} progress"] = path.read_bytes(), progress.getvalue()
    return out


def _text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_a_run_from_the_cache_is_byte_identical_to_the_run_that_filled_it(reports):
    assert reports["cached-fresh"] == reports["from-cache"]


@pytest.mark.slow
def test_a_run_with_no_cache_is_byte_identical_to_a_cached_one(reports, tmp_path):
    """Computed afresh a second time, with no cache at all: the same bytes (slow: the whole quick report again)."""
    path = tmp_path / "no-cache.pdf"
    assert main(["report", "--quick", "--out", str(path), "--no-cache"]) == 0
    assert path.read_bytes() == reports["cached-fresh"]


def test_report_has_every_claim_setting_figure_and_provenance(reports):
    pages = _text(reports["cached-fresh"])
    text = "\n".join(pages)
    for claim_id in registry():
        assert claim_id in text, claim_id
    for heading in [SETTING_TITLES[s] for s in SETTINGS] + ["The pipeline clock", "Provenance", "Seeds"]:
        assert heading in text, heading
    for module in (convergence, speedup, gantt, regime):
        assert sum(module.TITLE in page for page in pages) == 1, module.TITLE
    for name in schedule_families.FAMILIES:  # a page per schedule family, between the bubbling schedule and the map
        assert sum(schedule_families.title(name) + "\n" in page for page in pages) == 1, name
    titles = [gantt.TITLE, *map(schedule_families.title, schedule_families.FAMILIES), regime.TITLE]
    found = [next(i for i, page in enumerate(pages) if t in page) for t in titles]
    assert found == list(range(found[0], found[0] + len(titles))), found
    assert "pplimits verification report" in pages[0] and "git revision" in pages[-1]


def test_summary_page_gives_each_claim_its_status(reports):
    lines = _text(reports["cached-fresh"])[0].splitlines()
    for claim in registry().values():
        line = next(line for line in lines if line.startswith(claim.id + " "))
        assert claim.label in line
        if claim.label == "RECON":
            assert RECON_STATUS.split(" — ")[0] in line and "verified" not in line
        else:
            assert any(status in line for status in ("verified", "violated", "not checked", "certified (exact)")), line
    tight = [c for c in registry().values() if c.id.endswith(".tight")]
    assert tight and all("certified (exact)" in next(line for line in lines if line.startswith(c.id + " "))
                         for c in tight)


def test_report_is_vector_graphics(reports):
    assert all(not page.images for page in PdfReader(io.BytesIO(reports["cached-fresh"])).pages)


def test_an_existing_file_that_is_not_a_report_is_not_overwritten(tmp_path, capsys):
    path = tmp_path / "notes.pdf"
    path.write_text("my notes")
    assert main(["report", "--quick", "--out", str(path), "--cache", str(tmp_path / "c")]) == 2
    assert path.read_text() == "my notes"
    assert "not a pplimits report" in capsys.readouterr().err.strip().splitlines()[-1]


def test_a_table_never_cuts_a_number():
    """5.239e-05 in a column 8 wide was printed '5.239e-…' (e-05 and e-01 look alike): the column widens."""
    from pplimits.reports.document import Document

    doc = Document("t", kind="test", provenance={"revision": "r", "date": "d"})
    doc.table(["check", "ratio"], [["a", "5.239e-05"], ["b", "0.5"]], [10, 8])
    text = _text(doc.to_bytes())[0]
    assert "5.239e-05" in text and "…" not in text


def test_the_report_never_overwrites_a_pplimits_file_of_another_kind(tmp_path, capsys):
    """A study's figures carry pplimits' Creator too: the guard reads the record pplimits wrote (tool, kind,
    provenance), so `report --out reports/measurements/few-shot.pdf` no longer replaces a committed study PDF."""
    from pplimits._util.files import package_file

    study = tmp_path / "few-shot.pdf"
    study.write_bytes(package_file("pplimits.reports", "measurements", "few-shot.pdf").read_bytes())
    before = study.read_bytes()
    assert main(["report", "--quick", "--out", str(study)]) == 2
    assert "is not a pplimits report" in capsys.readouterr().err and study.read_bytes() == before


def test_page_one_counts_the_claims_and_states_the_empirical_claims_verdict(reports):
    page = " ".join(_text(reports["cached-fresh"])[0].split())
    statuses = {c.id: claim_status(c, []) for c in registry().values()}
    recon = sum(s == RECON_STATUS for s in statuses.values())
    assert f"{len(statuses)} registered claims:" in page and f"{recon} reconstructed (RECON" in page
    assert "never checked: smooth-convex.lower.gap-at-time" in page.replace("gap-at- time", "gap-at-time")
    assert "The paper's empirical claim (PAPER, abstract)" in page and "few-shot: PPRS significantly better in" in page


def test_the_overwrite_guard_reads_the_record_pplimits_wrote(tmp_path):
    """Only the record (tool, kind, provenance) makes a PDF ours: a PDF whose Creator and Subject say "pplimits
    report" (any PDF writer can set them) is not, nor is one whose record is damaged or of another kind."""
    import base64

    from matplotlib.backends.backend_pdf import PdfPages

    from pplimits.reports.document import Document, written_by_us

    document = Document("t", kind="report", provenance={"revision": "abc", "date": "d"})
    document.table(["a"], [["1"]], [4])
    ours = tmp_path / "ours.pdf"
    ours.write_bytes(document.to_bytes())
    assert written_by_us(ours, "report") and not written_by_us(ours, "study")
    lookalike = tmp_path / "lookalike.pdf"
    with PdfPages(lookalike, metadata={"Creator": "pplimits", "Subject": "pplimits report"}) as pdf:
        pdf.savefig(__import__("matplotlib.figure", fromlist=["Figure"]).Figure())
    assert not written_by_us(lookalike, "report")
    damaged = tmp_path / "damaged.pdf"
    forged = base64.b64encode(b'{"tool": "pplimits", "kind": "report"').decode()  # not JSON
    damaged.write_bytes(ours.read_bytes().replace(b"/Keywords (pplimits-record ", b"/Keywords (pplimits-record "
                                                  + forged.encode() + b"AAAA"))
    assert not written_by_us(damaged, "report")


def test_the_report_says_each_section_and_page_as_it_goes(reports):
    lines = reports["cached-fresh progress"].splitlines()
    for section in ("checks", "summary and claims, typeset", "worst cases on the pipeline clock (PEP)", "PDF"):
        assert f"[report] {section} …" in lines and any(line.startswith(f"[report] {section}: done (") for line in lines)
    pages = [line for line in lines if line.startswith("[page ")]
    assert len(pages) == 3 + len(schedule_families.FAMILIES) + 1 + 4  # the figures' pages, then the studies' four
    assert gantt.TITLE in pages[2] and regime.TITLE in pages[-5]
    assert "[worst cases] computed (" in lines[lines.index("[report] worst cases on the pipeline clock (PEP) …") + 1]
    assert "[worst cases] cached" in reports["from-cache progress"]


def _until(condition, seconds: float = 60.0) -> None:
    """Wait until `condition()` holds (at most `seconds`: a loaded machine schedules the heartbeat late)."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)


def test_a_section_that_prints_nothing_still_gets_a_line(monkeypatch):
    monkeypatch.setattr(report, "QUIET", 0.05)
    stream = io.StringIO()
    progress = Progress(stream)
    with progress.section("a long solve"):
        _until(lambda: "still computing" in stream.getvalue())
    lines = stream.getvalue().splitlines()
    assert lines[0] == "[report] a long solve …" and lines[-1].startswith("[report] a long solve: done (")
    assert lines[1].startswith("[report] a long solve: still computing (")


def test_the_heartbeat_never_breaks_a_line(monkeypatch):
    monkeypatch.setattr(report, "QUIET", 0.05)
    stream = io.StringIO()
    progress = Progress(stream)
    with progress.section("drawing"):
        progress.write("[page 3] half a line")
        time.sleep(0.5)  # ten times QUIET with a line open
        progress.write(" and its end\n")
        _until(lambda: stream.getvalue().count("still computing") >= 1)
    assert "[page 3] half a line and its end\n" in stream.getvalue()


class _Worker:
    """A worker process that starts each job it is given and finishes it only when told (`futures`)."""

    def __init__(self):
        self.futures = {}

    def submit(self, function, name, *args):
        self.futures[name] = future = Future()
        future.set_running_or_notify_cancel()
        return future


def test_while_the_worker_computes_one_job_the_report_takes_the_last_queued_ones(monkeypatch):
    worker, here = _Worker(), []

    def compute(name, profile, cache, progress):
        here.append(name)
        if name == "b":  # the last job this process takes: the worker finishes "a" meanwhile
            worker.futures["a"].set_result(("a by the worker", False, 0.0))
        return f"{name} here", False, 0.0

    monkeypatch.setattr(report, "_compute", compute)
    jobs = report._Jobs(worker, ["a", "b", "c"], QUICK, Cache(None), None)
    assert list(worker.futures) == ["a"]  # one job at a time
    late = threading.Timer(10, lambda: worker.futures["a"].done() or worker.futures["a"].set_result(("late", 0, 0)))
    late.start()  # a report that only waited would wait forever: it fails instead
    assert jobs.result("a") == ("a by the worker", False, 0.0)
    late.cancel()
    assert here == ["c", "b"]  # from the last queued
    assert jobs.result("c")[0] == "c here" and jobs.result("b")[0] == "b here" and list(worker.futures) == ["a"]


def test_a_job_the_worker_was_not_given_is_computed_here_and_the_next_goes_to_the_worker(monkeypatch):
    worker = _Worker()
    monkeypatch.setattr(report, "_compute", lambda name, *args: (f"{name} here", False, 0.0))
    jobs = report._Jobs(worker, ["a", "b", "c"], QUICK, Cache(None), None)
    assert jobs.result("c")[0] == "c here"
    worker.futures["a"].set_result(("a by the worker", False, 0.0))
    assert list(worker.futures) == ["a", "b"]  # handed on as "a" finished
    assert jobs.result("a")[0] == "a by the worker"
