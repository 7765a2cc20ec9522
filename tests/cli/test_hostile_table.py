"""Hostile input across every command (issue 13, item 5): each line of the table must exit 2 with exactly one line
on stderr naming the offending parameter, nothing on stdout, no traceback, and nothing written in its working
folder (where a case starts with files there, they are left exactly as they were).

The whole table runs in one child process (tests/cli/hostile_driver.py: one import of pplimits, not one per case),
under a 4 GiB address-space limit set in that child and PER_CASE_SECONDS per case, so an unguarded allocation or a
hang is a failure of its case, not of the machine. A case's arguments may name "{tmp}", its (otherwise empty)
working folder; `files` are put there first ({name: text}, None for a folder), and must be there, unchanged, after.

This is the one table of bad input (the per-subprocess tables of test_cli.py were folded in). A "was:" comment says
what a case did before it was fixed.
"""
import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

DRIVER = Path(__file__).with_name("hostile_driver.py")
PER_CASE_SECONDS = 20
TOTAL_SECONDS = 600


class Hostile(NamedTuple):
    args: tuple
    names: str | tuple  # substring(s) of the one stderr line: the parameter named, and where useful what is allowed
    files: dict = {}


MINE = {"a-file": "mine"}  # a file the user made: must be left exactly as it was
GATE_QUICK_METRIC = "constant/smooth-convex.lower.time"


def run(*extra, method="agd", instance="nesterov-chain", depth="4", eps="1e-3"):
    return ("run", "--method", method, "--instance", instance, "--depth", depth, "--eps", eps, *extra)


def schedule(*extra, depth="4", inputs="8"):
    return ("schedule", "--depth", depth, "--inputs", inputs, *extra)


def sets(*pairs):
    return tuple(arg for pair in pairs for arg in ("--set", pair))


def bound(*pairs, claim="smooth-convex.lower.time"):
    return ("bound", claim, *sets(*pairs))


SC_LOWER = ("eps=1e-3", "depth=2", "beta=1", "R=1")  # every parameter of smooth-convex.lower.time


def regime(*extra, depth="4", dim="10", eps="0.1"):
    return ("regime", "--depth", depth, "--dim", dim, "--eps", eps, *extra)


def model_regime(*extra, model="m:model", eps="0.1"):
    return ("regime", "--model", model, "--eps", eps, *extra)


def certify(*extra, method="gd", cls="smooth-convex", iterations="5"):
    return ("certify", "--method", method, "--class", cls, "--iterations", iterations, *extra)


def baseline(metrics, quick=True, **top) -> str:
    """A gate baseline with a true record of its metric ids (reports/gate.py blessed_ids), so that what is refused is
    the field a case breaks."""
    ids = {"count": len(metrics), "sha256": hashlib.sha256("\n".join(sorted(metrics)).encode()).hexdigest()}
    return json.dumps({"format": "pplimits-gate/1", "quick": quick, "metrics": metrics, "metric_ids": ids, **top})


def metric(value="1", direction="equal", tolerance=0.0, unit="sympy expression") -> dict:
    return {GATE_QUICK_METRIC: {"value": value, "direction": direction, "tolerance": tolerance, "unit": unit}}


