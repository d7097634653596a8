"""Random portfolios, a scheme registry stand-in, and table comparison for the bulk tests."""

import datetime as dt
import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from api.bulk.sample import sample_chunk


def random_portfolio(seed: int, n_dossiers: int) -> pa.Table:
    """Return a sample portfolio with edge cases mixed in: zero salaries and factors, late starts, duplicates."""
    table = sample_chunk(0, n_dossiers, seed).to_pydict()
    rng = np.random.default_rng(seed)
    rows = len(table["salary"])
    for row in rng.choice(rows, size=max(1, rows // 10), replace=False).tolist():
        table["salary"][row] = 0.0
    for row in rng.choice(rows, size=max(1, rows // 10), replace=False).tolist():
        table["part_time_factor"][row] = float(rng.choice([0.0, 1.0, rng.uniform()]))
    for row in rng.choice(rows, size=max(1, rows // 10), replace=False).tolist():
        table["employment_start_date"][row] = dt.date(2030, 1, 1) + dt.timedelta(days=int(rng.integers(0, 3000)))
    for row in range(1, rows):
        # Duplicate policies (same scheme and start within a dossier) are allowed, with a warning over HTTP.
        if table["dossier_id"][row] == table["dossier_id"][row - 1] and rng.uniform() < 0.05:
            table["scheme_id"][row] = table["scheme_id"][row - 1]
            table["employment_start_date"][row] = table["employment_start_date"][row - 1]
    return pa.table(table)


def plain(table: pa.Table) -> pa.Table:
    """Return the table with dictionary columns decoded, so tables written in different chunks compare equal."""
    columns = []
    for column in table.columns:
        if pa.types.is_dictionary(column.type):
            column = pc.cast(column, column.type.value_type)
        columns.append(column.combine_chunks())
    return pa.Table.from_arrays(columns, names=table.column_names)


class _RegistryHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    rates: dict[str, float] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's method name)
        scheme_id = unquote(self.path.removeprefix("/schemes/"))
        rate = self.rates.get(scheme_id)
        status, body = (200, {"scheme_id": scheme_id, "accrual_rate": rate}) if rate is not None else (404, {"error": "not found"})
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def scheme_registry(rates: dict[str, float]):
    """Serve ``GET /schemes/{scheme_id}`` with the given rates on a free loopback port; yield its base URL."""
    handler = type("Handler", (_RegistryHandler,), {"rates": dict(rates)})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
