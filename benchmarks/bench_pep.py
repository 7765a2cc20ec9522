"""Speed of our PEP against PEPit's on the same worst case, measured in one run (machines are noisy: compare
within a run).

Gradient descent on L-smooth convex functions, L = 1, step 1/L, ‖x₀ − x*‖ ≤ 1, worst case of f(x_N) − f*, for
each N (default 50 and 100): our bounds.pep.worst_case("gd", "smooth-convex", N, exact=False) in its two
formulations — "chain" (consecutive pairs on a chordal Gram matrix of 3×3 blocks, bounds/pep/chain.py) and
"full" (all pairs, rows assembled as sparse matrices, one cvxpy problem) — against PEPit's
wc_gradient_descent(L=1, gamma=1, n=N) (its own constraint-by-constraint model), all solved by Clarabel through
cvxpy. Each is timed once, wall seconds of build plus solve (on 2 cores: seconds at N = 50; at N = 100 about
0.2 s chain, 2 min full, 20 min PEPit's). Prints the values with their relative differences to PEPit's
(MISMATCH beyond 1e-6), any warning from PEPit's solve (e.g. cvxpy's "Solution may be inaccurate"), the
seconds and the ratios PEPit/ours. Exits 1 on a mismatch, 2 without PEPit.

    .venv/bin/python benchmarks/bench_pep.py [--sizes 50 100]
"""
import argparse
import contextlib
import io
import sys
import time
import warnings

from pplimits.bounds.pep.worst_case import worst_case

RTOL = 1e-6


def ours(n, formulation):
    start = time.perf_counter()
    value = worst_case("gd", "smooth-convex", n, {"beta": "1", "step": "1", "R": "1"}, exact=False,
                       formulation=formulation).worst_case
    return value, time.perf_counter() - start


def pepit(n):
    from PEPit.examples.unconstrained_convex_minimization.gradient_descent import wc_gradient_descent

    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # verbose=-1 prints nothing; keep cvxpy's warnings to report them
        value, _ = wc_gradient_descent(L=1, gamma=1, n=n, wrapper="cvxpy", solver="CLARABEL", verbose=-1)
    seconds = time.perf_counter() - start
    return float(value), seconds, sorted({str(w.message).split(".")[0] for w in caught})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 100], help="the N to time (default 50 100)")
    args = parser.parse_args(argv)
    try:
        import PEPit  # noqa: F401
    except ImportError:
        print("PEPit is not installed (pip install pepit); nothing measured")
        return 2
    mismatches = 0
    for n in args.sizes:
        found = {}
        for formulation in ("chain", "full"):
            print(f"N={n}: ours, {formulation} formulation ...", flush=True)
            found[formulation] = ours(n, formulation)
            print(f"N={n}: ours ({formulation}) {found[formulation][0]:.12g} in {found[formulation][1]:.2f} s",
                  flush=True)
        print(f"N={n}: PEPit wc_gradient_descent(L=1, gamma=1, n={n}, CLARABEL) ...", flush=True)
        pepit_value, pepit_seconds, pepit_warnings = pepit(n)
        for message in pepit_warnings:
            print(f"N={n}: PEPit's solve warned: {message}", flush=True)
        print(f"N={n}: PEPit {pepit_value:.12g} in {pepit_seconds:.2f} s; 1/(4N+2) = {1 / (4 * n + 2):.12g}",
              flush=True)
        for formulation, (value, seconds) in found.items():
            relative = abs(value - pepit_value) / abs(pepit_value)
            agree = relative <= RTOL
            mismatches += not agree
            print(f"N={n}: {formulation:>5}: relative difference to PEPit {relative:.2e} "
                  f"({'agree' if agree else 'MISMATCH'} at {RTOL:g}); ours {seconds:.2f} s, PEPit "
                  f"{pepit_seconds:.2f} s, PEPit/ours {pepit_seconds / seconds:.1f}x", flush=True)
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