TABLE = [
    # ── no command, unknown command, unknown flags ──
    Hostile((), "command"),
    Hostile(("frobnicate",), "frobnicate"),
    Hostile(("bounds", "--bogus"), "--bogus"),
    Hostile(("bounds", "extra"), "extra"),
    Hostile(("schedule", "--depth", "4", "--inputs", "2", "--depht", "3"), "--depht"),
    Hostile(("bounds", "--json=1"), "--json"),  # a switch given a value
    # ── verify: switches only ──
    Hostile(("verify", "--full"), "--full"),
    Hostile(("verify", "--quick=yes"), "--quick"),
    Hostile(("verify", "--quick", "smooth-convex"), "smooth-convex"),

    # ── bound: claim ids ──
    Hostile(("bound",), "id"),
    Hostile(("bound", "no.such.claim"), "claim"),
    Hostile(("bound", ""), "claim"),
    Hostile(("bound", "smooth-convex.lower.time "), "claim"),  # a trailing space is another id
    # ── bound: --set grammar ──
    Hostile(bound("eps=1e-3", "depth=2", "beta=1"), "R"),  # a parameter missing
    Hostile(bound(*SC_LOWER, "d=3"), "d ≥"),  # an assumption of the claim fails
    Hostile(bound(*SC_LOWER[:3], "R"), "--set"),  # no '='
    Hostile(bound(*SC_LOWER, "=1"), "--set"),  # empty name
    Hostile(bound(*SC_LOWER, "  =1"), "--set"),  # blank name
    Hostile(bound(*SC_LOWER, "foo=1"), "foo"),  # unknown name
    Hostile(bound(*SC_LOWER, "Eps=1"), "Eps"),  # names are case-sensitive
    # ── bound: values ──
    Hostile(bound("eps=nan", *SC_LOWER[1:]), "eps"),
    Hostile(bound("eps=inf", *SC_LOWER[1:]), "eps"),
    Hostile(bound("eps=-inf", *SC_LOWER[1:]), "eps"),
    Hostile(bound("eps=0", *SC_LOWER[1:]), "eps"),
    Hostile(bound("eps=-1e-3", *SC_LOWER[1:]), "eps"),
    Hostile(bound("eps=1/0", *SC_LOWER[1:]), "eps"),
    Hostile(bound("eps=", *SC_LOWER[1:]), "eps"),
    Hostile(bound("eps=abc", *SC_LOWER[1:]), "eps"),
    Hostile(bound("eps=1e-400", *SC_LOWER[1:]), "eps"),  # exactly > 0, but 0.0 as a float
    # was: exit 1, OverflowError (int too large to convert to float)
    Hostile(bound("eps=1e999", *SC_LOWER[1:]), "eps"),  # beyond a float
    Hostile(bound(*SC_LOWER[:1], "depth=0", *SC_LOWER[2:]), "depth"),
    Hostile(bound(*SC_LOWER[:1], "depth=4.5", *SC_LOWER[2:]), "depth"),
    Hostile(bound(*SC_LOWER[:1], "depth=-3", *SC_LOWER[2:]), "depth"),
    # was: exit 2, but the line named the claim ("not a finite real number"), not depth
    Hostile(bound(*SC_LOWER[:1], "depth=1e999", *SC_LOWER[2:]), "depth"),
    # was: exit 1, OverflowError (int too large to convert to float)
    Hostile(bound(*SC_LOWER[:3], "R=1e999"), "R"),
    Hostile(bound(*SC_LOWER[:2], "beta=-1", *SC_LOWER[3:]), "beta"),
    # was: exit 1, OverflowError (int too large to convert to float)
    Hostile(bound("eps=1e1001", *SC_LOWER[1:]), ("eps", "exponent")),
    # was: still running after 20 s, expanding 10^(10^9) exactly
    Hostile(bound("eps=1e-1000000000", *SC_LOWER[1:]), ("eps", "exponent")),  # a billion-digit denominator
    Hostile(("bound", "smooth-convex.lower.time", "--set"), "--set"),  # a flag without its value

    # ── run: names ──
    Hostile(run(method="newton"), "method"),
    Hostile(run(method=""), "method"),
    Hostile(run(instance="rosenbrock"), "instance"),
    Hostile(run(instance="NESTEROV-CHAIN"), "instance"),
    Hostile(run("--schedule", "dualpipe"), "--schedule"),  # 1f1b exists since issue 15
    Hostile(run("--schedule", "1f1b"), "inputs"),  # n = 1 < P = 4
    Hostile(run("--schedule", "interleaved-1f1b", "--chunks", "3", "--n", "4"), "chunks"),  # 3 does not divide Δ = 4
    Hostile(run("--chunks", "0"), "chunks"),
    Hostile(run("--costs", "f=1/3"), "costs"),  # τ_g = Δ(f + b) = 16/3 ticks: not whole
    Hostile(run("--costs", "f=0"), "f"),
    Hostile(run("--schedule", "1f1b", "--n", "4", "--costs", "c=1"), "c must be 0"),  # no closed form for τ_g
    Hostile(run("--duplex", "quarter"), "--duplex"),
    Hostile(run("--backend", "cupy"), "--backend"),
    Hostile(("run", "--instance", "nesterov-chain", "--depth", "4", "--eps", "1e-3"), "--method"),  # required
    # ── run: eps ──
    Hostile(run(eps="0"), "eps"),
    Hostile(run(eps="-1e-3"), "eps must be a finite number > 0"),  # was: argparse's "expected one argument"
    Hostile(run(depth="-4"), "depth must be an integer >= 1"),
    Hostile(run(eps="nan"), "eps"),
    Hostile(run(eps="inf"), "eps"),
    Hostile(run(eps="-inf"), "eps"),
    Hostile(run(eps="1e308"), "eps"),
    Hostile(run(eps="0.5"), "eps"),  # above the nesterov chain's gap at x0
    Hostile(run(eps="1e-300"), "eps"),  # the chain would need ~10^150 coordinates
    Hostile(run(eps="one"), "eps"),
    Hostile(run(eps="1/0"), "eps"),
    Hostile(("run", "--method", "agd", "--instance", "nesterov-chain", "--depth", "4", "--eps=-1e-3"), "eps"),
    Hostile(("run", "--method", "agd", "--instance", "nesterov-chain", "--depth=-4", "--eps", "1e-3"), "depth"),
    # was: still running after 20 s, expanding 10^(10^9) exactly
    Hostile(run(eps="1e999999999"), ("eps", "exponent")),  # read exactly, a billion-digit integer
    # ── run: depth, dim, seeds, n ──
    Hostile(run(depth="0"), "depth"),
    Hostile(run(depth="-4"), "depth"),
    Hostile(run(depth="four"), "depth"),
    Hostile(run(depth="4.5"), "depth"),
    Hostile(run(depth="nan"), "depth"),
    Hostile(run(depth="inf"), "depth"),
    # was: exit 1, OverflowError (iteration_times exceeds int64), after the run
    Hostile(run(depth="1e308"), "depth"),
    # was: exit 1, OverflowError (iteration_times exceeds int64), after the run
    Hostile(run(depth="1" + "0" * 30), "depth"),
    # was: exit 1, OverflowError (int too large to convert to float)
    Hostile(run(depth="1e400"), ("depth", "float")),
    Hostile(run("--dim", "0"), "dim"),
    Hostile(run("--dim", "2.5"), "dim"),
    Hostile(run("--dim", "-7"), "dim"),
    Hostile(run("--dim", "1000000000", method="gd"), "dim"),
    Hostile(run("--dim", "1" + "0" * 30, method="gd"), "dim"),
    Hostile(run("--seeds", "0"), "seeds"),
    Hostile(run("--seeds", "1.5"), "seeds"),
    Hostile(run("--seeds", "1000000000", method="pprs", instance="max-function-lipschitz", eps="0.05"), "seeds"),
    Hostile(run("--seeds", "1" + "0" * 30, method="pprs", instance="max-function-lipschitz", eps="0.05"), "seeds"),
    Hostile(run("--n", "0"), "n"),
    Hostile(run("--n", "-1"), "n"),
    Hostile(run("--n", "2.5"), "n"),
    # was: exit 1, OverflowError (iteration_times exceeds int64), after the run
    Hostile(run("--n", "1" + "0" * 30), "n ="),
    Hostile(run("--n"), "--n"),  # a flag without its value
    # ── run: --set ──
    Hostile(run(*sets("foo=1")), "foo"),
    Hostile(run(*sets("beta")), "--set"),
    Hostile(run(*sets("=2")), "--set"),
    Hostile(run(*sets("beta=nan")), "beta"),
    # was: exit 1, OverflowError (int too large to convert to float)
    Hostile(run(*sets("beta=1e999")), "beta"),
    Hostile(run(*sets("beta=0")), "beta"),
    Hostile(run(*sets("beta=1/0")), "beta"),
    # was: exit 1, OverflowError (int too large to convert to float)
    Hostile(run(*sets("beta=1e308")), "beta"),
    Hostile(run(*sets("beta=1e-300")), "beta"),
    Hostile(run(*sets("mu=2"), instance="strongly-convex-chain"), "mu"),  # mu > beta
    Hostile(run(*sets("mu=-0.1"), instance="strongly-convex-chain"), "mu"),
    Hostile(run("--dim", "3", *sets("chain_length=5"), instance="carmon-chain", eps="0.1"), "chain_length"),
    Hostile(run(*sets("chain_length=1000000000"), method="gd", instance="carmon-chain", eps="0.05"), "dim"),
    # was: exit 2, but the line named dim ("dim must be an integer >= 1"), which the user never typed
    Hostile(run(*sets("chain_length=0"), method="gd"), "chain_length"),
    # was: exit 2, but the line named dim, which the user never typed
    Hostile(run(*sets("chain_length=2.5"), method="gd"), "chain_length"),
    Hostile(run(*sets("step=-1"), method="heavy-ball"), "step"),
    Hostile(run(*sets("step=inf"), method="heavy-ball"), "step"),
    # was: exit 0 after 40 180 iterations of inf/nan, RuntimeWarnings on stderr
    Hostile(run(*sets("step=1e308"), method="heavy-ball"), "step"),
    Hostile(run(*sets("momentum=1"), method="heavy-ball"), "momentum"),
    Hostile(run(*sets("momentum=nan"), method="heavy-ball"), "momentum"),
    Hostile(run(*sets("seed=1.5"), method="random-span"), "seed"),
    Hostile(run(*sets("seed=-1"), method="random-span"), "seed"),
    Hostile(run(*sets("queries_per_iteration=0"), method="random-span"), "queries_per_iteration"),
    Hostile(run(*sets("horizon=0"), method="subgradient", instance="max-function", eps="0.05"), "horizon"),
    Hostile(run(*sets("samples=0"), method="pprs", instance="max-function", eps="0.05"), "samples"),
    Hostile(run(*sets("samples=1000000000"), method="pprs", instance="max-function-lipschitz", eps="0.05"), "samples"),
    Hostile(run(*sets("samples=2.5"), method="pprs", instance="max-function", eps="0.05"), "samples"),
    Hostile(run(*sets("gamma=-1"), method="pprs", instance="max-function", eps="0.05"), "gamma"),
    # was: exit 0, the steps overflowed to nan, RuntimeWarnings on stderr
    Hostile(run(*sets("gamma=1e308"), method="pprs", instance="max-function", eps="0.05"), "gamma"),
    Hostile(run(*sets("max_iterations=0")), "max_iterations"),
    # was: exit 1, OverflowError (int too large to convert to float)
    Hostile(run(*sets("max_iterations=1e999")), "max_iterations"),
    # was: exit 0, a cap the int64 clock cannot count to (the run would fail if it got there)
    Hostile(run(*sets("max_iterations=1e308")), "max_iterations"),  # more ticks than the int64 clock counts
    Hostile(run(*sets("max_iterations=2.5")), "max_iterations"),
    Hostile(run("--dim", "8", *sets("points=10000000000"), method="subgradient", instance="hinge", eps="0.05"),
            "points"),
    Hostile(run("--dim", "8", *sets("points=0"), method="subgradient", instance="hinge", eps="0.05"), "points"),
    Hostile(run("--dim", "8", *sets("reg=-1"), method="gd", instance="logistic-regression", eps="0.05"), "reg"),
    Hostile(run("--dim", "8", *sets("radius=0"), method="gd", instance="random-quadratic", eps="0.05"), "radius"),
    Hostile(run(*sets("L=0"), method="subgradient", instance="max-function", eps="0.05"), "L"),
    # was: exit 1, ZeroDivisionError (μ = L/((1 + √t)R) underflowed to 0)
    Hostile(run(*sets("R=1e308"), method="subgradient", instance="max-function", eps="0.05"), "R"),
    Hostile(run(*sets("R=1e-300"), method="subgradient", instance="max-function", eps="0.05"), "R"),
    # ── run: a method on an instance it does not apply to ──
    Hostile(run(method="pprs"), "pprs"),
    Hostile(run(method="gd", instance="max-function", eps="0.05"), "gd"),
    Hostile(run(method="pprs-drs", instance="carmon-chain", eps="0.1"), "pprs-drs"),
    Hostile(run(*sets("samples=3"), method="gd"), "samples"),  # a method parameter of another method

    # ── schedule ──
    Hostile(("schedule", "--depth", "4", "--inputs", "0"), "inputs"),
    Hostile(("schedule", "--depth", "0", "--inputs", "4"), "depth"),
    Hostile(("schedule", "--depth", "4.5", "--inputs", "4"), "depth"),
    Hostile(("schedule", "--depth", "4", "--inputs", "nan"), "inputs"),
    Hostile(("schedule", "--depth", "4", "--inputs", "-inf"), "inputs"),
    Hostile(("schedule", "--depth", "1e-300", "--inputs", "4"), "depth"),
    Hostile(("schedule", "--depth", "4", "--inputs", "2", "--duplex", "quarter"), "duplex"),
    Hostile(("schedule", "--depth", "4", "--inputs", "2", "--schedule", "pipedream"), "--schedule"),
    Hostile(("schedule", "--depth", "2000", "--inputs", "2000", "--json"), "depth × inputs"),
    Hostile(("schedule", "--depth", "1" + "0" * 30, "--inputs", "1" + "0" * 30, "--json"), "depth × inputs"),
    Hostile(("schedule", "--depth", "4"), "--inputs"),  # required
    # was: exit 1, OverflowError (int too large to convert to float)
    Hostile(("schedule", "--depth", "1e400", "--inputs", "4"), "depth"),
    Hostile(("schedule", "--depth", "--inputs", "4"), "--depth"),  # a flag without its value
    Hostile(schedule("--schedule", "1f1b", inputs="2"), "inputs"),  # B < P
    Hostile(schedule("--schedule", "zb-h1", inputs="3"), "inputs"),  # B < P
    Hostile(schedule("--schedule", "interleaved-1f1b", "--chunks", "2", inputs="6"), "inputs"),  # B not a multiple of P
    Hostile(schedule("--schedule", "1f1b", "--chunks", "2"), "chunks"),  # only interleaved has v > 1
    Hostile(schedule("--schedule", "interleaved-1f1b", "--chunks", "0"), "chunks"),
    Hostile(schedule("--schedule", "interleaved-1f1b", "--chunks", "1.5"), "chunks"),
    Hostile(schedule("--schedule", "1f1b", "--duplex", "full"), "duplex"),
    Hostile(schedule("--costs", "f=0"), "f"),
    Hostile(schedule("--costs", "b=-1"), "b"),
    Hostile(schedule("--costs", "c=-1"), "c"),
    Hostile(schedule("--costs", "f=nan"), "f"),
    Hostile(schedule("--costs", "w=1/2"), "w"),  # w with an unsplit backward
    Hostile(schedule("--schedule", "zb-h1", "--costs", "b=1,w=1"), "w"),  # w = b: no input-gradient op left
    Hostile(schedule("--costs", "x=1"), "costs"),
    Hostile(schedule("--costs", "f=1,f=2"), "costs"),
    Hostile(schedule("--costs", ""), "costs"),
    Hostile(schedule("--costs", "f"), "costs"),
    Hostile(schedule("--schedule", "ZB-H1"), "--schedule"),  # lower case names only
    Hostile(schedule("--gantt", "{tmp}"), "gantt"),  # a folder
    Hostile(schedule("--gantt", "{tmp}/a-file/g.pdf"), "gantt", MINE),  # under a file
    Hostile(schedule("--gantt", "g.txt"), "gantt"),  # not a figure format
    Hostile(schedule("--gantt", ""), "gantt"),
    # ── schedule --from-torch: bad input is exit 2 (an invalid IR of torch's is exit 1, a verdict: not here) ──
    Hostile(schedule("--from-torch", "GPipe", "--schedule", "1f1b"), "--schedule"),
    Hostile(schedule("--from-torch", "GPipe", "--duplex", "full"), "--duplex"),
    Hostile(schedule("--from-torch", "GPipe", "--gantt", "g.pdf"), "--gantt"),
    Hostile(schedule("--from-torch", "GPipe", depth="0"), "depth"),
    Hostile(schedule("--from-torch", "GPipe", inputs="-1"), "inputs"),
    Hostile(schedule("--from-torch", "GPipe", "--chunks", "1.5"), "chunks"),
    Hostile(schedule("--from-torch", "GPipe", depth="1000", inputs="1000"), "inputs"),  # too large to simulate
    Hostile(("schedule", "--schedule", "zb-h1", "--depth", "600", "--inputs", "600", "--costs", "c=1"),
            "depth × inputs"),  # no closed form with c > 0, too large to simulate

    # ── regime ──
    Hostile(regime(dim="0"), "dim"),
    Hostile(regime(dim="2.5"), "dim"),
    Hostile(regime(depth="-1"), "depth"),
    Hostile(regime(eps="nan"), "eps"),
    Hostile(regime(eps="inf"), "eps"),
    Hostile(regime(eps="0"), "eps"),
    Hostile(("regime", "--depth", "4", "--dim", "10", "--eps=-inf"), "eps"),
    Hostile(regime(eps="1e-300"), "pprs.upper.time"),
    Hostile(regime(*sets("beta=1")), "beta"),
    Hostile(regime(*sets("L=0")), "L"),
    Hostile(regime(*sets("R=-1")), "R"),
    Hostile(regime(*sets("n=0.5")), "n"),
    # was: exit 1, OverflowError (int too large to convert to float)
    Hostile(regime(*sets("L=1e999")), "L"),
    Hostile(regime(*sets("L")), "--set"),
    Hostile(regime(eps="1e-400"), "eps"),  # exactly > 0, 0.0 as a float
    # was: exit 1, OverflowError (int too large to convert to float)
    Hostile(regime(*sets("n=1e400")), "n"),
    # was: still running after 20 s, expanding 10^(10^9) exactly
    Hostile(regime(dim="1e9999999999"), ("dim", "exponent")),
    Hostile(regime(*sets("b=0")), "b"),
    Hostile(regime(*sets("b=2.5")), "b"),
    Hostile(regime(*sets("b=1e400")), "b"),
    Hostile(regime(*sets("foo=1")), ("foo", "allowed: L, R, n, b")),
    Hostile(regime("--op-seconds", "0"), "op-seconds"),
    Hostile(regime("--op-seconds", "nan"), "op-seconds"),
    Hostile(regime("--op-seconds", "inf"), "op-seconds"),
    Hostile(regime("--op-seconds=-1"), "op-seconds"),
    Hostile(regime("--op-seconds"), "--op-seconds"),  # a flag without its value
    Hostile(regime("--schedule", "pipedream"), "schedule"),
    Hostile(regime("--duplex", "forward"), "duplex"),  # no backward pass, no gradient
    Hostile(regime("--duplex", "quarter"), "duplex"),
    Hostile(regime("--plot", ""), "plot", MINE),
    Hostile(regime("--plot", "{tmp}"), "plot", MINE),  # a folder
    Hostile(regime("--plot", "{tmp}/a-file/map.pdf"), "plot", MINE),  # under a file
    Hostile(regime("--plot", "map.svg"), ("plot", ".pdf or .png"), MINE),
    Hostile(regime("--plot", "{tmp}/sub/map.svg"), "plot", MINE),  # refused before its folder is made
    Hostile(regime("--plot", "/proc/map.pdf"), "plot", MINE),
    Hostile(regime("--plot", "map.pdf", "--op-seconds", "0"), "op-seconds", MINE),  # nothing written
    Hostile(regime("--plot", "map.pdf", eps="1e-300"), "pprs.upper.time", MINE),  # nothing written
    # regime --model (needing no torch: refused before it is imported)
    Hostile(regime("--input-shape", "4,16"), ("input-shape", "--model")),
    Hostile(("regime", "--dim", "10", "--eps", "0.1"), "--depth"),
    Hostile(("regime", "--depth", "4", "--eps", "0.1"), "--dim"),
    Hostile(model_regime("--depth", "4"), "depth"),
    Hostile(model_regime("--dim", "10"), "dim"),
    Hostile(model_regime("--op-seconds", "1"), "op-seconds"),
    Hostile(model_regime("--input-shape", "0,4"), "input-shape"),
    Hostile(model_regime("--input-shape", ""), "input-shape"),
    Hostile(model_regime("--input-shape", "1e3"), "input-shape"),
    Hostile(model_regime("--input-shape", "-4"), "input-shape"),
    Hostile(model_regime("--input-shape", "65536,65536"), ("input-shape", "2^28")),  # nothing allocated
    Hostile(model_regime(eps="0"), "eps"),
    Hostile(model_regime("--set", "L=0"), "L"),
    Hostile(model_regime("--plot", "map.svg"), "plot", MINE),

    # ── certify ──
    Hostile(certify(method="newton"), "method"),
    Hostile(certify(cls="nonconvex"), "class"),
    Hostile(certify(method="subgradient"), "subgradient"),  # a method on a class it does not run on
    Hostile(certify(method="gd", cls="lipschitz-convex"), "gd"),
    Hostile(certify(iterations="0"), "iterations"),
    Hostile(certify(iterations="-1"), "iterations"),
    Hostile(certify(iterations="4.5"), "iterations"),
    Hostile(certify(iterations="nan"), "iterations"),
    Hostile(certify(iterations="200"), "iterations"),  # above the full formulation's limit
    Hostile(certify(iterations="1000000"), "iterations"),
    Hostile(certify(iterations="1" + "0" * 30), "iterations"),
    Hostile(certify("--formulation", "sparse"), "--formulation"),
    Hostile(certify("--formulation", "chain", method="agd"), "chain"),
    Hostile(certify("--formulation", "chain", *sets("step=9/5"), iterations="4"), "step"),
    Hostile(certify(*sets("R=1e308")), "R"),
    Hostile(certify(*sets("R=0")), "R"),
    Hostile(certify(*sets("R=nan")), "R"),
    Hostile(certify("--margin", "-1e-3"), ("margin", "[0, 1)")),
    Hostile(certify("--margin", "1"), ("margin", "[0, 1)")),
    Hostile(certify("--margin", "2.5"), ("margin", "[0, 1)")),
    Hostile(certify("--margin", "nan"), "margin"),
    Hostile(certify("--margin", "inf"), "margin"),
    Hostile(certify("--margin", "abc"), "margin"),
    Hostile(certify("--margin", "1e-99999"), "margin"),
    Hostile(certify("--margin", "1", *sets("step=10")), "margin"),  # read before the solve (step=10: unbounded)
    Hostile(certify(*sets("step=10")), "unbounded"),
    Hostile(certify(*sets("step=0")), "step"),
    Hostile(certify(*sets("step=-1")), "step"),
    Hostile(certify(*sets("step=1/0")), "step"),
    Hostile(certify(*sets("beta=inf")), "beta"),
    Hostile(certify(*sets("mu=2"), cls="strongly-convex"), "mu"),  # mu > beta
    Hostile(certify(*sets("mu=1", "beta=1"), cls="strongly-convex"), "mu"),  # mu = beta
    Hostile(certify(*sets("mu=0"), cls="strongly-convex"), "mu"),
    Hostile(certify(*sets("mu=1/10")), "mu"),  # smooth-convex has mu = 0
    Hostile(certify(*sets("staleness=1")), "staleness"),  # gd has no staleness
    Hostile(certify(*sets("staleness=5"), method="stale-gd"), "staleness"),  # staleness >= N
    Hostile(certify(*sets("staleness=1.5"), method="stale-gd"), "staleness"),
    Hostile(certify(*sets("step=1/2"), method="agd"), "step"),
    Hostile(certify(*sets("L=1"), method="gd"), "L"),
    Hostile(certify(*sets("foo=1")), "foo"),
    Hostile(certify(*sets("=1")), "--set"),
    # was: still running after 20 s, expanding 10^(10^9) exactly
    Hostile(certify(*sets("R=1e1000000000")), ("R", "exponent")),
    Hostile(certify(*sets("step=1e-300")), "step"),
    Hostile(certify(*sets("beta=1e308")), "beta"),

    # ── report: output paths (refused before any work) ──
    Hostile(("report", "--quick", "--out", ""), "out", MINE),
    Hostile(("report", "--quick", "--out", "{tmp}"), "out", MINE),  # a folder
    Hostile(("report", "--quick", "--out", "{tmp}/a-file/r.pdf"), "out", MINE),  # under a file
    Hostile(("report", "--quick", "--out", "/proc/pplimits-report.pdf"), "out", MINE),
    Hostile(("report", "--quick", "--out", "{tmp}/a-file"), "out", MINE),  # a file pplimits did not write
    Hostile(("report", "--quick", "--out", "{tmp}/a-file", "--cache", "{tmp}/a-file"), "out", MINE),
    Hostile(("report", "--quick", "--out", "   "), "out", MINE),
    # was: ran the report, writing its cache files into the working folder
    Hostile(("report", "--quick", "--out", "r.pdf", "--cache", ""), "cache", MINE),  # '' is not the working folder
    # was: exit 1, FileExistsError
    Hostile(("report", "--quick", "--out", "r.pdf", "--cache", "{tmp}/a-file"), "cache", MINE),
    # was: exit 1, NotADirectoryError
    Hostile(("report", "--quick", "--out", "r.pdf", "--cache", "{tmp}/a-file/c"), "cache", MINE),
    # was: exit 1, FileNotFoundError
    Hostile(("report", "--quick", "--out", "r.pdf", "--cache", "/proc/pplimits-cache"), "cache", MINE),

    # ── gate: baselines ──
    Hostile(("gate", "--quick", "--baseline", ""), "baseline", MINE),
    Hostile(("gate", "--quick", "--baseline", "   "), "baseline", MINE),
    Hostile(("gate", "--quick", "--update-baseline", "--baseline", "{tmp}/a-file/b.json"), "baseline", MINE),
    Hostile(("gate", "--quick", "--update-baseline", "--baseline", "{tmp}"), "baseline", MINE),
    Hostile(("gate", "--quick", "--update-baseline", "--baseline", "/proc/b.json"), "baseline", MINE),
    Hostile(("gate", "--quick", "--baseline", "missing.json"), "baseline"),
    Hostile(("gate", "--quick", "--baseline", "{tmp}"), "baseline"),  # a folder
    Hostile(("gate", "--quick", "--baseline", "b.json"), "baseline", {"b.json": ""}),
    Hostile(("gate", "--quick", "--baseline", "b.json"), "baseline", {"b.json": "not json"}),
    Hostile(("gate", "--quick", "--baseline", "b.json"), "baseline", {"b.json": "{}"}),
    Hostile(("gate", "--quick", "--baseline", "b.json"), "baseline", {"b.json": "[]"}),
    Hostile(("gate", "--quick", "--baseline", "b.json"), "baseline", {"b.json": "\x00\x01"}),
    Hostile(("gate", "--quick", "--baseline", "b.json"), "no metrics", {"b.json": baseline({})}),
    Hostile(("gate", "--quick", "--baseline", "b.json"), "full", {"b.json": baseline(metric(), quick=False)}),
    Hostile(("gate", "--quick", "--baseline", "b.json"), "quick", {"b.json": baseline(metric(), quick="yes")}),
    Hostile(("gate", "--quick", "--baseline", "b.json"), "format",
            {"b.json": json.dumps({"format": "pplimits-gate/0", "quick": True, "metrics": metric()})}),
    Hostile(("gate", "--quick", "--baseline", "b.json"), "metrics",
            {"b.json": json.dumps({"format": "pplimits-gate/1", "quick": True, "metrics": [1, 2]})}),
    Hostile(("gate", "--quick", "--baseline", "b.json"), "tolerance",
            {"b.json": baseline(metric(tolerance=-1))}),
    Hostile(("gate", "--quick", "--baseline", "b.json"), "tolerance",
            {"b.json": baseline(metric(tolerance=1e309))}),
    Hostile(("gate", "--quick", "--baseline", "b.json"), "direction",
            {"b.json": baseline(metric(direction="sideways"))}),
    Hostile(("gate", "--quick", "--baseline", "b.json"), "value",
            {"b.json": baseline(metric(value=[1], direction="equal"))}),
    Hostile(("gate", "--quick", "--baseline", "b.json"), "unit",
            {"b.json": baseline(metric(unit=3))}),
    # was: exit 2, but after computing every figure (26 progress lines on stderr)
    Hostile(("gate", "--quick", "--baseline", "b.json"), "tolerance",  # a tolerance widened by hand
            {"b.json": baseline(metric(tolerance=0.5))}),
    # was: exit 2, but after computing every figure (26 progress lines on stderr)
    Hostile(("gate", "--quick", "--baseline", "b.json"), "direction",  # a direction turned by hand
            {"b.json": baseline(metric(direction="lower", tolerance=0.02, value=1.0))}),
    Hostile(("run", "--method", "gd", "--instance", "hard", "--depth", "4", "--dim", "3"), "--dim"),
    Hostile(("run", "--method", "gd", "--instance", "hard", "--depth", "4", "--set", "speed=2"), "speed"),
    Hostile(("run", "--method", "gd", "--instance", "nesterov-chain", "--depth", "4"), "--eps"),
    Hostile(("report", "--quick", "--out", "r.pdf", "--method", "gd"), "method"),  # built-in: already in it
    Hostile(("report", "--quick", "--out", "r.pdf", "--method", "nomodule:X"), "no module"),
    # a project's own gate: [tool.pplimits.gate] in a pyproject.toml (issue 14)
    Hostile(("gate", "--config", "nope.toml"), "config"),
    Hostile(("gate", "--config", "p.toml"), "config", {"p.toml": "[tool"}),
    Hostile(("gate", "--config", "p.toml"), "config", {"p.toml": "[project]\nname = 'x'\n"}),
    Hostile(("gate", "--config", "p.toml"), "methods", {"p.toml": "[tool.pplimits.gate]\nmethods = 3\n"}),
    Hostile(("gate", "--config", "p.toml"), "no module",
            {"p.toml": "[tool.pplimits.gate]\nmethods = ['nomodule:X']\n"}),
    Hostile(("gate", "--config", "p.toml"), "depths",
            {"p.toml": "[tool.pplimits.gate]\nmethods = ['gd']\ndepths = [1e400]\n"}),
    Hostile(("gate", "--config", "p.toml", "--quick"), "--quick", {"p.toml": "[tool.pplimits.gate]\nmethods = ['gd']\n"}),

    # ── experiment ──
    Hostile(("experiment", "few-shots", "--quick"), "name"),
    Hostile(("experiment",), "name"),
    Hostile(("experiment", "few-shot", "--quick", "--backend", "cupy"), "--backend"),
    Hostile(("experiment", "few-shot", "--quick", "--out", ""), "out", MINE),
    Hostile(("experiment", "few-shot", "--quick", "--out", "{tmp}/a-file"), "out", MINE),  # a file, not a folder
    Hostile(("experiment", "few-shot", "--quick", "--out", "/proc/pplimits"), "out", MINE),
    Hostile(("experiment", "few-shot", "--quick", "--out", "{tmp}"), "out",  # a file there that is not ours
            {"few-shot-quick.json": "mine"}),
    Hostile(("experiment", "adversarial", "--quick", "--out", "{tmp}"), "out", {"adversarial-quick.pdf": "mine"}),
    Hostile(("experiment", "few-shot", "--quick", "--out", "{tmp}/a-file/sub"), "out", MINE),

    # ── engines ──
    Hostile(("engines", "--out", "e.json"), "--out"),  # --out without --validate-clock
    Hostile(("engines", "--validate-clock", "--out", "/proc/e.json"), "out", MINE),
    # was: '' taken as the default path: the clock measured, reports/out/ made
    Hostile(("engines", "--validate-clock", "--out", ""), "out"),
    Hostile(("engines", "--validate-clock", "--out", "{tmp}"), "out", MINE),
    Hostile(("engines", "--validate-clock", "--out", "{tmp}/a-file/e.json"), "out", MINE),
    Hostile(("engines", "--validate-clock", "--out", "   "), "out"),
    # was: exit 0, --out '' ignored
    Hostile(("engines", "--out", ""), "out"),
]

