"""Nesterov's accelerated gradient in Beck and Teboulle's FISTA form (smooth convex f, no prox):

    y_1 = x_0,  t_1 = 1,  x_k = y_k − ∇f(y_k)/β,  t_{k+1} = (1 + √(1 + 4 t_k²))/2,
    y_{k+1} = x_k + ((t_k − 1)/t_{k+1}) (x_k − x_{k−1}),

f(x_k) − f* ≤ β‖x_0 − x*‖²/(2 t_k²) ≤ 2β‖x_0 − x*‖²/(k + 1)² (Beck & Teboulle 2009, Thm 4.4).
"""
import math

from tinyopt.method import Method, minimise


class AGD(Method):
    name = "tinyopt.AGD"

    def __init__(self, beta):
        self.beta = beta
        self.step_size = 1 / beta

    def start(self, x0):
        return x0, x0, 1.0  # the state before step k: (x_{k−1}, y_k, t_k)

    def momentum(self, t):
        """(t_k − 1)/t_{k+1} and t_{k+1}, from t_k."""
        t_next = (1 + math.sqrt(1 + 4 * t * t)) / 2
        return (t - 1) / t_next, t_next

    def point(self, state):
        return state[1]

    def step(self, state, gradient):
        x_previous, y, t = state
        x = y - self.step_size * gradient
        momentum, t_next = self.momentum(t)
        return x, x + momentum * (x - x_previous), t_next

    def output(self, state):
        return state[0]


def agd(x0, gradient, iterations, beta):
    """AGD as a function of the start, a gradient oracle and the number of steps."""
    return minimise(AGD(beta), x0, gradient, iterations)
