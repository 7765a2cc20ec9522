"""The schedule families engineers run, a page each: GPipe (Huang et al. 2019), 1F1B and interleaved 1F1B
(Narayanan et al. 2021), zero bubble ZB-H1 (Qi et al. 2023) — the timeline, the bubble fraction against B, the peak
activations, and PPRS's advantage over the subgradient method when every iteration runs under the schedule.

Makespan, bubble fraction and peak activations: DERIVED closed forms (`algorithms.clock.Schedule`, docs/theory.md §1
"Schedules and op costs"); the timeline is SIMULATED (`algorithms.timeline.execute`, checked) and measured against
them. Advantage: the subgradient method's time over PPRS's, each iterations (`bounds.regime.counts`: DERIVED, Theorem
D tuned for PPRS) × the schedule's closed-form makespan of that method's batch.
"""
import math
from fractions import Fraction

from matplotlib.ticker import FuncFormatter

from pplimits.algorithms.clock import Schedule
from pplimits.algorithms.timeline import (
    check,
    execute,
    measured_bubble,
    measured_peak_activations,
    measured_span,
    timed_records,
)
from pplimits.bounds.regime import counts
from pplimits.reports.figures.gantt import draw_timeline, timed_spans
from pplimits.reports.figures.style import COINCIDING_STYLE, SCHEDULE_STYLE

TITLE = "Schedule family"
FAMILIES = {  # name: (chunks v, source)
    "gpipe": (1, "Huang et al. 2019"), "1f1b": (1, "Narayanan et al. 2021"),
    "interleaved-1f1b": (2, "Narayanan et al. 2021 §2.2"), "zb-h1": (1, "Qi et al. 2023")}
DEVICES, INPUTS = 4, 8  # the timeline: P devices, B micro-batches, unit costs
LARGEST_B = 64  # the bubble curves: B from P to this
# Where PPRS's advantage is evaluated: n a multiple of every P ≤ n, so every schedule's domain holds for the
# subgradient method's batch n and PPRS's batch nK (B ≥ P; interleaved, B a multiple of P).
POINT = {"dim": 100, "inputs": 64, "eps": 0.01, "lipschitz": 1.0, "radius": 1.0}
GPIPE_DEVICES = 1024  # GPipe has no B ≥ P condition: its curve goes on past P = n
EMPHASIS = {True: {"linewidth": 2.4, "alpha": 1.0, "zorder": 3}, False: {"linewidth": 1.0, "alpha": 0.55, "zorder": 2}}


def _exact(value):
    """An int as itself, another rational as 'p/q' (JSON has no exact rationals)."""
    value = Fraction(value)
    return int(value) if value.denominator == 1 else str(value)


def _bubble_inputs(name: str, devices: int) -> list[int]:
    """B from P to LARGEST_B in the schedule's domain (interleaved: multiples of P)."""
    step = devices if name == "interleaved-1f1b" else 1
    return list(range(devices, LARGEST_B + 1, step))


def advantage(name: str, devices: int, found: dict) -> Fraction:
    """Subgradient time / PPRS time, each iterations × this schedule's makespan of the method's batch."""
    chunks = FAMILIES[name][0]
    times = {m: found[m].iterations * Fraction(Schedule(name, devices, found[m].batch, chunks).makespan())
             for m in ("subgradient", "pprs")}
    return times["subgradient"] / times["pprs"]


def _same_as(curves: dict, name: str) -> str | None:
    """The earlier family whose curve this one equals exactly wherever both are defined, or None."""
    for other in list(curves)[:list(curves).index(name)]:
        shared = curves[name].keys() & curves[other].keys()
        if shared and all(curves[name][x] == curves[other][x] for x in shared):
            return other
    return None


