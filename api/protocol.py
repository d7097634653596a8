"""The uvicorn HTTP protocol with a deadline for the request head and JSON error responses of its own.

uvicorn (0.55) closes idle keep-alive connections but has no timeout for a
request line and headers that arrive slowly or never, so one stalled client
keeps a connection open forever. This protocol closes such a connection.

uvicorn also responds in two cases without the application: bytes it
cannot parse as HTTP get a plain-text 400, and a request past
``MAX_CONNECTIONS`` gets a plain-text 503. Here both carry the service's
JSON error body. The 400 is also held back until the responses already owed
on the connection are written: uvicorn wrote it at once and closed the
connection, so a valid request pipelined before the bad bytes never got its
response.
"""

import asyncio

import msgspec
from uvicorn.protocols.http import httptools_impl
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api.settings import Settings
from model.wire import ErrorResponse

# Read once per worker process: uvicorn imports this class by name in each worker.
_HEADER_READ_TIMEOUT_SECONDS = Settings.from_environment().header_read_timeout_seconds

_INVALID_HTTP_BODY = msgspec.json.encode(
    ErrorResponse(400, "Invalid HTTP request: the request line, headers or framing could not be parsed")
)
_UNAVAILABLE_BODY = msgspec.json.encode(
    ErrorResponse(503, "Service unavailable: this worker has reached its connection limit (MAX_CONNECTIONS); retry later")
)


async def _json_service_unavailable(scope, receive, send) -> None:
    """Send a JSON 503 for a request past the connection limit, as an ASGI application."""
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(_UNAVAILABLE_BODY)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": _UNAVAILABLE_BODY, "more_body": False})


# NOTE: replaces the module global that uvicorn 0.55 runs in place of the application past
# ``limit_concurrency`` (httptools_impl.service_unavailable); tests/test_limits.py checks the JSON 503.
httptools_impl.service_unavailable = _json_service_unavailable


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """``HttpToolsProtocol`` with a header deadline and a JSON 400 for unparsable HTTP.

    The deadline starts when the connection opens and again with the first
    byte of each later request; it ends when the headers are complete. When
    that time passes, the connection is closed without a response.
    """

    header_read_timeout_seconds = _HEADER_READ_TIMEOUT_SECONDS

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._head_deadline: asyncio.TimerHandle | None = None
        self._invalid_http = False  # a 400 waits for the responses owed before it
        super().connection_made(transport)
        self._start_head_deadline()

    def data_received(self, data: bytes) -> None:
        if self._invalid_http:
            return  # the parser has failed, so later bytes cannot be read as requests
        waiting_for_head = self.cycle is None or self.cycle.response_complete
        if waiting_for_head and self._head_deadline is None:
            self._start_head_deadline()
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._cancel_head_deadline()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_deadline()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        """Send a JSON 400 for bytes uvicorn could not parse once the owed responses are written, then close."""
        self._invalid_http = True
        self._cancel_head_deadline()
        if not self._owes_response():
            self._send_invalid_http()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self._invalid_http and not self._owes_response():
            self._send_invalid_http()

    def _owes_response(self) -> bool:
        """Tell whether a request read whole before the bad bytes still waits for its response.

        A request whose body was still arriving is the one that failed, so it
        gets the 400 at once, and its handler receives a disconnect.
        """
        cycle = self.cycle
        in_progress = cycle is not None and not cycle.response_complete and not cycle.more_body
        return in_progress or bool(self.pipeline)

    def _send_invalid_http(self) -> None:
        if self.transport.is_closing():
            return
        head = [b"HTTP/1.1 400 Bad Request\r\n"]
        for name, value in self.server_state.default_headers:
            head.append(name + b": " + value + b"\r\n")
        head.append(b"content-type: application/json\r\ncontent-length: %d\r\nconnection: close\r\n\r\n" % len(_INVALID_HTTP_BODY))
        self.transport.write(b"".join(head) + _INVALID_HTTP_BODY)
        self.transport.close()

    def _start_head_deadline(self) -> None:
        self._head_deadline = self.loop.call_later(self.header_read_timeout_seconds, self._close_slow_connection)

    def _cancel_head_deadline(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _close_slow_connection(self) -> None:
        self._head_deadline = None
        if not self.transport.is_closing():
            self.transport.close()
