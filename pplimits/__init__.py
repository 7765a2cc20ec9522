"""pplimits: checked bounds for pipeline-parallel optimisation (Colin, Dos Santos, Scaman, NeurIPS 2019).

Subpackages, lowest layer first: `pplimits.bounds` (the claims registry, PEP certificates) and
`pplimits.worstcase` (hard instances), `pplimits.algorithms` (the pipeline clock, methods, engines),
`pplimits.experiments` (measurements and studies), `pplimits.reports` (verify, PDF report, gate),
`pplimits.cli` (the `pplimits` command; also `python -m pplimits`).
"""
__version__ = "0.2.0"
