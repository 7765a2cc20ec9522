"""pplimits/_util/parallel.py and scratch.py: tasks shared by threads, each index run exactly once, errors surfaced;
kept arrays reused only when nobody else holds them."""
import pickle
import threading

import pytest

from pplimits._util.parallel import share
from pplimits._util.scratch import Scratch


@pytest.mark.parametrize("threads", [1, 2, 5])
def test_every_index_goes_to_exactly_one_thread(threads):
    seen, names, lock = [], set(), threading.Lock()

    def worker(indices):
        for i in indices:
            with lock:
                seen.append(i)
                names.add(threading.current_thread().name)

    share(worker, 1000, threads=threads)
    assert sorted(seen) == list(range(1000))
    assert len(names) <= threads


def test_an_error_in_a_helper_thread_is_raised_after_every_thread_is_done():
    done = []

    def worker(indices):
        for i in indices:
            if i == 3:
                raise ZeroDivisionError("task 3")
            done.append(i)

    with pytest.raises(ZeroDivisionError, match="task 3"):
        share(worker, 50, threads=2)
    assert 3 not in done and len(done) >= 1


def test_a_kept_array_is_reused_only_once_nobody_holds_it():
    scratch = Scratch()
    first = scratch.empty("a", (4, 3))
    address = first.ctypes.data
    held = scratch.empty("a", (4, 3))
    assert held.ctypes.data != address  # `first` is still held: a new array
    view = first[1:]
    del first
    assert scratch.empty("a", (4, 3)).ctypes.data != address  # a view still holds it
    del view
    assert scratch.empty("a", (4, 3)).ctypes.data == address  # now free: reused
    assert scratch.empty("a", (4, 2)).shape == (4, 2)  # another shape: a new array


def test_keep_two_alternates_between_two_arrays():
    scratch = Scratch()
    a = scratch.empty("z", (5,), keep=2)
    b = scratch.empty("z", (5,), keep=2)
    addresses = {a.ctypes.data, b.ctypes.data}
    del a
    c = scratch.empty("z", (5,), keep=2)
    assert len(addresses) == 2 and c.ctypes.data in addresses and c.ctypes.data != b.ctypes.data


def test_scratch_pickles_empty():
    scratch = Scratch()
    kept = scratch.empty("a", (1000,))
    kept[:] = 1.0
    del kept
    assert len(pickle.dumps(scratch)) < 200
    assert isinstance(pickle.loads(pickle.dumps(scratch)), Scratch)


def test_a_forked_child_gets_threads_of_its_own():
    """The parent's pool threads do not survive fork: a child that reused the pool would wait forever."""
    import os

    share(lambda indices: list(indices), 4, threads=2)  # the pool exists in the parent
    pid = os.fork()
    if pid == 0:  # the child: exit 0 only if share completes
        try:
            seen = []
            share(lambda indices: seen.extend(indices), 100, threads=2)
            os._exit(0 if sorted(seen) == list(range(100)) else 1)
        finally:
            os._exit(2)
    for _ in range(100):
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        threading.Event().wait(0.1)
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        pytest.fail("the forked child's share() did not finish in 10 s")
    assert os.waitstatus_to_exitcode(status) == 0
