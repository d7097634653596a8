"""Per-call cost of the kernels on one dossier of 1 to 5 policies, the HTTP path's size."""

import numpy as np

from benchmarks.inputs import dossier_arrays, dossier_values, projection_dates
from benchmarks.timing import measure
from kernels.benefits import project, retirement_benefit
from kernels.indexation import index_salaries

MAX_POLICIES = 5


def _kernel_call(kernel, policies, rates, offsets, day, date_list):
    if kernel == "indexation":
        return index_salaries(policies, 0.03)
    if kernel == "retirement_benefit":
        return retirement_benefit(policies, rates, offsets, np.array([day], dtype=np.int64))
    return project(policies, rates, offsets, np.array(date_list, dtype=np.int64))


def measure_small_calls(kernels, n_dates: int) -> list[dict]:
    """Time each kernel's serial wrapper on dossiers of 1..5 policies.

    ``with_arrays_us`` includes building the policy, rate and offset arrays
    from Python values. ``kernel_only_us`` starts from ready arrays. Both
    include the wrapper's own allocations and building the day array.
    """
    day = 750_000
    date_list = projection_dates(n_dates).tolist()
    results = []
    for kernel in kernels:
        for n_policies in range(1, MAX_POLICIES + 1):
            values = dossier_values(n_policies)
            arrays = dossier_arrays(values)

            def from_values():
                policies, rates, offsets = dossier_arrays(values)
                return _kernel_call(kernel, policies, rates, offsets, day, date_list)

            with_arrays = measure(from_values)
            kernel_only = measure(lambda: _kernel_call(kernel, *arrays, day, date_list))
            results.append(
                {
                    "kernel": kernel,
                    "n_policies": n_policies,
                    "n_dates": n_dates if kernel == "projection" else 1,
                    "with_arrays_us": with_arrays["median_s"] * 1e6,
                    "with_arrays": with_arrays,
                    "kernel_only_us": kernel_only["median_s"] * 1e6,
                    "kernel_only": kernel_only,
                }
            )
    return results
