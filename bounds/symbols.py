"""The symbols of the pipeline time model (THEORY.md §1–2) and their user-facing names."""
import sympy as sp

eps = sp.Symbol("epsilon", positive=True)
depth = sp.Symbol("Delta", positive=True, integer=True)
n = sp.Symbol("n", positive=True, integer=True)
beta = sp.Symbol("beta", positive=True)
mu = sp.Symbol("mu", positive=True)
R = sp.Symbol("R", positive=True)
D_f = sp.Symbol("D_f", positive=True)
d = sp.Symbol("d", positive=True, integer=True)
t = sp.Symbol("t", nonnegative=True)
k = sp.Symbol("k", nonnegative=True)
tau_g_model = sp.Symbol("tau_g", positive=True)
L = sp.Symbol("L", positive=True)
K = sp.Symbol("K", positive=True)
T = sp.Symbol("T", positive=True)
gamma = sp.Symbol("gamma", positive=True)
c_smooth = sp.sqrt(2 / sp.pi)  # c = √(2/π): the smoothed gradient of L|x| is (cL/γ)-Lipschitz

# Information latency of one query (lower bounds) and time of one synchronous gradient of n inputs
# through the gpipe half-duplex schedule (upper bounds). THEORY.md §1, DERIVED.
tau = 2 * depth
tau_g = 2 * (depth + n - 1)

# name on the command line -> (symbol, what is allowed)
PARAMETERS = {
    "eps": (eps, "a finite number > 0"),
    "depth": (depth, "an integer >= 1"),
    "n": (n, "an integer >= 1"),
    "beta": (beta, "a finite number > 0"),
    "mu": (mu, "a finite number > 0"),
    "R": (R, "a finite number > 0"),
    "D_f": (D_f, "a finite number > 0"),
    "d": (d, "an integer >= 1"),
    "t": (t, "a finite number >= 0"),
    "tau_g": (tau_g_model, "an integer >= 1 (the model's time of one gradient)"),
    "L": (L, "a finite number > 0"),
    "K": (K, "an integer >= 1"),
    "T": (T, "an integer >= 1"),
    "gamma": (gamma, "a finite number > 0"),
    "k": (k, "a finite number >= 0 (iterations)"),
}
NAME_OF = {symbol: name for name, (symbol, _) in PARAMETERS.items()}
