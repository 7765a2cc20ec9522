"""The bubbling schedule (the paper's Figure 2): which op each stage runs at each time unit.

n inputs through Δ stages, half duplex, simulated tick by tick (`algorithms.timeline.simulate`): one input
at a time (naive, makespan 2nΔ) against the synchronous batch (GPipe, 2(n + Δ − 1)). Blank cells are the
bubbles; in the batched schedule each stage idles a fraction (Δ − 1)/(n + Δ − 1) of the time.
DERIVED, docs/theory.md §1 "Pipeline timing"; the paper's Figure 2 (PAPER).
`timeline_figure` draws any schedule's timed ops (`algorithms.timeline.execute`) for `pplimits schedule --gantt`.
"""
from fractions import Fraction

from matplotlib.patches import Patch, Rectangle

from pplimits.algorithms.clock import makespan
from pplimits.algorithms.timeline import as_records, simulate
from pplimits.reports.figures.style import BACKWARD_COLOR, FORWARD_COLOR, WEIGHT_COLOR

TITLE = "The bubbling schedule: one input at a time against a pipelined batch"
SCHEDULES = {"naive": ("naive, one input at a time", "2nΔ"), "gpipe": ("pipelined batch (GPipe)", "2(n + Δ − 1)")}
KINDS = {"forward": ("F", FORWARD_COLOR, "white"), "backward": ("B", BACKWARD_COLOR, "black")}  # prefix, fill, text
TIMED_KINDS = {**KINDS, "weight": ("W", WEIGHT_COLOR, "white")}


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


def _cell(ax, left, width, row, op, label, fontsize, height=0.9) -> None:
    """One op: a rectangle [left, left + width) centred on `row`, labelled with its kind's prefix and `label`; each
    line of the label is a text of its own (one-line texts keep the PDF bytes reproducible)."""
    prefix, color, text = TIMED_KINDS[op]
    ax.add_patch(Rectangle((left, row - height / 2), width, height, facecolor=color, edgecolor="white",
                           linewidth=0.8))
    lines = f"{prefix}{label}".split("\n")
    for k, line in enumerate(lines):
        ax.text(left + width / 2, row + (k - (len(lines) - 1) / 2) * 0.32 * height, line, ha="center", va="center",
                fontsize=fontsize, color=text, weight="bold")


def timed_spans(records) -> list[tuple[float, float]]:
    """(start, end) of each timed record as floats (times are ints or 'p/q' strings)."""
    return [(float(Fraction(r["start"])), float(Fraction(r["end"]))) for r in records]


def draw_timeline(ax, records, rows: int, chunk_of=None, split_units: bool = False, fontsize: float = 8.0,
                  stack: bool = False) -> list:
    """One Gantt row per device on `ax` of timed op records {start, end, device, stage, op, input}
    (`timeline.timed_records`); `chunk_of(stage)` adds the model chunk to each label (under the op, `stack`);
    `split_units` (full duplex) draws a device's forward unit in the upper half of its row and its backward unit in
    the lower. Returns the legend handles, one per kind of op drawn."""
    spans = timed_spans(records)
    joint = "\n·" if stack else "·"
    for record, (start, end) in zip(records, spans):
        label = f"{record['input']}" + (f"{joint}{chunk_of(record['stage'])}" if chunk_of else "")
        if split_units:
            row = record["device"] + (-0.23 if record["op"] == "forward" else 0.23)
            _cell(ax, start, end - start, row, record["op"], label, fontsize / 2, height=0.44)
        else:
            _cell(ax, start, end - start, record["device"], record["op"], label, fontsize)
    ax.set_xlim(0, max((end for _, end in spans), default=1.0))
    ax.set_ylim(rows + 0.5, 0.5)
    ax.set_yticks(range(1, rows + 1))
    ax.set_xlabel("time (ticks)")
    ax.set_ylabel("device")
    ax.grid(axis="y", visible=False)
    kinds = sorted({r["op"] for r in records}, key=list(TIMED_KINDS).index)
    return [Patch(color=TIMED_KINDS[k][1], label=f"{k} ({TIMED_KINDS[k][0]}k: input k"
                  + (", ·c: chunk c" if chunk_of else "") + ")") for k in kinds]


def timeline_figure(records, title: str, rows: int, chunk_of=None, split_units: bool = False):
    """A Figure of `draw_timeline`, sized to the makespan, its legend to the right (`pplimits schedule --gantt`)."""
    from matplotlib.figure import Figure

    spans = timed_spans(records)
    total = max((end for _, end in spans), default=1.0)
    fig = Figure(figsize=(min(40.0, max(8.0, 0.35 * total)), 1.2 + 0.5 * rows))
    ax = fig.subplots()
    shortest = min((end - start for start, end in spans), default=1.0)
    fontsize = min(8.0, 0.35 * fig.get_figwidth() * 72 / total * shortest / 2)
    handles = draw_timeline(ax, records, rows, chunk_of, split_units, fontsize)
    ax.set_title(title)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    fig.tight_layout()
    return fig


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
            _cell(ax, op["tick"] - 1, 1, op["stage"], op["op"], f"{op['input']}", fontsize)
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
