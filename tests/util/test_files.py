"""pplimits/_util/files.py: write_atomic leaves the old file or the new one, never a part of either."""
import os
import stat

import pytest

from pplimits._util.files import write_atomic


class _DiskFull(OSError):
    pass


def test_a_write_that_fails_midway_leaves_the_old_file_intact(tmp_path, monkeypatch):
    """The write dies after half the bytes (a full disk): the target still holds its old content, and no temporary
    file is left in the folder."""
    target = tmp_path / "baseline.json"
    target.write_text("old content\n")
    real_fdopen = os.fdopen

    def failing_fdopen(*args, **kwargs):
        file = real_fdopen(*args, **kwargs)
        real_write = file.write

        def write(data):
            real_write(data[: len(data) // 2])
            file.flush()
            raise _DiskFull(28, "No space left on device")

        file.write = write
        return file

    monkeypatch.setattr(os, "fdopen", failing_fdopen)
    with pytest.raises(_DiskFull):
        write_atomic(target, "new content that is longer than the old one\n")
    monkeypatch.undo()
    assert target.read_text() == "old content\n"
    assert [p.name for p in tmp_path.iterdir()] == ["baseline.json"]


def test_a_successful_write_replaces_the_file_and_keeps_its_mode(tmp_path):
    """A new file gets 0644; a replaced one keeps its own mode (here 0640), whatever mkstemp made the temporary."""
    new = write_atomic(tmp_path / "sub" / "new.json", b"{}")
    assert new.read_bytes() == b"{}" and stat.S_IMODE(new.stat().st_mode) == 0o644
    kept = tmp_path / "kept.json"
    kept.write_text("old")
    kept.chmod(0o640)
    write_atomic(kept, "new")
    assert kept.read_text() == "new" and stat.S_IMODE(kept.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.json", "sub"]
