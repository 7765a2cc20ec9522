"""JAX pipeline engine: PPRS's smoothed gradient with each stage of a LayeredObjective on its own device.

What it computes: the K values f(θ + γX_k) and G = (1/K) Σ_k ∇f(θ + γX_k), where stage j's block of X_k is
algorithms.noise.gaussian_block(seed, iteration, k, j, size_j) — the numbers the numpy simulator uses, drawn on
the host for each stage and placed on that stage's device. Float64 throughout.

The schedule: a `shard_map` over a one-axis mesh "stage" (stage j on device j) runs a tick loop; micro-batch k
is query k. Each tick a stage does at most one op (a `lax.switch` on its index selects its own computation on
arrays padded to common shapes): the forward of its next micro-batch once that activation has arrived (stage 1
reads the data), else — after all K forwards, GPipe fill-drain — the backward of its next micro-batch once the
cotangent has arrived (the last stage starts from the loss). A backward re-runs the stage's forward from the
stored input (GPipe re-materialisation) and applies the stage's own VJP, so subgradient conventions match
the numpy objective. Activations are ppermuted j → j+1 and cotangents j+1 → j at the end of every tick; each
stage sums its block's gradients and scales by 1/K. The loop stops when every stage has done K backwards.

The clock: DERIVED: the tick loop is the GPipe schedule, makespan 2(K + Δ − 1) — `ticks` counts the loop
steps actually run and tests/algorithms/engines/test_jax_engine.py checks it against algorithms.clock.makespan(Δ, K, "gpipe",
"half") (docs/theory.md §1). With op_seconds > 0 every op also sleeps that long in a host callback; sleeping
releases the GIL, so the ops of different devices overlap (also on CPU devices faked with
XLA_FLAGS=--xla_force_host_platform_device_count=N), and a run takes about makespan · op_seconds
(`validate_clock` measures it).
"""
import functools
import time
from dataclasses import dataclass

import numpy as np

from pplimits._util.checks import UsageError, require_int, require_number
from pplimits.algorithms.backend import configure_jax
from pplimits.algorithms.clock import makespan
from pplimits.algorithms.engines import EngineRun, clock_objective, clock_row
from pplimits.algorithms.noise import gaussian_block

jax = configure_jax()  # float64, and host CPU devices for the stages (before JAX starts its devices)
import jax.numpy as jnp  # noqa: E402
from jax import lax  # noqa: E402
from jax.sharding import NamedSharding  # noqa: E402
from jax.sharding import PartitionSpec as P  # noqa: E402

AXIS = "stage"



def devices() -> list[str]:
    """The devices JAX sees, e.g. ['cpu:0', 'cpu:1', …] or ['cuda:0']."""
    return [str(device) for device in jax.devices()]


def available() -> tuple[bool, str]:
    """(whether a stage mesh can be built here, and how deep a pipeline fits: one device per stage)."""
    found = jax.devices()
    return True, f"jax {jax.__version__}, {len(found)} {found[0].platform} devices: Δ ≤ {len(found)}"


def _stall(seconds):
    """x ↦ 0.0 after sleeping `seconds` on the host (a data dependency keeps it inside its op); no-op if 0."""
    def sleep(_):
        time.sleep(seconds)
        return np.zeros((), np.float64)

    if seconds <= 0:
        return lambda x: 0.0
    return lambda x: jax.pure_callback(sleep, jax.ShapeDtypeStruct((), jnp.float64), x)


def _widths(objective) -> list[int]:
    """Feature widths of the activations entering stages 1..Δ, then of the last stage's output."""
    x, widths = objective.data, [objective.data.shape[-1]]
    for stage, block in zip(objective.stages, objective.split(objective.x0)):
        x, _ = stage.forward(block, x)
        widths.append(x.shape[-1])
    return widths


@dataclass(frozen=True)
class _Layout:
    """Common padded shapes: activations (rows, width), parameter blocks (size,)."""

    rows: int
    width: int
    size: int
    widths: tuple


