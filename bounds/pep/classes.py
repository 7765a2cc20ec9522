"""Function classes as interpolation conditions: rows ⟨A, G⟩ + dᵀF ≤ b on the Gram matrix G of the basis
[x₀ − x*, u₀, …] and the values F (CLASSICAL: Taylor, Hendrickx, Glineur 2017, Thms 4 and 6 — tight: a
finite set of triples is interpolable by the class iff these hold between all ordered pairs, x* included).

Pairs are (i, j) over the nodes −1 (x*: x* = 0, u* = 0, f* = 0) and the oracle points 0 … m−1; the interpolation
row of (i, j) reads F_j − F_i + ⟨u_j, x_i − x_j⟩ + c‖u_i − u_j‖² ≤ 0. Each class gives these rows twice: as one
sparse matrix over vec(G) for the SDP (vectorised, floats), and summed with exact rational weights (python-flint
matrices) for a certificate.
"""
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import scipy.sparse as sparse
from flint import fmpq, fmpq_mat

from pplimits.bounds.pep.trace import MethodTrace, Vector, exact

STAR = -1


def pairs(points: int) -> tuple[np.ndarray, np.ndarray]:
    """All ordered pairs i ≠ j of the nodes −1 (x*), 0 … points−1."""
    nodes = np.arange(-1, points)
    i, j = np.meshgrid(nodes, nodes, indexing="ij")
    keep = i != j
    return i[keep], j[keep]


def interpolation_rows(X: np.ndarray, I, J, curvature: float):
    """Sparse (rows × n²) matrix of ⟨u_j, x_i − x_j⟩ + curvature·‖u_i − u_j‖² over vec(G) (row-major), and the
    (rows × m) matrix d of F_j − F_i. X: (m + 1, n) float coordinates of x* (row 0) and the points."""
    n, m, p = X.shape[1], X.shape[0] - 1, len(I)
    difference = X[I + 1] - X[J + 1]  # x_i − x_j
    rows, cols = np.nonzero((difference != 0) & (J >= 0)[:, None])
    a = J[rows] + 1  # u_j is basis vector 1 + j
    entries = [(rows, a * n + cols, 0.5 * difference[rows, cols]), (rows, cols * n + a, 0.5 * difference[rows, cols])]
    if curvature:
        for (s, t, sign) in ((I, I, 1), (J, J, 1), (I, J, -1), (J, I, -1)):
            live = (s >= 0) & (t >= 0)
            index = np.flatnonzero(live)
            entries.append((index, (s[live] + 1) * n + (t[live] + 1), np.full(len(index), sign * curvature)))
    r, c, v = (np.concatenate(parts) for parts in zip(*entries))
    A = sparse.csr_matrix((v, (r, c)), shape=(p, n * n))
    d_rows = np.concatenate([np.flatnonzero(J >= 0), np.flatnonzero(I >= 0)])
    d_cols = np.concatenate([J[J >= 0], I[I >= 0]])
    d_vals = np.concatenate([np.ones((J >= 0).sum()), -np.ones((I >= 0).sum())])
    D = sparse.csr_matrix((d_vals, (d_rows, d_cols)), shape=(p, m))
    return A, D


def _outer(a: Vector, b: Vector, scale, out: dict) -> None:
    """out += scale·sym(a bᵀ) (both halves), exactly, in place."""
    half = exact(scale) / 2
    for k, u in a.items():
        for l, v in b.items():
            out[(k, l)] = out.get((k, l), 0) + half * u * v
            out[(l, k)] = out.get((l, k), 0) + half * u * v


def exact_points(trace: MethodTrace) -> fmpq_mat:
    """The (m + 1) × n matrix of x* (row 0: zero) and the oracle points in the basis, exactly."""
    m, n = len(trace.points), trace.dimension
    X = fmpq_mat(m + 1, n)
    for i, point in enumerate(trace.points):
        for k, v in point.items():
            X[1 + i, k] = fmpq(v.numerator, v.denominator)
    return X


def exact_interpolation(trace: MethodTrace, weights: fmpq_mat, curvature: Fraction) -> fmpq_mat:
    """Σ λ_ij A_ij over the interpolation rows (i, j), exactly, for λ_ij = weights[1 + i, 1 + j] (x* at index 0):
    the row (i, j) has A_ij = sym(u_j (x_i − x_j)ᵀ) + c(u_i − u_j)(u_i − u_j)ᵀ, and u_j is basis vector 1 + j, so
        Σ λ_ij sym(u_j (x_i − x_j)ᵀ) = sym(W),  W = (Λ − diag(Λᵀ1))ᵀ X with row 0 (u* = 0) cleared,
        Σ λ_ij (u_i − u_j)(u_i − u_j)ᵀ = diag(Λ1 + Λᵀ1) − Λ − Λᵀ with row and column 0 cleared."""
    size = weights.nrows()
    into = [sum((weights[i, j] for i in range(size)), fmpq(0)) for j in range(size)]  # Λᵀ1
    out = [sum((weights[i, j] for j in range(size)), fmpq(0)) for i in range(size)]  # Λ1
    shifted = fmpq_mat(weights)
    for j in range(size):
        shifted[j, j] -= into[j]
    W = shifted.transpose() * exact_points(trace)
    for k in range(W.ncols()):
        W[0, k] = 0
    S = (W + W.transpose()) / 2
    if curvature:
        c = fmpq(curvature.numerator, curvature.denominator)
        laplacian = weights + weights.transpose()
        for i in range(1, size):
            S[i, i] += c * (into[i] + out[i] - laplacian[i, i])
            for j in range(1, size):
                if i != j and laplacian[i, j] != 0:
                    S[i, j] -= c * laplacian[i, j]
    return S


@dataclass(frozen=True)
class SmoothStronglyConvex:
    """F_{μ,L}: L-smooth and μ-strongly convex, 0 ≤ μ < L. Interpolated through h = f − (μ/2)‖· − x*‖², which is
    (L − μ)-smooth convex: h_i ≥ h_j + ⟨u_j, x_i − x_j⟩ + ‖u_i − u_j‖²/(2(L − μ)); f_i − f* = h_i + (μ/2)‖x_i‖²."""

    L: Fraction
    mu: Fraction = Fraction(0)
    name = "smooth-strongly-convex"

    @property
    def curvature(self) -> Fraction:
        return 1 / (2 * (exact(self.L) - exact(self.mu)))

    def extra(self, trace: MethodTrace) -> list:
        """Rows beyond interpolation: none."""
        return []

    def performance(self, trace: MethodTrace, i: int) -> dict:
        """The Gram part of f(p_i) − f*: (μ/2)‖p_i − x*‖² (exact)."""
        Q = {}
        if self.mu:
            _outer(trace.points[i], trace.points[i], exact(self.mu) / 2, Q)
        return Q


@dataclass(frozen=True)
class LipschitzConvex:
    """Convex and M-Lipschitz: f_i ≥ f_j + ⟨g_j, x_i − x_j⟩ for all i ≠ j, and ‖g_i‖² ≤ M²."""

    M: Fraction
    name = "lipschitz-convex"
    curvature = Fraction(0)

    def extra(self, trace: MethodTrace) -> list:
        """‖u_i‖² ≤ M², one row (A, d, b) per oracle point."""
        return [({(1 + i, 1 + i): Fraction(1)}, {}, exact(self.M) ** 2) for i in range(len(trace.points))]

    def performance(self, trace: MethodTrace, i: int) -> dict:
        return {}
