"""The chain formulation of a PEP: consecutive-pair interpolation and a chordal Gram matrix, for long GD runs.

For gradient descent, p_{i+1} = a_i p_i + b_i u_i (a_i = 1 − γμ, b_i = −γ on a μ-strongly convex class, where
∇f = u + μp; x* = 0). Rows: interpolation only between consecutive oracle points, (p_i, p_{i+1}) and
(p_{i+1}, p_i), and between each point and x*, both ways — the pairs of Drori & Teboulle's proof. They are a
subset of the tight conditions, so the value is an upper bound on the true worst case (a relaxation), equal to
it when the worst case needs no other pair (cross-checked against the full formulation and PEPit).
Every such row involves only p_i, u_i, p_{i+1}, u_{i+1}, which live in span(p_i, u_i, u_{i+1}). So the Gram matrix
is replaced by one 3×3 PSD block Y_i per step, the Gram of (p_i, u_i, u_{i+1}), with the inner products of the
vectors the consecutive blocks share, p_{i+1} and u_{i+1}, equal in both. The vectors' pattern is a chain of
cliques, so PSD blocks agreeing on their overlaps complete to one PSD Gram matrix (Grone, Johnson, Sá & Wolkowicz
1984): the SDP is the consecutive-pair PEP exactly. Each block is over independent vectors (no cancellation,
strictly feasible), and Clarabel's cost grows linearly in N instead of with (N²/2)³.
"""
import time
import warnings

import cvxpy as cp
import numpy as np
import scipy.sparse as sparse

from pplimits._util.checks import UsageError
from pplimits.bounds.pep.sdp import SOLVER
from pplimits.bounds.pep.trace import MethodTrace

TIGHT = {"tol_gap_abs": 1e-12, "tol_gap_rel": 1e-11, "tol_feas": 1e-11, "max_iter": 400}  # small blocks: cheap


def steps(trace: MethodTrace) -> list[tuple[float, float]]:
    """(a_i, b_i) with p_{i+1} = a_i p_i + b_i u_i for every consecutive pair of oracle points; ValueError if the
    method does not move like that (use the full formulation)."""
    if len(trace.points) < 2 or trace.points[0] != {0: 1}:
        raise UsageError("the chain formulation needs x₀ as the first of at least two oracle points")
    found = []
    for i in range(len(trace.points) - 1):
        current, following = trace.points[i], trace.points[i + 1]
        a = following.get(0, 0) / current[0]
        difference = following - a * current
        if set(difference) != {1 + i}:
            raise UsageError("the chain formulation needs a method that moves by one gradient per step (gd)")
        found.append((float(a), float(difference[1 + i])))
    return found


