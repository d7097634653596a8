"""CPU cost per request of the served ASGI application, without sockets.

    python -m benchmarks.http.asgi_inprocess [--loads varied,c01,c07] [--count N] [--rounds R]

The application is loaded the way ``pension-engine serve`` loads it (uvicorn's
``Config`` with the same options, so uvicorn's own middleware wraps it), and
started through the ASGI lifespan protocol. Each request is one call with
an in-memory ``receive`` that returns the whole body and a ``send`` that
keeps the response, on a uvloop event loop. A round times every body of a
load once; the script prints the median and the best round in microseconds
per request. Compared with ``benchmarks.http.inprocess``, this adds
BlackSheep, the request checks and uvicorn's middleware, and leaves out the
HTTP parsing and the socket writes.
"""

import argparse
import asyncio
import statistics
import time

import uvicorn
import uvloop

from api.cli import uvicorn_options
from api.settings import Settings
from benchmarks.http.inprocess import make_bodies
from model.warmup import warm_kernels


def _scope() -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/calculation-requests",
        "raw_path": b"/calculation-requests",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8080),
        "state": {},
    }


async def _start(app) -> tuple[asyncio.Task, asyncio.Queue]:
    """Run the ASGI lifespan start-up of ``app``; return the lifespan task and its message queue for ``_stop``."""
    messages = asyncio.Queue()
    started = asyncio.Event()
    await messages.put({"type": "lifespan.startup"})

    async def send(message: dict) -> None:
        if message["type"] == "lifespan.startup.failed":
            raise RuntimeError(f"application start-up failed: {message}")
        started.set()

    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    task = asyncio.get_running_loop().create_task(app(scope, messages.get, send))
    await started.wait()
    return task, messages


async def _stop(task: asyncio.Task, messages: asyncio.Queue) -> None:
    """Run the ASGI lifespan shutdown started by ``_start``."""
    await messages.put({"type": "lifespan.shutdown"})
    await task


async def _time_round(app, bodies: list[bytes]) -> float:
    """Return the mean wall time per body in microseconds for one pass over ``bodies``."""
    statuses = []

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    started = time.perf_counter_ns()
    for body in bodies:
        message = {"type": "http.request", "body": body, "more_body": False}

        async def receive(message=message) -> dict:
            return message

        await app(_scope(), receive, send)
    elapsed = time.perf_counter_ns() - started
    if set(statuses) != {200}:
        raise RuntimeError(f"unexpected statuses {sorted(set(statuses))}")
    return elapsed / len(bodies) / 1_000


async def _run(args: argparse.Namespace) -> None:
    config = uvicorn.Config("api.app:app", **uvicorn_options(Settings.from_environment()))
    config.load()
    app = config.loaded_app
    lifespan = await _start(app)
    warm_kernels()
    for name in args.loads.split(","):
        bodies = make_bodies(name, args.count)
        await _time_round(app, bodies)  # warm caches and lazy imports
        rounds = [await _time_round(app, bodies) for _ in range(args.rounds)]
        print(
            f"{name:8s} {len(bodies):6d} bodies  median {statistics.median(rounds):7.1f} us/request  "
            f"best {min(rounds):7.1f} us/request"
        )
    await _stop(*lifespan)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.http.asgi_inprocess", description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", default="c01,c07,varied", help="comma-separated loads (default c01,c07,varied)")
    parser.add_argument("--count", type=int, default=2_000, help="bodies per generated load (default 2000)")
    parser.add_argument("--rounds", type=int, default=9, help="timed passes per load (default 9)")
    args = parser.parse_args()
    uvloop.run(_run(args))


if __name__ == "__main__":
    main()
