"""The sympy steps shared by every setting: per-round bound → bound at clock time t → time to ε.

Rounds lemma (DERIVED, docs/theory.md §1): a span method on a chain function discovers at most one
coordinate per latency τ = 2Δ, so a per-round lower bound E(k) becomes E(⌊t/τ⌋) at clock time t.
A synchronous method whose iteration takes τ_g (the makespan of one iteration's micro-batches under the schedule and
op costs run; 2(Δ + n − 1) under gpipe, half duplex, unit costs) has done ⌊t/τ_g⌋ iterations at time t.
"""
import sympy as sp

from pplimits.bounds.symbols import eps, k, t, tau, tau_g


def _solve_for_rounds(per_round: sp.Expr) -> sp.Expr:
    """The unique positive k with per_round(k) = ε (per_round decreasing in k)."""
    logged = sp.expand_log(sp.log(per_round), force=True) - sp.log(eps)
    roots = [r for r in sp.solve(logged, k) if r.is_real is not False]
    roots = [sp.simplify(r) for r in roots if not (r.is_negative is True)]
    if len(roots) != 1:
        raise ArithmeticError(f"expected one root of {per_round} = eps, got {roots}")
    return roots[0]


def lower_bound_forms(per_round: sp.Expr) -> dict:
    """Gap at time t and time to ε implied by a per-round span lower bound E(k)."""
    rounds = _solve_for_rounds(per_round)
    time = sp.Max(0, tau * rounds)
    return {
        "gap": per_round.subs(k, sp.floor(t / tau)),
        "time": time,
        "steps": (
            ("per-round span bound E(k)", per_round),
            ("rounds lemma: at time t at most k = ⌊t/τ⌋ rounds, τ = 2Δ", sp.Eq(k, sp.floor(t / tau))),
            ("solve E(k) = ε for k", sp.Eq(k, rounds)),
            ("T_ε ≥ τ·k", time),
        ),
    }


def upper_bound_forms(per_iteration: sp.Expr) -> dict:
    """Gap at time t and time to ε implied by a per-iteration upper bound U(k)."""
    iterations = sp.Max(0, sp.ceiling(_solve_for_rounds(per_iteration)))
    time = tau_g * iterations
    return {
        "gap": per_iteration.subs(k, sp.floor(t / tau_g)),
        "time": time,
        "steps": (
            ("per-iteration bound U(k)", per_iteration),
            ("clock: ⌊t/τ_g⌋ iterations done at time t, τ_g = one iteration's makespan under the schedule", sp.Eq(k, sp.floor(t / tau_g))),
            ("solve U(k) = ε, round up", sp.Eq(k, iterations)),
            ("T_ε ≤ τ_g·k", time),
        ),
    }


def relaxed(expr: sp.Expr) -> sp.Expr:
    """Drop Max(0, ·), ceiling and floor: they do not change a limit as ε → 0."""
    return expr.replace(sp.ceiling, lambda a: a).replace(sp.floor, lambda a: a).replace(
        lambda e: isinstance(e, sp.Max) and 0 in e.args, lambda e: sp.Max(*[a for a in e.args if a != 0])
    )


def ratio_limit(upper_time: sp.Expr, lower_time: sp.Expr) -> sp.Expr:
    """lim_{ε→0} upper/lower, computed by sympy."""
    return sp.simplify(sp.limit(relaxed(upper_time) / relaxed(lower_time), eps, 0, "+"))
