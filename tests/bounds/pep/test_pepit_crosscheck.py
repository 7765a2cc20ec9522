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
- gd (step 1/L) and agd (constant momentum (1 − √(μ/L))/(1 + √(μ/L))) on strongly-convex, μ = 1/10, L = 1,
  N in 1, 2, 5: f(x_N) − f*, against a PEP written here with PEPit's SmoothStronglyConvexFunction (its own
  interpolation conditions: checks our curvature 1/(2(L − μ)), the (μ/2)‖x − x*‖² measure and the momentum).

Skipped when PEPit is not installed (pip install pepit).
"""
import contextlib
import io
import math
from fractions import Fraction

import pytest

pytest.importorskip("PEPit", reason="the PEPit cross-check needs pepit: pip install pepit")

from PEPit import PEP  # noqa: E402
from PEPit.examples.unconstrained_convex_minimization.accelerated_gradient_convex import wc_accelerated_gradient_convex  # noqa: E402
from PEPit.examples.unconstrained_convex_minimization.gradient_descent import wc_gradient_descent  # noqa: E402
from PEPit.examples.unconstrained_convex_minimization.subgradient_method import wc_subgradient_method  # noqa: E402
from PEPit.functions import SmoothStronglyConvexFunction  # noqa: E402

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


def pepit_strongly_convex(method, n, mu, L=1.0) -> float:
    """PEPit's worst case of f(x_N) − f* over L-smooth μ-strongly convex f with ‖x₀ − x*‖² ≤ 1: gd with step 1/L, or
    agd with y₀ = x₀, x_{k+1} = y_k − ∇f(y_k)/L, y_{k+1} = x_{k+1} + m(x_{k+1} − x_k), m = (1 − √(μ/L))/(1 + √(μ/L))."""
    problem = PEP()
    func = problem.declare_function(SmoothStronglyConvexFunction, mu=mu, L=L)
    xs = func.stationary_point()
    x0 = problem.set_initial_point()
    problem.set_initial_condition((x0 - xs) ** 2 <= 1)
    momentum = (1 - math.sqrt(mu / L)) / (1 + math.sqrt(mu / L))
    x = y = x0
    for _ in range(n):
        following = y - func.gradient(y) / L
        y = following + momentum * (following - x) if method == "agd" else following
        x = following
    problem.set_performance_metric(func(x) - func(xs))
    with contextlib.redirect_stdout(io.StringIO()):
        return float(problem.solve(wrapper="cvxpy", solver=SOLVER, verbose=0))


@pytest.mark.parametrize("n", [1, 2, 5], ids=lambda n: f"N={n}")
@pytest.mark.parametrize("method", ["gd", "agd"])
def test_strongly_convex_worst_case_equals_pepit(method, n):
    """μ = 1/10, L = 1, R = 1: our worst case and PEPit's agree within 1e-6 relative."""
    our_value = ours(method, "strongly-convex", n, {"beta": "1", "mu": "1/10"})
    pepit_value = pepit_strongly_convex(method, n, mu=0.1)
    assert our_value > 0 and our_value == pytest.approx(pepit_value, rel=RTOL), (method, n, our_value, pepit_value)
