"""A torch model's pipeline stages and their measured op costs, for `pplimits regime --model PACKAGE.MODULE:NAME`.

The model is an `nn.Sequential` (its children are the stages), a list of stage modules, or a zero-argument function
returning either. `profile` reads d (trainable parameters, each counted once), Δ (stages) and the parameters per
stage, then times each stage's forward and backward (torch.autograd.backward with a gradient of ones, i.e. the
loss sum(outputs)) on the device at hand: WARMUP untimed runs, then the median of REPEATS, the runs taken in turn
over the stages. Each stage runs on the output of the one before (from one untimed pass through the whole model,
which also checks the input fits).

The pipeline clock is synchronous (algorithms/clock.py): every stage's forward takes as long as the slowest
stage's and every backward as the slowest backward, so `ModelProfile.costs` is (max_s f_s, max_s b_s) — an upper
bound on the makespan of unequal stages — and `balanced_costs` the same total split evenly.

torch is imported only when a model is asked for, so the core works without the [torch] extra.
"""
import statistics
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, TextIO

from pplimits._util.checks import UsageError
from pplimits._util.imports import import_object
from pplimits.algorithms.clock import Costs

WARMUP, REPEATS = 3, 11
MAX_INPUT_ELEMENTS = 2**28  # 1 GiB of float32: refused before anything is allocated


def require_torch():
    """torch, or a UsageError saying how to install it."""
    try:
        import torch
    except ImportError:
        raise UsageError("model needs torch, the [torch] extra: pip install 'pplimits[torch]'") from None
    return torch


def parse_shape(text) -> tuple[int, ...]:
    """`--input-shape 32,512` as (32, 512): positive integers, at most MAX_INPUT_ELEMENTS elements in all."""
    parts = str(text).split(",")
    if not all(part.strip().isdigit() and int(part) > 0 for part in parts):  # isdigit: no sign, no exponent
        raise UsageError(f"input-shape must be positive integers separated by commas (e.g. 32,512: a micro-batch "
                         f"of 32 inputs of width 512), got {str(text)!r}")
    shape = tuple(int(part) for part in parts)
    elements = 1
    for size in shape:
        elements *= size
        if elements > MAX_INPUT_ELEMENTS:
            raise UsageError(f"input-shape {str(text)!r} has more than {MAX_INPUT_ELEMENTS} elements (2^28, 1 GiB "
                             "of float32), the most pplimits allocates for one micro-batch")
    return shape


@dataclass(frozen=True)
class Stage:
    """One stage: its position (1-based), a name (its key in the Sequential where one was given, and its class)
    and the trainable parameters it holds."""
    index: int
    name: str
    params: int


@dataclass(frozen=True)
class StageCost:
    """A stage and its measured medians: forward and backward seconds of one micro-batch."""
    stage: Stage
    forward: float
    backward: float

    @property
    def total(self) -> float:
        return self.forward + self.backward


@dataclass(frozen=True)
class ModelProfile:
    """What `regime --model` measured: the model's stages with their costs, d, the device, the input and how."""
    path: str
    stages: tuple[StageCost, ...]
    dim: int
    device: str
    input_shape: tuple[int, ...]
    input_from: str  # "--input-shape" or "example_input"
    warmup: int
    repeats: int
    seconds: float  # wall-clock time of the measurement (the untimed pass, warm-up and timed runs)
    load_seconds: float  # wall-clock time to import torch and the model and count its parameters
    threads: int | None = None  # torch's CPU threads, on a CPU

    @property
    def depth(self) -> int:
        return len(self.stages)

    @property
    def costs(self) -> Costs:
        """The synchronous clock's op costs in seconds: the slowest stage's forward and the slowest backward."""
        return Costs(f=_exact(max(s.forward for s in self.stages)), b=_exact(max(s.backward for s in self.stages)))

    @property
    def balanced_costs(self) -> Costs:
        """The op costs of a perfectly balanced split of the same model: the mean forward and mean backward."""
        return Costs(f=sum(_exact(s.forward) for s in self.stages) / self.depth,
                     b=sum(_exact(s.backward) for s in self.stages) / self.depth)

    @property
    def slowest(self) -> StageCost:
        """The stage with the largest forward + backward (the first on a tie)."""
        return max(self.stages, key=lambda s: (s.total, -s.stage.index))

    @property
    def share(self) -> float:
        """The slowest stage's share of the whole model's forward + backward time."""
        return self.slowest.total / sum(s.total for s in self.stages)


