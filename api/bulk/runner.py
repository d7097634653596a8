"""Running a what-if over a portfolio in chunks, on this machine or on a Dask cluster."""

import logging
import math
import os
import socket
import struct
import sys
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from api.bulk.output import StagedOutputs, SummaryAccumulator, check_output_paths, result_writer, write_csv
from api.bulk.source import DEFAULT_CHUNK_ROWS, InputError, open_portfolio, portfolio_chunks, scan_portfolio
from api.bulk.table import result_table
from model.dates import today_utc
from model.portfolio import Portfolio
from model.rates import SchemeRates
from model.whatif import ChunkResult, Scenario, project_scenarios

log = logging.getLogger("pension_engine")


@dataclass
class WhatIfRun:
    """The summary of a finished run and where its time went (seconds, wall clock)."""

    summary: pa.Table
    dossiers: int
    policies: int
    n_dates: int
    n_scenarios: int
    scan_seconds: float = 0.0  # validating pass over the input
    read_seconds: float = 0.0  # reading chunks and building their arrays
    compute_seconds: float = 0.0  # indexation, projection, eligibility, summary inputs
    write_seconds: float = 0.0  # building and writing the result table, overlapping compute
    total_seconds: float = 0.0  # the whole run, less than the sum of the parts when they overlap

    @property
    def policy_dates(self) -> int:
        """Projected values computed: policies x dates x scenarios."""
        return self.policies * self.n_dates * self.n_scenarios


def resolve_rates(rates: Mapping[str, float] | SchemeRates | None, scheme_ids: set[str]) -> SchemeRates:
    """Return accrual rates: the given mapping, else the scheme registry at ``SCHEME_REGISTRY_URL``, else 0.02.

    The registry is asked once per distinct scheme; a failed lookup uses 0.02
    and is logged, as a calculation request warns about it.
    """
    if isinstance(rates, SchemeRates):
        return rates
    if rates is not None:
        for scheme_id, rate in rates.items():
            if not isinstance(rate, (int, float)) or isinstance(rate, bool) or not (math.isfinite(rate) and 0 <= rate <= 1):
                raise InputError(f"accrual rate of scheme {scheme_id!r} is {rate!r}: expected a number from 0 to 1")
        return SchemeRates({str(key): float(value) for key, value in rates.items()})

    url = os.environ.get("SCHEME_REGISTRY_URL")
    if not url:
        return SchemeRates()
    from api.registry import fetch_rates

    try:
        fetched, failures = fetch_rates(url, sorted(scheme_ids))
    except ValueError as error:  # the URL itself is invalid, e.g. not http(s)://
        raise InputError(f"SCHEME_REGISTRY_URL={url!r} is invalid: {error}") from None
    for scheme_id, reason in sorted(failures.items()):
        log.warning("scheme registry lookup for scheme %r failed (%s); the default accrual rate 0.02 is used", scheme_id, reason)
    return SchemeRates(fetched, failures)


def _timed_chunks(chunks: Iterator[Portfolio], run: WhatIfRun) -> Iterator[Portfolio]:
    while True:
        started = time.perf_counter()
        chunk = next(chunks, None)
        run.read_seconds += time.perf_counter() - started
        if chunk is None:
            return
        yield chunk


def _local_results(chunks, scenarios, dates, rates) -> Iterator[tuple[Portfolio, ChunkResult, float]]:
    for chunk in chunks:
        started = time.perf_counter()
        result = project_scenarios(chunk, scenarios, dates, rates)
        yield chunk, result, time.perf_counter() - started


def _dask_results(client, chunks, scenarios, dates, rates) -> Iterator[tuple[Portfolio, ChunkResult, float]]:
    """Project chunks on the cluster, a few ahead per worker, and yield them in input order."""
    window = 2 * max(1, len(client.scheduler_info().get("workers", {})))
    pending: deque = deque()
    chunk_iter = iter(chunks)
    exhausted = False
    while pending or not exhausted:
        while not exhausted and len(pending) < window:
            chunk = next(chunk_iter, None)
            if chunk is None:
                exhausted = True
                break
            pending.append((chunk, client.submit(project_scenarios, chunk, scenarios, dates, rates, pure=False)))
        if not pending:
            return
        chunk, future = pending.popleft()
        started = time.perf_counter()
        result = future.result()
        future.release()
        yield chunk, result, time.perf_counter() - started


