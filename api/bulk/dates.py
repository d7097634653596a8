"""Projection dates for bulk runs, checked like ``project_future_benefits`` checks them."""

import datetime as dt

import numpy as np

from api.bulk.source import InputError
from model.dates import parse_date, projection_schedule
from model.mutations import Limits

# The maximum number of projection dates of a run, also the default limit of a calculation request.
MAX_PROJECTION_DATES = Limits().max_projection_dates


def _day(value: str | dt.date | int, name: str) -> int:
    if isinstance(value, dt.date):
        return value.toordinal()
    if isinstance(value, int):
        return value
    day = parse_date(value)
    if day is None:
        raise InputError(f"{name} {value!r} is invalid: expected a real day YYYY-MM-DD")
    return day


def project_dates(
    start: str | dt.date | int, end: str | dt.date | int, every_months: int, limit: int = MAX_PROJECTION_DATES
) -> np.ndarray:
    """Return the projection dates from ``start`` to ``end`` every ``every_months`` months, int64 day numbers.

    Dates are ``YYYY-MM-DD`` strings, ``datetime.date`` or day numbers. The
    schedule comes from ``model.dates.projection_schedule``, which steps
    dates exactly as calculation requests do. Raises ``InputError`` when ``end`` is not after ``start``,
    ``every_months`` is below 1 or there would be more than ``limit`` dates.
    """
    start_day = _day(start, "start date")
    end_day = _day(end, "end date")
    if isinstance(every_months, bool) or not isinstance(every_months, int) or every_months < 1:
        raise InputError(f"interval {every_months!r} is invalid: expected a whole number of months >= 1")
    if end_day <= start_day:
        raise InputError(
            f"end date {dt.date.fromordinal(end_day).isoformat()} is not after start date {dt.date.fromordinal(start_day).isoformat()}"
        )
    days = projection_schedule(start_day, end_day, every_months, limit)
    if days is None:
        raise InputError(f"the schedule has more than {limit} projection dates; use a longer interval or a shorter range")
    return days
