"""bounds.catalog and bounds.compiled: the registry as data, evaluated without sympy, gives what the sympy claims give
(value, assumptions, errors) at every claim and at many points; what the compiled trees cannot decide goes to sympy."""
import math
import random
from fractions import Fraction

import pytest
import sympy as sp

from pplimits._util.checks import UsageError
from pplimits.bounds import catalog as catalog_module
from pplimits.bounds import compiled
from pplimits.bounds.catalog import catalog, derive
from pplimits.bounds.claim import parse_values
from pplimits.bounds.compiled import Compiled, Undecided, as_float, tree
from pplimits.bounds.registry import registry
from pplimits.bounds.symbols import L, R, beta, d, eps, makespan, mu

CATALOG = catalog()
CLAIMS = registry()


def _draw(seed: int) -> dict[str, object]:
    """Every parameter, drawn log-uniformly over wide ranges (integers where the parameter is one)."""
    draw = random.Random(seed)
    values = {"eps": 10 ** draw.uniform(-9, 0.5), "beta": 10 ** draw.uniform(-3, 3), "R": 10 ** draw.uniform(-3, 3),
              "L": 10 ** draw.uniform(-3, 3), "D_f": 10 ** draw.uniform(-3, 3), "gamma": 10 ** draw.uniform(-6, 2),
              "t": draw.choice([0, 10 ** draw.uniform(0, 9)]), "k": 10 ** draw.uniform(-1, 6)}
    values["mu"] = values["beta"] * 10 ** draw.uniform(-4, 0.3)  # sometimes ≥ β: the assumption fails
    for name, high in (("depth", 5), ("n", 3), ("b", 3), ("d", 9), ("K", 4), ("T", 5), ("tau_g", 6)):
        values[name] = int(10 ** draw.uniform(0, high))
    slope, fill = draw.randint(1, 4), draw.randint(0, 10**4)
    values["makespan"] = lambda batch: slope * batch + fill  # a clock of B inputs (any affine schedule)
    return values


def _split(values: dict) -> tuple[dict, dict]:
    """The numbers, and the clock function where given."""
    return ({name: v for name, v in values.items() if name != "makespan"},
            {name: v for name, v in values.items() if name == "makespan"})


def _sympy(claim_id: str, values: dict):
    """(value, holds) or the UsageError text, by the registered sympy claim."""
    numbers, clock = _split(values)
    claim, symbols = CLAIMS[claim_id], {**parse_values(numbers), **{makespan: f for f in clock.values()}}
    try:
        return claim.evaluate(symbols), [a.holds(symbols) for a in claim.assumptions]
    except UsageError as error:
        return str(error)


def _fast(claim_id: str, values: dict):
    entry = CATALOG.get(claim_id)
    try:
        numbers, clock = _split(values)
        return entry.evaluate({**CATALOG.parse_values(numbers), **clock})
    except UsageError as error:
        return str(error)


def test_the_catalog_holds_every_claim_as_the_registry_has_it():
    assert list(CATALOG.claims) == list(CLAIMS)
    for claim_id, claim in CLAIMS.items():
        entry = CATALOG.claims[claim_id]
        assert (entry.setting, entry.kind, entry.quantity, entry.methods, entry.label, entry.source, entry.statement,
                entry.expression, list(entry.parameters)) == (
            claim.setting, claim.kind, claim.quantity, claim.methods, claim.label, claim.source, claim.statement,
            str(claim.expression), claim.parameters)
        assert [a.text for a in entry.assumptions] == [a.text for a in claim.assumptions]


@pytest.mark.parametrize("claim_id", list(CLAIMS))
def test_every_claim_evaluates_as_sympy_does(claim_id):
    """40 wide random points per claim, each parameter given (assumptions checked where they can be) and only the
    claim's own; values, assumption verdicts and error messages must be identical."""
    claim = CLAIMS[claim_id]
    for seed in range(20):
        values = _draw(seed)
        own = {name: values[name] for name in claim.parameters}
        for given in (values, own):
            assert _fast(claim_id, given) == _sympy(claim_id, given), (claim_id, given)


def test_a_missing_parameter_is_named_as_sympy_names_it():
    assert _fast("strongly-convex.lower.time", {"eps": 0.1}) == _sympy("strongly-convex.lower.time", {"eps": 0.1})


def test_a_ceiling_too_close_to_call_goes_to_sympy(monkeypatch):
    """Theorem D's T at ε = 0.00482632049839995, d = 2101248 (tests/bounds/test_exact.py): its argument is 1.9e-9
    above 39861. At 30 bits of interval it is undecided, and the evaluation falls back to the sympy claim."""
    values = {"eps": 0.00482632049839995, "L": 1, "R": 1, "d": 2101248, "n": 16,
              "makespan": lambda batch: 2 * (1024 + batch - 1)}
    expected = _sympy("nonsmooth-convex.pprs.upper.time", values)
    assert _fast("nonsmooth-convex.pprs.upper.time", values) == expected
    used = []
    real = catalog_module.Entry._by_sympy
    monkeypatch.setattr(compiled, "PRECISIONS", (30,))
    monkeypatch.setattr(catalog_module.Entry, "_by_sympy", lambda self, v: used.append(v) or real(self, v))
    assert _fast("nonsmooth-convex.pprs.upper.time", values) == expected and used


SQRT2 = ["^", ["n", 2, 1], ["n", 1, 2]]
TWO = ["*", SQRT2, SQRT2]  # √2·√2, as sympy would not write it: 2, known to the intervals only up to their width


