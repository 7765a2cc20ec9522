"""`pplimits report`: the PDF verification report.

Pages: a summary of every registered claim (label, status, tightest measured/bound ratio); per setting,
each claim typeset with its assumptions and sympy derivation, then the table of its checks; the pipeline
clock checks; the figures (convergence between the bound envelopes, the speed-up in depth, the bubbling
schedule, a page per schedule family, the regime map with its crossovers); provenance. Every expensive result goes
through the on-disk cache, so an interrupted report resumes, and the same inputs give a byte-identical PDF.
"""
import multiprocessing
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

import sympy as sp

from pplimits._util.checks import UsageError
from pplimits._util.files import require_writable, write_atomic
from pplimits._util.imports import import_object
from pplimits._util.provenance import provenance
from pplimits.bounds.registry import SETTINGS, registry
from pplimits.experiments.matrix import PPRS_SEED, RANDOM_SPAN_SEED, Profile
from pplimits.experiments.pep_pipeline import stale_against_lower
from pplimits.reports import engines, experiment
from pplimits.reports.cache import Cache, code_hash, fingerprint
from pplimits.reports.document import Document, written_by_us
from pplimits.reports.figures import convergence, gantt, regime, schedule_families, speedup, style
from pplimits.reports.verify import run_checks

FIGURES = (convergence, speedup, gantt, schedule_families, regime)
RECON_STATUS = "reconstructed — not verifiable as stated"
RELATION = {"lower": r"\geq", "upper": r"\leq", "ratio": "=", "order": r"= \Theta"}
SETTING_TITLES = {"smooth-convex": "Smooth convex", "strongly-convex": "Smooth strongly convex",
                  "smooth-nonconvex": "Smooth non-convex", "nonsmooth-convex": "Non-smooth convex (PPRS)"}


MATRIX_FIGURES = (convergence, speedup)  # the figures that measure the profile's matrix
QUIET = 5.0  # seconds: the longest a report's progress stream stays silent while a section computes


