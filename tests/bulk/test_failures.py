"""Failures end the run with one line and exit code 2 (1 when a write fails, 130 or 143 when interrupted) and leave no file behind."""

import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from api.bulk import InputError, Scenario, project_dates, read_portfolio, run_whatif
from tests.bulk.test_bad_values import _table

ROOT = Path(__file__).resolve().parents[2]


def _cli(*arguments: str, cwd: Path, env: dict | None = None, timeout: float = 90) -> subprocess.CompletedProcess:
    environment = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *arguments], cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout
    )


def _one_line_error(completed: subprocess.CompletedProcess, command: str = "whatif") -> str:
    assert completed.returncode == 2, completed.stderr
    assert "Traceback" not in completed.stderr
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith(f"pension-engine {command}: error: ")
    return lines[0]


@pytest.fixture
def folder(tmp_path) -> Path:
    pq.write_table(_table(), tmp_path / "portfolio.parquet")
    return tmp_path


WHATIF = ("whatif", "portfolio.parquet", "--from", "2026-12-31", "--to", "2030-12-31", "--every", "12")


def test_empty_portfolio_rejected(folder):
    empty = _table().slice(0, 0)
    with pytest.raises(InputError, match="no rows"):
        run_whatif(empty, [Scenario("none")], project_dates("2026-12-31", "2028-12-31", 12))
    with pytest.raises(InputError, match="no rows"):
        read_portfolio(empty)
    pq.write_table(empty, folder / "empty.parquet")
    line = _one_line_error(_cli("whatif", "empty.parquet", *WHATIF[2:], "--out", "o.parquet", cwd=folder))
    assert "no rows" in line
    assert sorted(path.name for path in folder.iterdir()) == ["empty.parquet", "portfolio.parquet"]


@pytest.mark.parametrize("option", ["--out", "--summary", "--plot"])
def test_unwritable_output_named(folder, option):
    line = _one_line_error(_cli(*WHATIF, "--out", "o.parquet", option, "/proc/no-such-place/file", cwd=folder))
    assert "/proc/no-such-place/file" in line
    line = _one_line_error(_cli(*WHATIF, "--out", "o.parquet", option, "/proc/o.bin", cwd=folder))
    assert f"{option} '/proc/o.bin'" in line
    assert sorted(path.name for path in folder.iterdir()) == ["portfolio.parquet"]


def test_sample_portfolio_unwritable_output_named(tmp_path):
    line = _one_line_error(_cli("sample-portfolio", "--dossiers", "5", "--out", "/proc/a.parquet", cwd=tmp_path), "sample-portfolio")
    assert "--out '/proc/a.parquet'" in line


@pytest.mark.parametrize(
    "outputs",
    [["--out", "x.parquet", "--summary", "x.parquet"], ["--summary", "x.csv", "--plot", "./x.csv"], ["--out", "portfolio.parquet"]],
)
def test_outputs_must_be_distinct(folder, outputs):
    line = _one_line_error(_cli(*WHATIF, *outputs, cwd=folder))
    assert "Choose another file" in line
    assert sorted(path.name for path in folder.iterdir()) == ["portfolio.parquet"]


def test_failed_plot_leaves_no_output(folder, monkeypatch):
    import api.bulk.plot

    def broken_chart(summary, target):
        raise ValueError("no chart today")

    monkeypatch.setattr(api.bulk.plot, "fan_chart", broken_chart)
    monkeypatch.setenv("TMPDIR", str(folder))
    with pytest.raises(ValueError, match="no chart today"):
        run_whatif(
            folder / "portfolio.parquet", [Scenario("none")], project_dates("2026-12-31", "2028-12-31", 12),
            out=folder / "o.parquet", summary=folder / "s.csv", plot=folder / "f.png",
        )
    assert sorted(path.name for path in folder.iterdir()) == ["portfolio.parquet"]


def test_plot_at_the_end_of_the_calendar(folder):
    completed = _cli(
        "whatif", "portfolio.parquet", "--from", "9999-01-31", "--to", "9999-12-31", "--every", "1",
        "--out", "o.parquet", "--summary", "s.csv", "--plot", "f.png", cwd=folder,
    )
    assert completed.returncode == 0, completed.stderr
    assert (folder / "f.png").read_bytes().startswith(b"\x89PNG")


