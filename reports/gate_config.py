"""A project's own gate: the `[tool.pplimits.gate]` table of its `pyproject.toml`, read into a typed record.

    [tool.pplimits.gate]
    methods = ["mypackage.optim:AGD"]          # PACKAGE.MODULE:NAME (or a built-in name), required
    instances = ["nesterov-chain", {name = "random-quadratic", dim = 30, seed = 0, eps = 1e-6}]
    depths = [1, 4]                            # pipeline depths Δ (default [4])
    eps = [1e-3]                               # accuracies, for instances that set none (default [1e-3])
    baseline = "pplimits-baseline.json"        # relative to the pyproject's folder (this default)

    [[tool.pplimits.gate.worst-cases]]         # optional: exact worst cases of PEP forms (`pplimits certify`)
    method = "mypackage.pep:agd"
    class = "smooth-convex"
    iterations = [1, 2, 4, 8]
    set = {beta = 1}

`pplimits gate` run in (or under) the project's folder measures these methods on these instances against the
project's committed baseline, with pplimits' own per-metric directions and tolerances; a pyproject without the
table leaves the gate as pplimits' own.
"""
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pplimits._util.checks import UsageError, parse_number, require_int
from pplimits._util.imports import import_object, is_import_path
from pplimits.algorithms.methods import METHODS
from pplimits.bounds.pep.worst_case import parameters
from pplimits.experiments.matrix import Case
from pplimits.worstcase import INSTANCES

TABLE = "[tool.pplimits.gate]"
KEYS = ("methods", "instances", "depths", "eps", "baseline", "worst-cases")
WORST_CASE_KEYS = ("method", "class", "iterations", "set")
DEFAULT_BASELINE = "pplimits-baseline.json"


