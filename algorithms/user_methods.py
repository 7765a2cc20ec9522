"""Methods by import path, `PACKAGE.MODULE:NAME`: a user's own method, run like a built-in one.

NAME is a method object, or a factory pplimits calls with the instance's constants its signature names among
CONSTANTS (and the `--set` values for its other parameters). A method object follows either

- pplimits' protocol, over batched arrays x of shape (runs, dim): `init(x0) -> state`,
  `queries(state) -> (runs, queries_per_iteration, dim)`, `update(state, gradients) -> state`,
  `iterate(state) -> (runs, dim)`; or
- the optax convention, duck-typed so plain numpy code qualifies: `init(params) -> state`,
  `update(grads, state, params) -> (updates, state)`; the gradient is queried at params, the next params are
  params + updates, and the iterate is params.

A user method binds the span lower bounds only if it says it is zero-respecting (`span_method = True`), and
is run to its iteration cap instead of stopping at ε only if it says it is randomised (`stochastic = True`):
pplimits never guesses either from a name.
"""
import inspect
import math
from dataclasses import dataclass

from pplimits._util.checks import UsageError
from pplimits._util.imports import import_object as load

CONSTANTS = ("beta", "mu", "lipschitz", "radius", "dim")  # passed by name from the instance
PROTOCOL = ("init", "queries", "update", "iterate")


def _is_method(obj) -> bool:
    """A method object has init and update; a class with them is a factory (it is called to make one)."""
    return not inspect.isclass(obj) and all(callable(getattr(obj, name, None)) for name in ("init", "update"))


def parameters(path: str) -> tuple[str, ...]:
    """The parameters a `--set` may give the factory at `path` (its own, not the instance's constants)."""
    obj = load(path)
    if _is_method(obj) or not callable(obj):
        return ()
    return tuple(p for p in inspect.signature(obj).parameters if p not in CONSTANTS)


def build(path: str, instance, overrides: dict):
    """The user's method at `path` for `instance`, in pplimits' protocol (see the module)."""
    return adopt(load(path), path, instance, overrides)


def label(obj) -> str:
    """What a user's method object or factory is called in measurements: its `name`, else its qualified name."""
    name = getattr(obj, "name", None)
    return name if isinstance(name, str) else getattr(obj, "__qualname__", type(obj).__name__)


def adopt(obj, path: str, instance, overrides: dict):
    """A user's method object or factory (`path`: how to name it in messages) for `instance`."""
    if not _is_method(obj):
        if not callable(obj):
            raise UsageError(f"method {path!r} is neither a method object (init and update) nor a factory")
        obj = _call_factory(path, obj, instance, overrides)
    elif overrides:
        raise UsageError(f"method {path!r} is an object, not a factory: it takes no parameters, got "
                         f"{', '.join(sorted(overrides))}")
    if not _is_method(obj):
        raise UsageError(f"method {path!r}: the factory returned a {type(obj).__name__}, not a method object "
                         "(init and update)")
    native = all(callable(getattr(obj, part, None)) for part in PROTOCOL)
    return UserMethod(obj if native else OptaxMethod(obj), path, bool(getattr(obj, "span_method", False)),
                      bool(getattr(obj, "stochastic", False)), int(getattr(obj, "queries_per_iteration", 1)))


def _call_factory(path: str, factory, instance, overrides: dict):
    signature = inspect.signature(factory)
    unknown = sorted(set(overrides) - set(signature.parameters))
    if unknown:
        raise UsageError(f"unknown parameter {unknown[0]!r} for method {path}; allowed: "
                         f"{', '.join(p for p in signature.parameters if p not in CONSTANTS) or 'none'}")
    arguments = dict(overrides)
    for name, parameter in signature.parameters.items():
        if name in CONSTANTS and name not in arguments:
            value = getattr(instance, name, None)
            if value is None or (isinstance(value, float) and not math.isfinite(value)):
                if parameter.default is inspect.Parameter.empty:
                    raise UsageError(f"method {path} needs {name}, which {instance.name} does not have "
                                     f"({name} = {value})")
                continue
            arguments[name] = value
        elif name not in arguments and parameter.default is inspect.Parameter.empty \
                and parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            raise UsageError(f"method {path} needs {name}: give it with --set {name}=VALUE")
    return factory(**arguments)


@dataclass(frozen=True)
class OptaxMethod:
    """An optax-style transformation in pplimits' protocol: the state is (params, opt_state)."""

    transform: object

    def init(self, x0):
        return x0, self.transform.init(x0)

    def queries(self, state):
        return state[0][:, None, :]

    def update(self, state, gradients):
        params, opt_state = state
        updates, opt_state = self.transform.update(gradients[:, 0, :], opt_state, params)
        return params + updates, opt_state

    def iterate(self, state):
        return state[0]


@dataclass(frozen=True)
class UserMethod:
    """A user's method with what pplimits reads of it: a name, whether it is zero-respecting, whether it is
    randomised, and its queries per iteration. An exception in the user's code, or a query of the wrong shape,
    is a one-line UsageError naming the method (their code, not pplimits')."""

    method: object
    name: str
    span_method: bool
    stochastic: bool
    queries_per_iteration: int = 1

    def _call(self, step: str, *args):
        try:
            return getattr(self.method, step)(*args)
        except UsageError:
            raise
        except Exception as error:
            raise UsageError(f"method {self.name}: its {step} raised {type(error).__name__}: {error}") from None

    def init(self, x0):
        return self._call("init", x0)

    def queries(self, state):
        found = self._call("queries", state)
        shape = getattr(found, "shape", None)
        if shape is None or len(shape) != 3 or shape[1] != self.queries_per_iteration:
            raise UsageError(f"method {self.name}: queries must be an array of shape (runs, queries_per_iteration = "
                             f"{self.queries_per_iteration}, dim), got {shape if shape is not None else type(found)}")
        return found

    def update(self, state, gradients):
        return self._call("update", state, gradients)

    def iterate(self, state):
        return self._call("iterate", state)
