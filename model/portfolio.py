"""A portfolio: many dossiers stored as one segmented policy array.

The policies of all dossiers share one structured array of
``kernels.layout.POLICY_DTYPE``. Dossier ``k`` owns rows
``offsets[k]:offsets[k + 1]``, in the order its policies were given. So
policy ``n`` (1-based) of dossier ``k`` has the policy id
``"{dossier_id}-{n}"``, as ``add_policy`` numbers them. The rows of one
dossier must be contiguous in the source; a dossier whose rows are split by
another dossier's rows is rejected.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kernels.layout import POLICY_DTYPE


class PortfolioError(ValueError):
    """A portfolio value that is invalid, with the column, the row and the value.

    ``row`` counts source rows from 0 (the first data row is row 0); it is
    None for a problem of the whole column. ``value`` is None when there is no
    value to show (a missing column or a null); for a whole column it is the
    column's type.
    """

    def __init__(self, column: str, row: int | None, value: object, problem: str):
        self.column = column
        self.row = row
        self.value = value
        if row is None:
            where = f"column {column!r}"
            shown = "" if value is None else f" (column type {value})"
        else:
            where = f"column {column!r}, row {row}"
            shown = "" if value is None else f" (value {value!r})"
        super().__init__(f"{where}: {problem}{shown}")


@dataclass(frozen=True, slots=True)
class Portfolio:
    """Whole dossiers as arrays, ready for the kernels.

    Attributes
    ----------
    policies : structured array of ``POLICY_DTYPE``, shape (n_policies,);
        ``scheme`` is a code into ``scheme_ids``, ``attainable_pension`` is NaN
    offsets : int64, shape (n_dossiers + 1,)
    birth_days : int64 day number of each participant's birth, shape (n_dossiers,)
    scheme_ids : scheme table, code -> scheme id
    dossier_ids : the dossier ids, shape (n_dossiers,); any sequence of str
        (a NumPy or Arrow string array), carried along but never inspected
    first_row : source row number of policy 0, for error messages
    """

    policies: np.ndarray
    offsets: np.ndarray
    birth_days: np.ndarray
    scheme_ids: Sequence[str]
    dossier_ids: Sequence[str]
    first_row: int = 0

    @property
    def n_dossiers(self) -> int:
        return self.offsets.shape[0] - 1

    @property
    def n_policies(self) -> int:
        return self.policies.shape[0]

    def policy_numbers(self) -> np.ndarray:
        """Return each policy's 1-based number within its dossier, int64 shape (n_policies,)."""
        counts = np.diff(self.offsets)
        return np.arange(self.n_policies, dtype=np.int64) - np.repeat(self.offsets[:-1], counts) + 1

    def dossier_of_policy(self) -> np.ndarray:
        """Return each policy's dossier index, int64 shape (n_policies,)."""
        return np.repeat(np.arange(self.n_dossiers, dtype=np.int64), np.diff(self.offsets))


def _first_bad(mask: np.ndarray) -> int | None:
    rows = np.flatnonzero(mask)
    return int(rows[0]) if rows.size else None


def check_policy_values(salary: np.ndarray, part_time_factor: np.ndarray, first_row: int = 0) -> None:
    """Raise ``PortfolioError`` on the first salary that is negative or not finite, or part-time factor outside 0..1."""
    bad = _first_bad(~np.isfinite(salary) | (salary < 0))
    if bad is not None:
        raise PortfolioError("salary", first_row + bad, float(salary[bad]), "expected a finite number >= 0")
    bad = _first_bad(~((part_time_factor >= 0) & (part_time_factor <= 1)))
    if bad is not None:
        value = float(part_time_factor[bad])
        raise PortfolioError("part_time_factor", first_row + bad, value, "expected a number from 0 to 1")


def dossier_starts(dossier_codes: np.ndarray) -> np.ndarray:
    """Return the row where each run of equal dossier codes starts, int64 shape (n_runs,)."""
    if dossier_codes.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    changes = np.flatnonzero(dossier_codes[1:] != dossier_codes[:-1]) + 1
    return np.concatenate(([0], changes)).astype(np.int64)


