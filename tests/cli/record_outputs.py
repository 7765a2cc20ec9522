"""Record what `pplimits bounds`, `bound` and `regime` print for a broad table of command lines, in this one process:
`python tests/cli/record_outputs.py OUT.json` (gzip it to tests/cli/outputs.json.gz). tests/cli/test_outputs.py holds today's commands to the recording.

The recording in tests/cli/outputs.json.gz was made from main's code before the sympy-free fast path existed (issue 16,
item 4), so that the fast path is held to what the sympy path printed, byte for byte. Re-record it (from the code as
it then is) only where a claim changes on purpose, as the gate's baselines are re-blessed.
"""
import contextlib
import io
import json
import random
import signal
import sys
import time

SECONDS = 60  # a command line still running after this is recorded as timed out (main's code: see the report)
# Every parameter a claim may take; each claim is given its own, or all (more assumptions checked). t/τ_g stays small:
# main's sympy path raises (1 − μ/β) to the power ⌊t/τ_g⌋ exactly, and at t = 1e9 did not finish within an hour.
PARAMETER_SETS = (
    dict(eps="1e-3", depth="8", n="4", b="2", beta="1", mu="0.01", R="1", D_f="1", d="1000000", t="1000", L="1",
         K="16", T="100", gamma="0.1", k="10"),
    dict(eps="0.0123", depth="3", n="7", b="5", beta="2.5", mu="0.7", R="0.3", D_f="4.2", d="2101248", t="777.7",
         L="3.3", K="3", T="12", gamma="2e-3", k="0.5", tau_g="37"),
    dict(eps="1e-9", depth="1024", n="16", b="1", beta="10", mu="1e-4", R="100", D_f="1e3", d="7", t="1e5", L="1e3",
         K="1", T="1", gamma="1e3", k="1e6"),
    dict(eps="1e-300", depth="8", n="4", b="2", beta="1", mu="0.01", R="1", D_f="1", d="1000000", t="1000", L="1",
         K="16", T="100", gamma="0.1", k="10"),
    dict(eps="0.5", depth="1", n="1", b="1", beta="1", mu="0.5", R="1", D_f="1", d="1", t="0", L="1", K="1", T="1",
         gamma="1", k="0"),
    dict(eps="0.00482632049839995", depth="1024", n="16", L="1", R="1", d="2101248", b="16", beta="1", mu="0.25",
         D_f="1", t="4096", K="8", T="64", gamma="1/3", k="7"),
    dict(eps="1e-3", depth="4", n="2", beta="1", mu="2", R="1", t="100", d="3", tau_g="10", L="1", b="1"),
    dict(eps="1e-5", depth="100000", n="1000", b="999", beta="1e-3", mu="1e-6", R="1e5", D_f="1e-2", d="123456789",
         t="123456.789", L="7", K="1000", T="1000", gamma="1e-6", k="3", tau_g="1000000"),
    dict(eps="0.25", depth="8", n="3", b="4", beta="2", mu="0.5", R="1.5", D_f="3", d="16", t="40", L="2", K="2",
         T="3", gamma="0.5", k="4", tau_g="12"),
    dict(eps="1e-8", depth="2", n="1", b="1", beta="1", mu="1e-3", R="1", D_f="1", d="81", t="1e4", L="1", K="4",
         T="9", gamma="1e-2", k="1e9"),
)
REGIME_POINTS = (
    ("--depth", "8", "--dim", "2101248", "--eps", "0.01", "--set", "n=16"),
    ("--depth", "4", "--dim", "10", "--eps", "0.1"),
    ("--depth", "1024", "--dim", "2101248", "--eps", "0.00482632049839995", "--set", "n=16"),
    ("--depth", "64", "--dim", "1000", "--eps", "1e-4", "--set", "n=4", "--set", "b=2"),
    ("--depth", "8", "--dim", "2101248", "--eps", "0.01", "--set", "n=16", "--schedule", "1f1b"),
    ("--depth", "8", "--dim", "2101248", "--eps", "0.01", "--set", "n=16", "--schedule", "naive"),
    ("--depth", "8", "--dim", "2101248", "--eps", "0.01", "--set", "n=16", "--schedule", "zb-h1"),
    ("--depth", "8", "--dim", "2101248", "--eps", "0.01", "--set", "n=16", "--duplex", "full"),
    ("--depth", "16", "--dim", "100000", "--eps", "0.003", "--set", "L=2", "--set", "R=0.5", "--set", "n=2"),
    ("--depth", "1000000", "--dim", "100", "--eps", "1e-6"),
    ("--depth", "2", "--dim", "1", "--eps", "0.9", "--set", "n=1000"),
    ("--depth", "4", "--dim", "10", "--eps", "1e-300"),
    ("--depth", "4", "--dim", "10", "--eps", "1e-12"),
    ("--depth", "512", "--dim", "10000000", "--eps", "0.02", "--set", "n=1", "--set", "b=1"),
)