def _write_chunk(writer, chunk: Portfolio, scenarios: Sequence[Scenario], dates: np.ndarray, result: ChunkResult) -> float:
    """Build and write one chunk's long table; return the seconds it took."""
    started = time.perf_counter()
    writer.write_table(result_table(chunk, scenarios, dates, result))
    return time.perf_counter() - started


def local_cluster_client():
    """Start a local Dask cluster of worker processes on the loopback interface and return its client."""
    from distributed import Client, LocalCluster

    # One single-threaded worker per core; NUMBA_NUM_THREADS=1 keeps each worker's parallel
    # kernels on its own core instead of every worker starting a thread per core.
    cluster = LocalCluster(
        n_workers=os.cpu_count() or 1,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        env={"NUMBA_NUM_THREADS": "1"},
    )
    return Client(cluster)


# The largest first message a Dask scheduler is expected to send (its handshake takes a few hundred bytes).
_MAX_HANDSHAKE_BYTES = 1 << 20


def quiet_dask_logs() -> None:
    """Keep Dask's INFO lines off standard error, here and in worker processes started from here.

    The command line calls this; a program calling ``run_whatif`` keeps its own logging settings.
    """
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    logging.getLogger("distributed").setLevel(logging.WARNING)


def _probe_scheduler(address: str, timeout: float) -> None:
    """Raise ``InputError`` unless the server at a ``tcp://`` address sends the length prefix of a Dask handshake.

    A Dask scheduler sends its handshake first, as one message whose first 8
    bytes are its length. distributed would allocate that length before
    reading, so the bytes of another kind of server could make it allocate
    gigabytes; this check reads them first. Other schemes are not checked.
    """
    from distributed.comm.addressing import parse_address, parse_host_port

    scheme, location = parse_address(address)
    if scheme != "tcp":
        return
    host, port = parse_host_port(location)
    with socket.create_connection((host, port), timeout=timeout) as connection:
        prefix = b""
        while len(prefix) < 8:
            received = connection.recv(8 - len(prefix))
            if not received:
                break
            prefix += received
    if len(prefix) < 8:
        raise InputError(f"the server at {address!r} closed the connection before sending a Dask handshake. Check that it is a Dask scheduler")
    (length,) = struct.unpack("<Q", prefix)
    if length > _MAX_HANDSHAKE_BYTES:
        raise InputError(f"the server at {address!r} does not send a Dask handshake. Check that it is a Dask scheduler")


def _connect(dask: object):
    """Return ``(client, owned)`` for ``"local"``, a scheduler address, or a ``distributed.Client``."""
    if dask == "local":
        return local_cluster_client(), True
    if isinstance(dask, str):
        from distributed import Client

        # Any failure to connect is reported in one line: distributed raises OSError, TimeoutError,
        # ValueError (an unknown scheme) and, on the reply of a server that is not Dask, MemoryError.
        try:
            _probe_scheduler(dask, timeout=10)
            return Client(dask, timeout=10), True
        except InputError:
            raise
        except (OSError, TimeoutError, ValueError, MemoryError) as error:
            raise InputError(f"cannot connect to the Dask scheduler at {dask!r}: {error}") from None
    return dask, False


