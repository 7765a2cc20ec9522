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


def test_the_fixtures_run_a_test_once_per_hard_case_and_depth(pytester):
    pytester.makepyfile('''
        def test_smooth(pplimits_smooth_case, pplimits_depth):
            case = pplimits_smooth_case
            assert case.setting == "smooth-convex" and case.instance.span_rounds(case.eps) > 0
            assert pplimits_depth in (1, 4, 16)

        def test_nonsmooth(pplimits_nonsmooth_case):
            case = pplimits_nonsmooth_case
            assert case.setting == "nonsmooth-convex" and case.instance.name == "max-function"
    ''')
    result = pytester.runpytest_inprocess("-v")
    result.assert_outcomes(passed=9 + 3)
    result.stdout.fnmatch_lines(["*test_smooth?nesterov-chain-eps=0.001-depth=16? PASSED*",
                                 "*test_nonsmooth?max-function-eps=0.05? PASSED*"])


def test_loading_the_plugin_imports_nothing_heavy():
    """Every pytest run where pplimits is installed loads the plugin: it must not import numpy, sympy or cvxpy."""
    import subprocess
    import sys

    code = ("import sys, pplimits.testing.plugin; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'sympy', 'cvxpy', 'scipy'}))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"
