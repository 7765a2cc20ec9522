"""First-order span methods, written as small init / queries / update transformations.

Each method advances S independent runs at once: `queries(state)` returns the (S, B, d) points sent
through the pipeline in one synchronous iteration, `update(state, gradients)` consumes the (S, B, d)
gradients that come back, and `iterate(state)` is the (S, d) point the method would output now.
Every query lies in x₀ + span(returned gradients), so each method is a span (zero-respecting)
procedure to which the rounds lemma (docs/theory.md §1) applies. Array code uses only the Array API
standard through the namespace of the arrays it is given.
"""
import math
from dataclasses import dataclass

import numpy as np

from pplimits._util.arrays import array_namespace as _xp
from pplimits._util.arrays import device
from pplimits._util.checks import UsageError, require_int, require_number, require_numbers


def per_run(value, x):
    """A hyperparameter as it scales the (S, d) array x: a number as is, S values (one per run) as a column."""
    if np.ndim(value) == 0:
        return float(value)
    if len(value) != x.shape[0]:
        raise UsageError(f"a hyperparameter with {len(value)} values (one per run) was given {x.shape[0]} runs")
    return _xp(x).asarray(np.asarray(value, dtype=np.float64), dtype=x.dtype, device=device(x))[:, None]


@dataclass(frozen=True)
class GradientDescent:
    """x_{k+1} = x_k − ∇f(x_k)/β. Upper: f − f* ≤ βR²/(2k) (Beck–Teboulle 2009, Thm 3.1; CLASSICAL).
    β may hold one value per run (a step-size grid batched over runs)."""

    beta: float | tuple
    name: str = "gd"
    queries_per_iteration: int = 1

    def __post_init__(self):
        object.__setattr__(self, "beta", require_numbers("beta", self.beta, 0.0))

    def init(self, x0):
        return x0

    def queries(self, x):
        return x[:, None, :]

    def update(self, x, gradients):
        return x - gradients[:, 0, :] / per_run(self.beta, x)

    def iterate(self, x):
        return x


@dataclass(frozen=True)
class AcceleratedGradient:
    """Nesterov AGD, step 1/β.

    mu == 0: FISTA momentum, t₁ = 1, t_{k+1} = (1 + √(1 + 4t_k²))/2, upper f − f* ≤ 2βR²/(k+1)²
    (Beck–Teboulle 2009, Thm 4.4; CLASSICAL). mu > 0: constant momentum (√κ−1)/(√κ+1), upper
    (1 − 1/√κ)^k (β+μ)R²/2 (Nesterov 2004, Thm 2.2.3; CLASSICAL). With mu == 0, β may hold one value per run.
    """

    beta: float | tuple
    mu: float = 0.0
    name: str = "agd"
    queries_per_iteration: int = 1

    def __post_init__(self):
        beta = require_numbers("beta", self.beta, 0.0)
        if isinstance(beta, tuple):
            if self.mu != 0:
                raise UsageError("mu must be 0 when beta holds one value per run")
        else:
            require_number("mu", self.mu, 0.0, beta, low_open=False)
        object.__setattr__(self, "beta", beta)

    def _momentum(self, t):
        if self.mu > 0:
            kappa = self.beta / self.mu
            return (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1), t
        t_next = (1 + math.sqrt(1 + 4 * t * t)) / 2
        return (t - 1) / t_next, t_next

    def init(self, x0):
        # state after iteration k: (x_k, x_{k−1}, t_k); t_0 = 0 makes t_1 = 1 and y_1 = x_0, so that
        # y_{k+1} = x_k + ((t_k − 1)/t_{k+1})(x_k − x_{k−1}) is Beck–Teboulle's FISTA from its first step
        return x0, x0, 0.0

    def queries(self, state):
        x, x_previous, t = state
        momentum, _ = self._momentum(t)
        return (x + momentum * (x - x_previous))[:, None, :]

    def update(self, state, gradients):
        x, _, t = state
        y = self.queries(state)[:, 0, :]
        return y - gradients[:, 0, :] / per_run(self.beta, x), x, self._momentum(t)[1]

    def iterate(self, state):
        return state[0]


@dataclass(frozen=True)
class HeavyBall:
    """Polyak's heavy ball x_{k+1} = x_k − α∇f(x_k) + b(x_k − x_{k−1}): a span method for the lower-bound tests.

    Defaults: mu > 0, Polyak's α = 4/(√β+√μ)², b = ((√κ−1)/(√κ+1))²; mu == 0, b = 1/2 and
    α = (1 − b)/β (convergent for convex f, Ghadimi–Feyzmahdavian–Johansson 2015). No upper bound is
    registered for it.
    """

    beta: float
    mu: float = 0.0
    step: float | None = None
    momentum: float | None = None
    name: str = "heavy-ball"
    queries_per_iteration: int = 1

    def __post_init__(self):
        require_number("mu", self.mu, 0.0, require_number("beta", self.beta, 0.0), low_open=False)
        if self.mu > 0:
            root_kappa = math.sqrt(self.beta / self.mu)
            step, momentum = 4 / (math.sqrt(self.beta) + math.sqrt(self.mu)) ** 2, ((root_kappa - 1) / (root_kappa + 1)) ** 2
        else:
            momentum = 0.5 if self.momentum is None else self.momentum
            step = (1 - momentum) / self.beta
        if self.momentum is not None:
            momentum = require_number("momentum", self.momentum, 0.0, 1.0, low_open=False)
        if self.step is not None:
            step = require_number("step", self.step, 0.0)
        object.__setattr__(self, "step", step)
        object.__setattr__(self, "momentum", momentum)

    def init(self, x0):
        return x0, x0

    def queries(self, state):
        return state[0][:, None, :]

    def update(self, state, gradients):
        x, x_previous = state
        return x - self.step * gradients[:, 0, :] + self.momentum * (x - x_previous), x

    def iterate(self, state):
        return state[0]


