"""Every registered claim as plain data, for the command line: its fields, its expression as text and as a compiled
tree (bounds.compiled), its assumptions' conditions, and the parameters' rules — derived once from the sympy
registry and cached on disk (pplimits._util.filecache), keyed on the sources of pplimits.bounds and pplimits._util
and the versions of sympy and mpmath, so that an entry derived by other code is never read.

Reading the catalog imports neither sympy nor the registry. A value the compiled tree cannot decide (bounds.compiled:
an integer too close to call, a value beyond a float) is evaluated by the registered sympy claim, so every answer is
the one `Claim.evaluate` gives.
"""
from dataclasses import dataclass
from functools import cache, cached_property

from pplimits._util import filecache
from pplimits._util.checks import UsageError
from pplimits.bounds.compiled import Compiled, Undecided, names, tree
from pplimits.bounds.parameters import read_values, with_gpipe_clock

CODE = ("pplimits.bounds", "pplimits._util")
LIBRARIES = ("sympy", "mpmath")


@dataclass(frozen=True)
class Assumed:
    """An assumption: its text, and its condition as a tree (None: prose only)."""
    text: str
    condition: list | None

    @cached_property
    def compiled(self) -> Compiled | None:
        return None if self.condition is None else Compiled(self.condition)

    def holds(self, values: dict) -> bool | None:
        """As `Assumption.holds`, by user-facing names; Undecided where the tree cannot tell."""
        if self.compiled is None or not names(self.condition) <= values.keys():
            return None
        return self.compiled.decide(values)


@dataclass(frozen=True)
class Entry:
    """One registered claim as data (the fields of `Claim`, the expression as text `expression` and tree `tree`)."""
    id: str
    setting: str
    kind: str
    quantity: str
    methods: str
    label: str
    source: str
    statement: str
    expression: str
    parameters: tuple[str, ...]
    assumptions: tuple[Assumed, ...]
    tree: list

    @cached_property
    def compiled(self) -> Compiled:
        return Compiled(self.tree)

    def evaluate(self, values: dict) -> tuple[float, list[bool | None]]:
        """The claim's value at `values` ({name: number}) and whether each assumption holds there, exactly as
        `Claim.evaluate` and `Assumption.holds` give them (the same UsageErrors, in the same order)."""
        missing = [name for name in self.parameters if name not in values]
        if missing:
            raise UsageError(f"{self.id} needs {', '.join(missing)}; give them with --set NAME=VALUE")
        try:
            holds = [a.holds(values) for a in self.assumptions]
            failed = [a.text for a, held in zip(self.assumptions, holds) if held is False]
            if failed:
                raise UsageError(f"{self.id} does not apply here: {'; '.join(failed)}")
            return self.compiled.as_float(values, self.kind), holds
        except Undecided:
            return self._by_sympy(values)

    def _by_sympy(self, values: dict) -> tuple[float, list[bool | None]]:
        from pplimits.bounds.registry import get
        from pplimits.bounds.symbols import PARAMETERS, makespan

        claim = get(self.id)
        symbols = {makespan if name == "makespan" else PARAMETERS[name].symbol: value for name, value in values.items()}
        return claim.evaluate(symbols), [a.holds(symbols) for a in claim.assumptions]


@dataclass(frozen=True)
class Catalog:
    claims: dict[str, Entry]
    rules: dict[str, dict]  # parameter name -> {"integer", "positive", "allowed"}

    def get(self, claim_id: str) -> Entry:
        """The claim with this id; the registry's one-line error otherwise."""
        if claim_id not in self.claims:
            raise UsageError(f"claim must be one of {', '.join(self.claims)}, got {claim_id!r}")
        return self.claims[claim_id]

    def parse_values(self, assignments: dict[str, object]) -> dict[str, int | float]:
        """NAME=VALUE pairs checked as `claim.parse_values` checks them, as {name: value}."""
        return read_values(assignments, self.rules)

    def with_gpipe_clock(self, entry: Entry, values: dict) -> tuple[dict, str | None]:
        """`values` with the gpipe clock the claim needs and lacks, and a sentence saying so (bounds.parameters)."""
        return with_gpipe_clock(set(entry.parameters), values)


def derive() -> dict:
    """The catalog's data from the sympy registry (what is cached)."""
    from pplimits.bounds.claim import RULES
    from pplimits.bounds.registry import registry

    claims = [{"id": c.id, "setting": c.setting, "kind": c.kind, "quantity": c.quantity, "methods": c.methods,
               "label": c.label, "source": c.source, "statement": c.statement, "expression": str(c.expression),
               "parameters": c.parameters, "tree": tree(c.expression),
               "assumptions": [{"text": a.text, "condition": None if a.condition is None else tree(a.condition)}
                               for a in c.assumptions]}
              for c in registry().values()]
    return {"claims": claims, "rules": RULES}


def key() -> str:
    """The hash the cached catalog is filed under: our computing code and the symbolic libraries."""
    return filecache.code_key(CODE, LIBRARIES)


@cache
def catalog() -> Catalog:
    data = filecache.cached("catalog", key(), derive)
    claims = {c["id"]: Entry(**{**c, "parameters": tuple(c["parameters"]),
                                "assumptions": tuple(Assumed(**a) for a in c["assumptions"])}) for c in data["claims"]}
    return Catalog(claims, data["rules"])
