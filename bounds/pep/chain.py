"""The chain formulation of a PEP: consecutive-pair interpolation on a chordal Gram matrix, for long runs of
methods with a short memory (GD, and AGD/FISTA whose momentum remembers one earlier point).

Rows: interpolation only between consecutive oracle points, (p_i, p_{i+1}) and (p_{i+1}, p_i), and between each
point and x*, both ways — the pairs of Drori & Teboulle's proof for GD and of the potential-function proofs of
FGM. They are a subset of the tight conditions, so the value is an upper bound on the true worst case (a
relaxation), equal to it when the worst case needs no other pair (cross-checked against the full formulation
and PEPit; `worst_case` offers it only where it was).

The state of the method at step i (`states`): the span S_i of the parts of p_i, p_{i+1}, … made of x₀ − x*, u₀,
…, u_{i−1} — what the future still needs of the past (GD: p_i alone; AGD: y_i and x_i). Backwards,
S_i = span(p_i, S_{i+1} without its u_i part), so S_{i+1} ⊆ S_i + span(u_i). Block i is the Gram matrix Y_i of
(basis of S_i, u_i, u_{i+1}): every row of the pair (i, i+1) and of i with x* lives in it, and the vectors block
i+1 shares with it — S_{i+1}'s basis and u_{i+1} — are linear in its vectors, their inner products equal in both
(`equalities`). The pattern is a chain of cliques, so PSD blocks agreeing on their overlaps complete to one PSD Gram
matrix (Grone, Johnson, Sá & Wolkowicz 1984) in which the method's linear relations hold: the SDP is the
consecutive-pair PEP exactly. Each block is over independent vectors (strictly feasible), and Clarabel's cost grows
linearly in N instead of with (N²/2)³.

The solver's value can land below the relaxation's optimum (by up to ~1e-6 relative here), so it is never
reported bare: `certify_chain` carries the solver's error outward with an exact bound (see its docstring).
"""
import time
from dataclasses import dataclass
from fractions import Fraction

import clarabel
import numpy as np
import scipy.sparse as sparse

from pplimits._util.checks import UsageError
from pplimits.bounds.pep.rational import is_psd
from pplimits.bounds.pep.sdp import conic, psd_scale, require_solved, triangle
from pplimits.bounds.pep.trace import MethodTrace, Vector, exact

TIGHT = {"tol_gap_abs": 1e-12, "tol_gap_rel": 1e-11, "tol_feas": 1e-11, "max_iter": 400}  # small blocks: cheap
DENOMINATOR = 10**12  # the dual is rounded to multiples of 10⁻¹² before the exact check
TRANSFER = 10**30  # the Schur complements passed down the chain are rounded to multiples of 10⁻³⁰

Form = tuple[tuple[Fraction, ...], ...]  # a symmetric k×k matrix over a block's vectors


def _solve(matrix: list[list[Fraction]], rhs: list[Fraction]) -> list[Fraction]:
    """x with matrix·x = rhs, exactly (a small invertible matrix)."""
    k = len(rhs)
    a = [list(row) + [value] for row, value in zip(matrix, rhs)]
    for col in range(k):
        pivot = next(r for r in range(col, k) if a[r][col])
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(k):
            if r != col and a[r][col]:
                factor = a[r][col] / a[col][col]
                a[r] = [x - factor * y for x, y in zip(a[r], a[col])]
    return [a[r][k] / a[r][r] for r in range(k)]


@dataclass(frozen=True)
class State:
    """A basis of S_i (p_i first) and keys at which it is independent (its matrix there is invertible)."""

    basis: list[Vector]
    keys: list[int]

    def coordinates(self, vector: Vector) -> list[Fraction]:
        """The coefficients of a vector of S_i on the basis, read at `keys` (exact for every vector of the span)."""
        return _solve([[s.get(key, 0) for s in self.basis] for key in self.keys],
                      [vector.get(key, 0) for key in self.keys])


