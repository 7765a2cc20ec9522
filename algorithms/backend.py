"""Array backends: where the batched values of a run are computed.

A backend is an Array API namespace `xp`, the float dtype and the device its arrays live on. Algorithms and
instances use only the Python Array API standard through the namespace of the arrays they are given
(pplimits._util.arrays.array_namespace), so one algorithm code runs on every backend:

- "numpy" (the default): numpy, float64, CPU; no extra dependency.
- "jax": jax.numpy with 64-bit floats switched on (`jax_enable_x64`, process-wide) and JAX_HOST_DEVICES CPU
  devices on the host; the [jax] extra.
- "torch": torch through array-api-compat's `array_api_compat.torch` namespace, float64, on a chosen device
  ("cpu" by default, "cuda" when asked and available); the [torch] extra.

jax and torch are imported only when their backend is asked for. Random numbers never come from a backend:
they are drawn in numpy (algorithms.noise) and converted, so every backend sees the same noise.
"""
import importlib.metadata
import importlib.util
import os
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from pplimits._util.checks import UsageError

NAMES = ("numpy", "jax", "torch")
JAX_HOST_DEVICES = 8  # CPU devices JAX shows on the host (one per pipeline stage for the JAX engine)
_MODULES = {"numpy": ("numpy",), "jax": ("jax",), "torch": ("torch", "array_api_compat")}


@dataclass(frozen=True)
class Backend:
    name: str
    xp: ModuleType
    dtype: object
    device: object = None  # None: the namespace's default device

    def asarray(self, values):
        """`values` as an array of this backend, in its float dtype, on its device.

        torch gets a copy, never a view of numpy memory (which may be read-only); numpy keeps the given layout,
        on which its sums' last bits depend."""
        copy = True if self.name == "torch" else None
        return self.xp.asarray(values, dtype=self.dtype, device=self.device, copy=copy)

    def to_numpy(self, array) -> np.ndarray:
        """`array` copied to a numpy array on the host."""
        return array.detach().cpu().numpy() if self.name == "torch" else np.asarray(array)


def _numpy(device):
    if device not in (None, "cpu"):
        raise UsageError(f"backend 'numpy' runs on device 'cpu' only, got {device!r}")
    return Backend("numpy", np, np.float64, "cpu")


def configure_jax():
    """jax with float64 on, asked for JAX_HOST_DEVICES host CPU devices (effective only before JAX starts its
    devices; an XLA_FLAGS already set is left alone)."""
    os.environ.setdefault("XLA_FLAGS", f"--xla_force_host_platform_device_count={JAX_HOST_DEVICES}")
    import jax

    jax.config.update("jax_enable_x64", True)
    return jax


def _jax(device):
    jax = configure_jax()
    import jax.numpy as jnp

    try:
        chosen = jax.devices(device)[0] if device else jax.devices()[0]
    except RuntimeError as error:
        raise UsageError(f"backend 'jax' cannot use device {device!r}: {error}") from None
    return Backend("jax", jnp, jnp.float64, chosen)


def _torch(device):
    import torch
    from array_api_compat import torch as xp

    try:
        chosen = torch.device(device or "cpu")
        torch.zeros(1, device=chosen)
    except (RuntimeError, AssertionError) as error:  # unknown name, or a device this build or machine lacks
        raise UsageError(f"backend 'torch' cannot use device {device!r}: {error}") from None
    return Backend("torch", xp, torch.float64, chosen)


_LOADERS = {"numpy": _numpy, "jax": _jax, "torch": _torch}


def get_backend(name: str = "numpy", device=None) -> Backend:
    """The backend `name` on `device` (None: its default); a one-line ValueError if unknown or not installed."""
    if name not in NAMES:
        raise UsageError(f"backend must be one of {', '.join(NAMES)}, got {name!r}")
    try:
        return _LOADERS[name](device)
    except ImportError:
        raise UsageError(f"backend {name!r} needs the [{name}] extra: pip install 'pplimits[{name}]'") from None


def _devices(backend: Backend) -> list[str]:
    if backend.name == "jax":
        import jax

        return [str(d) for d in jax.devices()]
    if backend.name == "torch":
        import torch

        return ["cpu", *(f"cuda:{i}" for i in range(torch.cuda.device_count()))]
    return ["cpu"]


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


_CHECK = np.array([0.1, 0.2])  # 3·0.1 + 3·0.2 is 0.9000000000000001 in float64 and 0.90000004 in float32


def available() -> list[dict]:
    """Each backend: installed, usable (a tiny float64 computation on it gave the right number), version,
    devices, and the reason when it is not usable."""
    rows = []
    for name in NAMES:
        installed = all(importlib.util.find_spec(module) is not None for module in _MODULES[name])
        row = {"name": name, "installed": installed, "usable": False, "version": _version(name) if installed else None,
               "devices": []}
        try:
            backend = get_backend(name)
            row["devices"] = _devices(backend)
            check, expected = backend.to_numpy(backend.xp.sum(backend.asarray(_CHECK) * 3)), np.sum(_CHECK * 3)
            if check.dtype != np.float64 or check != expected:
                raise UsageError(f"sum(3·{_CHECK.tolist()}) gave {check!r}, not float64 {expected!r}")
            row["usable"] = True
        except Exception as error:  # anything that stops the computation makes the backend unusable
            row["reason"] = str(error)
        rows.append(row)
    return rows
