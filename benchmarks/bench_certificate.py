"""Speed and memory of the exact PEP certificate (bounds/pep/certificate.py on python-flint) in one run.

1. Against its anchor, the sympy path it replaced (re-implemented here only as the anchor: S summed row by row
   in Fractions, then sympy's QQ LDLᵀ eliminating x₀'s row last): GD (step 1/β) and AGD on β-smooth convex
   functions, β = R = 1, at N = 20 and 50 (`--sizes`). Each PEP is solved once; then the padding stage of the
   certificate (the rational dual S and the smallest padding of e₀ that makes it PSD) is timed both ways, and the
   two paddings must be the same Fraction (MISMATCH otherwise, exit 1); the whole `certify` is timed as well.
2. At N = 200 (`--large`): `pplimits certify`'s work — the SDP solve and the certificate — for GD and AGD in a
   child process: solve seconds, certificate seconds and the child's peak RSS, against the estimate the CLI refuses
   runs by (bounds/pep/memory.py). A run whose estimate exceeds the memory available is reported as refused, not
   started. `--chain-dual` certifies GD at the large N from the chain formulation's dual instead (a dual of a reduced
   problem, zero on the dropped rows, is a dual of the full one), for a solver that cannot reach that N.
3. `--memory`: peak RSS of `pplimits certify` at N ∈ {5, 10, 20, 30, 40, 50} for GD and AGD against the estimate
   (to re-calibrate bounds/pep/memory.py).

    .venv/bin/python benchmarks/bench_certificate.py [--sizes 20 50] [--large 200] [--chain-dual] [--memory]
"""
import argparse
import json
import resource
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
from sympy.polys.domains import QQ

from pplimits.bounds.pep.certificate import DENOMINATOR, DROP, certify, exact_dual
from pplimits.bounds.pep.classes import STAR, SmoothStronglyConvex
from pplimits.bounds.pep.memory import available_bytes, estimate_bytes
from pplimits.bounds.pep.methods import trace
from pplimits.bounds.pep.rational import schur_pad
from pplimits.bounds.pep.sdp import solve

SMOOTH = SmoothStronglyConvex(Fraction(1))
METHODS = {"gd": {"step": Fraction(1)}, "agd": {"L": Fraction(1)}}


def _outer(a, b, scale, out):
    scale = Fraction(scale)
    for k, u in a.items():
        for l, v in b.items():
            out[(k, l)] = out.get((k, l), 0) + scale / 2 * u * v
            out[(l, k)] = out.get((l, k), 0) + scale / 2 * u * v


def anchor_dual(traced, multipliers, kinds):
    """The anchor's S (rows of Fractions): each row's A in Fractions, summed one by one (Σλd = 0 restored)."""
    values = np.asarray(multipliers, dtype=float).clip(min=0)
    cut = DROP * values.max()
    lam = {p: Fraction(round(float(v) * DENOMINATOR), DENOMINATOR) for p, v in enumerate(values) if v > cut}
    lam = {p: v for p, v in lam.items() if v > 0}
    total = sum(v for p, v in lam.items() if kinds[p][0] == "performance")
    lam = {p: v / total if kinds[p][0] == "performance" else v for p, v in lam.items()}
    index = {kind: p for p, kind in enumerate(kinds)}
    balance = {}
    for p, v in lam.items():
        kind = kinds[p]
        if kind[0] == "interpolation":
            if kind[2] != STAR:
                balance[kind[2]] = balance.get(kind[2], 0) + v
            if kind[1] != STAR:
                balance[kind[1]] = balance.get(kind[1], 0) - v
        elif kind[0] == "performance":
            balance[kind[1]] = balance.get(kind[1], 0) - v
    for i, r in balance.items():
        if r != 0:
            p = index[("interpolation", i, STAR)] if r > 0 else index[("interpolation", STAR, i)]
            lam[p] = lam.get(p, 0) + abs(r)
    n = traced.dimension
    S = [[Fraction(0)] * n for _ in range(n)]
    c = SMOOTH.curvature
    for p, v in lam.items():
        kind = kinds[p]
        A = {}
        if kind[0] == "interpolation":
            node = {STAR: ({}, {})}
            xi, ui = node.get(kind[1]) or (traced.points[kind[1]], {1 + kind[1]: Fraction(1)})
            xj, uj = node.get(kind[2]) or (traced.points[kind[2]], {1 + kind[2]: Fraction(1)})
            _outer(uj, {k: xi.get(k, 0) - xj.get(k, 0) for k in set(xi) | set(xj)}, 1, A)
            difference = {k: ui.get(k, 0) - uj.get(k, 0) for k in set(ui) | set(uj)}
            _outer(difference, difference, c, A)
        elif kind[0] == "initial":
            A = {(0, 0): Fraction(1)}
        for (k, l), value in A.items():
            S[k][l] += v * value
    return S


