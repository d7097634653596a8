"""What-if projections of a whole portfolio under indexation scenarios.

A scenario is a list of indexation steps applied to every dossier's salaries
before projecting, as ``apply_indexation`` mutations would apply them. The
projection is ``project_future_benefits`` at dates shared by all dossiers. Both run the same kernels as a
calculation request, in their multi-threaded variants over dossiers, so a
dossier's result equals the one a request with the same mutations returns.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kernels.layout import ANY_SCHEME, DAYS_PER_YEAR, NO_DATE_FILTER, NOT_FINITE
from model.mutations.calculate_retirement_benefit import FULL_SERVICE_YEARS, RETIREMENT_AGE
from model.portfolio import Portfolio
from model.rates import SchemeRates

# Scheme code that no policy has, for a scheme filter naming a scheme absent from the portfolio.
_NO_SUCH_SCHEME = -2

# Percentiles of dossier pensions reported per scenario and date.
PERCENTILES = (10, 50, 90)


class WhatIfError(ValueError):
    """A scenario makes a salary or a pension not a finite number."""


@dataclass(frozen=True, slots=True)
class IndexationStep:
    """One ``apply_indexation``: ``percentage`` is a fraction (0.03 for 3 %).

    ``scheme_id`` limits it to policies of that scheme and ``effective_before``
    (a day number) to policies whose employment started before that day.
    """

    percentage: float
    scheme_id: str | None = None
    effective_before: int | None = None


@dataclass(frozen=True, slots=True)
class Scenario:
    """Indexation steps applied in order before projecting; ``label`` names it in results."""

    label: str
    steps: tuple[IndexationStep, ...] = ()

    @classmethod
    def indexation(cls, percentage: float, label: str | None = None) -> "Scenario":
        """Return the scenario of one indexation of every policy by ``percentage``."""
        return cls(label if label is not None else repr(float(percentage)), (IndexationStep(float(percentage)),))


@dataclass(frozen=True, slots=True)
class ChunkResult:
    """Projections of one portfolio chunk.

    projected : float64, shape (n_policies, n_scenarios, n_dates)
    eligible : bool, shape (n_dossiers, n_dates); age >= 65 or total years of
        service >= 40 at that date (the same for every scenario)
    """

    projected: np.ndarray
    eligible: np.ndarray


def indexed_policies(portfolio: Portfolio, scenario: Scenario) -> np.ndarray:
    """Return a copy of the portfolio's policies with the scenario's indexations applied.

    Raises ``WhatIfError`` when an indexed salary is not a finite number.
    """
    from kernels.indexation import index_salaries

    policies = portfolio.policies.copy()
    codes = {scheme_id: code for code, scheme_id in enumerate(portfolio.scheme_ids)}
    for step in scenario.steps:
        scheme = ANY_SCHEME if step.scheme_id is None else codes.get(step.scheme_id, _NO_SUCH_SCHEME)
        before = NO_DATE_FILTER if step.effective_before is None else step.effective_before
        new_salary, status = index_salaries(policies, step.percentage, scheme, before, parallel=True)
        overflow = np.flatnonzero(status == NOT_FINITE)
        if overflow.size:
            row = int(overflow[0])
            raise WhatIfError(
                f"Scenario {scenario.label!r}: indexation by {step.percentage!r} makes the salary of source row "
                f"{portfolio.first_row + row} ({float(policies['salary'][row])!r}) not a finite number."
            )
        policies["salary"] = new_salary
    return policies


def _eligible_at(portfolio: Portfolio, rates: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Return whether each dossier may retire at its own day, bool shape (n_dossiers,)."""
    from kernels.benefits import retirement_benefit

    _, total_years = retirement_benefit(portfolio.policies, rates, portfolio.offsets, days, parallel=True)
    age = (days - portfolio.birth_days) / DAYS_PER_YEAR
    return (age >= RETIREMENT_AGE) | (total_years >= FULL_SERVICE_YEARS)