def states(trace: MethodTrace) -> list[State]:
    """S_i for every oracle point i (see the module), built backwards from p_i, p_{i+1}'s past as a displacement
    from p_i, and the rest of S_{i+1}'s past, keeping those independent of the ones before (an exact echelon form:
    its pivot keys are where the basis is invertible); a UsageError if the method does not start at x₀ or queries
    a point that uses a gradient not yet returned."""
    points, m = trace.points, len(trace.points)
    if m < 2 or points[0] != {0: 1}:
        raise UsageError("the chain formulation needs x₀ as the first of at least two oracle points")
    if any(max(point) > i for i, point in enumerate(points)):
        raise UsageError("the chain formulation needs each oracle point made of x₀ and earlier gradients")
    found = [State([points[-1]], [max(points[-1])])]
    for i in range(m - 2, -1, -1):
        past = [Vector({k: v for k, v in s.items() if k != 1 + i}) for s in found[-1].basis]
        basis, echelon = [], []
        for vector in (points[i], past[0] - points[i], *past[1:]):
            reduced = vector
            for key, row in echelon:
                if reduced.get(key):
                    reduced = reduced - (reduced[key] / row[key]) * row
            if reduced:
                basis.append(vector)
                echelon.append((max(reduced), reduced))
        found.append(State(basis, [key for key, _ in echelon]))
    return found[::-1]


def _form(x, y, scale=Fraction(1)) -> Form:
    """scale · (x yᵀ + y xᵀ)/2 (entries that are zero stay the int 0: block vectors are mostly unit vectors)."""
    k, half = len(x), exact(scale) / 2
    out = [[0] * k for _ in range(k)]
    for r in [i for i in range(k) if x[i]]:
        for c in [j for j in range(k) if y[j]]:
            value = half * x[r] * y[c]
            out[r][c] += value
            out[c][r] += value
    return tuple(map(tuple, out))


