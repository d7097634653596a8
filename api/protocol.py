"""The uvicorn HTTP protocol with a deadline for the request head.

uvicorn (0.55) closes idle keep-alive connections but has no timeout for a
request line and headers that arrive slowly or never, so one stalled client
keeps a connection open forever. This protocol closes such a connection.
"""

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api.settings import Settings

# Read once per worker process: uvicorn imports this class by name in each worker.
_HEADER_READ_TIMEOUT_SECONDS = Settings.from_environment().header_read_timeout_seconds


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """``HttpToolsProtocol`` that closes the connection when a request head takes longer than the header timeout.

    The deadline starts when the connection opens and again with the first
    byte of each later request; it ends when the headers are complete.
    """

    header_read_timeout_seconds = _HEADER_READ_TIMEOUT_SECONDS

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._head_deadline: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._start_head_deadline()

    def data_received(self, data: bytes) -> None:
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
