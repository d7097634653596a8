"""A run on a local Dask cluster writes the same table and summary as a run in this process."""

import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from api.bulk import Scenario, project_dates, run_whatif
from tests.bulk.helpers import plain, random_portfolio

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.mark.timeout(120)
def test_dask_run_equals_local(tmp_path, dask_client):
    portfolio = tmp_path / "portfolio.parquet"
    pq.write_table(random_portfolio(21, 400), portfolio)
    scenarios = [Scenario.indexation(0.0, "0"), Scenario.indexation(0.02, "0.02")]
    dates = project_dates("2026-12-31", "2036-12-31", 12)

    local = run_whatif(portfolio, scenarios, dates, out=tmp_path / "local.parquet", chunk_rows=97)
    remote = run_whatif(portfolio, scenarios, dates, out=tmp_path / "dask.parquet", chunk_rows=97, dask=dask_client)

    local_table = pq.read_table(tmp_path / "local.parquet")
    assert local_table.num_rows == local.policies * 2 * dates.shape[0]
    assert plain(pq.read_table(tmp_path / "dask.parquet")).equals(plain(local_table))
    assert remote.summary.equals(local.summary)


def assert_cli_dask_equals_local(tmp_path: Path, options: list[str], dask: str) -> None:
    """Run ``whatif`` on ``tmp_path/portfolio.parquet`` without and with ``--dask dask``, and assert equal tables."""
    common = ["whatif", "portfolio.parquet", "--from", "2026-12-31", "--to", "2030-12-31", "--every", "12", *options]
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    for name, extra in (("local.parquet", []), ("dask.parquet", ["--dask", dask])):
        completed = subprocess.run(
            [sys.executable, "-m", "api.cli", *common, "--out", name, *extra],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=110,
        )
        assert completed.returncode == 0, completed.stderr
    assert plain(pq.read_table(tmp_path / "dask.parquet")).equals(plain(pq.read_table(tmp_path / "local.parquet")))


@pytest.mark.timeout(120)
def test_cli_dask_local_equals_local(tmp_path):
    pq.write_table(random_portfolio(22, 80), tmp_path / "portfolio.parquet")
    assert_cli_dask_equals_local(tmp_path, ["--indexation", "0", "3%"], "local")


@pytest.mark.timeout(120)
def test_cli_scheduler_address_equals_local(tmp_path, dask_client):
    # A tcp:// address is checked for a Dask handshake before distributed connects.
    address = dask_client.scheduler.address
    assert address.startswith("tcp://127.0.0.1:")
    pq.write_table(random_portfolio(23, 60), tmp_path / "portfolio.parquet")
    assert_cli_dask_equals_local(tmp_path, [], address)
