"""Clock validation of the real pipeline engines: their measured wall time against the model's makespan.

Every stage op (one forward or one backward of one micro-batch at one stage) is made to take
`op_seconds`; the GPipe schedule should then take makespan(Δ, K) · op_seconds = 2(K + Δ − 1) · op_seconds
(DERIVED, THEORY.md §1). Wall time belongs to the machine, so it is measured by
`pplimits engines --validate-clock`, recorded with its provenance in reports/measurements/engine-clock.json,
and the report prints that record: the same inputs give the same report bytes.
"""
import json
from pathlib import Path

from algorithms.engines import engine, engines
from reports.files import write_atomic
from reports.provenance import provenance

RECORD = Path(__file__).resolve().parent / "measurements" / "engine-clock.json"
TOLERANCE = 0.15  # the target: measured within 15 % of the model


def measure(op_seconds: float = 0.02, progress=None) -> dict:
    """Run each usable engine's validate_clock (Δ ∈ {2, 4}, K ∈ {2, 8}); the others are listed with the reason."""
    rows, skipped, listed = [], {}, engines()
    for found in listed:
        if not found["usable"]:
            skipped[found["name"]] = found["reason"]
            continue
        measured = engine(found["name"]).validate_clock(op_seconds=op_seconds)
        rows += [{**row, "within_tolerance": abs(row["ratio"] - 1) <= TOLERANCE} for row in measured]
        if progress is not None:
            print(f"[engines] {found['name']}: {len(measured)} configurations measured", file=progress, flush=True)
    return {"op_seconds": op_seconds, "tolerance": TOLERANCE, "rows": rows, "skipped": skipped,
            "engines": {found["name"]: found["reason"] for found in listed if found["usable"]},
            "provenance": provenance()}


HEADER = ["engine", "Δ", "K", "model s", "measured s", "ratio", "within"]
WIDTHS = [8, 3, 3, 9, 11, 7, 60]


def rows(result: dict) -> list[list[str]]:
    """The model-vs-measured table, one row per (engine, Δ, K), then one per engine not measured and why."""
    found = [[r["engine"], str(r["depth"]), str(r["K"]), f"{r['model_seconds']:.3f}", f"{r['measured_seconds']:.3f}",
              f"{r['ratio']:.3f}", "yes" if r["within_tolerance"] else "NO"] for r in result["rows"]]
    return found + [[name, "—", "—", "—", "—", "—", reason] for name, reason in result["skipped"].items()]


def table(result: dict) -> str:
    """rows() as plain text."""
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, WIDTHS)).rstrip()
                     for row in [HEADER, *rows(result)])


def record(result: dict, path=RECORD) -> Path:
    return write_atomic(path, json.dumps(result, indent=1, sort_keys=True) + "\n")


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
        raise ValueError(f"engine clock record {path} is malformed; re-measure with pplimits engines --validate-clock")
