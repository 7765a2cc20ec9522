"""Performance estimation (Drori–Teboulle 2014; Taylor–Hendrickx–Glineur 2017; CLASSICAL) as one SDP, handed to
Clarabel in its own form (no modelling layer):

    maximise t  subject to  t ≤ F_i + ⟨Q_i, G⟩            (i measured: the worst case of min_i f(p_i) − f*)
                            ⟨A_p, G⟩ + d_pᵀF ≤ b_p        (interpolation, class rows, ‖x₀ − x*‖² ≤ R²)
                            G ⪰ 0,
every row family assembled as one sparse matrix over vec(G), never one scalar constraint at a time. Solver:
Clarabel (interior point, reports an exact-enough dual); SCS is never used for a bound. The dual
(λ ≥ 0 per row, S ⪰ 0) is kept for the exact certificate (bounds/pep/certificate.py).

Clarabel solves min qᵀx s.t. Ax + s = b, s ∈ K with dual z ∈ K*, A'z + q = 0 (`conic`). A symmetric matrix
variable is its upper triangle in column order (G₀₀, G₀₁, G₁₁, G₀₂, …; `triangle`), and the PSD cone reads the
same triangle with the off-diagonal entries times √2 (Clarabel's PSDTriangleCone: the scaling that makes the
vector inner product the trace inner product). So its slack is s = diag(scale)·x and its dual z is S's triangle
with the off-diagonals times √2 (`unpack`). With q = −e_t the dual reads λ = z ≥ 0 on the rows, Σλc = 1,
Σλd = 0 and S = Σλ_p A_p ⪰ 0: the multipliers and S that certificate.py re-checks exactly.
"""
import math
import time
from dataclasses import dataclass

import clarabel
import numpy as np
import scipy.sparse as sparse

from pplimits.bounds.pep.classes import interpolation_rows, pairs
from pplimits.bounds.pep.trace import MethodTrace

SOLVER = "CLARABEL"
SETTINGS = {"tol_gap_abs": 1e-9, "tol_gap_rel": 1e-9, "tol_feas": 1e-9}
STATUS = {"Solved": "optimal", "AlmostSolved": "optimal_inaccurate", "MaxIterations": "user_limit",
          "MaxTime": "user_limit", "PrimalInfeasible": "infeasible", "DualInfeasible": "unbounded",
          "AlmostPrimalInfeasible": "infeasible_inaccurate", "AlmostDualInfeasible": "unbounded_inaccurate"}
# Clarabel's statuses by the names cvxpy gives them (as recorded before the modelling layer was dropped);
# any other (NumericalError, InsufficientProgress) is "solver_error".


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


