"""pytest-benchmark timings of the kernels, for comparison across commits.

Run with ``pytest benchmarks/test_kernels_benchmark.py --benchmark-only``
(add ``--benchmark-autosave`` and later ``--benchmark-compare``). The main
test run does not collect this file because its test paths are ``tests/``.
"""

import numpy as np
import pytest

from benchmarks.cases import IMPLEMENTATIONS, KERNELS, calls
from benchmarks.inputs import dossier_arrays, dossier_values, generate_portfolio, projection_dates
from kernels.benefits import project

N_DATES = 21
SIZES = (1_000, 100_000)


@pytest.fixture(scope="module", params=SIZES, ids=lambda size: f"{size}-policies")
def portfolio(request):
    return generate_portfolio(request.param)


@pytest.mark.parametrize("implementation", [name for name in IMPLEMENTATIONS if name != "python"])
@pytest.mark.parametrize("kernel", KERNELS)
def test_kernel(benchmark, portfolio, kernel, implementation):
    dates = projection_dates(N_DATES)
    out = np.zeros((portfolio.n_policies, N_DATES))
    benchmark.extra_info["n_policies"] = portfolio.n_policies
    benchmark(calls(kernel, implementation, portfolio, dates, out))


@pytest.mark.parametrize("n_policies", [1, 5])
def test_projection_one_dossier_from_values(benchmark, n_policies):
    values = dossier_values(n_policies)
    dates = projection_dates(N_DATES).tolist()

    def run():
        policies, rates, offsets = dossier_arrays(values)
        return project(policies, rates, offsets, np.array(dates, dtype=np.int64))

    benchmark(run)
