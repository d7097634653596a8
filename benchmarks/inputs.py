"""Seeded, realistic inputs for the kernel benchmarks.

A portfolio has dossiers of 1 to 5 policies, employment start dates spread
from 1965 to 2024, log-normal salaries around 45,000, mostly full-time
part-time factors, and five schemes with their own accrual rates.
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np

from kernels.layout import POLICY_DTYPE

# Accrual rate of each scheme code 0..4.
SCHEME_RATES = np.array([0.02, 0.018, 0.022, 0.025, 0.015])
FIRST_START = dt.date(1965, 1, 1).toordinal()
LAST_START = dt.date(2024, 12, 31).toordinal()
FIRST_RETIREMENT = dt.date(2025, 1, 1).toordinal()
LAST_RETIREMENT = dt.date(2060, 12, 31).toordinal()


@dataclass
class Portfolio:
    """Policies segmented into dossiers, with one retirement day per dossier."""

    policies: np.ndarray  # POLICY_DTYPE, shape (n_policies,)
    rates: np.ndarray  # float64 accrual rate per policy, shape (n_policies,)
    offsets: np.ndarray  # int64, shape (n_dossiers + 1,)
    retirement_days: np.ndarray  # int64 day number per dossier, shape (n_dossiers,)

    @property
    def n_policies(self) -> int:
        return int(self.policies.shape[0])

    @property
    def n_dossiers(self) -> int:
        return int(self.offsets.shape[0] - 1)


def projection_dates(n_dates: int) -> np.ndarray:
    """Return ``n_dates`` yearly projection days starting on 2025-01-01, int64."""
    return np.array([dt.date(2025 + year, 1, 1).toordinal() for year in range(n_dates)], dtype=np.int64)


def dossier_sizes(n_policies: int, rng: np.random.Generator) -> np.ndarray:
    """Return dossier sizes of 1 to 5 policies that add up to ``n_policies``."""
    sizes = rng.integers(1, 6, size=n_policies // 2 + 2)
    while sizes.sum() < n_policies:  # only small portfolios can fall short
        sizes = np.concatenate([sizes, rng.integers(1, 6, size=n_policies)])
    ends = np.cumsum(sizes)
    count = int(np.searchsorted(ends, n_policies))  # dossiers that end before n_policies
    sizes = sizes[: count + 1]
    sizes[-1] -= int(ends[count]) - n_policies
    return sizes[sizes > 0]


def generate_portfolio(n_policies: int, seed: int = 2025) -> Portfolio:
    """Generate a portfolio of exactly ``n_policies`` policies."""
    rng = np.random.default_rng(seed)
    sizes = dossier_sizes(n_policies, rng)
    offsets = np.zeros(sizes.shape[0] + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])

    policies = np.zeros(n_policies, dtype=POLICY_DTYPE)
    policies["employment_start"] = rng.integers(FIRST_START, LAST_START, size=n_policies)
    policies["salary"] = np.round(rng.lognormal(np.log(45_000.0), 0.5, size=n_policies), 2)
    full_time = rng.random(n_policies) < 0.7
    policies["part_time_factor"] = np.where(full_time, 1.0, np.round(rng.uniform(0.2, 1.0, n_policies), 2))
    policies["scheme"] = rng.integers(0, SCHEME_RATES.shape[0], size=n_policies)
    policies["attainable_pension"] = np.nan
    rates = SCHEME_RATES[policies["scheme"]]
    retirement_days = rng.integers(FIRST_RETIREMENT, LAST_RETIREMENT, size=sizes.shape[0])
    return Portfolio(policies, rates, offsets, retirement_days)


def dossier_values(n_policies: int, seed: int = 7) -> list[tuple[int, float, float, int, float]]:
    """Return one dossier as Python values ``(start_day, salary, part_time_factor, scheme, rate)``."""
    portfolio = generate_portfolio(n_policies, seed)
    rows = portfolio.policies.tolist()
    return [(row[0], row[1], row[2], row[3], rate) for row, rate in zip(rows, portfolio.rates.tolist())]


def dossier_arrays(values: list[tuple[int, float, float, int, float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Build ``(policies, rates, offsets)`` of one dossier from Python values."""
    n = len(values)
    policies = np.empty(n, dtype=POLICY_DTYPE)
    rates = np.empty(n, dtype=np.float64)
    for row, (start, salary, part_time_factor, scheme, rate) in enumerate(values):
        policies[row] = (start, salary, part_time_factor, scheme, np.nan)
        rates[row] = rate
    return policies, rates, np.array([0, n], dtype=np.int64)