def solve_chain(trace: MethodTrace, function_class, radius: float = 1.0) -> dict:
    """Worst case of the chain formulation (see the module): {"worst_case", "status", "seconds"}."""
    start = time.perf_counter()
    if function_class.extra(trace):
        raise UsageError("the chain formulation is for smooth classes (no rows beyond interpolation)")
    moves, m = steps(trace), len(trace.points)
    # block i holds (p_i, u_i, u_{i+1}) as coordinates 0, 1, 2; p_{i+1} = a p_i + b u_i in it
    local = []
    for a, b in moves:
        local.append({"p": np.array([1.0, 0, 0]), "u": np.array([0, 1.0, 0]), "p+": np.array([a, b, 0]),
                      "u+": np.array([0, 0, 1.0])})
    rows, c_vec, b_vec, d_entries = [], [], [], []

    def add(block, form, d=None, c=0.0, rhs=0.0):
        """One row ⟨form, Y_block⟩ + dᵀF + c t ≤/= rhs; form a 3×3 matrix."""
        rows.append((block, (form + form.T) / 2))
        d_entries.append(d or {})
        c_vec.append(c), b_vec.append(rhs)

    def inner(x, y):
        return np.outer(x, y)

    curvature = float(function_class.curvature)
    for i in range(m - 1):  # pairs (i, i+1), (i+1, i), and (i, *), (*, i) inside block i
        v = local[i]
        for first, second, fi, fj in (("p", "p+", i, i + 1), ("p+", "p", i + 1, i)):
            ui, uj = v["u" if first == "p" else "u+"], v["u+" if first == "p" else "u"]
            form = inner(uj, v[first] - v[second]) + curvature * inner(ui - uj, ui - uj)
            add(i, form, {fj: 1.0, fi: -1.0})
        add(i, curvature * inner(v["u"], v["u"]), {i: -1.0})  # (i, *): F* − F_i + c‖u_i‖² ≤ 0
        add(i, inner(v["u"], -v["p"]) + curvature * inner(v["u"], v["u"]), {i: 1.0})  # (*, i)
    last = local[-1]  # the last point's pairs with x*, in the last block
    add(m - 2, curvature * inner(last["u+"], last["u+"]), {m - 1: -1.0})
    add(m - 2, inner(last["u+"], -last["p+"]) + curvature * inner(last["u+"], last["u+"]), {m - 1: 1.0})
    mu = float(function_class.mu)
    for i in trace.performance:  # t ≤ F_i + (μ/2)‖p_i‖²
        block, name = (i, "p") if i < m - 1 else (m - 2, "p+")
        add(block, -mu / 2 * inner(local[block][name], local[block][name]), {i: -1.0}, c=1.0)
    add(0, inner(local[0]["p"], local[0]["p"]), rhs=float(radius) ** 2)
    inequalities = len(rows)
    equalities = []
    for i in range(m - 2):  # block i and block i+1 agree on ⟨·,·⟩ of p_{i+1}, u_{i+1}
        here, there = local[i], local[i + 1]
        for x, y in (("p+", "p+"), ("p+", "u+"), ("u+", "u+")):
            left = inner(here[x], here[y])
            right = inner(there[{"p+": "p", "u+": "u"}[x]], there[{"p+": "p", "u+": "u"}[y]])
            equalities.append((i, (left + left.T) / 2, i + 1, (right + right.T) / 2))
    blocks = m - 1
    total = inequalities + len(equalities)
    data, r_idx, c_idx = [], [], []
    for r, (block, form) in enumerate(rows):
        for k, value in enumerate(form.ravel()):
            if value:
                data.append(value), r_idx.append(r), c_idx.append(9 * block + k)
    for e, (b1, f1, b2, f2) in enumerate(equalities):
        for block, form, sign in ((b1, f1, 1.0), (b2, f2, -1.0)):
            for k, value in enumerate(form.ravel()):
                if value:
                    data.append(sign * value), r_idx.append(inequalities + e), c_idx.append(9 * block + k)
    A = sparse.csr_matrix((data, (r_idx, c_idx)), shape=(total, 9 * blocks))
    d_rows = [(r, i, v) for r, d in enumerate(d_entries) for i, v in d.items()]
    D = sparse.csr_matrix(([v for *_, v in d_rows], ([r for r, *_ in d_rows], [i for _, i, _ in d_rows])),
                          shape=(total, m))
    c = np.concatenate([c_vec, np.zeros(len(equalities))])
    b = np.concatenate([b_vec, np.zeros(len(equalities))])
    Y = [cp.Variable((3, 3), symmetric=True) for _ in range(blocks)]
    F, t = cp.Variable(m), cp.Variable()
    expression = A @ cp.hstack([cp.vec(y, order="C") for y in Y]) + D @ F + c * t - b
    constraints = [expression[:inequalities] <= 0] + ([expression[inequalities:] == 0] if equalities else [])
    problem = cp.Problem(cp.Maximize(t), constraints + [y >> 0 for y in Y])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        problem.solve(solver=SOLVER, **TIGHT)
    if problem.status not in ("optimal", "optimal_inaccurate"):
        raise UsageError(f"the worst case could not be computed at these parameters (Clarabel ended "
                         f"{problem.status!r}): it may be unbounded — a step too large for the class?")
    return {"worst_case": float(problem.value), "status": problem.status, "seconds": time.perf_counter() - start}
