"""`pplimits regime --model`: the regime at a measured model's Δ and d, in seconds with its measured op costs.

The comparison itself is reports.regime's (exact, in time units). The model adds: seconds (each method's iterations
× the makespan of its batch under the schedule with op costs f = max_s f_s and b = max_s b_s: the clock is
synchronous, so the slowest stage sets the tick), which stage that is and what a balanced split would save, and
what a wrong L or R does to the answer. L and R are not measured: every bound depends on them only through ε/(RL)
(bounds.regime.pieces), so a true RL c× the given one gives exactly the answer at ε/c, which the crossover accuracy
ε* already locates.
"""
from dataclasses import dataclass
from fractions import Fraction

from pplimits._util.checks import UsageError
from pplimits.algorithms.clock import Costs, Schedule
from pplimits.algorithms.stage_costs import ModelProfile
from pplimits.reports import regime
from pplimits.reports.regime import NAMES, Explanation

BALANCED = 0.05  # a saving below this is within the timing noise of a shared machine


def seconds_with(explanation: Explanation, costs: Costs) -> dict[str, float]:
    """Each method's bound in seconds: iterations × the makespan of its batch under the point's schedule and `costs`
    (seconds per op)."""
    point, found = explanation.point, {}
    for m in explanation.methods:
        span = Schedule(point.schedule, devices=point.depth, inputs=m.batch, duplex=point.duplex,
                        costs=costs).makespan()
        try:
            found[m.method] = float(m.iterations * Fraction(span))
        except OverflowError:
            raise UsageError(f"{m.claim} in seconds is beyond a float's range (ε too small?)") from None
    return found


@dataclass(frozen=True)
class Sensitivity:
    """How far the true RL may be from the given one (a factor c) before the winner changes, read off the crossover
    accuracy: above `up`× the given, `up_winner` wins; at `down`× or below, `down_winner`. None: no change within
    the searched range, c from `down_limit` to `up_limit`."""
    up: float | None
    up_winner: str | None
    down: float | None
    down_winner: str | None
    down_limit: float
    up_limit: float
    unsettled: bool


def sensitivity(explanation: Explanation) -> Sensitivity:
    found, eps = explanation.crossover_eps, explanation.point.eps
    below = [c for c in found.changes if c.at <= eps]
    above = [c for c in found.changes if c.at > eps]
    return Sensitivity(up=eps / below[-1].at if below else None, up_winner=below[-1].before if below else None,
                       down=eps / above[0].at if above else None, down_winner=above[0].after if above else None,
                       down_limit=eps / found.high, up_limit=eps / found.low, unsettled=found.unsettled is not None)


def duration(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.3g} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    return regime._seconds(seconds)


@dataclass(frozen=True)
class ModelAnswer:
    """The seconds of each method at the measured costs and at a balanced split's."""
    seconds: dict
    balanced: dict

    @property
    def saving(self) -> dict:
        return {m: 1 - self.balanced[m] / self.seconds[m] for m in self.seconds}


def answer(explanation: Explanation, model: ModelProfile) -> ModelAnswer:
    return ModelAnswer(seconds_with(explanation, model.costs), seconds_with(explanation, model.balanced_costs))


def _slowest_sentence(explanation: Explanation, model: ModelProfile, found: ModelAnswer) -> list[str]:
    slow, best = model.slowest, explanation.winner
    by_f = max(model.stages, key=lambda s: (s.forward, -s.stage.index)).stage.index
    by_b = max(model.stages, key=lambda s: (s.backward, -s.stage.index)).stage.index
    costs = model.costs
    saving = found.saving[best]
    text = [f"tick: the clock is synchronous, so every stage's forward takes the slowest forward, "
            f"{duration(float(costs.f))} (stage {by_f}), and every backward the slowest backward, "
            f"{duration(float(costs.b))} (stage {by_b}): an upper bound on a pipeline of unequal stages",
            f"stage {slow.stage.index} ({slow.stage.name}) is the slowest and sets the tick: {model.share:.0%} of the "
            f"model's forward + backward time, against {1 / model.depth:.0%} in a balanced split of {model.depth} "
            + f"stages, which would cut {NAMES[best]}'s time by {saving:.0%} ({duration(found.balanced[best])} "
            f"instead of {duration(found.seconds[best])})"
            + (": within timing noise, the split is balanced" if saving < BALANCED else "")]
    return text


