"""torchrun entry point of the torch pipeline engine: rank r runs its stages of each case's LayeredObjective.

    torchrun --standalone --nproc_per_node=P -m algorithms.engines.torch_worker PROBLEM OUTDIR

PROBLEM is a pickle {"device": "cpu" | "cuda", "timeout": seconds, "cases": [case, …]} written by
algorithms.engines.torch_engine; rank r writes OUTDIR/rank{r}.pkl: per case the gradient block of each stage it
holds, the merged values (the rank of the last stage), the actions it ran in order and the wall seconds of each
timed schedule.step (numpy / floats).

Stage j is a float64 nn.Module holding θ_j. A micro-batch is one PPRS query: the flat activation row [k, a]
carries its index k, and the stage evaluates its own forward map at θ_j + γX_k⁽ʲ⁾ with
X_k⁽ʲ⁾ = algorithms.noise.gaussian_block(seed, iteration, k, j, size_j); its backward is the stage's own VJP
(the objective's subgradient conventions, one autograd node), the loss's subgradient seeding the last stage.
The case names torch's schedule class, its stage → rank placement (case["placement"][j]: one stage per rank, or v
per rank, looped or V-shaped) and runs it with K micro-batches, loss = the value itself and scale_grads=True
(the summed gradients divided by K), which leaves G_j = (1/K) Σ_k ∇_j f(θ + γX_k) in θ_j.grad.

The zero-bubble classes split each backward into an input-gradient action I and a weight-gradient action W: torch's
stage_backward_input runs autograd to the stage's input only (retaining the graph, keeping the gradient that
reaches the stage's one autograd node) and stage_backward_weight resumes from that node to θ_j; stage 0, whose
input needs no gradient, runs nothing at I and its whole backward at W (torch's PipelineStage). Every action torch
runs (forward_one_chunk, backward_one_chunk full or input-only, backward_weight_one_chunk) is logged as
(F | B | I | W, stage, micro-batch) in the order it ran and then sleeps op_seconds: one op of the clock each.
"""
import os
import pickle
import sys
import time
from datetime import timedelta
from pathlib import Path

import array_api_compat.torch
import numpy as np
import torch
import torch.distributed as dist
from torch.distributed.elastic.multiprocessing.errors import record
from torch.distributed.pipelining import PipelineStage, schedules

from pplimits._util.checks import UsageError
from pplimits.algorithms.noise import gaussian_block

# worstcase.layered asks arrays for x.__array_namespace__(), which torch tensors lack: lend array-api-compat's.
if not hasattr(torch.Tensor, "__array_namespace__"):
    torch.Tensor.__array_namespace__ = lambda self, api_version=None: array_api_compat.torch


class _StageOp(torch.autograd.Function):
    """One stage op at a perturbed point: forward = stage.forward (then the loss at the last stage), backward =
    the stage's VJP (run once by a full backward; by each of I and W where torch splits it, each keeping its part)."""

    @staticmethod
    def forward(ctx, point, activations, stage, loss):
        outputs, saved = stage.forward(point, activations)
        ctx.stage, ctx.loss = stage, loss
        ctx.point, ctx.saved, ctx.outputs = point, saved, outputs
        return outputs if loss is None else loss.value(outputs)

    @staticmethod
    def backward(ctx, grad):
        if ctx.loss is not None:
            grad = ctx.loss.gradient(ctx.outputs) * grad[:, None, None]
        grad_params, grad_in = ctx.stage.backward(ctx.point, ctx.saved, grad)
        return grad_params, grad_in if ctx.needs_input_grad[1] else None, None, None


class _Stage(torch.nn.Module):
    """Stage j: [k, activations] (1, 1 + n_in) → [k, activations] (1, 1 + n_out), or f (1,) at the last stage."""

    def __init__(self, objective, j, case, shapes, device):
        super().__init__()
        block = objective.split(np.asarray(case["theta"], dtype=np.float64))[j]
        noise = np.stack([gaussian_block(case["seed"], case["iteration"], k, j, block.size)
                          for k in range(case["samples"])])
        self.theta = torch.nn.Parameter(torch.tensor(block, device=device))
        self.noise = torch.tensor(noise, device=device) * case["gamma"]
        self.stage, self.shape_in = objective.stages[j], shapes[j]
        self.loss = objective.loss if j == objective.depth - 1 else None
        self.inputs = torch.tensor(objective.data, device=device)[None] if j == 0 else None

    def forward(self, row):
        k = int(row[0, 0])
        activations = self.inputs if self.inputs is not None else row[:, 1:].reshape(1, *self.shape_in)
        out = _StageOp.apply((self.theta + self.noise[k])[None], activations, self.stage, self.loss)
        return out if self.loss is not None else torch.cat([row[:, :1], out.reshape(1, -1)], dim=1)


