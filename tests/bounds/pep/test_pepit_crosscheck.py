"""Cross-check of our PEP worst cases against PEPit, the reference implementation of performance estimation.

PEPit (Goujaud, Moucer, Glineur, Hendrickx, Taylor, Dieuleveut) builds the same Drori–Teboulle / Taylor–
Hendrickx–Glineur SDP from its own interpolation conditions; we build ours independently (bounds/pep/). Both
are solved here by the same solver, Clarabel through cvxpy, so equal worst cases (within 1e-6 relative: both
stop at interior-point tolerances, not at the exact optimum) check our formulation (class rows, the
method's coefficients, the measure, the initial condition) rather than a solver's luck. Cases, for
N in 1, 2, 5, 10, 20, all with ‖x₀ − x*‖ ≤ 1 (PEPit's examples use ‖x₀ − x*‖² ≤ 1, i.e. R = 1):

- gd on smooth-convex, L = 1, γ = 1/L and γ = 3/2 (PEPit's wc_gradient_descent): f(x_N) − f*;
- agd on smooth-convex, μ = 0, L = 1, FISTA (PEPit's wc_accelerated_gradient_convex): f(x_N) − f*;
- subgradient on lipschitz-convex, M = 1, γ = 1/√(N+1) (PEPit's wc_subgradient_method):
  min_{0≤k≤N} f(x_k) − f*; our step is the exact rational of PEPit's float γ, so both use the same number.

Skipped when PEPit is not installed (pip install pepit).
"""
import contextlib
import io
import math
from fractions import Fraction

import pytest

pytest.importorskip("PEPit", reason="the PEPit cross-check needs pepit: pip install pepit")

from PEPit.examples.unconstrained_convex_minimization.accelerated_gradient_convex import wc_accelerated_gradient_convex  # noqa: E402
from PEPit.examples.unconstrained_convex_minimization.gradient_descent import wc_gradient_descent  # noqa: E402
from PEPit.examples.unconstrained_convex_minimization.subgradient_method import wc_subgradient_method  # noqa: E402

from pplimits.bounds.pep.worst_case import worst_case  # noqa: E402

SOLVER = "CLARABEL"
SIZES = (1, 2, 5, 10, 20)
RTOL = 1e-6


def pepit(function, **kwargs) -> float:
    """PEPit's worst case, with its printing silenced (verbose=-1, and any stray stdout swallowed)."""
    with contextlib.redirect_stdout(io.StringIO()):
        tau, _ = function(wrapper="cvxpy", solver=SOLVER, verbose=-1, **kwargs)
    return float(tau)


def ours(method, function_class, n, values) -> float:
    return worst_case(method, function_class, n, {"R": "1", **values}, exact=False).worst_case


def gd(n, step):
    return (ours("gd", "smooth-convex", n, {"beta": "1", "step": step}),
            pepit(wc_gradient_descent, L=1, gamma=float(Fraction(step)), n=n))


def agd(n):
    return (ours("agd", "smooth-convex", n, {"beta": "1"}),
            pepit(wc_accelerated_gradient_convex, mu=0, L=1, n=n))


def subgradient(n):
    gamma = 1 / math.sqrt(n + 1)
    return (ours("subgradient", "lipschitz-convex", n, {"L": "1", "step": str(Fraction(gamma))}),
            pepit(wc_subgradient_method, M=1, n=n, gamma=gamma))


CASES = {"gd-step-1": lambda n: gd(n, "1"), "gd-step-1.5": lambda n: gd(n, "3/2"), "agd": agd,
         "subgradient": subgradient}


@pytest.mark.parametrize("n", SIZES, ids=lambda n: f"N={n}")
@pytest.mark.parametrize("case", list(CASES))
def test_worst_case_equals_pepit(case, n):
    """Our worst case and PEPit's, same class, method, N, radius and solver, agree within 1e-6 relative."""
    our_value, pepit_value = CASES[case](n)
    assert our_value > 0 and pepit_value > 0
    assert our_value == pytest.approx(pepit_value, rel=RTOL), (
        f"{case} N={n}: ours {our_value!r}, PEPit {pepit_value!r}, "
        f"relative difference {abs(our_value - pepit_value) / abs(pepit_value):.2e}")
