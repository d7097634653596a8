"""The projection schedule kernel against a reference built from ``datetime.date`` and ``calendar``."""

import calendar
import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels.schedule import projection_dates, projection_schedule

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
    schedule = projection_dates(start, end, interval_months, limit)
    if expected is None:
        assert schedule is None
        assert projection_schedule(start, end, interval_months, limit) is None
        return
    assert schedule is not None
    days, texts = schedule
    assert days.dtype == np.int64
    assert days.tolist() == [date.toordinal() for date in expected]
    assert texts == [date.isoformat() for date in expected]
    assert projection_schedule(start, end, interval_months, limit).tolist() == days.tolist()


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
    days, texts = projection_dates(dt.date(2025, 1, 31).toordinal(), dt.date(2025, 4, 30).toordinal(), 1, 1_200)
    assert texts == ["2025-01-31", "2025-02-28", "2025-03-28", "2025-04-28"]
    assert days.tolist() == [dt.date.fromisoformat(text).toordinal() for text in texts]


def test_schedule_stops_in_year_9999():
    start = dt.date(9999, 6, 30).toordinal()
    days, texts = projection_dates(start, MAX_DAY, 5, 1_200)
    assert texts == ["9999-06-30", "9999-11-30"]


def test_limit_exceeded_returns_none():
    start = dt.date(2025, 1, 1).toordinal()
    assert projection_dates(start, dt.date(2025, 12, 1).toordinal(), 1, 11) is None
    assert len(projection_dates(start, dt.date(2025, 12, 1).toordinal(), 1, 12)[0]) == 12


def test_years_before_1000_are_zero_padded():
    start = dt.date(7, 3, 5).toordinal()
    _, texts = projection_dates(start, dt.date(9, 3, 5).toordinal(), 12, 1_200)
    assert texts == ["0007-03-05", "0008-03-05", "0009-03-05"]


def test_huge_interval_gives_start_only():
    start = dt.date(2025, 1, 1).toordinal()
    end = dt.date(2030, 1, 1).toordinal()
    for interval_months in (61, 2**31, 2**62, 2**63 - 1, 2**64, 10**30):
        days, texts = projection_dates(start, end, interval_months, 1_200)
        assert days.tolist() == [start]
        assert texts == ["2025-01-01"]


def test_interval_equal_to_range_reaches_end():
    start = dt.date(2025, 1, 1).toordinal()
    _, texts = projection_dates(start, dt.date(2030, 1, 1).toordinal(), 60, 1_200)
    assert texts == ["2025-01-01", "2030-01-01"]
