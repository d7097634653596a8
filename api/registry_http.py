"""A small asyncio HTTP/1.1 client with a pool of keep-alive connections.

It only sends ``GET`` requests to one origin and parses responses with
httptools, which the server already depends on. It was picked by measurement:
``benchmarks/registry_clients.py`` on a 2-core machine gave a median lookup
of 157 µs, against 173 µs for aiohttp 3.14, 359 µs for blacksheep 2.6's
``ClientSession`` and 963 µs for httpx 0.29, with no new dependency.
"""

import asyncio
import ssl
from urllib.parse import urlsplit

import httptools

# A registry response is a small JSON object, so a larger body is rejected.
MAX_BODY_BYTES = 64 * 1024


class HTTPError(Exception):
    """A request that got no complete, well-formed response."""


class _Connection(asyncio.Protocol):
    """One TCP connection that carries one request at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.used = False
        self._parser = httptools.HttpResponseParser(self)
        self._waiter: asyncio.Future | None = None
        self._body: list[bytes] = []
        self._body_size = 0
        self._headers_done = False
        self._content_length: int | None = None

    # --- asyncio.Protocol ---------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._fail(HTTPError(f"invalid HTTP response ({error})"))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._headers_done and self._content_length is None and self._waiter is not None:
            # A body without Content-Length or chunked encoding ends when the connection closes.
            self._complete(keep_alive=False)
        self._fail(HTTPError("the registry closed the connection before sending a response"))

    # --- httptools callbacks -------------------------------------------------------------

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == b"content-length" and value.strip().isdigit():
            self._content_length = int(value)

    def on_headers_complete(self) -> None:
        self._headers_done = True

    def on_body(self, body: bytes) -> None:
        self._body_size += len(body)
        if self._body_size > MAX_BODY_BYTES:
            self._fail(HTTPError(f"the response body exceeds {MAX_BODY_BYTES} bytes"))
            self.close()
            return
        self._body.append(body)

    def on_message_complete(self) -> None:
        self._complete(keep_alive=self._parser.should_keep_alive())

    # --- requests ----------------------------------------------------------------------

    def _complete(self, keep_alive: bool) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result((self._parser.get_status_code(), b"".join(self._body), keep_alive))

    def _fail(self, error: Exception) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)

    async def request(self, head: bytes) -> tuple[int, bytes, bool]:
        """Send one request head and return (status, body, keep_alive)."""
        if self.closed:
            raise HTTPError("the registry closed the connection before sending a response")
        self.used = True
        self._waiter = asyncio.get_running_loop().create_future()
        self._body = []
        self._body_size = 0
        self._headers_done = False
        self._content_length = None
        self.transport.write(head)
        try:
            return await self._waiter
        finally:
            self._waiter = None

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class KeepAliveClient:
    """``GET`` requests to one ``http://`` or ``https://`` origin over pooled keep-alive connections.

    At most ``max_connections`` requests are in progress at once; further
    requests wait for a free connection. Create it inside the running event
    loop and ``await aclose()`` it when done.
    """

    def __init__(self, base_url: str, max_connections: int = 32):
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"invalid URL {base_url!r}: expected http://host[:port][/path]")
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.base_path = parts.path.rstrip("/")
        self._ssl = ssl.create_default_context() if parts.scheme == "https" else None
        default_port = 443 if parts.scheme == "https" else 80
        host_header = parts.netloc.rsplit("@", 1)[-1] if parts.port not in (None, default_port) else self.host
        self._head_suffix = f" HTTP/1.1\r\nHost: {host_header}\r\nAccept: application/json\r\n\r\n".encode("latin-1")
        self._slots = asyncio.Semaphore(max_connections)
        self._idle: list[_Connection] = []
        self._connections: set[_Connection] = set()
        self._closed = False

    async def get(self, path: str) -> tuple[int, bytes]:
        """Send ``GET {base path}{path}`` and return (status, body); ``path`` must already be URL-encoded.

        Raises ``OSError`` when no connection can be made and ``HTTPError``
        when the response is missing or invalid. A request on a reused idle
        connection that the server had closed is retried once on a new one.
        """
        if self._closed:
            raise HTTPError("the client is closed")
        head = b"GET " + (self.base_path + path).encode("ascii") + self._head_suffix
        async with self._slots:
            connection = self._take_idle()
            reused = connection is not None
            if connection is None:
                connection = await self._connect()
            try:
                status, body, keep_alive = await connection.request(head)
            except HTTPError:
                self._discard(connection)
                if not reused:
                    raise
                connection = await self._connect()
                try:
                    status, body, keep_alive = await connection.request(head)
                except BaseException:
                    self._discard(connection)
                    raise
            except BaseException:
                # A cancelled or failed request leaves the connection in an unknown state.
                self._discard(connection)
                raise

            if keep_alive and not self._closed:
                self._idle.append(connection)
            else:
                self._discard(connection)
            return status, body

    def _take_idle(self) -> _Connection | None:
        while self._idle:
            connection = self._idle.pop()
            if not connection.closed:
                return connection
            self._connections.discard(connection)
        return None

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        server_hostname = self.host if self._ssl is not None else None
        _, connection = await loop.create_connection(
            _Connection, self.host, self.port, ssl=self._ssl, server_hostname=server_hostname
        )
        self._connections.add(connection)
        if self._closed:
            self._discard(connection)
            raise HTTPError("the client is closed")
        return connection

    def _discard(self, connection: _Connection) -> None:
        connection.close()
        self._connections.discard(connection)

    async def aclose(self) -> None:
        """Close every connection, idle or in use; requests in progress fail."""
        self._closed = True
        self._idle.clear()
        for connection in list(self._connections):
            self._discard(connection)
        # Let the transports run their close callbacks before the loop moves on.
        await asyncio.sleep(0)