def anchor_pad(matrix):
    """The anchor's padding: sympy's QQ LDLᵀ eliminating rows 1 … n−1 first and row 0 last."""
    n = len(matrix)
    order = [*range(1, n), 0]
    a = [[QQ(matrix[r][c].numerator, matrix[r][c].denominator) for c in order] for r in order]
    for k in range(n - 1):
        pivot = a[k][k]
        if pivot < 0:
            return None
        if pivot == 0:
            if any(a[k][j] != 0 for j in range(k + 1, n)):
                return None
            continue
        for i in range(k + 1, n):
            if a[i][k] != 0:
                factor = a[i][k] / pivot
                for j in range(k + 1, n):
                    if a[k][j] != 0:
                        a[i][j] -= factor * a[k][j]
    last = a[n - 1][n - 1]
    return Fraction(0) if last >= 0 else Fraction(int(-last.numerator), int(last.denominator))


def seconds(function):
    """(value, CPU seconds of this process): wall time is meaningless on a loaded machine; the work is one thread."""
    start = time.process_time()
    value = function()
    return value, time.process_time() - start


def against_anchor(sizes) -> bool:
    print("padding stage (rational S and its padding) and whole certify, CPU seconds; anchor = sympy QQ path")
    print(f"{'method':>6} {'N':>4} {'solve':>8} {'anchor':>9} {'flint':>8} {'ratio':>7} {'certify':>8}  padding")
    agree = True
    for method, parameters in METHODS.items():
        for n in sizes:
            traced = trace(method, n, **parameters)
            solution, solved = seconds(lambda: solve(traced, SMOOTH))
            kinds = solution.rows.kinds
            old, old_seconds = seconds(lambda: anchor_pad(anchor_dual(traced, solution.multipliers, kinds)))
            new, new_seconds = seconds(lambda: schur_pad(exact_dual(traced, SMOOTH, solution.multipliers, kinds,
                                                                    Fraction(1)).S))
            _, whole = seconds(lambda: certify(traced, SMOOTH, solution))
            same = old == new
            agree &= same
            print(f"{method:>6} {n:>4} {solved:8.2f} {old_seconds:9.2f} {new_seconds:8.3f} "
                  f"{old_seconds / new_seconds:6.0f}× {whole:8.2f}  {'same' if same else 'MISMATCH'} "
                  f"({float(new) if new is not None else None:.3g})", flush=True)
    return agree


CHILD = r"""
import json, resource, sys, time
from fractions import Fraction
from pplimits.bounds.pep.certificate import certify
from pplimits.bounds.pep.classes import SmoothStronglyConvex
from pplimits.bounds.pep.methods import trace
from pplimits.bounds.pep.sdp import solve
method, n, chain = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "chain"
limit = int(sys.argv[5])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))  # a run past the estimate fails here, not the machine
cls = SmoothStronglyConvex(Fraction(1))
traced = trace(method, n, **({"step": Fraction(1)} if method == "gd" else {"L": Fraction(1)}))
start, cpu = time.perf_counter(), time.process_time()
if chain:
    sys.path.insert(0, sys.argv[4])
    from bench_certificate import chain_solution
    solution = chain_solution(traced, cls)
else:
    solution = solve(traced, cls)
solved, solved_cpu = time.perf_counter() - start, time.process_time() - cpu
found = certify(traced, cls, solution)
print(json.dumps({"solve": solved, "certificate": time.perf_counter() - start - solved, "solve_cpu": solved_cpu,
                  "certificate_cpu": time.process_time() - cpu - solved_cpu,
                  "worst_case": solution.worst_case, "certified": found.certified, "margin": str(found.margin),
                  "reason": found.reason, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def chain_solution(traced, cls):
    """A Solution of the full PEP whose multipliers are the chain formulation's dual on the rows it keeps (the
    consecutive pairs, the pairs with x*, the measure and the initial condition) and zero elsewhere, its worst case
    the chain's value."""
    import pplimits.bounds.pep.chain as chain
    from pplimits.bounds.pep.sdp import Solution, assemble

    captured = {}
    original = chain.certify_chain
    chain.certify_chain = lambda rows, lam, nu: captured.update(rows=rows, lam=lam) or original(rows, lam, nu)
    try:
        found = chain.solve_chain(traced, cls)
    finally:
        chain.certify_chain = original
    rows = assemble(traced, cls, 1.0)
    index = {kind: p for p, kind in enumerate(rows.kinds)}
    kinds, m = [], len(traced.points)
    for i in range(m - 1):
        kinds += [("interpolation", i, i + 1), ("interpolation", i + 1, i), ("interpolation", i, STAR),
                  ("interpolation", STAR, i)]
    kinds += [("interpolation", m - 1, STAR), ("interpolation", STAR, m - 1)]
    kinds += [("performance", i) for i in traced.performance] + [("initial",)]
    multipliers = np.zeros(len(rows.kinds))
    for kind, value in zip(kinds, captured["lam"]):
        multipliers[index[kind]] = value
    return Solution(found["worst_case"], found["status"], 0.0, 0.0, 0.0, 0.0, multipliers, rows, 0.0)


