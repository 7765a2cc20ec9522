"""Clock validation of the real pipeline engines: their measured wall time against the model's makespan.

Every stage op is made to take `op_seconds`; a schedule should then take its makespan in ops · op_seconds (GPipe
2(K + Δ − 1); the other schedules' closed forms, or pplimits' simulator on torch's IR where there is none: DERIVED,
docs/theory.md §1). `pplimits engines --validate-clock` runs this and records the result. 50 ms per op: the
engines' own cost per action (torch's runtime and gloo, 2–4 ms on a loaded 2-core machine) must stay small beside it.
"""
import json
from pathlib import Path

from pplimits._util.files import write_atomic
from pplimits._util.provenance import provenance
from pplimits.algorithms.engines import engine, engines

TOLERANCE = 0.15  # the target: measured within 15 % of the model


def measure(op_seconds: float = 0.05, progress=None) -> dict:
    """Run each usable engine's validate_clock (P ∈ {2, 4} devices, K ∈ {2, 8}); the others are listed with the
    reason."""
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


def record(result: dict, path) -> Path:
    """Write the measurement atomically as JSON."""
    return write_atomic(path, json.dumps(result, indent=1, sort_keys=True) + "\n")
