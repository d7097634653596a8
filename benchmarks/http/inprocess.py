"""CPU cost per request of the engine without HTTP: decode, calculate and encode, in one process.

    python -m benchmarks.http.inprocess [--loads varied,c01,c07] [--count N] [--rounds R]
    python -m benchmarks.http.inprocess --profile varied [--count N]

Each load is generated in memory with the same generators the HTTP benchmark
uses (``benchmarks.http.loads``). A round times every body of a load once,
back to back, and divides the elapsed time by the number of bodies. The
script prints the median and the best round in microseconds per request.
``--checks`` adds the request-body checks the server runs before decoding
(UTF-8 and nesting depth). ``--profile LOAD`` prints the cProfile functions
with the most own time for one pass over that load instead.
"""

import argparse
import cProfile
import pstats
import random
import statistics
import time

import msgspec

from api.request_body import check_nesting_depth, check_utf8
from benchmarks.http import loads
from model.calculation import calculate
from model.warmup import warm_kernels
from model.wire import decode_request

_encoder = msgspec.json.Encoder()
_MAX_JSON_DEPTH = 64  # the server's default nesting limit


def make_bodies(name: str, count: int, seed: int = 2024) -> list[bytes]:
    """Return ``count`` request bodies of a load (all fifteen for ``fixtures``); a seed always gives the same bodies."""
    if name == "fixtures":
        return loads.fixture_bodies()
    rng = random.Random(f"{seed}-{name}")
    return [msgspec.json.encode(loads.GENERATORS[name](rng)) for _ in range(count)]


def serve_one(body: bytes, checks: bool) -> bytes:
    """Decode, calculate and encode one request body, as the server does after reading it."""
    if checks:
        check_utf8(body)
        check_nesting_depth(body, _MAX_JSON_DEPTH)
    request, mutations = decode_request(body)
    return _encoder.encode(calculate(request, mutations))


def time_round(bodies: list[bytes], checks: bool) -> float:
    """Return the mean wall time per body in microseconds for one pass over ``bodies``."""
    started = time.perf_counter_ns()
    for body in bodies:
        serve_one(body, checks)
    return (time.perf_counter_ns() - started) / len(bodies) / 1_000


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.http.inprocess", description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", default="c01,c07,varied", help="comma-separated loads (default c01,c07,varied)")
    parser.add_argument("--count", type=int, default=2_000, help="bodies per generated load (default 2000)")
    parser.add_argument("--rounds", type=int, default=9, help="timed passes per load (default 9)")
    parser.add_argument("--checks", action="store_true", help="also run the UTF-8 and nesting-depth checks")
    parser.add_argument("--profile", metavar="LOAD", help="print a cProfile of one pass over LOAD instead")
    args = parser.parse_args()

    warm_kernels()
    if args.profile:
        bodies = make_bodies(args.profile, args.count)
        time_round(bodies, args.checks)
        profiler = cProfile.Profile()
        profiler.enable()
        time_round(bodies, args.checks)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        return

    for name in args.loads.split(","):
        bodies = make_bodies(name, args.count)
        time_round(bodies, args.checks)  # warm caches and lazy imports
        rounds = [time_round(bodies, args.checks) for _ in range(args.rounds)]
        print(
            f"{name:8s} {len(bodies):6d} bodies  median {statistics.median(rounds):7.1f} us/request  "
            f"best {min(rounds):7.1f} us/request"
        )


if __name__ == "__main__":
    main()
