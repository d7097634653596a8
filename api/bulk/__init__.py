"""Bulk what-if projections over whole portfolios (needs the ``bulk`` extra).

Typical use::

    from api.bulk import Scenario, project_dates, run_whatif
    run = run_whatif("portfolio.parquet", [Scenario.indexation(0.02)],
                     project_dates("2026-12-31", "2046-12-31", 12), out="result.parquet")

See docs/bulk.md.
"""

from api.bulk.columns import COLUMNS
from api.bulk.dates import project_dates
from api.bulk.memory import WhatIfResult, project_portfolio
from api.bulk.runner import WhatIfRun, resolve_rates, run_whatif
from api.bulk.source import InputError, open_portfolio, read_portfolio
from model.portfolio import Portfolio, PortfolioError
from model.whatif import IndexationStep, Scenario, WhatIfError

__all__ = [
    "COLUMNS",
    "IndexationStep",
    "InputError",
    "Portfolio",
    "PortfolioError",
    "Scenario",
    "WhatIfError",
    "WhatIfResult",
    "WhatIfRun",
    "open_portfolio",
    "project_dates",
    "project_portfolio",
    "read_portfolio",
    "resolve_rates",
    "run_whatif",
]