# The rows that need torch's answer (the [torch] extra; without it each would say `pip install`): a model loaded for
# `regime --model`, then `schedule --from-torch`. Each model case has its own module name: the driver's one process
# keeps what it has imported.
SEQUENTIAL = "import torch\nmodel = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.ReLU())\n"
WITH_TORCH = [
    Hostile(model_regime(model="nomodule:model"), ("model", "no module")),
    Hostile(model_regime(model="m1:nothing"), ("model", "nothing"), {"m1.py": SEQUENTIAL}),
    Hostile(model_regime("--input-shape", "2,4", model="m2:model"), ("model", "Sequential"),
            {"m2.py": "model = 3\n"}),
    Hostile(model_regime("--input-shape", "2,4", model="m3:model"), ("model", "no stages"),
            {"m3.py": "model = []\n"}),
    Hostile(model_regime("--input-shape", "2,4", model="m4:model"), ("model", "stage 2"),
            {"m4.py": "import torch\nmodel = [torch.nn.Linear(4, 4), 'relu']\n"}),
    Hostile(model_regime("--input-shape", "2,5", model="m5:model"), ("input-shape", "stage 1"),
            {"m5.py": SEQUENTIAL}),
    Hostile(model_regime(model="m6:model"), "input-shape is required", {"m6.py": SEQUENTIAL}),
    Hostile(model_regime("--input-shape", "2,4", model="m7:model"), ("model", "ZeroDivisionError"),
            {"m7.py": "def model():\n    return 1 / 0\n"}),
    Hostile(schedule("--from-torch", "Nope"), ("from-torch", "ScheduleGPipe")),
    Hostile(schedule("--from-torch", ""), "from-torch"),
    Hostile(schedule("--from-torch", "PipelineScheduleSingle"), "from-torch"),  # a base class, not a schedule
    Hostile(schedule("--from-torch", "GPipe", "--chunks", "2"), "chunks"),  # one stage per rank
    Hostile(schedule("--from-torch", "GPipe", "--costs", "w=1/2"), "w"),  # w with full backwards
    Hostile(schedule("--from-torch", "1F1B", inputs="3"), ("inputs", "torch's Schedule1F1B")),  # torch: B < P
    Hostile(schedule("--from-torch", "Interleaved1F1B", "--chunks", "2", inputs="9"), "inputs"),  # torch: rounds
    Hostile(schedule("--from-torch", "ZBVZeroBubble", "--chunks", "1"), "chunks"),  # torch: exactly 2 per rank
    Hostile(schedule("--from-torch", "DualPipeV", inputs="4"), "inputs"),  # torch: B >= 2P
]
HAS_TORCH = importlib.util.find_spec("torch") is not None
if HAS_TORCH:
    TABLE += WITH_TORCH


