"""Adversarial training objective: a layered network's loss at inputs attacked inside an ℓ∞ ball.

f_adv(θ) = loss(θ; x + δ(θ)), where δ(θ) comes from `steps` projected sign-gradient ascent steps
δ ← clip(δ + α sign(∇_x loss), −ρ, ρ), α = 2.5ρ/steps, from δ = 0 (PGD, Madry et al. 2018): a deterministic
stand-in for the inner max over ‖δ_i‖∞ ≤ ρ. Its gradient is the network's subgradient at the attacked inputs
— Danskin's theorem for an exact inner max, the usual adversarial-training gradient here (no bound is claimed).
One evaluation runs `steps` + 1 forward-backward passes of the batch through the pipeline (`passes`).
Everything is batched over θ's leading axes, like worstcase.layered.
"""
from pplimits._util.arrays import constant, device
from pplimits._util.checks import UsageError


class AdversarialObjective:
    """`objective` (a LayeredObjective) trained against a `steps`-step ℓ∞ attack of radius `radius`."""

    def __init__(self, objective, radius: float, steps: int):
        if not radius > 0 or not isinstance(steps, int) or steps < 1:
            raise UsageError(f"the attack needs radius > 0 and steps >= 1, got radius={radius!r}, steps={steps!r}")
        self.objective, self.attack_radius, self.steps = objective, float(radius), steps
        self.passes = steps + 1
        for name in ("dim", "layer_sizes", "x0", "depth", "lipschitz", "radius", "setting", "criterion", "f_star"):
            setattr(self, name, getattr(objective, name))
        self.name = f"adversarial-{objective.name}"
        self.params = {**objective.params, "attack_radius": self.attack_radius, "attack_steps": steps}

    def on(self, features, targets, name=None) -> "AdversarialObjective":
        """The same attack on other data."""
        return AdversarialObjective(self.objective.on(features, targets, name), self.attack_radius, self.steps)

    def attacked_inputs(self, theta):
        """x + δ(θ), shape (..., m, features)."""
        xp = theta.__array_namespace__()
        clean = constant(xp, self.objective.data, theta)
        delta = xp.zeros((*theta.shape[:-1], *clean.shape), dtype=theta.dtype, device=device(theta))
        step = 2.5 * self.attack_radius / self.steps
        for _ in range(self.steps):
            ascent = xp.sign(self.objective.input_gradient(theta, clean + delta))
            delta = xp.clip(delta + step * ascent, -self.attack_radius, self.attack_radius)
        return clean + delta

    def value(self, theta):
        return self.objective.value(theta, self.attacked_inputs(theta))

    def gradient(self, theta):
        return self.objective.gradient(theta, self.attacked_inputs(theta))

    def outputs(self, theta):
        """Class scores at the attacked inputs."""
        return self.objective.outputs(theta, self.attacked_inputs(theta))
