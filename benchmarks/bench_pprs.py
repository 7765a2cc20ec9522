"""Speed and memory of PPRS, as ratios measured in one run (machines are noisy: compare within a run).

a. Throughput against the floors (issue 16 item 3), all measured in this run, interleaved, best of --repeats:
   - ours: perturbed coordinates per second of a PPRS run through runner.run on max-function-lipschitz (d = 2^16,
     K = 32, S = 4, 20 iterations: S·K·d coordinates per iteration), every stage included (noise, query
     formation, gradient, mean over K and steps, the criterion f(x_t) − f* of every iterate);
   - noise floor: the same generator drawing the same number of normals on every core and doing nothing else:
     Philox re-keyed per (seed, t, k, layer) block as perturbations() does, Generator.standard_normal(out=) of d
     normals per block, S·K blocks per iteration, one thread per core each pulling the next block and writing
     into its own kept d-length buffer (in cache, so no memory traffic): the best this machine does for the noise;
   - memory floor: the bytes the method/instance interface must move per perturbed coordinate, 32 = 4 × 8: the
     (S, K, d) query array is written once and read once (by the gradient), the (S, K, d) gradient array written
     once and read once (by the mean over K); at the copy bandwidth of this run: bytes read plus bytes written per
     second by np.copyto between two kept (S, K, d) float64 arrays, the better of one thread and all cores
     (write-allocate reads are counted on neither side; issue 16 had costed 24 bytes);
   - ratio = max(noise-floor time, memory-floor time) / our time (target >= 0.9), and noise floor / ours in CPU
     time (all threads; steadier than wall time on a shared machine); minor page faults per iteration
     (getrusage ru_minflt) of ours (steady state: a first run allocated the kept arrays) and of the noise floor.
   Below target, a per-stage breakdown and a cProfile listing (main thread) say where the time goes.
b. Memory: a d = 10^6 PPRS run (K = 32, 100 iterations, one seed) in a subprocess; its peak RSS
   (getrusage(RUSAGE_CHILDREN).ru_maxrss) against the 2 GiB target.
c. Speed-up in depth: time_subgradient / time_PPRS for Δ = 4, 8, ..., 256 with the same seeds equals
   (n + Δ − 1)·N_sub / ((nK + Δ − 1)·N_PPRS) exactly (N = iterations until every seed reaches ε).
   c1 re-runs both methods at every Δ on a small instance (iterates identical across Δ);
   c2 is the near-linear regime nK ≫ Δ (log-log slope >= 0.9) at the largest size that runs in about
   two minutes: d = 2, RL/ε = 8000, Theorem D's tuning gives K = 7101.

The instance is a black box to the pipeline: Δ enters only the clock (latency), the perturbation is one
block (layer_sizes fixed, not split per stage), so the iterates do not depend on Δ (c1 checks it).
No timing is asserted: the script prints ratios.

    .venv/bin/python benchmarks/bench_pprs.py [--part all|throughput|memory|speedup] [--repeats 3]
"""
import argparse
import cProfile
import io
import math
import os
import pstats
import resource
import subprocess
import sys
import time
from dataclasses import replace
from fractions import Fraction

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the checkout: where the child runs start

import numpy as np
from timing import best_of

from pplimits._util.parallel import cores, share
from pplimits.algorithms.clock import PipelineModel
from pplimits.algorithms.noise import perturbations, philox_state
from pplimits.algorithms.random_smoothing import PPRS
from pplimits.algorithms.runner import run
from pplimits.algorithms.span_methods import Subgradient
from pplimits.bounds.tuning import tuning
from pplimits.worstcase import LipschitzMaxFunction

GIB = 2**30
DEPTHS = (4, 8, 16, 32, 64, 128, 256)


class Progress:
    """The instance, unchanged, printing a line every `every` gradient calls (one call per iteration)."""

    def __init__(self, instance, every, label, total):
        self._instance, self._every, self._label, self._total = instance, every, label, total
        self._calls, self._start = 0, time.perf_counter()

    def __getattr__(self, name):
        return getattr(self._instance, name)

    def gradient(self, x):
        self._calls += 1
        if self._calls % self._every == 0:
            print(f"    {self._label}: iteration {self._calls}/{self._total}, "
                  f"{time.perf_counter() - self._start:.1f} s", flush=True)
        return self._instance.gradient(x)


