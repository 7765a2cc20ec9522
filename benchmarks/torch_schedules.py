"""Record pplimits' verdicts on torch's own schedule IRs (every class torch offers, a grid of P, B, v and two cost
models) in reports/measurements/torch-schedules.json, atomically, and print the table the README shows (P = 4, B = 8).

    .venv/bin/python benchmarks/torch_schedules.py [--out PATH]
"""
import argparse
import time

from pplimits.experiments.torch_schedules import RECORD, measure, record, table

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=RECORD)
    args = parser.parse_args()
    start = time.perf_counter()
    result = measure()
    written = record(result, args.out)
    counts = {}
    for found in result["cells"]:
        counts[found["verdict"]] = counts.get(found["verdict"], 0) + 1
    print(table(result))
    print(f"{len(result['cells'])} cells {counts}, written to {written} ({time.perf_counter() - start:.1f} s)")
