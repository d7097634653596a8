"""Calendar dates as integer day numbers (proleptic Gregorian ordinals)."""

import datetime as dt
import re

_STRICT_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# Days in the months of a common year, and days before the first of each month (index 0 = January).
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_DAYS_BEFORE_MONTH = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)
_LAST_MONTH_INDEX = dt.MAXYEAR * 12 + 11  # December 9999, the last month datetime.date supports
# "-MM-DD" for [month from 0][day of month]; formatting from this table costs a fifth of an f-string's time.
_MONTH_DAY_TEXTS = tuple(tuple(f"-{month:02d}-{day:02d}" for day in range(32)) for month in range(1, 13))


def parse_date(text: str) -> int | None:
    """Return the day number of a strict ``YYYY-MM-DD`` string, or None when it is not a real day."""
    if _STRICT_DATE.fullmatch(text) is None:
        return None
    try:
        # After the pattern check, fromisoformat reads only YYYY-MM-DD: 0.3 us against 1.4 us for
        # slicing, int() and date() (CPython 3.11). It rejects days that do not exist.
        return dt.date.fromisoformat(text).toordinal()
    except ValueError:
        return None


def format_date(day: int) -> str:
    """Return the ``YYYY-MM-DD`` text of a day number."""
    return dt.date.fromordinal(day).isoformat()


def today_utc() -> int:
    """Return today's day number in UTC."""
    return dt.datetime.now(dt.timezone.utc).date().toordinal()


def projection_dates(start: int, end: int, interval_months: int, limit: int) -> tuple[list[int], list[str]] | None:
    """Return the projection dates from ``start`` to ``end`` inclusive as day numbers and texts.

    Each date is the previous one plus ``interval_months`` months, keeping the
    previous date's day of month or the month's last day (2025-01-31 monthly
    gives 2025-02-28, then 2025-03-28). The schedule ends at ``end`` or at
    the last date of year 9999. Returns None when there are more than
    ``limit`` dates; generation stops at ``limit + 1`` dates, so a huge range
    costs no more than the limit.

    Months are stepped with integers and each day number is computed from
    year, month and day: 21 yearly dates with their texts take about 10 us,
    against 26 us with ``datetime.date``, ``calendar.monthrange`` and
    ``isoformat`` (CPython 3.11, 2 vCPUs).
    """
    first = dt.date.fromordinal(start)
    month_index = first.year * 12 + first.month - 1
    day_of_month = first.day
    day = start
    days = []
    texts = []
    while day <= end:
        if len(days) == limit:
            return None
        days.append(day)
        year, month = divmod(month_index, 12)  # month counts from 0
        year_text = str(year) if year >= 1000 else f"{year:04d}"
        texts.append(year_text + _MONTH_DAY_TEXTS[month][day_of_month])

        month_index += interval_months
        if month_index > _LAST_MONTH_INDEX:
            break
        year, month = divmod(month_index, 12)
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        last_day = 29 if month == 1 and leap else _MONTH_DAYS[month]
        if day_of_month > last_day:
            day_of_month = last_day
        before = year - 1
        day = (
            before * 365 + before // 4 - before // 100 + before // 400
            + _DAYS_BEFORE_MONTH[month] + (month > 1 and leap) + day_of_month
        )
    return days, texts


def projection_schedule(start: int, end: int, interval_months: int, limit: int) -> list[int] | None:
    """Return the day numbers of ``projection_dates``, or None when there are more than ``limit``."""
    schedule = projection_dates(start, end, interval_months, limit)
    return None if schedule is None else schedule[0]