def pprs_for(instance, eps, samples=None):
    """PPRS with Theorem D's γ (and K unless `samples` overrides it); also returns the tuning."""
    tuned = tuning(eps, instance.lipschitz, instance.radius, instance.dim)
    method = PPRS(instance.lipschitz, samples=samples or tuned.K, seed=0,
                  layer_sizes=instance.layer_sizes, gamma=tuned.gamma)
    return method, tuned


# ---------------------------------------------------------------------------------------------- a
BYTES_PER_COORDINATE = 32  # Q written and read back, G written and read back (see the module docstring)


def minor_faults(function):
    """Minor page faults of this process during one call (each fresh page of a new large array costs one)."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    function()
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def noise_floor(blocks, dim, threads):
    """The noise alone: `blocks` Philox blocks of `dim` standard normals, re-keyed per block as perturbations()
    does, on `threads` threads (share: each pulls the next block), each thread drawing into its own kept buffer."""

    def draw(indices):
        bit_generator = np.random.Philox(key=0)
        generator, buffer = np.random.Generator(bit_generator), np.empty(dim)
        for block in indices:
            bit_generator.state = philox_state(block)
            generator.standard_normal(dim, out=buffer)

    share(draw, blocks, threads=threads)


def copy_bandwidth(elements, repeats):
    """Bytes read plus bytes written per second by np.copyto between two kept float64 arrays of `elements`, pages
    touched beforehand: the better of one thread and one block per core (share over 8 MiB blocks)."""
    source, target = np.ones(elements), np.zeros(elements)
    edges = np.linspace(0, elements, max(2, elements // 2**20) + 1).astype(int)

    def parallel():
        def copy(indices):
            for b in indices:
                np.copyto(target[edges[b]:edges[b + 1]], source[edges[b]:edges[b + 1]])
        share(copy, len(edges) - 1, threads=cores())

    single = best_of(repeats, lambda: np.copyto(target, source))
    both = best_of(repeats, parallel)
    return 2 * 8 * elements / min(single, both), single / both


def throughput(repeats, dim=2**16, samples=32, runs=4, iterations=20, diagnose=True):
    print(f"a. PPRS throughput: max-function-lipschitz d={dim}, K={samples}, S={runs}, {iterations} iterations "
          f"({runs * samples * dim / 1e6:.1f}M perturbed coordinates per iteration), {cores()} cores, "
          f"best of {repeats}, interleaved", flush=True)
    instance = LipschitzMaxFunction(dim=dim)
    method, _ = pprs_for(instance, 0.5 * abs(instance.f_star), samples=samples)
    model = PipelineModel(depth=8)
    coordinates = runs * samples * dim * iterations
    blocks = runs * samples * iterations

    def ours():
        run(method, instance, model, iterations, runs=runs)

    first_faults = minor_faults(ours)  # the first run allocates the kept arrays; later runs reuse them
    times, cpu = {"ours": [], "noise": [], "noise1": []}, {"ours": [], "noise": []}
    for _ in range(repeats):  # interleaved, so all see the same machine
        for key, function in (("ours", ours), ("noise", lambda: noise_floor(blocks, dim, cores())),
                              ("noise1", lambda: noise_floor(blocks, dim, 1))):
            start = time.process_time()
            times[key].append(best_of(1, function))
            if key in cpu:
                cpu[key].append(time.process_time() - start)
    ours_time, noise_time, noise1_time = (min(times[key]) for key in ("ours", "noise", "noise1"))
    bandwidth, copy_speedup = copy_bandwidth(runs * samples * dim, max(repeats, 5))
    memory_time = BYTES_PER_COORDINATE * coordinates / bandwidth
    floor_time = max(noise_time, memory_time)
    ratio = floor_time / ours_time
    faults = {"ours": minor_faults(ours) / iterations,
              "noise": minor_faults(lambda: noise_floor(blocks, dim, cores())) / iterations}
    spread = max(times["ours"]) / ours_time - 1

    def rate(seconds):
        return f"{coordinates / seconds / 1e6:7.1f}M coordinates/s ({seconds:.3f} s)"

    print(f"   ours (PPRS run through runner.run) : {rate(ours_time)}; slowest repeat +{100 * spread:.0f} %")
    print(f"   noise floor, {cores()} cores            : {rate(noise_time)}  = ours / noise floor "
          f"{noise_time / ours_time:.3f}")
    print(f"   noise floor, 1 core (reference)    : {rate(noise1_time)}  ({noise1_time / noise_time:.2f}x slower)")
    print(f"   memory floor, {BYTES_PER_COORDINATE} B/coordinate     : {rate(memory_time)}  "
          f"at {bandwidth / 1e9:.1f} GB/s copy "
          f"bandwidth (one core vs all: {copy_speedup:.2f}x)")
    print(f"   ratio = max(noise floor, memory floor) time / ours = {ratio:.3f} (target >= 0.9): "
          f"{'OK' if ratio >= 0.9 else 'BELOW TARGET'}")
    print(f"   CPU time, all threads: ours {min(cpu['ours']):.3f} s, noise floor {min(cpu['noise']):.3f} s, "
          f"noise floor / ours {min(cpu['noise']) / min(cpu['ours']):.3f}; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs")
    print(f"   minor page faults per iteration: ours {faults['ours']:,.0f} (first run, kept arrays allocated: "
          f"{first_faults / iterations:,.0f}), noise floor {faults['noise']:,.0f}", flush=True)
    if ratio < 0.9 and diagnose:
        stages(instance, method, runs, noise_time / iterations, min(cpu['noise']) / iterations, repeats)
        profile(method, instance, model, iterations, runs)
    return ratio


def stages(instance, method, runs, floor_per_iteration, floor_cpu_per_iteration, repeats):
    """Per-iteration cost of each stage of runner.run's loop, wall and CPU time (all threads), best of a few calls."""
    state = method.init(np.zeros((runs, instance.dim)))
    samples, sizes = method.samples, instance.layer_sizes
    out = np.empty((runs, samples, instance.dim))

    def timed(function):
        walls, cpus = [], []
        for _ in range(max(repeats, 5)):
            wall, cpu = time.perf_counter(), time.process_time()
            function()
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        return np.array([min(walls), min(cpus)]) * 1e3

    noise = timed(lambda: perturbations(range(method.seed, method.seed + runs), 0, samples, sizes, out=out))
    queries_total = timed(lambda: method.queries(state))
    queries = method.queries(state)
    gradient = timed(lambda: instance.gradient(queries))
    gradients = instance.gradient(queries)
    parts = {
        f"noise: perturbations() on {cores()} threads into a kept array": noise,
        "query formation: γ·X + y per window, in cache": queries_total - noise,
        "gradient (max-function-lipschitz, sparse, row blocks on every core)": gradient,
        "update: mean over K (column blocks on every core) + z, x steps":
            timed(lambda: method.update(state, gradients)),
        "criterion: value(x_k) on (S, d)": timed(lambda: instance.value(state[1])),
    }
    total = sum(parts.values())
    print(f"   per-iteration breakdown, ms wall / ms CPU (noise floor: {floor_per_iteration * 1e3:.1f} / "
          f"{floor_cpu_per_iteration * 1e3:.1f} ms for the same normals):")
    for name, (wall, cpu) in parts.items():
        print(f"     {wall:7.1f} / {cpu:7.1f}  {name}  ({100 * cpu / total[1]:4.1f} % of CPU)")
    print(f"     {total[0]:7.1f} / {total[1]:7.1f}  sum of stages (noise floor / sum: wall "
          f"{floor_per_iteration * 1e3 / total[0]:.3f}, CPU {floor_cpu_per_iteration * 1e3 / total[1]:.3f})",
          flush=True)


