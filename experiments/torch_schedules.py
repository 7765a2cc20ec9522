"""Every schedule class torch offers, checked over a grid of (P, B, v) and two op-cost models (issue 15, item 2).

`measure` gives pplimits' verdict on each cell (algorithms.torch_schedules: valid with makespan, bubble and peak
activations beside pplimits' closed form, invalid with the first violation, not expressible, or refused: torch's or
pplimits' own refusal of the parameters); `record` writes it atomically to reports/measurements/torch-schedules.json
(benchmarks/torch_schedules.py), which tests/algorithms/test_torch_schedules.py holds equal to a fresh measurement.
"""
import json
from pathlib import Path

from pplimits._util.checks import UsageError
from pplimits._util.files import write_atomic
from pplimits.algorithms import torch_schedules
from pplimits.algorithms.clock import Costs

RECORD = "reports/measurements/torch-schedules.json"
FORMAT = "pplimits-torch-schedules/1"
DEPTHS = (2, 3, 4)
CHUNKS = (1, 2)
# unit: the paper's f = b = 1 (a split backward: B = W = 1/2); tick: f = 1, b = 2, so that every op of a split
# schedule lasts one tick (T_F = T_B = T_W, the zero-bubble paper's setting; a full backward lasts 2)
COSTS = {"unit": "f=1,b=1", "tick": "f=1,b=2"}


def inputs_for(depth: int) -> tuple:
    """B: 1, P − 1, P, P + 1, 2P, 3P (multiples of P and not, fewer micro-batches than ranks and more)."""
    return tuple(sorted({1, depth - 1, depth, depth + 1, 2 * depth, 3 * depth} - {0}))


def cell(name: str, depth: int, inputs: int, chunks: int, costs: str) -> dict:
    """One cell's verdict as a JSON record; 'refused' (with the one-line reason) where torch or pplimits refuses."""
    try:
        return torch_schedules.verdict(name, depth, inputs, chunks, Costs.parse(COSTS[costs])).as_dict() | {
            "cost_model": costs}
    except UsageError as error:
        return {"schedule": name, "depth": depth, "inputs": inputs, "chunks": chunks, "verdict": "refused",
                "reason": str(error), "cost_model": costs}


def measure() -> dict:
    """The verdicts on every class `torch_schedules.offered()` lists over DEPTHS × inputs_for × CHUNKS (v = 1 only for
    single-stage classes) × COSTS."""
    import torch

    classes = torch_schedules.offered()
    cells = [cell(name, depth, inputs, chunks, costs) for costs in COSTS for name in classes for depth in DEPTHS
             for inputs in inputs_for(depth)
             for chunks in ((1,) if torch_schedules.single_stage(name) else CHUNKS)]
    return {"format": FORMAT, "torch": torch.__version__, "classes": list(classes), "depths": list(DEPTHS),
            "chunks": list(CHUNKS), "costs": COSTS, "cells": cells}


def record(result: dict, path=RECORD) -> Path:
    """Write the measurement atomically as JSON."""
    return write_atomic(path, json.dumps(result, indent=1) + "\n")


def table(result: dict, depth: int = 4, inputs: int = 8, costs: str = "unit") -> str:
    """A Markdown table of the verdicts at one (P, B) per class and v: verdict, makespan, closed form."""
    rows = ["| torch class | v | verdict | makespan | bubble | peak act. | pplimits closed form |",
            "|---|---|---|---|---|---|---|"]
    for found in result["cells"]:
        if (found["depth"], found["inputs"], found["cost_model"]) != (depth, inputs, costs):
            continue
        if found["verdict"] == "refused" and "chunks" in found["reason"].split(":")[0]:
            continue
        closed = found.get("closed_form")
        if closed is None:
            versus = "—"
        elif closed["makespan"] is None:
            versus = f"{closed['schedule']}: {closed['note']}"
        else:
            versus = f"{closed['schedule']} {closed['makespan']}: {closed['note']}"
        verdict = found["verdict"] if found["verdict"] == "valid" else f"{found['verdict']}: {found['reason']}"
        peak = "—" if found.get("peak_activations") is None else max(found["peak_activations"])
        rows.append(f"| {found['schedule']} | {found['chunks']} | {verdict} | {found.get('makespan') or '—'} | "
                    f"{found.get('bubble') or '—'} | {peak} | {versus} |")
    return "\n".join(rows)
