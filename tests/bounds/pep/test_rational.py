"""The exact PSD test, Schur padding and deficit on python-flint (bounds/pep/rational.py) against a plain-Fraction
reference written here: symmetric elimination with diagonal pivoting (the largest diagonal entry first), a different
algorithm from the module's LDLᵀ without pivoting, each of its two ways (Bareiss on integers, rational blocks)
forced in turn. Matrices: PSD of full rank, PSD and singular, barely indefinite (−10⁻³⁰ along a null vector), with
zero rows, small and larger than a block."""
import random
from fractions import Fraction

import pytest

from pplimits.bounds.pep import rational
from pplimits.bounds.pep.rational import BLOCK, deficit, is_psd, schur_pad

TINY = Fraction(1, 10**30)


def reference_psd(matrix) -> bool:
    """PSD iff, eliminating the largest diagonal entry each time, it is never negative, and once it is zero
    everything left is zero."""
    a = [[Fraction(v) for v in row] for row in matrix]
    while a:
        k = max(range(len(a)), key=lambda i: a[i][i])
        pivot = a[k][k]
        if pivot < 0:
            return False
        if pivot == 0:
            return all(v == 0 for row in a for v in row)
        rest = [i for i in range(len(a)) if i != k]
        a = [[a[i][j] - a[i][k] * a[k][j] / pivot for j in rest] for i in rest]
    return True


def padded(matrix, p):
    return [[v + (p if r == c == 0 else 0) for c, v in enumerate(row)] for r, row in enumerate(matrix)]


def gram(rng, n, rank):
    """Bᵀ diag(w) B with B = [I_rank | C] (rows permuted into random positions), w > 0: PSD of rank `rank`; and a
    null vector v (Bv = 0) when rank < n."""
    C = [[Fraction(rng.randint(-4, 4), rng.randint(1, 3)) for _ in range(n - rank)] for _ in range(rank)]
    B = [[Fraction(int(i == j)) for j in range(rank)] + C[i] for i in range(rank)]
    w = [Fraction(rng.randint(1, 9), rng.randint(1, 7)) for _ in range(rank)]
    S = [[sum(w[k] * B[k][r] * B[k][c] for k in range(rank)) for c in range(n)] for r in range(n)]
    v = [-C[i][0] for i in range(rank)] + [Fraction(int(j == 0)) for j in range(n - rank)] if rank < n else None
    order = list(range(n))
    rng.shuffle(order)
    return [[S[r][c] for c in order] for r in order], None if v is None else [v[i] for i in order]


def with_zero_row(matrix, at):
    n = len(matrix)
    rows = [row[:at] + [Fraction(0)] + row[at:] for row in matrix]
    return rows[:at] + [[Fraction(0)] * (n + 1)] + rows[at:]