def _sum(*forms: Form) -> Form:
    k = len(forms[0])
    return tuple(tuple(sum(f[r][c] for f in forms) for c in range(k)) for r in range(k))


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
    pairs with x* by point ((i, *) has d = −e_i, (*, i) has d = +e_i), the bound on tr(Y_i) the rows imply, each
    block's size, and for block i ≥ 1 the coordinates in block i−1 of the vectors it shares with it (its first
    ones; its last, u_{i+1}, is its own)."""

    rows: list[Row]
    equalities: list[tuple[int, Form, Form]]
    to_star: dict[int, int]
    from_star: dict[int, int]
    trace_bound: list[Fraction]
    sizes: list[int]
    shared: list[list[tuple[Fraction, ...]]]


def _norm_bounds(coordinates: list[list[list[Fraction]]], curvature: Fraction, radius: Fraction
                 ) -> list[list[Fraction]]:
    """Upper bounds on ‖s‖² for every state vector s of every step, implied by the rows: ‖x₀‖² ≤ R²; the pairs
    (i, *), (*, i) give ⟨u_i, p_i⟩ ≥ 2c‖u_i‖² and ‖u_i‖ ≤ ‖p_i‖/(2c) (c the curvature). A state vector of step i+1
    is a p_i + b u_i (GD): ‖a p + b u‖² ≤ a²‖p‖² + max(0, 2ab·2c + b²)‖u‖² when ab ≤ 0, and ≤ (|a| + |b|/(2c))²‖p‖²
    in general; or Σ a_r s_r + b u_i: ‖·‖² ≤ (Σ|a_r| + |b|)(Σ|a_r|‖s_r‖² + |b|‖u_i‖²) (Cauchy–Schwarz)."""
    kappa, found = 2 * curvature, [[radius**2]]
    for step in coordinates:  # step i: the coordinates of S_{i+1}'s basis over (S_i's basis, u_i)
        bounds, gradient = found[-1], found[-1][0] / kappa**2
        following = []
        for *a, b in step:
            if all(v == 0 for v in a[1:]):
                a = a[0]
                growth = a * a + max(Fraction(0), 2 * a * b * kappa + b * b) / kappa**2 if a * b <= 0 else \
                    (abs(a) + abs(b) / kappa) ** 2
                following.append(bounds[0] * growth)
            else:
                weight = sum(abs(v) for v in a) + abs(b)
                following.append(weight * (sum(abs(v) * q for v, q in zip(a, bounds)) + abs(b) * gradient))
        found.append(following)
    return found


def chain_rows(trace: MethodTrace, function_class, radius) -> ChainRows:
    """The rows of the chain formulation (see the module), in exact rationals."""
    if function_class.extra(trace):
        raise UsageError("the chain formulation is for smooth classes (no rows beyond interpolation)")
    state, m = states(trace), len(trace.points)
    curvature, mu, radius = exact(function_class.curvature), exact(function_class.mu), exact(radius)
    rows, to_star, from_star, equalities, sizes, shared, steps = [], {}, {}, [], [], [], []

    def pairs_with_star(block, point, position, gradient):
        to_star[point] = len(rows)  # (point, *): F* − F_point + c‖u‖² ≤ 0
        rows.append(Row(block, _form(gradient, gradient, curvature), {point: -Fraction(1)}))
        from_star[point] = len(rows)  # (*, point): F_point − F* − ⟨u, p⟩ + c‖u‖² ≤ 0
        rows.append(Row(block, _sum(_form(gradient, position, -1), _form(gradient, gradient, curvature)),
                        {point: Fraction(1)}))

    positions = {}
    for i in range(m - 1):
        r = len(state[i].basis)
        k = r + 2
        unit = [tuple(int(a == b) for b in range(k)) for a in range(k)]
        u, u_next = unit[r], unit[r + 1]

        def local(vector, i=i):
            """A vector of span(S_i, u_i) in block i's coordinates."""
            head = Vector({key: v for key, v in vector.items() if key != 1 + i})
            return (*state[i].coordinates(head), vector.get(1 + i, 0), 0)

        p = local(trace.points[i])
        p_next = local(trace.points[i + 1])
        following = [local(s) for s in state[i + 1].basis]
        steps.append([list(c[:r + 1]) for c in following])
        positions[i], positions[i + 1] = (i, p), (i, p_next)
        sizes.append(k)
        for first, g_first, second, g_second, fi, fj in ((p, u, p_next, u_next, i, i + 1),
                                                         (p_next, u_next, p, u, i + 1, i)):
            # F_i ≥ F_j + ⟨u_j, p_i − p_j⟩ + c‖u_i − u_j‖² (i = first, j = second), as a row ≤ 0
            difference = tuple(x - y for x, y in zip(first, second))
            gap = tuple(x - y for x, y in zip(g_first, g_second))
            rows.append(Row(i, _sum(_form(g_second, difference), _form(gap, gap, curvature)),
                            {fj: Fraction(1), fi: -Fraction(1)}))
        pairs_with_star(i, i, p, u)
        if i == m - 2:
            pairs_with_star(i, m - 1, p_next, u_next)
        else:  # block i+1 shares S_{i+1}'s basis and u_{i+1} with block i: their inner products agree
            overlap = [*following, u_next]
            shared.append(overlap)
            there = [tuple(int(a == b) for b in range(len(state[i + 1].basis) + 2)) for a in range(len(overlap))]
            for a in range(len(overlap)):
                for b in range(a, len(overlap)):
                    equalities.append((i, _form(overlap[a], overlap[b]), _form(there[a], there[b])))
    for i in trace.performance:  # t ≤ F_i + (μ/2)‖p_i‖²
        block, position = positions[i]
        rows.append(Row(block, _form(position, position, -mu / 2), {i: -Fraction(1)}, c=1))
    x0 = positions[0][1]
    rows.append(Row(0, _form(x0, x0), {}, b=radius**2))
    bounds = _norm_bounds(steps, curvature, radius)
    gradient = 1 / (2 * curvature) ** 2  # ‖u_i‖² ≤ ‖p_i‖² / (2c)², p_i the first state vector
    trace_bound = [sum(bounds[i]) + bounds[i][0] * gradient + bounds[i + 1][0] * gradient for i in range(m - 1)]
    return ChainRows(rows, equalities, to_star, from_star, trace_bound, sizes, shared)


def _flat(form: Form) -> np.ndarray:
    return np.array([float(v) for line in form for v in line])


def _psd(matrix: list[list[Fraction]]) -> bool:
    """Whether a symmetric rational matrix is PSD, exactly: every principal minor ≥ 0 at 3×3, an exact LDLᵀ
    beyond."""
    if len(matrix) != 3:
        return is_psd(matrix)
    (a, b, c), (_, d, e), (_, _, f) = matrix
    return (a >= 0 and d >= 0 and f >= 0 and a * d - b * b >= 0 and a * f - c * c >= 0 and d * f - e * e >= 0
            and a * (d * f - e * e) - b * (b * f - e * c) + c * (b * e - d * c) >= 0)


