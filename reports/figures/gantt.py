"""The bubbling schedule (the paper's Figure 2): which op each stage runs at each time unit.

n inputs through Δ stages, half duplex, simulated tick by tick (`algorithms.timeline.simulate`): one input
at a time (naive, makespan 2nΔ) against the synchronous batch (GPipe, 2(n + Δ − 1)). Blank cells are the
bubbles; in the batched schedule each stage idles a fraction (Δ − 1)/(n + Δ − 1) of the time.
DERIVED, docs/theory.md §1 "Pipeline timing"; the paper's Figure 2 (PAPER).
"""
from matplotlib.patches import Patch, Rectangle

from pplimits.algorithms.clock import makespan
from pplimits.algorithms.timeline import as_records, simulate
from pplimits.reports.figures.style import BACKWARD_COLOR, FORWARD_COLOR

TITLE = "The bubbling schedule: one input at a time against a pipelined batch"
SCHEDULES = {"naive": ("naive, one input at a time", "2nΔ"), "gpipe": ("pipelined batch (GPipe)", "2(n + Δ − 1)")}
KINDS = {"forward": ("F", FORWARD_COLOR, "white"), "backward": ("B", BACKWARD_COLOR, "black")}  # prefix, fill, text


def data(depth: int = 4, inputs: int = 3) -> dict:
    """Per schedule, the op records {tick, stage, op, input} (op at tick t runs in [t − 1, t)) and the makespan."""
    return {"depth": depth, "inputs": inputs,
            "schedules": {name: {"ops": as_records(simulate(depth, inputs, name, "half")),
                                 "makespan": makespan(depth, inputs, name, "half")} for name in SCHEDULES}}


def bubble_fraction(data) -> float:
    """(Δ − 1)/(n + Δ − 1): the share of each stage's time the batched schedule leaves idle."""
    return (data["depth"] - 1) / (data["inputs"] + data["depth"] - 1)


def caption(data) -> str:
    depth, inputs = data["depth"], data["inputs"]
    naive, gpipe = (data["schedules"][name]["makespan"] for name in SCHEDULES)
    return (f"Op timeline of n = {inputs} inputs through Δ = {depth} stages, half duplex, simulated tick by tick; "
            "cell Fk (Bk) is the forward (backward) pass of input k at that stage. One input at a time takes "
            f"2nΔ = {naive} time units, the pipelined batch 2(n + Δ − 1) = {gpipe}; blank cells are the bubbles, "
            f"a fraction (Δ − 1)/(n + Δ − 1) = {bubble_fraction(data):.0%} of each stage's time in the batched "
            "schedule (DERIVED, docs/theory.md §1 \"Pipeline timing\"; the paper's Figure 2 is this scheme, once per PPRS "
            "iteration).")


def draw(data, fig) -> None:
    """Two Gantt charts on one time axis: naive on top, batched below; one labelled rectangle per op."""
    depth, inputs = data["depth"], data["inputs"]
    span = max(s["makespan"] for s in data["schedules"].values())
    cell_points = 0.75 * fig.bbox.width / fig.dpi * 72 / span  # approximate width of one time unit on the page
    fontsize = min(9.0, cell_points / (0.7 * (1 + len(str(inputs)))))
    axes = fig.subplots(len(SCHEDULES), 1, sharex=True)
    for ax, (name, (label, formula)) in zip(axes, SCHEDULES.items()):
        schedule = data["schedules"][name]
        for op in schedule["ops"]:
            prefix, color, text = KINDS[op["op"]]
            ax.add_patch(Rectangle((op["tick"] - 1, op["stage"] - 0.45), 1, 0.9, facecolor=color,
                                   edgecolor="white", linewidth=0.8))
            ax.text(op["tick"] - 0.5, op["stage"], f"{prefix}{op['input']}", ha="center", va="center",
                    fontsize=fontsize, color=text, weight="bold")
        ax.set_title(f"{label}: {formula} = {schedule['makespan']} time units (n = {inputs}, Δ = {depth})")
        ax.set_xlim(0, span)
        ax.set_ylim(depth + 0.5, 0.5)  # stage 1 at the top
        ax.set_yticks(range(1, depth + 1))
        ax.set_xlabel("time (units of one layer pass)")
        ax.set_ylabel("stage (layer index)")
        ax.grid(axis="y", visible=False)
        ax.tick_params(labelbottom=True)
    axes[-1].legend(handles=[Patch(color=color, label=f"{kind} pass ({prefix}k: input k)")
                             for kind, (prefix, color, _) in KINDS.items()], loc="center right")