def data() -> dict:
    """Per family: the simulated timeline (timed records), makespan, bubble and peak activations by closed form
    and as measured on that timeline, the closed-form bubble against B and PPRS's advantage against P; JSON-ready."""
    found = counts(POINT["eps"], POINT["lipschitz"], POINT["radius"], POINT["dim"], POINT["inputs"], POINT["inputs"])
    largest = max(p for p in (2**i for i in range(11)) if p <= POINT["inputs"])
    bubbles, advantages, families = {}, {}, {}
    for name, (chunks, source) in FAMILIES.items():
        schedule = Schedule(name, DEVICES, INPUTS, chunks)
        ops = execute(schedule)
        check(ops, schedule)
        bubbles[name] = {b: Schedule(name, DEVICES, b, chunks).bubble_fraction() for b in _bubble_inputs(name, DEVICES)}
        reach = GPIPE_DEVICES if name == "gpipe" else largest
        advantages[name] = {p: advantage(name, p, found) for p in (2**i for i in range(11)) if p <= reach}
        families[name] = {
            "chunks": chunks, "stages": schedule.stages, "source": source, "records": timed_records(ops),
            "closed_form": {"makespan": _exact(schedule.makespan()), "bubble": str(schedule.bubble_fraction()),
                            "peak": list(schedule.peak_activations())},
            "simulated": {"makespan": _exact(measured_span(ops)), "bubble": str(measured_bubble(ops, schedule)),
                          "peak": list(measured_peak_activations(ops, schedule))},
            "bubble_curve": {"inputs": list(bubbles[name]), "bubble": [float(v) for v in bubbles[name].values()]},
            "advantage": {"devices": list(advantages[name]), "ratio": [float(v) for v in advantages[name].values()]}}
    for name in FAMILIES:
        families[name]["same_as"] = {"bubble": _same_as(bubbles, name), "advantage": _same_as(advantages, name)}
    methods = ("subgradient", "pprs")
    return {"devices": DEVICES, "inputs": INPUTS, "point": POINT, "families": families,
            "counts": {m: {"iterations": found[m].iterations, "batch": found[m].batch} for m in methods}}


def _label(name: str) -> str:
    return SCHEDULE_STYLE[name]["label"]


def title(name: str) -> str:
    return f"{TITLE}: {_label(name)}"


def agreement(family: dict) -> bool:
    """Whether the simulated timeline's makespan, bubble and peaks equal the closed forms."""
    return family["closed_form"] == family["simulated"]


def _crossing(family: dict) -> str:
    """Where the advantage first exceeds ×1 on the plotted P, or that it does not."""
    above = [p for p, r in zip(family["advantage"]["devices"], family["advantage"]["ratio"]) if r > 1]
    devices = family["advantage"]["devices"]
    return (f"PPRS is faster from P = {above[0]} on" if above else
            f"The subgradient method stays faster for every P ≤ {devices[-1]}")


FAMILY_NOTES = {
    "gpipe": "GPipe holds all B activations per device until the backward wave.",
    "1f1b": "GPipe's makespan and bubble at unit costs (dashed over them); it saves memory: P − d + 1 on device d.",
    "interleaved-1f1b": "Δ = vP = {stages} stages of unit cost, twice GPipe's work (cost 1/v: same ratios); peaks "
                        "per (input, chunk).",
    "zb-h1": "B = input gradient (b − w), W = weight gradient (w = b/2); bubble and advantage equal interleaved "
             "v = 2's (dashed).",
}


def caption(data, family: str = "gpipe") -> str:
    found, point = data["families"][family], data["point"]
    closed = found["closed_form"]
    subgradient, pprs = data["counts"]["subgradient"], data["counts"]["pprs"]
    return (f"Top: timeline SIMULATED (algorithms/timeline.py), B = {data['inputs']}, P = {data['devices']}, unit "
            f"costs (f = b = 1, c = 0); its makespan {closed['makespan']}, bubble "
            f"{float(Fraction(closed['bubble'])):.1%} and peaks {'equal' if agreement(found) else 'DIFFER FROM'} the "
            "DERIVED closed forms (algorithms/clock.py, docs/theory.md §1). Middle: closed-form bubble (idle share) "
            "against B; peaks (dots: simulated). Bottom: PPRS's advantage = subgradient time / PPRS time, "
            f"each iterations (bounds/regime.py, DERIVED; d = {point['dim']}, n = {point['inputs']}, "
            f"ε = {point['eps']:g}, L = R = 1: {subgradient['iterations']} of n inputs; PPRS {pprs['iterations']} of "
            f"nK = {pprs['batch']}) × the makespan; n, a multiple of every P ≤ n, keeps all domains (B ≥ P; "
            f"interleaved: P | B); GPipe's alone goes past n. {_crossing(found)}. "
            + FAMILY_NOTES[family].format(stages=found["stages"]) + f" Source: {found['source']}.")


def _gantt(ax, data, name: str) -> None:
    family = data["families"][name]
    records = family["records"]
    spans = timed_spans(records)
    chunked = family["chunks"] > 1
    cell = 6.2 * 72 / max(end for _, end in spans) * min(end - start for start, end in spans)  # points, roughly
    fontsize = min(8.0, cell / (0.8 * 2))  # two characters on a line: kind and input (the chunk below it)
    handles = draw_timeline(ax, records, data["devices"], (lambda s: (s - 1) // data["devices"] + 1) if chunked
                            else None, fontsize=fontsize, stack=chunked)
    closed, simulated = family["closed_form"], family["simulated"]
    ax.set_title(f"{_label(name)}, P = {data['devices']}, B = {data['inputs']}: makespan "
                 f"{simulated['makespan']} simulated, {closed['makespan']} closed form")
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.08), ncol=len(handles), frameon=False,
              borderaxespad=0)


