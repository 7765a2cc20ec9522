"""The package layout: one `pplimits.*` namespace, the layers of pyproject.toml's import-linter contracts, no
import cycles, and package data found through importlib.resources."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import pplimits
from pplimits._util.files import package_file

REPOSITORY = Path(__file__).resolve().parent.parent
FOLDERS = ("bounds", "worstcase", "algorithms", "reports", "experiments")
# at a line's start, or in code written as a string (`python -c "import sys, algorithms.backend"`)
BARE_IMPORT = re.compile(rf"(^\s*|[\"';]\s*)(from|import)\s+(\w+\s*,\s*)*({'|'.join(FOLDERS)})(\.|\s|,|;|$)",
                         re.MULTILINE)


def _sources():
    return [p for p in REPOSITORY.rglob("*.py") if not {".venv", "build", ".git"} & set(p.relative_to(REPOSITORY).parts)]


def test_no_module_imports_a_bare_top_level_name():
    """`import bounds…` would load a second copy of a module beside `pplimits.bounds…` (two `Claim` classes)."""
    offenders = [f"{p.relative_to(REPOSITORY)}: {m.group(0).strip()}" for p in _sources()
                 if p != Path(__file__).resolve() for m in BARE_IMPORT.finditer(p.read_text())]
    assert not offenders, offenders


def test_the_bare_import_rule_catches_what_it_is_for():
    assert BARE_IMPORT.search("from bounds.registry import get") and BARE_IMPORT.search("    import reports\n")
    assert BARE_IMPORT.search('code = "import sys, algorithms.backend; print(1)"')
    assert not BARE_IMPORT.search("from pplimits.bounds import claim") and not BARE_IMPORT.search("import boundsx")
    assert not BARE_IMPORT.search("defaults from the bounds, and") and not BARE_IMPORT.search('"import sys, pplimits.bounds"')


def test_every_folder_is_the_subpackage_of_its_name():
    for folder in FOLDERS:
        assert package_file(f"pplimits.{folder}") == REPOSITORY / folder


def test_package_data_is_found_through_importlib_resources():
    for parts in (("baselines", "quick.json"), ("baselines", "full.json"), ("measurements", "engine-clock.json")):
        assert package_file("pplimits.reports", *parts).is_file(), parts
    assert package_file("pplimits", "py.typed").is_file()
    assert re.fullmatch(r"\d+\.\d+\.\d+", pplimits.__version__)


def _installed_layout(target: Path) -> Path:
    """The tree a wheel installs (pplimits/ with the root folders inside), copied into `target`."""
    root = target / "pplimits"
    shutil.copytree(REPOSITORY / "pplimits", root, ignore=shutil.ignore_patterns("__pycache__"))
    for folder in FOLDERS:
        shutil.copytree(REPOSITORY / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__", "out"))
    return target


@pytest.fixture(scope="module")
def lint(tmp_path_factory):
    """Run import-linter (pyproject.toml's contracts) on the installed layout; (exit code, output)."""
    target = _installed_layout(tmp_path_factory.mktemp("layout"))

    def run(config: Path = REPOSITORY / "pyproject.toml"):
        done = subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command;"
                               " sys.exit(lint_imports_command())", str(config), "--no-cache"],
                              cwd=target, env={"PYTHONPATH": str(target), "PATH": ""}, capture_output=True,
                              text=True, timeout=300)
        return done.returncode, done.stdout + done.stderr

    run.target = target
    return run


def test_provenance_asks_git_only_in_pplimits_own_checkout(lint):
    """Installed (the wheel's layout, here inside a git repository of someone else's), pplimits never reports that
    repository's revision as its own."""
    from pplimits._util.files import checkout_root

    assert checkout_root() == REPOSITORY
    code = "from pplimits._util.files import checkout_root; from pplimits._util.provenance import provenance; " \
           "print(checkout_root(), provenance()['revision'])"
    subprocess.run(["git", "init", "-q", str(lint.target)], check=True)
    done = subprocess.run([sys.executable, "-c", code], cwd=lint.target, env={"PYTHONPATH": str(lint.target)},
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == f"None pplimits {pplimits.__version__} (installed, not a git checkout)", done.stderr


def test_import_layers_and_no_cycles(lint):
    code, output = lint()
    assert code == 0, output
    assert "2 kept, 0 broken" in output, output


def test_import_linter_catches_an_upward_import(lint):
    """The contract has power: bounds importing reports (a layer above it) breaks it."""
    claim = lint.target / "pplimits" / "bounds" / "claim.py"
    original = claim.read_text()
    claim.write_text(original + "\nfrom pplimits.reports import cache  # noqa\n")
    try:
        code, output = lint()
    finally:
        claim.write_text(original)
    assert code == 1 and "pplimits.bounds.claim -> pplimits.reports.cache" in output, output


def test_every_cited_theory_section_exists():
    """Claim sources and docstrings cite docs/theory.md by section; each cited section is a heading there."""
    from pplimits.bounds.registry import registry

    headings = re.findall(r"^#{2,4} (\d+(?:\.\d+)?)\b", (REPOSITORY / "docs" / "theory.md").read_text(), re.MULTILINE)
    cited = {m for claim in registry().values() for m in re.findall(r"docs/theory\.md §(\d+(?:\.\d+)?)", claim.source)}
    cited |= {m for p in _sources() for m in re.findall(r"docs/theory\.md §(\d+(?:\.\d+)?)", p.read_text())}
    assert cited and not cited - set(headings), sorted(cited - set(headings))
    assert not [c.id for c in registry().values() if "THEORY.md" in c.source or "../shared" in c.source]


def test_the_explore_profile_draws_more_examples_than_ci():
    code = "from tests.examples import examples; from hypothesis import settings; import tests.conftest; " \
           "print(examples(100), settings().max_examples, settings().derandomize)"
    found = {}
    for profile in ("pplimits", "explore"):
        done = subprocess.run([sys.executable, "-c", code], cwd=REPOSITORY, capture_output=True, text=True, timeout=60,
                              env={**os.environ, "HYPOTHESIS_PROFILE": profile})
        found[profile] = done.stdout.split()
    assert found == {"pplimits": ["100", "100", "True"], "explore": ["1000", "500", "False"]}, found
