"""The methods by command-line name, built from an instance's constants (β, μ) and user overrides."""
import math

from pplimits._util.checks import UsageError
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
    """A UsageError naming the method and the instance when the method needs a constant the instance lacks."""
    need = NEEDS.get(name)
    beta, lipschitz = getattr(instance, "beta", math.inf), getattr(instance, "lipschitz", None)
    if need == "smooth" and not math.isfinite(beta):
        raise UsageError(f"method {name} does not apply to {instance.name}: it needs a β-smooth instance "
                         f"(β = {beta} here); use subgradient, pprs or random-span")
    if need == "lipschitz" and not (lipschitz is not None and math.isfinite(lipschitz)):
        raise UsageError(f"method {name} does not apply to {instance.name}: it needs an L-Lipschitz instance "
                         "(none is declared here); use gd, agd, heavy-ball or random-span")


def make_method(name: str, instance, **overrides):
    """The method `name` tuned to `instance`; one-line ValueError on an unknown name or override."""
    if name not in METHODS:
        raise UsageError(f"method must be one of {', '.join(METHODS)}, got {name!r}")
    build, allowed = METHODS[name]
    require_applicable(name, instance)
    unknown = sorted(set(overrides) - set(allowed))
    if unknown:
        raise UsageError(f"unknown parameter {unknown[0]!r} for method {name}; allowed: {', '.join(allowed) or 'none'}")
    return build(instance, **overrides)