class _TimedStage(PipelineStage):
    """torch's PipelineStage whose every action, after running, is logged to the rank's shared `log` as
    (F | B | I | W, stage, micro-batch) and sleeps `op_seconds`."""

    def __init__(self, *args, log, op_seconds, **kwargs):
        super().__init__(*args, **kwargs)
        self.log, self.op_seconds = log, op_seconds

    def _done(self, kind, chunk):
        time.sleep(self.op_seconds)
        self.log.append((kind, self.stage_index, chunk))

    def forward_one_chunk(self, fwd_chunk_id, *args, **kwargs):
        output = super().forward_one_chunk(fwd_chunk_id, *args, **kwargs)
        self._done("F", fwd_chunk_id)
        return output

    def backward_one_chunk(self, bwd_chunk_id, loss=None, full_backward=True, last_backward=False):
        super().backward_one_chunk(bwd_chunk_id, loss=loss, full_backward=full_backward, last_backward=last_backward)
        self._done("B" if full_backward else "I", bwd_chunk_id)

    def backward_weight_one_chunk(self, bwd_chunk_id, last_backward=False):
        super().backward_weight_one_chunk(bwd_chunk_id, last_backward=last_backward)
        self._done("W", bwd_chunk_id)


def _shapes(objective):
    """(rows, features) of the activations entering each stage, then of the last stage's output (numpy at x0)."""
    x, shapes = objective.data, [objective.data.shape]
    for stage, block in zip(objective.stages, objective.split(objective.x0)):
        x, _ = stage.forward(block, x)
        shapes.append(x.shape)
    return shapes


def _run(case, rank, device):
    """Build this rank's stages, run one warm-up and case["repeats"] timed schedule.step calls; the last one's
    results."""
    objective, samples, placement = case["objective"], case["samples"], case["placement"]
    shapes, depth, log = _shapes(objective), objective.depth, []
    modules, stages = {}, []

    def example(shape):
        return torch.empty(shape, dtype=torch.float64, device=device)

    for j in (j for j in range(depth) if placement[j] == rank):
        first, last = j == 0, j == depth - 1
        modules[j] = _Stage(objective, j, case, shapes, device)
        row_in = example((1, 1) if first else (1, 1 + int(np.prod(shapes[j])))).requires_grad_(not first)  # [k] first
        row_out = example((1,) if last else (1, 1 + int(np.prod(shapes[j + 1])))).requires_grad_()
        stages.append(_TimedStage(modules[j], j, depth, device, input_args=row_in, output_args=row_out, log=log,
                                  op_seconds=case["op_seconds"]))
    schedule_class = getattr(schedules, case["torch_schedule"])
    single = issubclass(schedule_class, schedules.PipelineScheduleSingle)
    schedule = schedule_class(stages[0] if single else stages, samples, loss_fn=lambda values, target: values.sum(),
                              scale_grads=True)
    queries = torch.arange(samples, dtype=torch.float64, device=device)[:, None]
    holds_last = depth - 1 in modules
    args, target = ((queries,) if 0 in modules else ()), (queries if holds_last else None)
    walls = []
    for _ in range(1 + case["repeats"]):
        for module in modules.values():
            module.theta.grad = None
        log[:] = []
        dist.barrier()
        start = time.perf_counter()
        values = schedule.step(*args, target=target)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        walls.append(time.perf_counter() - start)
    gradients = {j: (m.theta.grad if m.theta.grad is not None else torch.zeros_like(m.theta)).detach().cpu().numpy()
                 for j, m in modules.items()}
    return {"gradients": gradients, "ops": list(log), "walls": walls[1:],
            "values": values.detach().cpu().numpy() if holds_last else None}


@record
def main(problem_path, out_dir):
    with open(problem_path, "rb") as file:
        problem = pickle.load(file)
    rank, world, local = (int(os.environ[name]) for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK"))
    ranks = {max(case["placement"]) + 1 for case in problem["cases"]}
    if ranks != {world}:
        raise UsageError(f"every case must place its stages on the {world} ranks, got {sorted(ranks)} ranks")
    cuda = problem["device"] == "cuda"
    device = torch.device("cuda", local) if cuda else torch.device("cpu")
    dist.init_process_group("nccl" if cuda else "gloo", timeout=timedelta(seconds=problem["timeout"]),
                            device_id=device if cuda else None)
    try:
        results = [_run(case, rank, device) for case in problem["cases"]]
    finally:
        dist.destroy_process_group()
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    with open(Path(out_dir) / f"rank{rank}.pkl", "wb") as file:
        pickle.dump(results, file)


if __name__ == "__main__":
    main(*sys.argv[1:])
