"""The pytest plugin (entry point `pytest11: pplimits`), loaded wherever pplimits is installed:

- `pytest --pplimits-verify [--pplimits-quick]` makes the verification run a pytest run, one test item per
  registered check, named by its id (claim/instance/method/depth), with the same checks and verdicts as
  `pplimits verify` — so CI shows each claim by name, and in junit XML. Without the option it adds no item;
- fixtures for your own tests, each parametrised so a test that asks for one runs once per value, named by it:
  `pplimits_smooth_case` (Nesterov's chain sized for ε = 1e-2, 3e-3, 1e-3), `pplimits_nonsmooth_case` (the max
  function sized for ε = 0.2, 0.1, 0.05), both `pplimits.testing.cases.HardCase`s, and `pplimits_depth`
  (pipeline depths Δ = 1, 4, 16).

        def test_my_method_respects_the_span_bound(pplimits_smooth_case, pplimits_depth):
            assert_respects_lower_bound(MyMethod, instance=pplimits_smooth_case.name,
                                        eps=pplimits_smooth_case.eps, depth=pplimits_depth)

Nothing heavy is imported until a fixture or the option is used.
"""
import sys

import pytest

from pplimits.testing.cases import NONSMOOTH_EPS, SMOOTH_EPS, hard_case

SMOOTH_CASES = tuple(("nesterov-chain", eps) for eps in SMOOTH_EPS)
NONSMOOTH_CASES = tuple(("max-function", eps) for eps in NONSMOOTH_EPS)
DEPTHS = (1, 4, 16)


@pytest.fixture(params=SMOOTH_CASES, ids=[f"{name}-eps={eps:g}" for name, eps in SMOOTH_CASES])
def pplimits_smooth_case(request):
    """A smooth convex hard instance (Nesterov's chain) sized for its ε: a HardCase (name, eps, instance)."""
    return hard_case(*request.param)


@pytest.fixture(params=NONSMOOTH_CASES, ids=[f"{name}-eps={eps:g}" for name, eps in NONSMOOTH_CASES])
def pplimits_nonsmooth_case(request):
    """A non-smooth convex hard instance (the max function) sized for its ε: a HardCase (name, eps, instance)."""
    return hard_case(*request.param)


@pytest.fixture(params=DEPTHS, ids=[f"depth={depth}" for depth in DEPTHS])
def pplimits_depth(request) -> int:
    """A pipeline depth Δ."""
    return request.param


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
