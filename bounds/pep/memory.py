"""The peak memory of a `certify` run, estimated from N before it starts, against the memory the machine has.

Model: BASE + PER_ENTRY·n⁴ for the full formulation, n = N + 2 the Gram dimension (the SDP's PSD block holds
n(n+1)/2 entries and the interpolation rows (N + 2)(N + 1) of O(n) non-zeros each: the solver's factorisation grows
like n⁴), and BASE + PER_STEP·N for the chain formulation (3×3 blocks). Calibrated on the peak RSS (ru_maxrss) of
`pplimits certify --class smooth-convex --method gd|agd --iterations N` (cvxpy + Clarabel, flint certificate):
250 MiB at N = 5 (BASE), 346 and 449 MiB for AGD at N = 40 and 50, i.e. 28 bytes per n⁴ above BASE (the largest
ratio at N ≥ 40; GD's are lower); the chain formulation at N = 200 peaked at 265 MiB. Each term is multiplied by
SAFETY. Re-measure with `python benchmarks/bench_certificate.py --memory` when the solver changes (it prints
measured against estimated).
"""
import os
from pathlib import Path

from pplimits._util.checks import UsageError, parse_number

BASE = 250 * 2**20  # bytes: the interpreter, numpy, scipy, cvxpy and flint loaded (measured at N = 5)
PER_ENTRY = 28.0  # bytes per n⁴ (full formulation)
PER_STEP = 2**20  # bytes per iteration (chain formulation: 265 MiB at N = 200, 15 MiB above BASE)
SAFETY = 1.25


def estimate_bytes(iterations: int, formulation: str = "full") -> int:
    """The estimated peak resident bytes of certify at N = iterations (see the module)."""
    if formulation == "chain":
        return int(BASE + SAFETY * PER_STEP * iterations)
    return int(BASE + SAFETY * PER_ENTRY * (iterations + 2) ** 4)


def available_bytes() -> int:
    """The memory this machine can give a new process now: MemAvailable of /proc/meminfo, else the physical pages
    (os.sysconf)."""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def require_memory(iterations, formulation: str = "full", available: int | None = None) -> None:
    """A UsageError naming --iterations, the estimate and the memory available when the run would not fit; nothing
    when it fits or when `iterations` is not a number (worst_case then says what is wrong with it)."""
    try:
        n = int(parse_number("iterations", iterations)) if isinstance(iterations, str) else int(iterations)
    except (UsageError, ValueError, TypeError):
        return
    needed = estimate_bytes(n, formulation)
    available = available_bytes() if available is None else available
    if needed > available:
        raise UsageError(f"--iterations {n} needs about {needed / 2**30:.1f} GiB for the {formulation} formulation "
                         f"(estimated before starting), more than the {available / 2**30:.1f} GiB available here; "
                         "use fewer iterations" + (" or --formulation chain (gd; agd on smooth-convex)" if formulation == "full" else ""))
