"""Repeated timing of one call until the median is stable."""

import time

import numpy as np

MIN_REPEATS = 5
MIN_SECONDS = 0.2  # total measured time per measurement
MAX_REPEATS = 200_000


def measure(call, min_repeats: int = MIN_REPEATS, min_seconds: float = MIN_SECONDS) -> dict:
    """Time ``call()`` after one untimed warm-up call.

    Repeats until at least ``min_repeats`` calls and ``min_seconds`` of
    measured time. Returns seconds per call: median, quartiles, min, max,
    and the number of repeats.
    """
    call()
    times = []
    total = 0.0
    while len(times) < min_repeats or (total < min_seconds and len(times) < MAX_REPEATS):
        started = time.perf_counter()
        call()
        elapsed = time.perf_counter() - started
        times.append(elapsed)
        total += elapsed
    q1, median, q3 = np.percentile(times, [25, 50, 75])
    return {
        "median_s": float(median),
        "q1_s": float(q1),
        "q3_s": float(q3),
        "min_s": float(min(times)),
        "max_s": float(max(times)),
        "repeats": len(times),
    }
