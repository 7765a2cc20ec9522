"""The one validation kit (pplimits/_util/checks.py): one rule for integers and numbers, one grammar for values
typed by a user, and UsageError as the only exception that means bad input."""
from fractions import Fraction

import numpy as np
import pytest

from pplimits._util.checks import (
    UsageError,
    parse_assignments,
    parse_number,
    parse_value,
    require_int,
    require_number,
    require_positive,
)
from pplimits.algorithms.clock import PipelineModel
from pplimits.worstcase import NesterovChain


@pytest.mark.parametrize("value", [4, 4.0, np.int64(4), np.float64(4.0)])
def test_an_integer_is_any_integral_real(value):
    assert require_int("depth", value) == 4 and type(require_int("depth", value)) is int


@pytest.mark.parametrize("value", [True, 4.5, "4", None, float("inf"), float("nan"), 0])
def test_bools_fractions_strings_and_out_of_range_are_refused_naming_the_parameter(value):
    with pytest.raises(UsageError, match=r"^depth must be an integer >= 1, got "):
        require_int("depth", value)


def test_the_instances_and_the_clock_follow_the_same_rule():
    assert PipelineModel(depth=4.0).depth == NesterovChain(dim=4.0).dim == 4
    for build in (lambda: PipelineModel(depth=4.5), lambda: NesterovChain(dim=4.5)):
        with pytest.raises(UsageError):
            build()


def test_numbers_refuse_bools_and_non_finite_values():
    assert require_number("gamma", 0.5, 0) == 0.5 and require_positive("L", np.float64(2)) == 2.0
    for value in (True, float("nan"), float("inf"), "1"):
        with pytest.raises(UsageError, match="^L must be a finite number > 0"):
            require_positive("L", value)


@pytest.mark.parametrize("raw, exact", [("4", 4), ("0.1", Fraction(1, 10)), ("1e-4", Fraction(1, 10_000)),
                                        ("1/3", Fraction(1, 3)), (" 2.50 ", Fraction(5, 2)), (0.5, Fraction(1, 2))])
def test_values_typed_by_a_user_are_read_exactly(raw, exact):
    assert parse_value("x", raw) == exact
    assert parse_number("x", raw) == (int(exact) if exact.denominator == 1 else float(exact))


@pytest.mark.parametrize("raw", ["four", "", "inf", "nan", "1/0", "0x10"])
def test_a_value_that_is_not_a_number_is_refused_with_examples(raw):
    with pytest.raises(UsageError, match="^x must be a number such as 4, 0.1, 1e-4 or 1/3, got "):
        parse_value("x", raw)


def test_assignments_have_one_grammar():
    assert parse_assignments(["a=1", " b = 1/3 ", "a=2"]) == {"a": "2", "b": "1/3"}
    for bad in ("a", "=1"):
        with pytest.raises(UsageError, match="^--set expects NAME=VALUE"):
            parse_assignments([bad])


def test_usage_error_is_a_value_error_so_callers_catching_value_errors_still_do():
    assert issubclass(UsageError, ValueError)
