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

The solver's value can land below the relaxation's optimum (by up to ~1e-6 relative here), so it is never
reported bare: `certify_chain` carries the solver's error outward with an exact bound (see its docstring).
"""
import time
import warnings
from dataclasses import dataclass
from fractions import Fraction

import cvxpy as cp
import numpy as np
import scipy.sparse as sparse

from pplimits._util.checks import UsageError
from pplimits.bounds.pep.rational import is_psd, shifted
from pplimits.bounds.pep.sdp import SOLVER, require_solved
from pplimits.bounds.pep.trace import MethodTrace, exact

TIGHT = {"tol_gap_abs": 1e-12, "tol_gap_rel": 1e-11, "tol_feas": 1e-11, "max_iter": 400}  # small blocks: cheap
DENOMINATOR = 10**12  # the dual is rounded to multiples of 10⁻¹² before the exact check

Form = tuple[tuple[Fraction, ...], ...]  # a symmetric 3×3 matrix over the block's (p_i, u_i, u_{i+1})


def steps(trace: MethodTrace) -> list[tuple[Fraction, Fraction]]:
    """(a_i, b_i) with p_{i+1} = a_i p_i + b_i u_i for every consecutive pair of oracle points, exactly; a
    UsageError if the method does not move like that (use the full formulation)."""
    if len(trace.points) < 2 or trace.points[0] != {0: 1}:
        raise UsageError("the chain formulation needs x₀ as the first of at least two oracle points")
    found = []
    for i in range(len(trace.points) - 1):
        current, following = trace.points[i], trace.points[i + 1]
        a = exact(following.get(0, 0)) / exact(current[0])
        difference = following - a * current
        if set(difference) != {1 + i}:
            raise UsageError("the chain formulation needs a method that moves by one gradient per step (gd)")
        found.append((a, exact(difference[1 + i])))
    return found


def _form(x, y, scale=Fraction(1)) -> Form:
    """scale · (x yᵀ + y xᵀ)/2."""
    return tuple(tuple(scale * (x[r] * y[c] + y[r] * x[c]) / 2 for c in range(3)) for r in range(3))


def _sum(*forms: Form) -> Form:
    return tuple(tuple(sum(f[r][c] for f in forms) for c in range(3)) for r in range(3))


@dataclass(frozen=True)
class Row:
    """⟨form, Y_block⟩ + Σ d[i]·F_i + c·t ≤ b, exactly."""

    block: int
    form: Form
    d: dict
    c: int = 0
    b: Fraction = Fraction(0)


@dataclass(frozen=True)
class ChainRows:
    """The chain PEP exactly: inequality rows, equalities ⟨left, Y_i⟩ = ⟨right, Y_{i+1}⟩, the rows of each point's
    pairs with x* by point ((i, *) has d = −e_i, (*, i) has d = +e_i), and the bound on tr(Y_i) the rows imply."""

    rows: list[Row]
    equalities: list[tuple[int, Form, Form]]
    to_star: dict[int, int]
    from_star: dict[int, int]
    trace_bound: list[Fraction]


def _point_bounds(moves, curvature: Fraction, radius: Fraction) -> list[Fraction]:
    """Upper bounds on ‖p_i‖² implied by the rows: ‖p_0‖² ≤ R²; the pairs (i, *), (*, i) give ⟨u_i, p_i⟩ ≥
    2c‖u_i‖² and ‖u_i‖ ≤ ‖p_i‖/(2c) (c the curvature), so ‖a p + b u‖² ≤ a²‖p‖² + max(0, 2ab·2c + b²)‖u‖² when
    ab ≤ 0, and ≤ (|a| + |b|/(2c))²‖p‖² in general."""
    kappa, found = 2 * curvature, [radius**2]
    for a, b in moves:
        growth = a * a + max(Fraction(0), 2 * a * b * kappa + b * b) / kappa**2 if a * b <= 0 else \
            (abs(a) + abs(b) / kappa) ** 2
        found.append(found[-1] * growth)
    return found


def chain_rows(trace: MethodTrace, function_class, radius) -> ChainRows:
    """The rows of the chain formulation (see the module), in exact rationals."""
    if function_class.extra(trace):
        raise UsageError("the chain formulation is for smooth classes (no rows beyond interpolation)")
    moves, m = steps(trace), len(trace.points)
    curvature, mu, radius = exact(function_class.curvature), exact(function_class.mu), exact(radius)
    one, zero = Fraction(1), Fraction(0)
    p, u, u_next = (one, zero, zero), (zero, one, zero), (zero, zero, one)
    rows, to_star, from_star = [], {}, {}

    def pairs_with_star(block, point, position, gradient):
        to_star[point] = len(rows)  # (point, *): F* − F_point + c‖u‖² ≤ 0
        rows.append(Row(block, _form(gradient, gradient, curvature), {point: -one}))
        from_star[point] = len(rows)  # (*, point): F_point − F* − ⟨u, p⟩ + c‖u‖² ≤ 0
        rows.append(Row(block, _sum(_form(gradient, position, -one), _form(gradient, gradient, curvature)),
                        {point: one}))

    for i, (a, b) in enumerate(moves):
        p_next = (a, b, zero)
        for first, g_first, second, g_second, fi, fj in ((p, u, p_next, u_next, i, i + 1),
                                                         (p_next, u_next, p, u, i + 1, i)):
            # F_i ≥ F_j + ⟨u_j, p_i − p_j⟩ + c‖u_i − u_j‖² (i = first, j = second), as a row ≤ 0
            difference = tuple(x - y for x, y in zip(first, second))
            gap = tuple(x - y for x, y in zip(g_first, g_second))
            rows.append(Row(i, _sum(_form(g_second, difference), _form(gap, gap, curvature)), {fj: one, fi: -one}))
        pairs_with_star(i, i, p, u)
    a, b = moves[-1]
    pairs_with_star(m - 2, m - 1, (a, b, zero), u_next)
    for i in trace.performance:  # t ≤ F_i + (μ/2)‖p_i‖²
        block, position = (i, p) if i < m - 1 else (m - 2, (a, b, zero))
        rows.append(Row(block, _form(position, position, -mu / 2), {i: -one}, c=1))
    rows.append(Row(0, _form(p, p), {}, b=radius**2))
    equalities = []
    for i in range(m - 2):  # block i and block i+1 agree on ⟨·,·⟩ of p_{i+1}, u_{i+1}
        a, b = moves[i]
        p_next = (a, b, zero)
        for (x, y), (x_there, y_there) in ((((p_next, p_next), (p, p))), ((p_next, u_next), (p, u)),
                                           ((u_next, u_next), (u, u))):
            equalities.append((i, _form(x, y), _form(x_there, y_there)))
    bounds = _point_bounds(moves, curvature, radius)
    gradient = 1 / (2 * curvature) ** 2  # ‖u_i‖² ≤ ‖p_i‖² / (2c)²
    trace_bound = [bounds[i] * (1 + gradient) + bounds[i + 1] * gradient for i in range(m - 1)]
    return ChainRows(rows, equalities, to_star, from_star, trace_bound)


def _flat(form: Form) -> np.ndarray:
    return np.array([float(v) for line in form for v in line])


def certify_chain(chain: ChainRows, multipliers, equality_multipliers) -> Fraction | None:
    """An exact upper bound on the chain PEP's optimum from the solver's dual, or None without a performance
    multiplier. For λ ≥ 0 with Σλc = 1, Σλd = 0 and any ν, every feasible (Y, F, t) has
        t ≤ bᵀλ − Σ_i ⟨S_i, Y_i⟩,   S_i = Σ_{rows of block i} λ_r A_r + Σ ν_e (left_e at i − right_e at i + 1),
    and ⟨S_i, Y_i⟩ ≥ −σ_i tr(Y_i) when S_i + σ_i I ⪰ 0. So bᵀλ + Σ σ_i T_i bounds the optimum, T_i the bound
    on tr(Y_i) the rows imply (`_point_bounds`). λ and ν are rounded to multiples of 10⁻¹², the performance
    multipliers rescaled to Σλc = 1 and Σλd = 0 restored through the pairs with x* (as certificate.py does);
    σ_i is the float estimate of −λ_min(S_i) rounded up, and S_i + σ_i I ⪰ 0 is checked exactly (doubled until
    it holds; bounds/pep/rational.py)."""
    lam = {r: Fraction(round(float(v) * DENOMINATOR), DENOMINATOR) for r, v in enumerate(multipliers) if v > 0}
    lam = {r: v for r, v in lam.items() if v > 0}
    total = sum(v for r, v in lam.items() if chain.rows[r].c)
    if total == 0:
        return None
    lam = {r: v / total if chain.rows[r].c else v for r, v in lam.items()}
    balance = {}
    for r, v in lam.items():
        for i, coefficient in chain.rows[r].d.items():
            balance[i] = balance.get(i, 0) + v * coefficient
    for i, residual in balance.items():
        if residual != 0:
            r = chain.to_star[i] if residual > 0 else chain.from_star[i]
            lam[r] = lam.get(r, Fraction(0)) + abs(residual)
    blocks = len(chain.trace_bound)
    S = [[[Fraction(0)] * 3 for _ in range(3)] for _ in range(blocks)]

    def add(block, form, weight):
        for r in range(3):
            for c in range(3):
                S[block][r][c] += weight * form[r][c]

    for r, v in lam.items():
        add(chain.rows[r].block, chain.rows[r].form, v)
    for (i, left, right), value in zip(chain.equalities, equality_multipliers):
        nu = Fraction(round(float(value) * DENOMINATOR), DENOMINATOR)
        if nu:
            add(i, left, nu)
            add(i + 1, right, -nu)
    bound = sum(v * chain.rows[r].b for r, v in lam.items())
    for i, block in enumerate(S):
        lowest = float(np.linalg.eigvalsh(np.array(block, dtype=float)).min())
        sigma = Fraction(0) if lowest >= 0 else Fraction(-lowest) * 2 + Fraction(1, 10**30)
        while not is_psd(shifted(block, sigma)):
            sigma = max(2 * sigma, Fraction(1, 10**30))
        bound += sigma * chain.trace_bound[i]
    return bound


def solve_chain(trace: MethodTrace, function_class, radius=1) -> dict:
    """Worst case of the chain formulation (see the module): {"worst_case", "status", "exact_bound" (a Fraction
    proved ≥ the relaxation's optimum, or None), "seconds"}."""
    start = time.perf_counter()
    chain = chain_rows(trace, function_class, radius)
    blocks, m = len(chain.trace_bound), len(trace.points)
    rows, equalities = chain.rows, chain.equalities
    A = sparse.vstack([sparse.csr_matrix(np.kron(np.eye(blocks)[row.block], _flat(row.form))) for row in rows]
                      + [sparse.csr_matrix(np.kron(np.eye(blocks)[i], _flat(left))
                                           - np.kron(np.eye(blocks)[i + 1], _flat(right)))
                         for i, left, right in equalities]).tocsr()
    D = sparse.csr_matrix(np.array([[float(row.d.get(i, 0)) for i in range(m)] for row in rows]))
    c = np.array([float(row.c) for row in rows])
    b = np.array([float(row.b) for row in rows])

    def solve(settings):
        """The SDP built afresh (a Problem that failed keeps the failed solver's state) and solved."""
        Y = [cp.Variable((3, 3), symmetric=True) for _ in range(blocks)]
        F, t = cp.Variable(m), cp.Variable()
        stacked = A @ cp.hstack([cp.vec(y, order="C") for y in Y])
        inequalities = stacked[:len(rows)] + D @ F + c * t <= b
        agree = [stacked[len(rows):] == 0] if equalities else []
        problem = cp.Problem(cp.Maximize(t), [inequalities, *agree, *(y >> 0 for y in Y)])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            problem.solve(solver=SOLVER, **settings)
        return problem, inequalities, agree

    try:
        problem, inequalities, agree = solve(TIGHT)
    except cp.SolverError:  # the tight tolerances can stall Clarabel (gd, step 1/10, N = 1): its defaults
        problem, inequalities, agree = solve({})
    require_solved(problem.status)
    nu = np.asarray(agree[0].dual_value, dtype=float) if agree else np.zeros(0)
    bound = certify_chain(chain, np.asarray(inequalities.dual_value, dtype=float), nu)
    return {"worst_case": float(problem.value), "status": problem.status, "exact_bound": bound,
            "seconds": time.perf_counter() - start}
