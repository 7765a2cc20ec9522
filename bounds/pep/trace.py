"""A first-order method written once, traced into the exact coefficients a performance-estimation problem needs.

Every vector the method forms is a combination, with exact rational coefficients, of the basis
[x₀ − x*, u₀, u₁, …], where u_i is the i-th oracle answer: u_i = ∇h(p_i) for h = f − (μ/2)‖· − x*‖², the
(L − μ)-smooth convex part of a μ-strongly convex f (μ = 0: u_i = ∇f(p_i)). So ∇f(p_i) = u_i + μ(p_i − x*) and
x* is the zero vector. Irrational step coefficients (√ in FISTA's momentum) enter as the exact rational value
of their double: the method certified is the one a computer runs.
"""
from dataclasses import dataclass, field
from fractions import Fraction


def exact(value) -> Fraction:
    """A number as an exact rational: ints, Fractions and decimal strings exactly, floats as their double."""
    return value if isinstance(value, Fraction) else Fraction(value)


class Vector(dict):
    """A sparse combination {basis index: Fraction} of the basis [x₀ − x*, u₀, u₁, …] (index 0 is x₀ − x*)."""

    def __add__(self, other):
        out = Vector(self)
        for k, v in other.items():
            out[k] = out.get(k, 0) + v
        return Vector({k: v for k, v in out.items() if v != 0})

    def __sub__(self, other):
        return self + (-1) * other

    def __neg__(self):
        return (-1) * self

    def __rmul__(self, scalar):
        scalar = exact(scalar)
        return Vector({k: scalar * v for k, v in self.items()}) if scalar != 0 else Vector()

    __mul__ = __rmul__  # point * scalar

    def __truediv__(self, scalar):
        return (1 / exact(scalar)) * self


@dataclass
class MethodTrace:
    """The oracle points p_0 … p_{m−1} a method queried, and which of them its performance measure reads."""

    mu: Fraction = Fraction(0)
    points: list = field(default_factory=list)  # Vector per oracle point
    performance: list = field(default_factory=list)  # indices of the points whose f − f* is measured

    @property
    def dimension(self) -> int:
        """Size of the Gram matrix: x₀ − x* and one u per point."""
        return 1 + len(self.points)

    def start(self) -> Vector:
        return Vector({0: Fraction(1)})

    def _index(self, point: Vector) -> int:
        for i, known in enumerate(self.points):
            if known == point:
                return i
        self.points.append(point)
        return len(self.points) - 1

    def gradient(self, point: Vector) -> Vector:
        """∇f(point) = u_i + μ·point, registering the point as an oracle point."""
        i = self._index(point)
        return Vector({1 + i: Fraction(1)}) + self.mu * point

    def measure(self, point: Vector) -> None:
        """Add f(point) − f* to the performance measure (the worst case of the minimum over all measured points)."""
        self.performance.append(self._index(point))
