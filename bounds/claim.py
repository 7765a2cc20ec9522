"""A claim: one bound of the pipeline time model, as a sympy expression with its label and source."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

import sympy as sp

from pplimits._util.checks import UsageError
from pplimits.bounds.exact import exact_value
from pplimits.bounds.parameters import read_values
from pplimits.bounds.symbols import NAME_OF, PARAMETERS, makespan, uses_makespan

LABELS = ("PAPER", "RECON", "DERIVED", "CLASSICAL")
KINDS = ("lower", "upper", "ratio", "order")
BOUNDS = ("lower.time", "lower.gap-at-time", "upper.time", "upper.gap-at-time", "upper.time-leading",
          "upper.gap-at-horizon", "upper.tight", "ratio", "paper")


@dataclass(frozen=True)
class ClaimKey:
    """A claim's typed identity, for looking it up (`registry.find`): claim ids are composed here and nowhere else.

    `subject` is whom the claim is about: a method (gd, agd, subgradient, pprs, …), "recon" for the
    reconstructed bound over all procedures, or None for the class (every span method).
    """

    setting: str
    bound: str
    subject: str | None = None

    def __post_init__(self):
        if self.bound not in BOUNDS:
            raise UsageError(f"bound must be one of {', '.join(BOUNDS)}, got {self.bound!r}")

    @property
    def id(self) -> str:
        return ".".join(part for part in (self.setting, self.subject, self.bound) if part)

    @classmethod
    def of(cls, claim_id: str) -> ClaimKey:
        """The key of a registered id (`setting[.subject].bound`)."""
        setting, _, rest = claim_id.partition(".")
        bound = next((b for b in sorted(BOUNDS, key=len, reverse=True) if rest == b or rest.endswith("." + b)), None)
        if bound is None:
            raise UsageError(f"{claim_id!r} is not a claim id (setting[.subject].bound)")
        return cls(setting, bound, rest[: -len(bound) - 1] or None)


@dataclass(frozen=True)
class Assumption:
    """A condition a claim needs: prose, and where it is checkable a sympy relation over the symbols."""

    text: str
    condition: sp.Basic | None = None

    def holds(self, values: dict[sp.Symbol, float]) -> bool | None:
        """True/False when the condition can be decided from `values`, None when it is prose only."""
        if self.condition is None or not self.condition.free_symbols <= set(values):
            return None
        return bool(exact_value(self.condition, _exact(values)))


@dataclass(frozen=True)
class Claim:
    """One registered claim.

    `expression` bounds `quantity` ("time-to-eps": clock units to reach accuracy ε; "gap-at-time":
    f − f* (or ‖∇f‖) at clock time t; "ratio": upper/lower as ε → 0). `derivation` lists the sympy
    steps that produced it, for the report.
    """

    id: str
    setting: str
    kind: str
    quantity: str
    methods: str
    label: str
    source: str
    statement: str
    expression: sp.Expr
    assumptions: tuple[Assumption, ...] = ()
    derivation: tuple[tuple[str, sp.Basic], ...] = field(default=(), compare=False)

    def __post_init__(self):
        if self.label not in LABELS or self.kind not in KINDS or ClaimKey.of(self.id).setting != self.setting:
            raise ValueError(f"claim {self.id}: label {self.label!r}, kind {self.kind!r}, setting {self.setting!r}")

    @property
    def key(self) -> ClaimKey:
        return ClaimKey.of(self.id)

    @property
    def parameters(self) -> list[str]:
        """The user-facing names of the parameters the expression needs, sorted ("makespan": the clock as a
        function of the inputs per iteration, see bounds.symbols)."""
        clock = ["makespan"] if uses_makespan(self.expression) else []
        return sorted([NAME_OF[s] for s in self.expression.free_symbols] + clock)

    def evaluate(self, values: dict[sp.Symbol, float]) -> float:
        """The claim's value at numeric `values` (every free symbol given, no checkable assumption failing).

        Evaluated exactly: each input is taken at its exact rational value (a float's binary value), and each ceiling
        or floor is decided on its argument's exact value (bounds.exact: not by float rounding, nor by sympy's own
        ceiling, which misjudges numbers just above an integer); the result is then rounded outward to a
        float (up for an upper bound, down for a lower bound).
        """
        if uses_makespan(self.expression) and makespan not in values:
            raise UsageError(f"{self.id} needs makespan(B), one iteration's makespan with B inputs (values[makespan], a "
                             "function of B; on the command line --set depth=… for gpipe's 2(Δ + B − 1), or --schedule)")
        missing = [NAME_OF[s] for s in self.expression.free_symbols if s not in values]
        if missing:
            raise UsageError(f"{self.id} needs {', '.join(sorted(missing))}; give them with --set NAME=VALUE")
        failed = self.failed_assumptions(values)
        if failed:
            raise UsageError(f"{self.id} does not apply here: {'; '.join(failed)}")
        try:
            exact = exact_value(self.expression, _exact(values))
            value = complex(sp.N(exact, 30))
        except (ArithmeticError, OverflowError):  # sympy's PrecisionExhausted on a ceiling of ~10^600, …
            raise UsageError(f"{self.id} cannot be evaluated at these parameters: its value is beyond a float's "
                             "range (ε too small?)") from None
        if value.imag == 0 and math.isinf(value.real):
            raise UsageError(f"{self.id} cannot be evaluated at these parameters: its value is beyond a float's "
                             "range (ε too small?)")
        if value.imag != 0 or not math.isfinite(value.real):
            raise UsageError(f"{self.id} is not a finite real number at these parameters")
        return _outward(exact, value.real, self.kind)

    @cached_property
    def numeric(self):
        """numpy function of the parameters (keyword arguments by user-facing name, `makespan` a function of B),
        for arrays of points."""
        symbols = sorted(self.expression.free_symbols, key=lambda s: NAME_OF[s])
        clock = [makespan] if uses_makespan(self.expression) else []
        function = sp.lambdify(symbols + clock, self.expression, modules="numpy")
        names = [NAME_OF[s] for s in symbols] + ["makespan"] * len(clock)
        return lambda **values: function(*(values[name] for name in names))

    def named(self, values: dict[sp.Symbol, float], without: tuple[str, ...] = ()) -> dict[str, float]:
        """The `values` this claim's `numeric` form takes, by user-facing name (leaving out `without`)."""
        return {_name(s): v for s, v in values.items() if _name(s) in self.parameters and _name(s) not in without}

    def failed_assumptions(self, values: dict[sp.Symbol, float]) -> list[str]:
        """The checkable assumptions that do not hold at `values`."""
        return [a.text for a in self.assumptions if a.holds(values) is False]


