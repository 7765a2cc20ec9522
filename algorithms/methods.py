"""The methods by command-line name, built from an instance's constants (β, μ) and user overrides."""
from algorithms.span_methods import AcceleratedGradient, GradientDescent, HeavyBall, RandomSpanMethod

# name -> (constructor, parameters a user may override)
METHODS = {
    "gd": (lambda inst, **o: GradientDescent(inst.beta), ()),
    "agd": (lambda inst, **o: AcceleratedGradient(inst.beta, inst.mu), ()),
    "heavy-ball": (lambda inst, **o: HeavyBall(inst.beta, inst.mu, **o), ("step", "momentum")),
    "random-span": (lambda inst, **o: RandomSpanMethod(inst.beta, **o), ("seed", "queries_per_iteration")),
}


def make_method(name: str, instance, **overrides):
    """The method `name` tuned to `instance`; one-line ValueError on an unknown name or override."""
    if name not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {name!r}")
    build, allowed = METHODS[name]
    unknown = sorted(set(overrides) - set(allowed))
    if unknown:
        raise ValueError(f"unknown parameter {unknown[0]!r} for method {name}; allowed: {', '.join(allowed) or 'none'}")
    return build(instance, **overrides)
