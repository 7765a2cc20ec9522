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


HEADER = ["engine", "schedule", "v", "Δ", "K", "model", "model s", "measured s", "ratio", "within"]
WIDTHS = [8, 16, 2, 3, 3, 11, 9, 11, 7, 6]  # the last widens to a skipped engine's reason in the report


def rows(result: dict) -> list[list[str]]:
    """The model-vs-measured table, one row per (engine, schedule, v, Δ, K) with the model's source (closed form or
    simulator), then one per engine not measured and why (a record made before schedules were measured is GPipe
    throughout, one before v and the model's source were recorded is v = 1 and closed form)."""
    found = [[r["engine"], r.get("schedule", "gpipe"), str(r.get("chunks", 1)), str(r["depth"]), str(r["K"]),
              r.get("model", "closed form"), f"{r['model_seconds']:.3f}", f"{r['measured_seconds']:.3f}",
              f"{r['ratio']:.3f}", "yes" if r["within_tolerance"] else "NO"] for r in result["rows"]]
    return found + [[name, *["—"] * 8, reason] for name, reason in result["skipped"].items()]


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
