"""Speed of the JAX pipeline engine, as ratios measured in one run (machines are noisy: compare within a run).

1. PPRS's smoothed gradient G = (1/K) Σ_k ∇f(θ + γX_k) on a depth-4 network (width 16, 24 samples), K = 8 and
   32: the numpy simulator (Philox noise, then objective.gradient on the (K, d) batch of queries) against the
   JAX engine over 4 CPU devices, one stage per device (compiled before timing). Prints the wall-time ratio
   JAX/numpy end to end (noise drawn per stage, placed, run, fetched) and for the tick loop alone. No target:
   on fake CPU devices the pipeline's per-tick synchronisation costs more than such a small network computes.
2. --gpu: perturbed gradients per second on a GPU JAX sees: the engine where there are ≥ Δ GPUs (K = 256: one
   query per micro-batch, so its tick loop is 2(K + Δ − 1) long), else one GPU running a jitted vmap of the
   layered gradient on a (K, d) batch of queries already on it (K = 65536).

    .venv/bin/python benchmarks/bench_engines.py [--gpu] [--repeats 5]
"""
import argparse
import os
import sys

os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=4")  # before JAX starts

import jax  # noqa: E402
import numpy as np  # noqa: E402
from timing import best_of  # noqa: E402

from pplimits.algorithms.engines import jax_engine  # noqa: E402
from pplimits.algorithms.noise import perturbations  # noqa: E402
from pplimits.worstcase.layered import network  # noqa: E402

DEPTH, GAMMA, SEED, ITERATION = 4, 0.1, 0, 0


def numpy_gradient(objective, samples):
    """The simulator's estimate: noise for all K queries, one batched objective.gradient, the mean over K."""
    queries = objective.x0 + GAMMA * perturbations([SEED], ITERATION, samples, objective.layer_sizes)[0]
    return objective.gradient(queries).mean(axis=0)


def compare_cpu(repeats):
    objective = network(DEPTH)
    for samples in (8, 32):
        def engine():
            return jax_engine.smoothed_gradient(objective, objective.x0, GAMMA, samples, SEED, ITERATION)

        run = engine()  # compiles
        assert np.allclose(run.gradient, numpy_gradient(objective, samples), rtol=1e-12, atol=1e-14)
        simulator = best_of(repeats, lambda: numpy_gradient(objective, samples))
        pipelined = best_of(repeats, engine)
        loop = min(engine().wall_seconds for _ in range(repeats))
        print(f"Δ={DEPTH} K={samples:>2} d={objective.dim}: numpy {simulator * 1e3:.2f} ms, JAX engine on 4 CPU "
              f"devices {pipelined * 1e3:.2f} ms ({run.ticks} ticks; loop alone {loop * 1e3:.2f} ms): "
              f"JAX/numpy {pipelined / simulator:.1f}x end to end, {loop / simulator:.1f}x loop alone", flush=True)


def gpu_throughput(repeats):
    gpus = [device for device in jax.devices() if device.platform == "gpu"]
    if not gpus:
        print("--gpu: JAX sees no GPU here; nothing measured")
        return
    objective = network(DEPTH)
    if len(gpus) >= DEPTH:
        samples = 256
        jax_engine.smoothed_gradient(objective, objective.x0, GAMMA, samples, SEED, ITERATION)
        seconds = min(jax_engine.smoothed_gradient(objective, objective.x0, GAMMA, samples, SEED, ITERATION)
                      .wall_seconds for _ in range(repeats))
        how = f"the JAX pipeline engine over {DEPTH} of {len(gpus)} GPUs (tick loop alone)"
    else:
        samples = 2**16
        gradient = jax_engine.vmapped_gradient(objective, samples, gpus[0])
        queries = jax.device_put(objective.x0 + GAMMA * perturbations([SEED], ITERATION, samples,
                                                                      objective.layer_sizes)[0], gpus[0])
        jax.block_until_ready(gradient(queries))
        seconds = best_of(repeats, lambda: jax.block_until_ready(gradient(queries)))
        how = f"a jitted vmap of the layered gradient on one GPU (the engine needs {DEPTH} devices, found {len(gpus)})"
    print(f"--gpu {gpus[0].device_kind}: {samples / seconds:,.0f} perturbed gradients/s, Δ={DEPTH} d={objective.dim} "
          f"K={samples}, float64, by {how}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gpu", action="store_true", help="perturbed gradients per second on a GPU")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    if args.gpu:
        gpu_throughput(args.repeats)
    else:
        compare_cpu(args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
