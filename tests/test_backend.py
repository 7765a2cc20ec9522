"""Another Array API namespace plugs in without touching the algorithms: array-api-strict (the standard's
reference implementation, which refuses anything outside the standard) gives numpy's numbers exactly."""
import numpy as np
import pytest

from algorithms.backend import Backend, get_backend
from algorithms.clock import PipelineModel
from algorithms.methods import METHODS, make_method
from algorithms.runner import run
from worstcase import (CarmonChain, L1Regression, LipschitzMaxFunction, LogisticRegression, NesterovChain,
                       StronglyConvexChain)

xp = pytest.importorskip("array_api_strict", reason="array-api-strict is in the [test] extra")
STRICT = Backend("array-api-strict", xp, xp.float64)


SMOOTH = [NesterovChain(dim=20), StronglyConvexChain(dim=30, mu=0.05), CarmonChain(dim=4, eps=0.1),
          LogisticRegression(dim=5, seed=1)]
NONSMOOTH = [LipschitzMaxFunction(dim=12), L1Regression(dim=6, seed=2)]
NONSMOOTH_PARAMS = {"subgradient": {"horizon": 25}, "pprs": {"samples": 3, "gamma": 0.1, "seed": 5},
                    "pprs-drs": {"samples": 3, "seed": 5}, "random-span": {}}
CASES = [(i, m, {}) for i in SMOOTH for m in ("gd", "agd", "heavy-ball", "random-span")]
CASES += [(i, m, p) for i in NONSMOOTH for m, p in NONSMOOTH_PARAMS.items()]


def test_every_method_is_covered():
    assert {m for _, m, _ in CASES} == set(METHODS)


@pytest.mark.parametrize("instance, method, params", CASES, ids=[f"{i.name}-{m}" for i, m, _ in CASES])
def test_array_api_strict_matches_numpy(instance, method, params):
    model = PipelineModel(depth=3, inputs=2)
    strict = run(make_method(method, instance, **params), instance, model, 25, runs=4, backend=STRICT)
    reference = run(make_method(method, instance, **params), instance, model, 25, runs=4)
    np.testing.assert_allclose(strict.values, reference.values, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(strict.times, reference.times)


def test_unknown_backend_is_named():
    with pytest.raises(ValueError, match="backend must be one of numpy"):
        get_backend("cupy")
