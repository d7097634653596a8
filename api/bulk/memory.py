"""What-if projections of a portfolio held in memory, returned as arrays."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from api.bulk.runner import resolve_rates
from api.bulk.source import read_portfolio
from api.bulk.table import result_table, summary_table
from model.portfolio import Portfolio
from model.rates import SchemeRates
from model.whatif import ChunkResult, Scenario, dossier_pensions, project_scenarios, summarise


@dataclass(frozen=True)
class WhatIfResult:
    """Projections of a whole in-memory portfolio.

    projected : float64, shape (n_policies, n_scenarios, n_dates)
    eligible : bool, shape (n_dossiers, n_dates)
    dossier_pensions : float64 sum over each dossier's policies, shape (n_dossiers, n_scenarios, n_dates)
    """

    portfolio: Portfolio
    scenarios: tuple[Scenario, ...]
    dates: np.ndarray
    projected: np.ndarray
    eligible: np.ndarray

    @property
    def dossier_pensions(self) -> np.ndarray:
        return dossier_pensions(self.portfolio, self.projected)

    def to_arrow(self) -> pa.Table:
        """Return the long table: scenario, dossier_id, policy_id, date, projected_pension, eligible."""
        return result_table(self.portfolio, self.scenarios, self.dates, ChunkResult(self.projected, self.eligible))

    def summary(self) -> pa.Table:
        """Return per scenario and date the total, mean and 10/50/90th percentiles of dossier pensions and the eligible share."""
        pensions = self.dossier_pensions
        eligible = self.eligible.sum(axis=0)
        rows = []
        for s, scenario in enumerate(self.scenarios):
            for j, day in enumerate(self.dates.tolist()):
                rows.append((scenario.label, day, self.portfolio.n_dossiers, summarise(pensions[:, s, j].copy(), int(eligible[j]))))
        return summary_table(rows)


def project_portfolio(
    portfolio: object,
    scenarios: Sequence[Scenario],
    dates: Sequence[int] | np.ndarray,
    *,
    rates: Mapping[str, float] | SchemeRates | None = None,
) -> WhatIfResult:
    """Project a portfolio that fits in memory under every scenario at every date.

    ``portfolio`` is a ``Portfolio`` or anything ``open_portfolio`` reads;
    ``dates`` are int64 day numbers. Rates as in ``resolve_rates``.
    """
    if not isinstance(portfolio, Portfolio):
        portfolio = read_portfolio(portfolio)
    dates = np.ascontiguousarray(dates, dtype=np.int64)
    scheme_rates = resolve_rates(rates, set(portfolio.scheme_ids))
    result = project_scenarios(portfolio, scenarios, dates, scheme_rates)
    return WhatIfResult(portfolio, tuple(scenarios), dates, result.projected, result.eligible)
