"""Portfolio sources (Parquet, Arrow, pandas, polars, NumPy) read as chunks of whole dossiers."""

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from api.bulk.columns import COLUMNS, check_schema, to_portfolio
from model.dates import today_utc
from model.portfolio import Portfolio, PortfolioError

# Policies per chunk. With 3 scenarios x 21 dates, 100,000 policies make 6.3 million result rows, about 260 MB.
DEFAULT_CHUNK_ROWS = 100_000


class InputError(ValueError):
    """A portfolio file or option that cannot be used, such as an unreadable file."""


_NO_ROWS = "the portfolio has no rows: expected at least one policy"


@dataclass
class PortfolioSource:
    """A portfolio that can be read more than once, as Arrow record batches of at most ``size`` rows."""

    schema: pa.Schema
    num_rows: int
    read_batches: Callable[[int], Iterator[pa.RecordBatch]]
    name: str = "portfolio"


def _parquet_source(path: Path) -> PortfolioSource:
    try:
        parquet = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as error:
        raise InputError(f"cannot read portfolio file {str(path)!r}: {error}") from None
    schema = parquet.schema_arrow
    check_schema(schema)

    def read_batches(size: int) -> Iterator[pa.RecordBatch]:
        try:
            yield from pq.ParquetFile(path).iter_batches(batch_size=size, columns=list(COLUMNS))
        except (OSError, pa.ArrowException) as error:
            raise InputError(f"cannot read portfolio file {str(path)!r}: {error}") from None

    return PortfolioSource(schema, parquet.metadata.num_rows, read_batches, str(path))


def _table_source(table: pa.Table) -> PortfolioSource:
    check_schema(table.schema)
    table = table.select(list(COLUMNS))
    return PortfolioSource(table.schema, table.num_rows, lambda size: iter(table.to_batches(max_chunksize=size)))


def _numpy_table(columns: Mapping[str, np.ndarray]) -> pa.Table:
    arrays = {}
    for name, values in columns.items():
        try:
            arrays[name] = pa.array(np.asarray(values))
        except (pa.ArrowException, ValueError, TypeError) as error:
            raise PortfolioError(name, None, str(np.asarray(values).dtype), f"cannot convert the array: {error}") from None
    return pa.table(arrays)


def _pandas_table(frame) -> pa.Table:
    """Convert a pandas DataFrame, naming the column and first row of a value Arrow cannot convert.

    In a column of mixed Python objects, the bad row is the first whose type
    differs from the column's most common type.
    """
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
        for column in frame.columns:
            try:
                pa.array(frame[column], from_pandas=True)
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                values = frame[column].tolist()
                kinds = [type(value) for value in values if value is not None]
                common = max(set(kinds), key=kinds.count)
                row = next(row for row, value in enumerate(values) if value is not None and type(value) is not common)
                raise PortfolioError(str(column), row, values[row], f"expected a value of type {common.__name__}") from None
        raise InputError(f"cannot convert the DataFrame to Arrow: {error}") from None


def open_portfolio(data: object) -> PortfolioSource:
    """Return a source for a portfolio given as any supported object.

    ``data`` is a path to a Parquet file (str or ``os.PathLike``), a
    ``pyarrow.Table`` or ``RecordBatch``, a pandas or polars ``DataFrame``, a
    mapping of column name to NumPy array, or a NumPy structured array.
    Columns are listed in ``api.bulk.columns.COLUMNS``; dates are date
    columns, ``datetime64[D]`` arrays or ``YYYY-MM-DD`` strings. Raises
    ``PortfolioError`` for a missing or ill-typed column and ``InputError``
    for an unreadable file.
    """
    if isinstance(data, PortfolioSource):
        return data
    if isinstance(data, (str, os.PathLike)):
        return _parquet_source(Path(data))
    if isinstance(data, pa.RecordBatch):
        return _table_source(pa.Table.from_batches([data]))
    if isinstance(data, pa.Table):
        return _table_source(data)
    if isinstance(data, np.ndarray) and data.dtype.names:
        return _table_source(_numpy_table({name: data[name] for name in data.dtype.names}))
    if isinstance(data, Mapping):
        return _table_source(_numpy_table(data))
    module = type(data).__module__.split(".")[0]
    if module == "pandas":
        return _table_source(_pandas_table(data))
    if module == "polars":
        return _table_source(data.to_arrow())
    raise InputError(f"cannot read a portfolio from a {type(data).__name__}; pass a Parquet path, Arrow, pandas, polars or NumPy data")