def _exact(seconds: float) -> Fraction:
    return Fraction(repr(float(seconds)))


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".rstrip(": ")


def load_model(path: str):
    """(the stages as (key, module) pairs, the object `example_input` may hang on) of the model at `path`."""
    torch = require_torch()
    nn = torch.nn
    found = import_object(path, "model")
    holders = [found]
    if callable(found) and not isinstance(found, (nn.Module, list, tuple)):
        try:
            made = found()
        except Exception as error:  # the user's factory failed: their code
            raise UsageError(f"model {path!r}: calling it with no arguments raised {_first_line(error)}") from None
        holders.insert(0, made)
    else:
        made = found
    if isinstance(made, nn.Sequential):
        stages = list(made.named_children())
    elif isinstance(made, (list, tuple, nn.ModuleList)):
        stages = [(str(i), module) for i, module in enumerate(made)]
    else:
        raise UsageError(f"model {path!r} must be an nn.Sequential, a list of stage modules or a function returning "
                         f"one, got {type(made).__name__}")
    if not stages:
        raise UsageError(f"model {path!r} has no stages (an empty {type(made).__name__})")
    for index, (_, module) in enumerate(stages, 1):
        if not isinstance(module, nn.Module):
            raise UsageError(f"model {path!r}: stage {index} is a {type(module).__name__}, not a torch.nn.Module")
    example = next((getattr(h, "example_input") for h in holders if hasattr(h, "example_input")), None)
    return stages, example


def count_parameters(stages) -> tuple[int, tuple[Stage, ...]]:
    """d (trainable parameters, a tensor shared between stages counted once) and each stage, with the trainable
    parameters it holds."""
    seen, dim, found = set(), 0, []
    for index, (key, module) in enumerate(stages, 1):
        own = [p for p in module.parameters() if p.requires_grad]
        for p in own:
            if id(p) not in seen:
                seen.add(id(p))
                dim += p.numel()
        kind = type(module).__name__
        found.append(Stage(index, kind if key == str(index - 1) else f"{key} ({kind})", sum(p.numel() for p in own)))
    return dim, tuple(found)


def default_device() -> str:
    torch = require_torch()
    return "cuda" if torch.cuda.is_available() else "cpu"


def example_tensor(shape: tuple[int, ...] | None, example):
    """(the micro-batch the stages are timed on, its shape, where it came from): a float32 normal tensor of
    `shape` when given, else the model's `example_input` (a tensor, or a shape)."""
    torch = require_torch()
    if shape is None and example is None:
        raise UsageError("input-shape is required (e.g. --input-shape 32,512: one micro-batch) unless the model "
                         "has an example_input attribute")
    if shape is None and not isinstance(example, torch.Tensor):
        shape = parse_shape(",".join(str(s) for s in example) if isinstance(example, (tuple, list)) else example)
        source = "example_input"
    elif shape is None:
        return example, tuple(example.shape), "example_input"
    else:
        source = "--input-shape"
    generator = torch.Generator().manual_seed(0)
    return torch.randn(shape, generator=generator), shape, source


