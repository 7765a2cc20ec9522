"""Exact positive-semidefiniteness over ℚ on python-flint: the PSD test, the Schur padding and the deficit σ.

All three are exact decisions about a symmetric rational matrix S (an fmpq_mat, or rows of Fractions):
- `schur_pad(S)`: the smallest p ≥ 0 with S + p·e₀e₀ᵀ ⪰ 0, or None if no p does;
- `is_psd(S)`: whether S ⪰ 0;
- `deficit(S)`: a σ > 0 with S + σI ⪰ 0, checked exactly.
Method: an LDLᵀ without pivoting (row 0 last for the padding) decides them: S ⪰ 0 iff no pivot is negative and every
zero pivot has a zero row behind it (a PSD matrix with a zero diagonal entry has that row zero; Schur complements
of PSD matrices are PSD; conversely S = LDLᵀ with D ≥ 0). Eliminating rows 1 … n−1 first leaves the last Schur
complement s = S₀₀ − s₀ᵀS₁₁⁺s₀, and S + p·e₀e₀ᵀ ⪰ 0 iff the eliminations pass and s + p ≥ 0: the padding is
max(0, −s). The pivots are found by blocks: those of [[A, B], [Bᵀ, C]] are A's, then those of C − BᵀA⁻¹B, with
A⁻¹B by flint's exact solve (fmpq_mat.solve), pivot by pivot below BLOCK rows. That needs A invertible, which
holds while every pivot is positive; at the first zero pivot the whole matrix is eliminated pivot by pivot under
the zero-row rule instead (the same decision, slower).
"""
import math
from fractions import Fraction

import numpy as np
from flint import fmpq, fmpq_mat

BLOCK = 12  # blocks of at most this many rows are eliminated pivot by pivot
SIGMA_UNIT = 10**15  # σ is a multiple of 10⁻¹⁵: a small denominator keeps S + σI cheap to factor exactly
SIGMA_TRIES = 20  # σ tried at most this often, ×10 each time (1e-15 … 1e4 if the float estimate is 0)
POSITIVE, NEGATIVE, ZERO = 1, -1, 0  # the first pivot that is not positive: none, negative, zero


def matrix(rows) -> fmpq_mat:
    """An fmpq_mat from an fmpq_mat or from rows of Fractions or integers (copied)."""
    if isinstance(rows, fmpq_mat):
        return fmpq_mat(rows)
    n = len(rows)
    return fmpq_mat(n, len(rows[0]) if n else 0, [_fmpq(v) for row in rows for v in row])


def _fmpq(value) -> fmpq:
    value = Fraction(value)
    return fmpq(value.numerator, value.denominator)


def fraction(value: fmpq) -> Fraction:
    """An fmpq as a Fraction."""
    return Fraction(int(value.p), int(value.q))


def _block(S: fmpq_mat, rows: range, cols: range) -> fmpq_mat:
    return fmpq_mat(len(rows), len(cols), [S[r, c] for r in rows for c in cols])


def _update(a: list[list[fmpq]], k: int) -> None:
    """One pivot's step, in place: rows below k minus their multiple of row k (k's Schur complement below)."""
    pivot, row_k = a[k][k], a[k]
    for i in range(k + 1, len(a)):
        factor = a[i][k] / pivot
        if factor != 0:
            row_i = a[i]
            for j in range(k + 1, len(a)):
                row_i[j] -= factor * row_k[j]


def _pivots(S: fmpq_mat) -> int:
    """The first pivot of S's LDLᵀ without pivoting that is not positive: POSITIVE if none (S ≻ 0), else whether it
    is NEGATIVE or ZERO."""
    n = S.nrows()
    if n <= BLOCK:
        a = [[S[r, c] for c in range(n)] for r in range(n)]
        for k in range(n):
            pivot = a[k][k]
            if pivot <= 0:
                return NEGATIVE if pivot < 0 else ZERO
            _update(a, k)
        return POSITIVE
    half = n // 2
    A = _block(S, range(half), range(half))
    state = _pivots(A)
    if state != POSITIVE:
        return state
    B = _block(S, range(half), range(half, n))
    return _pivots(_block(S, range(half, n), range(half, n)) - B.transpose() * A.solve(B))


def _one_by_one(S: fmpq_mat, eliminate: int) -> fmpq | None:
    """Eliminate rows 0 … eliminate−1 pivot by pivot under the zero-row rule (a zero pivot's row must be zero, then
    it is skipped); None at a negative pivot or a zero pivot with a non-zero row, else the last diagonal entry left."""
    n = S.nrows()
    a = [[S[r, c] for c in range(n)] for r in range(n)]
    for k in range(eliminate):
        pivot = a[k][k]
        if pivot < 0:
            return None
        if pivot == 0:
            if any(a[k][j] != 0 for j in range(k + 1, n)):
                return None
            continue
        _update(a, k)
    return a[n - 1][n - 1]


def schur_pad(S) -> Fraction | None:
    """The smallest p ≥ 0 with S + p·e₀e₀ᵀ ⪰ 0, exactly, or None if no p makes it PSD (see the module)."""
    S = matrix(S)
    n = S.nrows()
    order = [*range(1, n), 0]
    P = fmpq_mat(n, n, [S[r, c] for r in order for c in order])
    head = _block(P, range(n - 1), range(n - 1))
    state = _pivots(head) if n > 1 else POSITIVE
    if state == NEGATIVE:
        return None
    if state == POSITIVE:
        coupling = _block(P, range(n - 1), range(n - 1, n))
        last = P[n - 1, n - 1] - ((coupling.transpose() * head.solve(coupling))[0, 0] if n > 1 else 0)
    else:
        last = _one_by_one(P, n - 1)
        if last is None:
            return None
    return Fraction(0) if last >= 0 else fraction(-last)


def is_psd(S) -> bool:
    """Whether the symmetric rational matrix S is PSD, exactly."""
    S = matrix(S)
    state = _pivots(S)
    if state != ZERO:
        return state == POSITIVE
    return _one_by_one(S, S.nrows()) is not None


def shifted(S, shift) -> fmpq_mat:
    """S + shift·I, exactly."""
    S = matrix(S)
    shift = _fmpq(shift)
    for k in range(S.nrows()):
        S[k, k] += shift
    return S


def to_float(S) -> np.ndarray:
    """S in floats (each entry its nearest double)."""
    S = matrix(S)
    return np.array([[float(fraction(S[r, c])) for c in range(S.ncols())] for r in range(S.nrows())])


def deficit(S) -> Fraction | None:
    """A σ > 0 with S + σI ⪰ 0, checked exactly: twice the float estimate of −λ_min, rounded up to a multiple of
    1/SIGMA_UNIT, plus 1/SIGMA_UNIT, times 10 until the exact check passes (None after SIGMA_TRIES)."""
    S = matrix(S)
    lowest = float(np.linalg.eigvalsh(to_float(S)).min())
    sigma = Fraction(math.ceil(max(-lowest, 0.0) * 2 * SIGMA_UNIT) + 1, SIGMA_UNIT)
    for _ in range(SIGMA_TRIES):
        if is_psd(shifted(S, sigma)):
            return sigma
        sigma *= 10
    return None