def _case_id(index: int, case: Hostile) -> str:
    shown = re.sub(r"[^\w.=/{}-]+", "_", " ".join(case.args)) or "no-args"
    return f"{index:03d}-{shown if len(shown) <= 80 else shown[:16] + '..' + shown[-62:]}"


def _expected_tree(files: dict) -> dict:
    """What the case's folder must hold afterwards: its files, as they were, and the folders above them."""
    tree = {}
    for name, text in files.items():
        parts = name.split("/")
        tree.update({"/".join(parts[:i]): None for i in range(1, len(parts))})
        tree[name] = text
    return tree


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    """{index: the driver's record} for the whole table, run once in one child process; and a note on how the
    child ended (said by every case it did not report)."""
    folder = tmp_path_factory.mktemp("hostile")
    cases = folder / "cases.json"
    cases.write_text(json.dumps([{"args": list(case.args), "files": case.files} for case in TABLE]))
    env = {k: v for k, v in os.environ.items() if k != "PPLIMITS_TRACEBACK"}  # tracebacks as a user sees them
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # a case's own module (regime --model) imported leaves no __pycache__
    command = [sys.executable, str(DRIVER), str(cases), str(PER_CASE_SECONDS)]
    try:
        done = subprocess.run(command, capture_output=True, cwd=folder, env=env, stdin=subprocess.DEVNULL,
                              timeout=TOTAL_SECONDS)
        out, note = done.stdout, f"the driver exited {done.returncode}: {done.stderr.decode(errors='replace')[-3000:]}"
    except subprocess.TimeoutExpired as expired:
        out, note = expired.stdout or b"", f"the driver was stopped after {TOTAL_SECONDS} s (a case hung in C code?)"
    records = [json.loads(line) for line in out.decode(errors="replace").splitlines() if line.strip()]
    return {record["index"]: record for record in records}, note


