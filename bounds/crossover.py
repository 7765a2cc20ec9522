"""Where the smallest of a few monotone functions changes, over an integer range, exactly (DERIVED by monotonicity).

The functions are the methods' time bounds along one parameter, each monotone in it (every time is non-decreasing
in the depth Δ, non-increasing in ε). On an interval [a, b] each lies between its values at the ends, so when the
winner at one end beats every other method's best value on the interval, no change can lie inside it and it is
skipped; otherwise it is halved, down to neighbouring points. Every change is therefore found, each at the exact
point where it happens, and only the evaluations near a change are spent.
"""
import struct
from collections.abc import Callable
from dataclasses import dataclass

from pplimits._util.checks import UsageError

EVALUATIONS = 20_000  # at most this many points are evaluated (two nearly parallel bounds could need many)


def float_index(value: float) -> int:
    """The position of a float > 0 among the floats > 0 (neighbouring floats have neighbouring positions)."""
    if not value > 0:
        raise ValueError(f"float_index needs a float > 0, got {value!r}")
    return struct.unpack("<q", struct.pack("<d", value))[0]


def float_at(index: int) -> float:
    """The float > 0 at a position `float_index` returns."""
    return struct.unpack("<d", struct.pack("<q", index))[0]


@dataclass(frozen=True)
class Change:
    """Between points `at` − 1 and `at` the winner changes from `before` to `after` (in the order of the range)."""
    at: int
    before: str
    after: str


def changes(low: int, high: int, times: Callable[[int], dict[str, int]], rank: Callable[[str], int],
            increasing: bool) -> list[Change]:
    """Every point in (low, high] where the winner (smallest time, ties to the smallest rank) differs from the one at
    the point before, for `times(i)` each non-decreasing in i (`increasing`) or each non-increasing."""
    seen: dict[int, dict[str, int]] = {}

    def at(i: int) -> dict[str, int]:
        if i not in seen:
            if len(seen) >= EVALUATIONS:
                raise UsageError(f"the crossover search needed more than {EVALUATIONS} evaluations (two bounds "
                                 "nearly equal over a long range); narrow the range")
            seen[i] = times(i)
        return seen[i]

    def best(values: dict[str, int]) -> str:
        return min(values, key=lambda method: (values[method], rank(method)))

    found, pending = [], [(low, high)]
    while pending:
        a, b = pending.pop()
        first, last = at(a), at(b)
        winner = best(first)
        if b - a <= 1:
            if best(last) != winner:
                found.append(Change(b, winner, best(last)))
            continue
        # on [a, b]: the winner's largest value there against every other method's smallest value there
        worst, others = (last, first) if increasing else (first, last)
        if best(last) == winner and all((worst[winner], rank(winner)) < (others[m], rank(m)) for m in first
                                        if m != winner):
            continue
        middle = (a + b) // 2
        pending += [(middle, b), (a, middle)]
    return sorted(found, key=lambda change: change.at)
