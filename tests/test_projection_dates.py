"""The projection schedule against a reference built from ``datetime.date`` and ``calendar``."""

import calendar
import datetime as dt

import msgspec
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from model.dates import projection_schedule
from model.wire import Projection

MAX_DAY = dt.date.max.toordinal()


def reference_schedule(start: int, end: int, interval_months: int, limit: int) -> list[dt.date] | None:
    """Step months with ``datetime.date``, keeping the previous date's day or the month's last day."""
    dates = []
    current = dt.date.fromordinal(start)
    while current.toordinal() <= end:
        if len(dates) == limit:
            return None
        dates.append(current)
        year, month = divmod(current.year * 12 + current.month - 1 + interval_months, 12)
        if year > dt.MAXYEAR:
            break
        last_day = calendar.monthrange(year, month + 1)[1]
        current = dt.date(year, month + 1, min(current.day, last_day))
    return dates


def check_against_reference(start: int, end: int, interval_months: int, limit: int) -> None:
    expected = reference_schedule(start, end, interval_months, limit)
    days = projection_schedule(start, end, interval_months, limit)
    if expected is None:
        assert days is None
        return
    assert days is not None
    assert days.dtype == np.int64
    assert days.tolist() == [date.toordinal() for date in expected]


def texts(start: dt.date, end: dt.date, interval_months: int, limit: int = 1_200) -> list[str]:
    """Return the schedule's dates as the response writes them."""
    days = projection_schedule(start.toordinal(), end.toordinal(), interval_months, limit)
    entries = [Projection(dt.date.fromordinal(day), 0.0) for day in days.tolist()]
    return [entry["date"] for entry in msgspec.json.decode(msgspec.json.encode(entries))]


@settings(max_examples=500, deadline=None)
@given(
    start=st.integers(1, MAX_DAY),
    length=st.integers(0, 20_000),
    interval_months=st.integers(1, 150),
    limit=st.integers(1, 1_200),
)
def test_schedule_matches_reference(start, length, interval_months, limit):
    check_against_reference(start, min(start + length, MAX_DAY), interval_months, limit)


@settings(max_examples=300, deadline=None)
@given(
    year=st.sampled_from([1, 99, 999, 1900, 2000, 2023, 2024, 2100, 9998, 9999]),
    month=st.integers(1, 12),
    day=st.sampled_from([1, 28, 29, 30, 31]),
    interval_months=st.integers(1, 25),
)
def test_month_ends_and_leap_years(year, month, day, interval_months):
    day = min(day, calendar.monthrange(year, month)[1])
    start = dt.date(year, month, day).toordinal()
    check_against_reference(start, min(start + 3_000, MAX_DAY), interval_months, 1_200)


def test_end_of_month_sticks_to_shorter_day():
    assert texts(dt.date(2025, 1, 31), dt.date(2025, 4, 30), 1) == ["2025-01-31", "2025-02-28", "2025-03-28", "2025-04-28"]


def test_schedule_stops_in_year_9999():
    assert texts(dt.date(9999, 6, 30), dt.date.max, 5) == ["9999-06-30", "9999-11-30"]


def test_limit_exceeded_returns_none():
    start = dt.date(2025, 1, 1).toordinal()
    assert projection_schedule(start, dt.date(2025, 12, 1).toordinal(), 1, 11) is None
    assert len(projection_schedule(start, dt.date(2025, 12, 1).toordinal(), 1, 12)) == 12


def test_years_before_1000_are_zero_padded():
    assert texts(dt.date(7, 3, 5), dt.date(9, 3, 5), 12) == ["0007-03-05", "0008-03-05", "0009-03-05"]


def test_huge_interval_gives_start_only():
    for interval_months in (61, 2**31, 2**62, 2**63 - 1, 2**64, 10**30):
        assert texts(dt.date(2025, 1, 1), dt.date(2030, 1, 1), interval_months) == ["2025-01-01"]


def test_interval_equal_to_range_reaches_end():
    assert texts(dt.date(2025, 1, 1), dt.date(2030, 1, 1), 60) == ["2025-01-01", "2030-01-01"]