def _schur(matrix: list[list[Fraction]], private: list[int]) -> list[list[Fraction]] | None:
    """The Schur complement of `matrix` on its coordinates outside `private`, exactly, eliminating the private ones
    in order; None unless every pivot is > 0 or is 0 with a zero row (then the matrix is PSD iff the complement
    is)."""
    a = [row[:] for row in matrix]
    k = len(a)
    for p in private:
        pivot = a[p][p]
        if pivot < 0 or (pivot == 0 and any(a[p][j] for j in range(k) if j != p)):
            return None
        if pivot == 0:
            continue
        for i in range(k):
            if i != p and a[i][p]:
                factor = a[i][p] / pivot
                for j in range(k):
                    if a[p][j]:
                        a[i][j] -= factor * a[p][j]
    keep = [i for i in range(k) if i not in private]
    return [[a[i][j] for j in keep] for i in keep]


def _rounded_down(matrix: list[list[Fraction]]) -> list[list[Fraction]]:
    """C' ⪯ C with entries of denominator TRANSFER: C rounded, minus (size/TRANSFER)·I — C − C' is diagonally
    dominant with a nonnegative diagonal (Gershgorin), so PSD."""
    size = len(matrix)
    return [[Fraction(round(v * TRANSFER), TRANSFER) - (Fraction(size, TRANSFER) if r == c else 0)
             for c, v in enumerate(row)] for r, row in enumerate(matrix)]


def eliminate(chain: ChainRows, S: list[list[list[Fraction]]]) -> Fraction | None:
    """The smallest padding p ≥ 0 of x₀'s entry of S_0 found by moving each block's Schur complement on the vectors
    it shares down the chain, last block first, or None if a pivot fails. From block i ≥ 1 the complement C_i of
    its last vector u_{i+1} (after what block i+1 handed it) is rounded down to C'_i ⪯ C_i, taken out of S_i and
    handed to block i−1 as Tᵀ C'_i T, T the shared vectors' coordinates there: S_i then keeps a PSD remainder
    (pivot > 0, complement C_i − C'_i ⪰ 0), and since the shared vectors' Gram is the same in both blocks (the
    equalities) Σ_i ⟨S_i, Y_i⟩ is unchanged on the feasible set. Block 0 eliminates u_0, u_1 and leaves x₀'s entry:
    its deficit p, paid by the initial row (‖x₀‖² ≤ R²). Then every feasible t ≤ bᵀλ + p R² — the full
    certificate's padding, carried through the chain without a trace bound."""
    carry = None
    for i in range(len(S) - 1, -1, -1):
        block = [row[:] for row in S[i]]
        if carry is not None:
            block = [[v + w for v, w in zip(row, extra)] for row, extra in zip(block, carry)]
        k = len(block)
        complement = _schur(block, [k - 1] if i else list(range(1, k)))
        if complement is None:
            return None
        if i == 0:
            return max(Fraction(0), -complement[0][0])
        handed = _rounded_down(complement)
        T = chain.shared[i - 1]
        size = len(S[i - 1])
        weighted = [[sum(handed[r][c] * T[c][b] for c in range(len(T)) if T[c][b]) for b in range(size)]
                    for r in range(len(T))]
        carry = [[sum(T[r][a] * weighted[r][b] for r in range(len(T)) if T[r][a]) for b in range(size)]
                 for a in range(size)]
    return None


