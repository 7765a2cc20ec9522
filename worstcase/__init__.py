"""Worst-case and test instances: executable objectives with exact optimal values and span gaps.

Every instance has x0 = 0 and the attributes name, setting, criterion, dim, beta, mu, x0, x_star,
f_star, f0, radius, params, and array-namespace-generic value(x) and gradient(x) on (..., dim) arrays.
"""
import inspect

from pplimits._util.checks import UsageError

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
    return cls(**params)


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
