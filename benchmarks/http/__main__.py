"""Throughput and latency of ``pension-engine serve`` against the bare ASGI reference app.

    python -m benchmarks.http [--duration S] [--quick]

The servers run on loopback ports with the default worker count (the CPU
count): the engine, the reference app, and the reference app's work as a
BlackSheep route (``benchmarks.http.floor_app``, the engine's ceiling: its
throughput if the calculation cost nothing). wrk drives them in turn
(engine, reference, floor, then again) with the same load, so drift of the
machine hits all alike. ``--no-floor`` leaves the floor app out. Loads:

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
from contextlib import nullcontext
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

ROUNDS = 2  # runs of each server per throughput load
FLOOR_APP = "benchmarks.http.floor_app:app"
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
    parser.add_argument("--no-floor", action="store_true", help="leave out the BlackSheep floor app")
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

        engine_port, reference_port, floor_port = free_port(), free_port(), free_port()
        engine_url = f"http://127.0.0.1:{engine_port}/calculation-requests"
        reference_url = f"http://127.0.0.1:{reference_port}/calculation-requests"
        floor_url = f"http://127.0.0.1:{floor_port}/calculation-requests"
        env = {"BENCH_LOAD_DIR": str(directory)}
        with (
            running(engine_command(engine_port), env) as engine,
            running(reference_command(reference_port, workers), env) as reference,
            nullcontext() if args.no_floor else running(reference_command(floor_port, workers, FLOOR_APP), env) as floor,
        ):
            servers = [("engine", engine_url, engine), ("reference", reference_url, reference)]
            if not args.no_floor:
                servers.append(("floor", floor_url, floor))
            threads = min(2, args.connections)
            for _, url, process in servers:  # loads the kernels in every worker, fills caches
                wait_until_ready(url, first_body, process)
                run_wrk(url, bodies["varied" if "varied" in bodies else "c07"], connections=args.connections, threads=threads, seconds=WARM_UP_SECONDS)

            print(f"\nthroughput: {workers} workers per server, {args.connections} connections, {seconds:.0f} s per run")
            for name in throughput_loads:
                results = {label: [] for label, _, _ in servers}
                for round_number in range(ROUNDS):
                    for label, url, _ in servers:
                        result = run_wrk(url, bodies[name], connections=args.connections, threads=threads, seconds=seconds)
                        results[label].append(result)
                        print(f"  {name:9} {label:9} run {round_number + 1}: {_describe(result)}", flush=True)
                mean = {label: statistics.mean(r.requests_per_second for r in runs) for label, runs in results.items()}
                print(f"  {name:9} engine / reference = {mean['engine'] / mean['reference']:.3f}", flush=True)
                if "floor" in mean:
                    print(f"  {name:9} floor / reference  = {mean['floor'] / mean['reference']:.3f} (the engine's ceiling)", flush=True)
                print(flush=True)

            if not args.no_latency:
                print("latency (engine, then reference)")
                for name in ("c01", "c07"):
                    for connections, wrk_threads in ((1, 1), (50, 2)):
                        for label, url in (("engine   ", engine_url), ("reference", reference_url)):
                            result = run_wrk(url, bodies[name], connections=connections, threads=wrk_threads, seconds=seconds)
                            print(f"  {name} {connections:2d} conn {label}: {_describe(result)}", flush=True)


if __name__ == "__main__":
    main()
