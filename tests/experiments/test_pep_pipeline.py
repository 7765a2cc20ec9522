"""The report's worst cases on the pipeline clock (experiments/pep_pipeline.py): a progress line per PEP solve."""
import io

from pplimits.experiments.pep_pipeline import STEP_GRID, stale_against_lower


def test_a_progress_line_per_solve_and_the_same_row_without_one():
    progress = io.StringIO()
    row = stale_against_lower(1, 8, progress=progress)
    lines = progress.getvalue().splitlines()
    assert len(lines) == len(STEP_GRID) + 1  # a stale-gradient solve per step of the grid, then synchronous GD's
    assert all(line.startswith("[worst case Δ=1 t=8] ") for line in lines)
    assert [f"γ = {step}:" in line for line, step in zip(lines, row["steps"])] == [True] * len(STEP_GRID)
    assert "synchronous GD, N = 4" in lines[-1]
    assert stale_against_lower(1, 8) == row
