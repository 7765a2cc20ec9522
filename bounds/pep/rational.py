"""Exact positive-semidefiniteness over ℚ on python-flint: the PSD test, the Schur padding and the deficit σ.

All three are exact decisions about a symmetric rational matrix S (an fmpq_mat, or rows of Fractions):
- `schur_pad(S)`: the smallest p ≥ 0 with S + p·e₀e₀ᵀ ⪰ 0, or None if no p does;
- `is_psd(S)`: whether S ⪰ 0;
- `deficit(S)`: a σ > 0 with S + σI ⪰ 0, checked exactly.
Method: an LDLᵀ without pivoting (row 0 last for the padding) decides them: S ⪰ 0 iff no pivot is negative and every
zero pivot has a zero row behind it (a PSD matrix with a zero diagonal entry has that row zero; Schur complements
of PSD matrices are PSD; conversely S = LDLᵀ with D ≥ 0). Eliminating rows 1 … n−1 first leaves the last Schur
complement s = S₀₀ − s₀ᵀS₁₁⁺s₀, and S + p·e₀e₀ᵀ ⪰ 0 iff the eliminations pass and s + p ≥ 0: the padding is
max(0, −s). The k-th pivot is Δ_k/Δ_{k−1}, Δ_k the leading principal minors, so two ways find them:
- small entries (S = M/d with M an integer matrix of entries below 2^INTEGER_BITS: GD's duals): flint's
  fraction-free LU of M (fmpz_mat.fflu, Bareiss), whose pivots are the Δ_k(M) while no row exchange is needed;
- large entries (AGD's points carry thousands of bits): by blocks, the pivots of [[A, B], [Bᵀ, C]] being A's, then
  those of C − BᵀA⁻¹B, with A⁻¹B by flint's exact fraction-free solve (fmpq_mat.solve), pivot by pivot below BLOCK
  rows (Bareiss' minors of M would grow like n times the entries' bits; the rational Schur complements stay smaller).
Both need every pivot before the one looked at non-zero; at the first zero pivot the whole matrix is eliminated
pivot by pivot under the zero-row rule instead (the same decision, slower).
"""
import math
from fractions import Fraction

import numpy as np
from flint import fmpq, fmpq_mat, fmpz_mat

BLOCK = 12  # blocks of at most this many rows are eliminated pivot by pivot
INTEGER_BITS = 256  # S = M/d with M's entries below 2^INTEGER_BITS: Bareiss on M, else rational blocks
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


def _integer(S: fmpq_mat) -> tuple[fmpz_mat, fmpq] | None:
    """(M, d) with S = M/d, M an integer matrix, if M's entries are below 2^INTEGER_BITS; else None."""
    M, d = S.numer_denom()
    return (M, d) if all(abs(int(v)).bit_length() <= INTEGER_BITS for v in M.entries()) else None


def _minors(M: fmpz_mat, count: int) -> tuple[int, fmpq | None]:
    """(state of the first `count` pivots of M's LDLᵀ, the last pivot Δ_n/Δ_{n−1} if POSITIVE) by flint's
    fraction-free LU: its k-th diagonal entry is Δ_k(M) as long as no row was exchanged (fflu exchanges rows only at
    a zero pivot)."""
    P, _, _, U = M.fflu()
    for k in range(count):
        if P[k, k] != 1 or U[k, k] == 0:
            return ZERO, None
        if U[k, k] < 0:
            return NEGATIVE, None
    n = M.nrows()
    return POSITIVE, fmpq(U[n - 1, n - 1], U[n - 2, n - 2] if n > 1 else 1)


def _pivots(S: fmpq_mat) -> int:
    """The first pivot of S's LDLᵀ without pivoting that is not positive: POSITIVE if none (S ≻ 0), else whether it
    is NEGATIVE or ZERO."""
    n = S.nrows()
    integer = _integer(S)
    if integer is not None:
        return _minors(integer[0], n)[0]
    return _blocks(S)


def _solve(A: fmpq_mat, B: fmpq_mat) -> fmpq_mat:
    """A⁻¹B exactly, by fraction-free LU: flint's default (p-adic lifting to the Hadamard bound) took 45 s against
    4.9 s for AGD's S at N = 100."""
    return A.solve(B, algorithm="fflu")


def _blocks(S: fmpq_mat) -> int:
    """_pivots by blocks (see the module)."""
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
    state = _blocks(A)
    if state != POSITIVE:
        return state
    B = _block(S, range(half), range(half, n))
    return _blocks(_block(S, range(half, n), range(half, n)) - B.transpose() * _solve(A, B))


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
    integer = _integer(P)
    if integer is not None:
        state, last = _minors(integer[0], n - 1)
        if state == POSITIVE:
            last /= integer[1]
    else:
        head = _block(P, range(n - 1), range(n - 1))
        state = _blocks(head) if n > 1 else POSITIVE
        if state == POSITIVE:
            coupling = _block(P, range(n - 1), range(n - 1, n))
            last = P[n - 1, n - 1] - ((coupling.transpose() * _solve(head, coupling))[0, 0] if n > 1 else 0)
    if state == NEGATIVE:
        return None
    if state == ZERO:
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
