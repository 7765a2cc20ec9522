"""The digits study (experiments/few_shot.py): training loss and held-out accuracy against pipeline time, one
panel per (Δ, shots), every method at its tuned configuration, mean over the evaluation seeds with its 95 %
Student-t band. Drawn from a recorded study (JSON), so the figure costs nothing to redraw. The loss axis is
linear from 0 and cut at 1.3 × the largest mean after the first checkpoint (the initial loss of a deep network
would flatten everything else)."""
import numpy as np

from pplimits.reports.figures.style import METHOD_STYLE

METRICS = {"loss": "training loss", "accuracy": "held-out accuracy"}


def title(record: dict, metric: str) -> str:
    task = {"few-shot": "Few-shot digits", "adversarial": "Adversarial digits"}[record["task"]]
    return f"{task}: {METRICS[metric]} against pipeline time"


def caption(record: dict, metric: str) -> str:
    plan = record["plan"]
    attacked = (f" Adversarial: the hinge loss at inputs attacked by {plan['attack_steps']} projected sign-gradient "
                f"steps in the ℓ∞ ball of radius {plan['attack_radius']}; accuracy is robust accuracy under the same "
                "attack." if record["task"] == "adversarial" else "")
    return (f"MEASURED (our study; the paper's setup is not available). Residual ReLU network of width "
            f"{plan['width']}, hinge loss, {plan['test_size']} held-out images. Every method gets the pipeline time of "
            f"{plan['budget']} full-batch gradients and {plan['configurations']} configurations tuned on seeds "
            f"{plan['tuning_seeds']}; curves: mean over seeds {plan['seeds']} with 95 % Student-t bands. "
            f"Clock: an iteration of B micro-batches takes 2(B + Δ − 1) (GPipe), B = N, KN (PPRS) or b (SGD)."
            + attacked)


def draw(record: dict, fig, metric: str = "loss") -> None:
    """One row per depth, one column per shots value."""
    depths = sorted({c["depth"] for c in record["cells"]})
    shots = sorted({c["shots"] for c in record["cells"]})
    axes = fig.subplots(len(depths), len(shots), squeeze=False)
    for cell in record["cells"]:
        ax = axes[depths.index(cell["depth"])][shots.index(cell["shots"])]
        later = []  # values after the first checkpoint: the initial loss (large when deep) would flatten the rest
        for name in record["methods"]:
            found = cell["methods"][name]
            times = np.array(found["times"], dtype=float)
            mean = np.array([np.nan if v is None else v for v in found[metric]["mean"]], dtype=float)
            half = np.array([np.nan if v is None else v for v in found[metric]["ci95"]], dtype=float)
            style = METHOD_STYLE[name]
            ax.plot(times, mean, color=style["color"], marker=style["marker"], markersize=2.5, linewidth=1,
                    label=style["label"])
            ax.fill_between(times, mean - half, mean + half, color=style["color"], alpha=0.15, linewidth=0)
            later += [v for v in mean[1:] if np.isfinite(v)]
        ax.set_title(f"Δ = {cell['depth']}, {cell['shots']} shot{'s' if cell['shots'] > 1 else ''} (N = "
                     f"{cell['samples']})", fontsize=8)
        if metric == "loss":
            ax.set_ylim(0, 1.3 * max(later, default=1.0))
        else:
            ax.set_ylim(0, 1)
        ax.tick_params(labelsize=6)
        ax.locator_params(axis="x", nbins=4)
        ax.ticklabel_format(axis="x", style="sci", scilimits=(0, 3))
        ax.xaxis.get_offset_text().set_fontsize(6)
    for ax in axes[-1]:
        ax.set_xlabel("pipeline time (ops)", fontsize=7)
    for row in axes:
        row[0].set_ylabel(METRICS[metric], fontsize=7)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize=7)