def cases():
    rng = random.Random(16)
    found = []
    for n in (1, 2, 3, 5, 8, BLOCK + 3, 2 * BLOCK + 5, 40):
        for rank in sorted({n, max(n - 1, 1), max(n // 2, 1)}):
            S, v = gram(rng, n, rank)
            found.append((f"psd n={n} rank={rank}", S))
            if v is not None:
                bad = [[S[r][c] - TINY * v[r] * v[c] for c in range(n)] for r in range(n)]
                found.append((f"barely indefinite n={n} rank={rank}", bad))
            found.append((f"zero row n={n + 1} rank={rank}", with_zero_row(S, rng.randrange(n + 1))))
            shifted = [[S[r][c] - (Fraction(1, 2) if r == c == n - 1 else 0) for c in range(n)] for r in range(n)]
            found.append((f"shifted n={n} rank={rank}", shifted))
    return found


CASES = cases()


@pytest.fixture(params=["integers", "blocks"])
def way(request, monkeypatch):
    """Force Bareiss on the integer matrix (every entry small enough) or the rational blocks (none is)."""
    monkeypatch.setattr(rational, "INTEGER_BITS", 10**9 if request.param == "integers" else -1)
    return request.param


@pytest.mark.parametrize("name, matrix", CASES, ids=[name for name, _ in CASES])
def test_the_psd_test_agrees_with_the_reference(name, matrix, way):
    assert is_psd(matrix) == reference_psd(matrix)


def test_the_cases_hold_both_answers_and_reach_the_blocks():
    answers = {(reference_psd(m), len(m) > BLOCK) for _, m in CASES}
    assert answers == {(True, True), (True, False), (False, True), (False, False)}


@pytest.mark.parametrize("name, matrix", CASES, ids=[name for name, _ in CASES])
def test_the_padding_is_the_smallest_that_makes_the_matrix_psd(name, matrix, way):
    """schur_pad gives p with S + p·e₀e₀ᵀ ⪰ 0 and S + (p − 10⁻³⁰)·e₀e₀ᵀ not (p > 0), or None where even 10⁴⁰ fails
    (every case's entries are small: a padding that exists is far below it)."""
    p = schur_pad(matrix)
    if p is None:
        assert not reference_psd(padded(matrix, Fraction(10**40)))
        return
    assert p >= 0 and reference_psd(padded(matrix, p))
    if p > 0:
        assert not reference_psd(padded(matrix, p - TINY))


def test_the_padding_of_a_known_matrix(way):
    """[[0, 1], [1, 1]] needs p = 1; [[0, 1, 0], [1, 2, 1], [0, 1, 1]] needs p = 1 (its Schur complement of the
    lower block [[2, 1], [1, 1]] is 0 − [1, 0]·[[1, −1], [−1, 2]]·[1, 0]ᵀ = −1)."""
    assert schur_pad([[0, 1], [1, 1]]) == 1
    assert schur_pad([[0, 1, 0], [1, 2, 1], [0, 1, 1]]) == 1
    assert schur_pad([[3]]) == 0 and schur_pad([[-3]]) == 3


@pytest.mark.parametrize("name, matrix", [c for c in CASES if len(c[1]) <= 2 * BLOCK + 5],
                         ids=[name for name, m in CASES if len(m) <= 2 * BLOCK + 5])
def test_the_deficit_makes_the_matrix_psd(name, matrix, way):
    sigma = deficit(matrix)
    assert sigma is not None and sigma > 0
    assert reference_psd([[v + (sigma if r == c else 0) for c, v in enumerate(row)] for r, row in enumerate(matrix)])


def test_a_zero_pivot_with_a_non_zero_row_is_not_psd_in_a_block(way):
    """A zero diagonal entry with a non-zero entry in its row, deep in a matrix larger than a block: not PSD, and no
    padding of e₀ helps (the zero pivot is not row 0)."""
    n = 2 * BLOCK + 2
    S = [[Fraction(int(r == c)) for c in range(n)] for r in range(n)]
    S[n - 3][n - 3] = Fraction(0)
    S[n - 3][n - 2] = S[n - 2][n - 3] = Fraction(1, 10**20)
    assert not reference_psd(S) and not is_psd(S) and schur_pad(S) is None


def test_each_way_is_the_one_that_decides(way, monkeypatch):
    """Guard against a vacuous comparison: the way forced is the one taken (blocks: fmpq_mat.solve; integers:
    fmpz_mat.fflu), and a matrix with entries of thousands of bits takes the blocks by default."""
    calls = []
    for name in ("_blocks", "_minors"):
        original = getattr(rational, name)
        monkeypatch.setattr(rational, name, lambda *args, f=original, name=name: calls.append(name) or f(*args))
    S, _ = gram(random.Random(1), 3 * BLOCK, 3 * BLOCK)
    assert is_psd(S) and schur_pad(S) == 0
    assert set(calls) == {"_blocks" if way == "blocks" else "_minors"}


def test_large_entries_take_the_blocks(monkeypatch):
    calls = []
    original = rational._blocks
    monkeypatch.setattr(rational, "_blocks", lambda *args: calls.append(1) or original(*args))
    S, _ = gram(random.Random(2), BLOCK + 4, BLOCK + 4)
    huge = Fraction(3**700, 2**900 + 1)  # congruence by a diagonal: PSD either way, entries of ~1,100 bits
    scaled = [[v * huge ** ((r == 0) + (c == 0)) for c, v in enumerate(row)] for r, row in enumerate(S)]
    assert is_psd(scaled) and calls
    scaled[1][1] -= S[1][1] * 2  # row 1 was not scaled: its diagonal now negative
    assert not is_psd(scaled)
