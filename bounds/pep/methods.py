"""The methods whose worst cases pplimits computes, each written once against a MethodTrace (exact coefficients).

- gd: x_{k+1} = x_k − γ∇f(x_k); measure f(x_N) − f*.
- agd: μ = 0, FISTA/Nesterov: y₀ = x₀, x_{k+1} = y_k − ∇f(y_k)/L, λ_{k+1} = (1 + √(4λ_k² + 1))/2,
  y_{k+1} = x_{k+1} + (λ_k − 1)/λ_{k+1}·(x_{k+1} − x_k) (PEPit's accelerated_gradient_convex);
  μ > 0: constant momentum (1 − √(μ/L))/(1 + √(μ/L)); measure f(x_N) − f*.
- subgradient: x_{k+1} = x_k − γ g_k; measure min_{0≤k≤N} f(x_k) − f*.
- stale-gd: the asynchronous-pipeline pattern x_{k+1} = x_k − γ∇f(x_{k−s}) for k ≥ s, and x_{k+1} = x_k while no
  gradient has come back (k < s); measure f(x_N) − f*.
"""
import math
from fractions import Fraction

from pplimits.bounds.pep.trace import MethodTrace, exact

PEP_METHODS = ("gd", "agd", "subgradient", "stale-gd")


def gd(trace: MethodTrace, iterations: int, step) -> None:
    x = trace.start()
    for _ in range(iterations):
        x = x - exact(step) * trace.gradient(x)
    trace.measure(x)


def agd(trace: MethodTrace, iterations: int, L) -> None:
    L, x = exact(L), trace.start()
    y, lam = x, Fraction(1)
    momentum = None
    if trace.mu > 0:
        root = _sqrt(trace.mu / L)
        momentum = (1 - root) / (1 + root)
    for _ in range(iterations):
        previous, x = x, y - (1 / L) * trace.gradient(y)
        if momentum is None:
            lam, lam_old = exact((1 + math.sqrt(4 * float(lam) ** 2 + 1)) / 2), lam
            y = x + ((lam_old - 1) / lam) * (x - previous)
        else:
            y = x + momentum * (x - previous)
    trace.measure(x)


def subgradient(trace: MethodTrace, iterations: int, step) -> None:
    x = trace.start()
    for _ in range(iterations):
        trace.measure(x)
        x = x - exact(step) * trace.gradient(x)
    trace.measure(x)


def stale_gd(trace: MethodTrace, iterations: int, step, staleness: int) -> None:
    points = [trace.start()]
    for k in range(iterations):
        x = points[-1]
        points.append(x - exact(step) * trace.gradient(points[k - staleness]) if k >= staleness else x)
    trace.measure(points[-1])


def _sqrt(value: Fraction) -> Fraction:
    """√value, exact when value is the square of a rational, else the double's exact value."""
    numerator, denominator = math.isqrt(value.numerator), math.isqrt(value.denominator)
    if numerator**2 == value.numerator and denominator**2 == value.denominator:
        return Fraction(numerator, denominator)
    return exact(math.sqrt(value))


def trace(method: str, iterations: int, mu=0, **params) -> MethodTrace:
    """Run `method` for `iterations` steps against a fresh MethodTrace of a class with strong convexity μ."""
    traced = MethodTrace(mu=exact(mu))
    build = {"gd": gd, "agd": agd, "subgradient": subgradient, "stale-gd": stale_gd}[method]
    build(traced, iterations, **params)
    return traced
