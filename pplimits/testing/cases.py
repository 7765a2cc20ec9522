"""The hard instances of the lower bounds, sized for an accuracy ε, as typed cases for tests (hypothesis-free: the
fixtures of the pytest plugin use them too)."""
from dataclasses import dataclass

HARD = {"nesterov-chain": "smooth-convex", "strongly-convex-chain": "strongly-convex",
        "carmon-chain": "smooth-nonconvex", "max-function": "nonsmooth-convex",
        "max-function-lipschitz": "nonsmooth-convex"}
SMOOTH_EPS = (1e-2, 3e-3, 1e-3)
NONSMOOTH_EPS = (0.2, 0.1, 0.05)


@dataclass(frozen=True)
class HardCase:
    """A hard instance built for accuracy ε: its name, ε, and the instance itself."""

    name: str
    eps: float
    instance: object

    @property
    def setting(self) -> str:
        """Its class: smooth-convex, strongly-convex, smooth-nonconvex or nonsmooth-convex."""
        return HARD[self.name]


def hard_case(name: str, eps: float) -> HardCase:
    """The hard instance `name` (one of HARD) sized for `eps`."""
    if name not in HARD:
        raise ValueError(f"name must be one of {', '.join(HARD)}, got {name!r}")
    from pplimits.experiments.measure import build_instance  # here, so the pytest plugin loads this module cheaply

    return HardCase(name, eps, build_instance(name, eps, None, {}))
