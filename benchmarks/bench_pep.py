"""Speed of our PEP against PEPit's on the same worst cases, measured in one run (machines are noisy: compare
within a run).

Worst case of f(x_N) − f* on L-smooth convex functions, L = 1, ‖x₀ − x*‖ ≤ 1, for GD (step 1/L, PEPit's
wc_gradient_descent(L=1, gamma=1, n=N)) and AGD/FISTA (PEPit's wc_accelerated_gradient_convex(mu=0, L=1, n=N)),
for each N of --sizes (default 20 50 100). Ours: bounds.pep.worst_case(method, "smooth-convex", N,
formulation="chain") — build, solve and the exact certificate (the chain formulation: consecutive pairs on a
chordal Gram matrix, bounds/pep/chain.py, solved by Clarabel's own API; its exact bound is a proof for the
all-pairs problem too, as the chain is a relaxation of it). PEPit: its own model through cvxpy, solved by the same
solver (Clarabel) at its default accuracy; ours runs at tighter tolerances (1e-11). Each is timed once, wall seconds
of the call (imports excluded), in a fresh subprocess (so one cannot leave the other a warm cache), PEPit stopped
after --pepit-timeout seconds: then its time is at least the seconds its call had run, and the ratio printed is a lower bound (marked ≥).

Prints one line per (method, N): ours (s), certified (margin), PEPit (s), PEPit/ours, the relative difference of
the values (MISMATCH beyond 1e-6). Exits 1 on a mismatch or an uncertified result, 2 without PEPit.

    .venv/bin/python benchmarks/bench_pep.py [--sizes 20 50 100] [--pepit-timeout 1800]
"""
import argparse
import json
import subprocess
import sys
import time

RTOL = 1e-6
OURS = """
import json, time
from pplimits.bounds.pep.worst_case import worst_case
print(json.dumps({{"started": time.time()}}), flush=True)
start = time.perf_counter()
found = worst_case({method!r}, "smooth-convex", {n}, {{"beta": "1", "R": "1"}}, formulation="chain")
print(json.dumps({{"value": found.worst_case, "certified": found.certified, "margin": found.margin,
                   "seconds": time.perf_counter() - start}}))
"""
PEPIT = """
import contextlib, io, json, time, warnings
from PEPit.examples.unconstrained_convex_minimization.{module} import {function}
print(json.dumps({{"started": time.time()}}), flush=True)
start = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    value, _ = {function}({arguments}, n={n}, wrapper="cvxpy", solver="CLARABEL", verbose=-1)
print(json.dumps({{"value": float(value), "seconds": time.perf_counter() - start,
                   "warnings": sorted({{str(w.message).split(".")[0] for w in caught}})}}))
"""
METHODS = {"gd": ("gradient_descent", "wc_gradient_descent", "L=1, gamma=1"),
           "agd": ("accelerated_gradient_convex", "wc_accelerated_gradient_convex", "mu=0, L=1")}


def _run(code: str, timeout: float | None) -> dict:
    """The last JSON line a fresh interpreter prints for `code`, which first prints {"started": epoch} when its
    imports are done and its timed call begins; stopped `timeout` seconds after that (killed), {"stopped": seconds
    its call had run}."""
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = process.stdout.readline()
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return {"stopped": time.time() - json.loads(first)["started"]}
    if process.returncode:
        return {"failed": err.strip().splitlines()[-1] if err.strip() else f"exit {process.returncode}"}
    return json.loads(out.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 50, 100], help="the N to time (default 20 50 100)")
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument("--pepit-timeout", type=float, default=1800.0,
                        help="seconds after which PEPit is stopped (its time then a lower bound); default 1800")
    args = parser.parse_args(argv)
    try:
        import PEPit  # noqa: F401
    except ImportError:
        print("PEPit is not installed (pip install pepit); nothing measured")
        return 2
    failures, lines, stopped = 0, [], False
    header = f"{'method':>6} {'N':>4} {'ours (s)':>9} {'certified':>16} {'PEPit (s)':>10} {'PEPit/ours':>11} {'rel. diff':>9}"
    for method in args.methods:
        module, function, arguments = METHODS[method]
        for n in args.sizes:
            print(f"{method} N={n}: ours (chain formulation, build + solve + exact certificate) ...", file=sys.stderr,
                  flush=True)
            ours = _run(OURS.format(method=method, n=n), None)
            if "failed" in ours:
                raise SystemExit(f"{method} N={n}: ours failed: {ours['failed']}")
            print(f"{method} N={n}: ours {ours['seconds']:.2f} s; PEPit {function}({arguments}, n={n}) ...",
                  file=sys.stderr, flush=True)
            theirs = _run(PEPIT.format(module=module, function=function, arguments=arguments, n=n),
                          args.pepit_timeout)
            certified = f"yes (margin {ours['margin']:.1e})" if ours["certified"] else "NO"
            failures += not ours["certified"]
            if "failed" in theirs:
                seconds, ratio, difference = "failed", "—", "—"
                print(f"{method} N={n}: PEPit failed: {theirs['failed']}", file=sys.stderr, flush=True)
            elif "stopped" in theirs:
                stopped = True
                seconds, ratio = f">{theirs['stopped']:.0f}", f"≥{theirs['stopped'] / ours['seconds']:.1f}"
                difference = "—"
            else:
                relative = abs(ours["value"] - theirs["value"]) / abs(theirs["value"])
                failures += relative > RTOL
                seconds, ratio = f"{theirs['seconds']:.2f}", f"{theirs['seconds'] / ours['seconds']:.1f}"
                difference = f"{relative:.1e}" + ("" if relative <= RTOL else " MISMATCH")
                for message in theirs["warnings"]:
                    print(f"{method} N={n}: PEPit's solve warned: {message}", file=sys.stderr, flush=True)
            line = f"{method:>6} {n:>4} {ours['seconds']:>9.2f} {certified:>16} {seconds:>10} {ratio:>11} {difference:>9}"
            lines.append(line)
            print(line, file=sys.stderr, flush=True)
    print(header)
    print("\n".join(lines))
    if stopped:
        print(f"≥: PEPit stopped at --pepit-timeout {args.pepit_timeout:g} s; the ratio is a lower bound")
    print(f"values: worst case of f(x_N) − f*, L = 1, R = 1; rel. diff = |ours − PEPit|/PEPit (MISMATCH > {RTOL:g})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
