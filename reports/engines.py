"""Clock validation of the real pipeline engines: their measured wall time against the model's makespan.

Every stage op (one forward or one backward of one micro-batch at one stage) is made to take
`op_seconds`; the GPipe schedule should then take makespan(Δ, K) · op_seconds = 2(K + Δ − 1) · op_seconds
(DERIVED, THEORY.md §1). Wall time belongs to the machine, so it is measured by
`pplimits engines --validate-clock`, recorded with its provenance in reports/measurements/engine-clock.json,
and the report prints that record: the same inputs give the same report bytes.
"""
import importlib
import json
from pathlib import Path

from reports.files import write_atomic
from reports.provenance import provenance

ENGINES = ("jax", "torch")
RECORD = Path(__file__).resolve().parent / "measurements" / "engine-clock.json"
TOLERANCE = 0.15  # the target: measured within 15 % of the model


def measure(op_seconds: float = 0.02, progress=None) -> dict:
    """Run each installed engine's validate_clock (Δ ∈ {2, 4}, K ∈ {2, 8}); engines not installed are listed."""
    rows, skipped = [], {}
    for name in ENGINES:
        try:
            engine = importlib.import_module(f"algorithms.engines.{name}_engine")
        except ImportError as error:
            skipped[name] = f"not installed ({error.name or error}): pip install 'pplimits[{name}]'"
            continue
        found = engine.validate_clock(op_seconds=op_seconds)
        rows += [{**row, "within_tolerance": abs(row["ratio"] - 1) <= TOLERANCE} for row in found]
        if progress is not None:
            print(f"[engines] {name}: {len(found)} configurations measured", file=progress, flush=True)
    return {"op_seconds": op_seconds, "tolerance": TOLERANCE, "rows": rows, "skipped": skipped,
            "provenance": provenance()}


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
