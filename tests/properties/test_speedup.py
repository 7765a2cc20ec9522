"""PPRS's speed-up over the pipelined subgradient method in depth Δ (docs/theory.md §1, §2.5).

Depth enters only the clock: one subgradient iteration takes 2(n + Δ − 1), one PPRS iteration
2(nK + Δ − 1), and the iterates do not depend on Δ (the perturbation is one block, not split per stage).
So with the same seeds, time_sub / time_PPRS = (n + Δ − 1)·N_sub / ((nK + Δ − 1)·N_PPRS) exactly,
N = iterations until every seed has reached ε — near-linear in Δ while nK ≫ Δ.
"""
import math
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest

from pplimits.algorithms.clock import PipelineModel
from pplimits.algorithms.random_smoothing import PPRS
from pplimits.algorithms.runner import run
from pplimits.algorithms.span_methods import Subgradient
from pplimits.bounds.tuning import tuning
from pplimits.worstcase import LipschitzMaxFunction

DEPTHS = (4, 8, 16, 32, 64, 128, 256)


class Recording:
    """The instance, unchanged, recording every point the runner evaluates f at (the iterates x_k)."""

    def __init__(self, instance):
        self._instance, self.iterates = instance, []

    def __getattr__(self, name):
        return getattr(self._instance, name)

    def value(self, x):
        self.iterates.append(np.array(x, copy=True))
        return self._instance.value(x)


def methods(instance, eps):
    """Subgradient with horizon ⌈(RL/ε)²⌉ and PPRS with Theorem D's K, γ; PPRS's iteration cap 2T."""
    tuned = tuning(eps, instance.lipschitz, instance.radius, instance.dim)
    horizon = math.ceil((instance.lipschitz * instance.radius / eps) ** 2)
    pprs = PPRS(instance.lipschitz, samples=tuned.K, seed=0, layer_sizes=instance.layer_sizes, gamma=tuned.gamma)
    return (Subgradient(instance.lipschitz, instance.radius, horizon), horizon), (pprs, 2 * tuned.T)


def worst_iterations(trace, eps) -> int:
    index = trace.first_index_below(eps)
    assert (index >= 0).all(), f"{trace.method} did not reach eps={eps:g} on every seed"
    return int(index.max())


def check_identity(sub, pprs, eps, depth, inputs, samples):
    """The exact identity at one depth; returns the speed-up as a Fraction."""
    n_sub, n_pprs = worst_iterations(sub, eps), worst_iterations(pprs, eps)
    t_sub, t_pprs = sub.time_to_eps(eps), pprs.time_to_eps(eps)
    assert type(t_sub) is int and type(t_pprs) is int
    assert t_sub == 2 * (inputs + depth - 1) * n_sub
    assert t_pprs == 2 * (inputs * samples + depth - 1) * n_pprs
    speedup = Fraction(t_sub, t_pprs)
    assert speedup == Fraction((inputs + depth - 1) * n_sub, (inputs * samples + depth - 1) * n_pprs)
    return speedup


@pytest.mark.parametrize("inputs", [1, 3])
def test_speedup_identity_is_exact_and_iterates_do_not_depend_on_depth(inputs):
    instance = LipschitzMaxFunction(dim=16)
    eps = 0.5 * abs(instance.f_star)
    (subgradient, sub_cap), (pprs, pprs_cap) = methods(instance, eps)
    runs, reference = 4, None
    for depth in DEPTHS:
        model = PipelineModel(depth=depth, inputs=inputs)
        recorded = Recording(instance), Recording(instance)
        sub = run(subgradient, recorded[0], model, sub_cap, runs=runs, stop_below=eps)
        pp = run(pprs, recorded[1], model, pprs_cap, runs=runs, stop_below=eps)
        observed = {"iterates": [np.stack(r.iterates) for r in recorded], "values": [sub.values, pp.values],
                    "N": [worst_iterations(sub, eps), worst_iterations(pp, eps)]}
        if reference is None:
            reference = observed
            assert observed["N"][0] >= instance.chain_length  # a span method: the rounds lemma binds it
        for key in ("iterates", "values"):
            for a, b in zip(observed[key], reference[key]):
                assert np.array_equal(a, b), f"{key} at depth {depth} differ from depth {DEPTHS[0]}"
        assert observed["N"] == reference["N"]
        check_identity(sub, pp, eps, depth, inputs, pprs.samples)


@pytest.mark.slow
def test_near_linear_speedup_when_batch_dominates_depth():
    """nK ≫ Δ: d = 2, RL/ε = 4000, Theorem D gives K = 3551, so every doubling of Δ (4 → 256) multiplies
    the speed-up by 2(nK + Δ − 1)/(nK + 2Δ − 1) ≥ 2^0.95 (about 45 s). Values are measured once, at
    Δ = 4, and put on each depth's clock (the fast test shows they do not depend on Δ; a prefix re-run at
    Δ = 256 spot-checks it here)."""
    instance = LipschitzMaxFunction(dim=2)
    eps = instance.lipschitz * instance.radius / 4000
    (subgradient, sub_cap), (pprs, pprs_cap) = methods(instance, eps)
    assert pprs.samples >= 3500
    runs = 2
    base = PipelineModel(depth=DEPTHS[0])
    sub = run(subgradient, instance, base, sub_cap, runs=runs, stop_below=eps)
    pp = run(pprs, instance, base, pprs_cap, runs=runs, stop_below=eps)
    deep = PipelineModel(depth=DEPTHS[-1])
    assert np.array_equal(run(pprs, instance, deep, 10, runs=runs).values, pp.values[:, :11])

    def at(trace, depth):
        model = PipelineModel(depth=depth)
        return replace(trace, times=model.iteration_times(trace.iterations, queries=trace.queries_per_iteration))

    speedups = [check_identity(at(sub, d), at(pp, d), eps, d, 1, pprs.samples) for d in DEPTHS]
    slopes = [math.log(b / a) / math.log(2) for a, b in zip(speedups, speedups[1:])]
    assert min(slopes) >= 0.9, slopes
    assert math.log(speedups[-1] / speedups[0]) / math.log(DEPTHS[-1] / DEPTHS[0]) >= 0.95
    assert speedups[-1] > 1  # and PPRS is ahead at Δ = 256
