"""``create_dossier``: creates the dossier with one participant."""

from msgspec import Struct

from model import messages as codes
from model.dates import parse_date
from model.mutations.base import NO_CHANGE, Context, Identifier, MutationDefinition, Patches, quote
from model.situation import Dossier
from model.wire import DOSSIER_CREATION, PatchOperation

class CreateDossierProperties(Struct, forbid_unknown_fields=True):
    dossier_id: Identifier
    person_id: Identifier
    name: str
    birth_date: str  # checked here, so an invalid date gets INVALID_BIRTH_DATE


class CreateDossier(MutationDefinition):
    name = "create_dossier"
    mutation_type = DOSSIER_CREATION
    Properties = CreateDossierProperties

    def apply(self, context: Context, properties: CreateDossierProperties) -> Patches:
        situation = context.situation
        if situation.dossier is not None:
            raise context.reject(
                codes.DOSSIER_ALREADY_EXISTS,
                f"Dossier {situation.dossier.dossier_id!r} already exists; "
                f"cannot create dossier {properties.dossier_id!r}.",
            )

        birth_day = parse_date(properties.birth_date)
        if birth_day is None:
            raise context.reject(
                codes.INVALID_BIRTH_DATE,
                f"birth_date {quote(properties.birth_date)} is not a valid YYYY-MM-DD calendar date.",
            )
        if birth_day > context.today:
            raise context.reject(
                codes.INVALID_BIRTH_DATE, f"birth_date {properties.birth_date} lies after today's date (UTC)."
            )
        if not properties.name.strip():
            raise context.reject(codes.INVALID_NAME, f"name {quote(properties.name)} is empty or only white space.")

        context.reserve(2)  # one operation in each patch
        dossier = Dossier(
            properties.dossier_id, properties.person_id, properties.name, properties.birth_date, birth_day
        )
        situation.dossier = dossier
        if not context.emit_patches:
            return NO_CHANGE
        forward = [PatchOperation("replace", "/dossier", dossier.value())]
        backward = [PatchOperation("replace", "/dossier", None)]
        return forward, backward
