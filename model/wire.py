"""Wire types of the HTTP contract, as msgspec Structs, and the request decoder.

Every request type forbids unknown fields, so a body that does not match the
contract is rejected with the JSON path of its first problem. Mutations are
kept as ``msgspec.Raw`` so the response can echo each one unchanged.

Every Struct here is ``gc=False``: the garbage collector does not track it,
which saves its allocation and collection cost. That is safe because these
values form trees (a list or Struct may be shared, never contain itself),
and no code may build a reference cycle through them.
"""

import datetime as dt
from typing import Annotated, Any

import msgspec
from msgspec import UNSET, Meta, Raw, Struct, UnsetType

from model.dates import parse_date

DOSSIER_CREATION = "DOSSIER_CREATION"
DOSSIER = "DOSSIER"


class RequestError(Exception):
    """A request that cannot be processed at all (HTTP 400, 408, 413 or 415)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


# --- request -------------------------------------------------------------------


class CalculationInstructions(Struct, forbid_unknown_fields=True, gc=False):
    mutations: Annotated[list[Raw], Meta(min_length=1)]


class CalculationRequest(Struct, forbid_unknown_fields=True, gc=False):
    tenant_id: Annotated[str, Meta(min_length=1, max_length=25)]
    calculation_instructions: CalculationInstructions


class MutationEnvelope(Struct, forbid_unknown_fields=True, gc=False):
    """The fields every mutation carries; its properties stay raw until its definition decodes them."""

    mutation_id: str
    mutation_definition_name: str
    mutation_type: str
    actual_at: str
    mutation_properties: Raw
    dossier_id: str | UnsetType = UNSET


# --- response ------------------------------------------------------------------


class Message(Struct, gc=False):
    id: int
    level: str
    code: str
    message: str


class PatchOperation(Struct, gc=False):
    """One RFC 6902 operation; ``value`` is left out of the JSON for ``remove``."""

    op: str
    path: str
    value: Any = UNSET


class Projection(Struct, gc=False):
    date: dt.date
    projected_pension: float


class Policy(Struct, gc=False):
    """A policy as it appears in JSON.

    NOTE: the engine stores ``projections`` as a ``msgspec.Raw`` containing
    the already encoded list (see ``Dossier.set_projections``). msgspec
    encodes a Raw as its bytes, so the annotation documents the JSON shape.
    """

    policy_id: str
    scheme_id: str
    employment_start_date: str
    salary: float
    part_time_factor: float
    attainable_pension: float | None
    projections: list[Projection] | None


class Person(Struct, gc=False):
    person_id: str
    role: str
    name: str
    birth_date: str


class Dossier(Struct, gc=False):
    dossier_id: str
    status: str
    retirement_date: str | None
    persons: list[Person]
    policies: list[Policy]


class Situation(Struct, gc=False):
    dossier: Dossier | None


class InitialSituation(Struct, gc=False):
    actual_at: str
    situation: Situation


class EndSituation(Struct, gc=False):
    mutation_id: str
    mutation_index: int
    actual_at: str
    situation: Situation


class ProcessedMutation(Struct, gc=False):
    mutation: Raw
    calculation_message_indexes: list[int]
    forward_patch_to_situation_after_this_mutation: list[PatchOperation]
    backward_patch_to_previous_situation: list[PatchOperation]


class CalculationResult(Struct, gc=False):
    messages: list[Message]
    mutations: list[ProcessedMutation]
    end_situation: EndSituation
    initial_situation: InitialSituation


class CalculationMetadata(Struct, gc=False):
    calculation_id: str
    tenant_id: str
    calculation_started_at: str
    calculation_completed_at: str
    calculation_duration_ms: int
    calculation_outcome: str


class CalculationResponse(Struct, gc=False):
    calculation_metadata: CalculationMetadata
    calculation_result: CalculationResult


class ErrorResponse(Struct, gc=False):
    status: int
    message: str


# --- decoding --------------------------------------------------------------------

_request_decoder = msgspec.json.Decoder(CalculationRequest)
_envelope_decoder = msgspec.json.Decoder(MutationEnvelope)
_MUTATIONS_PATH = "$.calculation_instructions.mutations"


def _relocate(error: msgspec.ValidationError, prefix: str) -> str:
    """Rewrite a msgspec error about a nested document so its path starts at ``prefix``."""
    text = str(error)
    marker = " - at `$"
    if marker in text:
        return text.replace(marker, f" - at `{prefix}", 1)
    return f"{text} - at `{prefix}`"


def decode_request(
    body: bytes, max_mutations: int | None = None
) -> tuple[CalculationRequest, list[MutationEnvelope]]:
    """Decode and check the envelope of a calculation request.

    Raises ``RequestError`` naming the JSON path of the first problem: a body
    that is not JSON or not an object, a missing, ill-typed or unknown field,
    an empty mutation list or one longer than ``max_mutations``, an invalid
    ``actual_at``, a ``DOSSIER`` mutation without ``dossier_id``, or a
    duplicate ``mutation_id``.
    """
    try:
        request = _request_decoder.decode(body)
    except msgspec.ValidationError as error:
        raise RequestError(f"Invalid request: {_relocate(error, '$')}") from None
    except msgspec.DecodeError as error:
        raise RequestError(f"Invalid request: the body is not valid JSON ({error})") from None

    count = len(request.calculation_instructions.mutations)
    if max_mutations is not None and count > max_mutations:
        raise RequestError(
            f"Invalid request: {count} mutations exceed the limit of {max_mutations} per request "
            f"- at `{_MUTATIONS_PATH}`"
        )

    envelopes = []
    seen_ids = set()
    for index, raw in enumerate(request.calculation_instructions.mutations):
        try:
            envelope = _envelope_decoder.decode(raw)
        except msgspec.ValidationError as error:
            raise RequestError(f"Invalid request: {_relocate(error, _mutation_path(index))}") from None

        if not bytes(envelope.mutation_properties).startswith(b"{"):
            raise RequestError(f"Invalid request: Expected `object` - at `{_mutation_path(index)}.mutation_properties`")
        if parse_date(envelope.actual_at) is None:
            raise RequestError(
                f"Invalid request: invalid date {envelope.actual_at!r}, expected YYYY-MM-DD "
                f"- at `{_mutation_path(index)}.actual_at`"
            )
        if envelope.mutation_type == DOSSIER and envelope.dossier_id is UNSET:
            raise RequestError(
                f"Invalid request: Object missing required field `dossier_id` - at `{_mutation_path(index)}`"
            )
        if envelope.mutation_id in seen_ids:
            raise RequestError(
                f"Invalid request: duplicate mutation_id {envelope.mutation_id!r} "
                f"- at `{_mutation_path(index)}.mutation_id`"
            )
        seen_ids.add(envelope.mutation_id)
        envelopes.append(envelope)
    return request, envelopes


def _mutation_path(index: int) -> str:
    return f"{_MUTATIONS_PATH}[{index}]"
