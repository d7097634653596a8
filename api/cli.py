"""The ``pension-engine`` command line."""

import argparse
import logging
import os
import platform
import sys
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from api.settings import Settings

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


def _fork_workers_from_loaded_app() -> None:
    """Import the application in the supervisor and make uvicorn fork its workers from it.

    uvicorn 0.55 starts workers with multiprocessing's "spawn" method, so each
    worker imports NumPy, msgspec and BlackSheep again, about 0.3 s of CPU
    per worker. A forked worker starts with them loaded. Forking is safe here
    because importing ``api.app`` starts no thread and opens no connection:
    kernel warm-up and registry clients start in each worker's start-up hook.
    """
    import multiprocessing

    import uvicorn._subprocess

    import api.app  # noqa: F401

    # NOTE: replaces a private uvicorn attribute (uvicorn 0.55); get_subprocess reads it at each worker start.
    uvicorn._subprocess.spawn = multiprocessing.get_context("fork")


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    from api.settings import Settings

    port = args.port if args.port is not None else _default_port()
    workers = args.workers or os.cpu_count() or 1
    settings = Settings.from_environment()
    log.info("pension-engine listening on http://%s:%d with %d workers (%s)", args.host, port, workers, _versions())
    if workers > 1:
        _fork_workers_from_loaded_app()
    uvicorn.run("api.app:app", host=args.host, port=port, workers=workers, **uvicorn_options(settings))


def uvicorn_options(settings: "Settings") -> dict:
    """Return the uvicorn settings of ``serve`` other than the app, address and worker count."""
    return {
        "loop": "uvloop",
        # httptools with a deadline for the request head (see api/protocol.py).
        "http": "api.protocol:HeaderTimeoutProtocol",
        "timeout_keep_alive": settings.keep_alive_timeout_seconds,
        "limit_concurrency": settings.max_connections,
        "log_level": "warning",
        "access_log": False,
        # The engine never reads the client's address or scheme, so X-Forwarded-* headers need no
        # parsing: 0.3-1.7 us less per request (python -m benchmarks.http.asgi_inprocess, 2 vCPUs).
        "proxy_headers": False,
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pension-engine", description="Pension calculation engine.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve_parser = commands.add_parser("serve", help="serve POST /calculation-requests over HTTP")
    serve_parser.add_argument("--host", default="0.0.0.0", help="interface to listen on (default 0.0.0.0)")
    serve_parser.add_argument("--port", type=int, help="TCP port (default: $PORT, else 8080)")
    serve_parser.add_argument("--workers", type=int, help="worker processes (default: the CPU count)")
    serve_parser.set_defaults(run=serve)
    _add_bulk_commands(commands)
    return parser


def sample_portfolio(args: argparse.Namespace) -> None:
    from api.bulk.commands import sample_portfolio_command  # Arrow loads only for bulk commands

    sample_portfolio_command(args)


def whatif(args: argparse.Namespace) -> None:
    from api.bulk.commands import whatif_command  # Arrow, Numba and Dask load only for bulk commands

    whatif_command(args)


def _add_bulk_commands(commands) -> None:
    """Add ``sample-portfolio`` and ``whatif``; their values are checked by the commands (exit code 2)."""
    sample = commands.add_parser("sample-portfolio", help="write a synthetic portfolio as Parquet (needs the bulk extra)")
    sample.add_argument("--dossiers", required=True, metavar="N", help="number of dossiers (about 3 policies each)")
    sample.add_argument("--seed", default="0", metavar="S", help="random seed; the same seed gives the same file (default 0)")
    sample.add_argument("--out", required=True, metavar="FILE.parquet", help="Parquet file to write")
    sample.set_defaults(run=sample_portfolio)

    whatif_parser = commands.add_parser(
        "whatif", help="project every policy of a portfolio under indexation scenarios (needs the bulk extra)"
    )
    whatif_parser.add_argument("portfolio", metavar="PORTFOLIO", help="Parquet file, one row per policy")
    whatif_parser.add_argument("--from", dest="start", required=True, metavar="DATE", help="first projection date, YYYY-MM-DD")
    whatif_parser.add_argument(
        "--to", dest="end", required=True, metavar="DATE",
        help="end of the projection range, YYYY-MM-DD: the last date is the last step on or before it",
    )
    whatif_parser.add_argument("--every", required=True, metavar="MONTHS", help="months between projection dates (>= 1)")
    whatif_parser.add_argument(
        "--indexation", nargs="+", action="extend", metavar="P",
        help="one scenario per value: indexation of every salary by P, a fraction (0.02) or a percentage (2%%); "
        "repeat the option to add scenarios (--indexation=-2%% --indexation=5%%); default 0",
    )
    whatif_parser.add_argument("--rates", metavar="FILE.json", help='accrual rate per scheme, {"SCHEME": 0.02}; default 0.02')
    whatif_parser.add_argument("--out", metavar="FILE.parquet", help="write the table per scenario, policy and date")
    whatif_parser.add_argument("--summary", metavar="FILE.csv", help="write the summary per scenario and date")
    whatif_parser.add_argument("--plot", metavar="FILE.png", help="draw the summary as a fan chart")
    whatif_parser.add_argument("--dask", metavar="local|ADDRESS", help="run on a local Dask cluster or the scheduler at ADDRESS")
    whatif_parser.set_defaults(run=whatif)


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    args = build_parser().parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    main()
