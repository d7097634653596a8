"""Cold start: from process launch to the first correct 200, and to the first response of each kernel.

    python -m benchmarks.http.cold_start [--runs 5]

For each worker setting (the default, one per CPU core, and ``--workers 1``)
the script launches ``pension-engine serve`` ``--runs`` times. Each time it
polls with the create-dossier-only fixture until a 200 arrives whose outcome
and end situation match the fixture, then sends, once each, the fixtures that
first need the indexation, retirement and projection kernels, and records
how long after launch each correct response arrived. It prints the median of
every column.
"""

import argparse
import http.client
import json
import statistics
import time
from pathlib import Path

from benchmarks.http.servers import engine_command, free_port, running
from tests.compare import differences

FIXTURE_DIR = Path(__file__).resolve().parents[2] / "tests" / "fixtures"
FIRST_REQUEST = "C01-create-dossier"
KERNEL_REQUESTS = {
    "indexation": "C04-apply-indexation",
    "retirement": "C07-full-happy-path",
    "projection": "B01-project-future-benefits",
}
POLL_INTERVAL_SECONDS = 0.002
LAUNCH_TIMEOUT_SECONDS = 30.0


def _fixture(name: str) -> tuple[bytes, dict]:
    document = json.loads((FIXTURE_DIR / f"{name}.json").read_text())
    return json.dumps(document["request"]).encode(), document["expected"]


def _problems(status: int, payload: bytes, expected: dict) -> list[str]:
    """Return why a response does not match a fixture's expected status, outcome and end situation."""
    if status != expected["http_status"]:
        return [f"status {status} != {expected['http_status']}"]
    response = json.loads(payload)
    result = response["calculation_result"]
    found = differences(response["calculation_metadata"]["calculation_outcome"], expected["calculation_outcome"])
    return found + differences(result["end_situation"]["situation"], expected["end_situation"])


def _post(port: int, body: bytes) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", "/calculation-requests", body, {"content-type": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def measure_once(workers: int | None) -> dict[str, float]:
    """Launch one server and return seconds from launch to each first correct response."""
    port = free_port()
    first_body, first_expected = _fixture(FIRST_REQUEST)
    times = {}
    launched = time.perf_counter()
    with running(engine_command(port, workers)) as process:
        deadline = launched + LAUNCH_TIMEOUT_SECONDS
        while True:
            if process.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError(f"server did not respond within {LAUNCH_TIMEOUT_SECONDS} s")
            try:
                status, payload = _post(port, first_body)
            except OSError:
                time.sleep(POLL_INTERVAL_SECONDS)
                continue
            problems = _problems(status, payload, first_expected)
            if problems:
                raise RuntimeError(f"first response is wrong: {problems[:3]}")
            times["first 200"] = time.perf_counter() - launched
            break
        for kernel, name in KERNEL_REQUESTS.items():
            body, expected = _fixture(name)
            status, payload = _post(port, body)
            problems = _problems(status, payload, expected)
            if problems:
                raise RuntimeError(f"first {kernel} response is wrong: {problems[:3]}")
            times[f"first {kernel}"] = time.perf_counter() - launched
    return times


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.http.cold_start", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="launches per worker setting (default 5)")
    args = parser.parse_args()
    for label, workers in (("default workers", None), ("--workers 1", 1)):
        runs = [measure_once(workers) for _ in range(args.runs)]
        print(f"{label}: median of {args.runs} launches (ms after launch)")
        for column in runs[0]:
            values = [run[column] * 1000 for run in runs]
            print(f"  {column:18} median {statistics.median(values):7.0f}   runs {', '.join(f'{v:.0f}' for v in values)}")


if __name__ == "__main__":
    main()