def _last_dossier_start(dossier_ids: pa.ChunkedArray) -> int:
    """Return the row where the table's last dossier starts (0 when it is one dossier)."""
    ids = dossier_ids.combine_chunks()
    if pa.types.is_dictionary(ids.type):
        ids = ids.dictionary_decode()
    same = np.asarray(pc.fill_null(pc.equal(ids, ids[len(ids) - 1]), False))
    different = np.flatnonzero(~same)
    return int(different[-1]) + 1 if different.size else 0


def dossier_tables(source: PortfolioSource, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[tuple[int, pa.Table]]:
    """Yield ``(first_row, table)`` chunks of whole dossiers of about ``chunk_rows`` rows.

    A chunk ends before the last dossier of the rows read so far, which is
    carried over to the next chunk, so no dossier is split.
    """
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    first_row = 0
    for batch in source.read_batches(chunk_rows):
        pending.append(batch)
        pending_rows += batch.num_rows
        if pending_rows < chunk_rows:
            continue
        table = pa.Table.from_batches(pending, schema=batch.schema)
        cut = _last_dossier_start(table.column("dossier_id"))
        if cut == 0:
            continue  # one dossier so far: keep reading
        yield first_row, table.slice(0, cut)
        first_row += cut
        rest = table.slice(cut)
        pending = rest.to_batches()
        pending_rows = rest.num_rows
    if pending_rows:
        yield first_row, pa.Table.from_batches(pending)


class _SeenDossiers:
    """64-bit hashes of the dossier ids of earlier chunks, to find a dossier whose rows are split across chunks.

    Holds 8 bytes per dossier. A hash collision would reject a valid
    portfolio; with 64-bit hashes its chance is below 1e-7 for 1 million dossiers.
    """

    def __init__(self) -> None:
        self._sorted = np.zeros(0, dtype=np.uint64)

    def check(self, portfolio: Portfolio) -> None:
        from pandas.util import hash_array

        ids = np.asarray(portfolio.dossier_ids.to_numpy(zero_copy_only=False), dtype=object)
        hashes = hash_array(ids)
        position = np.searchsorted(self._sorted, hashes).clip(max=max(self._sorted.shape[0] - 1, 0))
        seen = np.flatnonzero(self._sorted[position] == hashes) if self._sorted.shape[0] else np.zeros(0, dtype=np.int64)
        if seen.size:
            k = int(seen[0])
            raise PortfolioError(
                "dossier_id",
                portfolio.first_row + int(portfolio.offsets[k]),
                str(ids[k]),
                "the rows of this dossier are not contiguous; sort the portfolio by dossier_id, keeping policy order",
            )
        # The ids of a chunk are distinct and new, so a stable sort merges the two sorted runs.
        # np.union1d would also deduplicate, with a hash table in NumPy 2 that took 22 s of a
        # 1-million-dossier scan.
        merged = np.concatenate((self._sorted, np.sort(hashes)))
        merged.sort(kind="stable")
        self._sorted = merged


@dataclass
class PortfolioScan:
    """Counts and scheme ids found by a validating pass over a portfolio."""

    rows: int = 0
    dossiers: int = 0
    scheme_ids: set[str] = field(default_factory=set)


def scan_portfolio(source: PortfolioSource, chunk_rows: int = DEFAULT_CHUNK_ROWS, today: int | None = None) -> PortfolioScan:
    """Validate the whole portfolio and count it, before any projection runs.

    Raises ``PortfolioError`` naming the column, the first bad row and its
    value, and ``InputError`` for a portfolio without rows.
    """
    today = today_utc() if today is None else today
    scan = PortfolioScan()
    seen = _SeenDossiers()
    for first_row, table in dossier_tables(source, chunk_rows):
        portfolio = to_portfolio(table, first_row, today)
        seen.check(portfolio)
        scan.rows += portfolio.n_policies
        scan.dossiers += portfolio.n_dossiers
        scan.scheme_ids.update(portfolio.scheme_ids)
    if scan.rows == 0:
        raise InputError(_NO_ROWS)
    return scan


def portfolio_chunks(source: PortfolioSource, chunk_rows: int = DEFAULT_CHUNK_ROWS, today: int | None = None) -> Iterator[Portfolio]:
    """Yield the portfolio as ``Portfolio`` chunks of whole dossiers."""
    today = today_utc() if today is None else today
    for first_row, table in dossier_tables(source, chunk_rows):
        yield to_portfolio(table, first_row, today)


def read_portfolio(data: object, today: int | None = None) -> Portfolio:
    """Read and validate a whole portfolio into memory as one ``Portfolio``."""
    source = open_portfolio(data)
    if source.num_rows == 0:
        raise InputError(_NO_ROWS)
    table = pa.Table.from_batches(list(source.read_batches(max(source.num_rows, 1))), schema=source.schema)
    portfolio = to_portfolio(table, 0, today)
    return portfolio
