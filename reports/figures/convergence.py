"""f − f* (‖∇f‖ on the non-convex chain) against pipeline time, every method on each hard instance,
between the lower and upper bound envelopes.

Envelopes, all evaluated at the instance's own parameters (R = ‖x₀ − x*‖, β, μ, L, Δ, n):
- the instance span bound E(⌊t/τ⌋): no span method is below it at time t (DERIVED, rounds lemma);
- each method's registered `<setting>.<method>.upper.gap-at-time` claim (DERIVED);
- where a method's guarantee is a time to reach ε (`<setting>.<method>.upper.time`), a marker at
  (that time, ε); likewise the class lower bound `<setting>.lower.time` at (time, ε), which the
  instance, sized for ε, certifies at ε (the class gap-at-time curve is a worst case over dimensions
  that this one instance attains only there, so it is not drawn).
Randomised methods are summarised over their seeds: random span methods by the best run (the lower
bound binds every run), PPRS by the seed mean with its 95 % Student-t band. A user's methods (`pplimits report
--method PACKAGE.MODULE:NAME`) are drawn on the smooth panels, one run each, against the same envelopes.
"""

import numpy as np

from pplimits.algorithms.clock import PipelineModel
from pplimits.algorithms.statistics import student_ci95
from pplimits.bounds.claim import ClaimKey
from pplimits.bounds.registry import find
from pplimits.experiments.matrix import QUICK, RANDOM_SPAN_SEED, Profile
from pplimits.experiments.measure import bound_values, build_instance, measure
from pplimits.reports.figures.style import COINCIDING_STYLE, LOWER_STYLE, UPPER_STYLE, coinciding, method_styles

TITLE = "Convergence in pipeline time, between the bound envelopes"
DEPTH = 4
PANELS = (  # instance, ε, instance parameters, methods
    ("nesterov-chain", 1e-3, {}, ("gd", "agd", "heavy-ball", "random-span")),
    ("strongly-convex-chain", 1e-6, {"mu": 0.01}, ("gd", "agd", "heavy-ball")),
    ("carmon-chain", 0.05, {"chain_length": 4}, ("gd", "random-span")),
    ("max-function", 0.05, {}, ("subgradient", "random-span")),
    ("max-function-lipschitz", 0.05, {}, ("subgradient", "pprs", "pprs-drs")),
)
POINTS = 240  # log-spaced samples kept per curve


def _log_indices(last: int) -> np.ndarray:
    return np.unique(np.round(np.geomspace(1, max(last, 1), POINTS)).astype(int))


def _envelope(claim, values, times) -> dict | None:
    names = claim.named(values, without=("t",))
    if claim.failed_assumptions(values) or set(claim.parameters) - set(names) - {"t"}:
        return None
    bound = np.asarray(claim.numeric(t=times, **names), dtype=float) * np.ones_like(times, dtype=float)
    keep = np.isfinite(bound) & (bound > 0)
    return {"id": claim.id, "method": claim.key.subject, "label": claim.label, "times": times[keep].tolist(),
            "values": bound[keep].tolist()}


def _time_claim(key: ClaimKey, values) -> dict | None:
    claim = find(key)
    if claim is None or claim.failed_assumptions(values):
        return None
    try:
        return {"id": claim.id, "method": key.subject, "label": claim.label, "time": claim.evaluate(values)}
    except ValueError:
        return None


def _curve(method, instance, model, eps, seeds):
    random_span = method == "random-span"  # never reaches ε before the span bound: run just past it
    summary, trace = measure(method, instance, model, eps, seeds, {"seed": RANDOM_SPAN_SEED} if random_span else None,
                             2 * instance.span_rounds(eps) + 10 if random_span else None)
    index = _log_indices(trace.iterations)
    values = trace.values[:, index]
    curve = {"method": method, "seeds": seeds, "time_to_eps": summary.time_to_eps,
             "times": trace.times[index].tolist()}
    if random_span:
        curve.update(values=values.min(axis=0).tolist(), summary=f"best of {seeds} runs")
    elif seeds > 1:
        half = student_ci95(values)
        mean = values.mean(axis=0)
        curve.update(values=mean.tolist(), low=(mean - half).tolist(), high=(mean + half).tolist(),
                     summary=f"mean of {seeds} seeds, 95 % band")
    else:
        curve.update(values=values[0].tolist(), summary="deterministic")
    return curve


