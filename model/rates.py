"""Accrual rates per scheme for one calculation."""

from collections.abc import Mapping

import numpy as np

# Accrual rate used when no scheme registry is configured, or its lookup failed.
DEFAULT_ACCRUAL_RATE = 0.02


class SchemeRates:
    """Accrual rates known to one calculation, and the reasons lookups failed.

    A scheme missing from ``rates`` gets ``DEFAULT_ACCRUAL_RATE``; a scheme in
    ``failures`` also gets it, and the calculation warns about it.
    """

    __slots__ = ("rates", "failures")

    def __init__(self, rates: Mapping[str, float] | None = None, failures: Mapping[str, str] | None = None):
        self.rates = dict(rates or {})
        self.failures = dict(failures or {})

    def rate(self, scheme_id: str) -> float:
        return self.rates.get(scheme_id, DEFAULT_ACCRUAL_RATE)

    def policy_rates(self, scheme_table: list[str], scheme_codes: np.ndarray) -> np.ndarray:
        """Return the accrual rate of every policy, shape (n,), from its scheme code."""
        if not self.rates:
            return np.full(scheme_codes.shape[0], DEFAULT_ACCRUAL_RATE)
        by_code = np.array([self.rate(scheme_id) for scheme_id in scheme_table], dtype=np.float64)
        return by_code[scheme_codes]


DEFAULT_RATES = SchemeRates()
