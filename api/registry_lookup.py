"""One scheme registry lookup, its validation, the back-off after failures and the failure log."""

import asyncio
import logging
import math
import time
from collections.abc import Callable
from urllib.parse import quote

import msgspec

from api.registry_http import HTTPError, KeepAliveClient

log = logging.getLogger("pension_engine")

# A lookup gives up after this many seconds in total: waiting for a free
# connection, connecting, sending and reading the response.
LOOKUP_TIMEOUT_SECONDS = 2.0

# After the n-th consecutive failure of a scheme, further lookups of it fail
# fast for min(BACKOFF_FIRST_SECONDS * 2 ** (n - 1), BACKOFF_MAX_SECONDS)
# seconds: 0.5, 1, 2, 4, 8, 16, 30, 30, ... A success resets the count.
BACKOFF_FIRST_SECONDS = 0.5
BACKOFF_MAX_SECONDS = 30.0

# Bounds the memory that unknown scheme ids sent by callers can take.
_MAX_TRACKED_SCHEMES = 10_000


class LookupFailed(Exception):
    """A scheme whose accrual rate could not be obtained; ``reason`` is a short English phrase."""

    def __init__(self, reason: str, connection_failed: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.connection_failed = connection_failed


def scheme_path(scheme_id: str) -> str:
    """Return the registry path of a scheme, with the id URL-encoded so that it stays one path segment."""
    return "/schemes/" + quote(scheme_id, safe="")


def parse_rate(body: bytes) -> float:
    """Return the ``accrual_rate`` of a registry response body, a finite number in [0, 1], or raise ``LookupFailed``."""
    try:
        document = msgspec.json.decode(body)
    except msgspec.ValidationError as error:
        # msgspec raises this for a number beyond the float range, such as 1e999.
        raise LookupFailed(f"the response body is invalid: {error}") from None
    except msgspec.DecodeError:
        raise LookupFailed("the response body is not valid JSON") from None
    if not isinstance(document, dict):
        raise LookupFailed("the response body is not a JSON object")
    if "accrual_rate" not in document:
        raise LookupFailed("the response body has no accrual_rate")

    rate = document["accrual_rate"]
    shown = msgspec.json.encode(rate).decode()[:40]
    if isinstance(rate, bool) or not isinstance(rate, (int, float)):
        raise LookupFailed(f"accrual_rate {shown} is not a number")
    if not math.isfinite(rate) or not 0.0 <= rate <= 1.0:
        raise LookupFailed(f"accrual_rate {shown} is outside [0, 1]")
    return float(rate)


async def look_up_rate(client: KeepAliveClient, scheme_id: str, timeout: float = LOOKUP_TIMEOUT_SECONDS) -> float:
    """Fetch and validate the accrual rate of one scheme, raising ``LookupFailed`` with the reason."""
    try:
        async with asyncio.timeout(timeout):
            status, body = await client.get(scheme_path(scheme_id))
    except TimeoutError:
        raise LookupFailed(f"timed out after {timeout:g} s") from None
    except ConnectionRefusedError:
        raise LookupFailed("connection refused", connection_failed=True) from None
    except OSError as error:
        raise LookupFailed(f"connection failed: {error.strerror or error}", connection_failed=True) from None
    except HTTPError as error:
        raise LookupFailed(str(error)) from None
    if status != 200:
        raise LookupFailed(f"HTTP status {status}")
    return parse_rate(body)


class Backoff:
    """Consecutive failures per key and the time until which further attempts fail fast."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._state: dict[str, tuple[int, float, str]] = {}  # key -> (failures, retry at, reason)

    def blocked(self, key: str) -> str | None:
        """Return the last reason plus the wait left while ``key`` is backing off, else None."""
        state = self._state.get(key)
        if state is None:
            return None
        remaining = state[1] - self._clock()
        if remaining <= 0:
            return None
        return f"{state[2]}; next attempt in {remaining:.1f} s"

    def failed(self, key: str, reason: str) -> float:
        """Record a failure and return the back-off window in seconds."""
        now = self._clock()
        failures = self._state[key][0] + 1 if key in self._state else 1
        window = min(BACKOFF_FIRST_SECONDS * 2 ** (failures - 1), BACKOFF_MAX_SECONDS)
        if len(self._state) >= _MAX_TRACKED_SCHEMES:
            self._forget_expired(now)
        self._state[key] = (failures, now + window, reason)
        return window

    def succeeded(self, key: str) -> None:
        self._state.pop(key, None)

    def _forget_expired(self, now: float) -> None:
        for key in [key for key, state in self._state.items() if state[1] <= now]:
            del self._state[key]
        # NOTE: when every tracked scheme is still backing off, the oldest entry goes.
        if len(self._state) >= _MAX_TRACKED_SCHEMES:
            del self._state[next(iter(self._state))]


class FailureLog:
    """Logs failed lookups: at most one line per scheme per ``interval`` seconds, and ``max_lines`` in all.

    A line that is held back is counted, and the next line for that scheme
    reports the count.
    """

    def __init__(self, interval: float = 60.0, max_lines: int = 20, clock: Callable[[], float] = time.monotonic):
        self.interval = interval
        self.max_lines = max_lines
        self._clock = clock
        self._last_logged: dict[str, float] = {}
        self._suppressed: dict[str, int] = {}
        self._window_start = -math.inf
        self._lines_in_window = 0

    def failed(self, scheme_id: str, reason: str) -> None:
        now = self._clock()
        if now - self._window_start >= self.interval:
            self._window_start = now
            self._lines_in_window = 0
            if len(self._last_logged) >= _MAX_TRACKED_SCHEMES:
                self._last_logged = {key: at for key, at in self._last_logged.items() if now - at < self.interval}

        last = self._last_logged.get(scheme_id)
        if (last is not None and now - last < self.interval) or self._lines_in_window >= self.max_lines:
            if len(self._suppressed) < _MAX_TRACKED_SCHEMES or scheme_id in self._suppressed:
                self._suppressed[scheme_id] = self._suppressed.get(scheme_id, 0) + 1
            return

        self._last_logged[scheme_id] = now
        self._lines_in_window += 1
        suppressed = self._suppressed.pop(scheme_id, 0)
        log.warning(
            "scheme registry lookup for scheme %r failed: %s; the default accrual rate is used "
            "(%d earlier failures of this scheme not logged)",
            scheme_id,
            reason,
            suppressed,
        )
