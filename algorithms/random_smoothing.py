"""Pipeline Parallel Random Smoothing (PPRS) and its DRS-schedule sibling.

One iteration sends K perturbed copies y_t + γ_t X_k of the query through the pipeline as one
synchronous batch (K·n inputs, time 2(nK + Δ − 1)) and averages their subgradients:

    y_t = (1 − α_t) x_t + α_t z_t,   G_t = (1/K) Σ_k ∇f(y_t + γ_t X_k),
    z_{t+1} = z_t − s_t G_t,         x_{t+1} = (1 − α_t) x_t + α_t z_{t+1}.

The perturbations come from algorithms.noise (block (seed, t, k, layer) is its own counter-based stream);
run r of a batch uses seed + r. PPRS is NOT a span method: the span lower bounds do not bind it.

On numpy float64 arrays the queries are formed in place in a kept (S, K, d) array, window by window as the noise
is drawn on every core, and the mean over K is taken by column blocks on every core: the same floating-point
operations on the same numbers as the array expressions below, so the same bits.
"""
import math
from dataclasses import dataclass

import numpy as np

from pplimits._util.arrays import array_namespace as _xp
from pplimits._util.arrays import device
from pplimits._util.checks import require_int, require_number, require_numbers
from pplimits._util.parallel import share
from pplimits._util.scratch import Scratch
from pplimits.algorithms.noise import perturbations
from pplimits.algorithms.span_methods import per_run
from pplimits.bounds.smoothing import C_SMOOTH


@dataclass(frozen=True)
class _RandomSmoothing:
    lipschitz: float
    samples: int
    seed: int = 0
    layer_sizes: tuple | None = None  # the objective's parameter blocks; None: one block

    def __post_init__(self):
        object.__setattr__(self, "lipschitz", require_numbers("L", self.lipschitz, 0.0))
        require_int("samples", self.samples)
        require_int("seed", self.seed, minimum=0)
        object.__setattr__(self, "_scratch", Scratch())  # the kept query array (not a field: no part of equality)

    @property
    def queries_per_iteration(self) -> int:
        return self.samples

    def init(self, x0):
        return 0, x0, x0

    def _point(self, state):
        t, x, z = state
        alpha = self.alpha(t)
        return (1 - alpha) * x + alpha * z

    def queries(self, state):
        t, x, _ = state
        runs, dim = x.shape
        seeds, sizes = range(self.seed, self.seed + runs), self.layer_sizes or (dim,)
        gamma = np.reshape(self.smoothing(t, dim), (-1, 1, 1))  # one γ or one per run
        if _is_float64_numpy(x) and _is_float64_numpy(state[2]) and len(gamma) in (1, runs):
            point = self._point_numpy(state)
            out = self._scratch.empty("queries", (runs, self.samples, dim))

            def form(s, start, window):  # γ·X then + y, as below, while the window is in cache
                np.multiply(window, gamma[s if len(gamma) > 1 else 0, 0, 0], out=window)
                np.add(window, point[s, start:start + len(window)], out=window)

            if dim >= FORM_PER_ROW:
                return perturbations(seeds, t, self.samples, sizes, out=out, then=form)
            noise = perturbations(seeds, t, self.samples, sizes, out=out)  # short rows: one call each, not one per row
            return np.add(np.multiply(noise, gamma, out=noise), point[:, None, :], out=noise)
        noise = perturbations(seeds, t, self.samples, sizes)
        noise *= gamma  # in place: our own numpy buffer
        return _xp(x).asarray(noise, dtype=x.dtype, device=device(x)) + self._point(state)[:, None, :]

    def _point_numpy(self, state):
        """_point(state) for numpy float64 x and z, by the same operations, in kept arrays."""
        t, x, z = state
        alpha = self.alpha(t)
        point = np.multiply(1 - alpha, x, out=self._scratch.empty("point", x.shape))
        return np.add(point, np.multiply(alpha, z, out=self._scratch.empty("alpha z", z.shape)), out=point)

    def update(self, state, gradients):
        t, x, z = state
        alpha = self.alpha(t)
        step = per_run(self.z_step(t, x.shape[-1]), x)
        if _is_float64_numpy(x) and _is_float64_numpy(z) and _is_float64_numpy(gradients) and gradients.ndim == 3:
            # the same operations in kept arrays: two of z and of x (the state passed in holds one of each)
            mean = _mean_over_queries(gradients, out=self._scratch.empty("z", z.shape, keep=2))
            z = np.subtract(z, np.multiply(step, mean, out=mean), out=mean)
            x = np.multiply(1 - alpha, x, out=self._scratch.empty("x", x.shape, keep=2))
            return t + 1, np.add(x, np.multiply(alpha, z, out=self._scratch.empty("alpha z", z.shape)), out=x), z
        z = z - step * _xp(x).mean(gradients, axis=1)
        return t + 1, (1 - alpha) * x + alpha * z, z

    def iterate(self, state):
        return state[1]


