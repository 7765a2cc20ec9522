"""Exact certificates: the PEP's numerical dual turned into rational multipliers and re-checked over the rationals.

For rows ⟨A_p, G⟩ + d_pᵀF + c_p t ≤ b_p, multipliers λ ≥ 0 with Σ λ_p c_p = 1, Σ λ_p d_p = 0 and
S = Σ λ_p A_p ⪰ 0 prove t ≤ bᵀλ for every feasible (G, F, t) — i.e. the worst case is at most bᵀλ:
    t = Σλ_p(c_p t + d_pᵀF + ⟨A_p, G⟩) − ⟨S, G⟩ ≤ bᵀλ − ⟨S, G⟩ ≤ bᵀλ.
Procedure (`exact_dual`): drop multipliers below 1e-10 of the largest, round the rest to multiples of 10⁻¹² (one
common denominator keeps the exact arithmetic small), rescale the performance multipliers so Σλc = 1 exactly,
restore Σλd = 0 exactly through the rows of the pairs (i, x*) and (x*, i) (d = ∓e_i); S = Σλ_p A_p is summed as
one exact matrix product (classes.exact_interpolation, python-flint). Then find by an exact LDLᵀ of S over ℚ
(bounds/pep/rational.py, `schur_pad`), eliminating x₀'s row last, the smallest padding p of the initial-condition
multiplier with S + p·e₀e₀ᵀ ⪰ 0 (no negative pivot, no non-zero row behind a zero pivot); on Lipschitz classes
half of the margin first pads the rows ‖g_i‖² ≤ M² evenly. The certified bound bᵀλ + pR² must then be at most the
solver's worst case times (1 + margin) for the smallest margin of the ladder: {0, 1e-9, 1e-8, 1e-7, 1e-6} up to
the largest margin accepted (1e-6 by default, `margin=`), and that margin itself.

Fallback, only where that fails (so every bound certified by the padding stays what it was): at the optimum S is
rank-deficient (complementary slackness), and rounding can leave it slightly indefinite in directions other than
e₀ — OGM at N ≥ 5 did. Then (`deficit`) a σ ≥ 0 with S + σI ⪰ 0 is found (twice the float estimate of −λ_min(S),
rounded up to a multiple of 10⁻¹⁵, ×10 until the exact LDLᵀ passes: S + σI is positive definite, so the
check is stable), and for every feasible G
    t ≤ bᵀλ − ⟨S, G⟩ ≤ bᵀλ + σ·tr(G) ≤ bᵀλ + σ·T,
with T an exact upper bound on tr(G) over the PEP's feasible set (`trace_bound`: the dual of max tr(G), doubled,
checked exactly). Clarabel's dual at the default tolerance leaves S about 1e-9 indefinite (its dual residual, not
the rounding), which σT turned into up to 1.6e-5 of OGM's worst case at N = 20; so the PEP is also re-solved at
tolerances 1e-11, 1e-12 and 1e-13 (REFINE) and the smallest exact bᵀλ + σT of the four duals is kept (any dual is
sound: each is re-checked exactly, and the claim is still the first solve's worst case). It is accepted on the
same ladder. If neither succeeds, the result says why (the exact bound against the worst case, or which step
failed): never "certified" without the exact check.
"""
import time
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from flint import fmpq, fmpq_mat

from pplimits.bounds.pep.classes import STAR, exact_interpolation
from pplimits.bounds.pep.rational import SIGMA_TRIES, deficit, is_psd, schur_pad, shifted
from pplimits.bounds.pep.sdp import Solution, SolverFailure, solve, solve_trace
from pplimits.bounds.pep.trace import MethodTrace, exact

MARGINS = (0, Fraction(1, 10**9), Fraction(1, 10**8), Fraction(1, 10**7), Fraction(1, 10**6))
DEFAULT_MARGIN = MARGINS[-1]
DROP = 1e-10
DENOMINATOR = 10**12
REFINE = tuple({"tol_gap_abs": tol, "tol_gap_rel": tol, "tol_feas": tol, "max_iter": 400}
               for tol in (1e-11, 1e-12, 1e-13))  # the fallback's re-solves
TRACE_SCALE = 2  # the trace dual doubled: Σ2μA − I = 2(ΣμA − I) + I, slack I absorbs the rounding


@dataclass(frozen=True)
class Certificate:
    """Whether the bound (worst case × (1 + margin)) was verified in exact arithmetic, and how."""

    certified: bool
    bound: Fraction | None
    margin: Fraction | None
    multipliers: int  # rows with a non-zero multiplier
    reason: str
    seconds: float


@dataclass(frozen=True)
class ExactDual:
    """Rational multipliers λ ≥ 0 (row → λ_p) with Σλd = 0 exactly (and Σλc = 1 when the rows measure t),
    S = Σλ_p A_p (exact, an fmpq_mat) and bᵀλ."""

    lam: dict
    S: fmpq_mat
    bound: Fraction


