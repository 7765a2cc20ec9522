"""Assertions for your own optimiser, for your own test suite (issue 14): pplimits' bounds as pytest checks.

    from pplimits.testing import assert_respects_lower_bound, assert_within_upper_bound, assert_worst_case_at_most

Each fails with an `AssertionError` naming the instance or class, the time or N, the measured value, the bound
and by how much it was missed; none passes vacuously (a method that never reaches ε, a NaN, an empty range of
iterations, a method that does not declare what the assertion needs: each is a failure with its reason).
"""
__all__ = ["assert_respects_lower_bound", "assert_within_upper_bound", "assert_worst_case_at_most"]


def __getattr__(name: str):
    """The assertions, imported on first use: the pytest plugin (pplimits.testing.plugin) is loaded by every pytest
    run wherever pplimits is installed, and must not import numpy, sympy and cvxpy there (1.5 s)."""
    if name in __all__:
        from pplimits.testing import assertions

        return getattr(assertions, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
