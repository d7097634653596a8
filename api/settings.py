"""Service settings, read from environment variables with safe defaults."""

import os
from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class Settings:
    """Limits and external services of one server process.

    Environment variables: ``MAX_BODY_BYTES`` (default 1 MiB),
    ``MAX_PROJECTION_DATES`` (default 1,200), ``SCHEME_REGISTRY_URL`` (unset:
    every accrual rate is 0.02 and no network call is made).
    """

    max_body_bytes: int = MIB
    limits: Limits = field(default_factory=Limits)
    scheme_registry_url: str | None = None

    @classmethod
    def from_environment(cls) -> "Settings":
        return cls(
            max_body_bytes=_int_from_env("MAX_BODY_BYTES", MIB),
            limits=Limits(max_projection_dates=_int_from_env("MAX_PROJECTION_DATES", 1200)),
            scheme_registry_url=os.environ.get("SCHEME_REGISTRY_URL") or None,
        )
