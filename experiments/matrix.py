"""The experiment matrix: which instances, accuracies, depths, methods and seeds a run measures, as one value.

`verify`, the `gate`, the report's figures and its provenance page all read the same `Profile` (QUICK or FULL),
so the matrix is written once and cannot drift between them (benchopt's idiom: the matrix is data).
"""
from dataclasses import dataclass

from pplimits.experiments.measure import build_instance

SMOOTH_METHODS = ("gd", "agd", "heavy-ball")  # the deterministic span methods measured on smooth instances
NONSMOOTH_METHODS = ("subgradient",)  # … and on non-smooth ones
BENIGN_METHODS = ("gd", "agd")  # verify's methods on the benign (non-hard) instances
BENIGN_EPS = 1e-6
RANDOM_SPAN_SEED = 2019  # one numpy Generator with this seed draws every random span run
PPRS_SEED = 2019  # Theorem D's check and the gate's PPRS runs use seeds PPRS_SEED + r


@dataclass(frozen=True)
class Case:
    """One instance of the matrix at one accuracy: `build_instance(instance, eps, dim, params)`."""

    instance: str
    eps: float
    params: tuple[tuple[str, float], ...] = ()
    dim: int | None = None

    def build(self):
        return build_instance(self.instance, self.eps, self.dim, dict(self.params))

    @property
    def label(self) -> str:
        """The instance name with the parameters chosen for it, e.g. `random-quadratic[dim=30,mu=0,seed=0]`."""
        chosen = {**dict(self.params), **({} if self.dim is None else {"dim": self.dim})}
        return self.instance + (f"[{','.join(f'{k}={v:g}' for k, v in sorted(chosen.items()))}]" if chosen else "")


@dataclass(frozen=True)
class Profile:
    """Everything a verification run measures. `name` is "quick" or "full"."""

    name: str
    depths: tuple[int, ...]  # pipeline depths Δ of verify's and the gate's measurements
    hard: tuple[Case, ...]  # instances certifying the span lower bounds (sized for their ε)
    benign: tuple[Case, ...]  # instances with no lower bound claimed (verify: GD and AGD; gate: smooth methods)
    random_span_runs: int  # verify: random span methods per (instance, Δ)
    clock_depths: tuple[int, ...]  # verify: the clock's closed forms against the tick simulator …
    clock_batches: tuple[int, ...]  # … on this grid
    pep_iterations: tuple[int, ...]  # verify: tight claims against exact PEP worst cases at these N
    theorem_d_seeds: int  # verify: PPRS runs for Theorem D's check
    gate_pprs_seeds: int  # gate: PPRS runs for its mean gap
    convergence_seeds: tuple[tuple[str, int], ...]  # convergence figure: runs per randomised method
    speedup_depths: tuple[int, ...]  # speed-up figure: depths
    speedup_seeds: int  # speed-up figure: PPRS runs per depth
    pep_pipeline: tuple[tuple[int, int], ...]  # report: (Δ, tick t) of the stale-gradient pipeline worst cases

    @property
    def quick(self) -> bool:
        return self.name == "quick"

    @property
    def seeds_of(self) -> dict[str, int]:
        return dict(self.convergence_seeds)


def _benign(seeds: tuple[int, ...]) -> tuple[Case, ...]:
    return tuple(Case(name, BENIGN_EPS, (("seed", seed), (key, value)), dim)
                 for seed in seeds for value in (0.0, 0.05)
                 for name, dim, key in (("random-quadratic", 30, "mu"), ("logistic-regression", 10, "reg")))


def _hard(nesterov_eps, carmon_lengths, max_eps) -> tuple[Case, ...]:
    return (*(Case("nesterov-chain", eps) for eps in nesterov_eps),
            Case("strongly-convex-chain", 1e-6, (("mu", 0.01),)),
            *(Case("carmon-chain", 0.05, (("chain_length", length),)) for length in carmon_lengths),
            *(Case("max-function", eps) for eps in max_eps))


PEP_PIPELINE = ((1, 8), (1, 16), (2, 16), (2, 32), (4, 32))

QUICK = Profile(
    name="quick", depths=(4,), hard=_hard((1e-3,), (4,), (0.05,)), benign=_benign((0,)), random_span_runs=100,
    clock_depths=tuple(range(1, 6)), clock_batches=tuple(range(1, 7)), pep_iterations=(1, 2, 5),
    theorem_d_seeds=256, gate_pprs_seeds=64, convergence_seeds=(("random-span", 20), ("pprs", 32), ("pprs-drs", 16)),
    speedup_depths=(1, 4, 16, 64, 256), speedup_seeds=32, pep_pipeline=PEP_PIPELINE)

FULL = Profile(
    name="full", depths=(1, 4, 16), hard=_hard((1e-3, 3e-4), (4, 8), (0.05, 0.02)), benign=_benign((0, 1, 2)),
    random_span_runs=100, clock_depths=tuple(range(1, 9)), clock_batches=tuple(range(1, 13)),
    pep_iterations=(1, 2, 5, 10, 20), theorem_d_seeds=1024, gate_pprs_seeds=256,
    convergence_seeds=(("random-span", 100), ("pprs", 256), ("pprs-drs", 128)),
    speedup_depths=tuple(2**i for i in range(11)), speedup_seeds=256,
    pep_pipeline=PEP_PIPELINE + ((1, 32), (4, 64)))


def profile(quick: bool) -> Profile:
    return QUICK if quick else FULL
