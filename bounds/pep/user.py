"""A user's own method traced for performance estimation: `NAME(x0, gradient, iterations, **constants)` by import
path or as the function itself, written like a PEPit example with +, -, and scalar * and / on the points it is given, returning the output
point or the list of points whose best value counts. Constants are passed by the names its signature takes:
the class's (beta or L, mu, R) and any other given with --set.
"""
import inspect

from pplimits._util.checks import UsageError
from pplimits._util.imports import import_object, is_import_path
from pplimits.bounds.pep.trace import MethodTrace, Vector, exact


def is_user_method(method) -> bool:
    """A user's method: a function, or PACKAGE.MODULE:NAME (a built-in one is a name without ':')."""
    return callable(method) or is_import_path(method)


def label(method) -> str:
    """How a user's method is named in results: its import path, or MODULE:QUALNAME of the function given."""
    return method if isinstance(method, str) else f"{method.__module__}:{method.__qualname__}"


def own_parameters(method, class_parameters: tuple[str, ...]) -> tuple[str, ...]:
    """The names the user's function takes beyond x0, gradient, iterations and the class's constants."""
    return tuple(p for p in _signature(method)[0].parameters
                 if p not in ("x0", "gradient", "iterations", *class_parameters))


def _signature(method) -> tuple[inspect.Signature, object]:
    """The user's function (imported where `method` is a path) and its checked signature."""
    path = label(method)
    function = import_object(method) if isinstance(method, str) else method
    if not callable(function):
        raise UsageError(f"method {path!r} must be a function NAME(x0, gradient, iterations, **constants)")
    signature = inspect.signature(function)
    if list(signature.parameters)[:3] != ["x0", "gradient", "iterations"]:
        raise UsageError(f"method {path!r} must take (x0, gradient, iterations, ...) first, takes "
                         f"({', '.join(signature.parameters)})")
    return signature, function


def trace_user(method, iterations: int, mu, constants: dict) -> MethodTrace:
    """The user's function run once on exact symbolic points: its oracle points and its measured output(s)."""
    (signature, function), path = _signature(method), label(method)
    missing = [p for p, spec in list(signature.parameters.items())[3:]
               if p not in constants and spec.default is inspect.Parameter.empty]
    if missing:
        raise UsageError(f"method {path} needs {missing[0]}: give it with --set {missing[0]}=VALUE")
    traced = MethodTrace(mu=exact(mu))
    given = {k: v for k, v in constants.items() if k in signature.parameters}
    try:
        output = function(traced.start(), traced.gradient, iterations, **given)
    except UsageError:
        raise
    except Exception as error:  # the user's method failed on pplimits' symbolic points: say what it may use
        raise UsageError(f"method {path} failed when traced ({type(error).__name__}: {error}); it may use +, - and "
                         "scalar * and / on the points it is given") from None
    points = output if isinstance(output, (list, tuple)) else [output]
    if not points or not all(isinstance(p, Vector) for p in points):
        raise UsageError(f"method {path} must return the output point (or a list of points) built from x0 and "
                         f"gradient, returned {type(output).__name__}")
    for point in points:
        traced.measure(point)
    return traced
