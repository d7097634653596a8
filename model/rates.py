"""Accrual rates per scheme for one calculation."""

from collections.abc import Mapping

import numpy as np

# Accrual rate used when no scheme registry is configured, or its lookup failed.
DEFAULT_ACCRUAL_RATE = 0.02

# Rates of up to this many policies are views of one shared array: slicing costs 0.1 us where
# ``np.full`` costs 1.2 us. The kernels only read rates, and no caller may write to them.
_SHARED_DEFAULT_ROWS = 64
_DEFAULT_RATE_ROWS = np.full(_SHARED_DEFAULT_ROWS, DEFAULT_ACCRUAL_RATE)


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
        """Return the accrual rate of every policy, shape (n,), from its scheme code; callers must not write to it."""
        if not self.rates:
            count = scheme_codes.shape[0]
            if count <= _SHARED_DEFAULT_ROWS:
                return _DEFAULT_RATE_ROWS[:count]
            return np.full(count, DEFAULT_ACCRUAL_RATE)
        by_code = np.array([self.rate(scheme_id) for scheme_id in scheme_table], dtype=np.float64)
        return by_code[scheme_codes]


DEFAULT_RATES = SchemeRates()