def data(profile: Profile = QUICK, user_methods: tuple[str, ...] = ()) -> dict:
    """Traces and envelopes for every panel (Δ = 4, n = 1, gpipe half duplex), a user's methods on the smooth
    ones; JSON-ready."""
    model = PipelineModel(DEPTH)
    seeds = profile.seeds_of
    panels = []
    for name, eps, params, methods in PANELS:
        instance = build_instance(name, eps, None, params)
        if instance.setting != "nonsmooth-convex":
            methods = (*methods, *user_methods)
        values = bound_values(instance, model, eps)
        curves = [_curve(m, instance, model, eps, seeds.get(m, 1)) for m in methods]
        last = max(c["times"][-1] for c in curves)
        times = model.latency * _log_indices(max(1, last // model.latency))
        gap_claims = {m: find(ClaimKey(instance.setting, "upper.gap-at-time", m)) for m in methods}
        upper = [e for c in gap_claims.values() if c for e in [_envelope(c, values, times)] if e]
        span = None
        if hasattr(instance, "span_gap"):
            span = {"times": times.tolist(), "values": np.asarray(instance.span_gap(times // model.latency), float).tolist()}
        markers = [m for m in [_time_claim(ClaimKey(instance.setting, "lower.time"), values)] +
                   [_time_claim(ClaimKey(instance.setting, "upper.time", m), values) for m in methods
                    if gap_claims[m] is None] if m]
        panels.append({"instance": name, "setting": instance.setting, "criterion": instance.criterion, "eps": eps,
                       "dim": instance.dim, "curves": curves, "span_bound": span, "upper": upper,
                       "markers": markers})
    return {"depth": DEPTH, "inputs": 1, "panels": panels, "user_methods": list(user_methods)}


def caption(data) -> str:
    return (f"Each method on each hard instance through a pipeline of depth Δ = {data['depth']} (n = {data['inputs']}, "
            "GPipe half duplex); log-log. Dashed black: the instance's exact span lower bound E(⌊t/τ⌋) (binds "
            "span methods only: not PPRS); dotted, in the method's colour: its "
            "DERIVED upper bound f − f* ≤ U(⌊t/τ_g⌋); markers ▲/▼ at (bound time, ε) where a claim is a time to "
            "reach ε (▲ the DERIVED class lower bound, ▼ the method's upper bound). The grey line is ε."
            + (" Dashed in its colour, a curve that lies on one drawn before it (within 2 % at half its points), so "
               f"both show: {'; '.join(_dashed(data))}." if _dashed(data) else ""))


def _dashed(data) -> list[str]:
    """'heavy ball on GD (nesterov-chain)' for each curve drawn dashed."""
    styles = method_styles(data["user_methods"])
    found = []
    for panel in data["panels"]:
        curves = panel["curves"]
        for curve, earlier in zip(curves, coinciding([(c["times"], c["values"]) for c in curves])):
            if earlier is not None:
                found.append(f"{styles[curve['method']]['label']} on "
                             f"{styles[curves[earlier]['method']]['label']} ({panel['instance']})")
    return found


def draw(data, fig) -> None:
    """The panels, and one legend in the free cell: no legend inside a panel can cover a curve or a marker."""
    axes = fig.subplots(3, 2).ravel()
    styles = method_styles(data["user_methods"])
    methods = {}  # (method, summary) in order of appearance
    for ax, panel in zip(axes, data["panels"]):
        methods.update(dict.fromkeys(_draw_panel(ax, panel, styles)))
    legend = axes[len(data["panels"])]
    legend.axis("off")
    curves = [legend.plot([], [], color=styles[method]["color"], linewidth=1.2,
                          label=f"{styles[method]['label']} ({summary})")[0] for method, summary in methods]
    handles = [*curves, legend.plot([], [], **LOWER_STYLE, label="span lower bound E(⌊t/τ⌋) of the instance")[0],
               legend.plot([], [], color="grey", linestyle=":", label="upper bound (method's colour)")[0],
               legend.plot([], [], linestyle="none", marker="^", color="black", label="lower bound on time to ε")[0],
               legend.plot([], [], linestyle="none", marker="v", color="grey", label="upper bound on time to ε")[0],
               legend.plot([], [], color="grey", **COINCIDING_STYLE, label="dashed: equal to a curve drawn before it")[0]]
    legend.legend(handles=handles, loc="center", frameon=False, fontsize=7)


def _draw_panel(ax, panel, styles: dict) -> list[tuple[str, str]]:
    """Draw one panel; return the (method, summary) of its curves for the shared legend."""
    equal_to = coinciding([(c["times"], c["values"]) for c in panel["curves"]])
    for curve, earlier in zip(panel["curves"], equal_to):
        style = styles[curve["method"]]
        ax.plot(curve["times"], curve["values"], color=style["color"], linewidth=1.2,
                **({} if earlier is None else COINCIDING_STYLE))
        if "low" in curve:
            ax.fill_between(curve["times"], np.maximum(curve["low"], 1e-300), curve["high"], color=style["color"],
                            alpha=0.2, linewidth=0)
    if panel["span_bound"]:
        ax.step(panel["span_bound"]["times"], panel["span_bound"]["values"], where="post", **LOWER_STYLE)
    for envelope in panel["upper"]:
        ax.plot(envelope["times"], envelope["values"], **{**UPPER_STYLE, "color": styles[envelope["method"]]["color"]})
    for marker in panel["markers"]:
        lower = marker["method"] is None  # the class lower bound; an upper bound is about a method
        color = "black" if lower else styles[marker["method"]]["color"]
        ax.plot([marker["time"]], [panel["eps"]], linestyle="none", marker="^" if lower else "v", color=color,
                markersize=6, markeredgecolor="black", markeredgewidth=0.5, zorder=5)
    ax.axhline(panel["eps"], color="grey", linewidth=0.8)
    lowest = min(min(v for v in c.get("low", c["values"]) if v > 0) for c in panel["curves"])
    ax.set_ylim(bottom=min(lowest, panel["eps"]) / 10)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_title(f"{panel['instance']} (d = {panel['dim']}, ε = {panel['eps']:g})")
    ax.set_xlabel("pipeline time t (time units)")
    ax.set_ylabel("‖∇f(x)‖" if panel["criterion"] == "grad-norm" else "f(x) − f*")
    return [(curve["method"], curve["summary"]) for curve in panel["curves"]]
