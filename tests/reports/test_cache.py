"""The report's on-disk cache (pplimits/reports/cache.py): keyed on the code, the parameters and the step; an
interrupted verification resumes from the steps already stored."""
import pytest

from pplimits.experiments.matrix import QUICK
from pplimits.reports import verify
from pplimits.reports.cache import Cache


def test_an_interrupted_run_resumes_from_the_cache(tmp_path, monkeypatch):
    calls = []

    def step(number):
        calls.append(number)
        if number == 3 and len(calls) == 3:
            raise KeyboardInterrupt  # the first run dies in step 3
        return [verify.Check(f"step-{number}", "case", "equal", 1.0, 1.0)]

    monkeypatch.setattr(verify, "plan", lambda profile: [(f"step {i}", lambda i=i: step(i)) for i in range(1, 5)])
    cache = Cache(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        verify.run_checks(QUICK, cache=cache)
    result = verify.run_checks(QUICK, cache=cache)
    assert calls == [1, 2, 3, 3, 4] and result["passed"] == 4


def test_cache_keys_on_parameters_and_code(tmp_path, monkeypatch):
    cache = Cache(tmp_path)
    assert cache.get("x", {"a": 1}, lambda: [1.5]) == ([1.5], False)
    assert cache.get("x", {"a": 1}, lambda: [2.5]) == ([1.5], True)
    assert cache.get("x", {"a": 2}, lambda: [2.5]) == ([2.5], False)
    monkeypatch.setattr("pplimits.reports.cache.code_hash", lambda: "changed code")
    assert cache.get("x", {"a": 1}, lambda: [3.5]) == ([3.5], False)
    assert Cache(None).get("x", {"a": 1}, lambda: [4.5]) == ([4.5], False)