def _branches(objective, layout, op_seconds):
    """[idle, forwards of stages 1..Δ, backwards of stages 1..Δ]: (params, x, cotangent) → (send, grad, value)."""
    depth, inputs, stall = objective.depth, jnp.asarray(objective.data), _stall(op_seconds)
    rows, width, size, widths = layout.rows, layout.width, layout.size, layout.widths

    def pad(y):
        return jnp.pad(y, ((0, 0), (0, width - y.shape[1])))

    def op(j, backward):
        stage, last, n = objective.stages[j], j == depth - 1, objective.layer_sizes[j]

        def forward_op(params, x, cotangent):
            y, _ = stage.forward(params[:n], inputs if j == 0 else x[:, : widths[j]])
            value = objective.loss.value(y) if last else jnp.zeros(())
            return pad(y) + stall(x), jnp.zeros(size), value

        def backward_op(params, x, cotangent):
            y, saved = stage.forward(params[:n], inputs if j == 0 else x[:, : widths[j]])
            grad_out = objective.loss.gradient(y) if last else cotangent[:, : widths[j + 1]]
            grad_params, grad_in = stage.backward(params[:n], saved, grad_out)
            send = jnp.zeros((rows, width)) if j == 0 else pad(grad_in)  # stage 1 sends nothing back
            return send + stall(x), jnp.pad(grad_params, (0, size - n)), jnp.zeros(())

        return backward_op if backward else forward_op

    def idle(params, x, cotangent):
        return jnp.zeros((rows, width)), jnp.zeros(size), jnp.zeros(())

    return [idle] + [op(j, False) for j in range(depth)] + [op(j, True) for j in range(depth)]


def _program(objective, samples, layout, op_seconds, mesh):
    """The jitted shard_map tick loop: (θ blocks (Δ, P), noise blocks (Δ, K, P), γ) → (G blocks (Δ, P),
    values per stage (Δ, K), ticks, every stage done)."""
    depth, branches = objective.depth, _branches(objective, layout, op_seconds)
    ahead, back = [(j, j + 1) for j in range(depth - 1)], [(j + 1, j) for j in range(depth - 1)]
    limit = makespan(depth, samples, "naive")  # no correct schedule is slower: stops a broken one

    def receive(buffer, arrived, message):
        payload, k, valid = message
        return buffer.at[k].set(jnp.where(valid, payload, buffer[k])), arrived.at[k].set(arrived[k] | valid)

    def run(theta, noise, gamma):
        theta, noise, stage = theta[0], noise[0], lax.axis_index(AXIS)

        def tick(state):
            t, fwd, bwd, acts, have_act, cots, have_cot, grads, values, _ = state
            f_slot, b_slot = jnp.minimum(fwd, samples - 1), jnp.minimum(bwd, samples - 1)
            go_forward = (fwd < samples) & have_act[f_slot]
            go_backward = (fwd == samples) & (bwd < samples) & have_cot[b_slot]
            k = jnp.where(go_forward, f_slot, b_slot)
            op = jnp.where(go_forward, 1 + stage, jnp.where(go_backward, 1 + depth + stage, 0))
            send, grad, value = lax.switch(op, branches, theta + gamma * noise[k], acts[k], cots[k])
            acts, have_act = receive(acts, have_act, lax.ppermute((send, k, go_forward), AXIS, ahead))
            cots, have_cot = receive(cots, have_cot, lax.ppermute((send, k, go_backward), AXIS, back))
            values = values.at[k].set(jnp.where(go_forward, value, values[k]))
            fwd, bwd = fwd + go_forward, bwd + go_backward
            done = lax.psum((bwd == samples).astype(jnp.int32), AXIS) == depth
            return t + 1, fwd, bwd, acts, have_act, cots, have_cot, grads + grad, values, done

        buffer = jnp.zeros((samples, layout.rows, layout.width))
        state = (0, 0, 0, buffer, jnp.full(samples, stage == 0), buffer, jnp.full(samples, stage == depth - 1),
                 jnp.zeros(layout.size), jnp.zeros(samples), False)
        t, *_, grads, values, done = lax.while_loop(lambda s: ~s[-1] & (s[0] < limit), tick, state)
        return (grads / samples)[None], values[None], t, done

    # check_vma=False: the branches' outputs differ in which values vary over stages; ticks and done are psum'd
    # or counted in lock-step, so they are the same on every stage (out_specs P()).
    blocks = P(AXIS)
    return jax.jit(jax.shard_map(run, mesh=mesh, in_specs=(blocks, blocks, P()),
                                 out_specs=(blocks, blocks, P(), P()), check_vma=False))


