"""PPRS below the span lower bound: the separation the paper is about, made concrete (docs/theory.md §2.4, §2.5).

On Nesterov's max function with t coordinates in the max (the globally L-Lipschitz variant
"max-function-lipschitz": same f*, x*, span gap, so Gaussian perturbations are safe), every span method
(GD, AGD, subgradient, ...) has f(x) − f* ≥ |f*| on span(e_1..e_k) for k < t, so by the rounds lemma it
needs time ≥ τ·span_rounds(ε) = 2Δ·t for any ε < |f*| (n = 1). PPRS is not a span method: each of its K
perturbed queries can reveal a different coordinate. This script searches a small grid (t, ε, Δ) for the
smallest configuration where PPRS's MEASURED time-to-ε, worst over many seeds, falls below that bound,
and reports the class claim "nonsmooth-convex.lower.time" beside it where the instance certifies it.

How K and γ are chosen (never on the evaluation seeds):
- "theorem-d": Theorem D's tuning (bounds.tuning.tuning: T, K, γ from the sympy derivation) at (ε, L, R, d).
- "grid": γ = m·γ_D, K = k·K_D on the grid m ∈ {1, 2, 4, 8, 16, 32, 64}, k ∈ {1, 4} (fixed before any
  measurement), each run on separate tuning seeds (10000, 10001, ...); for each Δ the candidate with the
  smallest worst-tuning-seed time N·2(kK_D + Δ − 1) is then measured on the evaluation seeds 0, 1, ....
  Theorem D's bound holds for any γ and K, so the grid stays inside the analysed algorithm.

Time-to-ε = Run.time_to_eps: the clock time at which every evaluation seed has an iterate x_k with
f(x_k) − f* ≤ ε (first hit per seed, worst seed); the mean over seeds is reported too, and "stay" is the
fraction of each seed's iterates from its first hit to the worst seed's that remain ≤ ε. Iterates do not
depend on Δ (Δ enters only the clock, tests/properties/test_speedup.py), so each candidate is run once and put on
every depth's clock 2(nK + Δ − 1) per iteration. The pipelined subgradient method (horizon ⌈(RL/ε)²⌉) is
measured too: as a span method it must stay above the bound.

Smallest configuration = fewest coordinates t, then shallowest Δ, then largest ε.

    .venv/bin/python -m pplimits.experiments.separation [--quick] [--out experiments/out/separation.json]
"""
import argparse
import json
import math
import os
import platform
import sys
import time
from dataclasses import asdict, replace

import numpy as np

from pplimits._util.files import write_atomic
from pplimits.algorithms.clock import PipelineModel
from pplimits.algorithms.random_smoothing import PPRS
from pplimits.algorithms.runner import run
from pplimits.algorithms.span_methods import Subgradient
from pplimits.bounds.claim import ClaimKey, parse_values
from pplimits.bounds.registry import find
from pplimits.bounds.tuning import tuning
from pplimits.worstcase import LipschitzMaxFunction

CLASS_CLAIM = ClaimKey("nonsmooth-convex", "lower.time")
GAMMA_MULTIPLIERS = (1, 2, 4, 8, 16, 32, 64)
SAMPLE_MULTIPLIERS = (1, 4)
TUNING_SEED = 10_000
FULL = {"chains": (16, 64, 256, 1024), "accuracies": ("hard", "0.9", "0.5"),
        "depths": (16, 32, 64, 128, 256, 512, 1024), "seeds": 64, "tuning_seeds": 16}
QUICK = {"chains": (16, 64), "accuracies": ("hard", "0.9"), "depths": (16, 32, 64, 128, 256, 512, 1024),
         "seeds": 16, "tuning_seeds": 8}


def accuracy(instance, spec: str) -> float:
    """ε for `spec`: "hard" is the ε at which this instance is the class construction (the class claim equals
    τ·t, up to a 1e-9 margin); a number c means c·|f*|."""
    lr = instance.lipschitz * instance.radius
    if spec == "hard":
        return lr / (2 * (1 + math.sqrt(instance.chain_length + 1))) * (1 + 1e-9)
    return float(spec) * abs(instance.f_star)


