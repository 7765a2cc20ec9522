"""Timing shared by the benchmarks."""
import time


def best_of(repeats, function):
    """Minimum wall time over `repeats` calls (the minimum is the steadiest statistic on a busy machine)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)
