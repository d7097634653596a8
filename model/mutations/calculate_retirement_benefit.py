"""``calculate_retirement_benefit``: retires the participant and sets every attainable pension."""

import datetime as dt
from math import isfinite

import numpy as np
from msgspec import Struct

from kernels.layout import DAYS_PER_YEAR
from model import messages as codes
from model.mutations.base import NO_CHANGE, Context, MutationDefinition, Patches
from model.situation import RETIRED
from model.wire import PatchOperation

# Eligible for retirement at this age, or with this many years of service in total.
RETIREMENT_AGE = 65
FULL_SERVICE_YEARS = 40


class CalculateRetirementBenefitProperties(Struct, forbid_unknown_fields=True):
    retirement_date: dt.date


class CalculateRetirementBenefit(MutationDefinition):
    name = "calculate_retirement_benefit"
    Properties = CalculateRetirementBenefitProperties

    def apply(self, context: Context, properties: CalculateRetirementBenefitProperties) -> Patches:
        from kernels.benefits import retirement_benefit  # Numba loads on first use, not at start-up

        dossier = context.dossier
        if dossier.count == 0:
            raise context.reject(codes.NO_POLICIES, f"Dossier {dossier.dossier_id!r} has no policies.")

        # Per policy: an operation in each patch, a warning and a registry warning, plus the status and date operations.
        context.reserve(4 * dossier.count + 4)
        day = properties.retirement_date.toordinal()
        date = properties.retirement_date.isoformat()
        policies = dossier.policies
        rates = context.accrual_rates()
        pension, total_years = retirement_benefit(policies, rates, dossier.offsets, np.array([day], dtype=np.int64))

        age = (day - dossier.birth_day) / DAYS_PER_YEAR
        years = float(total_years[0])
        if age < RETIREMENT_AGE and years < FULL_SERVICE_YEARS:
            raise context.reject(
                codes.NOT_ELIGIBLE,
                f"Not eligible for retirement on {date}: age {age:.2f} is under {RETIREMENT_AGE} "
                f"and {years:.2f} years of service are under {FULL_SERVICE_YEARS}.",
            )

        for row in dossier.rows_starting_after(day):
            context.warn(
                codes.RETIREMENT_BEFORE_EMPLOYMENT,
                f"retirement_date {date} is before the employment_start_date {dossier.start_dates[row]} "
                f"of policy {dossier.policy_ids[row]}; it counts 0 years of service.",
            )

        # The patches need the pensions as Python floats anyway, and a loop over a few costs less than np.isfinite.
        new = pension.tolist()
        for row, value in enumerate(new):
            if not isfinite(value):
                raise context.reject(
                    codes.NUMERIC_OVERFLOW,
                    f"The attainable_pension of policy {dossier.policy_ids[row]} is not a finite number.",
                )

        if not context.emit_patches:
            dossier.status = RETIRED
            dossier.retirement_date = date
            policies["attainable_pension"] = pension
            return NO_CHANGE
        return self._commit(dossier, date, pension, new)

    @staticmethod
    def _commit(dossier, date: str, pension: np.ndarray, new: list[float]) -> Patches:
        """Change the dossier and return its patches; ``new`` is ``pension`` as Python floats."""
        forward = []
        backward = []
        if dossier.status != RETIRED:
            forward.append(PatchOperation("replace", "/dossier/status", RETIRED))
            backward.append(PatchOperation("replace", "/dossier/status", dossier.status))
        if dossier.retirement_date != date:
            forward.append(PatchOperation("replace", "/dossier/retirement_date", date))
            backward.append(PatchOperation("replace", "/dossier/retirement_date", dossier.retirement_date))

        policies = dossier.policies
        old = policies["attainable_pension"].tolist()
        for row in range(dossier.count):
            if new[row] != old[row]:  # NaN (unset) never equals a number
                path = f"/dossier/policies/{row}/attainable_pension"
                forward.append(PatchOperation("replace", path, new[row]))
                backward.append(PatchOperation("replace", path, None if old[row] != old[row] else old[row]))

        dossier.status = RETIRED
        dossier.retirement_date = date
        policies["attainable_pension"] = pension
        return forward, backward