def bound_lines(claims: dict[str, list[str]]) -> list[tuple[str, ...]]:
    lines = [("bound", "no-such.claim", "--set", "eps=1"), ("bound", "smooth-convex.lower.time", "--set", "eps=1e-3")]
    for claim_id, parameters in claims.items():
        for values in PARAMETER_SETS:
            own = {name: values[name] for name in parameters if name in values}
            if "tau_g" in parameters and "tau_g" not in values:  # the gpipe default from depth and n
                own.pop("tau_g", None)
                own |= {name: values[name] for name in ("depth", "n")}
            if "makespan" in parameters:  # the gpipe default of makespan(B) from depth
                own |= {"depth": values["depth"]}
            for given in (own, values):
                args = ("bound", claim_id, *(a for name, v in given.items() for a in ("--set", f"{name}={v}")))
                lines += [args, (*args, "--json")]
        if "tau_g" in parameters or "makespan" in parameters:  # the clock of a schedule
            given = {name: value for name, value in PARAMETER_SETS[0].items() if name != "tau_g"}
            args = ("bound", claim_id, *(a for name, v in given.items() for a in ("--set", f"{name}={v}")))
            lines += [(*args, "--schedule", "zb-h1", "--json"), (*args, "--schedule", "1f1b", "--costs", "f=1,b=2"),
                      (*args, "--schedule", "interleaved-1f1b", "--chunks", "2", "--json")]
    return lines


def random_points(count: int) -> list[tuple[str, ...]]:
    draw = random.Random(16)
    points = []
    for _ in range(count):
        eps = repr(10 ** draw.uniform(-7, 0))
        point = ("--depth", str(int(2 ** draw.uniform(0, 14))), "--dim", str(int(10 ** draw.uniform(0, 9))),
                 "--eps", eps, "--set", f"n={int(2 ** draw.uniform(0, 8))}", "--set", f"L={draw.uniform(0.1, 4):.3g}")
        if draw.random() < 0.4:
            point += ("--set", f"b={int(2 ** draw.uniform(0, 6))}")
        points.append(point)
    return points


def regime_lines() -> list[tuple[str, ...]]:
    lines = []
    for point in (*REGIME_POINTS, *random_points(16)):
        lines += [("regime", *point), ("regime", *point, "--json"), ("regime", *point, "--op-seconds", "0.001"),
                  ("regime", *point, "--json", "--op-seconds", "2.5e-4")]
    return lines


def command_lines(claims: dict[str, list[str]]) -> list[tuple[str, ...]]:
    return [("bounds",), ("bounds", "--json"), *bound_lines(claims), *regime_lines()]


def run(main, args) -> dict:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as stop:
            code = stop.code
    return {"args": list(args), "code": code, "stdout": out.getvalue(), "stderr": err.getvalue()}


class Timeout(BaseException):
    """A command line that ran past SECONDS (a BaseException: the CLI's `except Exception` cannot swallow it)."""


def _alarm(signum, frame):
    raise Timeout


def record(path: str) -> None:
    from pplimits.bounds.registry import registry
    from pplimits.cli import main

    claims = {claim.id: claim.parameters for claim in registry().values()}
    lines = command_lines(claims)
    found = []
    signal.signal(signal.SIGALRM, _alarm)
    for index, args in enumerate(lines):
        start = time.monotonic()
        signal.alarm(SECONDS)
        try:
            found.append(run(main, args))
        except Timeout:
            found.append({"args": list(args), "timed_out": SECONDS})
        finally:
            signal.alarm(0)
        print(f"{index + 1}/{len(lines)} {time.monotonic() - start:.1f} s {' '.join(args)}", file=sys.stderr,
              flush=True)
    with open(path, "w") as file:
        json.dump({"claims": claims, "runs": found}, file, indent=0, ensure_ascii=False)
        file.write("\n")


if __name__ == "__main__":
    record(sys.argv[1])
