"""Time the first call of every kernel variant in a fresh process; print JSON.

Run as ``python -m benchmarks.compile_probe`` with ``NUMBA_CACHE_DIR`` set:
an empty directory gives the cold compile time, a directory filled by an
earlier run gives the time to load machine code from Numba's cache.
"""

import json
import time

import numpy as np

from kernels.layout import POLICY_DTYPE, single_dossier_offsets


def main() -> None:
    timings = {}
    started = time.perf_counter()
    from kernels import benefits, indexation

    timings["import_s"] = time.perf_counter() - started

    policies = np.zeros(2, dtype=POLICY_DTYPE)
    rates = np.full(2, 0.02)
    offsets = single_dossier_offsets(2)
    days = np.array([740_000], dtype=np.int64)
    calls = {
        "indexation": lambda parallel: indexation.index_salaries(policies, 0.03, parallel=parallel),
        "retirement_benefit": lambda parallel: benefits.retirement_benefit(
            policies, rates, offsets, days, parallel=parallel
        ),
        "projection": lambda parallel: benefits.project(policies, rates, offsets, days, parallel=parallel),
    }
    for name, call in calls.items():
        for variant, parallel in (("serial", False), ("parallel", True)):
            first = time.perf_counter()
            call(parallel)
            timings[f"{name}_{variant}_s"] = time.perf_counter() - first
    timings["total_s"] = time.perf_counter() - started
    print(json.dumps(timings))


if __name__ == "__main__":
    main()
