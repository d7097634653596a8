"""Facts about the machine and the libraries a benchmark ran with."""

import json
import os
import platform
import subprocess
import sys
import tempfile

import numba as nb
import numpy as np


def cpu_model() -> str:
    """Return the first ``model name`` of /proc/cpuinfo, or the platform's processor string."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_bytes() -> int | None:
    """Return the total memory from /proc/meminfo, or None where it cannot be read."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def describe() -> dict:
    """Return the CPU, core and thread counts, memory and library versions.

    Call it after a parallel kernel ran, so Numba's threading layer is known.
    """
    try:
        layer = nb.threading_layer()
    except ValueError:  # no parallel kernel has run yet in this process
        layer = "not initialised"
    return {
        "cpu_model": cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory_bytes": memory_bytes(),
        "numba_threads": nb.get_num_threads(),
        "numba_threading_layer": layer,
        "numba_version": nb.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "platform": platform.platform(),
        # Other processes on the machine disturb the timings; this shows how busy it was.
        "load_average_1_5_15_min": list(os.getloadavg()),
    }


def compile_times() -> dict:
    """Time the first call of every kernel variant in two fresh processes sharing an empty cache directory.

    The first process compiles (cold); the second loads from the cache it left (warm).
    """
    results = {}
    with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache_dir:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir}
        for run in ("cold", "cached"):
            completed = subprocess.run(
                [sys.executable, "-m", "benchmarks.compile_probe"],
                env=env,
                capture_output=True,
                text=True,
                check=True,
                timeout=600,
            )
            results[run] = json.loads(completed.stdout.strip().splitlines()[-1])
    return results
