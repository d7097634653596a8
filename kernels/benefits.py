"""Retirement benefit and projection kernels over segmented policy arrays.

The benefit formula for a date D, per dossier (policies ``lo:hi``)::

    years_i      = max(0, (D - employment_start_i) / 365.25)
    total_years  = sum(years_i)
    weighted_avg = sum(salary_i * part_time_factor_i * years_i) / total_years
    pension_i    = weighted_avg * years_i * accrual_rate_i

with ``weighted_avg`` and ``pension_i`` equal to 0 when ``total_years`` is 0.
A projection evaluates the same formula at every projection date.
"""

import numba as nb
import numpy as np

from kernels.layout import DAYS_PER_YEAR
from kernels.variants import serial_and_parallel


@nb.njit(cache=True, nogil=True, inline="always")
def _years_of_service(start_day, day):
    years = (day - start_day) / DAYS_PER_YEAR
    return years if years > 0.0 else 0.0


# Multiplying by the reciprocal differs from dividing by 365.25 by at most
# one unit in the last place, and vectorises to one multiply per value where
# a division costs several.
_YEARS_PER_DAY = 1.0 / DAYS_PER_YEAR


@nb.njit(cache=True, nogil=True, inline="always")
def _years_between(start_day, day):
    """Years of service from ``start_day`` to ``day`` (float64 day numbers), never negative."""
    years = (day - start_day) * _YEARS_PER_DAY
    return years if years > 0.0 else 0.0


@nb.njit(cache=True, nogil=True, inline="always")
def _weighted_average(policies, lo, hi, day):
    total_years = 0.0
    weighted = 0.0
    for i in range(lo, hi):
        years = _years_of_service(policies[i].employment_start, day)
        total_years += years
        weighted += policies[i].salary * policies[i].part_time_factor * years
    if total_years == 0.0:
        return 0.0, 0.0
    return weighted / total_years, total_years


def _retirement_benefit(policies, rates, offsets, days, pension, total_years):
    for k in nb.prange(offsets.shape[0] - 1):
        lo = offsets[k]
        hi = offsets[k + 1]
        day = days[k]
        average, total = _weighted_average(policies, lo, hi, day)
        total_years[k] = total
        for i in range(lo, hi):
            pension[i] = average * _years_of_service(policies[i].employment_start, day) * rates[i]


# Dossiers per parallel work item: each item allocates its per-date scratch once.
_DOSSIERS_PER_CHUNK = 1024


def _project(policies, rates, offsets, dates, projected):
    n_dossiers = offsets.shape[0] - 1
    n_dates = dates.shape[0]
    days = dates.astype(np.float64)  # day numbers are exact in float64
    n_chunks = (n_dossiers + _DOSSIERS_PER_CHUNK - 1) // _DOSSIERS_PER_CHUNK
    for chunk in nb.prange(n_chunks):
        total_years = np.empty(n_dates)
        weighted = np.empty(n_dates)
        average = np.empty(n_dates)
        first = chunk * _DOSSIERS_PER_CHUNK
        for k in range(first, min(first + _DOSSIERS_PER_CHUNK, n_dossiers)):
            lo = offsets[k]
            hi = offsets[k + 1]

            # Per-date sums over the dossier, then the weighted average per date.
            for j in range(n_dates):  # a loop: slice assignment costs a view and its reference counting
                total_years[j] = 0.0
                weighted[j] = 0.0
            for i in range(lo, hi):
                start = np.float64(policies[i].employment_start)
                earnings = policies[i].salary * policies[i].part_time_factor
                for j in range(n_dates):
                    years = _years_between(start, days[j])
                    total_years[j] += years
                    weighted[j] += earnings * years
            for j in range(n_dates):
                average[j] = weighted[j] / total_years[j] if total_years[j] != 0.0 else 0.0

            # Each policy's row of the output is contiguous.
            for i in range(lo, hi):
                start = np.float64(policies[i].employment_start)
                rate = rates[i]
                for j in range(n_dates):
                    projected[i, j] = average[j] * _years_between(start, days[j]) * rate


_retirement_benefit_serial, _retirement_benefit_parallel = serial_and_parallel(_retirement_benefit)
_project_serial, _project_parallel = serial_and_parallel(_project)


def retirement_benefit(
    policies: np.ndarray,
    rates: np.ndarray,
    offsets: np.ndarray,
    days: np.ndarray,
    *,
    parallel: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Compute each policy's attainable pension at its dossier's retirement date.

    Parameters
    ----------
    policies : structured array of ``POLICY_DTYPE``, shape (n,)
    rates : float64 accrual rate per policy, shape (n,)
    offsets : int64, shape (n_dossiers + 1,); dossier k is rows offsets[k]:offsets[k+1]
    days : int64 retirement day number per dossier, shape (n_dossiers,)
    parallel : run the multi-threaded variant over dossiers (bulk portfolios)

    Returns
    -------
    pension : float64, shape (n,); may hold inf or NaN on overflow, callers check
    total_years : float64 years of service per dossier, shape (n_dossiers,)
    """
    pension = np.empty(policies.shape[0], dtype=np.float64)
    total_years = np.empty(offsets.shape[0] - 1, dtype=np.float64)
    kernel = _retirement_benefit_parallel if parallel else _retirement_benefit_serial
    kernel(policies, rates, offsets, days, pension, total_years)
    return pension, total_years


def project(
    policies: np.ndarray,
    rates: np.ndarray,
    offsets: np.ndarray,
    dates: np.ndarray,
    *,
    parallel: bool = False,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Compute every policy's projected pension at every projection date.

    Parameters
    ----------
    policies : structured array of ``POLICY_DTYPE``, shape (n,)
    rates : float64 accrual rate per policy, shape (n,)
    offsets : int64, shape (n_dossiers + 1,)
    dates : int64 day numbers shared by all dossiers, shape (n_dates,)
    parallel : run the multi-threaded variant over dossiers (bulk portfolios)
    out : optional C-contiguous float64 array of shape (n, n_dates) to write
        into; reusing one saves the page faults of a fresh allocation

    Returns
    -------
    projected : float64, shape (n, n_dates), row i holds policy i's projections;
        may hold inf or NaN on overflow, callers check

    Raises
    ------
    ValueError : ``out`` has the wrong shape or dtype, or is not C-contiguous
    """
    shape = (policies.shape[0], dates.shape[0])
    if out is None:
        out = np.empty(shape, dtype=np.float64)
    elif out.shape != shape or out.dtype != np.float64 or not out.flags.c_contiguous:
        raise ValueError(
            f"out must be a C-contiguous float64 array of shape {shape}, "
            f"got {out.dtype} {out.shape} (C-contiguous: {out.flags.c_contiguous})"
        )
    kernel = _project_parallel if parallel else _project_serial
    kernel(policies, rates, offsets, dates, out)
    return out
