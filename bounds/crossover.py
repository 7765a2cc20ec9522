"""Where the smallest of a few monotone functions changes, over an integer range, exactly (DERIVED by monotonicity).

The functions are the methods' time bounds along one parameter, each monotone in it (every time is non-decreasing
in the depth Δ, non-increasing in ε). On an interval [a, b] each lies between its values at the ends, so when the
winner at one end beats every other method's best value on the interval, no change can lie inside it and it is
skipped; otherwise it is halved, down to neighbouring points. Where the functions are affine in the parameter (the
times in Δ at fixed ε: iterations × a makespan linear in Δ), two ends with the same winner already settle the
interval: the difference of two affine functions keeps the sign it has at both ends.

Every change found is exact (the winner differs at two neighbouring points). Two bounds that stay within the slack of
their ceilings of each other over a long range (ε near where the two grow alike) can change winner very many times;
the search then stops after `budget` evaluations, having searched from both ends, and says which sub-range it left.
"""
import struct
from collections.abc import Callable
from dataclasses import dataclass

BUDGET = 6000  # evaluations per search (half from each end once the first half is spent)


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


@dataclass(frozen=True)
class Search:
    """The changes found, in order; `unsettled` is the sub-range (low, high) left unsearched when the budget ran out
    (None: every change in the range is in `changes`)."""
    changes: tuple[Change, ...]
    unsettled: tuple[int, int] | None = None


def changes(low: int, high: int, times: Callable[[int], dict[str, int]], rank: Callable[[str], int],
            increasing: bool, affine: bool = False, budget: int = BUDGET) -> Search:
    """Every point in (low, high] where the winner (smallest time, ties to the smallest rank) differs from the one at
    the point before, for `times(i)` each non-decreasing in i (`increasing`) or each non-increasing; with `affine`
    each is also affine in i."""
    seen: dict[int, dict[str, int]] = {}

    def best(values: dict[str, int]) -> str:
        return min(values, key=lambda method: (values[method], rank(method)))

    def settled(a: int, b: int) -> bool:
        first, last = seen[a], seen[b]
        winner = best(first)
        if best(last) != winner:
            return False
        if affine:
            return True
        # on [a, b]: the winner's largest value there against every other method's smallest value there
        worst, others = (last, first) if increasing else (first, last)
        return all((worst[winner], rank(winner)) < (others[m], rank(m)) for m in first if m != winner)

    def search(a: int, b: int, left_first: bool, allowed: int):
        """Changes in (a, b], in the order searched; the frontier reached if `allowed` evaluations ran out."""
        found, pending, spent = [], [(a, b)], 0
        while pending:
            a, b = pending.pop()
            new = [i for i in (a, b) if i not in seen]
            if spent + len(new) > allowed:
                pending.append((a, b))
                frontier = min(p[0] for p in pending) if left_first else max(p[1] for p in pending)
                return found, frontier
            for i in new:
                seen[i] = times(i)
            spent += len(new)
            if b - a <= 1:
                if best(seen[b]) != best(seen[a]):
                    found.append(Change(b, best(seen[a]), best(seen[b])))
            elif not settled(a, b):
                middle = (a + b) // 2
                halves = [(middle, b), (a, middle)]
                pending += halves if left_first else halves[::-1]
        return found, None

    from_left, left_frontier = search(low, high, True, budget // 2)
    if left_frontier is None:
        return Search(tuple(from_left))
    from_right, right_frontier = search(left_frontier, high, False, budget - budget // 2)
    ordered = sorted({c.at: c for c in (*from_left, *from_right)}.values(), key=lambda c: c.at)
    return Search(tuple(ordered), None if right_frontier is None else (left_frontier, right_frontier))