def eligibility(portfolio: Portfolio, rates: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """Return whether each dossier may retire at each date, bool shape (n_dossiers, n_dates).

    Eligible means age >= 65 or total years of service >= 40, both at the
    date, as ``calculate_retirement_benefit`` checks; the years of service
    come from the retirement benefit kernel. Age and years of service never
    decrease as the date moves on, because each years_i does not and a
    rounded sum of non-decreasing terms does not either. So for increasing
    dates a binary search finds each dossier's first eligible date in
    log2(n_dates) kernel calls.
    """
    n_dates = dates.shape[0]
    if n_dates > 1 and not (np.diff(dates) > 0).all():
        return np.stack([_eligible_at(portfolio, rates, np.full(portfolio.n_dossiers, day)) for day in dates.tolist()], axis=1)

    # lo..hi brackets each dossier's first eligible date index; n_dates means never within the dates.
    lo = np.zeros(portfolio.n_dossiers, dtype=np.int64)
    hi = np.full(portfolio.n_dossiers, n_dates, dtype=np.int64)
    while (lo < hi).any():
        mid = (lo + hi) // 2
        eligible = _eligible_at(portfolio, rates, dates[np.minimum(mid, n_dates - 1)])
        searching = lo < hi
        hi = np.where(searching & eligible, mid, hi)
        lo = np.where(searching & ~eligible, mid + 1, lo)
    return np.arange(n_dates)[None, :] >= lo[:, None]


def project_scenarios(
    portfolio: Portfolio, scenarios: Sequence[Scenario], dates: np.ndarray, rates: SchemeRates
) -> ChunkResult:
    """Project every policy of the portfolio at every date under every scenario.

    ``dates`` are int64 day numbers, shape (n_dates,), e.g. from
    ``model.dates.projection_schedule``. Raises ``WhatIfError`` when a salary
    or a projected pension is not a finite number.
    """
    from kernels.benefits import project

    dates = np.ascontiguousarray(dates, dtype=np.int64)
    policy_rates = rates.policy_rates(list(portfolio.scheme_ids), portfolio.policies["scheme"])
    by_scenario = np.empty((len(scenarios), portfolio.n_policies, dates.shape[0]), dtype=np.float64)
    for s, scenario in enumerate(scenarios):
        policies = indexed_policies(portfolio, scenario)
        project(policies, policy_rates, portfolio.offsets, dates, parallel=True, out=by_scenario[s])
        finite = np.isfinite(by_scenario[s]).all(axis=1)
        if not finite.all():
            row = int(np.flatnonzero(~finite)[0])
            raise WhatIfError(
                f"Scenario {scenario.label!r}: a projected_pension of source row {portfolio.first_row + row} "
                f"is not a finite number."
            )

    projected = np.ascontiguousarray(by_scenario.transpose(1, 0, 2))
    return ChunkResult(projected=projected, eligible=eligibility(portfolio, policy_rates, dates))


def dossier_pensions(portfolio: Portfolio, projected: np.ndarray) -> np.ndarray:
    """Return each dossier's pension, the sum over its policies, shape (n_dossiers, n_scenarios, n_dates)."""
    n_policies = projected.shape[0]
    values = projected.reshape(n_policies, -1)
    starts = portfolio.offsets[:-1]
    counts = np.diff(portfolio.offsets)
    sums = np.zeros((portfolio.n_dossiers, values.shape[1]), dtype=np.float64)

    # Add the k-th policy of every dossier that has one, k = 0, 1, ...: dossiers sorted by policy
    # count make each step touch only the dossiers still active, so the work is O(n_policies).
    # Measured 0.12 to 0.19 s where np.add.reduceat took 0.25 to 0.30 s (100,000 policies x 63 values).
    order = np.argsort(-counts, kind="stable")
    sorted_counts = counts[order]
    for k in range(int(sorted_counts[0]) if sorted_counts.size else 0):
        active = np.sort(order[: np.searchsorted(-sorted_counts, -k, side="left")])
        sums[active] += values[starts[active] + k]
    return sums.reshape((portfolio.n_dossiers,) + projected.shape[1:])


@dataclass(frozen=True, slots=True)
class DateSummary:
    """Dossier pensions of one scenario at one date, over all dossiers.

    Percentiles use NumPy's default (linear) interpolation; ``eligible_share``
    is the fraction of dossiers that are eligible, from 0 to 1.
    """

    total: float
    mean: float
    p10: float
    p50: float
    p90: float
    eligible_share: float


def summarise(pensions: np.ndarray, eligible_dossiers: int) -> DateSummary:
    """Summarise dossier pensions at one date, shape (n_dossiers,), of which ``eligible_dossiers`` are eligible.

    ``pensions`` is reordered in place, which spares a copy of the column.
    """
    if pensions.shape[0] == 0:
        nan = float("nan")
        return DateSummary(0.0, nan, nan, nan, nan, nan)
    total = float(pensions.sum())
    mean = float(pensions.mean())
    p10, p50, p90 = np.percentile(pensions, PERCENTILES, overwrite_input=True).tolist()
    return DateSummary(
        total=total,
        mean=mean,
        p10=p10,
        p50=p50,
        p90=p90,
        eligible_share=eligible_dossiers / pensions.shape[0],
    )
