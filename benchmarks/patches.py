"""Cost of building the JSON patches per request, measured in-process.

Run: ``python -m benchmarks.patches [--repeats N]``. For each request it
times decode + calculate + encode with patches and without them
(``calculate(..., emit_patches=False)``), alternating the two, and prints
the medians.
"""

import argparse
import datetime as dt
import json
import random
import statistics
import time
from pathlib import Path

import msgspec

from model.calculation import calculate
from model.warmup import warm_kernels
from model.wire import decode_request

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "C07-full-happy-path.json"
_encoder = msgspec.json.Encoder()


def projection_request(n_policies: int, seed: int = 1) -> bytes:
    """Return a request with one dossier of ``n_policies`` policies and a 10-year yearly projection."""
    rng = random.Random(seed)
    dossier_id = "d-benchmark"
    mutations = [
        {
            "mutation_id": "m-0",
            "mutation_definition_name": "create_dossier",
            "mutation_type": "DOSSIER_CREATION",
            "actual_at": "2020-01-01",
            "mutation_properties": {"dossier_id": dossier_id, "person_id": "p-1", "name": "A. Participant", "birth_date": "1965-03-14"},
        }
    ]
    for index in range(n_policies):
        start = dt.date(1985, 1, 1) + dt.timedelta(days=rng.randrange(12000))
        mutations.append(
            {
                "mutation_id": f"m-{index + 1}",
                "mutation_definition_name": "add_policy",
                "mutation_type": "DOSSIER",
                "actual_at": "2020-01-01",
                "dossier_id": dossier_id,
                "mutation_properties": {
                    "scheme_id": f"SCHEME-{rng.randrange(4)}",
                    "employment_start_date": start.isoformat(),
                    "salary": round(rng.uniform(20000, 90000), 2),
                    "part_time_factor": rng.choice([1, 0.8, 0.5]),
                },
            }
        )
    mutations.append(
        {
            "mutation_id": "m-projection",
            "mutation_definition_name": "project_future_benefits",
            "mutation_type": "DOSSIER",
            "actual_at": "2024-01-01",
            "dossier_id": dossier_id,
            "mutation_properties": {"projection_start_date": "2025-01-01", "projection_end_date": "2035-01-01", "projection_interval_months": 12},
        }
    )
    return json.dumps({"tenant_id": "benchmark", "calculation_instructions": {"mutations": mutations}}).encode()


def run_once(body: bytes, emit_patches: bool) -> tuple[float, int]:
    """Return the seconds of one decode + calculate + encode, and the response size in bytes."""
    started = time.perf_counter()
    request, mutations = decode_request(body)
    size = len(_encoder.encode(calculate(request, mutations, emit_patches=emit_patches)))
    return time.perf_counter() - started, size


def compare(body: bytes, repeats: int) -> tuple[float, float, int, int]:
    """Return the median microseconds with and without patches and both response sizes.

    The two modes alternate run by run, so a change in machine load affects both alike.
    """
    with_patches = []
    without = []
    for _ in range(repeats):
        seconds, size_with = run_once(body, True)
        with_patches.append(seconds)
        seconds, size_without = run_once(body, False)
        without.append(seconds)
    return statistics.median(with_patches) * 1e6, statistics.median(without) * 1e6, size_with, size_without


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5000, help="timed runs per request and mode (default 5000)")
    args = parser.parse_args()

    warm_kernels()
    requests = {
        "C07 (5 mutations, retirement)": json.dumps(json.loads(FIXTURE.read_text())["request"]).encode(),
        "10 policies, 11 projection dates": projection_request(10),
    }
    print(f"{'request':36} {'with patches':>14} {'without':>10} {'added':>8}   bytes with/without")
    for name, body in requests.items():
        compare(body, 200)  # warm-up
        with_patches, without, size_with, size_without = compare(body, args.repeats)
        added = (with_patches / without - 1) * 100
        print(f"{name:36} {with_patches:11.1f} µs {without:7.1f} µs {added:7.1f} %   {size_with}/{size_without}")


if __name__ == "__main__":
    main()