def check_contiguous(dossier_codes: np.ndarray, starts: np.ndarray, dossier_ids: Sequence[str], first_row: int = 0) -> None:
    """Raise ``PortfolioError`` when a dossier's rows are split by another dossier's rows.

    ``dossier_codes`` gives every row an integer that is equal for rows of the
    same dossier id; ``starts`` are its runs (``dossier_starts``).
    """
    run_codes = dossier_codes[starts]
    order = np.argsort(run_codes, kind="stable")
    repeated = np.zeros(run_codes.shape[0], dtype=bool)
    repeated[order[1:]] = run_codes[order[1:]] == run_codes[order[:-1]]
    bad = _first_bad(repeated)
    if bad is not None:
        row = int(starts[bad])
        raise PortfolioError(
            "dossier_id",
            first_row + row,
            _python_value(dossier_ids[row]),
            "the rows of this dossier are not contiguous; sort the portfolio by dossier_id, keeping policy order",
        )


def check_birth_days(birth_days: np.ndarray, starts: np.ndarray, today: int, first_row: int = 0) -> None:
    """Raise ``PortfolioError`` when a row's birth day differs from its dossier's first row, or lies after today."""
    counts = np.diff(np.append(starts, birth_days.shape[0]))
    expected = np.repeat(birth_days[starts], counts)
    bad = _first_bad(birth_days != expected)
    if bad is not None:
        raise PortfolioError(
            "birth_date", first_row + bad, _iso(int(birth_days[bad])), "differs from the birth_date of the dossier's first row"
        )
    bad = _first_bad(birth_days > today)
    if bad is not None:
        raise PortfolioError("birth_date", first_row + bad, _iso(int(birth_days[bad])), "lies after today's date (UTC)")


def _python_value(value: object) -> object:
    """Return a plain Python value for an Arrow scalar; other values unchanged."""
    as_py = getattr(value, "as_py", None)
    return value if as_py is None else as_py()


def _iso(day: int) -> str:
    import datetime as dt

    return dt.date.fromordinal(day).isoformat()


def build_portfolio(
    dossier_codes: np.ndarray,
    dossier_ids: Sequence[str],
    birth_days: np.ndarray,
    scheme_codes: np.ndarray,
    scheme_ids: Sequence[str],
    employment_start: np.ndarray,
    salary: np.ndarray,
    part_time_factor: np.ndarray,
    *,
    today: int,
    first_row: int = 0,
) -> Portfolio:
    """Validate one row per policy and build the portfolio of their dossiers.

    Every argument but ``scheme_ids`` has one entry per row, shape (n,):
    ``dossier_codes`` is equal for rows of the same dossier id, dates are
    int64 day numbers, ``scheme_codes`` index ``scheme_ids``. Raises
    ``PortfolioError`` naming the first bad row.
    """
    salary = np.asarray(salary, dtype=np.float64)
    part_time_factor = np.asarray(part_time_factor, dtype=np.float64)
    check_policy_values(salary, part_time_factor, first_row)

    starts = dossier_starts(dossier_codes)
    check_contiguous(dossier_codes, starts, dossier_ids, first_row)
    check_birth_days(birth_days, starts, today, first_row)

    n = salary.shape[0]
    policies = np.empty(n, dtype=POLICY_DTYPE)
    policies["employment_start"] = employment_start
    # Adding 0.0 stores -0.0 as 0.0, as add_policy does.
    policies["salary"] = salary + 0.0
    policies["part_time_factor"] = part_time_factor + 0.0
    policies["scheme"] = scheme_codes
    policies["attainable_pension"] = np.nan
    offsets = np.append(starts, n).astype(np.int64)
    return Portfolio(
        policies=policies,
        offsets=offsets,
        birth_days=np.asarray(birth_days, dtype=np.int64)[starts],
        scheme_ids=scheme_ids,
        dossier_ids=_take(dossier_ids, starts),
        first_row=first_row,
    )


def _take(values: Sequence[str], rows: np.ndarray) -> Sequence[str]:
    """Return ``values[rows]`` for a NumPy array, an Arrow array or a list."""
    take = getattr(values, "take", None)
    if take is not None:
        return take(rows)
    return [values[row] for row in rows.tolist()]
