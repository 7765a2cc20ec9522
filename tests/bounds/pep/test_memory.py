"""certify refuses, before starting, a run whose estimated peak memory exceeds what the machine has (exit 2, one
line naming --iterations, the estimate and the memory available); runs that fit are not refused."""
import pytest

from pplimits._util.checks import UsageError
from pplimits.bounds.pep import memory
from pplimits.bounds.pep.memory import available_bytes, estimate_bytes, require_memory
from pplimits.cli import main


def test_the_estimate_grows_with_n_and_the_full_formulation_costs_more():
    full = [estimate_bytes(n) for n in (1, 10, 50, 100, 200)]
    assert full == sorted(full) and len(set(full)) == len(full)
    assert estimate_bytes(200, "chain") < estimate_bytes(200)
    assert estimate_bytes(200) > 8 * estimate_bytes(100) - 8 * memory.BASE  # n⁴: twice N, about 16× the growth


def test_the_machine_reports_some_memory():
    assert 2**26 < available_bytes() < 2**50


def test_a_run_beyond_the_machine_is_refused_naming_iterations(monkeypatch, capsys):
    needed = estimate_bytes(200)
    monkeypatch.setattr(memory, "available_bytes", lambda: needed - 1)
    code = main(["certify", "--method", "gd", "--class", "smooth-convex", "--iterations", "200"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "--iterations 200" in err and f"{needed / 2**30:.1f} GiB" in err and f"{(needed - 1) / 2**30:.1f} GiB" in err


def test_a_run_that_fits_is_not_refused(monkeypatch):
    require_memory(200, "full", available=estimate_bytes(200))
    require_memory("2e2", "chain", available=estimate_bytes(200, "chain"))
    with pytest.raises(UsageError, match="^--iterations 200 needs about"):
        require_memory("200", "chain", available=estimate_bytes(200, "chain") - 1)


def test_a_bad_iterations_value_is_left_to_worst_case(capsys):
    """require_memory says nothing about a value that is not a number; worst_case's own message names it."""
    require_memory("many", "full", available=0)
    assert main(["certify", "--method", "gd", "--class", "smooth-convex", "--iterations", "many"]) == 2
    assert "iterations" in capsys.readouterr().err