def class_bound(instance, eps, depth, instance_bound):
    """The class claim's time where this instance certifies it (its assumptions hold and it does not
    exceed the instance's own exact bound); None otherwise."""
    claim = find(CLASS_CLAIM)
    values = {"eps": eps, "L": instance.lipschitz, "R": instance.radius, "depth": depth, "n": 1, "d": instance.dim}
    if claim.failed_assumptions(parse_values(values)):
        return None
    bound = float(claim.numeric(**{name: values[name] for name in claim.parameters}))
    return bound if bound <= instance_bound * (1 + 1e-9) else None


def pprs(instance, tuned, gamma_multiplier, samples_multiplier, seed):
    return PPRS(instance.lipschitz, samples=samples_multiplier * tuned.K, seed=seed,
                layer_sizes=instance.layer_sizes, gamma=gamma_multiplier * tuned.gamma)


def first_hits(instance, method, eps, runs, cap):
    """Per-seed first iteration with f(x_k) − f* ≤ ε (−1: not within `cap`) and the stay rate."""
    trace = run(method, instance, PipelineModel(depth=1), cap, runs=runs, stop_below=eps)
    index = trace.first_index_below(eps)
    stay = None
    if (index >= 0).all():
        window = np.arange(trace.values.shape[1])[None, :] >= index[:, None]
        stay = float((trace.values[window] <= eps).mean())
    return trace, index, stay


def time_on(trace, depth, eps):
    """The trace on the clock of depth Δ (n = 1): (worst-seed time-to-ε or None, mean over seeds or None)."""
    model = PipelineModel(depth=depth)
    placed = replace(trace, times=model.iteration_times(trace.iterations, queries=trace.queries_per_iteration))
    index = placed.first_index_below(eps)
    if (index < 0).any():
        return None, None
    return placed.time_to_eps(eps), float(placed.times[index].mean())


def tune(instance, tuned, eps, seeds, log):
    """Worst-tuning-seed N of every grid candidate, largest γ and K first (usually the fewest iterations).
    A run is capped at 4× the best N so far: a candidate slower than that cannot win at any Δ (any other
    candidate's K is at most 4× its own), so it is marked not competitive."""
    results, best = {}, None
    for m in reversed(GAMMA_MULTIPLIERS):
        for k in reversed(SAMPLE_MULTIPLIERS):
            cap = 2 * tuned.T if best is None else min(2 * tuned.T, 4 * best)
            start = time.perf_counter()
            _, index, _ = first_hits(instance, pprs(instance, tuned, m, k, TUNING_SEED), eps, seeds, cap)
            worst = int(index.max()) if (index >= 0).all() else None
            results[m, k] = worst
            if worst is not None:
                best = worst if best is None else min(best, worst)
            log(f"      tune γ={m}·γ_D K={k}·K_D={k * tuned.K}: worst N over {seeds} tuning seeds = "
                f"{worst if worst is not None else f'not within {cap}'} ({time.perf_counter() - start:.1f} s)")
    return results


def choose(tuning_results, tuned, depth):
    """The grid candidate with the smallest worst-tuning-seed time N·2(K + Δ − 1) at depth Δ."""
    scored = [(n * 2 * (k * tuned.K + depth - 1), m, k) for (m, k), n in tuning_results.items() if n is not None]
    return min(scored)[1:] if scored else None