@pytest.mark.parametrize("index", range(len(TABLE)), ids=[_case_id(i, case) for i, case in enumerate(TABLE)])
def test_hostile_input_exits_2_with_one_line_and_writes_nothing(index, outcomes):
    case = TABLE[index]
    found, note = outcomes
    assert index in found, f"the driver never reported this case: {note}"
    result = found[index]
    shown = f"exit {result['code']}\nstderr: {result['stderr'][-3000:]!r}\nstdout: {result['stdout'][:500]!r}"
    assert not result["timed_out"], f"still running after {PER_CASE_SECONDS} s\n{shown}"
    assert result["code"] == 2, shown
    assert "Traceback" not in result["stderr"], shown
    lines = result["stderr"].splitlines()
    assert len(lines) == 1, shown
    for name in (case.names,) if isinstance(case.names, str) else case.names:
        assert name in lines[0], f"{name!r} is not named\n{shown}"
    assert result["stdout"] == "", shown
    assert result["tree"] == _expected_tree(case.files), "the working folder changed"


def test_the_readme_counts_the_table_as_it_is():
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    stated = re.search(r"test_hostile_table\.py` holds (\d+) such inputs across every command \((\d+) of\s+them "
                       r"only where torch is installed\)", readme)
    total = len(TABLE) + (0 if HAS_TORCH else len(WITH_TORCH))
    assert stated and (int(stated.group(1)), int(stated.group(2))) == (total, len(WITH_TORCH)), \
        f"update the counts in README.md: {total} inputs, {len(WITH_TORCH)} of them with torch"
