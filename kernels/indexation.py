"""Salary indexation kernel.

Rule: a policy matches when every given filter is true (scheme equal AND
``employment_start < effective_before``); a matching salary becomes
``salary * (1 + percentage)``, clamped at 0.
"""

import numba as nb
import numpy as np

from kernels.layout import ANY_SCHEME, CLAMPED, INDEXED, NO_DATE_FILTER, NOT_FINITE, UNMATCHED
from kernels.variants import serial_and_parallel


def _index_salaries(policies, percentage, scheme, effective_before, new_salary, status):
    factor = 1.0 + percentage
    for i in nb.prange(policies.shape[0]):
        policy = policies[i]
        matches = (scheme == ANY_SCHEME or policy.scheme == scheme) and (
            policy.employment_start < effective_before
        )
        if not matches:
            new_salary[i] = policy.salary
            status[i] = UNMATCHED
            continue

        salary = policy.salary * factor
        if not np.isfinite(salary):
            new_salary[i] = salary
            status[i] = NOT_FINITE
        elif salary < 0.0:
            new_salary[i] = 0.0
            status[i] = CLAMPED
        else:
            # Adding 0.0 turns a -0.0 (0 * negative factor) into 0.0.
            new_salary[i] = salary + 0.0
            status[i] = INDEXED


_index_salaries_serial, _index_salaries_parallel = serial_and_parallel(_index_salaries)


def index_salaries(
    policies: np.ndarray,
    percentage: float,
    scheme: int = ANY_SCHEME,
    effective_before: int = NO_DATE_FILTER,
    *,
    parallel: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Compute indexed salaries without changing ``policies``.

    Parameters
    ----------
    policies : structured array of ``POLICY_DTYPE``, shape (n,)
    percentage : fraction, 0.03 for 3 %
    scheme : scheme code to match, or ``ANY_SCHEME``
    effective_before : day number; only policies starting before it match,
        ``NO_DATE_FILTER`` for no filter
    parallel : run the multi-threaded variant (bulk portfolios)

    Returns
    -------
    new_salary : float64 array, shape (n,); unmatched rows keep their salary
    status : int8 array, shape (n,), one of UNMATCHED, INDEXED, CLAMPED, NOT_FINITE
    """
    n = policies.shape[0]
    new_salary = np.empty(n, dtype=np.float64)
    status = np.empty(n, dtype=np.int8)
    kernel = _index_salaries_parallel if parallel else _index_salaries_serial
    kernel(policies, float(percentage), np.int32(scheme), np.int64(effective_before), new_salary, status)
    return new_salary, status