def configuration(t, spec, depths, seeds, tuning_seeds, log):
    instance = LipschitzMaxFunction(dim=t)
    eps = accuracy(instance, spec)
    tuned = tuning(eps, instance.lipschitz, instance.radius, instance.dim)
    rounds = instance.span_rounds(eps)
    lr = instance.lipschitz * instance.radius
    log(f"  [t={t}, ε={spec}: {eps:.6g} = {eps / abs(instance.f_star):.4f}|f*|, RL/ε={lr / eps:.2f}] "
        f"span rounds {rounds}; Theorem D T={tuned.T}, K={tuned.K}, γ={tuned.gamma:.4g}")
    start = time.perf_counter()
    horizon = math.ceil((lr / eps) ** 2)
    sub_trace = run(Subgradient(instance.lipschitz, instance.radius, horizon), instance, PipelineModel(depth=1),
                    horizon, runs=1, stop_below=eps)
    log(f"    subgradient (span method, horizon {horizon}): N={int(sub_trace.first_index_below(eps).max())} "
        f"({time.perf_counter() - start:.1f} s)")
    tuning_results = tune(instance, tuned, eps, tuning_seeds, log)
    choices = {depth: {"theorem-d": (1, 1), "grid": choose(tuning_results, tuned, depth)} for depth in depths}
    evaluated = {}
    for candidate in sorted({c for by_mode in choices.values() for c in by_mode.values() if c is not None}):
        start = time.perf_counter()
        m, k = candidate
        trace, index, stay = first_hits(instance, pprs(instance, tuned, m, k, 0), eps, seeds, 2 * tuned.T)
        evaluated[candidate] = (trace, index, stay)
        reached = int((index >= 0).sum())
        log(f"    evaluate γ={m}·γ_D, K={k * tuned.K} on seeds 0..{seeds - 1}: reached {reached}/{seeds}, "
            f"worst N={int(index.max()) if reached == seeds else None}, mean N={index[index >= 0].mean():.1f}, "
            f"stay={stay} ({time.perf_counter() - start:.1f} s)")
    rows = []
    for depth in depths:
        instance_bound = 2 * depth * rounds  # τ·span_rounds(ε), τ = 2Δ
        claim = class_bound(instance, eps, depth, instance_bound)
        sub_time, _ = time_on(sub_trace, depth, eps)
        for mode, candidate in choices[depth].items():
            if candidate is None:
                continue
            trace, index, stay = evaluated[candidate]
            worst, mean = time_on(trace, depth, eps)
            m, k = candidate
            rows.append({
                "t": t, "dim": instance.dim, "eps_spec": spec, "eps": eps, "eps_over_abs_fstar": eps / abs(instance.f_star),
                "RL_over_eps": lr / eps, "depth": depth, "n": 1, "mode": mode,
                "gamma_multiplier": m, "K_multiplier": k, "K": k * tuned.K, "gamma": m * tuned.gamma,
                "theorem_d": asdict(tuned), "seeds": seeds, "tuning_seeds": tuning_seeds if mode == "grid" else 0,
                "reached": int((index >= 0).sum()),
                "N_worst": int(index.max()) if (index >= 0).all() else None,
                "N_mean": float(index.mean()) if (index >= 0).all() else None, "stay": stay,
                "pprs_time_worst": worst, "pprs_time_mean": mean,
                "span_rounds": rounds, "instance_lower_bound": instance_bound, "class_lower_bound": claim,
                "subgradient_time": sub_time,
                "ratio_to_instance_bound": None if worst is None else worst / instance_bound,
                "separated": worst is not None and worst < instance_bound,
                "below_class_claim": None if claim is None or worst is None else worst < claim,
            })
    for row in rows:
        if row["subgradient_time"] is not None and row["subgradient_time"] < row["instance_lower_bound"]:
            raise AssertionError(f"subgradient beat the span bound at {row}: rounds lemma violated")
    for depth in depths:
        by_mode = {r["mode"]: r for r in rows if r["depth"] == depth}
        log("    Δ={:<5} bound τ·t={:<8} subgradient={:<8} ".format(depth, 2 * depth * rounds, str(time_on(sub_trace, depth, eps)[0]))
            + "  ".join(f"{mode}: PPRS worst {r['pprs_time_worst']} ({r['ratio_to_instance_bound']:.3f}×)"
                        if r["pprs_time_worst"] is not None else f"{mode}: not reached"
                        for mode, r in by_mode.items()))
    return rows


def smallest(rows, mode):
    hits = [r for r in rows if r["mode"] == mode and r["separated"]]
    return min(hits, key=lambda r: (r["t"], r["depth"], -r["eps"])) if hits else None


def print_table(rows):
    print(f"\n{'t':>5} {'ε/|f*|':>7} {'Δ':>5} {'mode':>9} {'K':>4} {'γ/γ_D':>5} {'N_worst':>7} {'N_mean':>7} {'stay':>5} "
          f"{'PPRS worst':>10} {'PPRS mean':>10} {'τ·t bound':>10} {'class':>10} {'subgrad':>10} {'ratio':>6} sep")
    for r in rows:
        claim = "n/a" if r["class_lower_bound"] is None else f"{r['class_lower_bound']:.0f}"
        worst = "-" if r["pprs_time_worst"] is None else str(r["pprs_time_worst"])
        mean = "-" if r["pprs_time_mean"] is None else f"{r['pprs_time_mean']:.0f}"
        ratio = "-" if r["ratio_to_instance_bound"] is None else f"{r['ratio_to_instance_bound']:.3f}"
        stay = "-" if r["stay"] is None else f"{r['stay']:.3f}"
        print(f"{r['t']:>5} {r['eps_over_abs_fstar']:>7.4f} {r['depth']:>5} {r['mode']:>9} {r['K']:>4} "
              f"{r['gamma_multiplier']:>5} {str(r['N_worst']):>7} {r['N_mean'] if r['N_mean'] is None else round(r['N_mean'], 1):>7} "
              f"{stay:>5} {worst:>10} {mean:>10} {r['instance_lower_bound']:>10} {claim:>10} {str(r['subgradient_time']):>10} "
              f"{ratio:>6} {'YES' if r['separated'] else 'no'}")


