"""The chain formulation beyond GD (bounds/pep/chain.py): the method's state found from its trace, AGD/FISTA's
consecutive-pair relaxation equal to the all-pairs worst case where `worst_case` offers it, and the certificate
that carries each block's Schur complement down the chain — exact, sound for any dual, and what certifies the
solver's duals (not the trace-bound fallback)."""
import contextlib
import io
from fractions import Fraction

import numpy as np
import pytest

from pplimits.bounds.pep import chain as module
from pplimits.bounds.pep.certificate import is_psd
from pplimits.bounds.pep.chain import _rounded_down, certify_chain, chain_rows, eliminate, solve_chain, states
from pplimits.bounds.pep.classes import SmoothStronglyConvex
from pplimits.bounds.pep.methods import trace
from pplimits.bounds.pep.sdp import solve
from pplimits.bounds.pep.worst_case import worst_case

SMOOTH = SmoothStronglyConvex(Fraction(1))


def test_the_state_is_what_the_method_remembers():
    """GD remembers p_i alone. AGD (FISTA) remembers y_i and x_i, which coincide at i = 1 (its first momentum
    (λ₀ − 1)/λ₁ is 0) and at the end (only x_N = y_{N−1} − u_{N−1}/L is left to query): 1, 1, 2, …, 2, 1, 1."""
    assert [len(s.basis) for s in states(trace("gd", 7, step=1))] == [1] * 8
    assert [len(s.basis) for s in states(trace("agd", 10, L=1))] == [1, 1, *[2] * 7, 1, 1]
    assert [len(s.basis) for s in states(trace("agd", 2, L=1))] == [1, 1, 1]


def _chain_and_full(n):
    traced = trace("agd", n, L=1)
    return solve_chain(traced, SMOOTH, 1), solve(traced, SMOOTH)


@pytest.mark.parametrize("n", [1, 2, 5, 10])
def test_the_agd_chain_equals_the_full_formulation(n):
    """Consecutive pairs and the pairs with x* reach the all-pairs worst case of FISTA on smooth convex functions:
    the chain's value within 1e-7 of the full one's, and its exact bound — a proof for the full problem too, the
    chain being a relaxation of it — at least the full primal value and within 1e-7 above it."""
    chain, full = _chain_and_full(n)
    assert chain["worst_case"] == pytest.approx(full.worst_case, rel=1e-7)
    assert full.worst_case * (1 - 1e-9) <= chain["exact_bound"] <= Fraction(full.worst_case) * (1 + Fraction(1, 10**7))


