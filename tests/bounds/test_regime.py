"""The regime's comparison (bounds/regime.py, bounds/crossover.py, reports/regime.py): exact iteration counts read off
the registered claims, and every crossover in Δ and in ε checked against the claims evaluated directly — never
against numbers copied from the code's own output."""
import math
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from pplimits.bounds import crossover
from pplimits.bounds.claim import parse_values
from pplimits.bounds.regime import CLAIMS, METHODS, counts, counts_exactly, pieces
from pplimits.bounds.registry import get
from pplimits.bounds.symbols import depth, gpipe_clock, with_gpipe_clock
from pplimits.bounds.tuning import tuning
from pplimits.reports.regime import Point, depth_crossovers, eps_crossovers, explain

ISSUE = {"dim": 2101248, "inputs": 16}  # issue 15's engineer: an 8-block model, d = 2101248, 16 micro-batches


def claimed(depth_value, eps_value, dim, inputs, batch=None, lipschitz=1.0, radius=1.0) -> dict[str, float]:
    """Each method's registered time claim, evaluated directly (bounds/claim.py) at one point."""
    values = {"eps": eps_value, "L": lipschitz, "R": radius, "d": dim, "depth": depth_value, "n": inputs,
              "b": inputs if batch is None else batch, "tau_g": 2 * (depth_value + inputs - 1)}  # τ_g under gpipe
    times = {}
    for method in METHODS:
        claim = get(CLAIMS[method])
        given = parse_values({k: v for k, v in values.items() if k in claim.parameters or k == "depth"})
        times[method] = claim.evaluate(with_gpipe_clock(claim.expression, given)[0])
    return times


def claimed_winner(*args, **kwargs) -> str:
    times = claimed(*args, **kwargs)
    return min(times, key=lambda m: (times[m], METHODS.index(m)))  # ties: the order stated in bounds/regime.py


# ── the pieces read off the claims ──


@pytest.mark.parametrize("method", METHODS)
def test_each_claim_is_iterations_times_the_gpipe_makespan_of_its_batch(method):
    iterations, batch = pieces()[method]
    assert depth not in iterations.free_symbols and depth not in batch.free_symbols
    # the clock is τ_g = makespan(n) (subgradient) or makespan(batch): under gpipe (half duplex, unit costs) 2(Δ + B − 1)
    claim = gpipe_clock(get(CLAIMS[method]).expression)
    assert sp.simplify(claim - iterations * 2 * (depth + batch - 1)) == 0


@settings(max_examples=60, deadline=None)
@given(eps_value=st.floats(1e-7, 10.0), lipschitz=st.sampled_from([0.5, 1.0, 3.0]), dim=st.integers(1, 10**8),
       inputs=st.integers(1, 64), batch=st.integers(1, 64))
def test_the_fast_counts_are_the_exact_ones(eps_value, lipschitz, dim, inputs, batch):
    assert counts(eps_value, lipschitz, 1.0, dim, inputs, batch) == counts_exactly(eps_value, lipschitz, 1.0, dim,
                                                                                   inputs, batch)


def test_the_fast_counts_agree_where_sympy_misjudges_a_ceiling():
    # T's argument is 39861.0000000019 here (tests/bounds/test_exact.py): T = 39862
    assert counts(0.00482632049839995, 1.0, 1.0, 2101248, 16, 16)["pprs"].iterations == 39862


@settings(max_examples=40, deadline=None)
@given(depth_value=st.integers(1, 10**6), eps_value=st.floats(1e-6, 1.0), dim=st.integers(1, 10**7),
       inputs=st.integers(1, 32), batch=st.integers(1, 32))
def test_times_equal_the_claims_and_are_monotone(depth_value, eps_value, dim, inputs, batch):
    """The premise of the crossover search: each time is non-decreasing in Δ and non-increasing in ε."""
    found = counts(eps_value, 1.0, 1.0, dim, inputs, batch)
    times = {m: c.time(depth_value) for m, c in found.items()}
    assert times == {m: int(v) for m, v in claimed(depth_value, eps_value, dim, inputs, batch).items()}
    deeper = {m: c.time(depth_value + 1) for m, c in found.items()}
    looser = {m: c.time(depth_value) for m, c in counts(eps_value * 1.01, 1.0, 1.0, dim, inputs, batch).items()}
    assert all(deeper[m] >= times[m] >= looser[m] for m in METHODS)


# ── crossover in depth ──


def test_the_issue_example_pprs_never_wins_at_eps_1e_2():
    """d = 2101248, n = 16, ε = 0.01 (L = R = 1): the subgradient method takes ⌈(1/0.01)²⌉ = 10000 iterations (0.01 is a
    little above 1/100, so (1/ε)² a little below 10⁴) and PPRS T = ⌈4·2^{3/4}·2101248^{1/4}/(π^{1/4}·0.01)⌉ = 19239 —
    more. Both times are T·2(Δ + batch − 1), PPRS's batch the larger, so PPRS's is the larger at every Δ."""
    assert math.ceil(1 / Fraction(0.01) ** 2) == 10000
    pprs = tuning(0.01, 1.0, 1.0, ISSUE["dim"])
    assert pprs.T == 19239 and 16 * pprs.K > 16
    for depth_value in (1, 8, 88, 1024, 2**20):
        assert claimed_winner(depth_value, 0.01, **ISSUE) == "subgradient"
    found = depth_crossovers(Point(8, ISSUE["dim"], 0.01, inputs=16))
    assert found.changes == () and found.throughout == "subgradient" and (found.low, found.high) == (1, 2**20)


