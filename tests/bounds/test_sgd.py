"""GPipe mini-batch SGD's registered bound (bounds/sgd.py, CLASSICAL): its value by hand, its source and label, and
what the batch does and does not change."""
import math
from fractions import Fraction

import pytest
import sympy as sp

from pplimits.bounds.claim import parse_values
from pplimits.bounds.registry import get
from pplimits.bounds.symbols import b, depth, gpipe_clock, makespan, n, with_gpipe_clock

SGD = "nonsmooth-convex.sgd.upper.time"


def test_label_source_and_parameters():
    claim = get(SGD)
    assert claim.label == "CLASSICAL" and claim.kind == "upper" and claim.quantity == "time-to-eps"
    assert "Nemirovski" in claim.source and "Bubeck 2015, Thm 6.1" in claim.source
    # not n: the bound does not depend on the data size; the clock is makespan(b) under the schedule run
    assert claim.parameters == ["L", "R", "b", "eps", "makespan"]


def test_by_hand_at_a_point():
    """E f(x̄_T) − f* ≤ RL/√T: R = 1.5, L = 2, ε = 0.25 (exact in binary) give RL/ε = 12, so T = 12² = 144
    mini-batches; b = 4 inputs through Δ = 8 stages take 2(8 + 4 − 1) = 22 ticks each (gpipe, half duplex):
    144 · 22 = 3168."""
    values = parse_values({"eps": 0.25, "L": 2, "R": 1.5, "depth": 8, "b": 4})
    assert get(SGD).evaluate(with_gpipe_clock(get(SGD).expression, values)[0]) == 3168


def test_by_hand_where_float_arithmetic_would_be_one_iteration_short():
    """ε = 0.3 is the float 0.299999999999999988898…, a little below 3/10, so RL/ε = 3/ε is a little above 10 and
    (RL/ε)² a little above 100 (by 7.4e-15): T = 101, not the 100 that (3/0.3)**2 == 100.0 gives in floats;
    101 · 22 = 2222."""
    assert (3 / 0.3) ** 2 == 100.0 and (Fraction(3) / Fraction(0.3)) ** 2 > 100
    values = parse_values({"eps": 0.3, "L": 2, "R": 1.5, "depth": 8, "b": 4})
    assert get(SGD).evaluate(with_gpipe_clock(get(SGD).expression, values)[0]) == 101 * 22


def test_the_batch_changes_the_time_per_iteration_not_the_iterations():
    expression = get(SGD).expression
    iterations = sp.simplify(expression / makespan(b))
    assert iterations.free_symbols.isdisjoint({b, depth, n}) and not iterations.has(makespan)
    # with b = n it is the subgradient method's bound exactly under gpipe (its τ_g there is 2(Δ + n − 1))
    subgradient = gpipe_clock(get("nonsmooth-convex.subgradient.upper.time").expression)
    assert sp.simplify(gpipe_clock(expression).subs(b, n) - subgradient) == 0


@pytest.mark.parametrize("batch", [1, 3, 64])
def test_time_grows_with_the_batch_by_two_ticks_per_input_per_iteration(batch):
    values = {"eps": 0.01, "L": 1, "R": 1, "depth": 16}
    one, more = (get(SGD).evaluate(with_gpipe_clock(get(SGD).expression, parse_values({**values, "b": size}))[0])
                 for size in (batch, batch + 1))
    assert more - one == 2 * math.ceil((1 / Fraction(0.01)) ** 2)
