"""Objects of a user's own code by import path, `PACKAGE.MODULE:NAME`, from the current directory or the
environment: one loader for every command that takes a user's method."""
import importlib
import sys
from pathlib import Path

from pplimits._util.checks import UsageError


def is_import_path(name: str) -> bool:
    return ":" in name


def import_object(path: str, what: str = "method"):
    """The object at `PACKAGE.MODULE:NAME`; a UsageError naming `what` and the path when it cannot be had."""
    module_name, _, attribute = path.partition(":")
    if not module_name or not attribute.isidentifier():
        raise UsageError(f"{what} {path!r} must be PACKAGE.MODULE:NAME (a built-in name has no ':')")
    if str(Path.cwd()) not in sys.path and "" not in sys.path:
        sys.path.insert(0, str(Path.cwd()))
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        raise UsageError(f"{what} {path!r}: no module {error.name!r} importable from the current directory or "
                         "the environment") from None
    except Exception as error:  # the user's module failed while importing: their code, not pplimits
        raise UsageError(f"{what} {path!r}: importing {module_name} raised {type(error).__name__}: {error}") from None
    if not hasattr(module, attribute):
        raise UsageError(f"{what} {path!r}: module {module_name} has no {attribute!r}")
    return getattr(module, attribute)