class Progress:
    """The report's progress stream: `section(name)` prints the section's start and seconds, and while it runs, a
    line naming it whenever nothing was written for QUIET seconds — so no silence lasts 10 s, even inside one long
    computation (a solve, a batch of seeded runs) that prints nothing itself."""

    def __init__(self, stream):
        self._stream = stream
        self._lock = threading.Lock()
        self._last = time.monotonic()
        self._line_open = False  # print() writes a line and its newline separately: never break in between

    def write(self, text: str) -> None:
        with self._lock:
            self._stream.write(text)
            self._last = time.monotonic()
            if text:
                self._line_open = not text.endswith("\n")

    def flush(self) -> None:
        self._stream.flush()

    @contextmanager
    def section(self, name: str):
        start = time.monotonic()
        print(f"[report] {name} …", file=self, flush=True)
        done = threading.Event()

        def beat():
            while not done.wait(QUIET / 5):
                with self._lock:
                    if time.monotonic() - self._last >= QUIET and not self._line_open:
                        self._stream.write(f"[report] {name}: still computing "
                                           f"({time.monotonic() - start:.0f} s)\n")
                        self._stream.flush()
                        self._last = time.monotonic()

        thread = threading.Thread(target=beat, daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()
        print(f"[report] {name}: done ({time.monotonic() - start:.1f} s)", file=self, flush=True)


@contextmanager
def _section(progress, name: str):
    """`progress.section(name)` where the report reports progress, else nothing."""
    if progress is None:
        yield
    else:
        with progress.section(name):
            yield


def _compute(name: str, profile: Profile, cache: Cache, progress=None) -> tuple[object, bool, float]:
    """(value, cache hit, seconds) of one of the report's computations that need nothing else of it: a figure's data
    (by its module's name) or "pep", the worst cases on the pipeline clock (a line per solve to `progress`)."""
    start = time.perf_counter()
    if name == "pep":
        value, hit = _pep_rows(profile, cache, progress)
    else:
        value, hit = _figure_data(next(m for m in FIGURES if m.__name__ == name), profile, cache, ())
    return value, hit, time.perf_counter() - start


def _compute_in_worker(name: str, profile: Profile, cache: Cache, progress: bool) -> tuple[object, bool, float]:
    """`_compute` in the worker process, its progress lines (if `progress`) on the worker's stderr."""
    return _compute(name, profile, cache, sys.stderr if progress else None)


class _Jobs:
    """The report's independent computations, handed to a worker process one at a time in order; this process
    computes a job itself when it needs one the worker has not been given yet, and while it waits on the one the
    worker is computing it takes the last queued jobs — so both cores work until the end. The same results either
    way (deterministic, cached the same way)."""

    def __init__(self, worker, names: list[str], profile: Profile, cache: Cache, progress):
        self._worker, self._profile, self._cache, self._progress = worker, profile, cache, progress
        self._queued = list(names)  # not given to the worker yet
        self._futures, self._here = {}, {}
        self._lock = threading.Lock()
        self._give()

    def _give(self, _finished=None) -> None:
        """Hand the worker the next queued job (called again as each one finishes)."""
        with self._lock:
            if not self._queued:
                return
            name = self._queued.pop(0)
            try:
                future = self._worker.submit(_compute_in_worker, name, self._profile, self._cache,
                                             self._progress is not None)
            except RuntimeError:  # the worker is shut down (the report is done or failed)
                self._queued.insert(0, name)
                return
            self._futures[name] = future
        future.add_done_callback(self._give)

    def __contains__(self, name: str) -> bool:
        return name in self._queued or name in self._futures or name in self._here

    def result(self, name: str) -> tuple[object, bool, float]:
        while True:
            with self._lock:
                if name in self._here:
                    return self._here[name]
                if name in self._queued:
                    self._queued.remove(name)
                    take = name
                elif self._futures[name].done() or not self._queued:
                    take = None
                else:
                    take = self._queued.pop()
            if take is None:
                return self._futures[name].result()
            self._here[take] = _compute(take, self._profile, self._cache, self._progress)


def _figure_data(module, profile: Profile, cache: Cache, user_methods: tuple[str, ...]):
    """(data, cache hit) of a figure: the matrix figures measure `profile`, the others need no parameters. With a
    user's methods the convergence figure is computed afresh, never cached: their code is not in the cache key."""
    name = f"figure-{module.__name__.rsplit('.', 1)[1]}"
    if module is convergence and user_methods:
        return convergence.data(profile, user_methods), False
    if module in MATRIX_FIGURES:
        return cache.get(name, fingerprint(profile), lambda: module.data(profile))
    return cache.get(name, {}, module.data)


def _figure_pages(doc: Document, pages: list, progress=None) -> None:
    """Draw each (title, draw, caption) page into `doc`, with a progress line per page."""
    for title, draw, caption in pages:
        start = time.perf_counter()
        doc.figure_page(title, draw, caption)
        if progress is not None:
            print(f"[page {doc.pages}] {title} ({time.perf_counter() - start:.1f} s)", file=progress, flush=True)


def figure_pages(module, data) -> list:
    """(title, draw(fig), caption) of each page a figure module fills: its `pages(data)` where it has several, else
    one page of TITLE, draw and caption."""
    if hasattr(module, "pages"):
        return module.pages(data)
    return [(module.TITLE, lambda fig: module.draw(data, fig), module.caption(data))]


def claim_status(claim, checks: list[dict]) -> str:
    """certified (exact) / verified / violated / not checked; RECON claims are never called verified."""
    if claim.label == "RECON":
        return RECON_STATUS
    if not checks:
        return "not checked"
    if any(not c["passed"] for c in checks):
        return "violated"
    uncertified = sum(c.get("certified") is False for c in checks)
    if uncertified:
        return f"verified (exact certificate failed for {uncertified} of {len(checks)})"
    return "certified (exact)" if all(c.get("certified") for c in checks) else "verified"


def tightest(checks: list[dict]) -> str:
    """The ratio closest to violation: min measured/bound of lower checks, max of upper ones."""
    parts = []
    lower = [c["ratio"] for c in checks if c["kind"] == "lower"]
    upper = [c["ratio"] for c in checks if c["kind"] == "upper"]
    if lower:
        parts.append(f"min {min(lower):.4g}")
    if upper:
        parts.append(f"max {max(upper):.4g}")
    parts += [f"Θ-consts {c['measured']:.3g}, {c['bound']:.3g}" for c in checks if c["kind"] == "order"]
    if any(c["kind"] == "equal" for c in checks):
        parts.append("exact")
    return "; ".join(parts) or "—"


def _lhs(claim) -> str:
    if claim.kind == "ratio":
        return r"\lim_{\varepsilon \to 0} T^{\rm upper}_\varepsilon / T^{\rm lower}_\varepsilon"
    if claim.quantity == "gap-at-iteration":
        return r"\min_{i \leq k} f(x_i) - f^\star" if claim.methods == "subgradient" else r"f(x_k) - f^\star"
    if claim.quantity == "gap-at-horizon":
        return r"\mathbb{E}\,f(\bar x_T) - f^\star"
    if claim.quantity == "gap-at-time":
        return r"\min_{s \leq t} \|\nabla f(x_s)\|" if claim.setting == "smooth-nonconvex" else r"f(x_t) - f^\star"
    return r"T_\varepsilon"


def _claim_section(doc: Document, claim, checks: list[dict]) -> None:
    doc.heading(f"{claim.id}   [{claim.label}]", level=3)
    doc.paragraph(f"{claim.statement}  Source: {claim.source}.  Methods: {claim.methods}.  "
                  f"Status: {claim_status(claim, checks)} ({len(checks)} checks).")
    latex = sp.latex(claim.expression)
    doc.formula(f"{_lhs(claim)} {RELATION[claim.kind]} " + (f"\\left({latex}\\right)" if claim.kind == "order" else latex),
                fallback=str(claim.expression), size=11.5)
    for assumption in claim.assumptions:
        doc.paragraph(f"• {assumption.text}", size=8, indent=0.25)
    for step, expression in claim.derivation:
        doc.paragraph(f"{step}:", size=7.5, indent=0.25, color="#333333")
        doc.formula(sp.latex(expression), fallback=str(expression), size=10, indent=0.5)


def _checks_table(doc: Document, checks: list[dict]) -> None:
    rows = [["PASS" if c["passed"] else "FAIL", c["id"], c["kind"], f"{c['measured']:.6g}", f"{c['bound']:.6g}",
             f"{c['ratio']:.4g}"] for c in checks]
    doc.table(["check", "", "kind", "measured", "bound", "ratio"], [[r[1], r[0], *r[2:]] for r in rows],
              [84, 4, 5, 11, 11, 8])


def _clock_table(doc: Document, checks: list[dict]) -> None:
    """One row per (schedule, duplex) mode: how many (Δ, B) pairs were compared, and the largest."""
    modes = defaultdict(list)
    for check in checks:
        modes[check["params"]["mode"]].append(check)
    rows = [[f"clock.makespan/{mode}", "PASS" if all(c["passed"] for c in found) else "FAIL", str(len(found)),
             str(max(c["params"]["depth"] for c in found)), str(max(c["params"]["B"] for c in found))]
            for mode, found in modes.items()]
    doc.table(["mode", "", "(Δ, B) pairs, simulated = closed form", "Δ up to", "B up to"], rows, [28, 4, 38, 8, 8],
              size=7)


def _claim_counts(statuses: dict[str, str]) -> str:
    """How many registered claims are verified, violated, not checkable (RECON) and never checked, naming the last."""
    kinds = {"verified": [], "violated": [], "recon": [], "unchecked": []}
    for claim_id, status in statuses.items():
        kind = ("violated" if status == "violated" else "recon" if status == RECON_STATUS else
                "unchecked" if status == "not checked" else "verified")
        kinds[kind].append(claim_id)
    certified = sum(status == "certified (exact)" for status in statuses.values())
    return (f"{len(statuses)} registered claims: {len(kinds['verified'])} verified ({certified} of them certified "
            f"exactly), {len(kinds['violated'])} violated, {len(kinds['recon'])} reconstructed (RECON, not checkable "
            f"as stated), {len(kinds['unchecked'])} never checked"
            + (f": {', '.join(kinds['unchecked'])}." if kinds["unchecked"] else "."))


def _empirical_claim() -> str:
    """The paper's empirical claim and what our recorded digits study says of it."""
    verdicts = []
    for task in ("few-shot", "adversarial"):
        record = experiment.load(task)
        if record is None:
            verdicts.append(f"{task}: not recorded")
            continue
        outcomes = [cell["verdict"][metric]["outcome"] for cell in record["cells"] for metric in ("loss", "accuracy")]
        wins, losses = (sum(o == word for o in outcomes) for word in ("PPRS wins", "PPRS loses"))
        verdicts.append(f"{task}: PPRS significantly better in {wins} and worse in {losses} of {len(outcomes)} "
                        "(cell, loss or accuracy) comparisons")
    return ("The paper's empirical claim (PAPER, abstract): PPRS beats GD and AGD on highly non-smooth problems with "
            "few samples. Our digits study (its own design; the paper's experiments are not available): "
            + "; ".join(verdicts) + ". See the study section.")


def _summary(doc: Document, result: dict, by_claim: dict, profile: Profile) -> None:
    doc.new_page()
    doc.paragraph("pplimits verification report", size=18, weight="bold")
    doc.paragraph("Theoretical Limits of Pipeline Parallel Optimization and Application to Distributed Deep "
                  "Learning (Colin, Dos Santos, Scaman, NeurIPS 2019): every registered claim, checked.", size=9)
    doc.paragraph(f"{profile.name.capitalize()} run: {len(result['checks'])} checks, {result['passed']} passed, "
                  f"{result['failed']} failed.", size=10, weight="bold",
                  color="#2ca02c" if result["failed"] == 0 else "#d62728")
    doc.paragraph("Status: verified = every check of the claim passed; violated = at least one failed; not checked "
                  f"= no check measures it; RECON claims are '{RECON_STATUS}'. Ratio = measured/bound, the tightest "
                  "over the claim's checks (lower bounds must stay ≥ 1, upper ≤ 1); Θ-consts = the two finite "
                  "positive constants of a Θ-shape check.", size=7.5)
    claims = registry()
    statuses = {c.id: claim_status(c, by_claim.get(c.id, [])) for c in claims.values()}
    doc.paragraph(_claim_counts(statuses), size=8.5)
    doc.paragraph(_empirical_claim(), size=8.5)
    rows = [[c.id, c.label, statuses[c.id], str(len(by_claim.get(c.id, []))),
             tightest(by_claim.get(c.id, []))] for c in claims.values()]
    families = sorted(k for k in by_claim if k not in claims)
    rows += [[k, "—", "verified" if all(c["passed"] for c in by_claim[k]) else "violated", str(len(by_claim[k])),
              tightest(by_claim[k])] for k in families]
    doc.table(["claim / check family", "label", "status", "checks", "tightest measured/bound"], rows,
              [44, 9, 39, 6, 36], size=6.4)


def _engine_clock(doc: Document) -> None:
    """The recorded clock validation of the real engines (reports/engines.py)."""
    record = engines.load()
    doc.heading("Pipeline engines: measured against the clock", level=2)
    if record is None:
        doc.paragraph("No measurement recorded: run `pplimits engines --validate-clock` (needs the [jax] and/or "
                      "[torch] extras) to record one.")
        return
    doc.paragraph(f"Every stage op sleeps {record['op_seconds'] * 1000:g} ms; the model time is the schedule's makespan "
                  f"in ops: its closed form, or where it has none pplimits' simulator on torch's own schedule IR (v "
                  f"stages per device, Δ = vP; DERIVED, docs/theory.md §1); target |measured/model − 1| ≤ {record['tolerance']:.0%}. "
                  f"Recorded measurement (wall time belongs to its machine): {record['provenance']['machine']}, "
                  f"revision {record['provenance']['revision'][:12]}, {record['provenance']['date']}.")
    doc.table(engines.HEADER, engines.rows(record), engines.WIDTHS, size=7)


def _pep_rows(profile: Profile, cache: Cache, progress=None) -> tuple[list[dict], bool]:
    """(rows, cache hit) of the worst cases on the pipeline clock (experiments/pep_pipeline.py); a progress line per
    solve."""
    settings = profile.pep_pipeline
    return cache.get("pep-pipeline", {"settings": [list(s) for s in settings]},
                     lambda: [stale_against_lower(depth, ticks, progress=progress) for depth, ticks in settings])


def _pep(doc: Document, rows: list[dict]) -> None:
    """Worst cases on the pipeline clock by performance estimation."""
    doc.heading("Worst cases on the pipeline clock (performance estimation)")
    doc.paragraph("Exact worst cases over all β-smooth convex f with ‖x₀ − x*‖ ≤ R (β = R = 1), by the PEP SDP of "
                  "bounds/pep (Clarabel). Stale-gradient pipeline: one step per tick with the gradient of the query "
                  "sent 2Δ ticks earlier, x_{k+1} = x_k − γ∇f(x_{k−s}), s = 2Δ − 1, at its best step γ = c/(β(s+1)), "
                  "c ∈ {1/4, 1/2, …, 2}; synchronous pipelined GD (step 1/β) has run ⌊t/(2Δ)⌋ iterations by tick t. "
                  "Measured statement: the stale-gradient pipeline stays at or above the pipelined lower bound "
                  "3βR²/(32(⌊t/(2Δ)⌋ + 1)²) (smooth-convex.lower.gap-at-time, DERIVED) at every tick checked — it does "
                  f"not beat the pipeline's limit ({sum(r['holds'] for r in rows)} of {len(rows)} rows hold).")
    table = [[str(r["depth"]), str(r["ticks"]), str(r["staleness"]), r["best_step"], f"{r['stale']:.5f}",
              f"{r['synchronous_gd']:.5f}", f"{r['lower']:.5f}", f"{r['stale'] / r['lower']:.2f}",
              "yes" if r["holds"] else "NO"] for r in rows]
    doc.table(["Δ", "tick t", "s", "best γ", "stale worst", "sync GD", "lower bound", "stale/lower", "holds"], table,
              [3, 6, 3, 7, 11, 9, 11, 11, 5], size=7)


STUDY_TITLES = {"few-shot": "Study: few-shot learning on digits", "adversarial": "Study: adversarial learning on digits"}


def _plus_minus(summary: dict, scale: float = 1.0) -> str:
    mean, half = summary["mean"][-1], summary["ci95"][-1]
    return "diverged" if mean is None else f"{scale * mean:.3f} ± {scale * half:.3f}"


def study_rows(record: dict, metric: str) -> list[list[str]]:
    """Per (Δ, shots): PPRS and the best other method at the budget (mean ± 95 % CI over seeds), the paired
    difference and the outcome."""
    rows = []
    for cell in record["cells"]:
        methods, verdict = cell["methods"], cell["verdict"]
        other = verdict["loss_baseline" if metric == "loss" else "accuracy_baseline"]
        paired = verdict[metric]
        difference = "—" if paired["mean"] is None else f"{paired['mean']:+.3f} ± {paired['ci95']:.3f}"
        rows.append([str(cell["depth"]), str(cell["shots"]), verdict["lowest_loss"] if metric == "loss" else
                     max(methods, key=lambda m: methods[m]["accuracy"]["mean"][-1] or 0.0),
                     _plus_minus(methods["pprs"][metric]), other, _plus_minus(methods[other][metric]), difference,
                     paired["outcome"]])
    return rows


def study_summary(record: dict, metric: str) -> str:
    """How many cells PPRS wins, loses, or ties (95 % paired interval), and where it wins."""
    outcomes = [(c["depth"], c["shots"], c["verdict"][metric]["outcome"]) for c in record["cells"]]
    count = {o: sum(1 for *_, x in outcomes if x == o) for o in ("PPRS wins", "PPRS loses",
                                                                 "no significant difference")}
    wins = ", ".join(f"Δ = {d}, {s} shot{'s' if s > 1 else ''}" for d, s, o in outcomes if o == "PPRS wins")
    return (f"{'Training loss' if metric == 'loss' else 'Held-out accuracy'} at equal pipeline time, PPRS against "
            f"the best other method of each cell: PPRS wins in {count['PPRS wins']} of {len(outcomes)} cells"
            f"{f' ({wins})' if wins else ''}, loses in {count['PPRS loses']}, and the 95 % paired interval contains "
            f"0 in {count['no significant difference']}.")


def _study(doc: Document, task: str, progress=None) -> None:
    """The recorded digits study (reports/measurements/TASK.json, written by `pplimits experiment`)."""
    record = experiment.load(task)
    doc.heading(STUDY_TITLES[task])
    if record is None:
        doc.paragraph(f"No study recorded: run `pplimits experiment {task} --out reports/measurements` (about a "
                      "quarter of an hour on two cores) to record one.")
        return
    plan = record["plan"]
    doc.paragraph("PPRS against GD, AGD, the subgradient method and GPipe mini-batch SGD. "
                  "Claim (PAPER, abstract): on highly non-smooth problems with few samples — few-shot or adversarial "
                  "learning — PPRS outperforms gradient descent and Nesterov's AGD. The paper's experimental setup "
                  "is not available; this study is ours (experiments/few_shot.py) and its numbers are MEASURED. "
                  f"Digits (scikit-learn, 8×8), {', '.join(map(str, plan['shots']))} images per class, residual ReLU "
                  f"network of width {plan['width']} and depth Δ ∈ {{{', '.join(map(str, plan['depths']))}}}, "
                  "multiclass hinge loss. Each method gets the pipeline time of "
                  f"{plan['budget']} full-batch gradients and {plan['configurations']} configurations, tuned on seeds "
                  f"{plan['tuning_seeds']} and measured on seeds {plan['seeds']}; PPRS's K ∈ "
                  f"{{{', '.join(f'{m:g}Δ' for m in plan['pprs_samples'])}}}. Values at the budget: mean ± 95 % "
                  "Student-t half-width; outcome from the paired (same seed) difference.")
    for metric in ("loss", "accuracy"):
        doc.paragraph(study_summary(record, metric), size=8.5)
        header = ["Δ", "shots", "best" if metric == "loss" else "most accurate", "PPRS", "best other", "its value",
                  "PPRS − other", "outcome"]
        doc.table(header, study_rows(record, metric), [3, 5, 13, 15, 13, 15, 16, 25], size=6.4)
    _figure_pages(doc, experiment.figure_pages(record), progress)


def _provenance(doc: Document, profile: Profile, user_methods: tuple[str, ...]) -> None:
    info = provenance()
    doc.heading("Provenance")
    lines = [f"command: pplimits report{' --quick' if profile.quick else ''}"
             + "".join(f" --method {method}" for method in user_methods),
             f"git revision: {info['revision']}", f"date (of the revision): {info['date']}",
             f"machine: {info['machine']}",
             "versions: " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()),
             f"code hash (cache key): {code_hash()}"]
    doc.paragraph("\n".join(lines), size=8, mono=True)
    doc.heading("Seeds", level=2)
    runs, theorem_d, figure = profile.random_span_runs, profile.theorem_d_seeds, profile.seeds_of
    seeds = [f"verify, random span methods: {runs} runs, run r from its own generator seeded {RANDOM_SPAN_SEED} + r "
             f"(seeds {RANDOM_SPAN_SEED} … {RANDOM_SPAN_SEED + runs - 1})",
             f"verify, Theorem D: PPRS seed {PPRS_SEED}, {theorem_d} runs (seeds {PPRS_SEED} … {PPRS_SEED + theorem_d - 1})",
             f"convergence figure: random span seeds {RANDOM_SPAN_SEED} … {RANDOM_SPAN_SEED + figure['random-span'] - 1}; "
             "PPRS seeds 0 … "
             f"{figure['pprs'] - 1}; PPRS-DRS seeds 0 … {figure['pprs-drs'] - 1}",
             f"speed-up figure: PPRS seeds 0 … {profile.speedup_seeds - 1}",
             "noise: counter-based Philox blocks keyed on (seed, iteration, query k, layer)"]
    doc.paragraph("\n".join(seeds), size=8, mono=True)