def _positions(n: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of each entry of the upper triangle of an n×n matrix, in column order."""
    column = np.repeat(np.arange(n), np.arange(1, n + 1))
    return np.arange(n * (n + 1) // 2) - column * (column + 1) // 2, column


def triangle(n: int) -> sparse.csr_matrix:
    """(n² × n(n+1)/2): the row-major vec(G) of the symmetric G whose upper triangle in column order is x."""
    row, column = _positions(n)
    index = np.arange(len(row))
    lower = row != column
    return sparse.csr_matrix((np.ones(len(row) + lower.sum()),
                              (np.concatenate([row * n + column, column[lower] * n + row[lower]]),
                               np.concatenate([index, index[lower]]))), shape=(n * n, len(row)))


def psd_scale(n: int) -> np.ndarray:
    """Clarabel's PSDTriangleCone scaling of the triangle: 1 on the diagonal, √2 off it."""
    row, column = _positions(n)
    return np.where(row == column, 1.0, math.sqrt(2))


def unpack(vector: np.ndarray, n: int, scaled: bool) -> np.ndarray:
    """The symmetric n×n matrix of a triangle in column order (its off-diagonals divided by √2 if `scaled`)."""
    row, column = _positions(n)
    values = np.asarray(vector, dtype=float) / (psd_scale(n) if scaled else 1.0)
    matrix = np.zeros((n, n))
    matrix[row, column] = values
    matrix[column, row] = values
    return matrix


@dataclass
class Conic:
    """Clarabel's answer: status (cvxpy's names, see STATUS), primal x, dual z, and qᵀx."""

    status: str
    x: np.ndarray
    z: np.ndarray
    objective: float


def conic(q: np.ndarray, A, b: np.ndarray, cones: list, settings: dict) -> Conic:
    """min qᵀx s.t. Ax + s = b, s ∈ cones, by Clarabel (P = 0), quietly, with `settings` over its defaults."""
    options = clarabel.DefaultSettings()
    options.verbose = False
    for name, value in settings.items():
        setattr(options, name, value)
    size = len(q)
    found = clarabel.DefaultSolver(sparse.csc_matrix((size, size)), np.asarray(q, dtype=float),
                                   sparse.csc_matrix(A), np.asarray(b, dtype=float), cones, options).solve()
    return Conic(STATUS.get(str(found.status), "solver_error"), np.asarray(found.x, dtype=float),
                 np.asarray(found.z, dtype=float), float(found.obj_val))


def _solve_rows(rows: Rows, n: int, with_t: bool, q_gram: np.ndarray, settings: dict) -> Conic:
    """Clarabel on x = (t if `with_t`, G's triangle, F) — G's entries in row order of its upper triangle, as cvxpy
    ordered them, so the solver takes the same steps as before it was dropped: the rows ≤ b (nonnegative slack),
    then G ⪰ 0 (its scaled triangle, Clarabel's column order); objective −t when t is there (maximise it), and
    q_gram on G's triangle (column order)."""
    size, m = n * (n + 1) // 2, rows.D.shape[1]
    row, column = _positions(n)
    order = np.lexsort((column, row))  # the triangle's entries in row order: x holds G at these positions
    gram = sparse.csr_matrix(sparse.identity(size, format="csr")[:, order])  # column-order triangle from x's
    head = [sparse.csr_matrix(rows.c.reshape(-1, 1))] if with_t else []
    A = sparse.vstack([sparse.hstack([*head, rows.A @ triangle(n) @ gram, rows.D]),
                       sparse.hstack([sparse.csr_matrix((size, int(with_t))), sparse.diags(-psd_scale(n)) @ gram,
                                      sparse.csr_matrix((size, m))])]).tocsc()
    b = np.concatenate([rows.b, np.zeros(size)])
    q = np.concatenate([[-1.0] if with_t else [], np.asarray(q_gram, dtype=float)[order], np.zeros(m)])
    found = conic(q, A, b, [clarabel.NonnegativeConeT(len(rows.b)), clarabel.PSDTriangleConeT(n)], settings)
    x = np.empty(size)
    x[order] = found.x[int(with_t):int(with_t) + size]
    return Conic(found.status, np.concatenate([x, found.x[int(with_t) + size:], found.x[:int(with_t)]]), found.z,
                 found.objective)


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
    n = trace.dimension
    found = _solve_rows(rows, n, True, np.zeros(n * (n + 1) // 2), SETTINGS if settings is None else settings)
    seconds = time.perf_counter() - start
    require_solved(found.status)
    p = len(rows.b)
    multipliers, S = found.z[:p], unpack(found.z[p:], n, scaled=True)
    G = unpack(found.x[:n * (n + 1) // 2], n, scaled=False)
    value, dual = -found.objective, float(rows.b @ multipliers)
    return Solution(value, found.status, dual, abs(dual - value) / max(abs(dual), 1e-300),
                    float(np.linalg.eigvalsh(G).min()), float(np.linalg.eigvalsh(S).min()), multipliers, rows, seconds, G)


def _subset(rows: Rows, keep: list[int]) -> Rows:
    return Rows(rows.A[keep], rows.D[keep], rows.c[keep], rows.b[keep], [rows.kinds[p] for p in keep])


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
    rows = _subset(full, [p for p, kind in enumerate(full.kinds) if kind[0] != "performance"])
    n = trace.dimension
    row, column = _positions(n)
    found = _solve_rows(rows, n, False, -(row == column).astype(float), SETTINGS)
    if found.status not in ("optimal", "optimal_inaccurate"):
        return TraceSolution(found.status, None, None, rows)
    return TraceSolution(found.status, -found.objective, found.z[:len(rows.b)], rows)
