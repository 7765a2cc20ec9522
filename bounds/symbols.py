"""The symbols of the pipeline time model (docs/theory.md §1–2) and their user-facing names."""
from typing import NamedTuple

import sympy as sp

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

# Information latency of one query (lower bounds), and τ_g under the gpipe half-duplex schedule with unit op costs:
# one synchronous gradient of n inputs (the default where no schedule is given). docs/theory.md §1, DERIVED.
tau = 2 * depth
tau_g_gpipe = 2 * (depth + n - 1)

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