def test_undecided_where_the_interval_holds_an_integer_or_a_float():
    with pytest.raises(Undecided):
        Compiled(["ceil", TWO]).exact({})
    with pytest.raises(Undecided):
        Compiled(TWO).as_float({}, "upper")
    nearest = math.sqrt(2)  # correctly rounded; the floats either side of √2 by exact squares
    below, above = (nearest, math.nextafter(nearest, 3)) if Fraction(nearest) ** 2 < 2 else (
        math.nextafter(nearest, 0), nearest)
    assert Compiled(["ceil", SQRT2]).exact({}) == 2
    assert (Compiled(SQRT2).as_float({}, "upper"), Compiled(SQRT2).as_float({}, "lower")) == (above, below)
    assert Compiled(SQRT2).as_float({}, "ratio") == nearest


@pytest.mark.parametrize("kind", ["upper", "lower", "ratio"])
def test_floats_are_rounded_as_claim_evaluate_rounds_them(kind):
    """Rationals, large integers (rounded by sympy through 30 digits) and irrationals, against `_outward` on sympy's
    values: the same float every time."""
    from pplimits.bounds.claim import _outward

    draw = random.Random(7)
    numbers = [sp.Rational(draw.randrange(1, 10**30), draw.randrange(1, 10**12)) for _ in range(200)]
    numbers += [sp.Integer(2**60 + draw.randrange(2**10)) for _ in range(100)]
    numbers += [sp.Integer(2**53 * 3 + 1), sp.Integer(2**54 + 2), sp.Integer(2**70 + 2**17 + 1)]
    numbers += [sp.sqrt(draw.randrange(2, 10**6)) * draw.randrange(1, 10**9) / draw.randrange(1, 10**9)
                for _ in range(200)]
    numbers += [sp.pi ** sp.Rational(1, 4) * draw.randrange(1, 10**12) for _ in range(50)]
    for number in numbers:
        expected = _outward(number, complex(sp.N(number, 30)).real, kind)
        try:
            found = as_float(Compiled(tree(number)).value({}), kind)
        except Undecided:
            continue
        assert found == expected, (number, kind)


def test_relations_are_decided_exactly():
    assert Compiled(tree(sp.Lt(mu, beta))).decide({"mu": 0.5, "beta": 1}) is True
    assert Compiled(tree(sp.Lt(mu, beta))).decide({"mu": 1, "beta": 1}) is False
    assert Compiled(tree(sp.Ge(d, sp.floor(R * L / eps)))).decide({"d": 7, "R": 1, "L": 7, "eps": 1}) is True
    with pytest.raises(Undecided):  # √2·√2 against 2: the intervals meet
        Compiled(["ge", TWO, ["n", 2, 1]]).decide({})


def test_exact_roots_and_powers_stay_rational():
    assert Compiled(tree(d ** sp.Rational(1, 4))).exact({"d": 81}) == 3
    assert Compiled(tree(d ** sp.Rational(3, 4))).exact({"d": 16}) == 8
    assert Compiled(tree((1 - mu / beta) ** 3)).exact({"mu": 0.5, "beta": 1}) == Fraction(1, 8)
    assert compiled._integer_root(3**200, 5) == 3**40 and compiled._root(2**4000 + 1, 2) is None
    assert compiled._root(3**400, 2) == 3**200 and compiled._root(10**60, 3) == 10**20
    assert math.isclose(float(Compiled(tree(d ** sp.Rational(1, 4))).exact({"d": 80}).mid), 80**0.25, rel_tol=1e-15)


def test_the_gpipe_default_clock_is_symbols_gpipe_clock():
    """The command line's default clock (by name) is the sympy one: τ_g = 2(Δ + n − 1), makespan(B) = 2(Δ + B − 1)."""
    from pplimits.bounds.symbols import depth, makespan_gpipe, n, tau_g_gpipe
    for depth_value, inputs in ((1, 1), (8, 4), (1024, 16)):
        values, note = CATALOG.with_gpipe_clock(CATALOG.get("smooth-convex.agd.upper.time"),
                                                {"depth": depth_value, "n": inputs})
        assert values["tau_g"] == tau_g_gpipe.subs({depth: depth_value, n: inputs}) and "tau_g not given" in note
        values, note = CATALOG.with_gpipe_clock(CATALOG.get("nonsmooth-convex.sgd.upper.time"), {"depth": depth_value})
        assert values["makespan"](inputs) == makespan_gpipe(inputs).subs(depth, depth_value) and "makespan(B)" in note


def test_the_catalog_reads_back_what_it_derives(tmp_path, monkeypatch):
    """Derived, written and read back through JSON: the same data (big integers and unicode included)."""
    import json
    data = derive()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data


def test_a_huge_power_is_taken_as_an_interval_where_sympy_takes_hours(monkeypatch):
    """(1 − μ/β)^⌊t/τ_g⌋ at t = 1e9, τ_g = 2078: an exact rational of 32 million bits, which main's sympy path did not
    finish within an hour (tests/cli/record_outputs.py). The compiled tree takes it as an interval and decides it;
    checked against mpmath at 60 digits, without sympy (a fallback would fail here)."""
    import mpmath

    monkeypatch.setattr(catalog_module.Entry, "_by_sympy", lambda self, values: pytest.fail("fell back to sympy"))
    values = {"R": 100.0, "beta": 10.0, "mu": 1e-4, "t": 1e9, "tau_g": 2078}
    value, holds = CATALOG.get("strongly-convex.gd.upper.gap-at-time").evaluate(values)
    with mpmath.workdps(60):
        ratio = 1 - mpmath.mpf(Fraction(1e-4).numerator) / Fraction(1e-4).denominator / 10
        reference = mpmath.mpf(100) ** 2 * 10 * ratio ** (10**9 // 2078) / 2
        assert value >= reference * (1 - mpmath.mpf(10) ** -40)  # an upper bound: never below the exact value
    assert math.isclose(value, float(reference), rel_tol=2**-52) and holds == [True, None]
