"""torchrun entry point of the torch pipeline engine: rank j runs stage j of each case's LayeredObjective.

    torchrun --standalone --nproc_per_node=Δ -m algorithms.engines.torch_worker PROBLEM OUTDIR

PROBLEM is a pickle {"device": "cpu" | "cuda", "timeout": seconds, "cases": [case, …]} written by
algorithms.engines.torch_engine; rank j writes OUTDIR/rank{j}.pkl: per case its gradient block, the merged
values (last rank), the ops it ran in order and the wall seconds of each timed schedule.step (numpy / floats).

Stage j is a float64 nn.Module holding θ_j. A micro-batch is one PPRS query: the flat activation row [k, a]
carries its index k, and the stage evaluates its own forward map at θ_j + γX_k⁽ʲ⁾ with
X_k⁽ʲ⁾ = algorithms.noise.gaussian_block(seed, iteration, k, j, size_j); its backward is the stage's own VJP
(the objective's subgradient conventions), the loss's subgradient seeding the last stage. The case's schedule,
ScheduleGPipe or Schedule1F1B, with K micro-batches, loss = the value itself and scale_grads=True (the summed
gradients divided by K) leaves G_j = (1/K) Σ_k ∇_j f(θ + γX_k) in θ_j.grad.
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
from torch.distributed.pipelining import PipelineStage, Schedule1F1B, ScheduleGPipe

from pplimits._util.checks import UsageError
from pplimits.algorithms.noise import gaussian_block

# worstcase.layered asks arrays for x.__array_namespace__(), which torch tensors lack: lend array-api-compat's.
SCHEDULES = {"gpipe": ScheduleGPipe, "1f1b": Schedule1F1B}  # pplimits' clock name: torch's class

if not hasattr(torch.Tensor, "__array_namespace__"):
    torch.Tensor.__array_namespace__ = lambda self, api_version=None: array_api_compat.torch


class _StageOp(torch.autograd.Function):
    """One stage op at a perturbed point: forward = stage.forward (then the loss at the last stage), backward =
    the stage's VJP, logged as ("B", k) and stalled op_seconds."""

    @staticmethod
    def forward(ctx, point, activations, stage, loss, k, log, op_seconds):
        outputs, saved = stage.forward(point, activations)
        ctx.stage, ctx.loss, ctx.k, ctx.log, ctx.op_seconds = stage, loss, k, log, op_seconds
        ctx.point, ctx.saved, ctx.outputs = point, saved, outputs
        return outputs if loss is None else loss.value(outputs)

    @staticmethod
    def backward(ctx, grad):
        if ctx.loss is not None:
            grad = ctx.loss.gradient(ctx.outputs) * grad[:, None, None]
        grad_params, grad_in = ctx.stage.backward(ctx.point, ctx.saved, grad)
        time.sleep(ctx.op_seconds)
        ctx.log.append(("B", ctx.k))
        return grad_params, grad_in if ctx.needs_input_grad[1] else None, None, None, None, None, None


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
        self.op_seconds, self.log = case["op_seconds"], []

    def forward(self, row):
        k = int(row[0, 0])
        activations = self.inputs if self.inputs is not None else row[:, 1:].reshape(1, *self.shape_in)
        out = _StageOp.apply((self.theta + self.noise[k])[None], activations, self.stage, self.loss, k, self.log,
                             self.op_seconds)
        time.sleep(self.op_seconds)
        self.log.append(("F", k))
        return out if self.loss is not None else torch.cat([row[:, :1], out.reshape(1, -1)], dim=1)


def _shapes(objective):
    """(rows, features) of the activations entering each stage, then of the last stage's output (numpy at x0)."""
    x, shapes = objective.data, [objective.data.shape]
    for stage, block in zip(objective.stages, objective.split(objective.x0)):
        x, _ = stage.forward(block, x)
        shapes.append(x.shape)
    return shapes


def _run(case, j, device):
    """Build stage j, run one warm-up and case["repeats"] timed schedule.step calls; the last one's results."""
    objective, samples = case["objective"], case["samples"]
    first, last, shapes = j == 0, j == objective.depth - 1, _shapes(objective)
    module = _Stage(objective, j, case, shapes, device)

    def example(shape):
        return torch.empty(shape, dtype=torch.float64, device=device)

    row_in = example((1, 1) if first else (1, 1 + int(np.prod(shapes[j])))).requires_grad_(not first)  # [k] first
    row_out = example((1,) if last else (1, 1 + int(np.prod(shapes[j + 1])))).requires_grad_()
    stage = PipelineStage(module, j, objective.depth, device, input_args=row_in, output_args=row_out)
    schedule = SCHEDULES[case["schedule"]](stage, samples, loss_fn=lambda values, target: values.sum(),
                                           scale_grads=True)
    queries = torch.arange(samples, dtype=torch.float64, device=device)[:, None]
    args, target = ((queries,) if first else ()), (queries if last else None)
    walls = []
    for _ in range(1 + case["repeats"]):
        module.theta.grad, module.log[:] = None, []
        dist.barrier()
        start = time.perf_counter()
        values = schedule.step(*args, target=target)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        walls.append(time.perf_counter() - start)
    grad = module.theta.grad if module.theta.grad is not None else torch.zeros_like(module.theta)
    return {"gradient": grad.detach().cpu().numpy(), "ops": list(module.log), "walls": walls[1:],
            "values": values.detach().cpu().numpy() if last else None}


@record
def main(problem_path, out_dir):
    with open(problem_path, "rb") as file:
        problem = pickle.load(file)
    rank, world, local = (int(os.environ[name]) for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK"))
    depths = {case["objective"].depth for case in problem["cases"]}
    if depths != {world}:
        raise UsageError(f"every case needs one rank per stage: depths {sorted(depths)}, {world} ranks")
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
