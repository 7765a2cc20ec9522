"""Reading a claim's parameters by their user-facing names (NAME=VALUE), checked against each parameter's rule, without
sympy: the registry's `claim.parse_values` and the command line's catalog read values through this one function."""
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
