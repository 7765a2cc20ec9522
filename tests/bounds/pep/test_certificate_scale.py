"""The exact certificate beyond the old limit of N = 50: GD (step 1/β) on β-smooth convex functions, certified from
the chain formulation's dual put on the full PEP's rows (zero on the rows the chain drops: a dual of the relaxation
is a dual of the full problem). The certified bound is never below the tight worst case βR²/(4N + 2) (Drori &
Teboulle 2014, Thm 3.1; CLASSICAL), and within 10⁻⁵ of it."""
from fractions import Fraction

import numpy as np
import pytest

import pplimits.bounds.pep.chain as chain
from pplimits.bounds.pep.certificate import certify
from pplimits.bounds.pep.classes import STAR, SmoothStronglyConvex
from pplimits.bounds.pep.methods import trace
from pplimits.bounds.pep.sdp import Solution, assemble

SMOOTH = SmoothStronglyConvex(Fraction(1))


def chain_dual_solution(traced, monkeypatch) -> Solution:
    """The chain's multipliers on the full rows (the order chain_rows appends them in), its value as the claim."""
    captured = {}
    original = chain.certify_chain
    monkeypatch.setattr(chain, "certify_chain",
                        lambda rows, lam, nu: captured.update(lam=lam) or original(rows, lam, nu))
    found = chain.solve_chain(traced, SMOOTH)
    rows = assemble(traced, SMOOTH, 1.0)
    index = {kind: p for p, kind in enumerate(rows.kinds)}
    m = len(traced.points)
    kinds = [kind for i in range(m - 1) for kind in (("interpolation", i, i + 1), ("interpolation", i + 1, i),
                                                     ("interpolation", i, STAR), ("interpolation", STAR, i))]
    kinds += [("interpolation", m - 1, STAR), ("interpolation", STAR, m - 1)]
    kinds += [("performance", i) for i in traced.performance] + [("initial",)]
    assert len(kinds) == len(captured["lam"])
    multipliers = np.zeros(len(rows.kinds))
    multipliers[[index[kind] for kind in kinds]] = captured["lam"]
    return Solution(found["worst_case"], found["status"], 0.0, 0.0, 0.0, 0.0, multipliers, rows, 0.0)


def check(n, monkeypatch):
    traced = trace("gd", n, step=Fraction(1))
    found = certify(traced, SMOOTH, chain_dual_solution(traced, monkeypatch))
    tight = Fraction(1, 4 * n + 2)
    assert found.certified and found.reason == "exact LDLᵀ over ℚ: S ⪰ 0", found.reason
    assert tight <= found.bound <= tight * (1 + Fraction(1, 10**5))


def test_gd_is_certified_at_n_60(monkeypatch):
    check(60, monkeypatch)


@pytest.mark.slow
def test_gd_is_certified_at_n_200(monkeypatch):
    check(200, monkeypatch)
