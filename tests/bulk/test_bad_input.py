"""Bad portfolios and options are rejected before any work, naming the column, row and value."""

import datetime as dt
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from api.bulk import InputError, PortfolioError, Scenario, project_dates, read_portfolio, run_whatif

ROOT = Path(__file__).resolve().parents[2]


def _rows() -> dict[str, list]:
    return {
        "dossier_id": ["D1", "D1", "D2", "D3", "D3", "D3"],
        "birth_date": ["1970-01-01", "1970-01-01", "1980-06-15", "1990-02-28", "1990-02-28", "1990-02-28"],
        "scheme_id": ["A", "B", "A", "A", "A", "C"],
        "employment_start_date": ["1995-01-01", "2005-01-01", "2001-03-01", "2012-01-01", "2015-01-01", "2020-01-01"],
        "salary": [50_000.0, 60_000.0, 40_000.0, 30_000.0, 35_000.0, 45_000.0],
        "part_time_factor": [1.0, 0.5, 0.8, 1.0, 0.6, 1.0],
    }


def _changed(column: str, row: int, value) -> dict[str, list]:
    rows = _rows()
    rows[column][row] = value
    return rows


CASES = [
    ("negative salary", _changed("salary", 3, -1.0), "salary", 3, -1.0),
    ("salary not finite", _changed("salary", 1, float("inf")), "salary", 1, float("inf")),
    ("part-time above 1", _changed("part_time_factor", 4, 1.5), "part_time_factor", 4, 1.5),
    ("part-time below 0", _changed("part_time_factor", 0, -0.1), "part_time_factor", 0, -0.1),
    ("invalid day", _changed("employment_start_date", 2, "2023-02-29"), "employment_start_date", 2, "2023-02-29"),
    ("invalid month", _changed("birth_date", 0, "1970-13-01"), "birth_date", 0, "1970-13-01"),
    ("loose date format", _changed("employment_start_date", 5, "2020-1-1"), "employment_start_date", 5, "2020-1-1"),
    ("birth dates disagree", _changed("birth_date", 5, "1990-03-01"), "birth_date", 5, "1990-03-01"),
    ("birth date after today", _changed("birth_date", 2, "2999-01-01"), "birth_date", 2, "2999-01-01"),
    ("dossier not contiguous", _changed("dossier_id", 5, "D1"), "dossier_id", 5, "D1"),
    ("missing value", _changed("salary", 2, None), "salary", 2, None),
    ("empty scheme id", _changed("scheme_id", 4, ""), "scheme_id", 4, ""),
]


@pytest.mark.parametrize(("name", "rows", "column", "row", "value"), CASES, ids=[case[0] for case in CASES])
def test_bad_value_names_row(name, rows, column, row, value):
    with pytest.raises(PortfolioError) as caught:
        read_portfolio(pa.table(rows))
    assert caught.value.column == column
    assert caught.value.row == row
    assert caught.value.value == value
    assert f"row {row}" in str(caught.value)


def test_missing_column_named():
    rows = _rows()
    del rows["part_time_factor"]
    with pytest.raises(PortfolioError, match="'part_time_factor'.*missing column"):
        read_portfolio(pa.table(rows))


def test_misspelt_column_hinted():
    rows = _rows()
    rows["salery"] = rows.pop("salary")
    with pytest.raises(PortfolioError, match="'salary'.*missing column; found 'salery'"):
        read_portfolio(pa.table(rows))


@pytest.mark.parametrize(
    ("column", "values"),
    [("salary", ["50000"] * 6), ("dossier_id", [1, 1, 2, 3, 3, 3]), ("birth_date", [1.0] * 6), ("salary", [True] * 6)],
)
def test_wrong_type_named(column, values):
    rows = _rows()
    rows[column] = values
    with pytest.raises(PortfolioError) as caught:
        read_portfolio(pa.table(rows))
    assert caught.value.column == column
    assert "expected" in str(caught.value)


def test_split_dossier_across_chunks(tmp_path):
    rows = {name: values * 30 for name, values in _rows().items()}
    rows["dossier_id"] = [f"{dossier}-{i // 6}" for i, dossier in enumerate(rows["dossier_id"])]
    rows["dossier_id"][170] = "D1-0"  # far from its first rows, in a later chunk
    with pytest.raises(PortfolioError) as caught:
        run_whatif(pa.table(rows), [Scenario("none")], project_dates("2026-12-31", "2028-12-31", 12), chunk_rows=10)
    assert caught.value.column == "dossier_id"
    assert caught.value.row == 170


def test_bad_row_late_leaves_no_output(tmp_path):
    rows = {name: values * 50 for name, values in _rows().items()}
    rows["dossier_id"] = [f"{dossier}-{i // 6}" for i, dossier in enumerate(rows["dossier_id"])]
    rows["salary"][-1] = -3.0
    portfolio = tmp_path / "portfolio.parquet"
    pq.write_table(pa.table(rows), portfolio)
    out = tmp_path / "out.parquet"
    with pytest.raises(PortfolioError, match="row 299"):
        run_whatif(portfolio, [Scenario("none")], project_dates("2026-12-31", "2030-12-31", 12), out=out, chunk_rows=20)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["portfolio.parquet"]


