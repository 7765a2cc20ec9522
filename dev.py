#!/usr/bin/env python3
"""Set up pplimits' own environment (.venv) and run the main job or the tests.

    python3 dev.py report [ARGS…]   # create/update .venv, then `pplimits report ARGS…`
    python3 dev.py gate [ARGS…]     # … `pplimits gate ARGS…` (likewise verify)
    python3 dev.py test [ARGS…]     # create/update .venv, then `pytest ARGS…` (the default run: see test_command)
    python3 dev.py mutants [NAME…]  # each catalogued mutant (mutation/*.toml) against its tests: the score

Only the standard library is used here, so a fresh machine needs nothing but python3 ≥ 3.11.
The environment is re-installed whenever pyproject.toml or setup.py changes (a hash stamp in .venv).
"""
import hashlib
import os
import subprocess
import sys
import time
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".pplimits-stamp"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
MUTATION_TARGET = 0.90  # the share of catalogued mutants the tests must kill
COMMANDS = {**{name: [str(BIN / "pplimits"), name] for name in ("report", "gate", "verify")},
            "test": [str(BIN / "python"), "-m", "pytest"]}


WORKERS = 4  # at most this many pytest-xdist workers (`-n auto`, one per core): each imports numpy, sympy, jax, torch


def _names_tests(arg: str) -> bool:
    """Whether a pytest argument names tests by path (a file, folder or node id), not an option or its value."""
    return not arg.startswith("-") and (ROOT / arg.split("::")[0]).exists()


def test_command(args: list[str]) -> list[str]:
    """pytest with `args`. The default run (no test path named) leaves out the `slow` checks unless a -m is given
    (CI runs them in a step of their own: `-m slow`) and runs on every core (pytest-xdist, up to WORKERS; --dist
    loadfile keeps each file on one worker, so an expensive module fixture — the report, the gate — is made once).
    A run that names tests by path is exactly `pytest ARGS`: serial, so one file pays no worker start-up; -n N,
    -p no:xdist or --pdb choose for themselves."""
    if any(_names_tests(arg) for arg in args):
        return COMMANDS["test"] + args
    marker = [] if any(arg == "-m" or arg.startswith("-m") and not arg.startswith("--") for arg in args) \
        else ["-m", "not slow"]
    chosen = any(arg in ("-n", "--numprocesses", "--pdb", "no:xdist") or arg.startswith(("-n", "--numprocesses="))
                 for arg in args)
    workers = [] if chosen else ["-n", "auto", "--maxprocesses", str(WORKERS), "--dist", "loadfile"]
    return COMMANDS["test"] + marker + workers + args


def _wanted_stamp() -> str:
    return hashlib.sha256(b"".join((ROOT / name).read_bytes() for name in ("pyproject.toml", "setup.py"))).hexdigest()


def ensure_environment() -> None:
    """Create .venv and install the project (editable, with the test, engine and study extras) unless already current."""
    if sys.version_info < (3, 11):
        sys.exit(f"dev.py: python >= 3.11 is required, this is {sys.version.split()[0]}")
    wanted = _wanted_stamp()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("dev.py: creating .venv", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("dev.py: installing pplimits and its dependencies into .venv", file=sys.stderr)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run(pip + ["-e", f"{ROOT}[test,jax,torch,study]"], check=True)
    STAMP.write_text(wanted)


def _pytest(paths: list[str]) -> tuple[bool, float]:
    """Whether `pytest -x paths` passes in this checkout (10 minutes at most: a hang counts as a failure), and
    its seconds."""
    start = time.perf_counter()
    try:
        done = subprocess.run(COMMANDS["test"] + ["-x", "-p", "no:cacheprovider", *paths], cwd=ROOT,
                              capture_output=True, timeout=600)
        passed = done.returncode == 0
    except subprocess.TimeoutExpired:
        passed = False
    return passed, time.perf_counter() - start


def mutants(names: list[str]) -> int:
    """Apply each mutant of mutation/*.toml to the checkout in turn (the file is restored after each, and when
    interrupted), run the tests it names, and print the score: the share of mutants some test kills.
    Exit 0 iff the score is at least MUTATION_TARGET."""
    catalogue = [m for path in sorted((ROOT / "mutation").glob("*.toml")) for m in tomllib.loads(path.read_text())["mutant"]]
    chosen = [m for m in catalogue if not names or m["name"] in names]
    if unknown := set(names) - {m["name"] for m in catalogue}:
        print(f"dev.py mutants: no mutant named {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    files = sorted({m["file"] for m in chosen})
    if subprocess.run(["git", "diff", "--quiet", "HEAD", "--", *files], cwd=ROOT).returncode != 0:
        print("dev.py mutants: commit or stash the changes to the mutated files first", file=sys.stderr)
        return 2
    selections = sorted({tuple(m["tests"]) for m in chosen})
    for number, selection in enumerate(selections, 1):  # a mutant is only killed by tests that pass without it
        passed, seconds = _pytest(list(selection))
        print(f"[unmutated {number}/{len(selections)}] {' '.join(selection)}: "
              f"{'pass' if passed else 'FAIL'} ({seconds:.1f} s)", flush=True)
        if not passed:
            return 1
    survivors = []
    for number, mutant in enumerate(chosen, 1):
        path = ROOT / mutant["file"]
        original = path.read_text()
        if original.count(mutant["old"]) != 1:
            print(f"dev.py mutants: {mutant['name']}: its `old` text is not exactly once in {mutant['file']}",
                  file=sys.stderr)
            return 1
        try:
            path.write_text(original.replace(mutant["old"], mutant["new"]))
            passed, seconds = _pytest(mutant["tests"])
        finally:
            path.write_text(original)
        if passed:
            survivors.append(mutant)
        print(f"[mutant {number}/{len(chosen)}] {mutant['name']}: {'SURVIVED' if passed else 'killed'} "
              f"({seconds:.1f} s)", flush=True)
    killed = len(chosen) - len(survivors)
    for mutant in survivors:
        print(f"survived: {mutant['name']} ({mutant['file']}): {mutant['bug']}")
    print(f"mutation score: {killed}/{len(chosen)} killed = {killed / len(chosen):.1%} "
          f"(target {MUTATION_TARGET:.0%})")
    return 0 if killed >= MUTATION_TARGET * len(chosen) else 1


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in (*COMMANDS, "mutants"):
        print(f"usage: python3 dev.py {{{'|'.join((*COMMANDS, 'mutants'))}}} [ARGS…]", file=sys.stderr)
        return 2
    ensure_environment()
    if argv[0] == "mutants":
        return mutants(argv[1:])
    command = test_command(argv[1:]) if argv[0] == "test" else COMMANDS[argv[0]] + argv[1:]
    return subprocess.run(command, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
