"""Compare HTTP clients for scheme registry lookups against the registry double on loopback.

Run: .venv/bin/python -m benchmarks.registry_clients [--lookups 2000] [--concurrency 32]

The registry double runs in its own process with no response delay, so the
figures are the client's own cost plus loopback and the double's parsing.
Every client runs on uvloop, as the server does. Candidates that are not
installed (aiohttp is not a project dependency) are skipped.
"""

import argparse
import asyncio
import statistics
import sys
import time

import uvloop

from api.registry_http import KeepAliveClient
from benchmarks.registry_latency import start_double


class Candidate:
    """One client under test: ``get(path)`` returns (status, body)."""

    name = ""

    async def open(self, url: str, max_connections: int) -> None: ...

    async def get(self, path: str) -> tuple[int, bytes]: ...

    async def close(self) -> None: ...


class SmallClient(Candidate):
    name = "api.registry_http.KeepAliveClient"

    async def open(self, url, max_connections):
        self.client = KeepAliveClient(url, max_connections)

    async def get(self, path):
        return await self.client.get(path)

    async def close(self):
        await self.client.aclose()


class BlackSheepClient(Candidate):
    name = "blacksheep.client.ClientSession"

    async def open(self, url, max_connections):
        from blacksheep.client import ClientSession

        self.session = ClientSession(base_url=url, http2=False, follow_redirects=False)

    async def get(self, path):
        response = await self.session.get(path)
        return response.status, await response.read()

    async def close(self):
        await self.session.close()


class HttpxClient(Candidate):
    name = "httpx.AsyncClient"

    async def open(self, url, max_connections):
        import httpx

        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        self.client = httpx.AsyncClient(base_url=url, limits=limits)

    async def get(self, path):
        response = await self.client.get(path)
        return response.status_code, response.content

    async def close(self):
        await self.client.aclose()


class AiohttpClient(Candidate):
    name = "aiohttp.ClientSession"

    async def open(self, url, max_connections):
        import aiohttp

        self.base = url
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=max_connections))

    async def get(self, path):
        async with self.session.get(self.base + path) as response:
            return response.status, await response.read()

    async def close(self):
        await self.session.close()


def available_candidates() -> list[Candidate]:
    candidates: list[Candidate] = [SmallClient(), BlackSheepClient(), HttpxClient()]
    try:
        import aiohttp  # noqa: F401

        candidates.append(AiohttpClient())
    except ImportError:
        print("aiohttp is not installed: skipped", file=sys.stderr)
    return candidates


async def measure(candidate: Candidate, url: str, lookups: int, concurrency: int) -> dict:
    """Return the per-lookup latency in µs (median, p99) of sequential lookups and the throughput at ``concurrency``."""
    await candidate.open(url, concurrency)
    try:
        for index in range(200):
            status, _ = await candidate.get(f"/schemes/WARM-{index}")
            assert status == 200, status

        latencies = []
        for index in range(lookups):
            started = time.perf_counter()
            await candidate.get(f"/schemes/SEQ-{index}")
            latencies.append((time.perf_counter() - started) * 1e6)

        async def worker(first: int) -> None:
            for index in range(first, lookups, concurrency):
                await candidate.get(f"/schemes/PAR-{index}")

        started = time.perf_counter()
        await asyncio.gather(*(worker(first) for first in range(concurrency)))
        elapsed = time.perf_counter() - started
    finally:
        await candidate.close()

    latencies.sort()
    return {
        "median_us": statistics.median(latencies),
        "p99_us": latencies[int(len(latencies) * 0.99) - 1],
        "throughput": lookups / elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lookups", type=int, default=2000, help="lookups per phase and client (default 2000)")
    parser.add_argument("--concurrency", type=int, default=32, help="lookups in flight in the throughput phase")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per client; the best round is reported")
    args = parser.parse_args()

    process, url = start_double(delay=0.0)
    try:
        print(f"registry double at {url}, {args.lookups} lookups per phase, best of {args.rounds} rounds")
        print(f"{'client':<36} {'median µs':>10} {'p99 µs':>10} {'lookups/s @' + str(args.concurrency):>16}")
        for candidate in available_candidates():
            rounds = [
                uvloop.run(measure(candidate, url, args.lookups, args.concurrency)) for _ in range(args.rounds)
            ]
            best = min(rounds, key=lambda result: result["median_us"])
            throughput = max(result["throughput"] for result in rounds)
            print(f"{candidate.name:<36} {best['median_us']:>10.0f} {best['p99_us']:>10.0f} {throughput:>16.0f}")
    finally:
        process.terminate()
        process.wait(10)


if __name__ == "__main__":
    main()
