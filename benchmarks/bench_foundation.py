"""Speed of the foundation, as ratios measured in one run (machines are noisy: compare within a run).

1. A vectorised batch of S = 256 runs against a Python loop over the same 256 runs (target ≥ 20×).
2. The clock: T = 10⁶ iterations at Δ = 10⁴ accounted in closed form (target < 1 s).

    python benchmarks/bench_foundation.py [--repeats 3]
"""
import argparse
import sys

import numpy as np
from timing import best_of

from pplimits.algorithms.clock import PipelineModel
from pplimits.algorithms.runner import run
from pplimits.algorithms.span_methods import AcceleratedGradient, RandomSpanMethod
from pplimits.worstcase import NesterovChain


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    runs, iterations = 256, 200
    instance = NesterovChain(dim=101)
    model = PipelineModel(depth=8)
    for method in (AcceleratedGradient(instance.beta), RandomSpanMethod(2 / instance.beta, seed=1)):
        batched = best_of(args.repeats, lambda: run(method, instance, model, iterations, runs=runs))
        looped = best_of(args.repeats, lambda: [run(method, instance, model, iterations, runs=1) for _ in range(runs)])
        print(f"{method.name:>12}: S={runs} runs x {iterations} iterations, d={instance.dim}: "
              f"batched {batched:.3f} s, loop {looped:.3f} s, speed-up {looped / batched:.1f}x (target >= 20x)",
              flush=True)
    clock = PipelineModel(depth=10_000)
    seconds = best_of(args.repeats, lambda: clock.iteration_times(1_000_000))
    times = clock.iteration_times(1_000_000)
    assert times[-1] == 1_000_000 * 2 * 10_000 and times.dtype == np.int64
    print(f"       clock: T=1e6 iterations at depth 1e4 accounted in {seconds * 1e3:.2f} ms (target < 1000 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
