"""GPipe mini-batch SGD on a convex Lipschitz objective: the classical stochastic subgradient bound (CLASSICAL) and
its time to ε under the pipeline clock (the sympy steps of bounds.derive, docs/theory.md §1).

The bound used (CLASSICAL; Nemirovski, Juditsky, Lan, Shapiro 2009, SIAM J. Optim. 19(4), §2.2, constant step;
Bubeck 2015, Convex Optimization: Algorithms and Complexity, Thm 6.1 with the Euclidean mirror map): for a convex f
and a stochastic subgradient g̃ with E[g̃ | x] ∈ ∂f(x) and E‖g̃‖² ≤ B², the step η = R/(B√T) gives for the
averaged iterate x̄_T = (1/T) Σ x_t

    E f(x̄_T) − f* ≤ (R² + η²B²T)/(2ηT) = RB/√T,   R ≥ ‖x₀ − x*‖.

Here f = (1/n) Σ f_i with every f_i L-Lipschitz, and g̃ averages the subgradients of b inputs drawn uniformly
(with replacement): ‖g̃‖ ≤ L surely, so B = L at every b. A mini-batch shrinks the variance part of E‖g̃‖²
(σ²/b) but not the ‖E g̃‖² ≤ L² part, so the Lipschitz bound RL/√T does not improve with b: T = ⌈(RL/ε)²⌉ mini-batches
whatever b is, each one a forward and backward pass of b inputs through the pipeline: makespan(b) time units under
the schedule and op costs run (2(Δ + b − 1) under gpipe, half duplex, unit costs). With b = n this is the
subgradient method's bound exactly; a smaller b makes each of the same number of iterations cheaper.
"""
import sympy as sp

from pplimits.bounds.claim import Assumption, Claim
from pplimits.bounds.derive import upper_bound_forms
from pplimits.bounds.symbols import L, R, b, k, makespan, tau_g

SETTING = "nonsmooth-convex"
SOURCE = ("Nemirovski, Juditsky, Lan, Shapiro 2009, §2.2 (constant step); Bubeck 2015, Thm 6.1 (Euclidean): "
          "E f(x̄_T) − f* ≤ RL/√T with step R/(L√T), averaged iterate; clock makespan(b) per mini-batch "
          "(docs/theory.md §1)")
CLASS = Assumption("f = (1/n) Σ f_i convex, every f_i L-Lipschitz (so ‖g̃‖ ≤ L), ‖x₀ − x*‖ ≤ R")
ORACLE = Assumption("each iteration averages the subgradients of b inputs drawn uniformly with replacement (unbiased)")
CLOCK = Assumption("one mini-batch of b inputs takes makespan(b) time units under the schedule and op costs run "
                   "(gpipe, half duplex, unit costs: 2(Δ + b − 1))")


def claims():
    forms = upper_bound_forms(R * L / sp.sqrt(k))
    iterations = forms["time"] / tau_g  # the iterations of upper_bound_forms, Δ-free
    time = iterations * makespan(b)
    steps = (
        ("per-iteration bound E f(x̄_k) − f* ≤ U(k)", R * L / sp.sqrt(k)),
        ("solve U(k) = ε, round up", sp.Eq(k, iterations)),
        ("clock: one mini-batch of b inputs takes makespan(b)", makespan(b)),
        ("T_ε ≤ makespan(b)·k", time),
    )
    return [Claim(id=f"{SETTING}.sgd.upper.time", setting=SETTING, kind="upper", quantity="time-to-eps",
                  methods="sgd", label="CLASSICAL", source=SOURCE, expression=time, derivation=steps,
                  statement="GPipe mini-batch SGD (batch b, step R/(L√T), averaged iterate) has E f(x̄_T) − f* ≤ ε "
                            "within this time; the bound does not improve with b.",
                  assumptions=(CLASS, ORACLE, CLOCK))]
