"""The experiment matrix (pplimits/experiments/matrix.py): one Profile that verify, the gate and the figures read."""
import re

import pytest

from pplimits.experiments.matrix import FULL, QUICK, Case, profile
from pplimits.reports import gate, verify


def test_the_cli_flag_picks_the_profile():
    assert profile(True) is QUICK and profile(False) is FULL and QUICK.quick and not FULL.quick


def test_the_full_profile_measures_everything_the_quick_one_does():
    """Nothing measured by `--quick` is dropped by the full run (the drift this object ended: a Carmon chain of
    length 8 in verify's full run but 4 in the gate)."""
    for field in ("depths", "hard", "benign", "pep_iterations", "speedup_depths", "pep_pipeline"):
        assert set(getattr(QUICK, field)) <= set(getattr(FULL, field)), field
    assert QUICK.theorem_d_seeds <= FULL.theorem_d_seeds and QUICK.gate_pprs_seeds <= FULL.gate_pprs_seeds


def test_labels_name_the_chosen_parameters():
    assert Case("nesterov-chain", 1e-3).label == "nesterov-chain"
    assert Case("random-quadratic", 1e-6, (("seed", 0), ("mu", 0.05)), 30).label == \
        "random-quadratic[dim=30,mu=0.05,seed=0]"


@pytest.mark.parametrize("matrix", [QUICK, FULL], ids=["quick", "full"])
def test_verify_and_the_gate_measure_the_same_hard_cases(matrix, monkeypatch):
    """Both read the profile: every (instance, method, Δ, ε) verify measures on a hard instance, the gate gates."""
    monkeypatch.setattr(Case, "build", lambda case: _Stub(case))
    verified = {m.groups() for d, _ in verify.plan(matrix) if (m := re.match(r"(\S+) (gd|agd|heavy-ball|subgradient) "
                                                                             r"Δ=(\d+) ε=(\S+)$", d))}
    gated = {m.groups() for d, _ in gate.plan(matrix) if (m := re.match(r"(\S+) (\S+) Δ=(\d+) ε=(\S+)$", d))}
    assert verified and verified <= gated
    assert {int(depth) for _, _, depth, _ in gated} == set(matrix.depths)


class _Stub:
    """A stand-in instance: the plans are built without constructing (or running) anything."""

    def __init__(self, case):
        self.name, self.params, self.dim = case.instance, dict(case.params), case.dim or 1
        self.setting = "nonsmooth-convex" if case.instance.startswith("max-function") else "smooth-convex"
        self.lipschitz = self.radius = 1.0

    def span_rounds(self, eps):
        return 1