def test_overflowing_indexation_raises_and_leaves_no_output(tmp_path):
    rows = _rows()
    rows["salary"][2] = 1e308
    out = tmp_path / "out.parquet"
    with pytest.raises(ValueError, match="not a finite number"):
        run_whatif(pa.table(rows), [Scenario.indexation(1.0)], project_dates("2026-12-31", "2030-12-31", 12), out=out)
    assert list(tmp_path.iterdir()) == []


def test_numpy_arrays_accepted():
    rows = _rows()
    arrays = {name: np.array(values) for name, values in rows.items()}
    arrays["birth_date"] = np.array(rows["birth_date"], dtype="datetime64[D]")
    portfolio = read_portfolio(arrays)
    assert portfolio.n_dossiers == 3
    assert portfolio.birth_days.tolist()[0] == dt.date(1970, 1, 1).toordinal()


def test_unsupported_object_rejected():
    with pytest.raises(InputError, match="cannot read a portfolio from a int"):
        read_portfolio(42)


def _whatif(*arguments: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", "whatif", *arguments],
        cwd=cwd, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60,
    )


@pytest.fixture(scope="module")
def good_portfolio(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("portfolio") / "portfolio.parquet"
    pq.write_table(pa.table(_rows()), path)
    return path


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--every", "0"], "--every 0 is invalid"),
        (["--every", "twelve"], "--every 'twelve' is invalid"),
        (["--every", "12", "--to", "2020-01-01"], "end date 2020-01-01 is not after start date 2026-12-31"),
        (["--every", "12", "--from", "2026-02-30"], "start date '2026-02-30' is invalid"),
        (["--every", "12", "--indexation", "abc"], "--indexation 'abc' is invalid"),
        (["--every", "12", "--rates", "missing.json"], "cannot read --rates file 'missing.json'"),
    ],
)
def test_cli_bad_option_exits_2(tmp_path, good_portfolio, arguments, message):
    defaults = {"--from": "2026-12-31", "--to": "2030-12-31"}
    for flag in ("--from", "--to"):
        if flag not in arguments:
            arguments = [flag, defaults[flag], *arguments]
    completed = _whatif(str(good_portfolio), *arguments, "--out", "out.parquet", cwd=tmp_path)
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("pension-engine whatif: error: ")
    assert message in completed.stderr
    assert "Traceback" not in completed.stderr
    assert list(tmp_path.iterdir()) == []


def test_cli_unreadable_file_exits_2(tmp_path):
    (tmp_path / "broken.parquet").write_text("not parquet")
    completed = _whatif("broken.parquet", "--from", "2026-12-31", "--to", "2030-12-31", "--every", "12", "--out", "out.parquet", cwd=tmp_path)
    assert completed.returncode == 2
    assert len(completed.stderr.strip().splitlines()) == 1
    assert "cannot read portfolio file 'broken.parquet'" in completed.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["broken.parquet"]


def test_cli_bad_value_exits_2(tmp_path):
    pq.write_table(pa.table(_changed("part_time_factor", 4, 1.5)), tmp_path / "bad.parquet")
    completed = _whatif("bad.parquet", "--from", "2026-12-31", "--to", "2030-12-31", "--every", "12", "--out", "out.parquet", cwd=tmp_path)
    assert completed.returncode == 2
    assert completed.stderr.strip() == (
        "pension-engine whatif: error: column 'part_time_factor', row 4: expected a number from 0 to 1 (value 1.5)"
    )
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bad.parquet"]


def test_pandas_mixed_column_names_row():
    frame = pa.table(_rows()).to_pandas()
    frame["salary"] = frame["salary"].astype(object)
    frame.loc[3, "salary"] = "abc"
    with pytest.raises(PortfolioError) as caught:
        read_portfolio(frame)
    assert caught.value.column == "salary"
    assert caught.value.row == 3
    assert caught.value.value == "abc"


def test_timestamp_dates_accepted_at_midnight():
    frame = pa.table(_rows()).to_pandas()
    frame["employment_start_date"] = pd.to_datetime(frame["employment_start_date"])
    portfolio = read_portfolio(frame)
    assert portfolio.policies["employment_start"][0] == dt.date(1995, 1, 1).toordinal()


def test_timestamp_with_time_rejected():
    frame = pa.table(_rows()).to_pandas()
    frame["employment_start_date"] = pd.to_datetime(frame["employment_start_date"])
    frame.loc[4, "employment_start_date"] = pd.Timestamp("2015-01-01 10:30")
    with pytest.raises(PortfolioError, match="row 4: expected a date without a time of day") as caught:
        read_portfolio(frame)
    assert caught.value.column == "employment_start_date"


def test_invalid_registry_url_exits_2(tmp_path):
    pq.write_table(pa.table(_rows()), tmp_path / "good.parquet")
    # The URL is rejected before any connection, because it is not http(s).
    environment = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "SCHEME_REGISTRY_URL": "ftp://registry.invalid"}
    completed = subprocess.run(
        [sys.executable, "-m", "api.cli", "whatif", "good.parquet", "--from", "2026-12-31", "--to", "2030-12-31",
         "--every", "12", "--out", "out.parquet"],
        cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=60,
    )
    assert completed.returncode == 2
    assert len(completed.stderr.strip().splitlines()) == 1
    assert "SCHEME_REGISTRY_URL" in completed.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["good.parquet"]
