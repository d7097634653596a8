"""The situation of one calculation: at most one dossier, its policies held as arrays.

Policies live in a structured array of ``kernels.layout.POLICY_DTYPE`` that
grows by doubling. Their strings (policy ids, start dates as given, scheme
ids) and their employment start day numbers are kept in lists beside it, so
the per-policy checks of a mutation need no NumPy call. Each scheme id gets
an integer code into a per-calculation scheme table. Projections are kept
as each policy's list already encoded to JSON, for the policies that existed
when they were computed.
"""

import datetime as dt

import msgspec
import numpy as np
from msgspec import Raw

from kernels.layout import POLICY_DTYPE, single_dossier_offsets
from model import wire

ACTIVE = "ACTIVE"
RETIRED = "RETIRED"
PARTICIPANT = "PARTICIPANT"

_INITIAL_CAPACITY = 8
_encoder = msgspec.json.Encoder()
_NO_POLICIES = np.empty(0, dtype=POLICY_DTYPE)


class Dossier:
    """One dossier: the participant and the policies, as arrays plus strings."""

    def __init__(self, dossier_id: str, person_id: str, name: str, birth_date: str, birth_day: int):
        self.dossier_id = dossier_id
        self.person = wire.Person(person_id=person_id, role=PARTICIPANT, name=name, birth_date=birth_date)
        self.birth_day = birth_day
        self.status = ACTIVE
        self.retirement_date: str | None = None

        self.count = 0
        self._policies = _NO_POLICIES  # allocated by the first add_policy
        self._offsets: np.ndarray | None = None  # built by the first read of ``offsets``
        self._offsets_count = -1
        self.policy_ids: list[str] = []
        self.start_dates: list[str] = []
        self.start_days: list[int] = []  # employment start day numbers, a copy of that column
        self.scheme_ids: list[str] = []  # scheme table: code -> scheme id
        self._scheme_codes: dict[str, int] = {}
        self._policy_keys: set[tuple[int, int]] = set()

        # Projections of the first len(projection_lists) policies; later policies have none.
        self.projection_lists: list[Raw] = []
        self.projection_date_count = 0  # dates in each of those lists

    # --- policies -------------------------------------------------------------

    @property
    def policies(self) -> np.ndarray:
        """The policy rows in use, a view of shape (count,)."""
        return self._policies[: self.count]

    @property
    def offsets(self) -> np.ndarray:
        """The kernels' offsets array of this one dossier, ``[0, count]``, rebuilt only when ``count`` changed."""
        if self._offsets_count != self.count:
            self._offsets = single_dossier_offsets(self.count)
            self._offsets_count = self.count
        return self._offsets

    def scheme_code(self, scheme_id: str) -> int | None:
        """Return the code of a scheme id, or None when no policy has it."""
        return self._scheme_codes.get(scheme_id)

    def rows_starting_after(self, day: int) -> list[int]:
        """Return the rows of the policies whose employment starts after ``day``, in policy order."""
        return [row for row, start_day in enumerate(self.start_days) if start_day > day]

    def has_policy(self, scheme_id: str, start_day: int) -> bool:
        """Tell whether a policy with this scheme and employment start exists, in O(1)."""
        code = self._scheme_codes.get(scheme_id)
        return code is not None and (code, start_day) in self._policy_keys

    def add_policy(self, scheme_id: str, start_date: str, start_day: int, salary: float, part_time_factor: float) -> int:
        """Append a policy and return its row index."""
        code = self._scheme_codes.get(scheme_id)
        if code is None:
            code = len(self.scheme_ids)
            self._scheme_codes[scheme_id] = code
            self.scheme_ids.append(scheme_id)

        if self.count == self._policies.shape[0]:
            grown = np.empty(max(2 * self.count, _INITIAL_CAPACITY), dtype=POLICY_DTYPE)
            if self.count:  # copying zero structured rows still costs about 1 us
                grown[: self.count] = self._policies
            self._policies = grown

        row = self.count
        self._policies[row] = (start_day, salary, part_time_factor, code, np.nan)
        self.count += 1
        self.policy_ids.append(f"{self.dossier_id}-{self.count}")
        self.start_dates.append(start_date)
        self.start_days.append(start_day)
        self._policy_keys.add((code, start_day))
        return row

    # --- JSON values ------------------------------------------------------------

    def set_projections(self, dates: list[dt.date], projected: np.ndarray) -> None:
        """Replace the projections of every policy; ``projected`` has shape (count, len(dates))."""
        # map() builds the Structs positionally: 1.0 us for 21 dates against 1.8 us for a
        # keyword list comprehension (CPython 3.11, msgspec 0.23).
        # Each list is encoded to JSON once and shared as msgspec.Raw by the end situation and
        # the patches, so a projection's numbers are formatted once however often they appear.
        projection = wire.Projection
        encode = _encoder.encode
        self.projection_lists = [Raw(encode(list(map(projection, dates, row)))) for row in projected.tolist()]
        self.projection_date_count = len(dates)

    def projection_values(self) -> int:
        """Return the number of projected pensions the dossier holds."""
        return len(self.projection_lists) * self.projection_date_count

    def projections_of(self, row: int) -> Raw | None:
        """Return the projections list of one policy as encoded JSON, or None when it has none."""
        lists = self.projection_lists
        return lists[row] if row < len(lists) else None

    def new_policy_value(self, row: int, scheme_id: str, salary: float, part_time_factor: float) -> wire.Policy:
        """Return a just-added policy as it appears in JSON, from the values it was added with."""
        return wire.Policy(
            policy_id=self.policy_ids[row],
            scheme_id=scheme_id,
            employment_start_date=self.start_dates[row],
            salary=salary,
            part_time_factor=part_time_factor,
            attainable_pension=None,
            projections=None,
        )

    def value(self) -> wire.Dossier:
        """Return the dossier as it appears in JSON.

        The policy rows are converted to Python tuples once (``tolist``)
        because reading NumPy record fields one by one costs microseconds each.
        """
        scheme_ids = self.scheme_ids
        projection_lists = self.projection_lists
        with_projections = len(projection_lists)
        values = []
        rows = self.policies.tolist() if self.count else ()
        for row, (_, salary, factor, scheme, pension) in enumerate(rows):
            values.append(
                wire.Policy(
                    policy_id=self.policy_ids[row],
                    scheme_id=scheme_ids[scheme],
                    employment_start_date=self.start_dates[row],
                    salary=salary,
                    part_time_factor=factor,
                    attainable_pension=None if pension != pension else pension,  # NaN means unset
                    projections=projection_lists[row] if row < with_projections else None,
                )
            )
        return wire.Dossier(
            dossier_id=self.dossier_id,
            status=self.status,
            retirement_date=self.retirement_date,
            persons=[self.person],
            policies=values,
        )


class Situation:
    """The situation a calculation works on: at most one dossier."""

    __slots__ = ("dossier",)

    def __init__(self) -> None:
        self.dossier: Dossier | None = None

    def value(self) -> wire.Situation:
        return wire.Situation(dossier=None if self.dossier is None else self.dossier.value())