@dataclass(frozen=True)
class PPRS(_RandomSmoothing):
    """Theorem D (DERIVED, docs/theory.md §2.5): α_t = 2/(t+2), constant γ, s_t = (t+1)η/2, η = γ/(2cL),
    c = √(2/π). E f(x_T) − f* ≤ 4cLR²/(γT(T+1)) + γL(2T+1)/(12cK) + γL E‖Z‖ for any γ, K, T.
    γ and L may hold one value per run (a grid batched over runs)."""

    gamma: float | tuple | None = None
    name: str = "pprs"

    def __post_init__(self):
        super().__post_init__()
        object.__setattr__(self, "gamma", require_numbers("gamma", self.gamma, 0.0))

    def alpha(self, t):
        return 2 / (t + 2)

    def smoothing(self, t, dim):
        return self.gamma

    def z_step(self, t, dim):
        return (t + 1) * np.asarray(self.gamma) / (2 * C_SMOOTH * np.asarray(self.lipschitz)) / 2


@dataclass(frozen=True)
class DRSSchedule(_RandomSmoothing):
    """RECON: the DRS schedule of Scaman et al. 2018 that PPRS mirrors (docs/theory.md §2.5), constants not
    recovered: α₀ = 1, α_{t+1} = 2/(1 + √(1 + 4/α_t²)), γ_t = R d^{-1/4} α_t,
    η_t = Rα_t/(2L(d^{1/4} + √((t+1)/K))), s_t = η_t/α_t."""

    radius: float = 1.0
    name: str = "pprs-drs"

    def __post_init__(self):
        super().__post_init__()
        require_number("R", self.radius, 0.0)

    def alpha(self, t):
        return _drs_alpha(t)

    def smoothing(self, t, dim):
        return self.radius * dim**-0.25 * self.alpha(t)

    def z_step(self, t, dim):
        return self.radius / (2 * np.asarray(self.lipschitz) * (dim**0.25 + math.sqrt((t + 1) / self.samples)))


COLUMNS = 2**12  # the mean over K is taken in column blocks of at least this width (one task each)
FORM_PER_ROW = 2**12  # rows at least this long are formed window by window as drawn (shorter: Python overhead)


def _is_float64_numpy(x) -> bool:
    return isinstance(x, np.ndarray) and x.dtype == np.float64


def _mean_over_queries(gradients, out):
    """np.mean(gradients, axis=1) for a float64 (S, K, d) array, written into `out`, bit for bit: numpy sums axis 1
    one k after the other into each output element, then divides by K. Here tasks (run s, column block of width
    >= COLUMNS >= 2; a block of width 1 would be summed pairwise) do the same on every core, run 0 first (the
    max-function gradient writes its last rows first, run 0's last)."""
    if gradients.shape[2] < 2 * COLUMNS:
        return np.mean(gradients, axis=1, out=out)
    runs, samples, dim = gradients.shape
    blocks = dim // COLUMNS
    edges = [dim * b // blocks for b in range(blocks + 1)]

    def reduce(indices):
        for task in indices:
            s, b = divmod(task, blocks)
            columns = slice(edges[b], edges[b + 1])
            np.add.reduce(gradients[s, :, columns], axis=0, out=out[s, columns])
            np.divide(out[s, columns], samples, out=out[s, columns])

    share(reduce, runs * blocks, elements=gradients.size)
    return out


_DRS_ALPHAS = [1.0]


def _drs_alpha(t: int) -> float:
    """α_t of the DRS recursion, memoised (O(1) amortised per iteration)."""
    while len(_DRS_ALPHAS) <= t:
        _DRS_ALPHAS.append(2 / (1 + math.sqrt(1 + 4 / _DRS_ALPHAS[-1] ** 2)))
    return _DRS_ALPHAS[t]
