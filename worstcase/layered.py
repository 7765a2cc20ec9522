"""Layered objectives: a depth-Δ network as Δ stages, each a forward map and its vector-Jacobian product.

The parameter vector θ is the concatenation of the stages' blocks (`layer_sizes`), so a pipeline stage
owns exactly its block, and PPRS's noise block (seed, iteration, k, layer j) is stage j's perturbation.
A stage maps activations (..., m, features) to activations; the loss maps the last stage's activations
to one number per leading index. Everything is batched over leading axes (runs S, queries K) and uses
the Array API through the namespace of θ, so the same code runs on numpy, JAX and torch.

- `network(...)`: dense layers with a non-smooth activation (ReLU, |·|, max-pooling over unit pairs),
  a linear last layer and a non-smooth loss (multiclass hinge or ℓ1) on seeded or given data.
- `pipelined(instance, depth)`: a hard instance as a Δ-stage pipeline, latency only: stage 1 holds x
  and passes it on, stages 2..Δ pass it on unchanged, the loss is f itself. Same values and gradients
  as the instance, and the same noise (its blocks 2..Δ are empty).
Non-smooth, non-convex in general: no registered bound applies (setting "layered"). Losses are ≥ 0,
so f* is replaced by the lower bound 0 and the reported "gap" is the loss itself.
"""
import math
from dataclasses import dataclass

import numpy as np

from pplimits._util import checks
from pplimits._util.arrays import constant, device, namespace

ACTIVATIONS = ("relu", "abs", "maxpool", "identity")
LOSSES = ("hinge", "l1")


@dataclass(frozen=True)
class Dense:
    """x ↦ act(x Wᵀ + b), W of shape (outputs, inputs); parameters [W row-major, b]. residual: x ↦ x + act(x Wᵀ + b)
    (needs features = inputs).

    maxpool: the max over consecutive unit pairs (2i, 2i+1), so `features` = outputs / 2.
    """

    inputs: int
    outputs: int
    activation: str = "relu"
    residual: bool = False

    def __post_init__(self):
        if self.residual and self.features != self.inputs:
            raise checks.UsageError(f"a residual layer needs as many features as inputs, got {self.inputs} → {self.features}")

    @property
    def size(self) -> int:
        return self.outputs * (self.inputs + 1)

    @property
    def features(self) -> int:
        return self.outputs // 2 if self.activation == "maxpool" else self.outputs

    def _weights(self, xp, params):
        cut = self.outputs * self.inputs
        weights = xp.reshape(params[..., :cut], (*params.shape[:-1], self.outputs, self.inputs))
        return weights, params[..., None, cut:]

    def forward(self, params, x):
        """(activations, saved for backward)."""
        xp = params.__array_namespace__()
        weights, bias = self._weights(xp, params)
        z = x @ xp.matrix_transpose(weights) + bias
        if self.activation == "relu":
            out = xp.maximum(z, 0.0)
        elif self.activation == "abs":
            out = xp.abs(z)
        elif self.activation == "maxpool":
            out = xp.max(xp.reshape(z, (*z.shape[:-1], self.features, 2)), axis=-1)
        else:
            out = z
        return (x + out if self.residual else out), (x, z)

    def backward(self, params, saved, grad_out):
        """(∂/∂params, ∂/∂x) of ⟨grad_out, forward⟩: subgradients (ReLU'(0) = 0, sign(0) = 0, ties → first)."""
        xp = params.__array_namespace__()
        x, z = saved
        weights, _ = self._weights(xp, params)
        if self.activation == "relu":
            grad_z = xp.where(z > 0, grad_out, 0.0)
        elif self.activation == "abs":
            grad_z = xp.sign(z) * grad_out
        elif self.activation == "maxpool":
            pairs = xp.reshape(z, (*z.shape[:-1], self.features, 2))
            first = pairs[..., 0] >= pairs[..., 1]
            routed = xp.stack([xp.where(first, grad_out, 0.0), xp.where(first, 0.0, grad_out)], axis=-1)
            grad_z = xp.reshape(routed, z.shape)
        else:
            grad_z = grad_out
        grad_weights = xp.matrix_transpose(grad_z) @ x
        grad_bias = xp.sum(grad_z, axis=-2)
        flat = xp.reshape(grad_weights, (*grad_weights.shape[:-2], self.outputs * self.inputs))
        grad_in = grad_z @ weights
        return xp.concat([flat, grad_bias], axis=-1), (grad_out + grad_in if self.residual else grad_in)


@dataclass(frozen=True)
class Carry:
    """Stage 1 of a wrapped instance: holds x (its `size` parameters) and emits it as one activation row."""

    size: int

    def forward(self, params, x):
        return params[..., None, :], None

    def backward(self, params, saved, grad_out):
        return grad_out[..., 0, :], None


