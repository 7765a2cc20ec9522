"""Expensive report results on disk, keyed by a hash of our code, the library versions and the parameters.

A report that is interrupted resumes from the steps already stored; any change to the code of
bounds/, worstcase/, algorithms/, experiments/, reports/ or pplimits/_util/ (or to numpy, scipy, sympy, cvxpy) starts afresh.
Values go through JSON both ways, so a cached result and a fresh one are the same Python objects.
"""
import hashlib
import json
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from pplimits._util.files import package_sources, write_atomic

CODE_PACKAGES = ("pplimits.bounds", "pplimits.worstcase", "pplimits.algorithms", "pplimits.experiments",
                 "pplimits.reports", "pplimits._util")
LIBRARIES = ("numpy", "scipy", "sympy", "cvxpy")


@lru_cache(maxsize=1)
def code_hash() -> str:
    """sha256 over the sources of our computing packages and the versions of the numeric libraries."""
    digest = hashlib.sha256()
    for package in CODE_PACKAGES:
        for name, source in package_sources(package):
            digest.update(f"{package}/{name}".encode() + b"\0" + source + b"\0")
    for library in LIBRARIES:
        digest.update(f"{library}=={metadata.version(library)}\0".encode())
    return digest.hexdigest()


def _as_json(value):
    return json.loads(json.dumps(value))


class Cache:
    """`get(name, params, compute)`: the stored result for (code, name, params), else compute and store it.

    `directory=None` disables the cache (every call computes, nothing is written).
    """

    def __init__(self, directory: Path | str | None):
        self.directory = None if directory is None else Path(directory)

    def _path(self, name: str, params: dict) -> Path:
        key = json.dumps({"code": code_hash(), "name": name, "params": params}, sort_keys=True)
        return self.directory / f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:24]}.json"

    def get(self, name: str, params: dict, compute):
        """(value, hit): the JSON-normalised result of `compute()`, and whether it came from disk."""
        if self.directory is None:
            return _as_json(compute()), False
        path = self._path(name, params)
        if path.exists():
            try:
                return json.loads(path.read_text()), True
            except (OSError, json.JSONDecodeError):
                pass  # an unreadable entry is recomputed and overwritten
        value = _as_json(compute())
        write_atomic(path, json.dumps(value))
        return value, False
