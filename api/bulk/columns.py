"""Portfolio columns in Arrow: the schema check and the conversion to a ``Portfolio``."""

import datetime as dt
import difflib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from model.dates import today_utc
from model.portfolio import Portfolio, PortfolioError, build_portfolio

# The columns a portfolio has, one row per policy; other columns are ignored.
COLUMNS = ("dossier_id", "birth_date", "scheme_id", "employment_start_date", "salary", "part_time_factor")
_STRING_COLUMNS = ("dossier_id", "scheme_id")
_DATE_COLUMNS = ("birth_date", "employment_start_date")
_NUMBER_COLUMNS = ("salary", "part_time_factor")

# Day number (proleptic Gregorian ordinal) of 1970-01-01, the epoch of Arrow's date32.
EPOCH_DAY = 719163

# Day numbers of 0001-01-01 and 9999-12-31, the dates Python and the HTTP API can represent.
FIRST_DAY = dt.date.min.toordinal()
LAST_DAY = dt.date.max.toordinal()

# Integers up to 2**53 in magnitude convert to float64 exactly (Arrow's safe cast checks this bound).
_MAX_EXACT_INTEGER = 2**53


def _is_string(kind: pa.DataType) -> bool:
    if pa.types.is_dictionary(kind):
        return _is_string(kind.value_type)
    # pyarrow.types.is_string_view exists from pyarrow 16 on.
    is_string_view = getattr(pa.types, "is_string_view", lambda _: False)
    return pa.types.is_string(kind) or pa.types.is_large_string(kind) or is_string_view(kind)


def _is_number(kind: pa.DataType) -> bool:
    return pa.types.is_integer(kind) or pa.types.is_floating(kind)


def check_schema(schema: pa.Schema) -> None:
    """Raise ``PortfolioError`` for a missing column or a column of the wrong type."""
    names = set(schema.names)
    for column in COLUMNS:
        if column not in names:
            close = difflib.get_close_matches(column, [name for name in schema.names if name not in COLUMNS], n=1)
            hint = f"; found {close[0]!r}, a misspelling?" if close else ""
            raise PortfolioError(column, None, None, f"missing column{hint}")

    for column in COLUMNS:
        kind = schema.field(column).type
        if column in _STRING_COLUMNS and not _is_string(kind):
            raise PortfolioError(column, None, str(kind), "expected a string column")
        if column in _DATE_COLUMNS and not (pa.types.is_date(kind) or pa.types.is_timestamp(kind) or _is_string(kind)):
            raise PortfolioError(column, None, str(kind), "expected a date column or strings YYYY-MM-DD")
        if column in _NUMBER_COLUMNS and not _is_number(kind):
            raise PortfolioError(column, None, str(kind), "expected a numeric column")


def _plain(array: pa.Array) -> pa.Array:
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    return array


def _check_nulls(column: str, array: pa.Array, first_row: int) -> None:
    if array.null_count:
        row = int(np.flatnonzero(np.asarray(array.is_null()))[0])
        raise PortfolioError(column, first_row + row, None, "missing value")


def _strings(column: str, array: pa.Array, first_row: int) -> pa.Array:
    array = pc.cast(_plain(array), pa.string())
    _check_nulls(column, array, first_row)
    return array


def _days(column: str, array: pa.Array, first_row: int) -> np.ndarray:
    """Return int64 day numbers of a date or ``YYYY-MM-DD`` string column."""
    array = _plain(array)
    _check_nulls(column, array, first_row)
    if _is_string(array.type):
        text = pc.cast(array, pa.string())
        parsed = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True)
        # strptime rolls 2023-02-29 over to 2023-03-01, so a real day must format back to the same text.
        valid = pc.and_kleene(
            pc.match_substring_regex(text, r"^\d{4}-\d{2}-\d{2}$"),
            pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), text),
        )
        valid = np.asarray(pc.fill_null(valid, False))
        if not valid.all():
            row = int(np.flatnonzero(~valid)[0])
            raise PortfolioError(column, first_row + row, text[row].as_py(), "invalid date: expected a real day YYYY-MM-DD")
        days = _day_numbers(pc.cast(parsed, pa.date32()))
        _check_calendar(column, days, first_row, lambda row: text[row].as_py())
        return days
    date_array = pc.cast(array, pa.date32())
    days = _day_numbers(date_array)
    if pa.types.is_timestamp(array.type):
        _check_calendar(column, days, first_row, lambda row: _format(array, row, "%Y-%m-%dT%H:%M:%S"))
        _check_midnight(column, array, date_array, first_row)
    else:
        _check_calendar(column, days, first_row, lambda row: _format(date_array, row, "%Y-%m-%d"))
    return days


