"""One call from (method, class, N, parameters) to the worst case, its solver record and its exact certificate.

Worst case of f(x_N) − f* (of min_{k≤N} f(x_k) − f* for the subgradient method) over the class with
‖x₀ − x*‖ ≤ R. Parameters are exact rationals: "0.1" is 1/10, "1/3" is 1/3.
Defaults: β = 1, μ = β/10 (strongly-convex), L = 1, R = 1; steps 1/β (gd), R/(L√(N+1)) (subgradient),
1/(β(s+1)) with staleness s = 1 (stale-gd); agd's step is 1/β.
"""
import math
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from fractions import Fraction

from pplimits._util.checks import UsageError, parse_number, parse_value, require_int
from pplimits.bounds.pep.certificate import DEFAULT_MARGIN, certify
from pplimits.bounds.pep.chain import solve_chain
from pplimits.bounds.pep.classes import LipschitzConvex, SmoothStronglyConvex
from pplimits.bounds.pep.methods import PEP_METHODS, trace
from pplimits.bounds.pep.sdp import SOLVER, SolverFailure, solve
from pplimits.bounds.pep.trace import exact
from pplimits.bounds.pep.user import is_user_method, label, own_parameters, trace_user

CLASSES = {"smooth-convex": "smooth", "strongly-convex": "smooth", "lipschitz-convex": "lipschitz"}
FAMILY = {"gd": "smooth", "agd": "smooth", "stale-gd": "smooth", "subgradient": "lipschitz"}
CLASS_PARAMETERS = {"smooth": ("beta", "mu", "R", "step", "staleness"), "lipschitz": ("L", "R", "step")}
MAX_ITERATIONS = 200
FULL_LIMIT = 100  # the all-pairs SDP: N = 100 takes about 80 s on two cores, N = 200 aborted at 10.7 GB
EXACT_LIMIT = 50  # exact certificates are attempted up to this N (cost grows fast beyond)


SCALE = (Fraction(1, 10**9), Fraction(10**9))  # the SDP is solved in floating point: parameters within these


def _rational(name: str, value, positive: bool = True) -> Fraction:
    number = parse_value(name, value)
    if positive and number <= 0:
        raise UsageError(f"{name} must be > 0, got {value!r}")
    if number and not SCALE[0] <= abs(number) <= SCALE[1]:
        raise UsageError(f"{name} must be between 1e-9 and 1e9 (the SDP is solved in floating point), got {value!r}")
    return number


def parameters(method: str, function_class: str, iterations, values: dict) -> tuple[int, dict]:
    """Checked N and exact parameters with their defaults; one-line ValueError naming what is wrong. A user's
    method (PACKAGE.MODULE:NAME, bounds/pep/user.py) runs on any class and takes its own parameters too."""
    user = is_user_method(method)
    if not user and method not in PEP_METHODS:
        raise UsageError(f"method must be one of {', '.join(PEP_METHODS)} or PACKAGE.MODULE:NAME, got {method!r}")
    if function_class not in CLASSES:
        raise UsageError(f"class must be one of {', '.join(CLASSES)}, got {function_class!r}")
    family = CLASSES[function_class]
    if user:
        return _user_parameters(method, function_class, family, iterations, values)
    if FAMILY[method] != family:
        allowed = ", ".join(c for c, f in CLASSES.items() if f == FAMILY[method])
        raise UsageError(f"method {method} runs on class {allowed}, not {function_class}")
    typed = parse_number("iterations", iterations) if isinstance(iterations, str) else iterations
    n = require_int("iterations", typed, 1, MAX_ITERATIONS)  # the one grammar: 1e1 is 10, as everywhere
    unknown = sorted(set(values) - set(CLASS_PARAMETERS[family]))
    if unknown:
        raise UsageError(f"unknown parameter {unknown[0]!r} for class {function_class}; allowed: "
                         f"{', '.join(CLASS_PARAMETERS[family])}")
    if "staleness" in values and method != "stale-gd":
        raise UsageError("staleness applies to method stale-gd only")
    if "mu" in values and function_class != "strongly-convex":
        raise UsageError("mu applies to class strongly-convex only (smooth-convex has mu = 0)")
    out = {"R": _rational("R", values.get("R", 1))}
    if family == "lipschitz":
        out["L"] = _rational("L", values.get("L", 1))
        default = Fraction(math.sqrt(n + 1)).limit_denominator(10**6)
        out["step"] = _rational("step", values.get("step", out["R"] / (out["L"] * default)))
        return n, out
    out["beta"] = _rational("beta", values.get("beta", 1))
    out["mu"] = _rational("mu", values.get("mu", out["beta"] / 10)) if function_class == "strongly-convex" else 0
    if out["mu"] >= out["beta"]:
        raise UsageError(f"mu must be < beta, got mu={out['mu']}, beta={out['beta']}")
    if method == "stale-gd":
        try:
            staleness = int(str(values.get("staleness", 1)))
        except ValueError:
            staleness = -1
        if not 0 <= staleness < n:
            raise UsageError(f"staleness must be an integer in 0…{n - 1}, got {values.get('staleness')!r}")
        out["staleness"] = staleness
        out["step"] = _rational("step", values.get("step", 1 / (out["beta"] * (staleness + 1))))
    elif method == "gd":
        out["step"] = _rational("step", values.get("step", 1 / out["beta"]))
    elif "step" in values:
        raise UsageError("agd's step is 1/beta; set beta")
    return n, out


