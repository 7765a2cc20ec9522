"""The symbols of the pipeline time model (docs/theory.md §1–2) and their user-facing names."""
from typing import NamedTuple

import sympy as sp

from pplimits.bounds import parameters
from pplimits.bounds.parameters import gpipe_makespan

eps = sp.Symbol("epsilon", positive=True)
depth = sp.Symbol("Delta", positive=True, integer=True)
n = sp.Symbol("n", positive=True, integer=True)
b = sp.Symbol("b", positive=True, integer=True)  # mini-batch size of SGD (inputs per iteration)
beta = sp.Symbol("beta", positive=True)
mu = sp.Symbol("mu", positive=True)
R = sp.Symbol("R", positive=True)
D_f = sp.Symbol("D_f", positive=True)
d = sp.Symbol("d", positive=True, integer=True)
t = sp.Symbol("t", nonnegative=True)
k = sp.Symbol("k", nonnegative=True)
# τ_g: the makespan of one iteration's micro-batches under the schedule and op costs run (the upper claims' clock)
tau_g = sp.Symbol("tau_g", positive=True)
L = sp.Symbol("L", positive=True)
K = sp.Symbol("K", positive=True)
T = sp.Symbol("T", positive=True)
gamma = sp.Symbol("gamma", positive=True)
c_smooth = sp.sqrt(2 / sp.pi)  # c = √(2/π): the smoothed gradient of L|x| is (cL/γ)-Lipschitz

# makespan(B): one iteration's makespan when it sends B inputs through the pipeline, under the schedule and op costs
# run — the clock of the upper claims whose inputs per iteration are derived (PPRS's nK, K from ε) or chosen (SGD's b);
# a function of B where τ_g is a number (τ_g = makespan(n) for methods whose iterations send the n inputs).
inputs = sp.Symbol("B", positive=True, integer=True)
makespan = sp.Function("makespan")

# Information latency of one query (lower bounds), and the clock under the gpipe half-duplex schedule with unit op
# costs: one synchronous iteration of B inputs takes 2(Δ + B − 1) (the default where no schedule is given; τ_g of n
# inputs). docs/theory.md §1, DERIVED.
tau = 2 * depth


makespan_gpipe = sp.Lambda(inputs, gpipe_makespan(depth, inputs))
tau_g_gpipe = makespan_gpipe(n)


def gpipe_clock(expression: sp.Expr) -> sp.Expr:
    """`expression` with its clock (τ_g, makespan(B)) under gpipe, half duplex, unit costs."""
    return expression.subs(tau_g, tau_g_gpipe).replace(makespan, makespan_gpipe)


def uses_makespan(expression: sp.Expr) -> bool:
    """Whether `expression` takes the clock as the function makespan(B)."""
    return expression.has(makespan)

class Parameter(NamedTuple):
    """A user-facing parameter: its symbol, whether it is an integer, and what is allowed (for messages)."""
    symbol: sp.Symbol
    integer: bool
    allowed: str


def _parameter(symbol: sp.Symbol, integer: bool = False) -> Parameter:
    if integer:
        return Parameter(symbol, True, "an integer >= 1")
    return Parameter(symbol, False, "a finite number > 0" if symbol.is_positive else "a finite number >= 0")


# name on the command line -> Parameter
PARAMETERS = {
    "eps": _parameter(eps), "depth": _parameter(depth, integer=True), "n": _parameter(n, integer=True),
    "b": _parameter(b, integer=True),
    "beta": _parameter(beta), "mu": _parameter(mu), "R": _parameter(R), "D_f": _parameter(D_f),
    "d": _parameter(d, integer=True), "t": _parameter(t),
    "tau_g": _parameter(tau_g, integer=True),  # one iteration's makespan under the schedule run, in clock units
    "L": _parameter(L), "K": _parameter(K, integer=True), "T": _parameter(T, integer=True),
    "gamma": _parameter(gamma), "k": _parameter(k),  # k: iterations, a real in the gap-at-time forms
}
NAME_OF = {parameter.symbol: name for name, parameter in PARAMETERS.items()}


def with_gpipe_clock(expression: sp.Expr, values: dict) -> tuple[dict, str | None]:
    """`values` ({symbol: value}) with the clock `expression` needs where it is not given (bounds.parameters'
    with_gpipe_clock: τ_g when Δ and n are given, makespan(B) — values[makespan], a function of B — when Δ is)."""
    needs = {NAME_OF[s] for s in expression.free_symbols} | ({"makespan"} if uses_makespan(expression) else set())
    named, note = parameters.with_gpipe_clock(needs, {_name(s): v for s, v in values.items()})
    return {makespan if name == "makespan" else PARAMETERS[name].symbol: v for name, v in named.items()}, note


def _name(symbol) -> str:
    return "makespan" if symbol is makespan else NAME_OF[symbol]
