"""Run a method on an instance through the pipeline: values batched over runs, clock in closed form.

Pipelining changes when a gradient arrives, not its value: the runner computes values with the
batched oracle, one synchronous iteration at a time for all S runs together, and takes the clock from
PipelineModel.iteration_times (x_k is available at k·τ_g, O(1) per iteration).
"""
from dataclasses import dataclass

import numpy as np

from pplimits.algorithms.backend import Backend, get_backend
from pplimits.algorithms.clock import PipelineModel


@dataclass(frozen=True)
class Run:
    """Criterion (f − f* or ‖∇f‖) of the iterate available at each clock time, for S runs."""

    method: str
    instance: str
    criterion: str
    times: np.ndarray  # (K+1,) int64: iterate k is available at times[k]
    values: np.ndarray  # (S, K+1) float64
    queries_per_iteration: int

    @property
    def iterations(self) -> int:
        return len(self.times) - 1

    def first_index_below(self, eps: float) -> np.ndarray:
        """Per run, the first iterate index with criterion ≤ eps, or -1 if none."""
        below = self.values <= eps
        return np.where(below.any(axis=1), below.argmax(axis=1), -1)

    def time_to_eps(self, eps: float) -> int | None:
        """Clock time at which every run has an iterate with criterion ≤ eps available (None if some never does)."""
        index = self.first_index_below(eps)
        return None if (index < 0).any() else int(self.times[index.max()])


def _criterion(instance, x, xp):
    if instance.criterion == "gap":
        return instance.value(x) - instance.f_star
    return xp.linalg.vector_norm(instance.gradient(x), axis=-1)


def run(method, instance, model: PipelineModel, iterations: int, runs: int = 1,
        backend: Backend | None = None, stop_below: float | None = None, progress=None) -> Run:
    """Advance `runs` copies of `method` on `instance` for up to `iterations` synchronous iterations.

    Stops early once every run has reached `stop_below` (if given) or left the finite numbers (a diverging run
    never comes back: its overflow warnings are silenced, the measurement notes it); calls progress(k, iterations)
    after each iteration k (if given).
    """
    backend = backend or get_backend()
    xp = backend.xp
    x0 = backend.asarray(np.broadcast_to(instance.x0, (runs, instance.dim)))
    state = method.init(x0)
    values = [backend.to_numpy(_criterion(instance, method.iterate(state), xp))]
    limit = -np.inf if stop_below is None else stop_below
    reached = values[0] <= limit
    for _ in range(iterations):
        if (reached | ~np.isfinite(values[-1])).all():
            break
        with np.errstate(over="ignore", invalid="ignore"):
            state = method.update(state, instance.gradient(method.queries(state)))
            values.append(backend.to_numpy(_criterion(instance, method.iterate(state), xp)))
        reached |= values[-1] <= limit
        if progress is not None:
            progress(len(values) - 1, iterations)
    values = np.stack(values, axis=1).astype(np.float64)
    times = model.iteration_times(values.shape[1] - 1, queries=method.queries_per_iteration)
    return Run(method.name, instance.name, instance.criterion, times, values, method.queries_per_iteration)