USER_CLASS_PARAMETERS = {"smooth": ("beta", "mu", "R"), "lipschitz": ("L", "R")}


def _user_parameters(method: str, function_class: str, family: str, iterations, values: dict) -> tuple[int, dict]:
    """A user's method: N, the class's constants (beta, mu, R or L, R) and the function's own parameters."""
    typed = parse_number("iterations", iterations) if isinstance(iterations, str) else iterations
    n = require_int("iterations", typed, 1, MAX_ITERATIONS)
    allowed = (*USER_CLASS_PARAMETERS[family], *own_parameters(method, USER_CLASS_PARAMETERS[family]))
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise UsageError(f"unknown parameter {unknown[0]!r} for {label(method)} on class {function_class}; allowed: "
                         f"{', '.join(allowed)}")
    if "mu" in values and function_class != "strongly-convex":
        raise UsageError("mu applies to class strongly-convex only (smooth-convex has mu = 0)")
    out = {"R": _rational("R", values.get("R", 1))}
    if family == "lipschitz":
        out["L"] = _rational("L", values.get("L", 1))
    else:
        out["beta"] = _rational("beta", values.get("beta", 1))
        out["mu"] = _rational("mu", values.get("mu", out["beta"] / 10)) if function_class == "strongly-convex" else 0
        if out["mu"] >= out["beta"]:
            raise UsageError(f"mu must be < beta, got mu={out['mu']}, beta={out['beta']}")
    for name in set(values) - set(out):
        out[name] = parse_value(name, values[name])
    return n, out


FORMULATIONS = ("full", "chain")
# The chain relaxation equals the all-pairs worst case (within 2e-7, solver accuracy) for GD steps ≤ 3/(2β) at every
# N checked; above, it can exceed it (+18 % at step 9/(5β), N = 8), so it is refused there. For AGD (FISTA) on
# smooth-convex it equals it within the full solve's own duality gap at N = 1 … 12, 15, 20, 25, 30 (≤ 4e-7); with
# constant momentum on strongly-convex it does not (+8.7 % at μ = β/10, N = 20), so it is refused there.
CHAIN_TIGHT_STEP = Fraction(3, 2)
CHAIN_METHODS = ("gd", "agd")


@dataclass(frozen=True)
class WorstCase:
    """The worst case of a method over a function class after N iterations, the solver's record, and the exact
    certificate (`certified` only when the rational check proved worst_case · (1 + margin))."""

    method: str
    function_class: str
    iterations: int
    formulation: str
    params: dict[str, str]
    worst_case: float
    solver: str
    solver_status: str
    certified: bool
    margin: float | None
    certified_bound: str | None
    certificate: str
    seconds: float
    dual_bound: float | None = None  # full formulation only: the dual's record
    duality_gap: float | None = None
    min_eig_G: float | None = None
    min_eig_S: float | None = None

    def as_dict(self) -> dict:
        """JSON-ready; the class under its user-facing name `class`."""
        found = asdict(self)
        return {"class": found.pop("function_class"), **found}


@contextmanager
def _solver_failures(params: dict):
    """A solver failure where a step above 2/β makes the worst case grow like (γβ − 1)^{2N} is the input's (a
    UsageError naming step); anywhere else it stays a SolverFailure — pplimits' limit, not the user's input."""
    try:
        yield
    except SolverFailure as failure:
        step, beta = params.get("step"), params.get("beta")
        if step is not None and beta is not None and step * beta > 2:
            raise UsageError(f"step {step} is above 2/beta = {2 / beta}, where the worst case grows like "
                             f"(step·beta − 1)^(2N) and is unbounded for the solver ({failure}); use step <= 2/beta"
                             ) from None
        raise


def require_margin(value) -> Fraction:
    """The largest margin a certificate may be accepted at: a number in [0, 1), read exactly."""
    number = parse_value("margin", value)
    if not 0 <= number < 1:
        raise UsageError(f"margin must be a number in [0, 1), got {value!r}")
    return number


