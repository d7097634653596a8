"""Timed calls of each kernel implementation on one portfolio, and the work each call does.

Knowing the output bytes and policy-dates of a call makes throughputs of
different implementations and sizes comparable.
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np

from benchmarks import formulations
from benchmarks.inputs import Portfolio
from kernels.benefits import project, retirement_benefit
from kernels.indexation import index_salaries

KERNELS = ("indexation", "retirement_benefit", "projection")
IMPLEMENTATIONS = ("numba_parallel", "numba_serial", "numpy", "python")
INDEXATION_PERCENTAGE = 0.03
INDEXATION_SCHEME = 1
INDEXATION_BEFORE = 737_000  # 2018-11-04 as a day number


@dataclass
class Work:
    """Output bytes and policy-dates (one policy at one date) of one kernel call."""

    output_bytes: int
    policy_dates: int


def work_of(kernel: str, portfolio: Portfolio, n_dates: int) -> Work:
    """Return the output size and policy-date count of ``kernel`` on ``portfolio``."""
    n = portfolio.n_policies
    if kernel == "indexation":
        return Work(n * (8 + 1), n)  # float64 salary and int8 status per policy
    if kernel == "retirement_benefit":
        return Work(n * 8 + portfolio.n_dossiers * 8, n)  # pension per policy, total years per dossier
    return Work(n * n_dates * 8, n * n_dates)


def calls(kernel: str, implementation: str, portfolio: Portfolio, dates: np.ndarray, out: np.ndarray) -> Callable:
    """Return a zero-argument call running ``implementation`` of ``kernel``.

    The Numba projection writes into ``out``, a float64 array of shape
    (n_policies, n_dates) touched beforehand, as a bulk caller reusing its
    output does. Conversions to Python lists happen here, outside the call.
    """
    policies, rates, offsets, days = portfolio.policies, portfolio.rates, portfolio.offsets, portfolio.retirement_days
    index_arguments = (INDEXATION_PERCENTAGE, INDEXATION_SCHEME, INDEXATION_BEFORE)

    if implementation.startswith("numba"):
        parallel = implementation == "numba_parallel"
        if kernel == "indexation":
            return lambda: index_salaries(policies, *index_arguments, parallel=parallel)
        if kernel == "retirement_benefit":
            return lambda: retirement_benefit(policies, rates, offsets, days, parallel=parallel)
        return lambda: project(policies, rates, offsets, dates, parallel=parallel, out=out)

    if implementation == "numpy":
        if kernel == "indexation":
            return lambda: formulations.numpy_index_salaries(policies, *index_arguments)
        if kernel == "retirement_benefit":
            return lambda: formulations.numpy_retirement_benefit(policies, rates, offsets, days)
        return lambda: formulations.numpy_project(policies, rates, offsets, dates)

    rows, rate_list, offset_list = formulations.python_lists(policies, rates, offsets)
    if kernel == "indexation":
        return lambda: formulations.python_index_salaries(rows, *index_arguments)
    if kernel == "retirement_benefit":
        day_list = days.tolist()
        return lambda: formulations.python_retirement_benefit(rows, rate_list, offset_list, day_list)
    date_list = dates.tolist()
    return lambda: formulations.python_project(rows, rate_list, offset_list, date_list)


def check_agreement(kernel: str, implementation: str, call: Callable, reference: Callable) -> None:
    """Raise AssertionError unless ``call()`` returns what ``reference()`` returns, within 1e-9 relative."""
    result = call()
    expected = reference()
    if kernel == "projection":
        result, expected = (result,), (np.array(expected, copy=True),)
    for got, want in zip(result, expected):
        np.testing.assert_allclose(
            np.asarray(got, dtype=np.float64),
            np.asarray(want, dtype=np.float64),
            rtol=1e-9,
            atol=0.0,
            err_msg=f"{implementation} {kernel} disagrees with Numba serial",
        )
