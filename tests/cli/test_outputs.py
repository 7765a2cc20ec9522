"""`pplimits bounds`, `bound` and `regime` print byte for byte what main's code printed before the sympy-free fast path
(issue 16, item 4): exit code, stdout and stderr of every command line in tests/cli/outputs.json.gz (recorded by
tests/cli/record_outputs.py from main at fe77923: every claim at ten parameter sets, each claim's own parameters and
all of them, text and --json; 30 regime points with --json and --op-seconds; error cases among them).

Run in this process, with the catalog cached in a fresh folder (so the first command derives it), and again from a
cold start with the catalog read back from that folder, as a user's second run reads it."""
import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.record_outputs import run

RECORDING = json.loads(gzip.decompress(Path(__file__).with_name("outputs.json.gz").read_bytes()).decode("utf-8"))


@pytest.fixture(scope="module")
def main(tmp_path_factory):
    from pplimits.bounds import catalog, regime
    from pplimits.cli import main

    patch = pytest.MonkeyPatch()
    patch.setenv("PPLIMITS_CACHE", str(tmp_path_factory.mktemp("cache")))
    caches = (catalog.catalog, regime.compiled_pieces, regime.pieces, regime.counts)  # nothing another test left
    for cached in caches:
        cached.cache_clear()
    yield main
    for cached in caches:
        cached.cache_clear()
    patch.undo()


def test_the_recording_covers_every_command_and_claim():
    commands = {tuple(r["args"][:2]) if r["args"][0] == "bound" else r["args"][0] for r in RECORDING["runs"]}
    assert {"bounds", "regime"} <= commands and {("bound", c) for c in RECORDING["claims"]} <= commands
    assert sum(r["code"] == 2 for r in RECORDING["runs"]) > 50 and sum(r["code"] == 0 for r in RECORDING["runs"]) > 500


@pytest.mark.parametrize("command", ["bounds", "bound", "regime"])
def test_every_recorded_command_prints_what_it_printed(main, command):
    recorded = [r for r in RECORDING["runs"] if r["args"][0] == command]
    differ = [r["args"] for r in recorded if run(main, r["args"]) != r]
    assert not differ, differ[:5]


def _console(args, cache):
    """(exit code, stdout, stderr, whether sympy was imported) of `pplimits ARGS` in a fresh interpreter."""
    probe = ("import sys; from pplimits.cli import main; code = main(sys.argv[1:]); "
             "sys.stderr.write('<sympy imported>' if 'sympy' in sys.modules else ''); sys.exit(code)")
    done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True,
                          env={"PPLIMITS_CACHE": str(cache), "PATH": ""}, timeout=300)
    return done.returncode, done.stdout, done.stderr.removesuffix("<sympy imported>"), done.stderr.endswith(
        "<sympy imported>")


def test_a_fresh_process_derives_the_catalog_then_reads_it(tmp_path):
    """Cold (empty cache folder: derived, sympy imported) then warm (read back): the recorded bytes both times."""
    for record in RECORDING["runs"][::61]:
        for attempt in ("cold", "warm"):
            code, out, err, _ = _console(record["args"], tmp_path)
            assert (code, out, err) == (record["code"], record["stdout"], record["stderr"]), (attempt, record["args"])


@pytest.mark.parametrize("args", [
    ("bounds",), ("bound", "smooth-convex.lower.time", "--set", "eps=1e-4", "--set", "depth=8", "--set", "beta=1",
                  "--set", "R=1"),
    ("regime", "--depth", "8", "--dim", "2101248", "--eps", "0.01", "--set", "n=16"),
    ("bound", "nonsmooth-convex.pprs.upper.time", "--set", "eps=1e-3", "--set", "L=1", "--set", "R=1", "--set",
     "d=2101248", "--set", "depth=8", "--set", "n=16", "--json"),
])
def test_the_warm_commands_do_not_import_sympy(tmp_path, args):
    first, second = _console(args, tmp_path), _console(args, tmp_path)
    assert first[:3] == second[:3] and first[0] == 0 and not second[3]
