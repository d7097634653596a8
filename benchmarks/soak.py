"""A bounded soak test: concurrent connections mixing valid and invalid requests against a fresh server.

Starts ``pension-engine serve`` on a loopback port, runs ``--connections``
client loops for ``--seconds``, and prints the status codes, transport errors,
latency percentiles and the RSS of the server processes sampled every
``--sample-seconds``. Run from the repository root:

    .venv/bin/python -m benchmarks.soak --connections 50 --seconds 60
"""

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import psutil

FIXTURE_DIR = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
PATH = "/calculation-requests"
JSON_HEADERS = {"content-type": "application/json"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, workers: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode}: {process.stderr.read().decode()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise TimeoutError("server did not listen within 30 s")


def request_mix() -> list[tuple[str, float, dict]]:
    """Return (kind, weight, httpx request arguments) for every kind of request the soak sends."""
    valid = [json.loads(path.read_text())["request"] for path in sorted(FIXTURE_DIR.glob("*.json"))]
    unknown = json.loads(json.dumps(valid[0]))
    unknown["calculation_instructions"]["mutations"][0]["mutation_definition_name"] = "no_such_mutation"
    kinds = [(f"valid {index:02d}", 0.7 / len(valid), {"method": "POST", "url": PATH, "json": request}) for index, request in enumerate(valid)]
    kinds += [
        ("unknown mutation", 0.06, {"method": "POST", "url": PATH, "json": unknown}),
        ("not JSON", 0.06, {"method": "POST", "url": PATH, "content": b"{oops", "headers": JSON_HEADERS}),
        ("missing field", 0.05, {"method": "POST", "url": PATH, "json": {"tenant_id": "t"}}),
        ("text/plain", 0.04, {"method": "POST", "url": PATH, "content": b"{}", "headers": {"content-type": "text/plain"}}),
        ("nested 10,000 deep", 0.03, {"method": "POST", "url": PATH, "content": b"[" * 10_000 + b"]" * 10_000, "headers": JSON_HEADERS}),
        ("invalid UTF-8", 0.03, {"method": "POST", "url": PATH, "content": b'{"tenant_id": "\xff"}', "headers": JSON_HEADERS}),
        ("1.1 MiB body", 0.01, {"method": "POST", "url": PATH, "content": b" " * (1_153_434), "headers": JSON_HEADERS}),
        ("unknown path", 0.01, {"method": "GET", "url": "/nowhere"}),
        ("wrong method", 0.01, {"method": "GET", "url": PATH}),
    ]
    return kinds


async def client_loop(base_url: str, deadline: float, kinds, seed: int, statuses: Counter, errors: Counter, latencies: list):
    rng = random.Random(seed)
    weights = [weight for _, weight, _ in kinds]
    async with httpx.AsyncClient(base_url=base_url, timeout=30.0, limits=httpx.Limits(max_connections=1)) as client:
        while time.monotonic() < deadline:
            kind, _, arguments = rng.choices(kinds, weights)[0]
            started = time.perf_counter()
            try:
                response = await client.request(**arguments)
                statuses[(kind, response.status_code)] += 1
                latencies.append(time.perf_counter() - started)
            except httpx.TransportError as error:
                errors[(kind, type(error).__name__)] += 1


def server_rss_mib(process: psutil.Process) -> dict[int, float]:
    """Return the RSS in MiB of the server process and each of its worker processes, by process id."""
    found = {}
    for member in [process, *process.children(recursive=True)]:
        try:
            found[member.pid] = member.memory_info().rss / 2**20
        except psutil.NoSuchProcess:
            pass
    return found


async def sample_memory(process: psutil.Process, deadline: float, every: float, samples: list):
    start = time.monotonic()
    while True:
        samples.append((time.monotonic() - start, server_rss_mib(process)))
        if time.monotonic() >= deadline:
            return
        await asyncio.sleep(min(every, max(0.0, deadline - time.monotonic())))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def print_report(args, elapsed: float, statuses: Counter, errors: Counter, latencies: list, samples: list) -> None:
    total = sum(statuses.values())
    print(f"\n{args.connections} connections, {elapsed:.1f} s, {args.workers} worker(s), {os.cpu_count()} CPUs")
    print(f"{total} responses ({total / elapsed:.0f}/s), {sum(errors.values())} transport errors")
    print(f"latency ms: p50 {percentile(latencies, 0.5) * 1000:.1f}  p99 {percentile(latencies, 0.99) * 1000:.1f}  "
          f"max {max(latencies, default=float('nan')) * 1000:.1f}")

    print(f"\n{'request kind':<22}{'status':>7}{'count':>9}")
    by_kind = Counter()
    for (kind, status), count in statuses.items():
        by_kind[("valid fixtures" if kind.startswith("valid") else kind, status)] += count
    for (kind, status), count in sorted(by_kind.items()):
        print(f"{kind:<22}{status:>7}{count:>9}")
    for (kind, name), count in sorted(errors.items()):
        print(f"{kind:<22}{name:>7}{count:>9}")

    pids = sorted({pid for _, rss in samples for pid in rss})
    print(f"\n{'time s':>7}" + "".join(f"{'RSS MiB ' + str(pid):>18}" for pid in pids))
    for moment, rss in samples:
        print(f"{moment:>7.1f}" + "".join(f"{rss.get(pid, float('nan')):>18.1f}" for pid in pids))


async def soak(args) -> int:
    port = free_port()
    server = start_server(port, args.workers)
    try:
        base_url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base_url) as warm:
            for request in request_mix()[:15]:
                await warm.request(**request[2])  # compile the kernels before measuring
        kinds = request_mix()
        statuses, errors, latencies, samples = Counter(), Counter(), [], []
        started = time.monotonic()
        deadline = started + args.seconds
        tasks = [client_loop(base_url, deadline, kinds, seed, statuses, errors, latencies) for seed in range(args.connections)]
        await asyncio.gather(sample_memory(psutil.Process(server.pid), deadline, args.sample_seconds, samples), *tasks)
        print_report(args, time.monotonic() - started, statuses, errors, latencies, samples)
        server_errors = sum(count for (_, status), count in statuses.items() if status >= 500)
        return 1 if errors or server_errors else 0
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=50, help="concurrent client connections (default 50)")
    parser.add_argument("--seconds", type=float, default=60.0, help="duration of the soak in seconds (default 60)")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes (default 1)")
    parser.add_argument("--sample-seconds", type=float, default=5.0, help="seconds between RSS samples (default 5)")
    args = parser.parse_args()
    if not 0 < args.seconds <= 3600 or not 0 < args.connections <= 1000:
        parser.error("expected 0 < --seconds <= 3600 and 0 < --connections <= 1000")
    sys.exit(asyncio.run(soak(args)))


if __name__ == "__main__":
    main()
