"""Expensive report results on disk, keyed by a hash of our code, the library versions and the parameters.

A report that is interrupted resumes from the steps already stored; any change to the code of
bounds/, worstcase/, algorithms/, experiments/, reports/ or pplimits/_util/ (or to numpy, scipy, sympy, cvxpy, clarabel) starts afresh.
Values go through JSON both ways, so a cached result and a fresh one are the same Python objects.
"""
import dataclasses
import hashlib
import json
import sys
from functools import lru_cache, partial
from importlib import metadata
from pathlib import Path

import numpy as np

from pplimits._util.checks import UsageError
from pplimits._util.files import package_sources, require_folder, write_atomic

CODE_PACKAGES = ("pplimits.bounds", "pplimits.worstcase", "pplimits.algorithms", "pplimits.experiments",
                 "pplimits.reports", "pplimits._util")
LIBRARIES = ("numpy", "scipy", "sympy", "cvxpy", "clarabel")


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


def fingerprint(value):
    """Everything that determines a computation, as JSON: a `functools.partial` by its function and arguments,
    a dataclass by its fields, an instance by its name and parameters. A value of a kind not listed here is an
    error, never silently left out of a key (a key that ignores an input returns another computation's result)."""
    if isinstance(value, partial):
        return {"function": f"{value.func.__module__}.{value.func.__qualname__}",
                "args": [fingerprint(a) for a in value.args],
                "keywords": {k: fingerprint(v) for k, v in sorted(value.keywords.items())}}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {type(value).__qualname__: {f.name: fingerprint(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    if isinstance(getattr(value, "params", None), dict) and isinstance(getattr(value, "name", None), str):
        return {"instance": value.name, "params": fingerprint(value.params)}
    if isinstance(value, dict):
        return {str(k): fingerprint(v) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [fingerprint(v) for v in value]
    if isinstance(value, range):
        return {"range": [value.start, value.stop, value.step]}
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot fingerprint a {type(value).__name__} for a cache key")


def _as_json(value):
    return json.loads(json.dumps(value))


class Cache:
    """`get(name, params, compute)`: the stored result for (code, name, params), else compute and store it.

    `directory=None` disables the cache (every call computes, nothing is written).
    """

    def __init__(self, directory: Path | str | None):
        if directory is not None and not str(directory).strip():  # Path("") is the working folder
            raise UsageError(f"cache must be a folder path, got {str(directory)!r}")
        self.directory = None if directory is None else Path(directory)

    def require_usable(self) -> None:
        """A UsageError naming the cache where its folder cannot be made or written (checked before any work)."""
        if self.directory is not None:
            require_folder("cache", self.directory)

    @staticmethod
    def _key(name: str, params: dict) -> dict:
        return _as_json({"code": code_hash(), "name": name, "params": params})

    def _path(self, key: dict) -> Path:
        digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:24]
        return self.directory / f"{key['name']}-{digest}.json"

    def get(self, name: str, params: dict, compute):
        """(value, hit): the JSON-normalised result of `compute()`, and whether it came from disk.

        An entry is stored with its whole key; one that is unreadable, not a pplimits entry or stored under another
        key (a file replaced by hand, a truncated write) is recomputed and replaced, with a warning on stderr."""
        if self.directory is None:
            return _as_json(compute()), False
        key = self._key(name, params)
        path = self._path(key)
        if path.exists():
            try:
                entry = json.loads(path.read_text())
            except (OSError, UnicodeDecodeError, json.JSONDecodeError):
                entry = None
            if isinstance(entry, dict) and entry.keys() == {"key", "value"} and entry["key"] == key:
                return entry["value"], True
            print(f"pplimits: cache entry {path} is not the entry for its key; recomputing it", file=sys.stderr)
        value = _as_json(compute())
        write_atomic(path, json.dumps({"key": key, "value": value}))  # the value keeps its key order
        return value, False
