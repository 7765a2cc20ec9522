"""A hyperparameter grid batched over the runs axis (one value per run) gives each run exactly what the method
with that single value gives: the study tunes every method this way."""
from dataclasses import replace

import numpy as np
import pytest

from pplimits.algorithms.clock import PipelineModel
from pplimits.algorithms.random_smoothing import PPRS
from pplimits.algorithms.runner import run
from pplimits.algorithms.span_methods import AcceleratedGradient, DecayingSubgradient, GradientDescent
from pplimits.worstcase import L1Regression, LipschitzMaxFunction, NesterovChain

MODEL = PipelineModel(depth=3)
GRIDS = {  # name: (instance, build from one value or a tuple)
    "gd": (NesterovChain(dim=12), lambda v: GradientDescent(v), (0.5, 1.0, 2.0)),
    "agd": (NesterovChain(dim=12), lambda v: AcceleratedGradient(v), (1.0, 1.5, 4.0)),
    "subgradient-decay": (L1Regression(dim=6, seed=2), lambda v: DecayingSubgradient(v), (0.01, 0.1, 1.0)),
    "pprs-gamma": (LipschitzMaxFunction(dim=8), lambda v: PPRS(1.0, 3, seed=4, gamma=v), (0.01, 0.1, 0.5)),
    "pprs-L": (LipschitzMaxFunction(dim=8), lambda v: PPRS(v, 3, seed=4, gamma=0.1), (0.5, 1.0, 3.0)),
}


@pytest.mark.parametrize("name", GRIDS)
def test_a_grid_over_runs_equals_one_run_per_value(name):
    instance, build, values = GRIDS[name]
    batched = run(build(values), instance, MODEL, iterations=15, runs=len(values)).values
    # PPRS: run r draws noise stream seed + r, so the single run for value r starts at that seed
    singles = [run(build(v) if not name.startswith("pprs") else _reseed(build(v), r), instance, MODEL, 15).values[0]
               for r, v in enumerate(values)]
    np.testing.assert_allclose(batched, np.stack(singles), rtol=1e-13, atol=1e-15)
    assert len({row.tobytes() for row in batched}) == len(values)  # the values really differ per run


def _reseed(method, offset):
    return replace(method, seed=method.seed + offset)


@pytest.mark.parametrize("bad, message", [((), "non-empty 1-D"), ((1.0, -2.0), r"beta\[1\] must be a finite number"),
                                          (((1.0,),), "1-D")])
def test_a_bad_grid_is_named(bad, message):
    with pytest.raises(ValueError, match=message):
        GradientDescent(bad)


def test_grid_length_must_match_the_runs():
    with pytest.raises(ValueError, match="2 values .* 3 runs"):
        run(GradientDescent((1.0, 2.0)), NesterovChain(dim=5), MODEL, iterations=2, runs=3)


def test_agd_grid_needs_mu_zero():
    with pytest.raises(ValueError, match="mu must be 0"):
        AcceleratedGradient((1.0, 2.0), mu=0.1)