@dataclass(frozen=True)
class PassOn:
    """A parameter-free stage that only adds latency: the identity."""

    size: int = 0

    def forward(self, params, x):
        return x, None

    def backward(self, params, saved, grad_out):
        return params, grad_out  # the empty block's gradient is empty


class MulticlassHinge:
    """Multiclass hinge (Crammer–Singer): mean over samples of max(0, 1 + max_{j≠y} s_j − s_y)."""

    def __init__(self, labels, classes: int):
        self.labels, self.classes = np.asarray(labels), classes
        self._onehot = np.eye(classes)[self.labels]

    def like(self, labels):
        """The same loss on other labels."""
        return MulticlassHinge(labels, self.classes)

    def _margins(self, scores):
        xp = scores.__array_namespace__()
        onehot = constant(xp, self._onehot, scores)
        true = xp.sum(scores * onehot, axis=-1, keepdims=True)
        return xp, onehot, scores - true + 1.0 - onehot  # 1 + s_j − s_y for j ≠ y, 0 for j = y

    def value(self, scores):
        xp, _, margins = self._margins(scores)
        return xp.mean(xp.maximum(xp.max(margins, axis=-1), 0.0), axis=-1)

    def gradient(self, scores):
        """A subgradient: at each active sample, +1 on its first maximising class j ≠ y, −1 on y, over m."""
        xp, onehot, margins = self._margins(scores)
        worst = xp.argmax(margins, axis=-1)
        chosen = xp.astype(worst[..., None] == xp.arange(self.classes, device=device(scores)), scores.dtype)
        active = xp.max(margins, axis=-1, keepdims=True) > 0
        return xp.where(active, chosen - onehot, 0.0) / scores.shape[-2]


class L1:
    """ℓ1 regression loss: mean over samples of Σ_j |s_j − y_j|."""

    def __init__(self, targets):
        self.targets = np.asarray(targets, dtype=np.float64)

    def like(self, targets):
        """The same loss on other targets."""
        return L1(targets)

    def value(self, scores):
        xp = scores.__array_namespace__()
        return xp.mean(xp.sum(xp.abs(scores - constant(xp, self.targets, scores)), axis=-1), axis=-1)

    def gradient(self, scores):
        xp = scores.__array_namespace__()
        return xp.sign(scores - constant(xp, self.targets, scores)) / scores.shape[-2]


class InstanceLoss:
    """The loss of a wrapped instance: f of the single activation row."""

    def __init__(self, instance):
        self.instance = instance

    def value(self, activations):
        return self.instance.value(activations[..., 0, :])

    def gradient(self, activations):
        return self.instance.gradient(activations[..., 0, :])[..., None, :]


class LayeredObjective:
    """f(θ) = loss(stage_Δ(… stage_1(data; θ_1) …; θ_Δ)), with value and gradient batched over θ's leading axes."""

    setting = "layered"
    criterion = "gap"
    beta = math.inf
    mu = 0.0
    f_star = 0.0

    def __init__(self, name, stages, loss, data, x0, lipschitz, radius, params):
        self.name, self.stages, self.loss, self.params = name, tuple(stages), loss, params
        self.data = np.asarray(data, dtype=np.float64)
        self.layer_sizes = tuple(stage.size for stage in self.stages)
        self.dim = sum(self.layer_sizes)
        self.x0 = np.asarray(x0, dtype=np.float64)
        self.lipschitz, self.radius = float(lipschitz), float(radius)
        self._edges = np.concatenate([[0], np.cumsum(self.layer_sizes)]).astype(int).tolist()
        self.f0 = float(self.value(self.x0))

    @property
    def depth(self) -> int:
        return len(self.stages)

    def split(self, theta):
        """θ's blocks, stage by stage."""
        return [theta[..., a:b] for a, b in zip(self._edges[:-1], self._edges[1:])]

    def on(self, features, targets, name=None) -> "LayeredObjective":
        """The same network, loss type and θ₀ on other data (a mini-batch, a held-out set)."""
        return LayeredObjective(name or self.name, self.stages, self.loss.like(targets), features, self.x0,
                                self.lipschitz, self.radius, {**self.params, "points": len(features)})

    def _forward(self, theta, data=None):
        xp, theta = namespace(theta)
        data = constant(xp, self.data if data is None else data, theta)
        activations = xp.broadcast_to(data, (*theta.shape[:-1], *data.shape[-2:]))
        saved = []
        for stage, block in zip(self.stages, self.split(theta)):
            activations, memo = stage.forward(block, activations)
            saved.append(memo)
        return xp, theta, activations, saved

    def outputs(self, theta, data=None):
        """The last stage's activations (class scores), shape (..., m, classes)."""
        return self._forward(theta, data)[2]

    def value(self, theta, data=None):
        """f(θ) for θ of shape (..., dim), returned with shape (...,); `data` (..., m, features) replaces the
        network's input data (same m, broadcast with θ's leading axes)."""
        return self.loss.value(self._forward(theta, data)[2])

    def gradient(self, theta, data=None):
        """A subgradient of f at θ, shape (..., dim): the stages' vector-Jacobian products, last to first."""
        return self._backward(theta, data)[0]

    def input_gradient(self, theta, data=None):
        """A subgradient of f with respect to the data, shape (..., m, features) (the loss is a mean over the m
        samples, so row i is ∂ℓ_i/∂x_i / m)."""
        return self._backward(theta, data)[1]

    def _backward(self, theta, data):
        xp, theta, activations, saved = self._forward(theta, data)
        grad = self.loss.gradient(activations)
        grads = []
        for stage, block, memo in zip(reversed(self.stages), reversed(self.split(theta)), reversed(saved)):
            grad_params, grad = stage.backward(block, memo, grad)
            grads.append(grad_params)
        return xp.concat(grads[::-1], axis=-1), grad


