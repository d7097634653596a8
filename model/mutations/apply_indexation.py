"""``apply_indexation``: multiplies matching salaries by ``1 + percentage``, clamped at 0."""

import datetime as dt
from math import isfinite
from msgspec import UNSET, Struct, UnsetType

from kernels.layout import ANY_SCHEME, CLAMPED, NO_DATE_FILTER, NOT_FINITE, UNMATCHED
from model import messages as codes
from model.mutations.base import NO_CHANGE, Context, Identifier, MutationDefinition, Patches
from model.wire import PatchOperation

# Scheme code that no policy has, for a scheme filter naming an unknown scheme.
_NO_SUCH_SCHEME = -2


def _percentage_text(percentage: float) -> str:
    """Return the percentage as sent and, where it stays finite, as a percent: ``0.03 (3 %)``."""
    percent = percentage * 100
    return f"{percentage!r} ({percent:g} %)" if isfinite(percent) else repr(percentage)


class ApplyIndexationProperties(Struct, forbid_unknown_fields=True):
    percentage: float
    scheme_id: Identifier | UnsetType = UNSET
    effective_before: dt.date | UnsetType = UNSET


class ApplyIndexation(MutationDefinition):
    name = "apply_indexation"
    Properties = ApplyIndexationProperties

    def apply(self, context: Context, properties: ApplyIndexationProperties) -> Patches:
        from kernels.indexation import index_salaries  # Numba loads on first use, not at start-up

        dossier = context.dossier
        if dossier.count == 0:
            raise context.reject(codes.NO_POLICIES, f"Dossier {dossier.dossier_id!r} has no policies to index.")

        # Per policy: an operation in each patch and a warning, plus one warning when nothing matches.
        context.reserve(3 * dossier.count + 1)
        scheme = ANY_SCHEME
        if properties.scheme_id is not UNSET:
            code = dossier.scheme_code(properties.scheme_id)
            scheme = _NO_SUCH_SCHEME if code is None else code
        before = NO_DATE_FILTER
        if properties.effective_before is not UNSET:
            before = properties.effective_before.toordinal()

        policies = dossier.policies
        percentage = properties.percentage
        new_salary, status = index_salaries(policies, percentage, scheme, before)

        # The checks and patches below loop over Python lists: for a few policies that costs
        # less than one NumPy call per check.
        statuses = status.tolist()
        if statuses.count(UNMATCHED) == len(statuses):
            context.warn(codes.NO_MATCHING_POLICIES, f"No policy matches the indexation filter {self._filters(properties)}.")
            return NO_CHANGE

        old_salaries = policies["salary"].tolist()
        for row, row_status in enumerate(statuses):
            if row_status == CLAMPED:
                context.warn(
                    codes.NEGATIVE_SALARY_CLAMPED,
                    f"Indexation by {_percentage_text(percentage)} would make the salary of policy {dossier.policy_ids[row]} "
                    f"negative ({old_salaries[row]!r} * (1 + {percentage!r})); it is set to 0.",
                )

        if NOT_FINITE in statuses:
            row = statuses.index(NOT_FINITE)
            raise context.reject(
                codes.NUMERIC_OVERFLOW,
                f"Indexation by {_percentage_text(percentage)} makes the salary of policy {dossier.policy_ids[row]} "
                f"not a finite number ({old_salaries[row]!r} * (1 + {percentage!r})).",
            )

        policies["salary"] = new_salary
        if not context.emit_patches:
            return NO_CHANGE
        forward = []
        backward = []
        for row, (new, old) in enumerate(zip(new_salary.tolist(), old_salaries)):
            if new != old:
                path = f"/dossier/policies/{row}/salary"
                forward.append(PatchOperation("replace", path, new))
                backward.append(PatchOperation("replace", path, old))
        return forward, backward

    @staticmethod
    def _filters(properties: ApplyIndexationProperties) -> str:
        filters = []
        if properties.scheme_id is not UNSET:
            filters.append(f"scheme_id = {properties.scheme_id!r}")
        if properties.effective_before is not UNSET:
            filters.append(f"employment_start_date < {properties.effective_before.isoformat()}")
        return " and ".join(filters)