def _lr_sentences(explanation: Explanation) -> list[str]:
    point, found = explanation.point, sensitivity(explanation)
    best = NAMES[explanation.winner]
    up = (f"a larger true RL: {NAMES[found.up_winner]} wins beyond {found.up:.3g}× the one given"
          if found.up is not None else
          f"a larger true RL (up to {found.up_limit:.3g}× the one given) does not change the winner")
    down = (f"a smaller one: {NAMES[found.down_winner]} wins at {found.down:.3g}× or less" if found.down is not None
            else f"a smaller one (down to {found.down_limit:.3g}×) does not change it")
    note = (" (the crossover search left part of the ε range unsettled: see the crossover accuracy above)"
            if found.unsettled else "")
    return [f"L and R are yours to give (--set L=…,R=…; here L = {regime._g(point.lipschitz)}, "
            f"R = {regime._g(point.radius)}): a model does not tell them. Every bound depends on them only through "
            "ε/(RL), so a true RL c× the one given gives the answer at ε/c: the subgradient method's and SGD's times "
            "grow as c² (⌈(RL/ε)²⌉ iterations), PPRS's between c and c² (T ∝ RL·d^{1/4}/ε; its sample term "
            "∝ n(RL/ε)², its depth term ∝ Δ·RL·d^{1/4}/ε). An L or R too small makes every bound optimistic and "
            "tilts the answer against PPRS; too large, every bound pessimistic and the answer tilted towards the "
            "subgradient method and SGD.",
            f"  here {best} wins at the RL given; {up}; {down}{note}"]


def lines(explanation: Explanation, model: ModelProfile) -> list[str]:
    """regime.lines with the model: what was measured, the seconds, the slowest stage, and L and R."""
    found = answer(explanation, model)
    threads = f" ({model.threads} torch threads)" if model.threads else ""
    head = [f"model {model.path}: Δ = {model.depth} stages, d = {model.dim} trainable parameters; forward and "
            f"backward (autograd with a gradient of ones) of one micro-batch of shape {model.input_shape} (from "
            f"{model.input_from}) timed on {model.device}{threads}: the median of {model.repeats} runs after {model.warmup} "
            f"warm-up, in {model.seconds:.2g} s (torch and the model loaded in {model.load_seconds:.2g} s)",
            f"  {'stage':>5}  {'name':<24} {'params':>12} {'forward':>10} {'backward':>10} {'f + b share':>12}"]
    total = sum(s.total for s in model.stages)
    for s in model.stages:
        mark = "*" if s is model.slowest else " "
        head.append(f" {mark}{s.stage.index:>5}  {s.stage.name[:24]:<24} {s.stage.params:>12} "
                    f"{duration(s.forward):>10} {duration(s.backward):>10} {s.total / total:>12.1%}")
    body = regime.lines(explanation)
    body.insert(2, f"  an input here is one micro-batch of shape {model.input_shape}, as measured")
    costs = model.costs
    seconds = [f"in seconds with the measured op costs (f = {duration(float(costs.f))}, b = "
               f"{duration(float(costs.b))} per op): " + ", ".join(f"{m} {regime._seconds(v)}"
                                                                    for m, v in found.seconds.items())]
    return [*head, *body[:-1], *seconds, *_slowest_sentence(explanation, model, found), *_lr_sentences(explanation),
            body[-1]]


def as_json(explanation: Explanation, model: ModelProfile) -> dict:
    """regime.as_json with `seconds`, `op_costs`, `model` (d, stages, params, measured f and b per stage, the tick,
    the slowest stage) and `L_R` (what a wrong L or R does)."""
    found, lr = answer(explanation, model), sensitivity(explanation)
    slow = model.slowest
    payload = regime.as_json(explanation)
    payload["seconds"] = found.seconds
    payload["op_costs"] = {"f": float(model.costs.f), "b": float(model.costs.b)}
    payload["model"] = {
        "path": model.path, "device": model.device, "input_shape": list(model.input_shape),
        "input_from": model.input_from, "threads": model.threads, "warmup": model.warmup, "repeats": model.repeats,
        "measure_seconds": model.seconds,
        "load_seconds": model.load_seconds, "d": model.dim, "stages": model.depth,
        "names": [s.stage.name for s in model.stages], "params_per_stage": [s.stage.params for s in model.stages],
        "forward_seconds": [s.forward for s in model.stages], "backward_seconds": [s.backward for s in model.stages],
        "tick": {"forward_seconds": float(model.costs.f), "backward_seconds": float(model.costs.b)},
        "slowest_stage": {"stage": slow.stage.index, "name": slow.stage.name, "share": model.share,
                          "balanced_seconds": found.balanced, "balanced_saving": found.saving},
    }
    payload["L_R"] = {"given_by": "user", "L": explanation.point.lipschitz, "R": explanation.point.radius,
                      "winner_above": None if lr.up is None else {"factor": lr.up, "winner": lr.up_winner},
                      "winner_at_or_below": None if lr.down is None else {"factor": lr.down,
                                                                          "winner": lr.down_winner},
                      "searched_factors": [lr.down_limit, lr.up_limit], "note": _lr_sentences(explanation)[0]}
    return payload
