"""Which registered upper bound on the time to ε is smallest at one point: PPRS (Theorem D, tuned; DERIVED), the
pipelined subgradient method (DERIVED from Nesterov 2004, Thm 3.2.2) or GPipe mini-batch SGD (CLASSICAL,
bounds/sgd.py) — docs/theory.md §2.4–2.5. It compares registered claims, so it sits above the registry.

Each claim's time is iterations × one iteration's makespan: τ_g = makespan(n) for the subgradient method's claim,
makespan(nK) for PPRS's and makespan(b) for SGD's (2(Δ + B − 1) under gpipe, half duplex, unit costs), with both the
iteration count and the batch (inputs per iteration) independent of Δ; `counts` reads the two off the claims and evaluates them exactly
(ceilings on the exact rationals of the float inputs), so the times compared are exact integers and the winner
never flips on a rounding error. The pieces are derived in sympy once and cached as compiled trees (bounds.compiled,
under the catalog's key), so counting needs no sympy; what the trees cannot decide is evaluated by bounds.exact.
"""
import math
from dataclasses import dataclass
from fractions import Fraction
from functools import cache, lru_cache

from pplimits._util import filecache
from pplimits._util.checks import UsageError
from pplimits.bounds.catalog import key
from pplimits.bounds.compiled import Compiled, Undecided, tree

# On an exact tie the earlier method is named the winner (the deterministic guarantee before the expected ones).
METHODS = ("subgradient", "sgd", "pprs")
CLAIMS = {"subgradient": "nonsmooth-convex.subgradient.upper.time", "sgd": "nonsmooth-convex.sgd.upper.time",
          "pprs": "nonsmooth-convex.pprs.upper.time"}
SYMBOLS = ("eps", "L", "R", "d", "n", "b")  # the parameters of the pieces, by their user-facing names


@dataclass(frozen=True)
class Count:
    """One method at one (ε, L, R, d, n, b): iterations to ε and the inputs each sends through the pipeline."""
    method: str
    iterations: int
    batch: int

    def time(self, depth_value: int) -> int:
        """The claim's time at depth Δ: iterations × 2(Δ + batch − 1) (gpipe, half duplex), exact."""
        return self.iterations * 2 * (depth_value + self.batch - 1)


@cache
def pieces() -> dict:
    """(iterations, batch) of each method as sympy expressions, read off its registered claim: the claim's time is
    iterations · τ_g (subgradient: τ_g = makespan(n)) or iterations · makespan(batch) (held equal in
    tests/bounds/test_regime.py)."""
    import sympy as sp

    from pplimits.bounds.pprs import derivation
    from pplimits.bounds.registry import get
    from pplimits.bounds.symbols import b, depth, makespan, n, tau_g

    steps = derivation()
    found = {"subgradient": (sp.simplify(get(CLAIMS["subgradient"]).expression / tau_g), n),
             "sgd": (sp.simplify(get(CLAIMS["sgd"]).expression / makespan(b)), b),
             "pprs": (steps["iterations"], n * steps["batch"])}
    assert all(depth not in iterations.free_symbols for iterations, _ in found.values()), found
    return found


@cache
def compiled_pieces() -> dict[str, tuple[Compiled, ...]]:
    """`pieces()` as compiled trees, and Theorem D's horizon T before its ceiling (for `horizon`), cached on disk."""
    def derive():
        from pplimits.bounds.pprs import derivation

        return {**{method: [tree(part) for part in parts] for method, parts in pieces().items()},
                "horizon": [tree(derivation()["horizon"])]}

    return {name: tuple(Compiled(part) for part in parts) for name, parts in filecache.cached("regime", key(),
                                                                                                derive).items()}


def _by_sympy(expression, values: dict):
    """`expression` (a sympy expression) at `values` ({name: number}), exactly: bounds.exact."""
    import sympy as sp

    from pplimits.bounds.exact import exact_value
    from pplimits.bounds.symbols import PARAMETERS

    return exact_value(expression, {PARAMETERS[name].symbol: sp.Rational(Fraction(v)) for name, v in values.items()})


def _exact(method: str, part: int, values: tuple) -> int:
    """Iterations (part 0) or batch (part 1) of `method` at `values` (in SYMBOLS' order), exactly: the compiled
    tree where its ceilings are decided, bounds.exact (sympy) otherwise."""
    named = dict(zip(SYMBOLS, values))
    try:
        exact = compiled_pieces()[method][part].exact(named)
    except Undecided:
        exact = _by_sympy(pieces()[method][part], named)
    if exact != int(exact):
        raise ArithmeticError(f"{method}: iterations and batch must be integers, got {exact}")
    return int(exact)


