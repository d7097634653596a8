"""Service settings, read from environment variables with safe defaults."""

import math
import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from model.mutations import Limits

MIB = 1024 * 1024


def _int_from_env(name: str, default: int, minimum: int = 1) -> int:
    text = os.environ.get(name)
    if text is None or text.strip() == "":
        return default
    try:
        value = int(text)
    except ValueError:
        raise SystemExit(f"{name}={text!r} is invalid: expected an integer") from None
    if value < minimum:
        raise SystemExit(f"{name}={value} is invalid: expected at least {minimum}")
    return value


def _seconds_from_env(name: str, default: float) -> float:
    text = os.environ.get(name)
    if text is None or text.strip() == "":
        return default
    try:
        value = float(text)
    except ValueError:
        raise SystemExit(f"{name}={text!r} is invalid: expected a number of seconds") from None
    if not 0 < value < 86400:
        raise SystemExit(f"{name}={value} is invalid: expected a number of seconds above 0 and below 86400")
    return value


# msgspec decodes nested JSON recursively and raises RecursionError near
# Python's recursion limit (1,000 frames), so the depth limit stays well below.
MAX_JSON_DEPTH_CEILING = 512


def _json_depth_from_env() -> int:
    value = _int_from_env("MAX_JSON_DEPTH", 64, minimum=8)
    if value > MAX_JSON_DEPTH_CEILING:
        raise SystemExit(f"MAX_JSON_DEPTH={value} is invalid: expected at most {MAX_JSON_DEPTH_CEILING}")
    return value


def _optional_seconds_from_env(name: str) -> float | None:
    text = os.environ.get(name)
    if text is None or text.strip() == "":
        return None
    try:
        value = float(text)
    except ValueError:
        raise SystemExit(f"{name}={text!r} is invalid: expected a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise SystemExit(f"{name}={text!r} is invalid: expected a positive number of seconds")
    return value


def _url_from_env(name: str) -> str | None:
    text = (os.environ.get(name) or "").strip()
    if not text:
        return None
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SystemExit(f"{name}={text!r} is invalid: expected an http:// or https:// URL")
    return text


@dataclass(frozen=True)
class Settings:
    """Limits and external services of one server process.

    Environment variables: ``MAX_BODY_BYTES`` (default 1 MiB),
    ``MAX_MUTATIONS`` (default 10,000 per request), ``MAX_JSON_DEPTH``
    (default 64 nested arrays and objects, at most 512),
    ``MAX_PROJECTION_DATES`` (default 1,200), ``MAX_RESPONSE_VALUES``
    (default 500,000 patch operations, messages and projected pensions per
    request), ``BODY_READ_TIMEOUT_SECONDS``
    (default 15), ``HEADER_READ_TIMEOUT_SECONDS`` (default 10),
    ``KEEP_ALIVE_TIMEOUT_SECONDS`` (default 5), ``MAX_CONNECTIONS`` (default
    1,000 per worker process), ``SCHEME_REGISTRY_URL`` (unset: every accrual
    rate is 0.02 and no network call is made), ``SCHEME_REGISTRY_CACHE_TTL``
    (seconds a fetched rate stays cached; unset: no expiry),
    ``SCHEME_REGISTRY_MAX_CONNECTIONS`` (registry lookups in progress at once
    per worker process, default 32). docs/limits.md and
    docs/scheme-registry.md explain each.
    """

    max_body_bytes: int = MIB
    max_mutations: int = 10_000
    max_json_depth: int = 64
    body_read_timeout_seconds: float = 15.0
    header_read_timeout_seconds: float = 10.0
    keep_alive_timeout_seconds: float = 5.0
    max_connections: int = 1000
    limits: Limits = field(default_factory=Limits)
    scheme_registry_url: str | None = None
    scheme_registry_cache_ttl: float | None = None
    scheme_registry_max_connections: int = 32

    @classmethod
    def from_environment(cls) -> "Settings":
        return cls(
            max_body_bytes=_int_from_env("MAX_BODY_BYTES", MIB),
            max_mutations=_int_from_env("MAX_MUTATIONS", 10_000),
            max_json_depth=_json_depth_from_env(),
            body_read_timeout_seconds=_seconds_from_env("BODY_READ_TIMEOUT_SECONDS", 15.0),
            header_read_timeout_seconds=_seconds_from_env("HEADER_READ_TIMEOUT_SECONDS", 10.0),
            keep_alive_timeout_seconds=_seconds_from_env("KEEP_ALIVE_TIMEOUT_SECONDS", 5.0),
            max_connections=_int_from_env("MAX_CONNECTIONS", 1000),
            limits=Limits(
                max_projection_dates=_int_from_env("MAX_PROJECTION_DATES", 1200),
                max_response_values=_int_from_env("MAX_RESPONSE_VALUES", 500_000),
            ),
            scheme_registry_url=_url_from_env("SCHEME_REGISTRY_URL"),
            scheme_registry_cache_ttl=_optional_seconds_from_env("SCHEME_REGISTRY_CACHE_TTL"),
            scheme_registry_max_connections=_int_from_env("SCHEME_REGISTRY_MAX_CONNECTIONS", 32),
        )
