"""Runs a table of `pplimits` command lines in this one process (one import of pplimits instead of one per case),
for tests/cli/test_hostile_table.py: `python hostile_driver.py CASES.json SECONDS`.

CASES.json is a list of {"args": [...], "files": {name: text, or null for a folder}}. Each case runs in a fresh,
empty folder (its working directory) holding only its `files`, with "{tmp}" in its arguments replaced by that
folder's path; stdout and stderr are caught both as Python streams and as file descriptors (a library writing to fd
2 is caught too), and the case is stopped after SECONDS. One JSON line per case goes to the real stdout as soon as
it ends, so a case that hangs past the caller's timeout still leaves the results before it:
{"index", "code", "stdout", "stderr", "tree": {relative path: text, or null for a folder}, "seconds", "timed_out"}.

The address space is limited to 4 GiB here, before anything is imported, so an unguarded allocation fails at once
instead of swapping the machine.
"""
import resource

LIMIT = 4 * 2**30
resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))

import io  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402


class CaseTimeout(BaseException):
    """Raised by the alarm; a BaseException, so that the CLI's `except Exception` cannot swallow it."""


def _alarm(signum, frame):
    raise CaseTimeout


def tree(root: Path) -> dict:
    """Every path under `root`, relative, with a file's text (bytes shown with replacement) or None for a folder."""
    found = {}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        found[name] = None if path.is_dir() and not path.is_symlink() else path.read_bytes().decode(errors="replace")
    return found


def run_case(main, index: int, case: dict, scratch: Path, seconds: int) -> dict:
    folder = scratch / f"case-{index}"
    folder.mkdir()
    for name, text in case.get("files", {}).items():
        target = folder / name
        if text is None:
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
    args = [arg.replace("{tmp}", str(folder)) for arg in case["args"]]
    fd_out, fd_err = (open(scratch / f"fd-{index}-{n}", "w+b") for n in (1, 2))
    saved = os.dup(1), os.dup(2)
    py_out, py_err = io.StringIO(), io.StringIO()
    code, timed_out, start = None, False, time.monotonic()
    os.chdir(folder)
    sys.stdout.flush(), sys.stderr.flush()
    os.dup2(fd_out.fileno(), 1), os.dup2(fd_err.fileno(), 2)
    sys.stdout, sys.stderr = py_out, py_err
    signal.alarm(seconds)
    try:
        with warnings.catch_warnings():  # a fresh warnings registry: a warning shown in an earlier case shows again
            code = main(args)
    except SystemExit as exit_:  # argparse (usage errors, --help, --version)
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        if not isinstance(exit_.code, int) and exit_.code is not None:
            print(exit_.code, file=py_err)
    except CaseTimeout:
        timed_out = True
    except BaseException:  # what main let through: shown as the traceback a user would see
        code = 1
        py_err.write(traceback.format_exc())
    finally:
        signal.alarm(0)
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        os.dup2(saved[0], 1), os.dup2(saved[1], 2)
        os.close(saved[0]), os.close(saved[1])
        os.chdir(scratch)
    seconds_taken = round(time.monotonic() - start, 3)
    written = []
    for handle in (fd_out, fd_err):
        handle.seek(0)
        written.append(handle.read().decode(errors="replace"))
        handle.close()
    return {"index": index, "code": code, "stdout": py_out.getvalue() + written[0],
            "stderr": py_err.getvalue() + written[1], "tree": tree(folder), "seconds": seconds_taken,
            "timed_out": timed_out}


def main() -> None:
    cases = json.loads(Path(sys.argv[1]).read_text())
    seconds = int(sys.argv[2])
    signal.signal(signal.SIGALRM, _alarm)
    from pplimits.cli import main as cli_main

    results = os.fdopen(os.dup(1), "w")  # the real stdout, kept apart from the cases' fd 1
    with tempfile.TemporaryDirectory(prefix="pplimits-hostile-") as scratch:
        scratch = Path(scratch)
        os.chdir(scratch)
        for index, case in enumerate(cases):
            print(json.dumps(run_case(cli_main, index, case, scratch, seconds)), file=results, flush=True)


if __name__ == "__main__":
    main()
