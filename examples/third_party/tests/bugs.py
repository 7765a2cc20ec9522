"""Plausible slips in tinyopt's AGD, each a one-line change in a subclass, and each as the function the worst-case
assertion traces (import path `bugs:NAME`). Which assertion catches which: README.md."""
import math

from tinyopt import AGD, minimise


class HalfStep(AGD):
    """Step 1/(2β) instead of 1/β (the 1/(2β) of the descent lemma taken for the step)."""

    name = "half-step"

    def __init__(self, beta):
        super().__init__(beta)
        self.step_size = 1 / (2 * beta)


class LaggingMomentum(AGD):
    """t starts at t_0 = 0 instead of t_1 = 1 (the counter from zero): every momentum is read one index behind,
    (t_{k−1} − 1)/t_k for (t_k − 1)/t_{k+1} — the first one −1, which sends y_2 back to x_0."""

    name = "lagging-momentum"

    def start(self, x0):
        return x0, x0, 0.0


class NoMomentum(AGD):
    """The momentum dropped: plain gradient descent at step 1/β."""

    name = "no-momentum"

    def momentum(self, t):
        return 0.0, t


class FixedMomentum(AGD):
    """A constant momentum 0.99 (the heavy-ball habit) instead of FISTA's schedule."""

    name = "fixed-momentum"

    def momentum(self, t):
        return 0.99, t


class LeadingMomentum(AGD):
    """t updated in place before the momentum reads it: (t_{k+1} − 1)/t_{k+1} for (t_k − 1)/t_{k+1}, one index
    ahead. NOT caught, and rightly: more early momentum is still an accelerated method (README.md)."""

    name = "leading-momentum"

    def momentum(self, t):
        t = (1 + math.sqrt(1 + 4 * t * t)) / 2
        return (t - 1) / t, t


BUGS = {"half-step": HalfStep, "lagging-momentum": LaggingMomentum, "no-momentum": NoMomentum,
        "fixed-momentum": FixedMomentum}


def _traced(cls):
    def method(x0, gradient, iterations, beta):
        return minimise(cls(beta), x0, gradient, iterations)
    return method


half_step, lagging_momentum, no_momentum, fixed_momentum, leading_momentum = map(
    _traced, (*BUGS.values(), LeadingMomentum))
