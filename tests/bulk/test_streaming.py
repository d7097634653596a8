"""Streaming in chunks of whole dossiers gives the same table for every chunk size and every input kind."""

import numpy as np
import polars as pl
import pyarrow.parquet as pq
import pytest

from api.bulk import Scenario, project_dates, project_portfolio, run_whatif
from tests.bulk.helpers import plain, random_portfolio

SCENARIOS = [Scenario.indexation(0.0, "0"), Scenario.indexation(0.025, "2.5%")]
DATES = project_dates("2026-06-30", "2030-06-30", 6)


@pytest.fixture(scope="module")
def portfolio():
    return random_portfolio(31, 60)


@pytest.fixture(scope="module")
def in_memory(portfolio):
    return project_portfolio(portfolio, SCENARIOS, DATES)


@pytest.mark.parametrize("chunk_rows", [1, 7, 64, 10_000])
def test_chunk_size_does_not_change_table(tmp_path, portfolio, in_memory, chunk_rows):
    path = tmp_path / "portfolio.parquet"
    pq.write_table(portfolio, path, row_group_size=13)
    run = run_whatif(path, SCENARIOS, DATES, out=tmp_path / "out.parquet", chunk_rows=chunk_rows)
    assert plain(pq.read_table(tmp_path / "out.parquet")).equals(plain(in_memory.to_arrow()))
    assert run.summary.equals(in_memory.summary())
    assert run.dossiers == 60


def test_input_kinds_agree(portfolio, in_memory):
    frames = {
        "pandas": portfolio.to_pandas(),
        "polars": pl.from_arrow(portfolio),
        "numpy": {name: portfolio.column(name).to_numpy() for name in portfolio.column_names},
    }
    for kind, frame in frames.items():
        result = project_portfolio(frame, SCENARIOS, DATES)
        assert np.array_equal(result.projected, in_memory.projected), kind
        assert np.array_equal(result.eligible, in_memory.eligible), kind


def test_dossier_pensions_sum_policies(in_memory):
    offsets = in_memory.portfolio.offsets
    expected = np.stack([in_memory.projected[lo:hi].sum(axis=0) for lo, hi in zip(offsets[:-1], offsets[1:])])
    np.testing.assert_allclose(in_memory.dossier_pensions, expected, rtol=1e-12)
