#!/usr/bin/env python3
"""Set up pplimits' own environment (.venv) and run the main job or the tests.

    python3 dev.py report [ARGS…]   # create/update .venv, then `pplimits report ARGS…`
    python3 dev.py gate [ARGS…]     # … `pplimits gate ARGS…` (likewise verify)
    python3 dev.py test [ARGS…]     # create/update .venv, then `pytest ARGS…`

Only the standard library is used here, so a fresh machine needs nothing but python3 ≥ 3.11.
The environment is re-installed whenever pyproject.toml or setup.py changes (a hash stamp in .venv).
"""
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".pplimits-stamp"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
COMMANDS = {**{name: [str(BIN / "pplimits"), name] for name in ("report", "gate", "verify")},
            "test": [str(BIN / "python"), "-m", "pytest"]}


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


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(f"usage: python3 dev.py {{{'|'.join(COMMANDS)}}} [ARGS…]", file=sys.stderr)
        return 2
    ensure_environment()
    return subprocess.run(COMMANDS[argv[0]] + argv[1:], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
