"""The worked example of a third party's package (examples/third_party, tinyopt): cheap static checks here; its
tests run against the installed wheel in .ci/example-check, never in pplimits' own test run."""
import ast
import tomllib
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
EXAMPLE = REPOSITORY / "examples" / "third_party"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))  # a syntax error fails here
    return {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names} | {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}


def test_the_package_needs_nothing_but_the_standard_library():
    """tinyopt's own code imports neither pplimits (a test dependency only) nor anything it does not declare."""
    found = set().union(*(_imports(p) for p in (EXAMPLE / "src").rglob("*.py")))
    assert {name.split(".")[0] for name in found} <= {"math", "tinyopt"}, found
    assert tomllib.loads((EXAMPLE / "pyproject.toml").read_text())["project"]["dependencies"] == []


def test_the_tests_use_pplimits_through_pplimits_testing_only():
    found = set().union(*(_imports(p) for p in (EXAMPLE / "tests").rglob("*.py")))
    assert {name for name in found if name.split(".")[0] == "pplimits"} == {"pplimits.testing",
                                                                          "pplimits.testing.strategies"}, found


def test_pplimits_own_run_does_not_collect_the_example_and_ci_runs_it():
    assert tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["testpaths"] \
        == ["tests"]
    assert "step bash .ci/example-check" in (REPOSITORY / ".ci" / "run").read_text().splitlines()
