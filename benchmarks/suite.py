"""Time every kernel implementation over a range of portfolio sizes."""

import gc
import logging

import numpy as np

from benchmarks.cases import IMPLEMENTATIONS, KERNELS, calls, check_agreement, work_of
from benchmarks.inputs import generate_portfolio, projection_dates
from benchmarks.memory import write_limit
from benchmarks.timing import measure

log = logging.getLogger("pension_engine")

PYTHON_MAX_POLICIES = 10_000  # pure Python projects 10^4 policies in about 0.15 s per call
CHECK_MAX_POLICIES = 1_000_000  # larger sizes skip the agreement check to save memory and time


def measure_size(n_policies: int, n_dates: int, seed: int) -> tuple[list[dict], dict]:
    """Measure all kernels and implementations on one generated portfolio.

    Returns the measurements and the write limits: ``projection`` for a
    float64 array of shape (n_policies, n_dates), ``per_policy`` for a float64
    array of n_policies elements.
    """
    portfolio = generate_portfolio(n_policies, seed)
    dates = projection_dates(n_dates)
    out = np.empty((n_policies, n_dates), dtype=np.float64)
    limits = {"projection": write_limit(out), "per_policy": write_limit(np.empty(n_policies))}

    measurements = []
    for kernel in KERNELS:
        work = work_of(kernel, portfolio, n_dates)
        limit = limits["projection" if kernel == "projection" else "per_policy"]["limit_bytes_per_s"]
        reference = calls(kernel, "numba_serial", portfolio, dates, np.empty_like(out))
        for implementation in IMPLEMENTATIONS:
            if implementation == "python" and n_policies > PYTHON_MAX_POLICIES:
                continue
            call = calls(kernel, implementation, portfolio, dates, out)
            if n_policies <= CHECK_MAX_POLICIES and implementation != "numba_serial":
                check_agreement(kernel, implementation, call, reference)

            timing = measure(call)
            seconds = timing["median_s"]
            measurements.append(
                {
                    "kernel": kernel,
                    "implementation": implementation,
                    "n_policies": n_policies,
                    "n_dossiers": portfolio.n_dossiers,
                    "n_dates": n_dates if kernel == "projection" else 1,
                    "output_bytes": work.output_bytes,
                    "policy_dates": work.policy_dates,
                    **timing,
                    "output_bytes_per_s": work.output_bytes / seconds,
                    "policy_dates_per_s": work.policy_dates / seconds,
                    "write_limit_bytes_per_s": limit,
                    "fraction_of_write_limit": work.output_bytes / seconds / limit,
                }
            )
            log.info("%s %s %d policies: %.6f s", kernel, implementation, n_policies, seconds)
            gc.collect()
    return measurements, limits


def sizes_up_to(max_size: int) -> list[int]:
    """Return 10, 100, ... up to ``max_size`` policies, plus ``max_size`` itself when not a power of 10."""
    sizes = []
    size = 10
    while size <= max_size:
        sizes.append(size)
        size *= 10
    if not sizes or sizes[-1] != max_size:
        sizes.append(max_size)
    return sizes
