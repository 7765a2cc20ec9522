"""Worst-case and test instances: executable objectives with exact optimal values and span gaps.

Every instance has x0 = 0 and the attributes name, setting, criterion, dim, beta, mu, x0, x_star,
f_star, f0, radius, params, and array-namespace-generic value(x) and gradient(x) on (..., dim) arrays.
"""
import inspect

from pplimits._util.checks import UsageError, require_memory

from .carmon_chain import CarmonChain
from .hinge import Hinge
from .l1_regression import L1Regression
from .linf_regression import LinfRegression
from .lipschitz_max_function import LipschitzMaxFunction
from .logistic_regression import LogisticRegression
from .max_function import MaxFunction
from .nesterov_chain import NesterovChain
from .random_quadratic import RandomQuadratic
from .strongly_convex_chain import StronglyConvexChain

INSTANCES = {
    cls.name: cls
    for cls in (NesterovChain, StronglyConvexChain, CarmonChain, RandomQuadratic, LogisticRegression,
                MaxFunction, LipschitzMaxFunction, L1Regression, Hinge, LinfRegression)
}


def make_instance(name, **params):
    """Build the instance registered under ``name`` from keyword parameters."""
    if not isinstance(name, str) or name not in INSTANCES:
        raise UsageError(f"instance must be one of {', '.join(INSTANCES)}, got {name!r}")
    cls = INSTANCES[name]
    allowed = sorted(p for p in inspect.signature(cls).parameters)
    for key in params:
        if key not in allowed:
            raise UsageError(f"unknown parameter {key!r} for {name}; allowed: {', '.join(allowed)}")
    require_instance_memory(name, params)
    return cls(**params)


def require_instance_memory(name: str, params: dict) -> None:
    """Refuse an instance whose arrays would not fit (estimated before building it): data problems hold a
    points × dim matrix (points = 4·dim by default), the others a few dim-vectors and their temporaries."""
    dim, points, length = params.get("dim"), params.get("points"), params.get("chain_length")
    for key, value in (("dim", dim), ("points", points), ("chain_length", length)):
        if isinstance(value, (int, float)) and value > 2**62:
            raise UsageError(f"{key} = {value} is too large")
    if not isinstance(dim, (int, float)) or dim < 1:
        return  # the constructor names the bad dimension
    if name in ("logistic-regression", "l1-regression", "hinge", "linf-regression"):
        rows = points if isinstance(points, (int, float)) and points >= 1 else 4 * dim
        require_memory("dim" if points is None else "points", int(rows if points else dim),
                              8.0 * 4 * rows * dim, f"the {name} data")
    else:
        require_memory("dim", int(dim), 8.0 * 64 * max(dim, length or 0), f"the {name} instance")


__all__ = [
    "INSTANCES",
    "CarmonChain",
    "Hinge",
    "L1Regression",
    "LinfRegression",
    "LipschitzMaxFunction",
    "LogisticRegression",
    "MaxFunction",
    "NesterovChain",
    "RandomQuadratic",
    "StronglyConvexChain",
    "make_instance",
]
