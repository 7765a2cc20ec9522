"""Independent tasks spread over the machine's cores by threads.

numpy releases the GIL in its array loops and in Generator.standard_normal(out=...), so threads run such tasks
in parallel. Each thread pulls the next task index from one shared iterator; a task writes only its own
memory, so the results do not depend on the number of threads or on which thread ran which task.
"""
import os
import threading
from concurrent.futures import ThreadPoolExecutor

MIN_ELEMENTS = 2**16  # below this many array elements per thread a task is run inline (a handoff costs ~50 µs)
THREADS: int | None = None  # set: every share() with threads=None uses this many threads, whatever the size

_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _forget_pool():
    """In a forked child: the parent's threads do not exist here, so the pool is rebuilt on first use."""
    global _POOL
    _POOL = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def _pool() -> ThreadPoolExecutor:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=64, thread_name_prefix="pplimits")
        return _POOL


def share(worker, count: int, threads: int | None = None, elements: int | None = None) -> None:
    """Run worker(indices) on `threads` threads (this one included), `indices` one shared iterator over
    range(count): every index goes to exactly one thread. threads=None: THREADS if set, else one per core and
    fewer when `elements` (the array elements the tasks touch) leaves under MIN_ELEMENTS per thread; never more
    than `count`. Returns when every thread is done; re-raises the first error."""
    if threads is None:
        threads = THREADS or min(cores(), max(1, (elements if elements is not None else 2**62) // MIN_ELEMENTS))
    threads = min(threads, count)
    indices = iter(range(count))
    if threads <= 1:
        worker(indices)
        return
    futures = [_pool().submit(worker, indices) for _ in range(threads - 1)]
    try:
        worker(indices)
    finally:
        errors = [future.exception() for future in futures]  # waits for every helper thread
    for error in errors:
        if error is not None:
            raise error