def _chain_proof(found: dict, accepted: Fraction | None = None) -> dict:
    """The chain's exact bound as a margin over its value, rounded up to two significant digits (so
    worst_case × (1 + margin) ≥ the exact bound ≥ the relaxation's optimum ≥ the true worst case); not certified
    if that margin is above `accepted` (a margin the user gave)."""
    bound, claimed = found["exact_bound"], exact(found["worst_case"])
    if bound is None or claimed <= 0:
        return {"certified": False, "margin": None, "certified_bound": None,
                "certificate": "no exact bound: the dual has no performance multiplier"}
    excess = bound / claimed - 1
    margin = Fraction(0)
    if excess > 0:
        unit = Fraction(10) ** (math.floor(math.log10(excess)) - 1)
        margin = math.ceil(excess / unit) * unit
    if accepted is not None and margin > accepted:
        return {"certified": False, "margin": None, "certified_bound": None,
                "certificate": f"the exact bound {float(bound):.12g} exceeds the worst case {found['worst_case']:.12g} "
                               f"by more than the margin {float(accepted):g} (it needs {float(margin):g})"}
    return {"certified": True, "margin": float(margin), "certified_bound": str(claimed * (1 + margin)),
            "certificate": "exact: the rounded dual's bound, each 3×3 block's deficit times the bound on its trace"}


def worst_case(method: str, function_class: str, iterations, values: dict | None = None, exact: bool = True,
               formulation: str = "full", margin=None) -> WorstCase:
    """The worst case, the solver's record and the exact certificate (attempted for N ≤ EXACT_LIMIT, full
    formulation). formulation "chain" (gd; agd on smooth-convex): consecutive-pair rows on a chordal Gram matrix
    (bounds/pep/chain.py), an upper bound equal to the full value where cross-checked, fast for long runs.
    margin: the largest margin a certificate may be accepted at, a number in [0, 1) read exactly (default 1e-6 for
    the full formulation; the chain's margin is its exact bound's, refused only above a margin given here)."""
    start = time.perf_counter()
    accepted = None if margin is None else require_margin(margin)
    if formulation not in FORMULATIONS:
        raise UsageError(f"formulation must be one of {', '.join(FORMULATIONS)}, got {formulation!r}")
    if formulation == "chain" and method not in CHAIN_METHODS:
        raise UsageError(f"the chain formulation is for methods gd and agd, not {method}; use --formulation full")
    if formulation == "chain" and method == "agd" and function_class != "smooth-convex":
        raise UsageError(f"the chain formulation is for agd on smooth-convex (where it equals the all-pairs worst "
                         f"case), not {function_class}; use --formulation full")
    n, params = parameters(method, function_class, iterations, values or {})
    if formulation == "full" and n > FULL_LIMIT:
        raise UsageError(f"iterations must be at most {FULL_LIMIT} for the full formulation (N = 200 took over 10 GB "
                         f"here), got {n}; the chain formulation (gd, agd) goes to {MAX_ITERATIONS}")
    if is_user_method(method):
        lipschitz = CLASSES[function_class] == "lipschitz"
        cls = LipschitzConvex(params["L"]) if lipschitz else SmoothStronglyConvex(params["beta"], params["mu"])
        traced = trace_user(method, n, 0 if lipschitz else params["mu"], params)
    elif CLASSES[function_class] == "lipschitz":
        cls, traced = LipschitzConvex(params["L"]), trace(method, n, step=params["step"])
    else:
        cls = SmoothStronglyConvex(params["beta"], params["mu"])
        method_params = {"L": params["beta"]} if method == "agd" else {"step": params["step"]}
        if method == "stale-gd":
            method_params["staleness"] = params["staleness"]
        traced = trace(method, n, mu=params["mu"], **method_params)
    common = {"method": label(method) if is_user_method(method) else method, "function_class": function_class, "iterations": n, "formulation": formulation,
              "params": {k: str(v) for k, v in params.items()}, "solver": SOLVER}
    if formulation == "chain":
        if method == "gd" and params["step"] * params["beta"] > CHAIN_TIGHT_STEP:
            raise UsageError(f"step must be at most {CHAIN_TIGHT_STEP}/beta for the chain formulation (where it equals "
                             f"the all-pairs worst case), got {params['step']}; use --formulation full")
        with _solver_failures(params):
            found = solve_chain(traced, cls, params["R"])
        return WorstCase(**common, worst_case=found["worst_case"], solver_status=found["status"],
                         **_chain_proof(found, accepted), seconds=time.perf_counter() - start)
    with _solver_failures(params):
        solution = solve(traced, cls, float(params["R"]))
    record = {"worst_case": solution.worst_case, "solver_status": solution.status, "dual_bound": solution.dual_bound,
              "duality_gap": solution.gap, "min_eig_G": solution.min_eig_G, "min_eig_S": solution.min_eig_S}
    if exact and n <= EXACT_LIMIT:
        certificate = certify(traced, cls, solution, params["R"], DEFAULT_MARGIN if accepted is None else accepted)
        proof = {"certified": certificate.certified,
                 "margin": None if certificate.margin is None else float(certificate.margin),
                 "certified_bound": None if certificate.bound is None else str(certificate.bound),
                 "certificate": certificate.reason}
    else:
        reason = "not attempted (--no-exact)" if not exact else f"not attempted above N = {EXACT_LIMIT} (cost)"
        proof = {"certified": False, "margin": None, "certified_bound": None, "certificate": reason}
    return WorstCase(**common, **record, **proof, seconds=time.perf_counter() - start)
