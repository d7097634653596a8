"""Worker memory over a long run: resident set size after warm-up and after every wrk chunk.

    python -m benchmarks.http.rss [--requests 1000000] [--max-minutes 30]

Starts ``pension-engine serve`` with the default worker count, sends at least
20,000 warm-up requests, then drives it with wrk (50 connections, 10,000 distinct
generated requests) in 30-second chunks until ``--requests`` requests got a
response or ``--max-minutes`` passed. After each chunk it prints every
worker's RSS; flat RSS after warm-up means no per-request growth.
"""

import argparse
import tempfile
import time
from pathlib import Path

import psutil

from benchmarks.http import loads
from benchmarks.http.servers import engine_command, free_port, run_wrk, running, wait_until_ready

CHUNK_SECONDS = 30
WARM_UP_REQUESTS = 20_000
MIB = 1024 * 1024


def _worker_rss(supervisor: psutil.Process) -> dict[int, float]:
    """Return the RSS in MiB of every process under the supervisor, or of the supervisor alone when it serves itself."""
    processes = supervisor.children(recursive=True) or [supervisor]
    return {process.pid: process.memory_info().rss / MIB for process in processes}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.http.rss", description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1_000_000, help="requests to send after warm-up")
    parser.add_argument("--max-minutes", type=float, default=30.0, help="stop after this many minutes in any case")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-rss-") as scratch:
        bodies = loads.write_load(Path(scratch), "varied", 10_000)
        port = free_port()
        url = f"http://127.0.0.1:{port}/calculation-requests"
        with running(engine_command(port)) as process:
            wait_until_ready(url, bodies.read_bytes().split(b"\n", 1)[0], process)
            supervisor = psutil.Process(process.pid)
            sent = 0
            while sent < WARM_UP_REQUESTS:
                sent += run_wrk(url, bodies, connections=50, threads=2, seconds=5).requests
            baseline = _worker_rss(supervisor)
            print(f"after {sent} warm-up requests: " + ", ".join(f"{rss:.1f}" for rss in baseline.values()) + " MiB")

            deadline = time.monotonic() + args.max_minutes * 60
            total = 0
            while total < args.requests and time.monotonic() < deadline:
                result = run_wrk(url, bodies, connections=50, threads=2, seconds=CHUNK_SECONDS)
                total += result.requests
                rss = _worker_rss(supervisor)
                growth = max(rss[pid] - baseline.get(pid, rss[pid]) for pid in rss)
                print(
                    f"{total:>9} requests ({result.requests_per_second:.0f} req/s, {result.errors} errors): "
                    + ", ".join(f"{value:.1f}" for value in rss.values())
                    + f" MiB, max growth since warm-up {growth:+.1f} MiB",
                    flush=True,
                )


if __name__ == "__main__":
    main()
