"""Another Array API namespace plugs in without touching the algorithms: array-api-strict (the standard's
reference implementation, which refuses anything outside the standard) gives numpy's numbers exactly."""
import numpy as np
import pytest

from algorithms.backend import Backend, get_backend
from algorithms.clock import PipelineModel
from algorithms.methods import METHODS, make_method
from algorithms.runner import run
from worstcase import CarmonChain, LogisticRegression, NesterovChain, StronglyConvexChain

xp = pytest.importorskip("array_api_strict", reason="array-api-strict is in the [test] extra")
STRICT = Backend("array-api-strict", xp, xp.float64)


@pytest.mark.parametrize("instance", [NesterovChain(dim=20), StronglyConvexChain(dim=30, mu=0.05),
                                      CarmonChain(dim=4, eps=0.1), LogisticRegression(dim=5, seed=1)],
                         ids=lambda i: i.name)
@pytest.mark.parametrize("method", sorted(METHODS))
def test_array_api_strict_matches_numpy(instance, method):
    model = PipelineModel(depth=3, inputs=2)
    strict = run(make_method(method, instance), instance, model, 25, runs=4, backend=STRICT)
    reference = run(make_method(method, instance), instance, model, 25, runs=4)
    np.testing.assert_allclose(strict.values, reference.values, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(strict.times, reference.times)


def test_unknown_backend_is_named():
    with pytest.raises(ValueError, match="backend must be one of numpy"):
        get_backend("cupy")
