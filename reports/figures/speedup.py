"""Time to ε against pipeline depth Δ, every method, with the bounds: the speed-up in depth.

Smooth convex (nesterov-chain, sized for ε): GD, AGD and heavy ball against the DERIVED class lower
bound and the methods' DERIVED upper bounds, all ∝ (Δ + n − 1). Non-smooth convex
(max-function-lipschitz): the pipelined subgradient method against PPRS (Theorem D tuning, PAPER shape,
DERIVED constants), whose batch of nK queries shares one pipeline fill, so its time grows ∝ (nK + Δ − 1):
the measured speed-up time_subgradient/time_PPRS grows near-linearly in Δ while Δ ≪ nK.
Each point is a separate measurement at that depth (`experiments.measure.measure`); a randomised method's
time to ε is the time at which every seed has reached ε.
"""
from pplimits.algorithms.clock import PipelineModel
from pplimits.experiments.matrix import QUICK, Profile
from pplimits.experiments.measure import build_instance, measure
from pplimits.reports.figures.style import COINCIDING_STYLE, LOWER_STYLE, METHOD_STYLE, UPPER_STYLE, coinciding

TITLE = "Time to ε against pipeline depth: the speed-up"
PANELS = (  # instance, ε, instance parameters, methods
    ("nesterov-chain", 1e-3, {}, ("gd", "agd", "heavy-ball")),
    ("max-function-lipschitz", 0.05, {}, ("subgradient", "pprs")),
)


def data(profile: Profile = QUICK) -> dict:
    """Measured times to ε and the bounds at each depth, for each panel; JSON-ready."""
    depths, seeds = list(profile.speedup_depths), profile.speedup_seeds
    panels = []
    for name, eps, params, methods in PANELS:
        instance = build_instance(name, eps, None, params)
        rows = {m: [] for m in methods}
        lower = []
        for depth in depths:
            for method in methods:
                summary, _ = measure(method, instance, PipelineModel(depth), eps, seeds if method == "pprs" else 1)
                rows[method].append({"time": summary.time_to_eps, "upper": summary.upper_bound_time,
                                     "K": summary.K})
                if method in ("gd", "subgradient"):
                    lower.append(summary.lower_bound_time)
        panels.append({"instance": name, "setting": instance.setting, "eps": eps, "dim": instance.dim,
                       "methods": rows, "lower": lower, "seeds": {"pprs": seeds}})
    return {"depths": depths, "inputs": 1, "panels": panels}


def speedups(data) -> list[dict]:
    """Measured and bound speed-up of PPRS over the subgradient method, per depth."""
    methods = data["panels"][1]["methods"]
    return [{"depth": depth, "measured": sub["time"] / pprs["time"], "bound": sub["upper"] / pprs["upper"]}
            for depth, sub, pprs in zip(data["depths"], methods["subgradient"], methods["pprs"])]


def caption(data) -> str:
    first, last = speedups(data)[0], speedups(data)[-1]
    samples = data["panels"][1]["methods"]["pprs"][0]["K"]
    return (f"Top: time to ε (log-log) against depth Δ, n = {data['inputs']}, GPipe half duplex; solid: measured, "
            "dotted: the method's DERIVED upper bound, dashed black: the DERIVED class lower bound for span methods "
            "(PPRS is not one). Bottom: PPRS's measured speed-up over the pipelined subgradient method grows from "
            f"{first['measured']:.3g}× at Δ = {first['depth']} to {last['measured']:.3g}× at Δ = {last['depth']} "
            f"(ratio of the upper bounds: {first['bound']:.3g}× to {last['bound']:.3g}×); grey: ∝ Δ for reference. "
            f"The speed-up is near-linear only while Δ ≪ nK; here Theorem D's tuning gives K = {samples}, so it "
            "saturates beyond: the regime map shows where near-linear speed-up holds.")


def draw(data, fig) -> None:
    top = fig.subfigures(2, 1, height_ratios=(1.2, 1))
    axes = top[0].subplots(1, 2)
    depths = data["depths"]
    for ax, panel in zip(axes, data["panels"]):
        methods = list(panel["methods"].items())
        equal_to = coinciding([(depths, [r["time"] for r in rows]) for _, rows in methods])
        for (method, rows), earlier in zip(methods, equal_to):
            style = METHOD_STYLE[method]
            label = style["label"] + (f" ({panel['seeds']['pprs']} seeds)" if method == "pprs" else "")
            coincide = {"markersize": 4} if earlier is None else {**COINCIDING_STYLE, "markersize": 7}
            if earlier is not None:
                label += f" (= {METHOD_STYLE[methods[earlier][0]]['label']} here)"
            ax.plot(depths, [r["time"] for r in rows], color=style["color"], marker=style["marker"], label=label,
                    **coincide)
            ax.plot(depths, [r["upper"] for r in rows], **{**UPPER_STYLE, "color": style["color"]})
        ax.plot(depths, panel["lower"], **LOWER_STYLE, label="class lower bound (span methods)")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_title(f"{panel['instance']} (d = {panel['dim']}, ε = {panel['eps']:g})")
        ax.set_xlabel("pipeline depth Δ (layers)")
        ax.set_ylabel("time to ε (time units)")
        ax.legend(loc="upper left", fontsize=6.5)
    ax = top[1].subplots()
    rows = speedups(data)
    ax.plot(depths, [r["measured"] for r in rows], color=METHOD_STYLE["pprs"]["color"], marker="o",
            label="measured: time(subgradient) / time(PPRS)")
    ax.plot(depths, [r["bound"] for r in rows], **{**UPPER_STYLE, "color": METHOD_STYLE["pprs"]["color"]},
            label="ratio of the DERIVED upper bounds")
    ax.plot(depths, [rows[0]["measured"] * d / depths[0] for d in depths], color="grey", linewidth=0.8,
            label="∝ Δ (linear speed-up)")
    ax.axhline(1, color="black", linewidth=0.6)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("pipeline depth Δ (layers)")
    ax.set_ylabel("speed-up of PPRS over subgradient (×)")
    ax.set_title("Non-smooth: speed-up of PPRS in depth")
    ax.legend(loc="upper left")