def ladder(margin) -> list[Fraction]:
    """The margins tried, smallest first: those of MARGINS up to `margin`, and `margin` itself."""
    margin = exact(margin)
    return sorted({exact(m) for m in MARGINS if m <= margin} | {margin})


def _shown(margin: Fraction) -> str:
    """1e-6, not 1e-06."""
    return format(float(margin), "g").replace("e-0", "e-")


def _row(trace: MethodTrace, function_class, extra: list, kind, radius: Fraction):
    """(A, d, c, b) of one row that is not an interpolation row, exactly (`extra`: the class's rows beyond
    interpolation)."""
    if kind[0] == "extra":
        A, d, b = extra[kind[1]]
        return A, d, 0, b
    if kind[0] == "performance":
        Q = function_class.performance(trace, kind[1])
        return {key: -value for key, value in Q.items()}, {kind[1]: Fraction(-1)}, 1, Fraction(0)
    return {(0, 0): Fraction(1)}, {}, 0, radius**2


def exact_dual(trace: MethodTrace, function_class, multipliers, kinds: list, radius: Fraction,
               scale=1) -> ExactDual | None:
    """The numerical dual `multipliers` of the rows `kinds` as exact rationals (see the module): dropped below
    DROP of the largest, rounded to multiples of 1/DENOMINATOR, times `scale`; Σλc = 1 restored when the rows
    have performance rows, Σλd = 0 through the pairs with x*. None if nothing is left (or, with performance
    rows, no performance multiplier). S sums the interpolation rows at once (classes.exact_interpolation)."""
    values = np.asarray(multipliers, dtype=float).clip(min=0)
    if not len(values) or not values.max() > 0:
        return None
    cut = DROP * values.max()
    index = {kind: p for p, kind in enumerate(kinds)}
    lam = {p: scale * Fraction(round(float(values[p]) * DENOMINATOR), DENOMINATOR)
           for p in np.flatnonzero(values > cut).tolist()}
    lam = {p: v for p, v in lam.items() if v > 0}
    if any(kind[0] == "performance" for kind in kinds):
        performance = [p for p in lam if kinds[p][0] == "performance"]
        total = sum(lam[p] for p in performance)
        if not performance or total == 0:
            return None
        for p in performance:
            lam[p] /= total
    if not lam:
        return None
    extra = function_class.extra(trace)
    rows = {p: _row(trace, function_class, extra, kinds[p], radius) for p in lam if kinds[p][0] != "interpolation"}
    balance = {}
    for p, v in lam.items():
        kind = kinds[p]
        if kind[0] == "interpolation":  # d = e_j − e_i (x* has no F)
            if kind[2] != STAR:
                balance[kind[2]] = balance.get(kind[2], 0) + v
            if kind[1] != STAR:
                balance[kind[1]] = balance.get(kind[1], 0) - v
        else:
            for i, d in rows[p][1].items():
                balance[i] = balance.get(i, 0) + v * d
    for i, r in balance.items():  # restore Σλd = 0 through the pairs with x*
        if r != 0:
            p = index[("interpolation", i, STAR)] if r > 0 else index[("interpolation", STAR, i)]
            lam[p] = lam.get(p, 0) + abs(r)
    nodes = 1 + len(trace.points)
    weights = fmpq_mat(nodes, nodes)
    for p, v in lam.items():
        if kinds[p][0] == "interpolation":
            weights[1 + kinds[p][1], 1 + kinds[p][2]] = fmpq(v.numerator, v.denominator)
    S = exact_interpolation(trace, weights, exact(function_class.curvature))
    for p, (A, _, _, _) in rows.items():
        for (k, l), value in A.items():
            weight = lam[p] * value
            S[k, l] += fmpq(weight.numerator, weight.denominator)
    return ExactDual(lam, S, sum((lam[p] * b for p, (_, _, _, b) in rows.items()), Fraction(0)))