def run_whatif(
    portfolio: object,
    scenarios: Sequence[Scenario],
    dates: Sequence[int] | np.ndarray,
    *,
    rates: Mapping[str, float] | SchemeRates | None = None,
    out: str | os.PathLike | None = None,
    summary: str | os.PathLike | None = None,
    plot: str | os.PathLike | None = None,
    dask: object = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    progress: bool = False,
) -> WhatIfRun:
    """Project a portfolio under every scenario at every date, streaming it in chunks of whole dossiers.

    ``portfolio`` is anything ``open_portfolio`` reads; ``dates`` are int64
    day numbers. The whole input is validated before any projection runs.
    ``out`` receives the long table as Parquet, ``summary`` the per-date
    summary as CSV and ``plot`` a fan chart as PNG. Their paths are checked
    before any work; each file is written to a temporary name next to it and
    all are renamed when the run is complete, so a failed run leaves none. ``dask`` is None (this
    process), ``"local"`` (a local cluster), a scheduler address or a
    ``distributed.Client``.
    """
    if not scenarios:
        raise InputError("no scenario given")
    labels = [scenario.label for scenario in scenarios]
    if len(set(labels)) != len(labels):
        raise InputError(f"scenario labels must be distinct, got {labels!r}")
    dates = np.ascontiguousarray(dates, dtype=np.int64)
    if dates.shape[0] == 0:
        raise InputError("no projection date given")

    targets = {"out": out, "summary": summary, "plot": plot}
    inputs = [portfolio] if isinstance(portfolio, (str, os.PathLike)) else []
    check_output_paths({f"{name} file": target for name, target in targets.items()}, inputs)

    with StagedOutputs(targets) as staged:
        run = _run_staged(portfolio, scenarios, dates, rates=rates, staged=staged, dask=dask, chunk_rows=chunk_rows, progress=progress)
        staged.commit()
    return run


def _run_staged(portfolio, scenarios, dates, *, rates, staged: StagedOutputs, dask, chunk_rows, progress) -> WhatIfRun:
    """Run ``run_whatif`` writing every output to its temporary file in ``staged``."""
    source = open_portfolio(portfolio)
    today = today_utc()
    run_started = started = time.perf_counter()
    scan = scan_portfolio(source, chunk_rows, today)
    scheme_rates = resolve_rates(rates, scan.scheme_ids)
    run = WhatIfRun(pa.table({}), scan.dossiers, scan.rows, dates.shape[0], len(scenarios))
    run.scan_seconds = time.perf_counter() - started

    from tqdm import tqdm

    client, owned = _connect(dask) if dask is not None else (None, False)
    try:
        chunks = _timed_chunks(portfolio_chunks(source, chunk_rows, today), run)
        if client is None:
            results = _local_results(chunks, scenarios, dates, scheme_rates)
        else:
            results = _dask_results(client, chunks, scenarios, dates, scheme_rates)
        with (
            SummaryAccumulator(scenarios, dates) as accumulator,
            result_writer(staged.path("out")) as writer,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="whatif-writer") as write_pool,
            tqdm(total=scan.dossiers, unit=" dossiers", file=sys.stderr, disable=not progress) as bar,
        ):
            # Chunk k is written on a second thread while chunk k + 1 is computed, because Arrow and
            # the kernels release the GIL. At most one write is pending, so two chunks are in memory.
            pending_write = None
            for chunk, result, seconds in results:
                started = time.perf_counter()
                accumulator.add(chunk, result)
                run.compute_seconds += seconds + time.perf_counter() - started
                if writer is not None:
                    if pending_write is not None:
                        run.write_seconds += pending_write.result()
                    pending_write = write_pool.submit(_write_chunk, writer, chunk, scenarios, dates, result)
                bar.update(chunk.n_dossiers)
            if pending_write is not None:
                run.write_seconds += pending_write.result()
            run.summary = accumulator.table()
    finally:
        if owned:
            cluster = getattr(client, "cluster", None)
            client.close()
            if cluster is not None:
                cluster.close()

    if staged.path("summary") is not None:
        write_csv(run.summary, staged.path("summary"))
    if staged.path("plot") is not None:
        from api.bulk.plot import fan_chart

        fan_chart(run.summary, staged.path("plot"))
    run.total_seconds = time.perf_counter() - run_started
    return run