def _name(symbol) -> str:
    return "makespan" if symbol is makespan else NAME_OF[symbol]


def _exact(values: dict[sp.Symbol, float]) -> dict[sp.Symbol, sp.Rational]:
    """Each value at its exact rational value (a float's binary value: no rounding before a ceiling or a test); the
    clock function as it is."""
    return {symbol: value if symbol is makespan else sp.Rational(Fraction(value)) for symbol, value in values.items()}


def _outward(exact: sp.Expr, value: float, kind: str) -> float:
    """`value` (≈ exact) as the nearest float on the safe side: ≥ exact for an upper bound, ≤ for a lower one (an
    integer beyond 2⁵³ included: its nearest float may be below it)."""
    if kind not in ("upper", "lower"):
        return value
    error = sp.N(exact - sp.Rational(Fraction(value)), 50)  # > 0: the float is below the exact value
    if kind == "upper" and error > 0:
        return math.nextafter(value, math.inf)
    if kind == "lower" and error < 0:
        return math.nextafter(value, -math.inf)
    return value


def parse_values(assignments: dict[str, object]) -> dict[sp.Symbol, float]:
    """NAME=VALUE pairs (typed by a user, or numbers) checked against PARAMETERS, as {symbol: value}."""
    return {PARAMETERS[name].symbol: value for name, value in read_values(assignments, RULES).items()}


# each parameter's rule, for bounds.parameters.read_values (and, cached, for the command line: bounds.catalog)
RULES = {name: {"integer": p.integer, "positive": bool(p.symbol.is_positive), "allowed": p.allowed}
         for name, p in PARAMETERS.items()}
