"""The pytest plugin (entry point `pytest11: pplimits`): `pytest --pplimits-verify [--pplimits-quick]` makes the
verification run a pytest run, one test item per registered check, named by its id (claim/instance/method/
depth), with the same checks and verdicts as `pplimits verify` — so CI shows each claim by name, and in junit XML.
Without the option the plugin does nothing (it is loaded wherever pplimits is installed)."""
import sys

import pytest


def pytest_addoption(parser):
    group = parser.getgroup("pplimits")
    group.addoption("--pplimits-verify", action="store_true",
                    help="collect every registered pplimits check as its own test item")
    group.addoption("--pplimits-quick", action="store_true", help="with --pplimits-verify: the quick profile")


def pytest_collection_modifyitems(session, config, items):
    if not config.getoption("pplimits_verify"):
        return
    from pplimits.experiments.matrix import profile
    from pplimits.reports.verify import run_checks

    result = run_checks(profile(config.getoption("pplimits_quick")), progress=sys.stderr)
    items.extend(CheckItem.from_parent(session, name=row["id"], row=row) for row in result["checks"])


class CheckFailed(AssertionError):
    """A registered check whose measured value is on the wrong side of its bound."""


class CheckItem(pytest.Item):
    """One registered check: passes iff `pplimits verify` passes it."""

    def __init__(self, *, row: dict, **kwargs):
        super().__init__(**kwargs)
        self.row = row

    def runtest(self):
        if not self.row["passed"]:
            row = self.row
            raise CheckFailed(f"{row['id']}: measured {row['measured']:.6g} against the {row['kind']} bound "
                              f"{row['bound']:.6g} (ratio {row['ratio']:.4g})")

    def repr_failure(self, excinfo, style=None):
        return str(excinfo.value) if isinstance(excinfo.value, CheckFailed) else super().repr_failure(excinfo)

    def reportinfo(self):
        return "pplimits verify", None, self.row["id"]