def profile(method, instance, model, iterations, runs):
    profiler = cProfile.Profile()
    profiler.enable()
    run(method, instance, model, iterations, runs=runs)
    profiler.disable()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(10)
    lines = [line for line in stream.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    print("   cProfile of one run (main thread only), top 10 by own time:")
    for line in lines[start:start + 11]:
        print("     " + line.replace(ROOT + "/", ""))
    sys.stdout.flush()


# ---------------------------------------------------------------------------------------------- b
def memory_child(dim, samples, iterations):
    """Runs in the subprocess: a one-seed PPRS run through runner.run, progress every 10 iterations."""
    instance = LipschitzMaxFunction(dim=dim)
    method, _ = pprs_for(instance, 0.5 * abs(instance.f_star), samples=samples)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"    child: after imports and instance, peak RSS {baseline / GIB:.3f} GiB", flush=True)
    trace = run(method, Progress(instance, 10, "child", iterations), PipelineModel(depth=8), iterations, runs=1)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"    child: done, f(x_T) − f* = {trace.values[0, -1]:.4g}, own peak RSS {peak / GIB:.3f} GiB", flush=True)


def memory(dim=10**6, samples=32, iterations=100):
    print(f"b. Memory: PPRS on max-function-lipschitz d={dim:,}, K={samples}, {iterations} iterations, one seed, "
          f"in a subprocess (one (1, K, d) float64 array = {samples * dim * 8 / GIB:.3f} GiB)", flush=True)
    start = time.perf_counter()
    command = [sys.executable, os.path.abspath(__file__), "--memory-child",
               "--memory-dim", str(dim), "--memory-samples", str(samples), "--memory-iterations", str(iterations)]
    child = subprocess.run(command, cwd=ROOT)
    if child.returncode != 0:
        raise RuntimeError(f"memory subprocess failed with exit status {child.returncode}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # KiB on Linux
    print(f"   peak RSS of the subprocess: {peak / GIB:.3f} GiB ({peak / 2**20:,.0f} MiB) against the 2 GiB target: "
          f"{'OK' if peak <= 2 * GIB else 'ABOVE TARGET'}; {time.perf_counter() - start:.0f} s", flush=True)
    return peak


# ---------------------------------------------------------------------------------------------- c
def worst_iterations(trace, eps) -> int:
    """N: the iteration at which every run has reached eps."""
    index = trace.first_index_below(eps)
    if (index < 0).any():
        raise RuntimeError(f"{trace.method}: eps={eps:g} not reached by every run in {trace.iterations} iterations")
    return int(index.max())


def speedup_rows(sub_traces, pprs_traces, eps, inputs, samples):
    """One row per Δ from the traces measured at that Δ; checks the identity exactly (Fractions)."""
    rows = []
    for depth in sorted(sub_traces):
        sub, pprs = sub_traces[depth], pprs_traces[depth]
        n_sub, n_pprs = worst_iterations(sub, eps), worst_iterations(pprs, eps)
        t_sub, t_pprs = sub.time_to_eps(eps), pprs.time_to_eps(eps)
        measured = Fraction(t_sub, t_pprs)
        formula = Fraction((inputs + depth - 1) * n_sub, (inputs * samples + depth - 1) * n_pprs)
        rows.append({"depth": depth, "N_sub": n_sub, "N_pprs": n_pprs, "time_sub": t_sub, "time_pprs": t_pprs,
                     "speedup": measured, "formula": formula, "exact": measured == formula
                     and t_sub == 2 * (inputs + depth - 1) * n_sub and t_pprs == 2 * (inputs * samples + depth - 1) * n_pprs})
    for previous, row in zip([None, *rows], rows):
        row["slope"] = None if previous is None else (
            math.log(row["speedup"] / previous["speedup"]) / math.log(row["depth"] / previous["depth"]))
    return rows


def print_rows(rows, samples, inputs):
    print(f"   {'Δ':>5} {'N_sub':>7} {'N_pprs':>7} {'K':>5} {'time_sub':>12} {'time_pprs':>12} "
          f"{'speed-up':>9} {'formula':>9} {'exact':>5} {'slope':>6}")
    for r in rows:
        slope = "" if r["slope"] is None else f"{r['slope']:.3f}"
        print(f"   {r['depth']:>5} {r['N_sub']:>7} {r['N_pprs']:>7} {samples:>5} {r['time_sub']:>12} {r['time_pprs']:>12} "
              f"{float(r['speedup']):>9.3f} {float(r['formula']):>9.3f} {str(r['exact']):>5} {slope:>6}")
    first, last = rows[0], rows[-1]
    overall = math.log(last["speedup"] / first["speedup"]) / math.log(last["depth"] / first["depth"])
    print(f"   n={inputs}: every row exact: {all(r['exact'] for r in rows)}; log-log slope over Δ={first['depth']}..{last['depth']}: "
          f"{overall:.3f}; min step slope {min(r['slope'] for r in rows[1:]):.3f}", flush=True)
    return overall


def speedup_exact(dim=16, fraction=0.5, runs=4, inputs=1):
    instance = LipschitzMaxFunction(dim=dim)
    eps = fraction * abs(instance.f_star)
    method, tuned = pprs_for(instance, eps)
    horizon = math.ceil((instance.lipschitz * instance.radius / eps) ** 2)
    subgradient = Subgradient(instance.lipschitz, instance.radius, horizon)
    print(f"c1. Speed-up identity, re-run at every Δ: max-function-lipschitz d={dim}, ε={fraction}|f*|={eps:.4g}, "
          f"S={runs} seeds, n={inputs}; PPRS Theorem D K={tuned.K}, γ={tuned.gamma:.4g}; subgradient T={horizon}",
          flush=True)
    sub_traces, pprs_traces, reference = {}, {}, None
    for depth in DEPTHS:
        model = PipelineModel(depth=depth, inputs=inputs)
        sub_traces[depth] = run(subgradient, instance, model, horizon, runs=runs, stop_below=eps)
        pprs_traces[depth] = run(method, instance, model, 2 * tuned.T, runs=runs, stop_below=eps)
        values = (sub_traces[depth].values, pprs_traces[depth].values)
        reference = reference or values
        same = all(np.array_equal(a, b) for a, b in zip(values, reference))
        print(f"    Δ={depth}: N_sub={worst_iterations(sub_traces[depth], eps)}, "
              f"N_pprs={worst_iterations(pprs_traces[depth], eps)}, values identical to Δ={DEPTHS[0]}: {same}", flush=True)
        if not same:
            raise AssertionError(f"values differ between Δ={DEPTHS[0]} and Δ={depth}")
    print_rows(speedup_rows(sub_traces, pprs_traces, eps, inputs, method.samples), method.samples, inputs)


def speedup_linear(dim=2, ratio=8000.0, runs=2, inputs=1, check_prefix=20):
    instance = LipschitzMaxFunction(dim=dim)
    eps = instance.lipschitz * instance.radius / ratio
    method, tuned = pprs_for(instance, eps)
    horizon = math.ceil(ratio**2)
    subgradient = Subgradient(instance.lipschitz, instance.radius, horizon)
    print(f"c2. Near-linear regime: max-function-lipschitz d={dim}, RL/ε={ratio:g} (ε={eps:.4g} = {eps / abs(instance.f_star):.4g}|f*|), "
          f"S={runs} seeds, n={inputs}; PPRS Theorem D T={tuned.T}, K={tuned.K}, γ={tuned.gamma:.4g}; "
          f"subgradient T={horizon}", flush=True)
    base = PipelineModel(depth=DEPTHS[0], inputs=inputs)
    start = time.perf_counter()
    sub = run(subgradient, instance, base, horizon, runs=runs, stop_below=eps)
    print(f"    subgradient: N_sub={worst_iterations(sub, eps)} ({time.perf_counter() - start:.1f} s)", flush=True)
    start = time.perf_counter()
    pprs = run(method, Progress(instance, 100, "pprs", "≤" + str(2 * tuned.T)), base, 2 * tuned.T, runs=runs,
               stop_below=eps)
    print(f"    pprs: N_pprs={worst_iterations(pprs, eps)} ({time.perf_counter() - start:.1f} s)", flush=True)
    deep = PipelineModel(depth=DEPTHS[-1], inputs=inputs)  # Δ-independence, spot-checked on a prefix
    same = (np.array_equal(run(method, instance, deep, check_prefix, runs=runs).values, pprs.values[:, :check_prefix + 1])
            and np.array_equal(run(subgradient, instance, deep, check_prefix, runs=runs).values,
                               sub.values[:, :check_prefix + 1]))
    print(f"    first {check_prefix} iterations re-run at Δ={DEPTHS[-1]}: values identical: {same}", flush=True)
    if not same:
        raise AssertionError("values depend on Δ")

    def at(trace, depth):  # the same values on the clock of depth Δ
        model = PipelineModel(depth=depth, inputs=inputs)
        return replace(trace, times=model.iteration_times(trace.iterations, queries=trace.queries_per_iteration))

    rows = speedup_rows({d: at(sub, d) for d in DEPTHS}, {d: at(pprs, d) for d in DEPTHS}, eps, inputs, method.samples)
    overall = print_rows(rows, method.samples, inputs)
    near = all(r["slope"] >= 0.9 for r in rows[1:])
    print(f"   near-linear regime (nK={inputs * method.samples} ≫ Δ ≤ {DEPTHS[-1]}): every step slope >= 0.9: {near}; "
          f"overall {overall:.3f}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("all", "throughput", "memory", "speedup"), default="all")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-diagnose", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--memory-dim", type=int, default=10**6)
    parser.add_argument("--memory-samples", type=int, default=32)
    parser.add_argument("--memory-iterations", type=int, default=100)
    args = parser.parse_args(argv)
    if args.memory_child:
        memory_child(args.memory_dim, args.memory_samples, args.memory_iterations)
        return 0
    start = time.perf_counter()
    if args.part in ("all", "throughput"):
        throughput(args.repeats, diagnose=not args.no_diagnose)
    if args.part in ("all", "memory"):
        memory(args.memory_dim, args.memory_samples, args.memory_iterations)
    if args.part in ("all", "speedup"):
        speedup_exact()
        speedup_linear()
    print(f"total {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
