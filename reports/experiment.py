"""Records of the digits study: NAME[-quick].json (the study's numbers and their provenance) and NAME[-quick].pdf
(its two figures), both written atomically; the report's section reads reports/measurements/NAME.json."""
import json
from pathlib import Path

from pplimits._util.checks import UsageError
from pplimits._util.files import package_file, require_writable, write_atomic
from pplimits._util.provenance import provenance
from pplimits.reports.document import Document, written_by_us
from pplimits.reports.figures import few_shot, style

RECORDS = package_file("pplimits.reports", "measurements")  # read-only


def paths(task: str, quick: bool, out_dir) -> list[Path]:
    """Where a study's record and figures go."""
    name = task + ("-quick" if quick else "")
    return [Path(out_dir) / f"{name}.json", Path(out_dir) / f"{name}.pdf"]


def check_out(task: str, quick: bool, out_dir, force: bool = False) -> None:
    """ValueError if writing the study would overwrite a file that is not one of ours (and not `force`): checked
    before the study runs, and again before writing."""
    if not str(out_dir).strip():
        raise UsageError(f"out must be a folder path, got {str(out_dir)!r}")
    for path in paths(task, quick, out_dir):
        require_writable("out", path)
        if path.exists() and not force and not _ours(path):
            raise UsageError(f"out {path} exists and is not a pplimits study record; choose another --out or "
                             "pass --force")


def _ours(path: Path) -> bool:
    """Whether an existing file is one of our records (so rewriting it loses nothing the user made)."""
    if path.suffix == ".pdf":
        return written_by_us(path, "study")
    try:
        found = json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(found, dict) and {"task", "cells", "provenance"} <= set(found)


def write_study(record: dict, out_dir, force: bool = False) -> list[str]:
    """Write the record with its provenance and its figures under out_dir; returns the paths written.
    A file there that is not one of ours is never overwritten unless `force`."""
    check_out(record["task"], record["quick"], out_dir, force)
    json_path, pdf_path = paths(record["task"], record["quick"], out_dir)
    record = {**record, "provenance": provenance()}
    write_atomic(json_path, json.dumps(record, indent=1, sort_keys=True, allow_nan=False) + "\n")
    write_atomic(pdf_path, figures(record))
    return [str(json_path), str(pdf_path)]


def figures(record: dict) -> bytes:
    """The study's loss and accuracy figures as a PDF (deterministic bytes)."""
    style.apply()
    document = Document(few_shot.title(record, "loss"), kind="study", provenance=record["provenance"])
    for title, draw, caption in figure_pages(record):
        document.figure_page(title, draw, caption)
    return document.to_bytes()


def figure_pages(record: dict) -> list:
    """(title, draw(fig), caption) of the study's loss and accuracy pages."""
    return [(few_shot.title(record, metric), lambda fig, m=metric: few_shot.draw(record, fig, m),
             few_shot.caption(record, metric)) for metric in few_shot.METRICS]



def load(task: str, path=None) -> dict | None:
    """The recorded full study for `task` (reports/measurements/TASK.json), or None if none is recorded."""
    path = Path(path or RECORDS / f"{task}.json")
    if not path.exists():
        return None
    try:
        record = json.loads(path.read_text())
        assert record["task"] == task and isinstance(record["cells"], list)
        return record
    except (json.JSONDecodeError, KeyError, TypeError, AssertionError):
        raise UsageError(f"study record {path} is malformed; re-run pplimits experiment {task} --out {path.parent}")