def test_interrupt_leaves_no_output(folder, monkeypatch):
    import api.bulk.runner

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(api.bulk.runner, "project_scenarios", interrupted)
    monkeypatch.setenv("TMPDIR", str(folder))
    with pytest.raises(KeyboardInterrupt):
        run_whatif(
            folder / "portfolio.parquet", [Scenario("none")], project_dates("2026-12-31", "2028-12-31", 12),
            out=folder / "o.parquet", summary=folder / "s.csv", plot=folder / "f.png",
        )
    assert sorted(path.name for path in folder.iterdir()) == ["portfolio.parquet"]


def test_cli_interrupt_is_one_line(folder, monkeypatch, capsys):
    import api.bulk.commands
    from api.cli import main

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(api.bulk.commands, "run_whatif", interrupted)
    monkeypatch.chdir(folder)
    with pytest.raises(SystemExit) as caught:
        main(list(WHATIF))
    assert caught.value.code == 130
    assert capsys.readouterr().err.strip().splitlines() == ["pension-engine whatif: interrupted"]


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_removes_temporary_files(tmp_path, signal_number):
    environment = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "sample-portfolio", "--dossiers", "20000000", "--out", "big.parquet"],
        cwd=tmp_path, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert _wait_for(lambda: any(path.name.endswith(".tmp") for path in tmp_path.iterdir()), 60)
        time.sleep(0.3)
        process.send_signal(signal_number)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 128 + signal_number
    assert stderr.strip().splitlines()[-1] == "pension-engine sample-portfolio: interrupted"
    assert "Traceback" not in stderr
    assert list(tmp_path.iterdir()) == []


def test_repeated_indexation_adds_scenarios(folder):
    completed = _cli(*WHATIF, "--indexation=-2%", "--indexation=5%", "--indexation", "0", "1%", cwd=folder)
    assert completed.returncode == 0, completed.stderr
    labels = {line.split()[0] for line in completed.stdout.splitlines()[1:]}
    assert labels == {"-2%", "5%", "0", "1%"}


def test_to_help_says_upper_bound(tmp_path):
    completed = _cli("whatif", "--help", cwd=tmp_path)
    assert "on or before" in " ".join(completed.stdout.split())


def test_dask_unknown_scheme_is_one_line(folder):
    line = _one_line_error(_cli(*WHATIF, "--dask", "foo://127.0.0.1:1", "--out", "o.parquet", cwd=folder))
    assert "foo://127.0.0.1:1" in line
    assert sorted(path.name for path in folder.iterdir()) == ["portfolio.parquet"]


def test_dask_address_of_another_server_is_one_line(folder):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    stop = threading.Event()

    def answer() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            with connection:
                connection.sendall(b"HTTP/1.0 400 nope\r\n\r\n")

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
    try:
        completed = _cli(*WHATIF, "--dask", address, "--out", "o.parquet", cwd=folder, timeout=60)
    finally:
        stop.set()
        thread.join()
        server.close()
    line = _one_line_error(completed)
    assert address in line
    assert sorted(path.name for path in folder.iterdir()) == ["portfolio.parquet"]


@pytest.mark.timeout(120)
def test_dask_local_logs_no_info(folder):
    completed = _cli(*WHATIF, "--dask", "local", cwd=folder, timeout=110)
    assert completed.returncode == 0, completed.stderr
    assert not [line for line in completed.stderr.splitlines() if "distributed" in line]


def _limit_file_size() -> None:
    # Writes past 200 KB then fail with EFBIG; CPython ignores SIGXFSZ, so the process is not killed.
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))


def test_failed_write_is_one_line(tmp_path):
    assert _cli("sample-portfolio", "--dossiers", "20000", "--out", "portfolio.parquet", cwd=tmp_path).returncode == 0
    completed = subprocess.run(
        [sys.executable, "-m", "api.cli", *WHATIF, "--out", "o.parquet"],
        cwd=tmp_path, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True,
        timeout=90, preexec_fn=_limit_file_size,
    )
    assert completed.returncode == 1, completed.stderr
    assert "Traceback" not in completed.stderr
    errors = [line for line in completed.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1
    assert errors[0].startswith("pension-engine whatif: error: reading or writing a file failed: ")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["portfolio.parquet"]
