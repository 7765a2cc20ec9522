"""The methods by command-line name, built from an instance's constants (β, μ) and user overrides; a name with a
':' is a user's method by import path (algorithms/user_methods.py)."""
import math

from pplimits._util.checks import UsageError
from pplimits._util.imports import is_import_path
from pplimits.algorithms import user_methods
from pplimits.algorithms.random_smoothing import PPRS, DRSSchedule
from pplimits.algorithms.span_methods import (
    AcceleratedGradient,
    GradientDescent,
    HeavyBall,
    RandomSpanMethod,
    Subgradient,
)


def _layers(instance):
    return getattr(instance, "layer_sizes", None)


def _span_step(instance):
    """Largest random step: 2/β on smooth instances, 2R/L on Lipschitz ones."""
    return 2 / instance.beta if math.isfinite(instance.beta) else 2 * instance.radius / instance.lipschitz


# name -> (constructor, parameters a user may override)
METHODS = {
    "gd": (lambda inst, **o: GradientDescent(inst.beta), ()),
    "agd": (lambda inst, **o: AcceleratedGradient(inst.beta, inst.mu), ()),
    "heavy-ball": (lambda inst, **o: HeavyBall(inst.beta, inst.mu, **o), ("step", "momentum")),
    "random-span": (lambda inst, **o: RandomSpanMethod(_span_step(inst), **o), ("seed", "queries_per_iteration")),
    "subgradient": (lambda inst, **o: Subgradient(inst.lipschitz, inst.radius, **o), ("horizon",)),
    "pprs": (lambda inst, **o: PPRS(inst.lipschitz, layer_sizes=_layers(inst), **o), ("gamma", "samples", "seed")),
    "pprs-drs": (lambda inst, **o: DRSSchedule(inst.lipschitz, radius=inst.radius, layer_sizes=_layers(inst), **o),
                 ("samples", "seed")),
}
# what a method needs of its instance: a finite β (smooth) or a finite L (lipschitz); random-span takes either
NEEDS = {"gd": "smooth", "agd": "smooth", "heavy-ball": "smooth", "subgradient": "lipschitz", "pprs": "lipschitz",
         "pprs-drs": "lipschitz"}
# zero-respecting methods: the span lower bounds (rounds lemma) bind them; PPRS draws noise and is not one
SPAN_METHODS = ("gd", "agd", "heavy-ball", "random-span", "subgradient")


def require_applicable(name: str, instance) -> None:
    """A UsageError naming the method and the instance when the method needs a constant the instance lacks (a
    user's factory is checked when it is called, against the constants its signature names)."""
    need = NEEDS.get(name) if isinstance(name, str) else None
    beta, lipschitz = getattr(instance, "beta", math.inf), getattr(instance, "lipschitz", None)
    if need == "smooth" and not math.isfinite(beta):
        raise UsageError(f"method {name} does not apply to {instance.name}: it needs a β-smooth instance "
                         f"(β = {beta} here); use subgradient, pprs or random-span")
    if need == "lipschitz" and not (lipschitz is not None and math.isfinite(lipschitz)):
        raise UsageError(f"method {name} does not apply to {instance.name}: it needs an L-Lipschitz instance "
                         "(none is declared here); use gd, agd, heavy-ball or random-span")


def make_method(name, instance, **overrides):
    """The method `name` tuned to `instance` (`name` may also be a user's method object or factory); one-line
    ValueError on an unknown name or override."""
    if not isinstance(name, str):
        return user_methods.adopt(name, user_methods.label(name), instance, overrides)
    if is_import_path(name):
        return user_methods.build(name, instance, overrides)
    if name not in METHODS:
        raise UsageError(f"method must be one of {', '.join(METHODS)}, got {name!r}")
    build, allowed = METHODS[name]
    require_applicable(name, instance)
    unknown = sorted(set(overrides) - set(allowed))
    if unknown:
        raise UsageError(f"unknown parameter {unknown[0]!r} for method {name}; allowed: {', '.join(allowed) or 'none'}")
    return build(instance, **overrides)


def override_names(name: str) -> tuple[str, ...]:
    """The parameters `--set` may give method `name`."""
    return user_methods.parameters(name) if is_import_path(name) else METHODS[name][1]


def is_span_method(name, method) -> bool:
    """Whether the span lower bounds bind the built method: the built-in ones by the list above, a user's only if
    it declares `span_method = True`."""
    return method.span_method if isinstance(method, user_methods.UserMethod) else name in SPAN_METHODS


def is_stochastic(name, method) -> bool:
    """Whether a run goes to its horizon (its guarantee is on E f(x_T)) instead of stopping at ε: the built-in
    methods that are not span methods, a user's only if it declares `stochastic = True`."""
    return method.stochastic if isinstance(method, user_methods.UserMethod) else name not in SPAN_METHODS
