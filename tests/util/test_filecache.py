"""pplimits._util.filecache: derived data on disk under a key of the code that derives it — read back only whole and
under its own key, derived afresh (with a warning) when damaged, written atomically, skipped where it cannot be
written; and the catalog's key covers every module its derivation loads."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pplimits._util import filecache
from pplimits._util.files import package_file


class Derive:
    """A derivation that counts its calls."""

    def __init__(self, value):
        self.value, self.calls = value, 0

    def __call__(self):
        self.calls += 1
        return self.value


VALUE = {"claims": [{"id": "x", "tree": ["n", 10**40 + 1, 3]}], "text": "ε ≥ 0 — ‖x‖"}


def test_derived_once_then_read(tmp_path, capsys):
    derive = Derive(VALUE)
    assert filecache.cached("thing", "k1", derive, tmp_path) == VALUE
    assert filecache.cached("thing", "k1", derive, tmp_path) == VALUE
    assert derive.calls == 1 and capsys.readouterr().err == ""
    assert [p.name for p in tmp_path.iterdir()] == ["thing-k1.json"]  # no temporary file left behind


def test_another_key_is_derived_afresh(tmp_path):
    derive = Derive(VALUE)
    filecache.cached("thing", "k1", derive, tmp_path)
    assert filecache.cached("thing", "k2", Derive({"other": 1}), tmp_path) == {"other": 1}
    assert filecache.cached("thing", "k1", derive, tmp_path) == VALUE and derive.calls == 1  # both kept


@pytest.mark.parametrize("damage, said", [
    (lambda text: text[: len(text) // 2], "not whole JSON"),  # cut short
    (lambda text: "", "not whole JSON"),
    (lambda text: text.replace("10000000000000000000000000000000000000001", "10000000000000000000000000000000000000002"),
     "digest"),  # a value edited
    (lambda text: json.dumps([1, 2]), "not a pplimits cache record"),
    (lambda text: text.replace('"key": "k1"', '"key": "k0"'), "another key"),  # a file renamed onto this key
])
def test_a_damaged_file_is_derived_afresh_with_a_warning_and_replaced(tmp_path, capsys, damage, said):
    filecache.cached("thing", "k1", Derive(VALUE), tmp_path)
    path = tmp_path / "thing-k1.json"
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    derive = Derive(VALUE)
    assert filecache.cached("thing", "k1", derive, tmp_path) == VALUE and derive.calls == 1
    warning = capsys.readouterr().err
    assert warning.count("\n") == 1 and "warning" in warning and said in warning and str(path) in warning
    assert filecache.cached("thing", "k1", derive, tmp_path) == VALUE and derive.calls == 1  # replaced, whole
    assert capsys.readouterr().err == ""


def test_an_unwritable_folder_means_no_cache(tmp_path, capsys):
    blocked = tmp_path / "a-file"
    blocked.write_text("mine")
    derive = Derive(VALUE)
    for _ in range(2):
        assert filecache.cached("thing", "k1", derive, blocked / "cache") == VALUE
    assert derive.calls == 2 and blocked.read_text() == "mine" and capsys.readouterr().err == ""


def test_a_failed_write_leaves_no_file(tmp_path, monkeypatch):
    def refuse(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    assert filecache.cached("thing", "k1", Derive(VALUE), tmp_path) == VALUE
    assert list(tmp_path.iterdir()) == []


def test_only_the_newest_files_of_a_name_are_kept(tmp_path):
    for index in range(filecache.KEPT + 3):
        filecache.cached("thing", f"k{index}", Derive(index), tmp_path)
        os.utime(tmp_path / f"thing-k{index}.json", (index, index))
    filecache.cached("other", "k", Derive(0), tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len([n for n in names if n.startswith("thing-")]) == filecache.KEPT and "other-k.json" in names
    assert "thing-k0.json" not in names and f"thing-k{filecache.KEPT + 2}.json" in names


def test_the_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("PPLIMITS_CACHE", str(tmp_path / "mine"))
    assert filecache.folder() == tmp_path / "mine"
    monkeypatch.setenv("PPLIMITS_CACHE", "")
    assert filecache.folder() is None
    derive = Derive(VALUE)
    assert filecache.cached("thing", "k1", derive) == VALUE and filecache.cached("thing", "k1", derive) == VALUE
    assert derive.calls == 2  # switched off: derived every time
    monkeypatch.delenv("PPLIMITS_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert filecache.folder() == tmp_path / "xdg" / "pplimits"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")  # the XDG spec: a relative path is ignored
    assert filecache.folder() == Path.home() / ".cache" / "pplimits"


def test_one_changed_byte_of_a_source_is_another_key(monkeypatch):
    key = filecache.code_key(["pplimits.bounds"], ["sympy"])
    assert key == filecache.code_key(["pplimits.bounds"], ["sympy"])
    real = filecache.package_sources

    def edited(package):
        sources = real(package)
        name, source = sources[-1]
        return [*sources[:-1], (name, source[:-1] + bytes([source[-1] ^ 1]))]

    monkeypatch.setattr(filecache, "package_sources", edited)
    assert filecache.code_key(["pplimits.bounds"], ["sympy"]) != key


def test_a_library_version_is_part_of_the_key(monkeypatch, tmp_path):
    library = tmp_path / "pplimits_test_library"
    library.mkdir()
    (library / "__init__.py").write_text("from .release import __version__\n")
    (library / "release.py").write_text("__version__ = '1.0'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    key = filecache.code_key([], ["pplimits_test_library"])
    assert filecache.code_key([], ["pplimits_test_library"]) == key
    (library / "release.py").write_text("__version__ = '1.1'\n")  # upgraded in place
    assert filecache.code_key([], ["pplimits_test_library"]) != key
    with pytest.raises(ModuleNotFoundError):
        filecache.code_key([], ["no_such_library_here"])


def test_the_catalog_key_covers_every_module_its_derivation_loads():
    """Derive the catalog in a fresh interpreter: every pplimits module loaded is a file of the hashed packages."""
    from pplimits.bounds.catalog import CODE

    code = ("import sys; from pplimits.bounds import catalog; from pplimits.bounds import regime; "
            "catalog.derive(); regime.pieces(); "
            "print('\\n'.join(f'{name} {getattr(m, \"__file__\", None)}' for name, m in sys.modules.items() "
            "if name.startswith('pplimits')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, check=True)
    loaded = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    roots = {package: package_file(package) for package in CODE}
    outside = [name for name, file in loaded.items() if file != "None" and name != "pplimits"
               and not any(Path(file).is_relative_to(root) for root in roots.values())]
    assert not outside, outside
    assert "pplimits.bounds.registry" in loaded and "pplimits.bounds.pprs" in loaded


def test_the_catalog_is_rederived_when_the_code_changes(tmp_path, monkeypatch):
    """End to end: a catalog cached under the code's key; one changed source byte is another key, derived afresh."""
    from pplimits.bounds import catalog

    monkeypatch.setenv("PPLIMITS_CACHE", str(tmp_path))
    first = catalog.key()
    catalog.catalog.cache_clear()
    catalog.catalog()
    assert [p.name for p in tmp_path.iterdir()] == [f"catalog-{first[:40]}.json"]
    real = filecache.package_sources
    monkeypatch.setattr(filecache, "package_sources",
                        lambda package: [(n, s + b"#") if n == "claim.py" else (n, s) for n, s in real(package)])
    assert catalog.key() != first
    catalog.catalog.cache_clear()
    try:
        catalog.catalog()
    finally:
        catalog.catalog.cache_clear()
    assert len(list(tmp_path.iterdir())) == 2
