"""The projection schedule kernel: the day numbers of dates every N months.

Rule: each date is the previous one plus N months, keeping the previous
date's day of month, or the month's last day when the month is shorter
(2025-01-31 monthly gives 2025-02-28, then 2025-03-28). The schedule runs
from the start date to the end date inclusive and stops at the last date of
year 9999.
"""

import datetime as dt

import numba as nb
import numpy as np

_MAX_YEAR = dt.MAXYEAR
# Days in each month of a common year, January first.
_MONTH_LENGTHS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
# Days before the first of each month in a common year.
_DAYS_BEFORE_MONTH = np.array([0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334], dtype=np.int64)


@nb.njit(cache=True, nogil=True, inline="always")
def _is_leap(year):
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@nb.njit(cache=True, nogil=True)
def _schedule(year, month, day_of_month, end, interval_months, days):
    """Fill ``days`` from the first date (``month`` counts from 0) and return the number of dates.

    Writes at most ``days.shape[0]`` dates; returns ``days.shape[0] + 1``
    when the schedule has more dates than that.
    """
    capacity = days.shape[0]
    month_index = year * 12 + month
    last_month_index = _MAX_YEAR * 12 + 11
    count = 0
    while True:
        leap = _is_leap(year)
        length = _MONTH_LENGTHS[month] + (1 if leap and month == 1 else 0)
        if day_of_month > length:
            day_of_month = length
        before = year - 1
        day = (
            before * 365 + before // 4 - before // 100 + before // 400
            + _DAYS_BEFORE_MONTH[month] + (1 if leap and month > 1 else 0)
            + day_of_month
        )
        if day > end:
            return count
        if count == capacity:
            return capacity + 1
        days[count] = day
        count += 1

        month_index += interval_months
        if month_index > last_month_index:
            return count
        year = month_index // 12
        month = month_index % 12


def projection_days(start: int, end: int, interval_months: int, limit: int) -> np.ndarray | None:
    """Return the projection dates from day number ``start`` to ``end`` as int64 day numbers, shape (n_dates,).

    Returns None when there are more than ``limit`` dates. The kernel stops
    one date past its capacity, so a huge range costs no more than the limit.
    """
    first = dt.date.fromordinal(start)
    last = dt.date.fromordinal(end)
    months = max((last.year - first.year) * 12 + last.month - first.month, 0)
    # A step longer than the whole range gives the start date alone, so any such step gives the same
    # schedule. Capping it keeps the kernel's int64 month arithmetic far from overflow.
    interval_months = min(interval_months, months + 1)
    # An upper bound on the count: every step moves at least one whole month.
    capacity = min(months // interval_months + 1, limit)
    days = np.empty(capacity, dtype=np.int64)
    count = _schedule(first.year, first.month - 1, first.day, end, interval_months, days)
    return None if count > capacity else days[:count]
