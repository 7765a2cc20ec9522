"""What every tinyopt method is: a state, where it wants the next gradient, and a step with that gradient.

The arithmetic (`start`, `point`, `step`, `output`) uses only +, -, and scalar * and / on the points, so one
implementation runs on numpy arrays of any shape and on the symbolic points of a performance-estimation tracer.
`init`, `queries`, `update` and `iterate` are the same method in pplimits' batched protocol (arrays of shape
(runs, dim), one gradient per iteration).
"""


class Method:
    span_method = True  # every iterate is x0 plus a combination of the gradients seen so far (zero-respecting)
    queries_per_iteration = 1

    def start(self, x0):
        raise NotImplementedError

    def point(self, state):
        """Where the next gradient is taken."""
        raise NotImplementedError

    def step(self, state, gradient):
        """The next state, given the gradient at `point(state)`."""
        raise NotImplementedError

    def output(self, state):
        """The current iterate (the answer if we stopped now)."""
        raise NotImplementedError

    # pplimits' protocol: the same method over a batch of runs
    def init(self, x0):
        return self.start(x0)

    def queries(self, state):
        return self.point(state)[:, None, :]

    def update(self, state, gradients):
        return self.step(state, gradients[:, 0, :])

    def iterate(self, state):
        return self.output(state)


def minimise(method: Method, x0, gradient, iterations: int):
    """Run `method` from x0 for `iterations` gradient evaluations and return its iterate."""
    state = method.start(x0)
    for _ in range(iterations):
        state = method.step(state, gradient(method.point(state)))
    return method.output(state)
