"""The machine's memory-write limit: how fast a float64 array can be filled.

Two fills are timed on the same array: NumPy's ``fill`` on one thread, and
a Numba ``prange`` loop on all Numba threads. The faster one is the limit a
kernel writing an output of that size is compared with.
"""

import numba as nb
import numpy as np

from benchmarks.timing import measure


@nb.njit(cache=True, nogil=True, parallel=True)
def _parallel_fill(flat, value):
    for i in nb.prange(flat.shape[0]):
        flat[i] = value


def write_limit(array: np.ndarray) -> dict:
    """Measure fill rates of ``array`` (float64, C-contiguous; it is overwritten) in bytes/s."""
    flat = array.reshape(-1)
    flat.fill(0.0)  # first touch: page faults are not part of the limit
    serial = measure(lambda: flat.fill(1.0))
    parallel = measure(lambda: _parallel_fill(flat, 1.0))
    serial_rate = flat.nbytes / serial["median_s"]
    parallel_rate = flat.nbytes / parallel["median_s"]
    return {
        "bytes": int(flat.nbytes),
        "numpy_fill": {**serial, "bytes_per_s": serial_rate},
        "parallel_fill": {**parallel, "bytes_per_s": parallel_rate, "threads": nb.get_num_threads()},
        "limit_bytes_per_s": max(serial_rate, parallel_rate),
        "limit_method": "parallel_fill" if parallel_rate >= serial_rate else "numpy_fill",
    }
