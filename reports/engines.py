"""The engines' clock validation as the report shows it: the table, and the record shipped in the package.

Wall time belongs to the machine, so it is measured by `pplimits engines --validate-clock`
(experiments/engine_clock.py), recorded with its provenance in reports/measurements/engine-clock.json, and the
report prints that record: the same inputs give the same report bytes.
"""
import json
from pathlib import Path

from pplimits._util.checks import UsageError
from pplimits._util.files import package_file

RECORD = package_file("pplimits.reports", "measurements", "engine-clock.json")  # read-only default


HEADER = ["engine", "schedule", "Δ", "K", "model s", "measured s", "ratio", "within"]
WIDTHS = [8, 9, 3, 3, 9, 11, 7, 51]


def rows(result: dict) -> list[list[str]]:
    """The model-vs-measured table, one row per (engine, schedule, Δ, K), then one per engine not measured and why
    (a record made before schedules were measured is GPipe throughout)."""
    found = [[r["engine"], r.get("schedule", "gpipe"), str(r["depth"]), str(r["K"]), f"{r['model_seconds']:.3f}",
              f"{r['measured_seconds']:.3f}", f"{r['ratio']:.3f}", "yes" if r["within_tolerance"] else "NO"]
             for r in result["rows"]]
    return found + [[name, "—", "—", "—", "—", "—", "—", reason] for name, reason in result["skipped"].items()]


def table(result: dict) -> str:
    """rows() as plain text."""
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, WIDTHS)).rstrip()
                     for row in [HEADER, *rows(result)])


def load(path=RECORD) -> dict | None:
    """The recorded measurement, or None if there is none (a corrupt record is an error, never ignored)."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        result = json.loads(path.read_text())
        assert isinstance(result["rows"], list)
        return result
    except (json.JSONDecodeError, KeyError, TypeError, AssertionError):
        raise UsageError(f"engine clock record {path} is malformed; re-measure with pplimits engines --validate-clock")
