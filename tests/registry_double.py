"""A scheme registry double: a real HTTP/1.1 server on a free loopback port.

It serves ``GET /schemes/{scheme_id}`` from an asyncio loop in a background
thread, with a configurable rate, delay and failure mode per scheme, and
counts requests, TCP connections and the maximum number of requests in
progress at once. Keep-alive is supported, so a client that pools
connections makes fewer connections than requests.
"""

import asyncio
import json
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import unquote

DEFAULT_RATE = 0.025
DEFAULT_DELAY_SECONDS = 0.05

# Failure modes of one scheme.
OK = "ok"
SERVER_ERROR = "500"  # status 500 with a JSON error body
MALFORMED = "malformed"  # status 200 with a body that is not JSON
OUT_OF_RANGE = "out_of_range"  # status 200 with accrual_rate 1.5
CLOSE = "close"  # the connection is closed without a response
MODES = (OK, SERVER_ERROR, MALFORMED, OUT_OF_RANGE, CLOSE)

_HEADER_LIMIT = 64 * 1024


@dataclass
class SchemeBehaviour:
    """How the double responds for one scheme: the rate, the delay in seconds and the failure mode."""

    rate: float | None = None
    delay: float | None = None
    mode: str = OK


class RegistryDouble:
    """The server's configuration and counters; every method is safe to call from any thread."""

    def __init__(self, default_rate: float = DEFAULT_RATE, default_delay: float = DEFAULT_DELAY_SECONDS):
        self.default_rate = default_rate
        self.default_delay = default_delay
        self.url = ""
        self._behaviours: dict[str, SchemeBehaviour] = {}
        self._lock = threading.Lock()
        self._requests_by_scheme: dict[str, int] = {}
        self.requests = 0
        self.connections = 0
        self.open_connections = 0
        self.in_progress = 0
        self.max_concurrency = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    # --- configuration and counters -----------------------------------------------

    def set_scheme(self, scheme_id: str, rate: float | None = None, delay: float | None = None, mode: str = OK) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown failure mode {mode!r}, expected one of {MODES}")
        with self._lock:
            self._behaviours[scheme_id] = SchemeBehaviour(rate, delay, mode)

    def requests_for(self, scheme_id: str) -> int:
        with self._lock:
            return self._requests_by_scheme.get(scheme_id, 0)

    def reset_counters(self) -> None:
        """Zero the request, connection and concurrency counters (open connections stay counted)."""
        with self._lock:
            self._requests_by_scheme.clear()
            self.requests = 0
            self.connections = 0
            self.max_concurrency = 0

    def wait_for_open_connections(self, expected: int, timeout: float = 5.0) -> int:
        """Wait until ``expected`` connections are open or ``timeout`` seconds pass; return the open count."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.open_connections != expected:
            time.sleep(0.01)
        return self.open_connections

    def _behaviour(self, scheme_id: str) -> SchemeBehaviour:
        with self._lock:
            behaviour = self._behaviours.get(scheme_id, SchemeBehaviour())
        rate = self.default_rate if behaviour.rate is None else behaviour.rate
        delay = self.default_delay if behaviour.delay is None else behaviour.delay
        return SchemeBehaviour(rate, delay, behaviour.mode)

    # --- serving ----------------------------------------------------------------------

    async def _handle_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with self._lock:
            self.connections += 1
            self.open_connections += 1
        self._writers.add(writer)
        try:
            while await self._serve_one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            self._writers.discard(writer)
            with self._lock:
                self.open_connections -= 1
            writer.close()

    async def _serve_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Respond to one request and return False when the connection should close."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return False
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = lines[0].split(" ", 2)
        keep_alive = not any(line.lower() == "connection: close" for line in lines[1:])

        prefix = "/schemes/"
        if method != "GET" or not target.startswith(prefix):
            await self._write(writer, 404, b'{"error": "not found"}', keep_alive)
            return keep_alive
        scheme_id = unquote(target[len(prefix) :])

        with self._lock:
            self.requests += 1
            self._requests_by_scheme[scheme_id] = self._requests_by_scheme.get(scheme_id, 0) + 1
            self.in_progress += 1
            self.max_concurrency = max(self.max_concurrency, self.in_progress)
        try:
            behaviour = self._behaviour(scheme_id)
            await asyncio.sleep(behaviour.delay)
        finally:
            with self._lock:
                self.in_progress -= 1

        if behaviour.mode == CLOSE:
            return False
        if behaviour.mode == SERVER_ERROR:
            await self._write(writer, 500, b'{"error": "internal"}', keep_alive)
        elif behaviour.mode == MALFORMED:
            await self._write(writer, 200, b"<html>not json</html>", keep_alive)
        else:
            rate = 1.5 if behaviour.mode == OUT_OF_RANGE else behaviour.rate
            body = json.dumps({"scheme_id": scheme_id, "accrual_rate": rate}).encode()
            await self._write(writer, 200, body, keep_alive)
        return keep_alive

    @staticmethod
    async def _write(writer: asyncio.StreamWriter, status: int, body: bytes, keep_alive: bool) -> None:
        reason = {200: "OK", 404: "Not Found", 500: "Internal Server Error"}[status]
        connection = "keep-alive" if keep_alive else "close"
        head = (
            f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: {connection}\r\n\r\n"
        )
        writer.write(head.encode("latin-1") + body)
        await writer.drain()

    # --- life cycle ------------------------------------------------------------------

    def start(self) -> str:
        """Start serving on a free loopback port and return the base URL."""
        started = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            listener = socket.create_server(("127.0.0.1", 0), backlog=512)
            self._server = loop.run_until_complete(
                asyncio.start_server(self._handle_connection, sock=listener, limit=_HEADER_LIMIT)
            )
            self.url = f"http://127.0.0.1:{listener.getsockname()[1]}"
            started.set()
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name="registry-double", daemon=True)
        self._thread.start()
        started.wait(10)
        return self.url

    def stop(self) -> None:
        loop = self._loop
        if loop is None:
            return

        async def shutdown() -> None:
            self._server.close()
            for writer in list(self._writers):
                writer.close()
            handlers = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in handlers:
                task.cancel()
            await asyncio.gather(*handlers, return_exceptions=True)
            loop.stop()

        asyncio.run_coroutine_threadsafe(shutdown(), loop)
        self._thread.join(10)
        self._loop = None


@contextmanager
def running_registry(default_rate: float = DEFAULT_RATE, default_delay: float = DEFAULT_DELAY_SECONDS):
    """Run a ``RegistryDouble`` and yield it; its ``url`` is the base URL to configure."""
    double = RegistryDouble(default_rate, default_delay)
    double.start()
    try:
        yield double
    finally:
        double.stop()


def closed_port_url() -> str:
    """Return the URL of a loopback port that was opened and closed, so nothing listens on it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def main() -> None:
    """Serve until interrupted; print the base URL on the first line of standard output."""
    import argparse

    parser = argparse.ArgumentParser(description="Run the scheme registry double on a free loopback port.")
    parser.add_argument("--delay", type=float, default=DEFAULT_DELAY_SECONDS, help="response delay in seconds")
    parser.add_argument("--rate", type=float, default=DEFAULT_RATE, help="accrual rate of every scheme")
    args = parser.parse_args()

    double = RegistryDouble(args.rate, args.delay)
    print(double.start(), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        double.stop()


if __name__ == "__main__":
    main()
