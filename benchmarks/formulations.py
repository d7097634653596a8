"""The kernels' maths written as plain NumPy and as pure Python, for comparison.

Both follow the formulas of ``kernels.indexation`` and ``kernels.benefits``
and return the same arrays as the kernel wrappers. The NumPy versions are
vectorised over whole portfolios: one array operation per formula step,
segment sums with ``np.add.reduceat`` or ``np.bincount``.
"""

import numpy as np

from kernels.layout import ANY_SCHEME, CLAMPED, DAYS_PER_YEAR, INDEXED, NOT_FINITE, UNMATCHED


def numpy_index_salaries(policies, percentage, scheme=ANY_SCHEME, effective_before=np.iinfo(np.int64).max):
    """Return ``(new_salary, status)`` like ``kernels.indexation.index_salaries``."""
    salary = policies["salary"]
    matches = policies["employment_start"] < effective_before
    if scheme != ANY_SCHEME:
        matches &= policies["scheme"] == scheme

    indexed = salary * (1.0 + percentage)
    finite = np.isfinite(indexed)
    negative = indexed < 0.0
    new_salary = np.where(matches, np.where(negative, 0.0, indexed + 0.0), salary)
    status = np.full(salary.shape[0], UNMATCHED, dtype=np.int8)
    status[matches] = INDEXED
    status[matches & negative] = CLAMPED
    status[matches & ~finite] = NOT_FINITE
    return new_salary, status


def numpy_retirement_benefit(policies, rates, offsets, days):
    """Return ``(pension, total_years)`` like ``kernels.benefits.retirement_benefit``."""
    n_dossiers = offsets.shape[0] - 1
    dossier_of_row = np.repeat(np.arange(n_dossiers), np.diff(offsets))
    years = np.maximum(0.0, (days[dossier_of_row] - policies["employment_start"]) / DAYS_PER_YEAR)
    total_years = np.bincount(dossier_of_row, years, minlength=n_dossiers)
    earned = policies["salary"] * policies["part_time_factor"] * years
    weighted = np.bincount(dossier_of_row, earned, minlength=n_dossiers)
    average = np.divide(weighted, total_years, out=np.zeros(n_dossiers), where=total_years != 0.0)
    pension = average[dossier_of_row] * years * rates
    return pension, total_years


def numpy_project(policies, rates, offsets, dates):
    """Return the (n_policies, n_dates) projection like ``kernels.benefits.project``."""
    starts = offsets[:-1]
    non_empty = starts[np.diff(offsets) > 0]  # reduceat needs strictly increasing segment starts
    dossier_of_row = np.repeat(np.arange(non_empty.shape[0]), np.diff(np.append(non_empty, policies.shape[0])))

    years = np.maximum(0.0, (dates[None, :] - policies["employment_start"][:, None]) / DAYS_PER_YEAR)
    total_years = np.add.reduceat(years, non_empty, axis=0)
    earnings = (policies["salary"] * policies["part_time_factor"])[:, None]
    weighted = np.add.reduceat(earnings * years, non_empty, axis=0)
    average = np.divide(weighted, total_years, out=np.zeros_like(weighted), where=total_years != 0.0)
    return average[dossier_of_row] * years * rates[:, None]


def python_lists(policies, rates, offsets):
    """Convert arrays to the Python lists the pure-Python versions take (not part of their timing)."""
    return policies.tolist(), rates.tolist(), offsets.tolist()


def python_index_salaries(rows, percentage, scheme=ANY_SCHEME, effective_before=np.iinfo(np.int64).max):
    """Return ``(new_salary, status)`` lists for policy rows ``(start, salary, part_time_factor, scheme, ...)``."""
    factor = 1.0 + percentage
    new_salary = []
    status = []
    for start, salary, _, policy_scheme, _ in rows:
        if not ((scheme == ANY_SCHEME or policy_scheme == scheme) and start < effective_before):
            new_salary.append(salary)
            status.append(UNMATCHED)
            continue
        value = salary * factor
        if value != value or value in (float("inf"), float("-inf")):
            new_salary.append(value)
            status.append(NOT_FINITE)
        elif value < 0.0:
            new_salary.append(0.0)
            status.append(CLAMPED)
        else:
            new_salary.append(value + 0.0)
            status.append(INDEXED)
    return new_salary, status


def _python_dossier(rows, rates, lo, hi, day, pension, offset):
    years = [max(0.0, (day - rows[i][0]) / DAYS_PER_YEAR) for i in range(lo, hi)]
    total_years = sum(years)
    weighted = 0.0
    for i in range(lo, hi):
        weighted += rows[i][1] * rows[i][2] * years[i - lo]
    average = weighted / total_years if total_years != 0.0 else 0.0
    for i in range(lo, hi):
        pension[i][offset] = average * years[i - lo] * rates[i]
    return total_years


def python_retirement_benefit(rows, rates, offsets, days):
    """Return ``(pension, total_years)`` lists; ``days`` is a list with one day per dossier."""
    cells = [[0.0] for _ in rows]
    totals = [_python_dossier(rows, rates, offsets[k], offsets[k + 1], days[k], cells, 0) for k in range(len(days))]
    return [cell[0] for cell in cells], totals


def python_project(rows, rates, offsets, dates):
    """Return a list of rows, one list of projected pensions per policy."""
    projected = [[0.0] * len(dates) for _ in rows]
    for k in range(len(offsets) - 1):
        for j, day in enumerate(dates):
            _python_dossier(rows, rates, offsets[k], offsets[k + 1], day, projected, j)
    return projected
