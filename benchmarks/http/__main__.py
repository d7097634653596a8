"""Throughput and latency of ``pension-engine serve`` against the bare ASGI reference app.

    python -m benchmarks.http [--duration S] [--quick]

Both servers run on loopback ports with the default worker count (the CPU
count). wrk drives them in turn (engine, reference, engine, reference) with
the same load, so drift of the machine hits both alike. Loads:

- ``varied``: 10,000 distinct generated fixture-sized requests (1-4 policies,
  indexation, retirement, yearly projections);
- ``fixtures``: the fifteen reference fixtures;
- ``c01`` and ``c07``: distinct requests shaped like a create-dossier-only
  request and like a full happy path, for latency at 1 and 50 connections.

Requires ``wrk`` on the PATH (Debian: ``apt-get install wrk``).
"""

import argparse
import os
import shutil
import statistics
import tempfile
from pathlib import Path

from benchmarks.http import loads
from benchmarks.http.servers import (
    WrkResult,
    engine_command,
    free_port,
    reference_command,
    run_wrk,
    running,
    wait_until_ready,
)

ROUNDS = 2  # engine/reference pairs per throughput load
WARM_UP_SECONDS = 3


def _describe(result: WrkResult) -> str:
    latency = result.latency_ms
    errors = f", {result.errors} errors" if result.errors else ""
    return f"{result.requests_per_second:9.0f} req/s  p50 {latency['50']:7.2f} ms  p99 {latency['99']:7.2f} ms{errors}"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.http", description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per wrk run (default 10)")
    parser.add_argument("--quick", action="store_true", help="3-second runs and 1,000 bodies per load")
    parser.add_argument("--connections", type=int, default=50, help="wrk connections for throughput (default 50)")
    parser.add_argument("--loads", default="varied,fixtures", help="comma-separated throughput loads")
    parser.add_argument("--no-latency", action="store_true", help="skip the c01/c07 latency runs")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: run `apt-get install -y wrk` (Debian) and retry")

    seconds = 3.0 if args.quick else args.duration
    count = 1_000 if args.quick else 10_000
    workers = os.cpu_count() or 1
    throughput_loads = [name for name in args.loads.split(",") if name]

    with tempfile.TemporaryDirectory(prefix="bench-http-") as scratch:
        directory = Path(scratch)
        print(f"writing loads ({count} bodies each) to {directory}", flush=True)
        bodies = {name: loads.write_load(directory, name, count) for name in {*throughput_loads, "c01", "c07"}}
        first_body = bodies["c01"].read_bytes().split(b"\n", 1)[0]

        engine_port, reference_port = free_port(), free_port()
        engine_url = f"http://127.0.0.1:{engine_port}/calculation-requests"
        reference_url = f"http://127.0.0.1:{reference_port}/calculation-requests"
        env = {"BENCH_LOAD_DIR": str(directory)}
        with (
            running(engine_command(engine_port), env) as engine,
            running(reference_command(reference_port, workers), env) as reference,
        ):
            wait_until_ready(engine_url, first_body, engine)
            wait_until_ready(reference_url, first_body, reference)
            threads = min(2, args.connections)
            for url in (engine_url, reference_url):  # loads the kernels in every worker, fills caches
                run_wrk(url, bodies["varied" if "varied" in bodies else "c07"], connections=args.connections, threads=threads, seconds=WARM_UP_SECONDS)

            print(f"\nthroughput: {workers} workers per server, {args.connections} connections, {seconds:.0f} s per run")
            for name in throughput_loads:
                ours, theirs = [], []
                for round_number in range(ROUNDS):
                    for label, url, results in (("engine   ", engine_url, ours), ("reference", reference_url, theirs)):
                        result = run_wrk(url, bodies[name], connections=args.connections, threads=threads, seconds=seconds)
                        results.append(result)
                        print(f"  {name:9} {label} run {round_number + 1}: {_describe(result)}", flush=True)
                ratio = statistics.mean(r.requests_per_second for r in ours) / statistics.mean(
                    r.requests_per_second for r in theirs
                )
                print(f"  {name:9} engine / reference = {ratio:.3f}\n", flush=True)

            if not args.no_latency:
                print("latency (engine, then reference)")
                for name in ("c01", "c07"):
                    for connections, wrk_threads in ((1, 1), (50, 2)):
                        for label, url in (("engine   ", engine_url), ("reference", reference_url)):
                            result = run_wrk(url, bodies[name], connections=connections, threads=wrk_threads, seconds=seconds)
                            print(f"  {name} {connections:2d} conn {label}: {_describe(result)}", flush=True)


if __name__ == "__main__":
    main()
