"""The long result table in Arrow: one row per scenario, policy and date."""

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from api.bulk.columns import EPOCH_DAY
from model.portfolio import Portfolio
from model.whatif import ChunkResult, DateSummary, Scenario

# Repeated strings are dictionary-encoded: each policy id is built once per
# chunk and its rows (scenarios x dates of them) hold a 4-byte index.
RESULT_SCHEMA = pa.schema(
    [
        ("scenario", pa.dictionary(pa.int32(), pa.string())),
        ("dossier_id", pa.dictionary(pa.int32(), pa.string())),
        ("policy_id", pa.dictionary(pa.int32(), pa.string())),
        ("date", pa.date32()),
        ("projected_pension", pa.float64()),
        ("eligible", pa.bool_()),
    ]
)

SUMMARY_SCHEMA = pa.schema(
    [
        ("scenario", pa.string()),
        ("date", pa.date32()),
        ("dossiers", pa.int64()),
        ("total", pa.float64()),
        ("mean", pa.float64()),
        ("p10", pa.float64()),
        ("p50", pa.float64()),
        ("p90", pa.float64()),
        ("eligible_share", pa.float64()),
    ]
)


def policy_ids(portfolio: Portfolio) -> pa.Array:
    """Return ``"{dossier_id}-{n}"`` for every policy as an Arrow string array, shape (n_policies,)."""
    dossier_ids = pa.array(portfolio.dossier_ids, type=pa.string()) if not isinstance(portfolio.dossier_ids, pa.Array) else portfolio.dossier_ids
    owners = dossier_ids.take(pa.array(portfolio.dossier_of_policy()))
    numbers = pc.cast(pa.array(portfolio.policy_numbers()), pa.string())
    return pc.binary_join_element_wise(owners, numbers, "-")


def date_array(dates: np.ndarray) -> pa.Array:
    """Return int64 day numbers as an Arrow date32 array."""
    return pa.array((np.asarray(dates, dtype=np.int64) - EPOCH_DAY).astype(np.int32)).view(pa.date32())


def result_table(portfolio: Portfolio, scenarios: Sequence[Scenario], dates: np.ndarray, result: ChunkResult) -> pa.Table:
    """Return the long table of one chunk, rows ordered by dossier, policy, scenario, then date.

    The order does not depend on how the portfolio was chunked, so a run's
    table is the same for any chunk size and for local or Dask runs.
    """
    n, n_scenarios, n_dates = result.projected.shape
    per_policy = n_scenarios * n_dates
    dossier_ids = portfolio.dossier_ids
    if not isinstance(dossier_ids, pa.Array):
        dossier_ids = pa.array(list(dossier_ids), type=pa.string())

    dossier_of_policy = portfolio.dossier_of_policy()
    scenario_index = np.tile(np.repeat(np.arange(n_scenarios, dtype=np.int32), n_dates), n)
    dossier_index = np.repeat(dossier_of_policy.astype(np.int32), per_policy)
    policy_index = np.repeat(np.arange(n, dtype=np.int32), per_policy)
    days = np.tile((np.asarray(dates, dtype=np.int64) - EPOCH_DAY).astype(np.int32), n * n_scenarios)
    eligible = np.broadcast_to(result.eligible[dossier_of_policy][:, None, :], result.projected.shape)

    labels = pa.array([scenario.label for scenario in scenarios], type=pa.string())
    columns = [
        pa.DictionaryArray.from_arrays(pa.array(scenario_index), labels),
        pa.DictionaryArray.from_arrays(pa.array(dossier_index), dossier_ids),
        pa.DictionaryArray.from_arrays(pa.array(policy_index), policy_ids(portfolio)),
        pa.array(days).view(pa.date32()),
        pa.array(result.projected.reshape(-1)),
        pa.array(eligible.reshape(-1)),
    ]
    return pa.Table.from_arrays(columns, schema=RESULT_SCHEMA)


def summary_table(rows: Sequence[tuple[str, int, int, DateSummary]]) -> pa.Table:
    """Return the summary table from ``(scenario label, date day number, dossiers, summary)`` rows."""
    columns = {
        "scenario": [row[0] for row in rows],
        "date": date_array(np.array([row[1] for row in rows], dtype=np.int64)),
        "dossiers": [row[2] for row in rows],
    }
    for name in ("total", "mean", "p10", "p50", "p90", "eligible_share"):
        columns[name] = [getattr(row[3], name) for row in rows]
    return pa.table(columns, schema=SUMMARY_SCHEMA)