def certify_chain(chain: ChainRows, multipliers, equality_multipliers) -> Fraction | None:
    """An exact upper bound on the chain PEP's optimum from the solver's dual, or None without a performance
    multiplier. For λ ≥ 0 with Σλc = 1, Σλd = 0 and any ν, every feasible (Y, F, t) has
        t ≤ bᵀλ − Σ_i ⟨S_i, Y_i⟩,   S_i = Σ_{rows of block i} λ_r A_r + Σ ν_e (left_e at i − right_e at i + 1).
    λ and ν are rounded to multiples of 10⁻¹², the performance multipliers rescaled to Σλc = 1 and Σλd = 0
    restored through the pairs with x* (as certificate.py does). The bound is bᵀλ + pR² from `eliminate` (the
    padding p of the initial row); where a pivot fails there, bᵀλ + Σ σ_i T_i: ⟨S_i, Y_i⟩ ≥ −σ_i tr(Y_i) when
    S_i + σ_i I ⪰ 0, T_i the bound on tr(Y_i) the rows imply, σ_i the float estimate of −λ_min(S_i) rounded up
    and checked exactly (doubled until it holds)."""
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
    S = [[[Fraction(0)] * k for _ in range(k)] for k in chain.sizes]

    def add(block, form, weight):
        for r, line in enumerate(form):
            for c, value in enumerate(line):
                if value:
                    S[block][r][c] += weight * value

    for r, v in lam.items():
        add(chain.rows[r].block, chain.rows[r].form, v)
    for (i, left, right), value in zip(chain.equalities, equality_multipliers):
        nu = Fraction(round(float(value) * DENOMINATOR), DENOMINATOR)
        if nu:
            add(i, left, nu)
            add(i + 1, right, -nu)
    bound = sum(v * chain.rows[r].b for r, v in lam.items())
    padding = eliminate(chain, S)
    if padding is not None:
        return bound + padding * chain.rows[-1].b
    for i, block in enumerate(S):
        lowest = float(np.linalg.eigvalsh(np.array(block, dtype=float)).min())
        sigma = Fraction(0) if lowest >= 0 else Fraction(-lowest) * 2 + Fraction(1, 10**30)
        while not _psd([[block[r][c] + (sigma if r == c else 0) for c in range(len(block))]
                        for r in range(len(block))]):
            sigma = max(2 * sigma, Fraction(1, 10**30))
        bound += sigma * chain.trace_bound[i]
    return bound


def _conic(chain: ChainRows, m: int):
    """Clarabel's form of the chain SDP on x = (each block's triangle, F, t): (q, A, b, cones, block offsets)."""
    offsets = np.concatenate([[0], np.cumsum([k * (k + 1) // 2 for k in chain.sizes])]).astype(int)
    size = int(offsets[-1])
    maps = {k: triangle(k) for k in set(chain.sizes)}

    def placed(block, form):
        return offsets[block], _flat(form) @ maps[chain.sizes[block]]

    entries = []  # (row, column, value)

    def put(row, block, form, sign=1.0):
        start, values = placed(block, form)
        nonzero = np.flatnonzero(values)
        entries.extend((row, start + j, sign * values[j]) for j in nonzero)

    for e, (i, left, right) in enumerate(chain.equalities):
        put(e, i, left)
        put(e, i + 1, right, -1.0)
    first = len(chain.equalities)
    for r, row in enumerate(chain.rows):
        put(first + r, row.block, row.form)
        entries.extend((first + r, size + i, float(v)) for i, v in row.d.items())
        if row.c:
            entries.append((first + r, size + m, float(row.c)))
    psd_row = first + len(chain.rows)
    for block, k in enumerate(chain.sizes):
        scale = psd_scale(k)
        entries.extend((psd_row + offsets[block] + j, offsets[block] + j, -scale[j]) for j in range(len(scale)))
    rows, columns, values = zip(*entries)
    A = sparse.csc_matrix((values, (rows, columns)), shape=(psd_row + size, size + m + 1))
    b = np.concatenate([np.zeros(first), [float(row.b) for row in chain.rows], np.zeros(size)])
    q = np.zeros(size + m + 1)
    q[-1] = -1.0
    cones = ([clarabel.ZeroConeT(first)] if first else []) + [clarabel.NonnegativeConeT(len(chain.rows))] + \
        [clarabel.PSDTriangleConeT(k) for k in chain.sizes]
    return q, A, b, cones, offsets


def solve_chain(trace: MethodTrace, function_class, radius=1) -> dict:
    """Worst case of the chain formulation (see the module), by Clarabel's own API: {"worst_case", "status",
    "exact_bound" (a Fraction proved ≥ the relaxation's optimum, or None), "seconds"}."""
    start = time.perf_counter()
    chain = chain_rows(trace, function_class, radius)
    q, A, b, cones, _ = _conic(chain, len(trace.points))
    found = conic(q, A, b, cones, TIGHT)
    if found.status == "solver_error":  # the tight tolerances can stall Clarabel (gd, step 1/10, N = 1): its defaults
        found = conic(q, A, b, cones, {})
    require_solved(found.status)
    first = len(chain.equalities)
    nu, lam = found.z[:first], found.z[first:first + len(chain.rows)]
    bound = certify_chain(chain, lam, nu)
    return {"worst_case": -found.objective, "status": found.status, "exact_bound": bound,
            "seconds": time.perf_counter() - start}