def write_json(path, payload):
    write_atomic(path, json.dumps(payload, indent=1) + "\n")


def _ints(text):
    return tuple(int(v) for v in text.split(","))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join("experiments", "out", "separation.json"))
    parser.add_argument("--quick", action="store_true", help="t ∈ {16, 64}, ε ∈ {hard, 0.9|f*|}, 16 seeds, 8 tuning seeds")
    parser.add_argument("--chains", type=_ints, help="chain lengths t (= dim), comma-separated")
    parser.add_argument("--accuracies", type=lambda s: tuple(s.split(",")), help="'hard' or fractions c of |f*|")
    parser.add_argument("--depths", type=_ints)
    parser.add_argument("--seeds", type=int, help="evaluation seeds 0..S-1")
    parser.add_argument("--tuning-seeds", type=int, help=f"grid tuning seeds {TUNING_SEED}..")
    args = parser.parse_args(argv)
    grid = dict(QUICK if args.quick else FULL)
    for key in grid:
        if getattr(args, key) is not None:
            grid[key] = getattr(args, key)
    for spec in grid["accuracies"]:
        if spec != "hard" and not 0 < float(spec) < 1:
            parser.error(f"accuracies must be 'hard' or fractions in (0, 1), got {spec!r}")

    def log(line):
        print(line, flush=True)

    started = time.perf_counter()
    log(f"separation search: t ∈ {grid['chains']}, ε ∈ {grid['accuracies']}, Δ ∈ {grid['depths']}, n = 1, "
        f"{grid['seeds']} evaluation seeds, {grid['tuning_seeds']} tuning seeds, grid γ·{GAMMA_MULTIPLIERS} × K·{SAMPLE_MULTIPLIERS}")
    rows = []
    for t in grid["chains"]:
        for spec in grid["accuracies"]:
            start = time.perf_counter()
            rows += configuration(t, spec, grid["depths"], grid["seeds"], grid["tuning_seeds"], log)
            log(f"  [t={t}, ε={spec}] done in {time.perf_counter() - start:.1f} s (total {time.perf_counter() - started:.0f} s)")
    print_table(rows)
    found = {mode: smallest(rows, mode) for mode in ("theorem-d", "grid")}
    print()
    for mode, row in found.items():
        if row is None:
            print(f"smallest separation ({mode}): none in this grid")
        else:
            print(f"smallest separation ({mode}): t={row['t']}, ε={row['eps_over_abs_fstar']:.4f}|f*|, Δ={row['depth']}, "
                  f"K={row['K']}, γ={row['gamma_multiplier']}·γ_D={row['gamma']:.4g}: PPRS worst-of-{row['seeds']}-seeds time "
                  f"{row['pprs_time_worst']} < span bound τ·t = {row['instance_lower_bound']} "
                  f"(ratio {row['ratio_to_instance_bound']:.3f}; class claim "
                  f"{'n/a' if row['class_lower_bound'] is None else round(row['class_lower_bound'])}; "
                  f"subgradient measured {row['subgradient_time']})")
    elapsed = time.perf_counter() - started
    payload = {
        "description": __doc__.split("\n\n")[0],
        "instance": "max-function-lipschitz", "class_claim": CLASS_CLAIM.id,
        "grid": {**grid, "gamma_multipliers": GAMMA_MULTIPLIERS, "K_multipliers": SAMPLE_MULTIPLIERS,
                 "tuning_seed_start": TUNING_SEED, "evaluation_seed_start": 0},
        "time_to_eps": "first iterate with f(x_k) − f* ≤ ε per seed, worst over seeds (Run.time_to_eps)",
        "smallest_order": "t, then Δ, then larger ε",
        "smallest": found, "rows": rows,
        "argv": sys.argv if argv is None else argv, "seconds": elapsed,
        "python": platform.python_version(), "numpy": np.__version__,
    }
    write_json(args.out, payload)
    print(f"wrote {args.out} ({len(rows)} rows, {elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
