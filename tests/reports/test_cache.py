"""The report's on-disk cache (pplimits/reports/cache.py): keyed on the code, the parameters and the step; an
interrupted verification resumes from the steps already stored."""
from functools import partial

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

    monkeypatch.setattr(verify, "plan", lambda profile: [(f"step {i}", partial(step, i)) for i in range(1, 5)])
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


def test_every_verify_step_has_its_own_key():
    """The key is everything a step computes from. Keyed by hand on the step's description, the full run's random
    span steps at ε = 1e-3 and 3e-4 (and the Carmon chains of length 4 and 8) shared one entry: the cached report
    showed one step's checks twice and never ran the other."""
    import json

    from pplimits.experiments.matrix import FULL
    from pplimits.reports.cache import fingerprint

    steps = verify.plan(FULL)
    keys = {json.dumps(fingerprint(factory), sort_keys=True) for _, factory in steps}
    assert len(keys) == len(steps) == len({description for description, _ in steps})


def test_a_fingerprint_sees_every_input_and_refuses_what_it_cannot_see():
    from pplimits.algorithms.clock import PipelineModel
    from pplimits.reports.cache import fingerprint
    from pplimits.worstcase import NesterovChain

    def f(*args, **kwargs):
        return args, kwargs

    base = fingerprint(partial(f, NesterovChain(dim=5), PipelineModel(4), 1e-3, seeds=3))
    for other in (partial(f, NesterovChain(dim=6), PipelineModel(4), 1e-3, seeds=3),
                  partial(f, NesterovChain(dim=5, beta=2.0), PipelineModel(4), 1e-3, seeds=3),
                  partial(f, NesterovChain(dim=5), PipelineModel(4, inputs=2), 1e-3, seeds=3),
                  partial(f, NesterovChain(dim=5), PipelineModel(4), 3e-4, seeds=3),
                  partial(f, NesterovChain(dim=5), PipelineModel(4), 1e-3, seeds=4)):
        assert fingerprint(other) != base
    with pytest.raises(TypeError, match="cannot fingerprint a function"):
        fingerprint(partial(f, lambda: 1))


def _one_check(value):
    return [verify.Check("family", f"value={value}", "equal", value, value)]


def test_steps_with_the_same_description_do_not_share_an_entry(tmp_path, monkeypatch):
    monkeypatch.setattr(verify, "plan", lambda profile: [("same words", partial(_one_check, v)) for v in (1.0, 2.0)])
    for _ in range(2):  # computed, then read back from the cache
        assert [c["measured"] for c in verify.run_checks(QUICK, cache=Cache(tmp_path))["checks"]] == [1.0, 2.0]


@pytest.mark.parametrize("replacement", ["[]", '{"value": [9.5]}', "{not json", '{"key": {"name": "x"}, "value": [9.5]}'])
def test_an_entry_that_is_not_its_keys_is_recomputed_with_a_warning(tmp_path, capsys, replacement):
    """A cache entry replaced by valid JSON `[]` once produced a wrong report with no warning."""
    cache = Cache(tmp_path)
    assert cache.get("x", {"a": 1}, lambda: [1.5]) == ([1.5], False)
    (entry,) = tmp_path.iterdir()
    entry.write_text(replacement)
    assert cache.get("x", {"a": 1}, lambda: [2.5]) == ([2.5], False)
    assert "is not the entry for its key; recomputing it" in capsys.readouterr().err
    assert cache.get("x", {"a": 1}, lambda: [3.5]) == ([2.5], True)


def test_a_range_is_keyed_by_its_start_stop_and_step():
    from pplimits.reports.cache import fingerprint

    def f(*args):
        return args

    assert fingerprint(range(1, 9, 3)) == {"range": [1, 9, 3]}
    keys = {str(fingerprint(partial(f, r))) for r in (range(0, 8), range(0, 8, 2), range(1, 8), range(0, 9))}
    assert len(keys) == 4


@pytest.mark.parametrize("package", ["pplimits.bounds", "pplimits.worstcase", "pplimits.algorithms",
                                     "pplimits.experiments", "pplimits.reports", "pplimits._util"])
def test_a_change_in_any_computing_package_changes_the_code_hash(monkeypatch, package):
    """The module's promise: any change to the code of bounds/, worstcase/, algorithms/, experiments/, reports/ or
    pplimits/_util/ starts afresh. One source of `package` gains a comment; the hash must change."""
    from pplimits.reports import cache

    real = cache.package_sources

    def edited(name):
        sources = real(name)
        if name != package:
            return sources
        (first, source), *rest = sources
        return [(first, source + b"\n# edited\n"), *rest]

    cache.code_hash.cache_clear()
    try:
        before = cache.code_hash()
        monkeypatch.setattr(cache, "package_sources", edited)
        cache.code_hash.cache_clear()
        assert cache.code_hash() != before
    finally:
        monkeypatch.undo()
        cache.code_hash.cache_clear()
