"""Synthetic portfolios: realistic ages, careers, salaries, part-time factors and schemes."""

import datetime as dt
import os

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from api.bulk.columns import EPOCH_DAY
from api.bulk.output import atomic_path

# Birth dates and careers are drawn relative to this day, so a seed gives the same file on any day.
REFERENCE_DAY = dt.date(2026, 1, 1).toordinal()

# Dossiers generated and written per row group.
SAMPLE_CHUNK_DOSSIERS = 100_000

SCHEMES = ("BASE-2020", "BASE-2010", "PLUS", "EXECUTIVE")
_SCHEME_WEIGHTS = (0.55, 0.25, 0.15, 0.05)

# Policies per dossier, 1 to 5: about 3 on average.
_POLICY_COUNT_WEIGHTS = (0.10, 0.25, 0.30, 0.20, 0.15)

_PART_TIME_FACTORS = (1.0, 0.9, 0.8, 0.6, 0.5)
_PART_TIME_WEIGHTS = (0.60, 0.08, 0.15, 0.10, 0.07)

SAMPLE_SCHEMA = pa.schema(
    [
        ("dossier_id", pa.string()),
        ("birth_date", pa.date32()),
        ("scheme_id", pa.string()),
        ("employment_start_date", pa.date32()),
        ("salary", pa.float64()),
        ("part_time_factor", pa.float64()),
    ]
)


def sample_chunk(first_dossier: int, n_dossiers: int, seed: int) -> pa.Table:
    """Return dossiers ``first_dossier .. first_dossier + n_dossiers - 1`` of the sample portfolio of ``seed``.

    Each chunk draws from its own random stream, seeded by ``(seed,
    first_dossier)``, so a chunk can be generated without the ones before it.
    """
    rng = np.random.default_rng([seed, first_dossier])
    days_per_year = 365.25

    # Participants aged 20 to 67 on the reference day.
    age_days = rng.uniform(20 * days_per_year, 67 * days_per_year, n_dossiers)
    birth = REFERENCE_DAY - age_days.astype(np.int64)

    counts = rng.choice(np.arange(1, 6), size=n_dossiers, p=_POLICY_COUNT_WEIGHTS)
    n = int(counts.sum())
    dossier_of_policy = np.repeat(np.arange(n_dossiers), counts)
    number = np.arange(n) - np.repeat(np.cumsum(counts) - counts, counts)

    # A career starts at 18 to 28; each later policy starts 1 to 8 years after the previous one.
    career_start = birth + (rng.uniform(18, 28, n_dossiers) * days_per_year).astype(np.int64)
    gaps = (rng.uniform(1, 8, n) * days_per_year).astype(np.int64)
    gaps[number == 0] = 0
    offsets_in_career = np.cumsum(gaps) - np.repeat(np.cumsum(gaps)[np.cumsum(counts) - counts], counts)
    start = np.minimum(career_start[dossier_of_policy] + offsets_in_career, REFERENCE_DAY)

    # Salaries: log-normal around 42,000 a year, about 4 % higher with each later policy.
    salary = np.round(rng.lognormal(np.log(42_000), 0.35, n) * 1.04**number, 2)
    factor = rng.choice(_PART_TIME_FACTORS, size=n, p=_PART_TIME_WEIGHTS)
    scheme = rng.choice(len(SCHEMES), size=n, p=_SCHEME_WEIGHTS).astype(np.int32)

    numbers = pc.cast(pa.array(first_dossier + dossier_of_policy), pa.string())
    dossier_ids = pc.binary_join_element_wise("D", pc.utf8_lpad(numbers, 8, "0"), "")
    return pa.Table.from_arrays(
        [
            dossier_ids,
            pa.array((birth[dossier_of_policy] - EPOCH_DAY).astype(np.int32)).view(pa.date32()),
            pa.DictionaryArray.from_arrays(pa.array(scheme), pa.array(SCHEMES)).dictionary_decode(),
            pa.array((start - EPOCH_DAY).astype(np.int32)).view(pa.date32()),
            pa.array(salary),
            pa.array(factor),
        ],
        schema=SAMPLE_SCHEMA,
    )


def write_sample_portfolio(target: str | os.PathLike, n_dossiers: int, seed: int = 0) -> int:
    """Write a synthetic portfolio of ``n_dossiers`` dossiers to a Parquet file; return its policy count.

    Written chunk by chunk (one row group per 100,000 dossiers), so memory
    stays bounded for any size; the same seed gives the same file.
    """
    policies = 0
    with atomic_path(target) as temporary, pq.ParquetWriter(temporary, SAMPLE_SCHEMA, compression="snappy") as writer:
        for first in range(0, n_dossiers, SAMPLE_CHUNK_DOSSIERS):
            table = sample_chunk(first, min(SAMPLE_CHUNK_DOSSIERS, n_dossiers - first), seed)
            writer.write_table(table)
            policies += table.num_rows
    return policies