def trace_bound(trace: MethodTrace, function_class, radius=1) -> tuple[Fraction | None, str]:
    """(T, how) with T an exact upper bound on tr(G) for every (G, F) that satisfies the PEP's rows without the
    performance rows — a superset of the PEP's feasible set — or (None, why not).

    Proof: solve max tr(G) over those rows (sdp.solve_trace); round its dual to rationals and double it (μ);
    restore Σμd = 0 exactly through the pairs with x* (exact_dual); check Σμ_p A_p − I ⪰ 0 exactly. Then by weak
    duality, for every feasible (G, F), as μ ≥ 0 and G ⪰ 0:
        tr(G) = ⟨I, G⟩ ≤ ⟨Σμ_p A_p, G⟩ = Σμ_p(⟨A_p, G⟩ + d_pᵀF) − (Σμ_p d_p)ᵀF ≤ bᵀμ − 0 = T.
    Doubling turns the solver's Σμ'A − I ⪰ 0, tight at its optimum, into Σ2μ'A − I = 2(Σμ'A − I) + I, whose
    slack I absorbs the rounding; T is then at most twice the largest trace."""
    radius = exact(radius)
    solved = solve_trace(trace, function_class, float(radius))
    if solved.multipliers is None:
        return None, f"the trace bound's SDP (max tr(G) over the rows) ended {solved.status!r}"
    dual = exact_dual(trace, function_class, solved.multipliers, solved.rows.kinds, radius, scale=TRACE_SCALE)
    if dual is None:
        return None, "the trace bound's SDP has a zero dual"
    if not is_psd(shifted(dual.S, -1)):
        return None, "the trace bound's rounded dual fails the exact check Σμ_p A_p − I ⪰ 0"
    return dual.bound, f"T = {float(dual.bound):.6g} ≥ tr(G), its dual checked exactly"


def certify(trace: MethodTrace, function_class, solution: Solution, radius=1, margin=DEFAULT_MARGIN) -> Certificate:
    """Try to verify worst_case × (1 + m) exactly for the margins m of `ladder(margin)` (see the module)."""
    start = time.perf_counter()
    radius = exact(radius)
    margins = ladder(margin)
    kinds = solution.rows.kinds
    dual = exact_dual(trace, function_class, solution.multipliers, kinds, radius)
    if dual is None:
        return Certificate(False, None, None, 0, "no performance multiplier in the dual", 0.0)
    S, bound = dual.S, dual.bound
    claimed = exact(solution.worst_case)
    extra = function_class.extra(trace)
    diagonal = [p for p, kind in enumerate(kinds) if kind[0] == "extra"]  # ‖u_i‖² ≤ M²: padding adds e_ie_iᵀ
    tried = {}
    for m in margins:
        spread = claimed * m / (2 * len(diagonal)) if diagonal else Fraction(0)
        if spread not in tried:
            padded = fmpq_mat(S)
            for p in diagonal:
                A, _, _, b = _row(trace, function_class, extra, kinds[p], radius)
                for (k, l), v in A.items():
                    added = spread / b * v
                    padded[k, l] += fmpq(added.numerator, added.denominator)
            needed = schur_pad(padded)  # the smallest padding of the initial multiplier that makes S ⪰ 0
            tried[spread] = None if needed is None else bound + spread * len(diagonal) + needed * radius**2
        certified = tried[spread]
        if certified is not None and certified <= claimed * (1 + m):
            return Certificate(True, claimed * (1 + m), m, len(dual.lam), "exact LDLᵀ over ℚ: S ⪰ 0",
                               time.perf_counter() - start)
    best = min((v for v in tried.values() if v is not None), default=None)
    largest = _shown(margins[-1])
    reason = ("S is not PSD exactly for any padding" if best is None else
              f"the exact dual bound {float(best):.12g} exceeds the worst case {solution.worst_case:.12g} by more "
              f"than {largest}")
    T, how = trace_bound(trace, function_class, radius)  # the fallback: bᵀλ + σT
    if T is None:
        return Certificate(False, None, None, len(dual.lam), f"{reason}; the deficit fallback failed: {how}",
                           time.perf_counter() - start)
    found, detail = None, ""
    for settings in (None, *REFINE):
        if settings is not None:  # the dual re-solved at a tighter tolerance: a smaller deficit, often
            try:
                refined = solve(trace, function_class, float(radius), settings)
            except SolverFailure:
                continue
            dual = exact_dual(trace, function_class, refined.multipliers, kinds, radius)
            if dual is None:
                continue
        sigma = deficit(dual.S)
        if sigma is not None and (found is None or dual.bound + sigma * T < found):
            found = dual.bound + sigma * T
            at = ("the solver's dual" if settings is None else
                  f"the dual re-solved at tolerance {settings['tol_feas']:g}")
            detail = f"{at}, σ = {float(sigma):.3g} with S + σI ⪰ 0 exactly, {how}"
        if found is not None and found <= claimed:
            break
    if found is None:
        return Certificate(False, None, None, len(dual.lam), f"{reason}; no σ ≤ 10^{SIGMA_TRIES - 1} times the "
                           "float estimate makes S + σI ⪰ 0 exactly", time.perf_counter() - start)
    for m in margins:
        if found <= claimed * (1 + m):
            return Certificate(True, claimed * (1 + m), m, len(dual.lam),
                               f"exact LDLᵀ over ℚ: bᵀλ + σT with {detail}", time.perf_counter() - start)
    return Certificate(False, None, None, len(dual.lam),
                       f"{reason}; the deficit bound bᵀλ + σT = {float(found):.12g} ({detail}) exceeds the worst case "
                       f"{solution.worst_case:.12g} by more than {largest}", time.perf_counter() - start)
