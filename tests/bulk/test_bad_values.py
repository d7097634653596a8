"""Values that Arrow can store but a pension cannot use are rejected, naming the column, row and value."""

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

from api.bulk import PortfolioError, read_portfolio


def _rows() -> dict[str, pa.Array]:
    return {
        "dossier_id": pa.array(["D1", "D1", "D2", "D3", "D3", "D3"]),
        "birth_date": pa.array([dt.date(1970, 1, 1)] * 2 + [dt.date(1980, 6, 15)] + [dt.date(1990, 2, 28)] * 3, pa.date32()),
        "scheme_id": pa.array(["A", "B", "A", "A", "A", "C"]),
        "employment_start_date": pa.array(
            [dt.date(1995, 1, 1), dt.date(2005, 1, 1), dt.date(2001, 3, 1), dt.date(2012, 1, 1), dt.date(2015, 1, 1), dt.date(2020, 1, 1)],
            pa.date32(),
        ),
        "salary": pa.array([50_000.0, 60_000.0, 40_000.0, 30_000.0, 35_000.0, 45_000.0]),
        "part_time_factor": pa.array([1.0, 0.5, 0.8, 1.0, 0.6, 1.0]),
    }


def _table(**changes: pa.Array) -> pa.Table:
    return pa.table(_rows() | changes)


@pytest.mark.parametrize(
    ("values", "shown"),
    [(pa.array([50_000, 60_000, 2**62, 1, 1, 1], pa.int64()), str(2**62)), (pa.array([1, 1, 1, 1, 2**64 - 1, 1], pa.uint64()), str(2**64 - 1))],
    ids=["int64", "uint64"],
)
def test_integer_salary_beyond_float64_named(values, shown):
    with pytest.raises(PortfolioError) as caught:
        read_portfolio(_table(salary=values))
    assert caught.value.column == "salary"
    assert caught.value.row == values.to_pylist().index(int(shown))
    assert shown in str(caught.value)


def _date32(days: list[int]) -> pa.Array:
    return pa.array(np.array(days, dtype=np.int32)).cast(pa.date32())


@pytest.mark.parametrize(
    ("column", "values", "row", "shown"),
    [
        ("birth_date", _date32([0, 0, 6574000, 7335, 7335, 7335]), 2, "19969-01-01"),
        ("birth_date", _date32([-800000, -800000, 3000, 7335, 7335, 7335]), 0, "-0221-09-04"),
        ("employment_start_date", _date32([9000, 9000, 9000, -1_000_000, 9000, 9000]), 3, "-0768"),
        ("employment_start_date", pa.array([0, 0, 0, 0, 4 * 10**11, 0], pa.timestamp("s")), 4, "14645-"),
        ("employment_start_date", pa.array(["2000-01-01"] * 5 + ["0000-01-01"]), 5, "0000-01-01"),
    ],
    ids=["year-19969", "negative-year-birth", "negative-year-start", "timestamp-year-14645", "string-year-0"],
)
def test_date_outside_years_1_to_9999_named(column, values, row, shown):
    with pytest.raises(PortfolioError) as caught:
        read_portfolio(_table(**{column: values}))
    assert caught.value.column == column
    assert caught.value.row == row
    assert shown in str(caught.value.value)
    assert "years 1 to 9999" in str(caught.value)


def test_empty_dossier_id_rejected():
    with pytest.raises(PortfolioError) as caught:
        read_portfolio(_table(dossier_id=pa.array(["D1", "D1", "", "D3", "D3", "D3"])))
    assert (caught.value.column, caught.value.row, caught.value.value) == ("dossier_id", 2, "")
