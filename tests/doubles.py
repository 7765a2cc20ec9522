"""Test doubles shared by the tests of users' methods: what a user would write in a file of their own."""


class GradientStep:
    """Gradient descent with step h/β in pplimits' method protocol (arrays of shape (runs, dim)); it declares
    itself zero-respecting, as a user's span method must."""

    span_method = True
    name, queries_per_iteration = "gradient-step", 1  # what the runner reads (adopting a user's method sets them)

    def __init__(self, beta, h=1.0):
        self.step = h / beta

    def init(self, x0):
        return x0

    def queries(self, x):
        return x[:, None, :]

    def update(self, x, gradients):
        return x - self.step * gradients[:, 0, :]

    def iterate(self, x):
        return x
