"""Array-namespace plumbing: every objective works on any Python Array API array (numpy by default)."""
import sys

import numpy as np


def array_namespace(x):
    """x's Array API namespace: its ``__array_namespace__()``, array-api-compat's for a torch tensor (which has
    none), else None. Never imports torch."""
    if hasattr(x, "__array_namespace__"):
        return x.__array_namespace__()
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(x, torch.Tensor):
        from array_api_compat import torch as xp

        return xp
    return None


def namespace(x):
    """Return (xp, x): the input's array namespace and x as a real floating array of it.

    Inputs without a namespace (lists, scalars) become numpy float64 arrays.
    """
    xp = array_namespace(x)
    if xp is None:
        xp, x = np, np.asarray(x, dtype=np.float64)
    if not xp.isdtype(x.dtype, "real floating"):
        x = xp.astype(x, xp.float64)
    return xp, x


def device(x):
    """x's device, or None where it has none to tell (a JAX tracer: the constant goes to the default device)."""
    return getattr(x, "device", None)


def constant(xp, array, like):
    """A numpy constant moved into ``like``'s namespace, dtype and device."""
    return xp.asarray(array, dtype=like.dtype, device=device(like))


def pad_zeros(xp, x, before: int, after: int):
    """Zero-pad the last axis of x with ``before`` leading and ``after`` trailing zeros."""
    parts = []
    if before:
        parts.append(xp.zeros((*x.shape[:-1], before), dtype=x.dtype, device=device(x)))
    parts.append(x)
    if after:
        parts.append(xp.zeros((*x.shape[:-1], after), dtype=x.dtype, device=device(x)))
    return xp.concat(parts, axis=-1) if len(parts) > 1 else x


def shift_first(xp, x, delta: float):
    """x with ``delta`` added to its first coordinate (last axis), without item assignment."""
    return xp.concat([x[..., :1] + delta, x[..., 1:]], axis=-1)
