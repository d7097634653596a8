"""Hypothesis strategies for policy arrays and segmented portfolios."""

import datetime as dt

import numpy as np
from hypothesis import strategies as st

from kernels.layout import POLICY_DTYPE

FIRST_DAY = dt.date(1950, 1, 1).toordinal()
LAST_DAY = dt.date(2100, 12, 31).toordinal()
LEAP_DAYS = [dt.date(year, 2, 29).toordinal() for year in (1960, 1996, 2000, 2024, 2028, 2096)]
SCHEMES = [0, 1, 2]

# Days around a leap day are drawn often, so that leap days meet every formula.
days = st.one_of(
    st.integers(FIRST_DAY, LAST_DAY),
    st.sampled_from(LEAP_DAYS),
    st.sampled_from(LEAP_DAYS).map(lambda day: day - 1),
    st.sampled_from(LEAP_DAYS).map(lambda day: day + 1),
)
salaries = st.one_of(st.just(0.0), st.floats(0.0, 1e7, allow_nan=False, allow_infinity=False))
part_time_factors = st.one_of(st.sampled_from([0.0, 0.5, 1.0]), st.floats(0.0, 1.0))
accrual_rates = st.one_of(st.just(0.02), st.floats(0.0, 0.1))
policy_tuples = st.tuples(days, salaries, part_time_factors, st.sampled_from(SCHEMES))
rated_policies = st.tuples(policy_tuples, accrual_rates)

# A portfolio is a list of dossiers, and each dossier contains 0 to 6 (policy, accrual rate) pairs.
portfolios = st.lists(st.lists(rated_policies, max_size=6), min_size=1, max_size=12)


def policy_array(policies) -> np.ndarray:
    """Build a ``POLICY_DTYPE`` array from ``(start, salary, part_time_factor, scheme)`` tuples."""
    array = np.zeros(len(policies), dtype=POLICY_DTYPE)
    for row, (start, salary, part_time_factor, scheme) in enumerate(policies):
        array[row] = (start, salary, part_time_factor, scheme, np.nan)
    return array


def portfolio_arrays(portfolio):
    """Return ``(policies, rates, offsets)`` arrays of a list of dossiers."""
    flat = [pair for dossier in portfolio for pair in dossier]
    policies = policy_array([policy for policy, _ in flat])
    rates = np.array([rate for _, rate in flat], dtype=np.float64)
    offsets = np.zeros(len(portfolio) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(dossier) for dossier in portfolio])
    return policies, rates, offsets
