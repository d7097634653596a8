"""Starting the real server as a subprocess on a free loopback port."""

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

import httpx

STARTUP_TIMEOUT_SECONDS = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = STARTUP_TIMEOUT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise TimeoutError(f"server did not listen on port {port} within {timeout} s")


@contextmanager
def running_server(workers: int = 1, env: dict[str, str] | None = None):
    """Run ``pension-engine serve`` on a free loopback port and yield its base URL."""
    port = free_port()
    process_env = {**os.environ, **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        env=process_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def post_calculation(client: httpx.Client, request: dict | bytes, **kwargs) -> httpx.Response:
    if isinstance(request, bytes):
        return client.post("/calculation-requests", content=request, headers={"content-type": "application/json"}, **kwargs)
    return client.post("/calculation-requests", json=request, **kwargs)
