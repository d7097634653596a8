"""Measure the latency the scheme registry adds to a calculation request.

Run: .venv/bin/python -m benchmarks.registry_latency [--requests 200] [--delay 0.05]

Starts the registry double in its own process (default 50 ms response delay)
and the real server (one worker) four times. The cases are: no registry,
cached schemes, new schemes on every request, and a registry that never
responds within the 2 s limit. Each request is the
two-policy dossier of tests/fixtures/C07-full-happy-path.json, with its two
schemes renamed per case, sent one at a time over keep-alive.
"""

import argparse
import copy
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.server import post_calculation, running_server

C07 = json.loads((Path(__file__).parent.parent / "tests" / "fixtures" / "C07-full-happy-path.json").read_text())


def request_with_schemes(first: str, second: str) -> dict:
    request = copy.deepcopy(C07["request"])
    schemes = iter((first, second))
    for mutation in request["calculation_instructions"]["mutations"]:
        if mutation["mutation_definition_name"] == "add_policy":
            mutation["mutation_properties"]["scheme_id"] = next(schemes)
    return request


def time_requests(url: str, requests: list[dict]) -> list[float]:
    """Send the requests one after another and return each latency in ms."""
    latencies = []
    with httpx.Client(base_url=url, timeout=30.0) as client:
        for warm_up in range(20):
            post_calculation(client, request_with_schemes("WARM-A", "WARM-B")).raise_for_status()
        for request in requests:
            started = time.perf_counter()
            response = post_calculation(client, request)
            latencies.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
    return latencies


def summary(name: str, latencies: list[float], baseline: float | None = None) -> str:
    median = statistics.median(latencies)
    p95 = sorted(latencies)[int(len(latencies) * 0.95) - 1]
    added = "" if baseline is None else f"  added {median - baseline:+8.2f} ms"
    return f"{name:<34} median {median:8.2f} ms  p95 {p95:8.2f} ms{added}"


def start_double(delay: float) -> tuple[subprocess.Popen, str]:
    """Start the registry double in a subprocess and return it with its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.registry_double", "--delay", str(delay)], stdout=subprocess.PIPE, text=True
    )
    return process, process.stdout.readline().strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per case (default 200)")
    parser.add_argument("--delay", type=float, default=0.05, help="registry response delay in seconds (default 0.05)")
    args = parser.parse_args()

    same = [request_with_schemes("CACHED-A", "CACHED-B")] * args.requests
    fresh = [request_with_schemes(f"NEW-{index}-A", f"NEW-{index}-B") for index in range(args.requests)]

    double, double_url = start_double(args.delay)
    slow_double, slow_url = start_double(3.0)
    try:
        with running_server(env={"SCHEME_REGISTRY_URL": ""}) as url:
            baseline = statistics.median(time_requests(url, same))
        with running_server(env={"SCHEME_REGISTRY_URL": double_url}) as url:
            cached = time_requests(url, same)
        with running_server(env={"SCHEME_REGISTRY_URL": double_url}) as url:
            uncached = time_requests(url, fresh)
        with running_server(env={"SCHEME_REGISTRY_URL": slow_url}) as url:
            slow = time_requests(url, [request_with_schemes("SLOW-A", "SLOW-B")])
    finally:
        for process in (double, slow_double):
            process.terminate()
            process.wait(10)

    print(f"{args.requests} sequential requests per case, registry delay {args.delay * 1000:g} ms")
    print(f"{'no registry':<34} median {baseline:8.2f} ms")
    print(summary("registry, cached schemes", cached, baseline))
    print(summary("registry, two new schemes each", uncached, baseline))
    print(summary("registry slower than 2 s", slow, baseline))


if __name__ == "__main__":
    main()
