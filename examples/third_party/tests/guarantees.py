"""The published guarantees the tests hold tinyopt to, computed here, independently of the package's code."""
import math


def fista_t(n: int) -> float:
    """Beck and Teboulle's t_n: t_1 = 1, t_{k+1} = (1 + √(1 + 4t_k²))/2."""
    t = 1.0
    for _ in range(n - 1):
        t = (1 + math.sqrt(1 + 4 * t * t)) / 2
    return t


def ogm_theta(n: int, last: bool = True) -> float:
    """Kim and Fessler's θ_n: θ_0 = 1, θ_{k+1} = (1 + √(1 + 4θ_k²))/2, with 8 for 4 on the last step if `last`."""
    theta = 1.0
    for k in range(n):
        theta = (1 + math.sqrt(1 + (8 if last and k == n - 1 else 4) * theta * theta)) / 2
    return theta


def agd_rate(k, c):
    """f(x_k) − f* ≤ 2βR²/(k + 1)² (Beck & Teboulle 2009, Thm 4.4), as a bound(k, constants)."""
    return 2 * c["beta"] * c["R"] ** 2 / (k + 1) ** 2


def agd_worst_case(n: int, beta: float = 1, radius: float = 1) -> float:
    """The same theorem before rounding t_N down to (N + 1)/2: βR²/(2t_N²)."""
    return beta * radius**2 / (2 * fista_t(n) ** 2)


def ogm_rate(k, c):
    """OGM's primary sequence: f(y_k) − f* ≤ βR²/(4θ_{k−1}²) (Kim & Fessler 2017); at k = 0, y_0 = x_0 and
    smoothness gives βR²/2."""
    return c["beta"] * c["R"] ** 2 / (4 * ogm_theta(k - 1, last=False) ** 2 if k else 2)


def ogm_worst_case(n: int, beta: float = 1, radius: float = 1) -> float:
    """f(x_N) − f* ≤ βR²/(2θ_N²), tight (Kim & Fessler 2016, Thm 2)."""
    return beta * radius**2 / (2 * ogm_theta(n) ** 2)
