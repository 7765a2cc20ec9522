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
    activations each device held at once and the actions each device ran, in order."""

    gradient: np.ndarray
    values: np.ndarray
    ticks: int
    wall_seconds: float
    peak_activations: tuple | None = None
    orders: tuple | None = None


def clock_objective(depth: int):
    """The small Δ-stage network whose ops the clock validation stalls (its arithmetic is negligible)."""
    return network(depth, width=4, points=4)


def clock_row(engine: str, devices: int, samples: int, op_seconds: float, measured: float, schedule: str = "gpipe",
              chunks: int = 1, ticks=None, model: str = "closed form") -> dict:
    """One row of clock validation: the model's makespan in ticks · op_seconds against the measured wall time, P =
    `devices` holding v = `chunks` stages each (depth Δ = vP). `ticks` defaults to the clock's closed form of
    `schedule` at unit costs (GPipe and 1F1B 2(K + Δ − 1); DERIVED, docs/theory.md §1); `model` names its source."""
    ticks = Schedule(schedule, devices=devices, inputs=samples).makespan() if ticks is None else ticks
    seconds = float(ticks) * op_seconds
    return {"engine": engine, "schedule": schedule, "depth": devices * chunks, "devices": devices, "chunks": chunks,
            "K": samples, "model": model, "model_ticks": ticks, "model_seconds": seconds,
            "measured_seconds": measured, "ratio": measured / seconds}


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
