"""The optimized gradient method (Kim & Fessler 2016), for β-smooth convex f:

    y_{k+1} = x_k − ∇f(x_k)/β,
    x_{k+1} = y_{k+1} + ((θ_k − 1)/θ_{k+1}) (y_{k+1} − y_k) + (θ_k/θ_{k+1}) (y_{k+1} − x_k),
    θ_0 = 1,  θ_{k+1} = (1 + √(1 + 4θ_k²))/2, and (1 + √(1 + 8θ_k²))/2 on the last step,

f(x_N) − f* ≤ β‖x_0 − x*‖²/(2θ_N²) ≤ β‖x_0 − x*‖²/(N + 1)², tight (Kim & Fessler 2016, Thm 2). The last step
needs N: given `iterations`, the method takes it there. The iterate is the primary sequence y_k (x_0 before the
first step), the point to stop at when N is not known, with f(y_k) − f* ≤ β‖x_0 − x*‖²/(4θ_{k−1}²) ≤
β‖x_0 − x*‖²/(k + 1)² (Kim & Fessler 2017); after the last step of a known N it is x_N.
"""
import math

from tinyopt.method import Method, minimise


class OGM(Method):
    name = "tinyopt.OGM"

    def __init__(self, beta, iterations=None):
        self.beta, self.iterations = beta, iterations

    def start(self, x0):
        return x0, x0, 1.0, 0  # (x_k, y_k, θ_k, k)

    def point(self, state):
        return state[0]

    def step(self, state, gradient):
        x, y, theta, k = state
        y_next = x - gradient / self.beta
        last = self.iterations is not None and k + 1 == self.iterations
        theta_next = (1 + math.sqrt(1 + (8 if last else 4) * theta * theta)) / 2
        x_next = y_next + (theta - 1) / theta_next * (y_next - y) + theta / theta_next * (y_next - x)
        return x_next, y_next, theta_next, k + 1

    def output(self, state):
        x, y, _, k = state
        return x if k == self.iterations else y


def ogm(x0, gradient, iterations, beta):
    """OGM as a function of the start, a gradient oracle and the number of steps (the last one knows it is)."""
    return minimise(OGM(beta, iterations), x0, gradient, iterations)
