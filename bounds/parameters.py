"""Reading a claim's parameters by their user-facing names (NAME=VALUE), checked against each parameter's rule, and the
default clock of the upper claims, without sympy: the registry's `claim.parse_values` and the command line's catalog
read values through these functions."""
from pplimits._util.checks import NotANumber, UsageError, parse_number


def read_values(assignments: dict[str, object], rules: dict[str, dict]) -> dict[str, int | float]:
    """NAME=VALUE pairs (typed by a user, or numbers) checked against `rules` ({name: {"integer", "positive",
    "allowed"}}), as {name: value}: an integer parameter as an int, another as a float, each read exactly."""
    values = {}
    for name, raw in assignments.items():
        if name not in rules:
            raise UsageError(f"unknown parameter '{name}'; allowed: {', '.join(rules)}")
        rule = rules[name]
        try:
            value = parse_number(name, raw)  # a number beyond a float, or with an exponent beyond ±1000: said so
        except NotANumber:
            raise UsageError(f"{name} must be {rule['allowed']}, got {raw!r}") from None
        ok = value >= 1 and value == int(value) if rule["integer"] else (value > 0 if rule["positive"] else value >= 0)
        if not ok:
            raise UsageError(f"{name} must be {rule['allowed']}, got {raw!r}")
        values[name] = int(value) if rule["integer"] else float(value)  # read exactly, evaluated as before
    return values


def gpipe_makespan(stages, batch):
    """2(Δ + B − 1): B inputs through Δ stages, gpipe, half duplex, unit op costs (numbers or sympy expressions;
    DERIVED, docs/theory.md §1)."""
    return 2 * (stages + batch - 1)


def with_gpipe_clock(needs: set[str], values: dict) -> tuple[dict, str | None]:
    """`values` ({name: value}) with the clock a claim needing `needs` lacks: τ_g ("tau_g") when Δ and n are given,
    makespan(B) ("makespan", a function of B) when Δ is — gpipe's 2(Δ + B − 1) —, and a sentence saying so (None when
    nothing was defaulted)."""
    notes = []
    if "tau_g" in needs and "tau_g" not in values and {"depth", "n"} <= values.keys():
        value = gpipe_makespan(values["depth"], values["n"])
        notes.append(f"tau_g not given: the gpipe schedule's makespan (half duplex, unit op costs) 2(Δ + n − 1) = "
                     f"{value} is used")
        values = {**values, "tau_g": value}
    if "makespan" in needs and "makespan" not in values and "depth" in values:
        stages = values["depth"]
        notes.append(f"makespan(B) not given: the gpipe schedule's (half duplex, unit op costs) 2(Δ + B − 1) at "
                     f"Δ = {stages} is used")
        values = {**values, "makespan": lambda batch: gpipe_makespan(stages, batch)}
    if not notes:
        return values, None
    return values, "; ".join(notes) + "; give --schedule (and --costs) for another schedule or costs"
