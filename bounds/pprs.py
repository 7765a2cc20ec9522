"""PPRS — Pipeline Parallel Random Smoothing. Theorem D (DERIVED, docs/theory.md §2.5) re-derived in sympy:
the three-term bound, γ and K from its optimality conditions, T for accuracy ε, the pipeline time; the
paper's shape and the DRS schedule (RECON). Claims only: the tuned numbers are in tuning.py, the comparison with
the pipelined subgradient method in regime.py.
"""
from functools import cache

import sympy as sp

from pplimits.bounds.claim import Assumption, Claim
from pplimits.bounds.symbols import K, L, R, T, c_smooth, d, depth, eps, gamma, gpipe_clock, makespan, n

SETTING = "nonsmooth-convex"
CLASS = Assumption("a convex L-Lipschitz f on R^d (globally) with ‖x₀ − x*‖ ≤ R")
CLOCK = Assumption("makespan(B) is one iteration's makespan with B inputs under the schedule and op costs run (gpipe, "
                   "half duplex, unit costs: 2(Δ + B − 1))")
GPIPE = Assumption("gpipe schedule, half duplex, unit op costs: 2(Δ + B − 1) per iteration of B inputs")
THEOREM_D = "Theorem D, docs/theory.md §2.5 (Lemma A: accelerated SGD on f_γ, β = cL/γ, σ² = L²/K, η = γ/(2cL))"


@cache
def derivation() -> dict:
    """Every step of the tuning of Theorem D, as sympy expressions."""
    c = c_smooth
    terms = (4 * c * L * R**2 / (gamma * T * (T + 1)), gamma * L * (2 * T + 1) / (12 * c * K), gamma * L * sp.sqrt(d))
    bound = sum(terms)
    samples = sp.solve(sp.Eq(terms[1], terms[2]), K)[0]  # variance term = bias term
    relaxed = 4 * c * L * R**2 / (gamma * T**2) + 2 * terms[2]  # K ≥ K*, T(T+1) ≥ T²
    smoothing = [g for g in sp.solve(sp.diff(relaxed, gamma), gamma) if g.is_positive][0]
    tuned = sp.simplify(relaxed.subs(gamma, smoothing))
    horizon = sp.solve(sp.Eq(tuned, eps), T)[0]
    iterations = sp.ceiling(horizon)
    batch = sp.ceiling(samples.subs(T, iterations))
    time = iterations * makespan(n * batch)  # T iterations, each sending nK inputs through the pipeline
    gpipe = gpipe_clock(time)  # 2(Δ + nK − 1) per iteration
    relaxed_gpipe = gpipe_clock(horizon * makespan(n * samples.subs(T, horizon)))
    leading = sp.expand(sp.limit(relaxed_gpipe * eps**2 / (L * R) ** 2, eps, 0) * (L * R / eps) ** 2
                        + sp.limit(sp.diff(relaxed_gpipe, depth) * eps / (L * R), eps, 0) * depth * L * R / eps)
    return {"terms": terms, "bound": bound, "samples": samples, "relaxed": relaxed, "gamma": smoothing,
            "tuned": tuned, "horizon": horizon, "iterations": iterations, "batch": batch, "time": time,
            "gpipe": gpipe, "leading": leading}


def claims():
    steps = derivation()
    common = dict(setting=SETTING, methods="pprs")
    derivation_steps = (
        ("three terms: optimisation, variance, smoothing bias (E‖Z‖ ≤ √d)", steps["bound"]),
        ("variance = bias gives K*", sp.Eq(K, steps["samples"])),
        ("with K ≥ K* and T(T+1) ≥ T²", steps["relaxed"]),
        ("∂/∂γ = 0", sp.Eq(gamma, steps["gamma"])),
        ("tuned bound", steps["tuned"]),
        ("tuned bound = ε", sp.Eq(T, steps["horizon"])),
        ("time: T synchronous iterations of nK inputs, makespan(B) each under the schedule run", steps["time"]),
        ("under gpipe, half duplex, unit costs: makespan(B) = 2(Δ + B − 1)", steps["gpipe"]),
        ("leading terms as ε → 0 (gpipe)", steps["leading"]),
    )
    theorem = Claim(id=f"{SETTING}.pprs.upper.gap-at-horizon", kind="upper", quantity="gap-at-horizon",
                    label="DERIVED", source=THEOREM_D, expression=steps["bound"], assumptions=(CLASS,),
                    statement="E f(x_T) − f* after T PPRS iterations with smoothing γ and K samples per iteration.",
                    derivation=derivation_steps, **common)
    time = Claim(id=f"{SETTING}.pprs.upper.time", kind="upper", quantity="time-to-eps", label="DERIVED",
                 source=THEOREM_D + ", tuned γ, K; clock makespan(nK) per iteration (docs/theory.md §1)",
                 statement="PPRS with Theorem D's tuning has E f(x_T) − f* ≤ ε at this time (in expectation).",
                 expression=steps["time"], assumptions=(CLASS, CLOCK),
                 derivation=derivation_steps, **common)
    leading = Claim(id=f"{SETTING}.pprs.upper.time-leading", kind="upper", quantity="time-to-eps", label="DERIVED",
                    source="leading terms of " + time.id + " as ε → 0 under gpipe (sympy limits)",
                    statement="≈ 10.1 Δ LR d^{1/4}/ε + 10.7 n (LR/ε)²: the depth term no longer multiplies (RL/ε)².",
                    expression=steps["leading"], assumptions=(CLASS, GPIPE), **common)
    paper = Claim(id=f"{SETTING}.pprs.paper", kind="order", quantity="time-to-eps", label="PAPER",
                  source="Colin, Dos Santos, Scaman 2019, abstract (shape; constants RECON)",
                  statement="PPRS is within a d^{1/4} factor of optimal: O(Δ·RL d^{1/4}/ε + n(RL/ε)²).",
                  expression=depth * R * L * d ** sp.Rational(1, 4) / eps + n * (R * L / eps) ** 2, **common)
    recon_lower = (R * L / eps) ** 2 + depth * R * L / eps
    ratio_limit = sp.limit(steps["leading"] / recon_lower, depth, sp.oo)
    ratio = Claim(id=f"{SETTING}.pprs.ratio", kind="ratio", quantity="ratio", label="RECON",
                  source=f"sympy limit Δ → ∞ of {leading.id} / {SETTING}.recon.lower.time (RECON constants 1)",
                  statement="PPRS over the all-procedure lower bound in deep pipelines: O(d^{1/4}).",
                  expression=ratio_limit, derivation=(("lim Δ→∞ of leading / RECON lower", ratio_limit),), **common)
    u = R * L / eps
    drs_iterations, drs_batch = sp.ceiling(20 * u * d ** sp.Rational(1, 4)), sp.ceiling(5 * u * d ** -sp.Rational(1, 4))
    drs = Claim(id=f"{SETTING}.pprs-drs.upper.time", setting=SETTING, kind="upper", quantity="time-to-eps",
                methods="pprs-drs", label="RECON",
                source="DRS schedule, Scaman et al. NeurIPS 2018 (constants reconstructed, docs/theory.md §2.5)",
                statement="DRS-style PPRS: T = ⌈20RLd^{1/4}/ε⌉ batches of K = ⌈5RLd^{-1/4}/ε⌉ — reconstructed, not verifiable as stated.",
                expression=drs_iterations * makespan(n * drs_batch), assumptions=(CLASS, CLOCK))
    return [theorem, time, leading, paper, ratio, drs]