def profile(path: str, input_shape: tuple[int, ...] | None = None, *, device: str | None = None,
            timer: Callable[[], float] = time.perf_counter, warmup: int = WARMUP, repeats: int = REPEATS,
            progress: TextIO | None = None) -> ModelProfile:
    """Load the model at `path` and measure it (see the module docstring); `timer` is injectable for tests."""
    start = time.perf_counter()
    stages, example = load_model(path)
    tensor, shape, source = example_tensor(input_shape, example)
    dim, described = count_parameters(stages)
    if dim == 0:
        raise UsageError(f"model {path!r} has no trainable parameters: nothing to optimise")
    device = device or default_device()
    loaded = time.perf_counter()
    forward, backward = measure([m for _, m in stages], tensor, path=path, shape=shape, source=source, device=device,
                                timer=timer, warmup=warmup, repeats=repeats, progress=progress)
    costs = tuple(StageCost(s, f, b) for s, f, b in zip(described, forward, backward))
    if max(c.forward for c in costs) <= 0 or max(c.backward for c in costs) <= 0:
        raise UsageError(f"model {path!r}: every stage's forward or backward measured 0 s (below the timer's "
                         "resolution): give a larger --input-shape")
    threads = require_torch().get_num_threads() if device == "cpu" else None
    return ModelProfile(path, costs, dim, device, shape, source, warmup, repeats, time.perf_counter() - loaded,
                        loaded - start, threads)


def _chain(modules, x):
    for module in modules:
        x = module(x)
    return x


def measure(modules, example, *, path: str, shape, source: str, device: str = "cpu",
            timer: Callable[[], float] = time.perf_counter, warmup: int = WARMUP, repeats: int = REPEATS,
            progress: TextIO | None = None) -> tuple[list[float], list[float]]:
    """Each module's median forward and backward seconds on its input (the previous one's output)."""
    torch = require_torch()
    try:
        modules = [m.to(device) for m in modules]
        x = example.to(device)
    except Exception as error:
        raise UsageError(f"model {path!r}: moving it to {device} raised {_first_line(error)}") from None
    synchronize = torch.cuda.synchronize if torch.device(device).type == "cuda" else (lambda: None)

    def now() -> float:
        synchronize()
        return timer()

    inputs = []
    for index, module in enumerate(modules, 1):  # one untimed pass: every stage's input, and the input checked
        inputs.append(x)
        try:
            with torch.no_grad():
                x = module(x)
        except Exception as error:  # the input does not fit the model, or the user's forward failed
            raise UsageError(f"model {path!r} on an input of shape {shape} ({source}): stage {index} "
                             f"({type(module).__name__}) raised {_first_line(error)}") from None
        if not isinstance(x, torch.Tensor):
            raise UsageError(f"model {path!r}: stage {index} returned a {type(x).__name__}, not a tensor (each stage "
                             "must map one tensor to the next)")
    try:  # a warm-up of the whole model with its backward: lazy initialisation is not timed in stage 1
        torch.autograd.backward(_chain(modules, inputs[0]), torch.ones_like(x))
    except Exception:  # a stage without a backward is named below
        pass
    if progress is not None:
        print(f"measuring {len(modules)} stages on {device}: {warmup} warm-up and {repeats} timed forward and "
              "backward runs each", file=progress, flush=True)
    trainable = [any(p.requires_grad for p in module.parameters()) for module in modules]
    times = [([], []) for _ in modules]
    for run in range(warmup + repeats):  # round robin over the stages: a burst of load on a shared machine
        for index, module in enumerate(modules, 1):  # falls on every stage alike, and the median drops it
            given = inputs[index - 1].detach()
            if given.is_floating_point() and (index > 1 or not trainable[index - 1]):  # stage 1: no input gradient
                given.requires_grad_(True)
            t0 = now()
            y = module(given)
            t1 = now()
            if not y.requires_grad:
                raise UsageError(f"model {path!r}: stage {index}'s output depends on no trainable parameter and no "
                                 "input that has a gradient: it has no backward")
            t2 = now()
            torch.autograd.backward(y, torch.ones_like(y))
            t3 = now()
            if run >= warmup:
                times[index - 1][0].append(t1 - t0)
                times[index - 1][1].append(t3 - t2)
        if progress is not None and progress.isatty():
            total = warmup + repeats
            print(f"\r  run {run + 1}/{total}", end="" if run + 1 < total else "\n", file=progress, flush=True)
    for module in modules:
        for p in module.parameters():
            p.grad = None
    forward = [statistics.median(f) for f, _ in times]
    backward = [statistics.median(b) for _, b in times]
    return forward, backward

