"""The hand-made mutants (mutation/*.toml, run by `python3 dev.py mutants`) stay appliable: each names a file
that holds its `old` text exactly once, changes it, says which bug it plants and which existing tests must
kill it. A mutant whose text the code no longer holds would silently stop counting."""
import tomllib
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
MUTANTS = [m for path in sorted((REPOSITORY / "mutation").glob("*.toml"))
           for m in tomllib.loads(path.read_text())["mutant"]]


def test_every_mutant_applies_to_the_code_it_names():
    problems = []
    for mutant in MUTANTS:
        text = (REPOSITORY / mutant["file"]).read_text()
        if text.count(mutant["old"]) != 1 or mutant["old"] == mutant["new"] or not mutant["bug"].strip():
            problems.append(f"{mutant['name']}: `old` found {text.count(mutant['old'])} times in {mutant['file']}")
        problems += [f"{mutant['name']}: no test path {test}" for test in mutant["tests"]
                     if not (REPOSITORY / test.split("::")[0]).exists()]
    assert not problems, problems


def test_mutant_names_are_unique_and_cover_the_modules_that_matter():
    names = [m["name"] for m in MUTANTS]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    files = {m["file"] for m in MUTANTS}
    for module in ("algorithms/clock.py", "bounds/claim.py", "bounds/pep/certificate.py", "bounds/pep/chain.py",
                   "bounds/pep/rational.py"):
        assert module in files, module
