"""Loading and first-calling the Numba kernels off the request path."""

import logging
import threading
import time

import numpy as np

from kernels.layout import POLICY_DTYPE, single_dossier_offsets

log = logging.getLogger("pension_engine")


def warm_kernels() -> float:
    """Import every kernel module and call each kernel once on a tiny dossier; return the seconds taken.

    The kernels compile with ``cache=True``, so after the first run on a
    machine this loads machine code from Numba's cache instead of compiling.
    """
    started = time.perf_counter()
    from kernels import benefits, indexation, schedule

    policies = np.zeros(1, dtype=POLICY_DTYPE)
    offsets = single_dossier_offsets(1)
    rates = np.full(1, 0.02)
    days = np.zeros(1, dtype=np.int64)
    indexation.index_salaries(policies, 0.0)
    benefits.retirement_benefit(policies, rates, offsets, days)
    benefits.project(policies, rates, offsets, days)
    schedule.projection_days(1, 400, 12, 2)
    return time.perf_counter() - started


def warm_kernels_in_background() -> threading.Thread:
    """Start a daemon thread that warms the kernels, so a process serves requests at once."""

    def run() -> None:
        try:
            seconds = warm_kernels()
            log.debug("kernels ready after %.3f s", seconds)
        except Exception:  # a failed warm-up only delays the first kernel call, which retries the import
            log.exception("warming the kernels failed")

    thread = threading.Thread(target=run, name="kernel-warm-up", daemon=True)
    thread.start()
    return thread