@dataclass(frozen=True)
class WorstCaseCheck:
    """One method's exact worst case over a class at each N (bounds/pep/worst_case.py)."""

    method: str
    function_class: str
    iterations: tuple[int, ...]
    values: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ProjectGate:
    """What a project's gate measures, and where its baseline lives."""

    pyproject: Path
    project: str  # [project].name, or the folder's name; a baseline is refused for another project
    methods: tuple[str, ...]
    cases: tuple[Case, ...]
    depths: tuple[int, ...]
    worst_cases: tuple[WorstCaseCheck, ...]
    baseline: Path

    name = "project"
    quick = False


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml in `start` or a folder above it (as pytest finds its rootdir)."""
    return next((folder / "pyproject.toml" for folder in (start, *start.parents)
                 if (folder / "pyproject.toml").is_file()), None)


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"config {path} does not exist") from None
    except OSError as error:
        raise UsageError(f"config {path} cannot be read ({error.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise UsageError(f"config {path} is not valid TOML ({error})") from None


def load(path: Path, required: bool) -> ProjectGate | None:
    """The project gate of the pyproject at `path`; None where it has no table (a UsageError if `required`)."""
    data = _read(path)
    table = data.get("tool", {}).get("pplimits", {}).get("gate")
    if table is None:
        if required:
            raise UsageError(f"config {path} has no {TABLE} table")
        return None
    where = f"{path} {TABLE}"
    if not isinstance(table, dict):
        raise UsageError(f"{where} must be a table")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise UsageError(f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(KEYS)}")
    folder = path.parent
    if str(folder) not in sys.path:  # the project's own modules import as they do from its folder
        sys.path.insert(0, str(folder))
    eps = tuple(_number(where, "eps", value) for value in _list(where, "eps", table.get("eps", [1e-3])))
    project = data.get("project", {}).get("name") or folder.name
    return ProjectGate(
        pyproject=path, project=str(project),
        methods=tuple(_method(where, f"methods[{i}]", m) for i, m in enumerate(_list(where, "methods",
                                                                                         table.get("methods")))),
        cases=tuple(case for i, entry in enumerate(_list(where, "instances", table.get("instances",
                                                                                        ["nesterov-chain"])))
                    for case in _cases(where, f"instances[{i}]", entry, eps)),
        depths=tuple(_int(where, f"depths[{i}]", d) for i, d in enumerate(_list(where, "depths",
                                                                                 table.get("depths", [4])))),
        worst_cases=tuple(_worst_case(where, f"worst-cases[{i}]", entry)
                          for i, entry in enumerate(table.get("worst-cases", []))),
        baseline=folder / _text(where, "baseline", table.get("baseline", DEFAULT_BASELINE)))


def _list(where: str, key: str, value) -> list:
    if not isinstance(value, list) or not value:
        raise UsageError(f"{where}: {key} must be a non-empty list, got {value!r}")
    return value


def _text(where: str, key: str, value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{where}: {key} must be a non-empty string, got {value!r}")
    return value


def _number(where: str, key: str, value) -> float:
    try:
        number = parse_number(key, value)
    except UsageError as error:
        raise UsageError(f"{where}: {error}") from None
    if not number > 0:
        raise UsageError(f"{where}: {key} must be > 0, got {value!r}")
    return float(number)


def _int(where: str, key: str, value) -> int:
    try:
        return require_int(key, value, 1)
    except UsageError as error:
        raise UsageError(f"{where}: {error}") from None


def _method(where: str, key: str, value) -> str:
    text = _text(where, key, value)
    if not is_import_path(text) and text not in METHODS:
        raise UsageError(f"{where}: {key} must be PACKAGE.MODULE:NAME or one of {', '.join(METHODS)}, got {text!r}")
    if is_import_path(text):
        try:  # importable now, before any figure is computed
            import_object(text)
        except UsageError as error:
            raise UsageError(f"{where}: {key}: {error}") from None
    return text


def _cases(where: str, key: str, entry, eps: tuple[float, ...]) -> list[Case]:
    """An instance name, or a table {name, eps?, dim?, other parameters}: one Case per accuracy."""
    if isinstance(entry, str):
        entry = {"name": entry}
    if not isinstance(entry, dict):
        raise UsageError(f"{where}: {key} must be an instance name or a table with a name, got {entry!r}")
    entry = dict(entry)
    name = entry.pop("name", None)
    if name not in INSTANCES:
        raise UsageError(f"{where}: {key} name must be one of {', '.join(INSTANCES)}, got {name!r}")
    accuracies = (_number(where, f"{key}.eps", entry.pop("eps")),) if "eps" in entry else eps
    dim = _int(where, f"{key}.dim", entry.pop("dim")) if "dim" in entry else None
    params = tuple(sorted((k, _parameter(where, f"{key}.{k}", v)) for k, v in entry.items()))
    return [Case(name, accuracy, params, dim) for accuracy in accuracies]


def _parameter(where: str, key: str, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise UsageError(f"{where}: {key} must be a number, got {value!r}")
    try:
        return parse_number(key, value)
    except UsageError as error:
        raise UsageError(f"{where}: {error}") from None


def _worst_case(where: str, key: str, entry) -> WorstCaseCheck:
    if not isinstance(entry, dict):
        raise UsageError(f"{where}: {key} must be a table with {', '.join(WORST_CASE_KEYS)}")
    unknown = sorted(set(entry) - set(WORST_CASE_KEYS))
    if unknown:
        raise UsageError(f"{where}: {key}: unknown key {unknown[0]!r}; allowed: {', '.join(WORST_CASE_KEYS)}")
    iterations = entry.get("iterations")
    iterations = _list(where, f"{key}.iterations", [iterations] if isinstance(iterations, int) else iterations)
    values = entry.get("set", {})
    if not isinstance(values, dict):
        raise UsageError(f"{where}: {key}.set must be a table of NAME = VALUE, got {values!r}")
    check = WorstCaseCheck(method=_text(where, f"{key}.method", entry.get("method")),
                           function_class=_text(where, f"{key}.class", entry.get("class")),
                           iterations=tuple(_int(where, f"{key}.iterations[{i}]", n) for i, n in enumerate(iterations)),
                           values=tuple(sorted((k, str(v)) for k, v in values.items())))
    for n in check.iterations:  # method, class, N and parameters as `pplimits certify` checks them, before any work
        try:
            parameters(check.method, check.function_class, n, dict(check.values))
        except UsageError as error:
            raise UsageError(f"{where}: {key}: {error}") from None
    return check
