"""The span methods against their textbook definitions, written out independently here."""
import math

import numpy as np

from pplimits.algorithms.clock import PipelineModel
from pplimits.algorithms.runner import run
from pplimits.algorithms.span_methods import AcceleratedGradient
from pplimits.worstcase import RandomQuadratic


def fista(gradient, x0, beta, iterations):
    """Beck & Teboulle 2009, FISTA with constant step 1/L (their (4.1)–(4.3)): y₁ = x₀, t₁ = 1,
    x_k = y_k − ∇f(y_k)/L, t_{k+1} = (1 + √(1 + 4t_k²))/2, y_{k+1} = x_k + ((t_k − 1)/t_{k+1})(x_k − x_{k−1})."""
    x_previous, y, t, iterates = x0, x0, 1.0, [x0]
    for _ in range(iterations):
        x = y - gradient(y) / beta
        t_next = (1 + math.sqrt(1 + 4 * t * t)) / 2
        y = x + ((t - 1) / t_next) * (x - x_previous)
        x_previous, t = x, t_next
        iterates.append(x)
    return np.array(iterates)


def test_agd_is_beck_teboulles_fista_from_its_first_step():
    """A momentum index shifted by one (0.28 at y₂, where FISTA has 0) is another algorithm, which the cited
    bound 2βR²/(k+1)² does not cover."""
    instance = RandomQuadratic(dim=12, seed=3)
    method = AcceleratedGradient(instance.beta)
    state, iterates = method.init(instance.x0[None, :]), [instance.x0]
    for _ in range(25):
        state = method.update(state, instance.gradient(method.queries(state)))
        iterates.append(method.iterate(state)[0])
    reference = fista(instance.gradient, instance.x0, instance.beta, 25)
    np.testing.assert_allclose(np.array(iterates), reference, rtol=1e-12, atol=1e-14)
    gaps = run(method, instance, PipelineModel(1), 25).values[0]
    np.testing.assert_allclose(gaps, instance.value(reference) - instance.f_star, rtol=1e-10, atol=1e-14)


def test_run_and_certify_trace_the_same_agd():
    """The method `pplimits run --method agd` runs and the one `certify --method agd` traces into the PEP are one
    algorithm: the trace's exact coefficients, evaluated with a quadratic's gradients, give FISTA's iterate."""
    from pplimits.bounds.pep.methods import trace

    instance = RandomQuadratic(dim=6, seed=1)
    iterations = 6
    traced = trace("agd", iterations, L=instance.beta)
    points = []  # each oracle point of the trace, in the basis [x₀ − x*, ∇f(p₀), ∇f(p₁), …] (μ = 0)
    for vector in traced.points:
        point = instance.x_star + float(vector.get(0, 0)) * (instance.x0 - instance.x_star)
        point = point + sum(float(vector.get(1 + j, 0)) * instance.gradient(p) for j, p in enumerate(points))
        points.append(point)
    reference = fista(instance.gradient, instance.x0, instance.beta, iterations)
    np.testing.assert_allclose(points[traced.performance[-1]], reference[-1], rtol=1e-9, atol=1e-12)


def test_heavy_ball_is_polyaks_recursion_with_its_textbook_constants():
    """x_{k+1} = x_k − α∇f(x_k) + b(x_k − x_{k−1}); μ > 0: α = 4/(√β + √μ)², b = ((√κ − 1)/(√κ + 1))² (Polyak 1964)."""
    from pplimits.algorithms.span_methods import HeavyBall

    instance = RandomQuadratic(dim=10, seed=2, mu=0.05)
    beta, mu = instance.beta, instance.mu
    alpha, b = 4 / (math.sqrt(beta) + math.sqrt(mu)) ** 2, ((math.sqrt(beta / mu) - 1) / (math.sqrt(beta / mu) + 1)) ** 2
    x_previous = x = instance.x0
    reference = [x]
    for _ in range(20):
        x, x_previous = x - alpha * instance.gradient(x) + b * (x - x_previous), x
        reference.append(x)
    method = HeavyBall(beta, mu)
    state, iterates = method.init(instance.x0[None, :]), [instance.x0]
    for _ in range(20):
        state = method.update(state, instance.gradient(method.queries(state)))
        iterates.append(method.iterate(state)[0])
    np.testing.assert_allclose(np.array(iterates), np.array(reference), rtol=1e-12, atol=1e-14)


def test_gradient_descent_is_x_minus_gradient_over_beta():
    from pplimits.algorithms.span_methods import GradientDescent

    instance = RandomQuadratic(dim=7, seed=4)
    x = instance.x0
    method = GradientDescent(instance.beta)
    state = method.init(x[None, :])
    for _ in range(15):
        x = x - instance.gradient(x) / instance.beta
        state = method.update(state, instance.gradient(method.queries(state)))
    np.testing.assert_allclose(method.iterate(state)[0], x, rtol=1e-13, atol=1e-15)


def test_heavy_ball_without_strong_convexity_takes_step_one_minus_b_over_beta():
    """μ = 0: b = 1/2 and α = (1 − b)/β (Ghadimi–Feyzmahdavian–Johansson 2015), written out as the recursion with
    α = 1/(2β); a user momentum b = 0.8 gives α = 0.2/β."""
    from pplimits.algorithms.span_methods import HeavyBall

    instance = RandomQuadratic(dim=9, seed=5)
    beta = instance.beta
    for momentum, alpha in ((None, 0.5 / beta), (0.8, 0.2 / beta)):
        method = HeavyBall(beta) if momentum is None else HeavyBall(beta, momentum=momentum)
        b = 0.5 if momentum is None else momentum
        x_previous = x = instance.x0
        state = method.init(instance.x0[None, :])
        for _ in range(12):
            x, x_previous = x - alpha * instance.gradient(x) + b * (x - x_previous), x
            state = method.update(state, instance.gradient(method.queries(state)))
        np.testing.assert_allclose(method.iterate(state)[0], x, rtol=1e-12, atol=1e-14)


def test_subgradient_steps_r_over_l_root_t():
    """x_{t+1} = x_t − (R/(L√T)) g_t (Nesterov 2004, Thm 3.2.2) with R ≠ L, so swapping them is another step."""
    from pplimits.algorithms.span_methods import Subgradient
    from pplimits.worstcase import LipschitzMaxFunction

    instance = LipschitzMaxFunction(dim=8, L=2.0, R=0.5)
    horizon = 16
    h = 0.5 / (2.0 * 4.0)  # R/(L√T) = 0.5/(2·4)
    method = Subgradient(lipschitz=2.0, radius=0.5, horizon=horizon)
    x, state = instance.x0, method.init(instance.x0[None, :])
    for _ in range(horizon):
        x = x - h * instance.gradient(x)
        state = method.update(state, instance.gradient(method.queries(state)))
    np.testing.assert_allclose(method.iterate(state)[0], x, rtol=1e-13, atol=1e-15)
