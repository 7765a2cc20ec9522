"""Which DERIVED upper bound is smaller: PPRS (Theorem D, tuned) or the pipelined subgradient method
(docs/theory.md §2.4–2.5). It compares two registered claims, so it sits above the registry."""
from dataclasses import dataclass

from pplimits.bounds.registry import get
from pplimits.bounds.symbols import L, R, d, depth, eps, n
from pplimits.bounds.tuning import tuning


@dataclass(frozen=True)
class Regime:
    """The two bounds' times at one (Δ, d, ε, L, R, n), the winner, and how the speed-up scales with Δ."""
    winner: str
    speedup: float
    pprs_time: float
    subgradient_time: float
    K: int
    T: int
    depth_slope: float
    near_linear: bool


def regime(depth_value: int, dim: int, eps_value: float, lipschitz: float = 1.0, radius: float = 1.0,
           inputs: int = 1) -> Regime:
    """Which bound is smaller at these parameters: PPRS (Theorem D, tuned) or the pipelined subgradient
    method (⌈(RL/ε)²⌉ gradients of 2(Δ + n − 1)) — both DERIVED upper bounds."""
    values = {eps: eps_value, L: lipschitz, R: radius, d: dim, depth: depth_value, n: inputs}
    pprs_time = get("nonsmooth-convex.pprs.upper.time").evaluate(values)  # exact, rounded outward
    subgradient_time = get("nonsmooth-convex.subgradient.upper.time").evaluate(values)
    tuned = tuning(eps_value, lipschitz, radius, dim)
    # both iteration counts are independent of Δ, so speed-up ∝ (n + Δ − 1)/(nK + Δ − 1): its log-log
    # slope in Δ is Δ/(n + Δ − 1) − Δ/(nK + Δ − 1); near-linear where it is ≥ 0.9 (nK ≫ Δ ≫ n)
    slope = depth_value / (inputs + depth_value - 1) - depth_value / (inputs * tuned.K + depth_value - 1)
    return Regime(winner="pprs" if pprs_time < subgradient_time else "subgradient",
                  speedup=subgradient_time / pprs_time, pprs_time=pprs_time, subgradient_time=subgradient_time,
                  K=tuned.K, T=tuned.T, depth_slope=slope, near_linear=slope >= 0.9)