@dataclass(frozen=True)
class RandomSpanMethod:
    """A random zero-respecting method, one per run: the adversary of the span lower bounds.

    Each of the B queries of an iteration is a random convex combination of x₀ and the queries of the
    last `window` iterations, minus a random step in (0, max_step) — 2/β on smooth f, 2R/L on Lipschitz f —
    along a random convex combination of their returned gradients (Dirichlet weights favouring recent ones);
    the iterate is the iteration's first query. Run r of a batch draws from its own numpy Generator seeded
    with seed + r, so it is the same run whatever the batch size.
    """

    max_step: float
    seed: int = 0
    queries_per_iteration: int = 1
    window: int = 8
    name: str = "random-span"

    def __post_init__(self):
        require_number("max_step", self.max_step, 0.0)
        require_int("seed", self.seed, minimum=0)
        require_int("queries_per_iteration", self.queries_per_iteration)
        require_int("window", self.window)

    def init(self, x0):
        rngs = tuple(np.random.default_rng(self.seed + r) for r in range(x0.shape[0]))
        return x0, (), (), rngs, self._draw(x0, (), (), rngs)

    def _draw(self, x0, points, gradients, rngs):
        xp = _xp(x0)
        points = xp.concat([x0[:, None, :], *points], axis=1)
        queries = self._weights(rngs, points.shape[1], x0) @ points
        if gradients:
            gradients = xp.concat(list(gradients), axis=1)
            steps = np.stack([rng.uniform(0.0, self.max_step, size=(self.queries_per_iteration, 1)) for rng in rngs])
            steps = xp.asarray(steps, dtype=x0.dtype, device=device(x0))
            queries = queries - steps * (self._weights(rngs, gradients.shape[1], x0) @ gradients)
        return queries

    def _weights(self, rngs, count, like):
        """(runs, queries, count) Dirichlet weights, each run's from its own Generator."""
        recency = 0.2 + 2.0 * (np.arange(1, count + 1) / count) ** 4
        weights = np.stack([rng.dirichlet(recency, size=self.queries_per_iteration) for rng in rngs])
        return _xp(like).asarray(weights, dtype=like.dtype, device=device(like))

    def queries(self, state):
        return state[4]

    def update(self, state, gradients):
        x0, points, past_gradients, rngs, queries = state
        points = (*points, queries)[-self.window:]
        past_gradients = (*past_gradients, gradients)[-self.window:]
        return x0, points, past_gradients, rngs, self._draw(x0, points, past_gradients, rngs)

    def iterate(self, state):
        return state[4][:, 0, :]


@dataclass(frozen=True)
class Subgradient:
    """x_{t+1} = x_t − h g_t, h = R/(L√T): min_{t≤T} f(x_t) − f* ≤ RL/√T (Nesterov 2004, Thm 3.2.2;
    CLASSICAL). A span method."""

    lipschitz: float
    radius: float
    horizon: int
    name: str = "subgradient"
    queries_per_iteration: int = 1

    def __post_init__(self):
        require_number("L", self.lipschitz, 0.0)
        require_number("R", self.radius, 0.0)
        require_int("horizon", self.horizon)

    def init(self, x0):
        return x0

    def queries(self, x):
        return x[:, None, :]

    def update(self, x, gradients):
        return x - self.radius / (self.lipschitz * math.sqrt(self.horizon)) * gradients[:, 0, :]

    def iterate(self, x):
        return x


@dataclass(frozen=True)
class DecayingSubgradient:
    """x_{t+1} = x_t − (c/√(t+1)) g_t, no horizon needed: min_{t≤T} f(x_t) − f* ≤ (R² + L² Σ_{t<T} h_t²)/(2 Σ_{t<T} h_t)
    with h_t = c/√(t+1), i.e. O(RL log T/√T) at c = R/L (Nesterov 2004, §3.2.3; CLASSICAL). A span method;
    c may hold one value per run."""

    scale: float | tuple
    name: str = "subgradient-decay"
    queries_per_iteration: int = 1

    def __post_init__(self):
        object.__setattr__(self, "scale", require_numbers("scale", self.scale, 0.0))

    def init(self, x0):
        return 0, x0

    def queries(self, state):
        return state[1][:, None, :]

    def update(self, state, gradients):
        t, x = state
        return t + 1, x - per_run(self.scale, x) / math.sqrt(t + 1) * gradients[:, 0, :]

    def iterate(self, state):
        return state[1]
