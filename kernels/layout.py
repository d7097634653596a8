"""Array layouts shared by the kernels and their callers (NumPy only, no Numba).

A portfolio or a single dossier is a policy array of ``POLICY_DTYPE`` plus an
``offsets`` array of length ``n_dossiers + 1``: the policies of dossier ``k``
are rows ``offsets[k]:offsets[k + 1]``. Dates are integer day numbers
(proleptic Gregorian ordinals, ``datetime.date.toordinal()``).
"""

import numpy as np

# Years of service and age count days divided by this many days per year.
DAYS_PER_YEAR = 365.25

POLICY_DTYPE = np.dtype(
    [
        ("employment_start", np.int64),  # day number
        ("salary", np.float64),  # annual full-time salary
        ("part_time_factor", np.float64),  # 0..1
        ("scheme", np.int32),  # code into the calculation's scheme table
        ("attainable_pension", np.float64),  # NaN while unset (JSON null)
    ],
    align=True,
)

# Indexation status per policy, as written by the indexation kernel.
UNMATCHED = 0
INDEXED = 1
CLAMPED = 2  # the new salary was negative and became 0
NOT_FINITE = 3  # the new salary overflowed; nothing may be committed

# Filter values meaning "no filter" for the indexation kernel.
ANY_SCHEME = -1
NO_DATE_FILTER = np.iinfo(np.int64).max


def single_dossier_offsets(n_policies: int) -> np.ndarray:
    """Return the offsets array of one dossier holding ``n_policies`` policies."""
    return np.array([0, n_policies], dtype=np.int64)
