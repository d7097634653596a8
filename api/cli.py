"""The ``pension-engine`` command line."""

import argparse
import logging
import os
import platform
import sys
from importlib.metadata import PackageNotFoundError, version

log = logging.getLogger("pension_engine")


def _versions() -> str:
    names = ("pension-engine", "numpy", "numba", "msgspec", "blacksheep", "uvicorn")
    parts = []
    for name in names:
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name} (not installed)")
    return f"Python {platform.python_version()}, " + ", ".join(parts)


def _default_port() -> int:
    text = os.environ.get("PORT", "8080")
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise SystemExit(f"PORT={text!r} is invalid: expected a port number 1-65535")
    return int(text)


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    from api.settings import Settings

    port = args.port if args.port is not None else _default_port()
    workers = args.workers or os.cpu_count() or 1
    settings = Settings.from_environment()
    log.info("pension-engine listening on http://%s:%d with %d workers (%s)", args.host, port, workers, _versions())
    uvicorn.run(
        "api.app:app",
        host=args.host,
        port=port,
        workers=workers,
        loop="uvloop",
        # httptools with a deadline for the request head (see api/protocol.py).
        http="api.protocol:HeaderTimeoutProtocol",
        timeout_keep_alive=settings.keep_alive_timeout_seconds,
        limit_concurrency=settings.max_connections,
        log_level="warning",
        access_log=False,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pension-engine", description="Pension calculation engine.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve_parser = commands.add_parser("serve", help="serve POST /calculation-requests over HTTP")
    serve_parser.add_argument("--host", default="0.0.0.0", help="interface to listen on (default 0.0.0.0)")
    serve_parser.add_argument("--port", type=int, help="TCP port (default: $PORT, else 8080)")
    serve_parser.add_argument("--workers", type=int, help="worker processes (default: the CPU count)")
    serve_parser.set_defaults(run=serve)
    return parser


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    args = build_parser().parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    main()
