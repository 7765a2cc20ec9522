"""Worst cases on the pipeline clock (smooth convex, n = 1, one query enters per tick, a gradient returns 2Δ
ticks after its query — docs/theory.md §1).

- Synchronous pipelined GD: x_k is available at tick 2Δk, so by tick t it has run N = ⌊t/(2Δ)⌋ iterations.
- Stale-gradient pipeline (the asynchronous pattern): one step per tick with the gradient of the query sent
  2Δ ticks earlier, x_{k+1} = x_k − γ∇f(x_{k−s}), s = 2Δ − 1, so by tick t it has run N = t steps.
Measured statement (PEP, exact worst cases over the class, Clarabel): with its best step on a grid, the
stale-gradient pipeline's worst case at tick t stays at or above the pipelined lower bound
"smooth-convex.lower.gap-at-time" 3βR²/(32(⌊t/(2Δ)⌋ + 1)²) (DERIVED) — it does not beat the pipeline's limit.
"""
import time
from fractions import Fraction

from pplimits._util.checks import UsageError
from pplimits.bounds.claim import ClaimKey, parse_values
from pplimits.bounds.pep.worst_case import worst_case
from pplimits.bounds.registry import find

LOWER = ClaimKey("smooth-convex", "lower.gap-at-time")
STEP_GRID = tuple(Fraction(k, 4) for k in range(1, 9))  # γ = c/(β(s + 1)), c ∈ {1/4, 1/2, …, 2}


def _lower(depth: int, ticks: int, beta, radius) -> float:
    values = parse_values({"t": ticks, "depth": depth, "beta": beta, "R": radius, "n": 1})
    return float(find(LOWER).evaluate(values))


def stale_against_lower(depth: int, ticks: int, beta=Fraction(1), radius=Fraction(1), grid=STEP_GRID,
                        progress=None) -> dict:
    """At tick `ticks`: the stale-gradient pipeline's worst case at its best step of the grid, synchronous
    pipelined GD's (step 1/β), and the pipelined lower bound; a line per PEP solve to `progress` if given."""
    staleness = 2 * depth - 1
    if ticks <= staleness:
        raise UsageError(f"ticks must exceed the staleness 2Δ − 1 = {staleness}, got {ticks}")

    def solve(method, iterations, params, what):
        start = time.perf_counter()
        value = worst_case(method, "smooth-convex", iterations, {"beta": beta, "R": radius, **params},
                           exact=False).worst_case
        if progress is not None:
            print(f"[worst case Δ={depth} t={ticks}] {what}: {value:.5g} ({time.perf_counter() - start:.1f} s)",
                  file=progress, flush=True)
        return value

    found = {}
    for c in grid:
        step = c / (beta * (staleness + 1))
        found[str(step)] = solve("stale-gd", ticks, {"staleness": staleness, "step": step},
                                 f"stale-gradient pipeline, N = {ticks} steps of γ = {step}")
    best = min(found, key=found.get)
    rounds = ticks // (2 * depth)
    sync = (solve("gd", rounds, {}, f"synchronous GD, N = {rounds}") if rounds else float(beta * radius**2 / 2))
    lower = _lower(depth, ticks, beta, radius)
    return {"depth": depth, "ticks": ticks, "staleness": staleness, "best_step": best, "stale": found[best],
            "steps": found, "synchronous_gd": sync, "lower": lower, "holds": found[best] >= lower}
