"""Per-unit op orders of every schedule, and the dependencies between ops (docs/theory.md §1 "Pipeline timing").

An op is (kind, stage, input): kind 'F' (forward), 'B' (backward; the input-gradient half where the backward is
split) or 'W' (weight gradient, zb-h1 only), stage 1..Δ, input 1..B. A unit runs one op at a time: a device in
half duplex, a stage's forward or backward unit in full duplex. The orders follow their sources:
GPipe (Huang et al. 2019), PipeDream-flush / Megatron-LM 1F1B (Narayanan et al. 2021), Megatron-LM's interleaved
1F1B (`forward_backward_pipelining_with_interleaving`, Narayanan et al. 2021), ZB-H1 (Qi et al. 2023, "Zero Bubble
Pipeline Parallelism", as torch.distributed.pipelining's `_get_1f1b_rank_ops` orders it). They say nothing about
time: `algorithms.timeline.execute` runs them.
"""
from pplimits.algorithms.clock import Schedule

Key = tuple  # (kind, stage, input)


def unit_of(schedule: Schedule, key: Key) -> tuple:
    """The unit that runs op `key`: (device,) in half duplex, (stage, kind) in full and forward duplex."""
    kind, stage, _ = key
    if schedule.duplex == "half":
        return (schedule.device_of(stage),)
    return (stage, kind)


def dependencies(schedule: Schedule, key: Key) -> list:
    """The ops that must complete before `key` starts: the previous stage's forward; the next stage's backward
    (the last stage's forward for the last stage); B before W; naive admits input i after input i − 1 is done."""
    kind, stage, index = key
    depth = schedule.stages
    if kind == "F":
        needs = [("F", stage - 1, index)] if stage > 1 else []
        if schedule.name == "naive" and stage == 1 and index > 1:
            needs.append(("F", depth, index - 1) if schedule.duplex == "forward" else ("B", 1, index - 1))
        return needs
    if kind == "B":
        return [("F", depth, index) if stage == depth else ("B", stage + 1, index)]
    return [("B", stage, index)]


def _one_f_one_b(schedule: Schedule, device: int) -> list:
    """1F1B: P − d forwards of warm-up, then forward i + P − d with backward i, then the remaining backwards."""
    batch = schedule.inputs
    warmup = min(schedule.devices - device, batch)
    order = [("F", device, i) for i in range(1, warmup + 1)]
    for i in range(1, batch - warmup + 1):
        order += [("F", device, warmup + i), ("B", device, i)]
    return order + [("B", device, i) for i in range(batch - warmup + 1, batch + 1)]


def _zero_bubble_h1(schedule: Schedule, device: int) -> list:
    """ZB-H1: 1F1B's order with each W after its B, except that device d defers its first d − 1 W's to the end
    (the cool-down bubble), so it holds at most P activations as 1F1B's first device does."""
    batch = schedule.inputs
    warmup = min(schedule.devices - device, batch)
    order = [("F", device, i) for i in range(1, warmup + 1)]
    weights = 0
    for step in range(batch):
        if step < batch - warmup:
            order.append(("F", device, warmup + step + 1))
        order.append(("B", device, step + 1))
        if step >= device - 1:
            weights += 1
            order.append(("W", device, weights))
    return order + [("W", device, i) for i in range(weights + 1, batch + 1)]


def _interleaved(schedule: Schedule, device: int) -> list:
    """Megatron-LM's interleaved 1F1B: device d runs chunks d, d + P, …; its k-th forward (0-based) is of chunk
    (k mod vP) // P and input P·(k // vP) + k mod P + 1, its k-th backward the same with the chunks reversed;
    warm-up 2(P − d) + (v − 1)P forwards (all vB when B = P), then one forward and one backward alternately."""
    devices, chunks, batch = schedule.devices, schedule.chunks, schedule.inputs
    total = chunks * batch

    def op(kind, k):
        group, rest = divmod(k, devices * chunks)
        chunk = rest // devices if kind == "F" else chunks - 1 - rest // devices
        return kind, chunk * devices + device, group * devices + rest % devices + 1

    warmup = total if batch == devices else min(2 * (devices - device) + (chunks - 1) * devices, total)
    order = [op("F", k) for k in range(warmup)]
    for k in range(total - warmup):
        order += [op("F", warmup + k), op("B", k)]
    return order + [op("B", k) for k in range(total - warmup, total)]


def orders(schedule: Schedule) -> dict:
    """{unit: [op, …]} — the order in which each unit runs its ops."""
    depth, batch = schedule.stages, schedule.inputs
    inputs = range(1, batch + 1)
    if schedule.name in ("naive", "gpipe"):
        if schedule.duplex == "half":
            if schedule.name == "naive":
                return {(s,): [(k, s, i) for i in inputs for k in ("F", "B")] for s in range(1, depth + 1)}
            return {(s,): [(k, s, i) for k in ("F", "B") for i in inputs] for s in range(1, depth + 1)}
        return {(s, k): [(k, s, i) for i in inputs] for s in range(1, depth + 1) for k in schedule.kinds}
    build = {"1f1b": _one_f_one_b, "zb-h1": _zero_bubble_h1, "interleaved-1f1b": _interleaved}[schedule.name]
    return {(d,): build(schedule, d) for d in range(1, schedule.devices + 1)}
