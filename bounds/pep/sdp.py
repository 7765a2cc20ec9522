"""Performance estimation (Drori–Teboulle 2014; Taylor–Hendrickx–Glineur 2017; CLASSICAL) as one cvxpy SDP.

    maximise t  subject to  t ≤ F_i + ⟨Q_i, G⟩            (i measured: the worst case of min_i f(p_i) − f*)
                            ⟨A_p, G⟩ + d_pᵀF ≤ b_p        (interpolation, class rows, ‖x₀ − x*‖² ≤ R²)
                            G ⪰ 0,
every row family assembled as one sparse matrix over vec(G), never one scalar constraint at a time. Solver:
Clarabel (interior point, reports an exact-enough dual); SCS is never used for a bound. The dual
(λ ≥ 0 per row, S ⪰ 0) is kept for the exact certificate (bounds/pep/certificate.py).
"""
import time
import warnings
from dataclasses import dataclass

import cvxpy as cp
import numpy as np
import scipy.sparse as sparse

from pplimits.bounds.pep.classes import interpolation_rows, pairs
from pplimits.bounds.pep.trace import MethodTrace

SOLVER = "CLARABEL"
SETTINGS = {"tol_gap_abs": 1e-9, "tol_gap_rel": 1e-9, "tol_feas": 1e-9}


@dataclass
class Rows:
    """All rows of one PEP as sparse matrices: ⟨A, G⟩ + D F + c t ≤ b (A over row-major vec(G))."""

    A: sparse.csr_matrix
    D: sparse.csr_matrix
    c: np.ndarray
    b: np.ndarray
    kinds: list  # per row: ("interpolation", i, j) | ("extra", k) | ("performance", i) | ("initial",)


def _dense_row(entries: dict, n: int) -> np.ndarray:
    row = np.zeros(n * n)
    for (k, l), value in entries.items():
        row[k * n + l] += float(value)
    return row


def assemble(trace: MethodTrace, function_class, radius: float) -> Rows:
    """Every row of the PEP of `trace` over `function_class` with ‖x₀ − x*‖ ≤ radius."""
    n, m = trace.dimension, len(trace.points)
    X = np.zeros((m + 1, n))
    for i, point in enumerate(trace.points):
        for k, v in point.items():
            X[i + 1, k] = float(v)
    I, J = pairs(m)
    A_int, D_int = interpolation_rows(X, I, J, float(function_class.curvature))
    kinds = [("interpolation", int(i), int(j)) for i, j in zip(I, J)]
    extra = function_class.extra(trace)
    performance = [(i, function_class.performance(trace, i)) for i in trace.performance]
    small = [_dense_row(A, n) for A, _, _ in extra] + [_dense_row(Q, n) * -1 for _, Q in performance]
    small.append(_dense_row({(0, 0): 1}, n))
    D_small = np.zeros((len(small), m))
    for r, (i, _) in enumerate(performance):
        D_small[len(extra) + r, i] = -1.0
    kinds += [("extra", k) for k in range(len(extra))] + [("performance", i) for i, _ in performance] + [("initial",)]
    c = np.concatenate([np.zeros(len(I) + len(extra)), np.ones(len(performance)), [0.0]])
    b = np.concatenate([np.zeros(len(I)), [float(row[2]) for row in extra], np.zeros(len(performance)),
                        [float(radius) ** 2]])
    A = sparse.vstack([A_int, sparse.csr_matrix(np.array(small))]).tocsr()
    D = sparse.vstack([D_int, sparse.csr_matrix(D_small)]).tocsr()
    return Rows(A, D, c, b, kinds)


class SolverFailure(RuntimeError):
    """Clarabel ended without an optimal (or optimal-inaccurate) solution."""


def require_solved(status: str) -> None:
    if status not in ("optimal", "optimal_inaccurate"):
        raise SolverFailure(f"Clarabel ended {status!r}")


@dataclass
class Solution:
    """A solved PEP: the worst case (primal), solver status, the dual bound bᵀλ and their gap, the smallest
    eigenvalues of G and of the dual S, the dual λ, the wall time of building plus solving, and the primal G."""

    worst_case: float
    status: str
    dual_bound: float
    gap: float
    min_eig_G: float
    min_eig_S: float
    multipliers: np.ndarray
    rows: Rows
    seconds: float
    gram: np.ndarray | None = None


def solve(trace: MethodTrace, function_class, radius: float = 1.0, settings: dict | None = None) -> Solution:
    """The worst case of the measured f − f* over the class, by Clarabel (with SETTINGS unless `settings`)."""
    start = time.perf_counter()
    rows = assemble(trace, function_class, radius)
    n, m = trace.dimension, len(trace.points)
    G = cp.Variable((n, n), symmetric=True)
    F = cp.Variable(m)
    t = cp.Variable()
    inequalities = rows.A @ cp.vec(G, order="C") + rows.D @ F + rows.c * t <= rows.b
    psd = G >> 0
    problem = cp.Problem(cp.Maximize(t), [inequalities, psd])
    with warnings.catch_warnings():  # "may be inaccurate": the status says so and is recorded
        warnings.simplefilter("ignore", UserWarning)
        problem.solve(solver=SOLVER, **(SETTINGS if settings is None else settings))
    seconds = time.perf_counter() - start
    require_solved(problem.status)
    multipliers = np.asarray(inequalities.dual_value, dtype=float)
    dual = float(rows.b @ multipliers)
    S = np.asarray(psd.dual_value, dtype=float)
    return Solution(float(problem.value), problem.status, dual, abs(dual - problem.value) / max(abs(dual), 1e-300),
                    float(np.linalg.eigvalsh(G.value).min()), float(np.linalg.eigvalsh((S + S.T) / 2).min()),
                    multipliers, rows, seconds, np.asarray(G.value, dtype=float))


@dataclass
class TraceSolution:
    """max tr(G) over the PEP's rows without its performance rows: the status, the value and the dual μ (None
    unless solved), and the rows kept."""

    status: str
    value: float | None
    multipliers: np.ndarray | None
    rows: Rows


def solve_trace(trace: MethodTrace, function_class, radius: float = 1.0) -> TraceSolution:
    """The largest tr(G) of a feasible Gram matrix: maximise ⟨I, G⟩ subject to every row of the PEP but the
    performance rows (t is gone, c = 0 on every row kept), G ⪰ 0, by Clarabel. Its dual μ ≥ 0 (Σμd = 0,
    Σμ_p A_p ⪰ I) bounds tr(G) by bᵀμ; certificate.py re-checks it exactly (`trace_bound`). An unbounded or
    failed solve is returned with its status, not raised."""
    full = assemble(trace, function_class, radius)
    keep = [p for p, kind in enumerate(full.kinds) if kind[0] != "performance"]
    rows = Rows(full.A[keep], full.D[keep], full.c[keep], full.b[keep], [full.kinds[p] for p in keep])
    n, m = trace.dimension, len(trace.points)
    G = cp.Variable((n, n), symmetric=True)
    F = cp.Variable(m)
    inequalities = rows.A @ cp.vec(G, order="C") + rows.D @ F <= rows.b
    problem = cp.Problem(cp.Maximize(cp.trace(G)), [inequalities, G >> 0])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            problem.solve(solver=SOLVER, **SETTINGS)
    except cp.SolverError as error:
        return TraceSolution(f"solver error ({error})", None, None, rows)
    if problem.status not in ("optimal", "optimal_inaccurate"):
        return TraceSolution(str(problem.status), None, None, rows)
    return TraceSolution(problem.status, float(problem.value), np.asarray(inequalities.dual_value, dtype=float), rows)
