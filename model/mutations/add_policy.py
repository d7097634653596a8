"""``add_policy``: appends a policy to the dossier."""

import datetime as dt
from msgspec import Struct

from model import messages as codes
from model.mutations.base import NO_CHANGE, Context, Identifier, MutationDefinition, Patches, quote
from model.wire import PatchOperation


class AddPolicyProperties(Struct, forbid_unknown_fields=True):
    scheme_id: Identifier
    employment_start_date: dt.date
    salary: float
    part_time_factor: float


class AddPolicy(MutationDefinition):
    name = "add_policy"
    Properties = AddPolicyProperties

    def apply(self, context: Context, properties: AddPolicyProperties) -> Patches:
        salary = properties.salary
        factor = properties.part_time_factor
        if salary < 0:
            raise context.reject(codes.INVALID_SALARY, f"salary {quote(salary)} is negative.")
        if not 0 <= factor <= 1:
            raise context.reject(
                codes.INVALID_PART_TIME_FACTOR, f"part_time_factor {quote(factor)} is outside 0..1."
            )

        context.reserve(3)  # one operation in each patch and a possible warning
        dossier = context.dossier
        scheme_id = properties.scheme_id
        start = properties.employment_start_date
        start_day = start.toordinal()
        start_date = start.isoformat()
        if dossier.has_policy(scheme_id, start_day):
            context.warn(
                codes.DUPLICATE_POLICY,
                f"A policy with scheme_id {scheme_id!r} and employment_start_date {start_date} already exists; "
                f"policy {dossier.dossier_id}-{dossier.count + 1} is added as well.",
            )

        # Adding 0.0 stores -0.0 as 0.0.
        salary += 0.0
        factor += 0.0
        row = dossier.add_policy(scheme_id, start_date, start_day, salary, factor)
        if not context.emit_patches:
            return NO_CHANGE
        forward = [PatchOperation("add", "/dossier/policies/-", dossier.new_policy_value(row, scheme_id, salary, factor))]
        backward = [PatchOperation("remove", f"/dossier/policies/{row}")]
        return forward, backward
