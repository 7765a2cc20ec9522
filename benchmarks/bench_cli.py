"""How long the `pplimits` command takes to answer (issue 16, item 4: ≤ 0.5 s wall), against `python -c "import numpy"`
measured in the same run: `python benchmarks/bench_cli.py [--runs 5]`.

Each command is the installed console script in a fresh subprocess; the runs of all commands and of the anchor are
interleaved, so that a change of load on a shared machine falls on every row alike. Warm: the catalog of claims
(bounds.catalog) already cached on disk; cold: each run with an empty cache folder (PPLIMITS_CACHE), so the claims are
derived from the sympy registry and stored, as on the first run after an install or a change to pplimits.bounds. The
figure is the median of the runs; the ratio is to the anchor's median.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 0.5  # seconds, wall (issue 16)
COMMANDS = {
    "--version": ["--version"],
    "schedule": ["schedule", "--depth", "8", "--inputs", "32"],
    "bounds": ["bounds"],
    "bound": ["bound", "smooth-convex.lower.time", "--set", "eps=1e-4", "--set", "depth=8", "--set", "beta=1",
              "--set", "R=1"],
    "regime": ["regime", "--depth", "8", "--dim", "2101248", "--eps", "0.01", "--set", "n=16"],
}
CACHED = ("bounds", "bound", "regime")  # the commands that read the catalog (the others' cold run is their warm one)


def console_script() -> str:
    beside = Path(sys.executable).with_name("pplimits")
    found = str(beside) if beside.exists() else shutil.which("pplimits")
    if found is None:
        sys.exit("bench_cli: the pplimits console script is not installed (pip install -e .)")
    return found


def wall(command: list[str], cache: str) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env={**os.environ, "PPLIMITS_CACHE": cache}, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"bench_cli: {' '.join(command)} exited {done.returncode}: {done.stderr.strip()}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per row (default 5; the median is shown)")
    runs = parser.parse_args().runs
    script = console_script()
    anchor = [sys.executable, "-c", "import numpy"]
    warm, cold = {name: [] for name in ["numpy", *COMMANDS]}, {name: [] for name in CACHED}
    with tempfile.TemporaryDirectory(prefix="pplimits-bench-") as scratch:
        shared = os.path.join(scratch, "warm")
        wall([script, *COMMANDS["bounds"]], shared)  # fills the warm cache
        for run in range(runs):
            print(f"bench_cli: run {run + 1}/{runs}", file=sys.stderr, flush=True)
            warm["numpy"].append(wall(anchor, shared))
            for name, args in COMMANDS.items():
                warm[name].append(wall([script, *args], shared))
            for name in CACHED:
                cold[name].append(wall([script, *COMMANDS[name]], os.path.join(scratch, f"cold-{name}-{run}")))
    base = statistics.median(warm["numpy"])
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"pplimits CLI wall time, median of {runs} runs (load average {load:.1f} on {os.cpu_count()} CPUs); "
          f"target ≤ {TARGET} s")
    print(f"{'command':<11}{'warm s':>8}{'× numpy':>9}{'cold s':>8}{'× numpy':>9}  warm ≤ {TARGET} s")
    print(f"{'numpy':<11}{base:>8.3f}{1:>9.2f}")
    for name in COMMANDS:
        seconds = statistics.median(warm[name])
        row = f"{name:<11}{seconds:>8.3f}{seconds / base:>9.2f}"
        if name in cold:
            first = statistics.median(cold[name])
            row += f"{first:>8.3f}{first / base:>9.2f}"
        else:
            row += f"{'':>8}{'':>9}"
        print(row + f"  {'met' if seconds <= TARGET else 'NOT met'}")
    print('numpy: python -c "import numpy" (the anchor); cold: an empty cache folder, the claims derived and stored')


if __name__ == "__main__":
    main()
