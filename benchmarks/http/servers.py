"""Starting and stopping the servers under test, and driving them with wrk."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
LUA_SCRIPT = Path(__file__).with_name("bodies.lua")
READY_TIMEOUT_SECONDS = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def engine_command(port: int, workers: int | None = None) -> list[str]:
    """Return the command line of ``pension-engine serve`` on a loopback port; ``None`` workers = the default."""
    command = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    if workers is not None:
        command += ["--workers", str(workers)]
    return command


def reference_command(port: int, workers: int, app: str = "benchmarks.http.reference_app:app") -> list[str]:
    """Return the uvicorn command line of a comparison app (the bare reference by default), with the engine's loop and HTTP settings."""
    return [
        sys.executable, "-m", "uvicorn", app,
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--loop", "uvloop", "--http", "httptools", "--log-level", "warning", "--no-access-log",
    ]


def wait_until_ready(url: str, body: bytes, process: subprocess.Popen, timeout: float = READY_TIMEOUT_SECONDS) -> None:
    """Poll ``url`` with ``body`` until it returns 200, or raise when the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=5.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with code {process.returncode} before it was ready")
            try:
                if client.post(url, content=body, headers={"content-type": "application/json"}).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
    raise TimeoutError(f"{url} did not return 200 within {timeout} s")


@contextmanager
def running(command: list[str], env: dict[str, str] | None = None):
    """Run a server command in its own process group and stop the whole group afterwards."""
    process = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        process.stderr.close()


@dataclass
class WrkResult:
    requests_per_second: float
    latency_ms: dict[str, float]  # percentile ("50", "99", ...) -> milliseconds
    requests: int
    errors: int  # non-2xx responses plus socket errors


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS_MS[unit]


def run_wrk(url: str, bodies: Path, *, connections: int, threads: int, seconds: float) -> WrkResult:
    """Drive ``url`` with wrk for ``seconds``, cycling through the bodies file; parse its report."""
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", "--timeout", "10s",
        "-s", str(LUA_SCRIPT), url,
    ]
    result = subprocess.run(
        command, env={**os.environ, "BENCH_BODIES": str(bodies)}, capture_output=True, text=True, timeout=seconds + 60
    )
    text = result.stdout
    if result.returncode != 0 or "Requests/sec" not in text:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr.strip() or text}")
    latency = {
        percentile: _milliseconds(value)
        for percentile, value in re.findall(r"^\s+(\d+)%\s+([\d.]+\w+)\s*$", text, flags=re.MULTILINE)
    }
    errors = 0
    for pattern in (r"Non-2xx or 3xx responses: (\d+)", r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"):
        found = re.search(pattern, text)
        if found:
            errors += sum(int(group) for group in found.groups())
    return WrkResult(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
        latency_ms=latency,
        requests=int(re.search(r"(\d+) requests in", text).group(1)),
        errors=errors,
    )