@pytest.mark.slow
@pytest.mark.parametrize("n", [15, 20, 30])
def test_the_agd_chain_equals_the_full_formulation_at_larger_n(n):
    """As above, within the full solve's own accuracy there (its duality gap reaches 1.3e-6 at N = 30)."""
    chain, full = _chain_and_full(n)
    assert chain["worst_case"] == pytest.approx(full.worst_case, rel=1e-6)
    assert full.worst_case * (1 - 1e-9) <= chain["exact_bound"] <= max(full.dual_bound, full.worst_case) * (1 + 1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("n", [20])
def test_the_agd_chain_equals_pepit(n):
    """PEPit's wc_accelerated_gradient_convex(mu=0, L=1, n) on the same solver: equal within 1e-6."""
    pytest.importorskip("PEPit")
    from PEPit.examples.unconstrained_convex_minimization.accelerated_gradient_convex import (
        wc_accelerated_gradient_convex,
    )
    with contextlib.redirect_stdout(io.StringIO()):
        theirs, _ = wc_accelerated_gradient_convex(mu=0, L=1, n=n, wrapper="cvxpy", solver="CLARABEL", verbose=-1)
    ours = worst_case("agd", "smooth-convex", n, formulation="chain")
    assert ours.certified and ours.worst_case == pytest.approx(float(theirs), rel=1e-6)


def test_the_chain_is_refused_for_agd_with_constant_momentum_where_it_is_not_tight():
    """On strongly-convex (μ = β/10, N = 20) the relaxation is 8.7 % above the all-pairs worst case: worst_case
    refuses it there (test_worst_case.py), and this is why."""
    mu = Fraction(1, 10)
    traced = trace("agd", 20, mu=mu, L=1)
    cls = SmoothStronglyConvex(Fraction(1), mu)
    assert solve_chain(traced, cls, 1)["worst_case"] > 1.05 * solve(traced, cls).worst_case


def _captured_dual(traced):
    """The solver's (λ, ν) as solve_chain hands them to certify_chain."""
    captured = {}

    def keep(chain, lam, nu):
        captured.update(lam=np.array(lam), nu=np.array(nu))
        return certify_chain(chain, lam, nu)

    original = module.certify_chain
    module.certify_chain = keep
    try:
        found = solve_chain(traced, SMOOTH, 1)
    finally:
        module.certify_chain = original
    return found, captured["lam"], captured["nu"]


@pytest.mark.parametrize("method, n", [("gd", 10), ("gd", 60), ("agd", 10), ("agd", 40)])
def test_the_solvers_dual_is_certified_by_elimination_not_the_trace_bound(monkeypatch, method, n):
    """On the solver's duals the Schur complements pass down the chain (every pivot > 0): the σT fallback is never
    reached (it would raise here), and the bound is within 1e-6 of the value."""
    traced = trace("gd", n, step=1) if method == "gd" else trace("agd", n, L=1)

    def unreachable(*args):
        raise AssertionError("the σT fallback ran")

    monkeypatch.setattr(module, "_psd", unreachable)
    found = solve_chain(traced, SMOOTH, 1)
    assert found["worst_case"] <= found["exact_bound"] <= Fraction(found["worst_case"]) * (1 + Fraction(1, 10**6))


def test_any_dual_gives_the_agd_chain_an_upper_bound():
    """The bound holds for every λ ≥ 0 and ν, not only the solver's: scaled, perturbed or zeroed multipliers give
    bounds that are worse but never below the all-pairs worst case (the full primal value, less 1e-9)."""
    traced = trace("agd", 6, L=1)
    rows = chain_rows(traced, SMOOTH, 1)
    _, lam, nu = _captured_dual(traced)
    truth = solve(traced, SMOOTH).worst_case * (1 - 1e-9)
    rng = np.random.default_rng(1)
    for changed_lam, changed_nu in [(lam, nu), (lam * 0.5, nu), (lam, 0 * nu), (lam, nu * 1.01),
                                    *((lam * rng.uniform(0.9, 1.1, lam.shape), nu + rng.normal(0, 1e-3, nu.shape))
                                      for _ in range(5))]:
        assert certify_chain(rows, changed_lam, changed_nu) >= truth


def test_elimination_fails_on_a_negative_pivot_and_the_fallback_still_bounds():
    """A dual whose last block has a negative private pivot is refused by `eliminate` (None), and certify_chain
    falls back on σT — a valid but larger bound."""
    traced = trace("gd", 4, step=1)
    rows = chain_rows(traced, SMOOTH, 1)
    _, lam, nu = _captured_dual(traced)
    S = [[[Fraction(0)] * k for _ in range(k)] for k in rows.sizes]
    S[-1][-1][-1] = Fraction(-1)
    assert eliminate(rows, S) is None
    lowered = lam.copy()
    last = [r for r, row in enumerate(rows.rows) if row.block == len(rows.sizes) - 1 and row.form[-1][-1] > 0]
    lowered[last] = 0  # nothing left on u_N's diagonal of the last block
    assert certify_chain(rows, lowered, nu) >= Fraction(1, 18)


def test_the_handed_complement_is_never_above_the_complement():
    """C − C' ⪰ 0 exactly for C' = `_rounded_down`(C): what block i keeps is PSD whatever the rounding."""
    rng = np.random.default_rng(0)
    for size in (1, 2, 3, 4):
        for _ in range(20):
            values = rng.normal(0, 1, (size, size))
            C = [[Fraction(float(values[r][c] + values[c][r])) / 7 for c in range(size)] for r in range(size)]
            handed = _rounded_down(C)
            assert is_psd([[C[r][c] - handed[r][c] for c in range(size)] for r in range(size)])


def test_the_chain_rows_are_exact():
    """Every entry of every row and equality is an int or a Fraction, never a float (a float would slip into the
    exact check through Fraction · float)."""
    rows = chain_rows(trace("agd", 8, L=1), SMOOTH, 1)
    forms = [row.form for row in rows.rows] + [f for _, left, right in rows.equalities for f in (left, right)]
    assert all(type(v) in (int, Fraction) for form in forms for line in form for v in line)


@pytest.mark.parametrize("n, step", [(20, "1/100"), (20, "1/10"), (100, "1"), (60, "3/2")])
def test_the_trace_bound_fallback_alone_still_bounds_gd(monkeypatch, n, step):
    """With `eliminate` made to fail, certify_chain's fallback bᵀλ + Σσ_iT_i on the solver's dual is never below
    GD's tight worst case βR²/2 · max(1/(2Nh + 1), (1 − h)^{2N}) (Drori & Teboulle 2014; Teboulle & Vaisbourd 2023)
    and within 1e-5 above it."""
    h = Fraction(step)
    truth = max(1 / (2 * n * h + 1), (1 - h) ** (2 * n)) / 2
    monkeypatch.setattr(module, "eliminate", lambda chain, S: None)
    bound = solve_chain(trace("gd", n, step=h), SMOOTH, 1)["exact_bound"]
    assert truth <= bound <= truth * (1 + Fraction(1, 10**5))
