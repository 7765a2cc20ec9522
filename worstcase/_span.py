"""Rounds a span method needs on a chain before its criterion can reach ε (rounds lemma, docs/theory.md §1)."""
import numpy as np


def rounds_to_reach(span_gap, rounds_max: int, eps: float, strict: bool) -> int:
    """min{k ≤ rounds_max : E(k) ≤ eps} for an attained bound (criterion ≥ E(k)), or E(k) < eps for a
    strict one (criterion > E(k)); E is non-increasing and E(rounds_max) = 0."""
    gaps = span_gap(np.arange(rounds_max + 1))
    reached = gaps < eps if strict else gaps <= eps
    return int(np.argmax(reached))
