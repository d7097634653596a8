"""Per-scheme accrual rates from the scheme registry, ``GET {url}/schemes/{scheme_id}``.

``SchemeRegistry`` caches rates per process, shares one fetch among the
requests that need the same uncached scheme, backs off from schemes that keep
failing, and pools keep-alive connections. ``fetch_rates`` is the synchronous
entry point for command-line use. See docs/scheme-registry.md.
"""

import asyncio
import logging
import math
import time
from collections.abc import Callable, Iterable

import msgspec

from api.registry_http import KeepAliveClient
from api.registry_lookup import LOOKUP_TIMEOUT_SECONDS, Backoff, FailureLog, LookupFailed, look_up_rate
from model import wire
from model.rates import DEFAULT_RATES, SchemeRates

log = logging.getLogger("pension_engine")

DEFAULT_MAX_CONNECTIONS = 32

# Oldest cached rates are dropped beyond this many schemes.
MAX_CACHED_SCHEMES = 100_000

# Mutations whose results depend on accrual rates.
_RATE_MUTATIONS = frozenset({"calculate_retirement_benefit", "project_future_benefits"})

# The host-wide circuit for connection failures uses this key in the back-off table.
_CONNECTION_KEY = "\x00connection"


class _SchemeOnly(msgspec.Struct):
    scheme_id: str


_scheme_decoder = msgspec.json.Decoder(_SchemeOnly)


def scheme_ids_to_look_up(mutations: list[wire.MutationEnvelope]) -> list[str]:
    """Return the distinct scheme ids of the request's ``add_policy`` mutations, in order of appearance.

    Returns an empty list when no mutation of the request uses accrual rates.
    Properties without a string ``scheme_id`` are skipped, because the engine
    reports them itself.
    """
    if not any(mutation.mutation_definition_name in _RATE_MUTATIONS for mutation in mutations):
        return []
    scheme_ids: dict[str, None] = {}
    for mutation in mutations:
        if mutation.mutation_definition_name != "add_policy":
            continue
        try:
            scheme_ids[_scheme_decoder.decode(mutation.mutation_properties).scheme_id] = None
        except (msgspec.ValidationError, msgspec.DecodeError):
            continue
    return list(scheme_ids)


class SchemeRegistry:
    """The registry client of one process; create and close it inside the running event loop.

    ``cache_ttl`` is the lifetime of a cached rate in seconds (None: no expiry).
    """

    def __init__(
        self,
        url: str,
        cache_ttl: float | None = None,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        timeout: float = LOOKUP_TIMEOUT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.url = url
        self.cache_ttl = cache_ttl
        self.timeout = timeout
        self._clock = clock
        self._client = KeepAliveClient(url, max_connections)
        self._cache: dict[str, tuple[float, float]] = {}  # scheme id -> (rate, expires at)
        self._in_flight: dict[str, asyncio.Task] = {}
        self._backoff = Backoff(clock)
        self._failure_log = FailureLog(clock=clock)
        log.info("scheme registry client for %s:%d started", self._client.host, self._client.port)

    async def rates(self, scheme_ids: Iterable[str]) -> SchemeRates:
        """Return the rates of the given schemes, fetching all uncached ones concurrently.

        A scheme that cannot be looked up is left out of the rates and named in
        the failures with the reason. Waits at most about ``timeout`` seconds.
        """
        now = self._clock()
        rates: dict[str, float] = {}
        failures: dict[str, str] = {}
        pending: dict[str, asyncio.Task] = {}
        for scheme_id in dict.fromkeys(scheme_ids):
            cached = self._cache.get(scheme_id)
            if cached is not None and cached[1] > now:
                rates[scheme_id] = cached[0]
                continue
            task = self._in_flight.get(scheme_id)
            if task is None:
                blocked = self._backoff.blocked(scheme_id) or self._backoff.blocked(_CONNECTION_KEY)
                if blocked is not None:
                    failures[scheme_id] = blocked
                    continue
                task = asyncio.ensure_future(self._fetch(scheme_id))
                self._in_flight[scheme_id] = task
            pending[scheme_id] = task

        if pending:
            # shield: a cancelled request must not cancel a fetch that other requests share.
            results = await asyncio.gather(*(asyncio.shield(task) for task in pending.values()), return_exceptions=True)
            for scheme_id, result in zip(pending, results):
                if isinstance(result, float):
                    rates[scheme_id] = result
                elif isinstance(result, LookupFailed):
                    failures[scheme_id] = result.reason
                else:
                    failures[scheme_id] = f"lookup stopped ({type(result).__name__})"
        return SchemeRates(rates, failures)

    async def _fetch(self, scheme_id: str) -> float:
        """Look up one scheme and record the outcome in the cache, the back-off table and the log."""
        try:
            rate = await look_up_rate(self._client, scheme_id, self.timeout)
        except LookupFailed as failure:
            self._backoff.failed(scheme_id, failure.reason)
            # Lookups that fail together count once against the host-wide circuit.
            if failure.connection_failed and self._backoff.blocked(_CONNECTION_KEY) is None:
                self._backoff.failed(_CONNECTION_KEY, failure.reason)
            self._failure_log.failed(scheme_id, failure.reason)
            raise
        except Exception as error:
            log.exception("scheme registry lookup for scheme %r failed with an internal error", scheme_id)
            raise LookupFailed(f"internal error ({type(error).__name__})") from None
        finally:
            self._in_flight.pop(scheme_id, None)

        self._backoff.succeeded(scheme_id)
        self._backoff.succeeded(_CONNECTION_KEY)
        self._store(scheme_id, rate)
        return rate

    def _store(self, scheme_id: str, rate: float) -> None:
        expires_at = math.inf if self.cache_ttl is None else self._clock() + self.cache_ttl
        self._cache.pop(scheme_id, None)
        if len(self._cache) >= MAX_CACHED_SCHEMES:
            del self._cache[next(iter(self._cache))]
        self._cache[scheme_id] = (rate, expires_at)

    async def aclose(self) -> None:
        """Cancel the lookups in progress and close every connection."""
        for task in list(self._in_flight.values()):
            task.cancel()
        await asyncio.gather(*self._in_flight.values(), return_exceptions=True)
        await self._client.aclose()
        log.info("scheme registry client for %s:%d closed", self._client.host, self._client.port)


async def rates_for_request(registry: SchemeRegistry | None, mutations: list[wire.MutationEnvelope]) -> SchemeRates:
    """Return the rates a request may need: defaults without a registry or without rate mutations."""
    if registry is None:
        return DEFAULT_RATES
    scheme_ids = scheme_ids_to_look_up(mutations)
    if not scheme_ids:
        return DEFAULT_RATES
    return await registry.rates(scheme_ids)


def fetch_rates(
    url: str, scheme_ids: Iterable[str], max_connections: int = DEFAULT_MAX_CONNECTIONS
) -> tuple[dict[str, float], dict[str, str]]:
    """Fetch the rates of the given schemes concurrently, one lookup per distinct scheme.

    Returns (rates, failures): rates maps scheme id to accrual rate, failures
    maps scheme id to the reason its lookup failed. Each lookup gives up after
    2 s. Runs its own event loop, so call it outside of one.
    """

    async def run() -> tuple[dict[str, float], dict[str, str]]:
        registry = SchemeRegistry(url, max_connections=max_connections)
        try:
            result = await registry.rates(scheme_ids)
        finally:
            await registry.aclose()
        return result.rates, result.failures

    return asyncio.run(run())