def _he_init(stages, rng, residual_scale: float = 1.0) -> np.ndarray:
    """He-scaled Gaussian weights (variance 2/fan-in; residual layers' times residual_scale²), zero biases."""
    return np.concatenate([np.concatenate([rng.standard_normal(s.outputs * s.inputs) * math.sqrt(2 / s.inputs)
                                           * (residual_scale if s.residual else 1.0), np.zeros(s.outputs)])
                           for s in stages])


def network(depth: int, width: int = 16, activation: str = "relu", loss: str = "hinge", features=None,
            targets=None, classes: int = 3, points: int = 24, input_dim: int = 8, seed: int = 0,
            lipschitz: float = 1.0, residual: bool = False) -> LayeredObjective:
    """Δ dense layers (Δ − 1 with `activation`, the last linear to `classes` scores) and a non-smooth loss.
    residual: layers 2…Δ−1 are x ↦ x + act(x Wᵀ + b), their He-scaled weights shrunk by 1/√Δ (trainable when deep).

    Without data, seeded Gaussian features and labels (hinge) or targets (ℓ1) from a random teacher of the
    same shape. θ₀: He-scaled Gaussian weights, zero biases (seeded). `lipschitz` is the L used to scale
    PPRS's steps (a user estimate: no global constant is claimed for a network).
    """
    depth = checks.require_int("depth", depth, 1)
    width = checks.require_int("width", width, 2 if activation == "maxpool" else 1)
    seed = checks.require_int("seed", seed, 0)
    if activation not in ACTIVATIONS:
        raise checks.UsageError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")
    if loss not in LOSSES:
        raise checks.UsageError(f"loss must be one of {', '.join(LOSSES)}, got {loss!r}")
    rng = np.random.default_rng(seed)
    if features is None:
        features = rng.standard_normal((points, input_dim))
    features = np.asarray(features, dtype=np.float64)
    stages, fan_in = [], features.shape[1]
    for j in range(depth - 1):
        skip = residual and j > 0 and fan_in == (width // 2 if activation == "maxpool" else width)
        stages.append(Dense(fan_in, width, activation, skip))
        fan_in = stages[-1].features
    stages.append(Dense(fan_in, classes, "identity"))
    x0 = _he_init(stages, rng, 1 / math.sqrt(depth))
    if targets is None:
        teacher = LayeredObjective("teacher", stages, L1(np.zeros((len(features), classes))), features,
                                   _he_init(stages, rng), 1.0, 1.0, {})
        scores = teacher._forward(teacher.x0)[2]
        targets = np.argmax(scores, axis=-1) if loss == "hinge" else scores
    head = MulticlassHinge(targets, classes) if loss == "hinge" else L1(targets)
    params = {"depth": depth, "width": width, "activation": activation, "loss": loss, "points": len(features),
              "seed": seed, **({"residual": True} if residual else {})}
    return LayeredObjective("layered-network", stages, head, features, x0, lipschitz, float(np.linalg.norm(x0)),
                            params)


def pipelined(instance, depth: int) -> LayeredObjective:
    """`instance` as a Δ-stage pipeline that adds latency only (see the module docstring)."""
    depth = checks.require_int("depth", depth, 1)
    stages = [Carry(instance.dim)] + [PassOn() for _ in range(depth - 1)]
    wrapped = LayeredObjective(f"pipelined-{instance.name}", stages, InstanceLoss(instance), np.zeros((1, 0)),
                               instance.x0, getattr(instance, "lipschitz", math.inf), instance.radius,
                               {**instance.params, "depth": depth})
    wrapped.f_star, wrapped.setting, wrapped.criterion = instance.f_star, instance.setting, instance.criterion
    return wrapped
