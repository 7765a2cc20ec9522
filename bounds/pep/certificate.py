"""Exact certificates: the PEP's numerical dual turned into rational multipliers and re-checked over the rationals.

For rows ⟨A_p, G⟩ + d_pᵀF + c_p t ≤ b_p, multipliers λ ≥ 0 with Σ λ_p c_p = 1, Σ λ_p d_p = 0 and
S = Σ λ_p A_p ⪰ 0 prove t ≤ bᵀλ for every feasible (G, F, t) — i.e. the worst case is at most bᵀλ:
    t = Σλ_p(c_p t + d_pᵀF + ⟨A_p, G⟩) − ⟨S, G⟩ ≤ bᵀλ − ⟨S, G⟩ ≤ bᵀλ.
Procedure: drop multipliers below 1e-10 of the largest, round the rest to multiples of 10⁻¹² (one common
denominator keeps the exact arithmetic small),
rescale the performance multipliers so Σλc = 1 exactly, restore Σλd = 0 exactly through the rows of the pairs
(i, x*) and (x*, i) (d = ∓e_i), then find by an exact LDLᵀ of S over ℚ (sympy's QQ), eliminating x₀'s row last,
the smallest padding p of the initial-condition multiplier with S + p·e₀e₀ᵀ ⪰ 0 (no negative pivot, no non-zero
row behind a zero pivot); on Lipschitz classes half of the margin first pads the rows ‖g_i‖² ≤ M² evenly. The certified bound bᵀλ + pR² must then be at most the solver's worst case times
(1 + margin) for the smallest margin in {0, 1e-9, 1e-8, 1e-7, 1e-6}, which is what is reported. If none is, the
result says so: never "certified" without the exact check.
"""
import time
from dataclasses import dataclass
from fractions import Fraction

from sympy.polys.domains import QQ

from pplimits.bounds.pep.classes import STAR, exact_interpolation
from pplimits.bounds.pep.sdp import Solution
from pplimits.bounds.pep.trace import MethodTrace, exact

MARGINS = (0, Fraction(1, 10**9), Fraction(1, 10**8), Fraction(1, 10**7), Fraction(1, 10**6))
DROP = 1e-10
DENOMINATOR = 10**12


@dataclass(frozen=True)
class Certificate:
    """Whether the bound (worst case × (1 + margin)) was verified in exact arithmetic, and how."""

    certified: bool
    bound: Fraction | None
    margin: Fraction | None
    multipliers: int  # rows with a non-zero multiplier
    reason: str
    seconds: float


def _row(trace: MethodTrace, function_class, extra: list, kind, radius: Fraction):
    """(A, d, c, b) of one row, exactly (`extra`: the class's rows beyond interpolation)."""
    if kind[0] == "interpolation":
        A, d = exact_interpolation(trace, kind[1], kind[2], function_class.curvature)
        return A, d, 0, Fraction(0)
    if kind[0] == "extra":
        A, d, b = extra[kind[1]]
        return A, d, 0, b
    if kind[0] == "performance":
        Q = function_class.performance(trace, kind[1])
        return {key: -value for key, value in Q.items()}, {kind[1]: Fraction(-1)}, 1, Fraction(0)
    return {(0, 0): Fraction(1)}, {}, 0, radius**2


def schur_pad(matrix: list[list]) -> Fraction | None:
    """Exact LDLᵀ over ℚ (sympy's QQ) eliminating rows 1 … n−1 first and row 0 last: the smallest p ≥ 0 such that
    matrix + p·e₀e₀ᵀ ⪰ 0, or None if no p does (a negative pivot, or a zero pivot whose row is not zero)."""
    n = len(matrix)
    order = [*range(1, n), 0]
    a = [[QQ(matrix[r][c].numerator, matrix[r][c].denominator) for c in order] for r in order]
    for k in range(n - 1):
        pivot = a[k][k]
        if pivot < 0:
            return None
        if pivot == 0:
            if any(a[k][j] != 0 for j in range(k + 1, n)):
                return None
            continue
        row_k = a[k]
        for i in range(k + 1, n):
            if a[i][k] == 0:
                continue
            factor, row_i = a[i][k] / pivot, a[i]
            for j in range(k + 1, n):
                if row_k[j] != 0:
                    row_i[j] -= factor * row_k[j]
    last = a[n - 1][n - 1]
    return Fraction(0) if last >= 0 else Fraction(int(-last.numerator), int(last.denominator))


def certify(trace: MethodTrace, function_class, solution: Solution, radius=1) -> Certificate:
    """Try to verify worst_case × (1 + margin) exactly (see the module)."""
    start = time.perf_counter()
    radius = exact(radius)
    values = solution.multipliers.clip(min=0)
    cut = DROP * values.max()
    kinds = solution.rows.kinds
    index = {kind: p for p, kind in enumerate(kinds)}
    lam = {p: Fraction(round(float(v) * DENOMINATOR), DENOMINATOR) for p, v in enumerate(values) if v > cut}
    lam = {p: v for p, v in lam.items() if v > 0}
    performance = [p for p in lam if kinds[p][0] == "performance"]
    total = sum(lam[p] for p in performance)
    if not performance or total == 0:
        return Certificate(False, None, None, len(lam), "no performance multiplier in the dual", 0.0)
    for p in performance:
        lam[p] /= total
    extra = function_class.extra(trace)
    rows = {p: _row(trace, function_class, extra, kinds[p], radius) for p in lam}
    balance = {}
    for p, (_, d, _, _) in rows.items():
        for i, v in d.items():
            balance[i] = balance.get(i, 0) + lam[p] * v
    for i, r in balance.items():  # restore Σλd = 0 through the pairs with x*
        if r != 0:
            p = index[("interpolation", i, STAR)] if r > 0 else index[("interpolation", STAR, i)]
            lam[p] = lam.get(p, 0) + abs(r)
            rows.setdefault(p, _row(trace, function_class, extra, kinds[p], radius))
    n = trace.dimension
    S = [[Fraction(0)] * n for _ in range(n)]
    for p, (A, _, _, _) in rows.items():
        for (k, l), v in A.items():
            S[k][l] += lam[p] * v
    bound = sum(lam[p] * b for p, (_, _, _, b) in rows.items())
    claimed = exact(solution.worst_case)
    diagonal = [p for p, kind in enumerate(kinds) if kind[0] == "extra"]  # ‖u_i‖² ≤ M²: padding adds e_ie_iᵀ
    tried = {}
    for margin in MARGINS:
        spread = claimed * margin / (2 * len(diagonal)) if diagonal else Fraction(0)
        if spread not in tried:
            padded = [row[:] for row in S]
            for p in diagonal:
                A, _, _, b = _row(trace, function_class, extra, kinds[p], radius)
                for (k, l), v in A.items():
                    padded[k][l] += spread / b * v
            needed = schur_pad(padded)  # the smallest padding of the initial multiplier that makes S ⪰ 0
            tried[spread] = None if needed is None else bound + spread * len(diagonal) + needed * radius**2
        certified = tried[spread]
        if certified is not None and certified <= claimed * (1 + margin):
            return Certificate(True, claimed * (1 + margin), margin, len(lam), "exact LDLᵀ over ℚ: S ⪰ 0",
                               time.perf_counter() - start)
    best = min((v for v in tried.values() if v is not None), default=None)
    reason = ("S is not PSD exactly for any padding" if best is None else
              f"the exact dual bound {float(best):.12g} exceeds the worst case {solution.worst_case:.12g} by more "
              "than 1e-6")
    return Certificate(False, None, None, len(lam), reason, time.perf_counter() - start)
