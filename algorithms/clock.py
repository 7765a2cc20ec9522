"""Pipeline time model in closed form (docs/theory.md §1 "Pipeline timing").

Time is counted in integer ticks; an op (one forward or backward pass of one input at one stage)
takes one tick. Every formula here is DERIVED and validated against the tick-by-tick simulator
`algorithms.timeline.simulate` in tests/algorithms/test_clock.py.
"""
from dataclasses import dataclass

import numpy as np

from pplimits._util.checks import UsageError, require_choice, require_int

SCHEDULES = ("naive", "gpipe")
DUPLEX_MODES = ("half", "full", "forward")

_INT64_MAX = int(np.iinfo(np.int64).max)

# (schedule, duplex) -> makespan of `b` inputs through `d` stages.
_MAKESPAN = {
    ("naive", "half"): lambda d, b: 2 * b * d,
    ("naive", "full"): lambda d, b: 2 * b * d,
    ("naive", "forward"): lambda d, b: b * d,
    ("gpipe", "half"): lambda d, b: 2 * (b + d - 1),
    ("gpipe", "full"): lambda d, b: b + 2 * d - 1,
    ("gpipe", "forward"): lambda d, b: b + d - 1,
}


def makespan(depth: int, batch: int, schedule: str = "gpipe", duplex: str = "half") -> int:
    """Ticks until the last op of `batch` inputs through `depth` stages completes.

    naive: 2·B·Δ (B·Δ forward-only); gpipe: 2(B+Δ−1) half, B+2Δ−1 full, B+Δ−1 forward-only.
    DERIVED, docs/theory.md §1 "Pipeline timing"; validated against timeline.simulate in tests.
    """
    depth, batch = require_int("depth", depth), require_int("batch", batch)
    require_choice("schedule", schedule, SCHEDULES)
    require_choice("duplex", duplex, DUPLEX_MODES)
    return _MAKESPAN[schedule, duplex](depth, batch)


@dataclass(frozen=True)
class PipelineModel:
    """Clock of synchronous pipelined iterations: depth Δ, n inputs per gradient.

    DERIVED, docs/theory.md §1 "Pipeline timing"; validated against timeline.simulate in tests.
    """

    depth: int
    inputs: int = 1
    duplex: str = "half"
    schedule: str = "gpipe"

    def __post_init__(self):
        object.__setattr__(self, "depth", require_int("depth", self.depth))
        object.__setattr__(self, "inputs", require_int("inputs", self.inputs))
        require_choice("duplex", self.duplex, DUPLEX_MODES)
        require_choice("schedule", self.schedule, SCHEDULES)

    def _require_gradients(self):
        if self.duplex == "forward":
            raise UsageError("duplex='forward' has no backward pass, so no gradient; use half or full")

    @property
    def latency(self) -> int:
        """τ = 2Δ: ticks from sending one query to receiving its gradient (lower bounds)."""
        self._require_gradients()
        return 2 * self.depth

    def gradient_time(self, queries: int = 1) -> int:
        """Ticks of one synchronous iteration sending `queries` query points of n inputs each:
        makespan(Δ, n·queries)."""
        self._require_gradients()
        batch = self.inputs * require_int("queries", queries)
        return makespan(self.depth, batch, self.schedule, self.duplex)

    def iteration_times(self, iterations: int, queries: int = 1) -> np.ndarray:
        """int64 array of shape (iterations+1,): entry k = k·gradient_time(queries), the tick at
        which iterate x_k is available (iterations do not overlap)."""
        iterations = require_int("iterations", iterations, minimum=0)
        step = self.gradient_time(queries)
        if iterations * step > _INT64_MAX:
            raise OverflowError(f"iteration_times: {iterations}·{step} ticks exceeds int64")
        return np.arange(iterations + 1, dtype=np.int64) * np.int64(step)

    def iterations_by(self, time, queries: int = 1):
        """Number of complete iterations by tick `time`: time // gradient_time(queries).

        `time` is a non-negative integer (returns int) or integer array (returns int64 array).
        """
        step = self.gradient_time(queries)
        if np.ndim(time) == 0:
            value = time.item() if isinstance(time, np.ndarray) else time
            return require_int("time", value, minimum=0) // step
        times = np.asarray(time)
        if times.dtype.kind not in "iu" or not np.can_cast(times.dtype, np.int64):
            raise UsageError(f"time must be an integer array (int64-castable), got dtype {times.dtype}")
        if (times < 0).any():
            raise UsageError("time must be >= 0")
        return times.astype(np.int64) // np.int64(step)
