"""The ``sample-portfolio`` and ``whatif`` commands of ``pension-engine``.

Every bad value ends the command with exit code 2 and a one-line message on
standard error, before any output file is created. A read or write that the
system fails (a full disk) ends it with exit code 1 and one line, and removes
its outputs. Ctrl-C (SIGINT) and SIGTERM end it with "interrupted" and exit
code 130 or 143, after removing its temporary files.
"""

import argparse
import json
import logging
import math
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa

from api.bulk.dates import project_dates
from api.bulk.output import check_output_paths
from api.bulk.runner import quiet_dask_logs, run_whatif
from api.bulk.source import InputError
from model.portfolio import PortfolioError
from model.whatif import Scenario, WhatIfError

log = logging.getLogger("pension_engine")

# Errors that are the user's input, reported in one line with exit code 2.
_INPUT_ERRORS = (InputError, PortfolioError, WhatIfError)


def _fail(command: str, message: str) -> None:
    print(f"pension-engine {command}: error: {message}", file=sys.stderr)
    raise SystemExit(2)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C's KeyboardInterrupt so that cleanup code runs."""


def _raise_terminated(signal_number: int, frame: object) -> None:
    raise Terminated


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """Raise ``Terminated`` on SIGTERM while the command runs, then restore the previous handler."""
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run_command(command: str, body: Callable[[], None]) -> None:
    """Run ``body`` and end a failure with one line and its exit code.

    The codes are 2 for bad input, 1 for a failed read or write, 130 for Ctrl-C and 143 for SIGTERM.
    """
    try:
        with _terminate_as_interrupt():
            body()
    except _INPUT_ERRORS as error:
        _fail(command, str(error))
    except OSError as error:
        # Paths were checked before the run, so this is the system failing a read or write (a full disk),
        # or a Dask cluster lost mid-run (distributed's connection errors are OSErrors too).
        failure = "the Dask cluster failed" if type(error).__module__.startswith("distributed") else "reading or writing a file failed"
        print(f"pension-engine {command}: error: {failure}: {error}", file=sys.stderr)
        raise SystemExit(1) from None
    except KeyboardInterrupt as error:
        print(f"pension-engine {command}: interrupted", file=sys.stderr)
        raise SystemExit(128 + (signal.SIGTERM if isinstance(error, Terminated) else signal.SIGINT)) from None


def _whole_number(text: str, name: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise InputError(f"{name} {text!r} is invalid: expected a whole number >= {minimum}") from None
    if value < minimum:
        raise InputError(f"{name} {value} is invalid: expected a whole number >= {minimum}")
    return value


def parse_percentage(text: str) -> float:
    """Return the fraction of ``"0.02"`` or ``"2%"`` (both 0.02)."""
    stripped = text.strip()
    try:
        value = float(stripped[:-1]) / 100 if stripped.endswith("%") else float(stripped)
    except ValueError:
        raise InputError(f"--indexation {text!r} is invalid: expected a fraction such as 0.02 or a percentage such as 2%") from None
    if not math.isfinite(value):
        raise InputError(f"--indexation {text!r} is invalid: expected a finite number")
    return value


def _read_rates(text: str) -> dict[str, float]:
    try:
        rates = json.loads(Path(text).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"cannot read --rates file {text!r}: {error}") from None
    if not isinstance(rates, dict):
        raise InputError(f"--rates file {text!r} must contain a JSON object of scheme id to accrual rate")
    return rates


def sample_portfolio_command(args: argparse.Namespace) -> None:
    def body() -> None:
        from api.bulk.sample import write_sample_portfolio

        dossiers = _whole_number(args.dossiers, "--dossiers", 1)
        seed = _whole_number(args.seed, "--seed", 0)
        check_output_paths({"--out": args.out})
        started = time.perf_counter()
        policies = write_sample_portfolio(args.out, dossiers, seed)
        log.info("wrote %d dossiers (%d policies) to %s in %.1f s", dossiers, policies, args.out, time.perf_counter() - started)

    _run_command("sample-portfolio", body)


def _scenarios(texts: list[str] | None) -> list[Scenario]:
    if not texts:
        return [Scenario.indexation(0.0, "0")]
    return [Scenario.indexation(parse_percentage(text), text) for text in texts]


def print_summary(summary: pa.Table, stream=sys.stdout) -> None:
    """Print the summary table with one line per scenario and date."""
    header = f"{'scenario':>10} {'date':>10} {'total':>18} {'mean':>12} {'p10':>12} {'p50':>12} {'p90':>12} {'eligible':>8}"
    print(header, file=stream)
    for row in summary.to_pylist():
        print(
            f"{row['scenario']:>10} {row['date'].isoformat():>10} {row['total']:>18,.2f} {row['mean']:>12,.2f} "
            f"{row['p10']:>12,.2f} {row['p50']:>12,.2f} {row['p90']:>12,.2f} {row['eligible_share']:>8.1%}",
            file=stream,
        )


def whatif_command(args: argparse.Namespace) -> None:
    _run_command("whatif", lambda: _whatif(args))


def _whatif(args: argparse.Namespace) -> None:
    portfolio = Path(args.portfolio)
    if not portfolio.is_file():
        raise InputError(f"portfolio file {args.portfolio!r} not found")
    every = _whole_number(args.every, "--every", 1)
    dates = project_dates(args.start, args.end, every)
    scenarios = _scenarios(args.indexation)
    rates = _read_rates(args.rates) if args.rates else None
    outputs = {name: getattr(args, name) for name in ("out", "summary", "plot")}
    inputs = [portfolio] + ([Path(args.rates)] if args.rates else [])
    check_output_paths({f"--{name}": target for name, target in outputs.items()}, inputs)
    if args.dask:
        quiet_dask_logs()
    run = run_whatif(portfolio, scenarios, dates, rates=rates, dask=args.dask, progress=True, **outputs)

    log.info(
        "whatif: %d dossiers, %d policies, %d dates, %d scenarios in %.1f s; "
        "scan %.1f s, read %.1f s, compute %.1f s, write %.1f s (overlapping compute)",
        run.dossiers, run.policies, run.n_dates, run.n_scenarios, run.total_seconds,
        run.scan_seconds, run.read_seconds, run.compute_seconds, run.write_seconds,
    )
    print_summary(run.summary)