def horizon(dim: int) -> float:
    """Theorem D's T before its ceiling at ε = L = R = 1 and this d, as the nearest float."""
    try:
        return compiled_pieces()["horizon"][0].as_float({"eps": 1, "L": 1, "R": 1, "d": dim}, "ratio")
    except Undecided:
        from pplimits.bounds.pprs import derivation

        return float(_by_sympy(derivation()["horizon"], {"eps": 1, "L": 1, "R": 1, "d": dim}))


@lru_cache(maxsize=65536)
def counts(eps_value: float, lipschitz: float, radius: float, dim: int, inputs: int,
           batch: int) -> dict[str, Count]:
    """Every method's exact iterations and batch at these parameters (floats taken at their exact binary value)."""
    values = (eps_value, lipschitz, radius, dim, inputs, batch)
    found = {}
    for method in METHODS:
        try:
            found[method] = Count(method, _exact(method, 0, values), _exact(method, 1, values))
        except (ArithmeticError, OverflowError):  # sympy's PrecisionExhausted on a ceiling far beyond a float
            raise UsageError(f"{CLAIMS[method]} cannot be evaluated at these parameters: its value is beyond a "
                             "float's range (ε too small?)") from None
    return found


def counts_exactly(eps_value: float, lipschitz: float, radius: float, dim: int, inputs: int,
                   batch: int) -> dict[str, Count]:
    """`counts` by bounds.exact alone (slower; what the fast path is tested against)."""
    values = dict(zip(SYMBOLS, (eps_value, lipschitz, radius, dim, inputs, batch)))
    return {method: Count(method, *(int(_by_sympy(part, values)) for part in parts))
            for method, parts in pieces().items()}


def as_float(method: str, time: int) -> float:
    """An exact integer time as the float on its safe side (≥ it: these are upper bounds); a UsageError naming the
    claim when it is beyond a float's range."""
    try:
        value = float(time)
    except OverflowError:
        raise UsageError(f"{CLAIMS[method]} cannot be evaluated at these parameters: its value is beyond a float's "
                         "range (ε too small?)") from None
    return math.nextafter(value, math.inf) if Fraction(value) < time else value


def winner(times: dict[str, int]) -> str:
    """The method with the smallest time; on an exact tie the first in METHODS."""
    return min(times, key=lambda method: (times[method], METHODS.index(method)))


@dataclass(frozen=True)
class Regime:
    """The bounds' times at one (Δ, d, ε, L, R, n, b), the winner, and how PPRS's speed-up over the better baseline
    (subgradient, or SGD when b < n) scales with Δ."""
    winner: str
    speedup: float
    pprs_time: float
    subgradient_time: float
    sgd_time: float
    K: int
    T: int
    depth_slope: float
    near_linear: bool


def regime(depth_value: int, dim: int, eps_value: float, lipschitz: float = 1.0, radius: float = 1.0,
           inputs: int = 1, batch: int | None = None) -> Regime:
    """Which bound is smallest at these parameters: PPRS (Theorem D, tuned), the pipelined subgradient method
    (⌈(RL/ε)²⌉ gradients of 2(Δ + n − 1)) or mini-batch SGD (⌈(RL/ε)²⌉ mini-batches of 2(Δ + b − 1); b = n unless
    given) — decided on the exact integer times."""
    batch = inputs if batch is None else batch
    found = counts(eps_value, lipschitz, radius, dim, inputs, batch)
    times = {method: count.time(depth_value) for method, count in found.items()}
    baseline = min(times["subgradient"], times["sgd"])
    pprs = found["pprs"]
    # both iteration counts are independent of Δ, so speed-up ∝ (B + Δ − 1)/(nK + Δ − 1), B the baseline's batch:
    # its log-log slope in Δ is Δ/(B + Δ − 1) − Δ/(nK + Δ − 1); near-linear where it is ≥ 0.9 (nK ≫ Δ ≫ B)
    base_batch = min(inputs, batch)
    slope = depth_value / (base_batch + depth_value - 1) - depth_value / (pprs.batch + depth_value - 1)
    floats = {method: as_float(method, times[method]) for method in ("pprs", "subgradient", "sgd")}
    return Regime(winner=winner(times), speedup=float(Fraction(baseline, times["pprs"])),
                  pprs_time=floats["pprs"], subgradient_time=floats["subgradient"], sgd_time=floats["sgd"],
                  K=pprs.batch // inputs, T=pprs.iterations, depth_slope=slope,
                  near_linear=slope >= 0.9)
