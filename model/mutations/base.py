"""The interface every mutation implements, and what it works with."""

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Annotated, ClassVar

import msgspec
import numpy as np
from msgspec import Meta

from model import messages as codes
from model.messages import MessageLog, MutationRejected
from model.rates import DEFAULT_ACCRUAL_RATE, SchemeRates
from model.situation import Dossier, Situation
from model.wire import DOSSIER, MutationEnvelope, PatchOperation

# The maximum number of characters of an offending value quoted in a message.
_QUOTE_LIMIT = 80
# msgspec's type names in its error messages, and the JSON wording a client understands.
_TYPE_WORDING = (
    ("Expected `float`", "expected a number"),
    ("Expected `int`", "expected an integer"),
    ("Expected `str`", "expected a string"),
)
_PROPERTY_PATH = re.compile(r" - at `\$\.([A-Za-z0-9_]+)`")


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-request limits of a calculation.

    ``max_response_values`` bounds the patch operations, messages and
    projected pensions one request can make the engine build, counted with
    an upper bound before each mutation changes anything. With ids of at
    most ``MAX_ID_LENGTH`` characters, each value takes at most a few hundred
    bytes of JSON. Without it, a 1 MB body of 2,000 policies and 2,500
    indexations asked for an 820 MB response, 7 s of CPU and 2 GB of memory.
    """

    max_projection_dates: int = 1200
    max_response_values: int = 500_000


@dataclass(slots=True)
class Context:
    """Everything a mutation reads and changes: the situation, the message log and the calculation's inputs."""

    situation: Situation
    messages: MessageLog
    rates: SchemeRates
    limits: Limits
    today: int  # day number of today's date in UTC
    mutation: MutationEnvelope | None = None
    emit_patches: bool = True  # False only to measure what building the JSON patches costs
    response_values: int = 0  # values reserved so far, see ``reserve``

    @property
    def dossier(self) -> Dossier:
        """The existing dossier; only called by ``DOSSIER`` mutations, after the dossier check."""
        return self.situation.dossier

    def reject(self, code: str, text: str) -> MutationRejected:
        return self.messages.reject(code, text)

    def reserve(self, values: int) -> None:
        """Count ``values`` more response values for the current mutation, or reject it past the request's limit.

        A mutation calls this before it changes anything, with an upper bound
        of the patch operations, messages and projected pensions it can add.
        """
        self.response_values += values
        limit = self.limits.max_response_values
        if self.response_values > limit:
            raise self.reject(
                codes.RESPONSE_LIMIT_EXCEEDED,
                f"This mutation could add {values} values (patch operations, messages and projected pensions) "
                f"to the response, which would exceed the limit of {limit} per request; "
                "split the calculation into smaller requests.",
            )

    def warn(self, code: str, text: str) -> None:
        self.messages.warn(code, text)

    def accrual_rates(self) -> np.ndarray:
        """Return the accrual rate of every policy of the dossier, shape (n,).

        Warns with SCHEME_REGISTRY_UNAVAILABLE once per scheme of the dossier
        whose registry lookup failed; such a scheme gets the default rate.
        """
        dossier = self.situation.dossier
        failures = self.rates.failures
        if failures:
            for scheme_id in dossier.scheme_ids:
                reason = failures.get(scheme_id)
                if reason is not None:
                    self.warn(
                        codes.SCHEME_REGISTRY_UNAVAILABLE,
                        f"Scheme registry lookup for scheme {scheme_id!r} failed ({reason}); "
                        f"the default accrual rate {DEFAULT_ACCRUAL_RATE} is used.",
                    )
        return self.rates.policy_rates(dossier.scheme_ids, dossier.policies["scheme"])


# The maximum length of a dossier, person or scheme id. Ids are repeated in policy ids, patches and
# messages, so their length multiplies the size of a response. A UUID has 36 characters.
MAX_ID_LENGTH = 128
Identifier = Annotated[str, Meta(min_length=1, max_length=MAX_ID_LENGTH)]

# Forward and backward JSON Patch of one mutation.
Patches = tuple[list[PatchOperation], list[PatchOperation]]
NO_CHANGE: Patches = ([], [])


def quote(value: object) -> str:
    """Return a short ``repr`` of an offending value for a message."""
    text = repr(value)
    return text if len(text) <= _QUOTE_LIMIT else text[: _QUOTE_LIMIT - 3] + "..."


def _json_text(properties: msgspec.Raw, name: str) -> str:
    """Return the JSON text of one property as sent, shortened for a message.

    The text is taken raw, so a value no Python float can store (such as ``1e400``)
    is still quoted as it was written.
    """
    value = msgspec.json.decode(properties, type=dict[str, msgspec.Raw]).get(name)
    if value is None:
        return "(missing)"
    text = bytes(value).decode("utf-8", errors="replace")
    return text if len(text) <= _QUOTE_LIMIT else text[: _QUOTE_LIMIT - 3] + "..."


class MutationDefinition(ABC):
    """One kind of mutation: its properties, its checks, its state change and its patches.

    Subclasses set ``name``, ``mutation_type`` and ``Properties`` (a msgspec
    Struct that forbids unknown fields) and implement ``apply``.
    """

    name: ClassVar[str]
    mutation_type: ClassVar[str] = DOSSIER
    Properties: ClassVar[type[msgspec.Struct]]

    def __init__(self) -> None:
        self._decoder = msgspec.json.Decoder(self.Properties)

    def decode_properties(self, context: Context) -> msgspec.Struct:
        """Decode the mutation's properties, or reject them with INVALID_MUTATION_PROPERTIES."""
        raw = context.mutation.mutation_properties
        try:
            return self._decoder.decode(raw)
        except msgspec.ValidationError as error:
            raise context.reject(codes.INVALID_MUTATION_PROPERTIES, self._describe(error, raw)) from None

    def _describe(self, error: msgspec.ValidationError, raw: msgspec.Raw) -> str:
        text = str(error).replace("Object missing required field", "missing required property")
        text = text.replace("Object contains unknown field", "unknown property, not in the definition:")
        text = text.replace("Invalid RFC3339 encoded date", "invalid date, expected a real calendar day as YYYY-MM-DD")
        for json_type, wording in _TYPE_WORDING:
            text = text.replace(json_type, wording)
        found = _PROPERTY_PATH.search(text)
        if found:
            prefix = text[: found.start()]
            text = f"property `{found.group(1)}` has the value {_json_text(raw, found.group(1))}: {prefix}"
        return f"Invalid mutation_properties of {self.name}: {text}"

    @abstractmethod
    def apply(self, context: Context, properties: msgspec.Struct) -> Patches:
        """Run the mutation's own checks, change the situation and return its patches.

        Raises the ``MutationRejected`` returned by ``context.reject`` when a
        CRITICAL check fails; the situation is then unchanged.
        """
