"""Real pipeline engines: the same layered objective run stage by stage on JAX devices or torch ranks.

Values must equal the numpy simulator's; the clock each engine counts must equal algorithms.clock.
"""
import importlib
from dataclasses import dataclass

import numpy as np

from pplimits._util.checks import UsageError
from pplimits.algorithms.clock import Schedule
from pplimits.worstcase.layered import network


@dataclass(frozen=True)
class EngineRun:
    """One pipelined PPRS gradient: G (d,), the K values, the ticks of the ops run, the wall time of one
    pipelined step (compile and launch excluded), and where the engine records its ops' order, the most
    activations each device held at once."""

    gradient: np.ndarray
    values: np.ndarray
    ticks: int
    wall_seconds: float
    peak_activations: tuple | None = None


def clock_objective(depth: int):
    """The small Δ-stage network whose ops the clock validation stalls (its arithmetic is negligible)."""
    return network(depth, width=4, points=4)


def clock_row(engine: str, depth: int, samples: int, op_seconds: float, measured: float,
              schedule: str = "gpipe") -> dict:
    """One row of clock validation: the schedule's closed-form makespan · op_seconds (GPipe 2(K + Δ − 1), 1F1B
    2(K + Δ − 1) too at unit costs; DERIVED, docs/theory.md §1) against the measured wall time."""
    model = float(Schedule(schedule, devices=depth, inputs=samples).makespan()) * op_seconds
    return {"engine": engine, "schedule": schedule, "depth": depth, "K": samples, "model_seconds": model,
            "measured_seconds": measured, "ratio": measured / model}


ENGINES = ("jax", "torch")


def engines() -> list[dict]:
    """Each pipeline engine: installed, usable, the devices its stages can be placed on, and why (not) usable."""
    rows = []
    for name in ENGINES:
        row = {"name": name, "installed": False, "usable": False, "devices": []}
        try:
            module = engine(name)
        except ImportError:
            row["reason"] = f"engine {name!r} needs the [{name}] extra: pip install 'pplimits[{name}]'"
            rows.append(row)
            continue
        row["installed"], row["devices"] = True, module.devices()
        row["usable"], row["reason"] = module.available()
        rows.append(row)
    return rows


def engine(name: str):
    """The engine module `name` (algorithms.engines.jax_engine or torch_engine); ImportError if its extra is missing."""
    if name not in ENGINES:
        raise UsageError(f"engine must be one of {', '.join(ENGINES)}, got {name!r}")
    return importlib.import_module(f"pplimits.algorithms.engines.{name}_engine")
