"""Checks every instance must pass, shared by the smooth and the non-smooth instance tests."""
import numpy as np
import pytest


def assert_batched_and_read_only(inst, scale: float):
    """value/gradient on (S, B, d) equal the point-by-point results, never write to the input, keep
    float32, and accept a single point (array or list)."""
    x = np.random.default_rng(0).normal(size=(3, 4, inst.dim)) * scale
    x.flags.writeable = False
    values, grads = inst.value(x), inst.gradient(x)
    assert values.shape == (3, 4) and grads.shape == (3, 4, inst.dim)
    for s in range(3):
        for b in range(4):
            assert values[s, b] == pytest.approx(float(inst.value(x[s, b])), rel=1e-13, abs=1e-15)
            np.testing.assert_allclose(grads[s, b], inst.gradient(x[s, b]), rtol=1e-13, atol=1e-15)
    assert inst.value(x[0, 0]).shape == () and inst.gradient(list(x[0, 0])).shape == (inst.dim,)
    assert inst.value(x.astype(np.float32)).dtype == np.float32
    assert inst.gradient(x.astype(np.float32)).dtype == np.float32


def assert_other_namespace_matches_numpy(inst, scale: float):
    """value/gradient on array-api-strict arrays (a batch and a single point) stay in that namespace and equal
    numpy's results."""
    xps = pytest.importorskip("array_api_strict")
    x = np.random.default_rng(2).normal(size=(2, 3, inst.dim)) * scale
    for point in (x, x[0, 0]):
        value, grad = inst.value(xps.asarray(point)), inst.gradient(xps.asarray(point))
        assert value.__array_namespace__() is xps and grad.__array_namespace__() is xps
        np.testing.assert_allclose(np.asarray(value), inst.value(point), rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(np.asarray(grad), inst.gradient(point), rtol=1e-14, atol=1e-15)


def assert_refused_naming(build, kwargs: dict, parameter: str):
    """build(**kwargs) raises a one-line UsageError that starts with the parameter's name."""
    from pplimits._util.checks import UsageError

    with pytest.raises(UsageError, match=rf"^{parameter} must") as info:
        build(**kwargs)
    assert "\n" not in str(info.value)