def _day_numbers(dates: pa.Array) -> np.ndarray:
    """Return the int64 day numbers of a date32 array."""
    return np.asarray(dates.view(pa.int32()), dtype=np.int64) + EPOCH_DAY


def _format(array: pa.Array, row: int, pattern: str) -> str:
    """Return one date or timestamp as text, also for years outside 1 to 9999, which Python's datetime rejects.

    NOTE: Arrow formats years only up to 32767 in magnitude, so a larger year is shown wrapped around.
    """
    return pc.strftime(array.slice(row, 1), format=pattern)[0].as_py()


def _check_calendar(column: str, days: np.ndarray, first_row: int, value_of) -> None:
    """Raise ``PortfolioError`` on the first day outside years 1 to 9999 (``value_of(row)`` is its value)."""
    bad = np.flatnonzero((days < FIRST_DAY) | (days > LAST_DAY))
    if bad.size:
        row = int(bad[0])
        raise PortfolioError(column, first_row + row, value_of(row), "expected a date in years 1 to 9999")


def _check_midnight(column: str, array: pa.Array, days: pa.Array, first_row: int) -> None:
    """Raise ``PortfolioError`` on the first timestamp whose time of day is not midnight (UTC)."""
    unit = array.type.unit
    given = np.asarray(array.view(pa.int64()))
    midnight = np.asarray(pc.cast(days, pa.timestamp(unit)).view(pa.int64()))
    bad = np.flatnonzero(given != midnight)
    if bad.size:
        row = int(bad[0])
        raise PortfolioError(column, first_row + row, _format(array, row, "%Y-%m-%dT%H:%M:%S"), "expected a date without a time of day")


def _numbers(column: str, array: pa.Array, first_row: int) -> np.ndarray:
    array = _plain(array)
    _check_nulls(column, array, first_row)
    if pa.types.is_integer(array.type):
        values = np.asarray(array)
        bad = np.flatnonzero((values > _MAX_EXACT_INTEGER) | (values < -_MAX_EXACT_INTEGER))
        if bad.size:
            row = int(bad[0])
            raise PortfolioError(
                column, first_row + row, int(values[row]), f"expected an integer of at most 2**53 ({_MAX_EXACT_INTEGER:,}) in magnitude, which converts to float64 exactly"
            )
    return np.asarray(pc.cast(array, pa.float64()), dtype=np.float64)


def to_portfolio(table: pa.Table | pa.RecordBatch, first_row: int = 0, today: int | None = None) -> Portfolio:
    """Validate rows of whole dossiers and return their ``Portfolio``.

    ``first_row`` is the source row number of the table's first row, used in
    error messages. Raises ``PortfolioError`` naming the column, the first bad
    row and its value.
    """
    check_schema(table.schema)
    dossier_ids = _strings("dossier_id", table.column("dossier_id"), first_row)
    birth_days = _days("birth_date", table.column("birth_date"), first_row)
    scheme_text = _strings("scheme_id", table.column("scheme_id"), first_row)
    employment_start = _days("employment_start_date", table.column("employment_start_date"), first_row)
    salary = _numbers("salary", table.column("salary"), first_row)
    part_time_factor = _numbers("part_time_factor", table.column("part_time_factor"), first_row)

    for column, text in (("dossier_id", dossier_ids), ("scheme_id", scheme_text)):
        empty = np.flatnonzero(np.asarray(pc.equal(pc.utf8_length(text), 0)))
        if empty.size:
            raise PortfolioError(column, first_row + int(empty[0]), "", f"expected a non-empty {column.replace('_', ' ')}")

    schemes = pc.dictionary_encode(scheme_text)
    dossiers = pc.dictionary_encode(dossier_ids)
    return build_portfolio(
        dossier_codes=np.asarray(dossiers.indices, dtype=np.int64),
        dossier_ids=dossier_ids,
        birth_days=birth_days,
        scheme_codes=np.asarray(schemes.indices, dtype=np.int32),
        scheme_ids=schemes.dictionary.to_pylist(),
        employment_start=employment_start,
        salary=salary,
        part_time_factor=part_time_factor,
        today=today_utc() if today is None else today,
        first_row=first_row,
    )
