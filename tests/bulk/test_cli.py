"""The sample-portfolio and whatif commands end to end, as subprocesses."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from tests.bulk.helpers import plain

ROOT = Path(__file__).resolve().parents[2]
ENV = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}


def _cli(*arguments: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *arguments], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    sample = _cli("sample-portfolio", "--dossiers", "300", "--seed", "3", "--out", "portfolio.parquet", cwd=folder)
    assert sample.returncode == 0, sample.stderr
    whatif = _cli(
        "whatif", "portfolio.parquet", "--from", "2026-12-31", "--to", "2036-12-31", "--every", "12",
        "--indexation", "0", "2%", "0.03", "--out", "out.parquet", "--summary", "summary.csv", "--plot", "fan.png",
        cwd=folder,
    )
    assert whatif.returncode == 0, whatif.stderr
    (folder / "stdout.txt").write_text(whatif.stdout)
    return folder


def test_sample_is_deterministic(tmp_path, run_folder):
    again = _cli("sample-portfolio", "--dossiers", "300", "--seed", "3", "--out", "again.parquet", cwd=tmp_path)
    other = _cli("sample-portfolio", "--dossiers", "300", "--seed", "4", "--out", "other.parquet", cwd=tmp_path)
    assert again.returncode == 0
    assert other.returncode == 0
    first = pq.read_table(run_folder / "portfolio.parquet")
    assert pq.read_table(tmp_path / "again.parquet").equals(first)
    assert not pq.read_table(tmp_path / "other.parquet").equals(first)


def test_sample_is_realistic(run_folder):
    table = pq.read_table(run_folder / "portfolio.parquet").to_pandas()
    counts = table.groupby("dossier_id").size()
    assert len(counts) == 300
    assert counts.min() >= 1
    assert counts.max() <= 5
    assert table["part_time_factor"].between(0.5, 1).all()
    assert (table["employment_start_date"] > table["birth_date"]).all()
    assert table["scheme_id"].nunique() > 1


def test_whatif_table_columns_and_rows(run_folder):
    table = plain(pq.read_table(run_folder / "out.parquet"))
    policies = pq.read_metadata(run_folder / "portfolio.parquet").num_rows
    assert table.column_names == ["scenario", "dossier_id", "policy_id", "date", "projected_pension", "eligible"]
    assert table.num_rows == policies * 3 * 11
    assert table.column("scenario").unique().to_pylist() == ["0", "2%", "0.03"]
    first_policy = table.slice(0, 33).to_pylist()
    assert {row["policy_id"] for row in first_policy} == {"D00000000-1"}


def test_whatif_summary_matches_table(run_folder):
    table = plain(pq.read_table(run_folder / "out.parquet")).to_pandas()
    summary = pa_csv.read_csv(run_folder / "summary.csv").to_pandas()
    assert len(summary) == 3 * 11
    dossiers = table.groupby(["scenario", "date", "dossier_id"], sort=False).agg(
        pension=("projected_pension", "sum"), eligible=("eligible", "first")
    )
    groups = {key: group for key, group in dossiers.groupby(level=["scenario", "date"], sort=False)}
    for row in summary.itertuples():
        own = groups[(row.scenario, row.date)]
        assert row.dossiers == len(own) == 300
        assert row.total == pytest.approx(own["pension"].sum(), rel=1e-9)
        assert row.p10 == pytest.approx(np.percentile(own["pension"], 10), rel=1e-9)
        assert row.p50 == pytest.approx(np.percentile(own["pension"], 50), rel=1e-9)
        assert row.p90 == pytest.approx(np.percentile(own["pension"], 90), rel=1e-9)
        assert row.eligible_share == pytest.approx(own["eligible"].mean())


def test_whatif_prints_summary_and_plots(run_folder):
    lines = (run_folder / "stdout.txt").read_text().splitlines()
    assert lines[0].split() == ["scenario", "date", "total", "mean", "p10", "p50", "p90", "eligible"]
    assert len(lines) == 1 + 3 * 11
    assert (run_folder / "fan.png").read_bytes().startswith(b"\x89PNG")


def test_cli_import_stays_light():
    probe = "import sys, api.cli; print(sorted(m for m in ('pyarrow', 'pandas', 'dask', 'numba') if m in sys.modules))"
    completed = subprocess.run([sys.executable, "-c", probe], env=ENV, capture_output=True, text=True, timeout=60)
    assert completed.stdout.strip() == "[]"


def test_outputs_follow_umask(run_folder):
    mask = os.umask(0o022)
    os.umask(mask)
    expected = 0o666 & ~mask
    for name in ("portfolio.parquet", "out.parquet", "summary.csv", "fan.png"):
        assert stat.S_IMODE((run_folder / name).stat().st_mode) == expected, name