def _depth_star(eps_value, dim, inputs) -> int:
    """Δ* in closed form, independently of the code under test: T_p(Δ + nK − 1) < T_s(Δ + n − 1) exactly when
    Δ(T_s − T_p) > T_p(nK − 1) − T_s(n − 1); T_p, K from Theorem D's tuning, T_s = ⌈(1/ε)²⌉ by Fraction."""
    pprs, subgradient = tuning(eps_value, 1.0, 1.0, dim), math.ceil(1 / Fraction(eps_value) ** 2)
    assert subgradient > pprs.T  # else PPRS never wins (the ε = 1e-2 case above)
    excess = pprs.T * (inputs * pprs.K - 1) - subgradient * (inputs - 1)
    return max(1, excess // (subgradient - pprs.T) + 1)


@pytest.mark.parametrize("eps_value, dim, inputs", [(1e-3, 2101248, 16), (2e-3, 2101248, 16), (5e-3, 2101248, 16),
                                                    (1e-4, 2101248, 16), (1e-2, 100, 1), (3e-3, 10**4, 4)])
def test_the_crossover_depth_is_exact(eps_value, dim, inputs):
    found = depth_crossovers(Point(8, dim, eps_value, inputs=inputs))
    assert len(found.changes) == 1
    change = found.changes[0]
    assert change.at == _depth_star(eps_value, dim, inputs)
    # the winner differs on either side, by the claims evaluated directly
    assert claimed_winner(change.at - 1, eps_value, dim, inputs) == change.before == "subgradient"
    assert claimed_winner(change.at, eps_value, dim, inputs) == change.after == "pprs"
    # and nowhere else: both sides are straight lines in Δ, so checking their ends suffices
    assert claimed_winner(1, eps_value, dim, inputs) == "subgradient" or change.at == 1
    assert claimed_winner(2**20, eps_value, dim, inputs) == "pprs"


def test_the_issue_example_at_eps_1e_3_pprs_wins_from_depth_88():
    """By hand: T_s = 10⁶, T_p = 192382, K = 28 (nK = 448). Δ = 87: 192382·2·(87 + 447) = 205463976 against
    10⁶·2·(87 + 15) = 204000000 (subgradient); Δ = 88: 205848740 against 206000000 (PPRS)."""
    assert claimed(87, 1e-3, **ISSUE)["pprs"] == 192382 * 2 * (87 + 447) == 205463976
    assert claimed(87, 1e-3, **ISSUE)["subgradient"] == 204000000
    assert claimed(88, 1e-3, **ISSUE)["pprs"] == 205848740 < claimed(88, 1e-3, **ISSUE)["subgradient"] == 206000000
    assert depth_crossovers(Point(8, ISSUE["dim"], 1e-3, inputs=16)).changes[0].at == 88


def test_a_smaller_sgd_batch_takes_the_subgradient_methods_place():
    point = Point(8, ISSUE["dim"], 1e-3, inputs=16, batch=4)
    times = claimed(8, 1e-3, **ISSUE, batch=4)
    assert times["sgd"] < times["subgradient"]
    found = depth_crossovers(point)
    assert [(c.before, c.after) for c in found.changes] == [("sgd", "pprs")]
    at = found.changes[0].at
    assert claimed_winner(at - 1, 1e-3, **ISSUE, batch=4) == "sgd" and claimed_winner(at, 1e-3, **ISSUE, batch=4) == "pprs"


# ── crossover in ε ──


@pytest.mark.parametrize("depth_value", [128, 1024])
def test_every_crossover_in_eps_is_exact(depth_value):
    found = eps_crossovers(Point(depth_value, ISSUE["dim"], 1e-3, inputs=16))
    assert found.changes and found.unsettled is None
    for change in found.changes:
        below = math.nextafter(change.at, 0)  # the float just below
        assert claimed_winner(depth_value, below, **ISSUE) == change.before
        assert claimed_winner(depth_value, change.at, **ISSUE) == change.after
    assert found.changes[0].before == "pprs" and found.changes[-1].after == "subgradient"
    # outside the ragged band one winner throughout (sampled; monotone bounds make a far flip impossible here)
    for eps_value in (1e-8, 1e-6, found.changes[0].at * 0.99):
        assert claimed_winner(depth_value, eps_value, **ISSUE) == "pprs"
    for eps_value in (found.changes[-1].at * 1.01, 0.1, 1.0):
        assert claimed_winner(depth_value, eps_value, **ISSUE) == "subgradient"


def test_a_long_ragged_band_is_reported_with_what_was_left():
    """At Δ = 71 (n = 16) PPRS's and the subgradient method's bounds both grow like (RL/ε)² with nearly the same
    constant, within their ceilings' slack of each other over decades of ε: the changes found are exact, and the
    sub-range not searched is named."""
    found = eps_crossovers(Point(71, ISSUE["dim"], 1e-3, inputs=16))
    assert found.unsettled is not None and found.changes
    for change in found.changes[:3] + found.changes[-3:]:
        assert claimed_winner(71, math.nextafter(change.at, 0), **ISSUE) == change.before
        assert claimed_winner(71, change.at, **ISSUE) == change.after
        assert not found.unsettled[0] < change.at <= found.unsettled[1]


def test_no_crossover_in_eps_is_reported_as_such():
    """At Δ = 8, n = 16 PPRS's n(RL/ε)² term (≈ 10.7·n) exceeds the subgradient method's 2(Δ + n − 1) = 46 at every ε:
    it never wins."""
    found = eps_crossovers(Point(8, ISSUE["dim"], 1e-2, inputs=16))
    assert found.changes == () and found.unsettled is None and found.throughout == "subgradient"
    assert (found.low, found.high) == (1e-8, 1.0)
    for exponent in range(-8, 1):
        assert claimed_winner(8, 10.0**exponent, **ISSUE) == "subgradient"


# ── the search itself ──


def test_changes_finds_every_change_of_synthetic_monotone_functions():
    # 3i ≤ i + 40 up to i = 20 (a tie at 20 goes to a, ranked first); i + 40 ≤ 200 + ⌊i/50⌋ up to i = 163 (203 = 203)
    lines = lambda i: {"a": 3 * i, "b": i + 40, "c": 200 + (i // 50)}  # noqa: E731
    found = crossover.changes(1, 10**6, lines, rank="abc".index, increasing=True)
    assert [(c.at, c.before, c.after) for c in found.changes] == [(21, "a", "b"), (164, "b", "c")]
    assert found.unsettled is None
    assert crossover.changes(1, 10**6, lambda i: {"a": i, "b": i + 1}, "ab".index, increasing=True).changes == ()


def test_parallel_functions_need_the_affine_certificate():
    """i and i + 1 never cross, but monotonicity alone cannot settle any interval wider than 1 between them: the
    search stops at its budget and says which sub-range it left; knowing both are affine, it settles at once."""
    parallel = lambda i: {"a": i, "b": i + 1}  # noqa: E731
    blind = crossover.changes(1, 10**6, parallel, "ab".index, increasing=True, budget=200)
    assert blind.changes == () and blind.unsettled is not None and blind.unsettled[0] < blind.unsettled[1]
    affine = crossover.changes(1, 10**6, parallel, "ab".index, increasing=True, affine=True, budget=200)
    assert affine == crossover.Search(())
    crossing = lambda i: {"a": 5 * i, "b": 3 * i + 1000}  # noqa: E731  5i ≤ 3i + 1000 up to i = 500
    assert crossover.changes(1, 10**6, crossing, "ab".index, True, affine=True).changes == (crossover.Change(501, "a", "b"),)


def test_ragged_changes_are_all_found_from_both_ends():
    """A step function against a line: (i // 10)·10 + 5 against i crosses it 2× per step of 10 — 20 changes on
    1…100, found exactly whatever the budget leaves unsettled."""
    ragged = lambda i: {"line": i, "steps": (i // 10) * 10 + 5}  # noqa: E731
    full = crossover.changes(1, 100, ragged, ["line", "steps"].index, increasing=True)
    expected = [j for j in range(2, 101) if (j <= (j // 10) * 10 + 5) != (j - 1 <= ((j - 1) // 10) * 10 + 5)]
    assert [c.at for c in full.changes] == expected and full.unsettled is None
    partial = crossover.changes(1, 100, ragged, ["line", "steps"].index, increasing=True, budget=30)
    assert partial.unsettled is not None and set(c.at for c in partial.changes) <= set(expected)
    low, high = partial.unsettled
    assert [c.at for c in partial.changes] == [j for j in expected if j <= low or j > high]


def test_float_positions_are_neighbours():
    x = 0.001
    assert crossover.float_at(crossover.float_index(x) + 1) == math.nextafter(x, 1)
    with pytest.raises(ValueError):
        crossover.float_index(0.0)


def test_explain_matches_the_claims_at_the_point():
    explanation = explain(Point(8, ISSUE["dim"], 0.01, inputs=16))
    times = claimed(8, 0.01, **ISSUE)
    assert {m.method: m.time for m in explanation.methods} == {m: int(v) for m, v in times.items()}
    assert explanation.winner == "subgradient" and explanation.tied == ("sgd",)
    subgradient = explanation.method("subgradient")
    assert (subgradient.iterations, subgradient.batch, subgradient.makespan) == (10000, 16, 46)
    assert subgradient.bubble == pytest.approx(1 - 32 / 46) and subgradient.dominant == "work"
