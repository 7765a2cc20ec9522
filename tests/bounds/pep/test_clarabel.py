"""The PEP handed to Clarabel in its own form (bounds/pep/sdp.py) against the same rows modelled in cvxpy and
canonicalised by it (the path it replaced): the same worst case and multipliers to the bit (same problem, same
variable order), the same dual S, on every built-in method and class, N = 1 … 10; and the PSD-triangle scaling
checked against a hand example."""
import math
import warnings
from fractions import Fraction

import clarabel
import cvxpy as cp
import numpy as np
import pytest

from pplimits.bounds.pep import sdp
from pplimits.bounds.pep.classes import LipschitzConvex, SmoothStronglyConvex
from pplimits.bounds.pep.methods import trace

CASES = {
    "gd": lambda n: (trace("gd", n, step=Fraction(1)), SmoothStronglyConvex(Fraction(1))),
    "gd-long-step": lambda n: (trace("gd", n, step=Fraction(3, 2)), SmoothStronglyConvex(Fraction(1))),
    "agd": lambda n: (trace("agd", n, L=Fraction(1)), SmoothStronglyConvex(Fraction(1))),
    "subgradient": lambda n: (trace("subgradient", n, step=Fraction(1, 3)), LipschitzConvex(Fraction(1))),
    "stale-gd": lambda n: (trace("stale-gd", n, step=Fraction(1, 2), staleness=min(1, n - 1)),
                           SmoothStronglyConvex(Fraction(1))),
    "gd-strongly-convex": lambda n: (trace("gd", n, mu=Fraction(1, 10), step=Fraction(1)),
                                     SmoothStronglyConvex(Fraction(1), Fraction(1, 10))),
    "agd-strongly-convex": lambda n: (trace("agd", n, mu=Fraction(1, 10), L=Fraction(1)),
                                      SmoothStronglyConvex(Fraction(1), Fraction(1, 10))),
}


def cvxpy_reference(traced, function_class, radius=1.0):
    """The same rows as one cvxpy problem (G symmetric, G ⪰ 0), canonicalised by cvxpy for Clarabel."""
    rows = sdp.assemble(traced, function_class, radius)
    n, m = traced.dimension, len(traced.points)
    G, F, t = cp.Variable((n, n), symmetric=True), cp.Variable(m), cp.Variable()
    inequalities = rows.A @ cp.vec(G, order="C") + rows.D @ F + rows.c * t <= rows.b
    psd = G >> 0
    problem = cp.Problem(cp.Maximize(t), [inequalities, psd])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        problem.solve(solver="CLARABEL", **sdp.SETTINGS)
    S = np.asarray(psd.dual_value, dtype=float)
    return problem.status, float(problem.value), np.asarray(inequalities.dual_value, dtype=float), (S + S.T) / 2


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("n", [1, 2, 3, 5, 10])
def test_clarabel_direct_equals_the_cvxpy_model(case, n):
    traced, function_class = CASES[case](n)
    ours = sdp.solve(traced, function_class)
    status, value, multipliers, S = cvxpy_reference(traced, function_class)
    assert ours.status == status and status in ("optimal", "optimal_inaccurate")
    # the same problem in the same variable order (t, G's triangle by rows, F): Clarabel takes the same steps
    assert ours.worst_case == value and np.array_equal(ours.multipliers, multipliers)
    # S read back from Clarabel's scaled triangle is Σλ_p A_p (dual feasibility) and cvxpy's S
    rows, lam = ours.rows, ours.multipliers
    weighted = (rows.A.T @ lam).reshape(traced.dimension, traced.dimension)
    lowest = float(np.linalg.eigvalsh((weighted + weighted.T) / 2).min())
    assert ours.min_eig_S == pytest.approx(lowest, abs=1e-7)
    assert ours.min_eig_S == pytest.approx(float(np.linalg.eigvalsh(S).min()), abs=1e-12)


def test_the_psd_triangle_is_column_ordered_and_scaled_by_root_two():
    """Hand example: minimise ⟨C, X⟩ over X ⪰ 0, tr X = 1 is λ_min(C); for C = [[2, 1], [1, 2]] that is 1 at
    X = [[1, −1], [−1, 1]]/2. Clarabel's triangle of X is (X₀₀, √2·X₀₁, X₁₁): the conic form built with
    `triangle` and `psd_scale` must give that X back through `unpack`."""
    n = 2
    C = np.array([[2.0, 1.0], [1.0, 2.0]])
    q = C.reshape(-1) @ sdp.triangle(n)  # ⟨C, X⟩ on the triangle (off-diagonal counted twice)
    assert list(q) == [2.0, 2.0, 2.0]
    trace_row = np.eye(n).reshape(1, -1) @ sdp.triangle(n)
    A = np.vstack([trace_row, -np.diag(sdp.psd_scale(n))])
    found = sdp.conic(q, A, np.array([1.0, 0, 0, 0]), [clarabel.ZeroConeT(1), clarabel.PSDTriangleConeT(n)],
                      sdp.SETTINGS)
    assert found.status == "optimal" and found.objective == pytest.approx(1.0, abs=1e-8)
    X = sdp.unpack(found.x, n, scaled=False)
    assert np.allclose(X, [[0.5, -0.5], [-0.5, 0.5]], atol=1e-7)
    assert list(sdp.psd_scale(3)) == [1, math.sqrt(2), 1, math.sqrt(2), math.sqrt(2), 1]
    assert np.allclose(sdp.unpack(np.array([1, 2 * math.sqrt(2), 3]), 2, scaled=True), [[1, 2], [2, 3]])