def build(profile: Profile, cache: Cache, progress=sys.stderr, user_methods: tuple[str, ...] = ()) -> tuple[bytes, int]:
    """The report's PDF bytes and its number of pages; a user's methods (PACKAGE.MODULE:NAME) join the convergence
    figure's smooth panels. Progress lines go to `progress` (None: silent), never 10 s apart.

    Both cores work: a worker process computes the figures' data and the PEP worst cases (`_Jobs`) while this one runs
    the checks and typesets the claims, then draws every page."""
    progress = None if progress is None else Progress(progress)
    style.apply()
    worker = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))  # a worker that dies: an error
    try:
        names = [m.__name__ for m in FIGURES if not (m is convergence and user_methods)]
        jobs = _Jobs(worker, names[:2] + ["pep"] + names[2:], profile, cache, progress)  # the costliest first
        return _build(profile, cache, progress, user_methods, jobs)
    finally:  # stop the worker now: after an error it may still be computing (Python 3.14: terminate_workers())
        worker.shutdown(wait=False, cancel_futures=True)
        for process in list((getattr(worker, "_processes", None) or {}).values()):
            process.terminate()


def _build(profile: Profile, cache: Cache, progress, user_methods: tuple[str, ...], jobs: dict) -> tuple[bytes, int]:
    """build's own part: the checks, the typeset claims, and every page, with the `jobs` it shares with the worker."""
    with _section(progress, "checks"):
        result = run_checks(profile, progress=progress, cache=cache)
    by_claim = defaultdict(list)
    for check in result["checks"]:
        by_claim[check["claim"]].append(check)
    doc = Document("pplimits verification report", kind="report", provenance=provenance())
    with _section(progress, "summary and claims, typeset"):
        _summary(doc, result, by_claim, profile)
        claims = registry()
        for setting in SETTINGS:
            doc.heading(SETTING_TITLES[setting])
            for claim in (c for c in claims.values() if c.setting == setting):
                _claim_section(doc, claim, by_claim.get(claim.id, []))
            doc.heading(f"Checks: {setting}", level=2)
            _checks_table(doc, [c for c in result["checks"] if c["setting"] == setting])
        doc.heading("The pipeline clock")
        doc.paragraph("Closed-form makespans (algorithms/clock.py, DERIVED, docs/theory.md §1) against the tick-by-tick "
                      "simulator (algorithms/timeline.py), which never uses the formulas; every simulated timeline is "
                      "validated (resources, dependencies, admission).")
        _clock_table(doc, by_claim["clock.makespan"])
        _engine_clock(doc)
    for number, module in enumerate(FIGURES, 1):
        with _section(progress, f"figure {number}/{len(FIGURES)}: {module.TITLE}"):
            if module.__name__ in jobs:
                data, hit, seconds = jobs.result(module.__name__)
            else:  # a user's methods: computed here, never cached
                start = time.perf_counter()
                (data, hit), seconds = _figure_data(module, profile, cache, user_methods), time.perf_counter() - start
            if progress is not None:
                print(f"[figure {number}/{len(FIGURES)}] data {'cached' if hit else f'computed ({seconds:.1f} s)'}",
                      file=progress, flush=True)
            _figure_pages(doc, figure_pages(module, data), progress)
    with _section(progress, "worst cases on the pipeline clock (PEP)"):
        rows, hit, seconds = jobs.result("pep")
        if progress is not None:
            print(f"[worst cases] {'cached' if hit else f'computed ({seconds:.1f} s)'}", file=progress, flush=True)
        _pep(doc, rows)
    for task in ("few-shot", "adversarial"):
        with _section(progress, STUDY_TITLES[task]):
            _study(doc, task, progress)
    _provenance(doc, profile, user_methods)
    with _section(progress, "PDF"):
        return doc.to_bytes(), doc.pages


def write_report(path, profile: Profile, cache: Cache, force: bool = False, progress=sys.stderr,
                 user_methods: tuple[str, ...] = ()) -> int:
    """Build the report and write it atomically to `path`; returns the number of pages.

    An existing file at `path` that is not a pplimits report is never overwritten unless `force`.
    """
    path = require_writable("out", path)
    if path.exists() and not force and not written_by_us(path, "report"):
        raise UsageError(f"out {path} exists and is not a pplimits report; choose another path or pass --force")
    for method in user_methods:  # importable, before any work
        import_object(method)
    cache.require_usable()
    pdf, pages = build(profile, cache, progress, user_methods)
    write_atomic(path, pdf)
    return pages
