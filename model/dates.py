"""Calendar dates as integer day numbers (proleptic Gregorian ordinals)."""

import calendar
import datetime as dt
import re

_STRICT_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(text: str) -> int | None:
    """Return the day number of a strict ``YYYY-MM-DD`` string, or None when it is not a real day."""
    if _STRICT_DATE.fullmatch(text) is None:
        return None
    try:
        return dt.date(int(text[0:4]), int(text[5:7]), int(text[8:10])).toordinal()
    except ValueError:
        return None


def format_date(day: int) -> str:
    """Return the ``YYYY-MM-DD`` text of a day number."""
    return dt.date.fromordinal(day).isoformat()


def today_utc() -> int:
    """Return today's day number in UTC."""
    return dt.datetime.now(dt.timezone.utc).date().toordinal()


def add_months(date: dt.date, months: int) -> dt.date:
    """Add whole months, keeping the day of month or using the month's last day where it does not exist."""
    month_index = date.year * 12 + (date.month - 1) + months
    year, month = divmod(month_index, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(date.day, last_day))


def projection_schedule(start: int, end: int, interval_months: int, limit: int) -> list[int] | None:
    """Return the projection dates from ``start`` to ``end`` inclusive, or None when there are more than ``limit``.

    Each date is the previous one plus ``interval_months`` months, keeping the
    previous date's day of month or the month's last day (2025-01-31 monthly
    gives 2025-02-28, then 2025-03-28). Generation stops at ``limit + 1``
    dates, so a huge range costs no more than the limit.
    """
    dates = []
    current = dt.date.fromordinal(start)
    day = start
    while day <= end:
        if len(dates) == limit:
            return None
        dates.append(day)
        if current.year * 12 + current.month + interval_months > 9999 * 12 + 12:
            break  # the next date would lie past year 9999, the last year datetime.date supports
        current = add_months(current, interval_months)
        day = current.toordinal()
    return dates