@functools.lru_cache(maxsize=16)
def _compiled(objective, samples, op_seconds):
    """(compiled tick loop, mesh, layout) for an objective, K and op time; traced and compiled once."""
    depth, found = objective.depth, len(jax.devices())
    if found < depth:
        raise UsageError(f"the JAX engine needs {depth} devices (one per stage), found {found}; on CPU set "
                         f"XLA_FLAGS=--xla_force_host_platform_device_count={depth} before JAX starts")
    widths = _widths(objective)
    layout = _Layout(objective.data.shape[0], max(widths + [1]), max(objective.layer_sizes + (1,)), tuple(widths))
    mesh = jax.make_mesh((depth,), (AXIS,), devices=jax.devices()[:depth])
    program = _program(objective, samples, layout, op_seconds, mesh)
    blocks, replicated = NamedSharding(mesh, P(AXIS)), NamedSharding(mesh, P())
    shapes = (jax.ShapeDtypeStruct((depth, layout.size), jnp.float64, sharding=blocks),
              jax.ShapeDtypeStruct((depth, samples, layout.size), jnp.float64, sharding=blocks),
              jax.ShapeDtypeStruct((), jnp.float64, sharding=replicated))
    return program.lower(*shapes).compile(), mesh, layout


def smoothed_gradient(objective, theta, gamma, samples, seed, iteration, op_seconds=0.0) -> EngineRun:
    """PPRS's G = (1/K) Σ_k ∇f(θ + γX_k) and the values f(θ + γX_k), pipelined over Δ devices (see the module).

    `wall_seconds` times the compiled tick loop alone (inputs already on their devices, compile excluded).
    """
    samples = require_int("samples", samples)
    gamma = require_number("gamma", gamma, 0.0, low_open=False)
    op_seconds = require_number("op_seconds", op_seconds, 0.0, low_open=False)
    program, mesh, layout = _compiled(objective, samples, op_seconds)
    blocks = NamedSharding(mesh, P(AXIS))
    theta = np.asarray(theta, dtype=np.float64).reshape(objective.dim)

    def stage_params(index):
        j = index[0].start or 0
        return np.pad(objective.split(theta)[j], (0, layout.size - objective.layer_sizes[j]))[None]

    def stage_noise(index):  # drawn for this stage only, then placed on its device
        j = index[0].start or 0
        n, noise = objective.layer_sizes[j], np.zeros((1, samples, layout.size))
        for k in range(samples):
            gaussian_block(seed, iteration, k, j, n, out=noise[0, k, :n])
        return noise

    depth = objective.depth
    arguments = (jax.make_array_from_callback((depth, layout.size), blocks, stage_params),
                 jax.make_array_from_callback((depth, samples, layout.size), blocks, stage_noise),
                 jax.device_put(jnp.float64(gamma), NamedSharding(mesh, P())))
    start = time.perf_counter()
    grads, values, ticks, done = jax.block_until_ready(program(*arguments))
    wall = time.perf_counter() - start
    if not done:
        raise RuntimeError(f"the tick loop stopped after {int(ticks)} ticks with work left (a broken schedule)")
    grads = np.asarray(grads)
    gradient = np.concatenate([grads[j, :n] for j, n in enumerate(objective.layer_sizes)])
    return EngineRun(gradient, np.asarray(values)[-1], int(ticks), wall)


def vmapped_gradient(objective, samples, device=None):
    """objective.gradient jitted as a jax.vmap over a (K, d) batch of queries on one device: no pipeline
    (for a device count below Δ, e.g. one GPU)."""
    sharding = jax.sharding.SingleDeviceSharding(device or jax.devices()[0])
    return jax.jit(jax.vmap(objective.gradient)).lower(
        jax.ShapeDtypeStruct((samples, objective.dim), jnp.float64, sharding=sharding)).compile()


def validate_clock(depths=(2, 4), samples=(2, 8), op_seconds=0.02, repeats=3) -> list[dict]:
    """Measured wall time of the tick loop against the clock's makespan · op_seconds, per (Δ, K).

    Each op sleeps `op_seconds`; measured = the minimum over `repeats` runs after a warm-up (compile) run.
    """
    rows = []
    for depth in depths:
        objective = clock_objective(depth)
        for k in samples:
            runs = [smoothed_gradient(objective, objective.x0, 0.1, k, 0, 0, op_seconds) for _ in range(repeats + 1)]
            rows.append(clock_row("jax", depth, k, op_seconds, min(run.wall_seconds for run in runs[1:])))
    return rows
