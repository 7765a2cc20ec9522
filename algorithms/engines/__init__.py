"""Real pipeline engines: the same layered objective run stage by stage on JAX devices or torch ranks.

Values must equal the numpy simulator's; the clock each engine counts must equal algorithms.clock.
"""
from dataclasses import dataclass

import numpy as np

from algorithms.clock import makespan
from worstcase.layered import network


@dataclass(frozen=True)
class EngineRun:
    """One pipelined PPRS gradient: G (d,), the K values, the ticks of the ops run, the wall time of one
    pipelined step (compile and launch excluded)."""

    gradient: np.ndarray
    values: np.ndarray
    ticks: int
    wall_seconds: float


def clock_objective(depth: int):
    """The small Δ-stage network whose ops the clock validation stalls (its arithmetic is negligible)."""
    return network(depth, width=4, samples=4)


def clock_row(engine: str, depth: int, samples: int, op_seconds: float, measured: float) -> dict:
    """One row of clock validation: the GPipe makespan 2(K + Δ − 1) · op_seconds (DERIVED, THEORY.md §1)
    against the measured wall time."""
    model = makespan(depth, samples, "gpipe", "half") * op_seconds
    return {"engine": engine, "depth": depth, "K": samples, "model_seconds": model, "measured_seconds": measured,
            "ratio": measured / model}