def large(n, chain_dual, limit) -> None:
    print(f"\nN = {n}: solve and certificate in a child process (peak RSS of the child; address space capped at "
          f"{limit / 2**30:.0f} GiB)")
    for method in METHODS:
        chain = chain_dual and method == "gd"
        estimate, available = estimate_bytes(n), available_bytes()
        if not chain and estimate > available:
            print(f"{method:>4}: refused, estimated {estimate / 2**30:.1f} GiB > {available / 2**30:.1f} GiB "
                  f"available (the CLI's check)")
            continue
        run = subprocess.run([sys.executable, "-c", CHILD, method, str(n), "chain" if chain else "full",
                              str(Path(__file__).parent), str(limit)], capture_output=True, text=True)
        if run.returncode:
            why = run.stderr.strip().splitlines()[-1] if run.stderr.strip() else run.returncode
            print(f"{method:>4}: failed ({why})")
            continue
        found = json.loads(run.stdout.strip().splitlines()[-1])
        print(f"{method:>4}: {'chain dual' if chain else 'solve'} {found['solve']:.1f} s ({found['solve_cpu']:.1f} s "
              f"CPU), certificate {found['certificate']:.1f} s ({found['certificate_cpu']:.1f} s CPU), total "
              f"{found['solve'] + found['certificate']:.1f} s, peak RSS {found['rss'] / 2**30:.2f} GiB "
              f"({'no SDP at this N' if chain else f'estimate {estimate / 2**30:.2f}'}); "
              f"certified {found['certified']} "
              f"(margin {found['margin']}; {found['reason'][:80]})", flush=True)


def memory() -> None:
    print("\npeak RSS of `pplimits certify --class smooth-convex` against the estimate (bounds/pep/memory.py)")
    for method in METHODS:
        for n in (5, 10, 20, 30, 40, 50):
            run = subprocess.run([sys.executable, "-c", "import resource, sys; from pplimits.cli import main; "
                                  "main(sys.argv[1:]); print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)",
                                  "certify", "--method", method, "--class", "smooth-convex", "--iterations", str(n),
                                  "--json"], capture_output=True, text=True)
            rss = int(run.stdout.strip().splitlines()[-1]) * 1024
            estimate = estimate_bytes(n)
            print(f"{method:>4} N = {n:>3}: {rss / 2**20:7.0f} MiB measured, {estimate / 2**20:7.0f} MiB estimated "
                  f"({estimate / rss:.2f}×)", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[20, 50])
    parser.add_argument("--large", type=int, nargs="*", default=[200])
    parser.add_argument("--chain-dual", action="store_true")
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--limit-gib", type=float, default=8.0, help="address-space cap of the large runs")
    args = parser.parse_args(argv)
    agree = against_anchor(args.sizes)
    for n in args.large:
        large(n, args.chain_dual, int(args.limit_gib * 2**30))
    if args.memory:
        memory()
    print(f"\npeak RSS of this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10:.0f} MiB")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
