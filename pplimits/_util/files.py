"""Files: atomic output, and the data files shipped inside the package (found through importlib.resources)."""
import os
import tempfile
from importlib.resources import files
from pathlib import Path


def package_file(package: str, *parts: str) -> Path:
    """The file `parts` shipped inside `package` (e.g. "pplimits.reports", "baselines", "quick.json").

    Found through importlib.resources, never through a repository root, so it is the same file in a checkout,
    an editable install and a wheel.
    """
    resource = files(package).joinpath(*parts)
    if not isinstance(resource, Path):  # a zip import; pplimits is always installed unpacked
        raise RuntimeError(f"{package} is not installed as files on disk ({resource!r}); reinstall it with pip")
    return resource


def checkout_root() -> Path | None:
    """The repository root when pplimits runs from its source checkout (an editable install), else None."""
    root = package_file("pplimits.bounds").parent
    return root if (root / "setup.py").is_file() and (root / "pyproject.toml").is_file() else None


def package_sources(package: str) -> list[tuple[str, bytes]]:
    """(path relative to the package, bytes) of every .py file under `package`, sorted by path."""
    root = package_file(package)
    return [(path.relative_to(root).as_posix(), path.read_bytes()) for path in sorted(root.rglob("*.py"))]


def require_writable(name: str, path) -> Path:
    """`path` as a Path a file can be written to, checked before any work: a non-empty name, not a folder, in a
    folder that exists or can be made and takes a new file. A UsageError naming `name` otherwise; nothing is left
    behind but the folders a later write would make anyway."""
    from pplimits._util.checks import UsageError

    if not str(path).strip():
        raise UsageError(f"{name} must be a file path, got {str(path)!r}")
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{name} must be a file path, got the folder {path}")
    blocking = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise UsageError(f"{name} {path} cannot be written: {blocking} is a file, not a folder")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path.parent):
            pass
    except OSError as error:
        raise UsageError(f"{name} {path} cannot be written: {error.strerror or error}") from None
    return path


def require_folder(name: str, path) -> Path:
    """`path` as a folder files can be written in, checked before any work: a non-empty name, no file in its way, a
    folder that exists or can be made and takes a new file. A UsageError naming `name` otherwise; nothing is left
    behind but the folder itself, which the work would make anyway."""
    from pplimits._util.checks import UsageError

    if not str(path).strip():
        raise UsageError(f"{name} must be a folder path, got {str(path)!r}")
    path = Path(path)
    blocking = next((p for p in (path, *path.parents) if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise UsageError(f"{name} {path} cannot be used as a folder: {blocking} is a file")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as error:
        raise UsageError(f"{name} {path} cannot be written: {error.strerror or error}") from None
    return path


def write_atomic(path, data: bytes | str) -> Path:
    """Write `data` to `path` through a temporary file in the same folder and `os.replace`.

    The file keeps the mode of the one it replaces (a new one gets 0644).
    """
    path = Path(path)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data.encode() if isinstance(data, str) else data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return path
