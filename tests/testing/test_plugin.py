"""The pytest plugin: `--pplimits-verify` turns every registered check into a test item named by its id, with the
verdict `pplimits verify` gives it; without the option it adds nothing."""
import pytest

pytest_plugins = ["pytester"]

ROWS = [{"id": "smooth-convex.lower.time/nesterov-chain/gd/depth=4,eps=0.001", "passed": True, "kind": "lower",
         "measured": 19416.0, "bound": 482.9, "ratio": 40.2},
        {"id": "smooth-convex.gd.upper.time/nesterov-chain/gd/depth=4,eps=0.001", "passed": False, "kind": "upper",
         "measured": 2.0, "bound": 1.0, "ratio": 2.0}]


@pytest.fixture
def checks(monkeypatch):
    """run_checks as `pplimits verify` calls it, answering two rows (one failing) instead of computing ~250."""
    from pplimits.reports import verify

    calls = []
    monkeypatch.setattr(verify, "run_checks", lambda profile, progress=None: calls.append(profile.name) or {
        "checks": ROWS, "passed": 1, "failed": 1})
    return calls


def test_each_check_is_an_item_with_its_verdict_and_name_in_junit(pytester, checks):
    result = pytester.runpytest_inprocess("--pplimits-verify", "--pplimits-quick", "--junitxml=out.xml", "-rA")
    result.assert_outcomes(passed=1, failed=1)
    assert checks == ["quick"]
    result.stdout.fnmatch_lines(["*smooth-convex.gd.upper.time/nesterov-chain/gd/depth=4,eps=0.001: measured 2 against "
                                 "the upper bound 1 (ratio 2)*",
                                 "PASSED ::smooth-convex.lower.time/nesterov-chain/gd/depth=4,eps=0.001",
                                 "FAILED ::smooth-convex.gd.upper.time/nesterov-chain/gd/depth=4,eps=0.001*"])
    junit = (pytester.path / "out.xml").read_text()
    assert 'name="smooth-convex.gd.upper.time/nesterov-chain/gd/depth=4,eps=0.001"' in junit and "<failure" in junit


def test_without_the_option_the_plugin_adds_nothing(pytester, checks):
    pytester.makepyfile("def test_one():\n    assert True\n")
    result = pytester.runpytest_inprocess()
    result.assert_outcomes(passed=1)
    assert checks == []
