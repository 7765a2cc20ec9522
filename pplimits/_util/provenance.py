"""Where a report's numbers come from: git revision, package versions, machine, date.

Everything here is a function of the checkout and the machine, never of the wall clock, so re-running
a report gives the same bytes: the date is the revision's commit date (SOURCE_DATE_EPOCH overrides it).
"""
import datetime
import os
import platform
import subprocess
from importlib import metadata

from pplimits import __version__
from pplimits._util.files import checkout_root

PACKAGES = ("pplimits", "numpy", "scipy", "sympy", "cvxpy", "matplotlib")


def _git(*args) -> str | None:
    """git's answer in pplimits' own checkout; None when pplimits is installed from a wheel (never ask the git
    repository a wheel happens to be installed under) or git is not there."""
    root = checkout_root()
    if root is None:
        return None
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10,
                              env={**os.environ, "TZ": "UTC"})
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _date(commit_date: str | None) -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return commit_date or "unknown"


def provenance() -> dict:
    """{revision, date, versions, machine}: the revision is marked '+ uncommitted changes' when the tree is dirty."""
    revision = _git("rev-parse", "HEAD")
    if revision and _git("status", "--porcelain", "--untracked-files=no"):
        revision += " + uncommitted changes"
    commit_date = _git("show", "-s", "--format=%cd", "--date=format-local:%Y-%m-%d %H:%M UTC", "HEAD")
    return {
        "revision": revision or f"pplimits {__version__} (installed, not a git checkout)",
        "date": _date(commit_date),
        "versions": {"python": platform.python_version(),
                     **{name: metadata.version(name) for name in PACKAGES}},
        "machine": f"{platform.system()} {platform.release()} {platform.machine()}, {os.cpu_count()} CPUs",
    }
