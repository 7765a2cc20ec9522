"""Derived data cached on disk as JSON, keyed on a hash of the code that derives it, so that a stale entry cannot be
read: any change to a hashed source file or library version is a new key, hence a new file.

The folder is $PPLIMITS_CACHE (empty: no cache), else $XDG_CACHE_HOME/pplimits, else ~/.cache/pplimits. A folder that
cannot be made, read or written means no cache (every call derives afresh); a file that cannot be read back whole (cut
short, edited, not JSON, another key) is derived afresh, with a one-line warning on stderr, and replaced. Files are
written atomically (a temporary file and `os.replace`), so a reader never sees half of one.
"""
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterable
from importlib.util import find_spec
from pathlib import Path

from pplimits._util.files import package_sources, write_atomic

FORMAT = 1
KEPT = 8  # files of one name kept (the newest): one per version of the code recently run


def folder() -> Path | None:
    """Where cached files go, or None when caching is switched off (PPLIMITS_CACHE set to '')."""
    chosen = os.environ.get("PPLIMITS_CACHE")
    if chosen is not None:
        return Path(chosen) if chosen.strip() else None
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    if os.path.isabs(base):
        return Path(base) / "pplimits"
    try:
        return Path.home() / ".cache" / "pplimits"
    except RuntimeError:  # no home folder to be found: no cache
        return None


VERSION_FILES = ("__init__.py", "release.py", "version.py", "_version.py")  # where a package states its version


def code_key(packages: Iterable[str], libraries: Iterable[str]) -> str:
    """sha256 over every .py file of `packages` (path and bytes), Python's version, the cache format and each of
    `libraries` as installed: its folder and the files that state its version (read, not imported, and not through
    importlib.metadata, whose search of every installed distribution takes longer than the cached work saves)."""
    digest = hashlib.sha256(f"format {FORMAT}\0python {sys.version}\0".encode())
    for package in packages:
        for name, source in package_sources(package):
            digest.update(f"{package}/{name}".encode() + b"\0" + source + b"\0")
    for library in libraries:
        spec = find_spec(library)
        if spec is None or spec.origin is None:
            raise ModuleNotFoundError(f"{library} is not installed")
        root = Path(spec.origin).parent
        digest.update(f"{library} at {root}\0".encode())
        for name in VERSION_FILES:
            if (root / name).is_file():
                digest.update(name.encode() + b"\0" + (root / name).read_bytes() + b"\0")
    return digest.hexdigest()


def cached(name: str, key: str, derive: Callable[[], object], where: Path | None = None) -> object:
    """The JSON value stored under (`name`, `key`), else `derive()`'s value, stored (see the module docstring)."""
    where = folder() if where is None else where
    if where is None:
        return derive()
    path = where / f"{name}-{key[:40]}.json"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:  # absent, or a folder that cannot be used: no cache, said nothing
        text = None if not isinstance(error, UnicodeDecodeError) else ""
    if text is not None:
        value, problem = _read(text, key)
        if problem is None:
            return value
        print(f"pplimits: warning: cache file {path} {problem}; derived afresh and replaced", file=sys.stderr)
    value = derive()
    _store(path, name, key, value)
    return value


def _read(text: str, key: str) -> tuple[object, str | None]:
    """(value, None) from a whole file of this key, else (None, what is wrong with it)."""
    try:
        record = json.loads(text)
    except ValueError:
        return None, "is not whole JSON (cut short?)"
    if not isinstance(record, dict) or record.keys() != {"format", "key", "digest", "value"}:
        return None, "is not a pplimits cache record"
    if record["format"] != FORMAT or record["key"] != key:
        return None, "holds another key"
    if record["digest"] != _digest(record["value"]):
        return None, "does not match its digest (edited or damaged)"
    return record["value"], None


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _store(path: Path, name: str, key: str, value) -> None:
    """Write the record atomically and keep the KEPT newest files of `name`; nothing (no cache) where it cannot."""
    record = {"format": FORMAT, "key": key, "digest": _digest(value), "value": value}
    try:
        write_atomic(path, json.dumps(record, ensure_ascii=False))
        older = sorted(path.parent.glob(f"{name}-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)[KEPT:]
        for stale in older:
            stale.unlink(missing_ok=True)
    except OSError:
        pass