def _curves(ax, data, name: str, key: str, x: str, y: str) -> None:
    """Every family's curve `key` (x, y lists), this page's emphasised, an exact repeat of an earlier one dashed."""
    for other, family in data["families"].items():
        curve, style = family[key], SCHEDULE_STYLE[other]
        same = family["same_as"][key.split("_")[0]]
        label = style["label"] + (f" (= {_label(same)})" if same else "")
        ax.plot(curve[x], curve[y], color=style["color"], marker=style["marker"], markersize=3.5, label=label,
                **EMPHASIS[other == name], **(COINCIDING_STYLE if same else {}))


def _bubble(ax, data, name: str) -> None:
    _curves(ax, data, name, "bubble_curve", "inputs", "bubble")
    simulated = float(Fraction(data["families"][name]["simulated"]["bubble"]))
    ax.plot([data["inputs"]], [simulated], linestyle="none", marker="o", markersize=9, markerfacecolor="none",
            markeredgecolor="black", zorder=4, label=f"simulated, B = {data['inputs']}")
    ax.set_xscale("log", base=2)
    ticks = [b for b in (4, 8, 16, 32, 64) if b >= data["devices"]]
    ax.set_xticks(ticks, labels=[str(b) for b in ticks])
    ax.set_ylim(0, 1.45 * max(max(f["bubble_curve"]["bubble"]) for f in data["families"].values()))  # room: legend
    ax.set_xlabel("micro-batches B (inputs per iteration)")
    ax.set_ylabel("bubble fraction (idle share of time)")
    ax.set_title(f"Bubble against B, P = {data['devices']} (closed form)")
    ax.legend(loc="upper right", fontsize=7)


def _peaks(ax, data, name: str) -> None:
    families = data["families"]
    width = 0.8 / len(families)
    for k, (other, family) in enumerate(families.items()):
        style = SCHEDULE_STYLE[other]
        left = [d + (k - (len(families) - 1) / 2) * width for d in range(1, data["devices"] + 1)]
        ax.bar(left, family["closed_form"]["peak"], width=width, color=style["color"],
               alpha=EMPHASIS[other == name]["alpha"], edgecolor="black" if other == name else "none",
               label=style["label"])
        if other == name:
            ax.plot(left, family["simulated"]["peak"], linestyle="none", marker="o", color="black", markersize=4,
                    label="simulated")
    ax.set_xticks(range(1, data["devices"] + 1))
    ax.set_ylim(0, 1.7 * max(max(f["closed_form"]["peak"]) for f in families.values()))
    ax.set_xlabel("device d")
    ax.set_ylabel("peak activations (inputs held)")
    ax.set_title(f"Peak activations, P = {data['devices']}, B = {data['inputs']}")
    ax.grid(axis="x", visible=False)
    ax.legend(loc="upper center", ncol=2, fontsize=7)


def _advantage(ax, data, name: str) -> None:
    _curves(ax, data, name, "advantage", "devices", "ratio")
    ax.axhline(1, color="black", linewidth=0.8)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"×{y:g}"))
    ax.yaxis.set_minor_formatter(FuncFormatter(lambda y, _: f"×{y:g}" if round(y / 10 ** math.floor(math.log10(y)))
                                               in (2, 5) else ""))
    ticks = data["families"]["gpipe"]["advantage"]["devices"]
    ax.set_xticks(ticks, labels=[str(p) for p in ticks])
    ax.set_xlabel("devices P (pipeline depth; interleaved: Δ = 2P stages)")
    ax.set_ylabel("advantage (subgradient time / PPRS time)")
    point = data["point"]
    ax.set_title(f"PPRS's advantage under each schedule: d = {point['dim']}, n = {point['inputs']}, "
                 f"ε = {point['eps']:g} (above 1: PPRS faster)")
    ax.legend(loc="upper left", fontsize=7)


def draw(data, fig, family: str = "gpipe") -> None:
    """One family's page: its timeline on top; the bubble against B and the peak activations; PPRS's advantage
    against P — every family drawn in the lower panels, this one emphasised."""
    top, middle, bottom = fig.subfigures(3, 1, height_ratios=(1.15, 1, 1))
    _gantt(top.subplots(), data, family)
    left, right = middle.subplots(1, 2)
    _bubble(left, data, family)
    _peaks(right, data, family)
    _advantage(bottom.subplots(), data, family)


def pages(data) -> list:
    """(title, draw(fig), caption) of each family's page."""
    return [(title(name), lambda fig, name=name: draw(data, fig, name), caption(data, name)) for name in FAMILIES]
