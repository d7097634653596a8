"""A calculation: the mutations of one request applied in order to an empty situation."""

import time
from random import getrandbits

from model import messages as codes
from model import wire
from model.dates import today_utc
from model.messages import MessageLog, MutationRejected
from model.mutations import REGISTRY, Context, Limits
from model.mutations.base import NO_CHANGE, MutationDefinition, quote
from model.rates import DEFAULT_RATES, SchemeRates
from model.situation import Situation

SUCCESS = "SUCCESS"
FAILURE = "FAILURE"

_EMPTY_SITUATION = wire.Situation(dossier=None)


# The last second formatted, as (seconds since the epoch, "YYYY-MM-DDTHH:MM:SS."). It is replaced as
# one tuple, so threads calculating at the same time never pair one second with another's text.
_last_second: tuple[int, str] = (-1, "")

# UUID bit masks: version 4 in bits 76-79, the RFC 4122 variant (0b10) in bits 62-63.
_VERSION_VARIANT_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_VERSION_VARIANT_SET = (0x4000 << 64) | (0x8000 << 48)


def _timestamp(nanoseconds: int) -> str:
    """Return an RFC 3339 UTC timestamp with millisecond precision and a ``Z`` for a ``time.time_ns()`` value.

    The date and time of day are formatted once per second and reused: 0.5 us
    instead of 2.5 us for ``datetime.now().strftime`` (CPython 3.11).
    """
    global _last_second
    seconds, rest = divmod(nanoseconds, 1_000_000_000)
    cached_seconds, text = _last_second
    if cached_seconds != seconds:
        text = time.strftime("%Y-%m-%dT%H:%M:%S.", time.gmtime(seconds))
        _last_second = (seconds, text)
    return f"{text}{rest // 1_000_000:03d}Z"


def _uuid4() -> str:
    """Return a random UUID version 4 as text, in the format of ``str(uuid.uuid4())``.

    The bits come from ``random``'s generator, which is seeded from the
    operating system and reseeded in each forked worker: 0.7 us against
    1.4 us for ``os.urandom(16)`` (CPython 3.11). A calculation id must be
    unique, not unpredictable.
    """
    number = getrandbits(128) & _VERSION_VARIANT_CLEAR | _VERSION_VARIANT_SET
    text = f"{number:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def _check_common(definition: MutationDefinition | None, context: Context) -> None:
    """Run the checks every mutation runs before its own, raising on the first CRITICAL."""
    mutation = context.mutation
    if definition is None:
        raise context.reject(
            codes.UNKNOWN_MUTATION, f"Unknown mutation_definition_name {quote(mutation.mutation_definition_name)}."
        )
    if mutation.mutation_type != definition.mutation_type:
        raise context.reject(
            codes.INVALID_MUTATION_TYPE,
            f"mutation_type {quote(mutation.mutation_type)} does not match {definition.name}, "
            f"which has type {definition.mutation_type}.",
        )


def _check_dossier(context: Context) -> None:
    mutation = context.mutation
    dossier = context.situation.dossier
    if dossier is None:
        raise context.reject(
            codes.DOSSIER_NOT_FOUND,
            f"Dossier {quote(mutation.dossier_id)} not found: no dossier has been created.",
        )
    if mutation.dossier_id != dossier.dossier_id:
        raise context.reject(
            codes.DOSSIER_NOT_FOUND,
            f"Dossier {quote(mutation.dossier_id)} not found; this calculation holds dossier {dossier.dossier_id!r}.",
        )


def calculate(
    request: wire.CalculationRequest,
    mutations: list[wire.MutationEnvelope],
    *,
    rates: SchemeRates = DEFAULT_RATES,
    limits: Limits = Limits(),
    today: int | None = None,
    emit_patches: bool = True,
) -> wire.CalculationResponse:
    """Apply the request's mutations in order and build the response.

    ``mutations`` are the decoded envelopes of ``request``'s raw mutations,
    in the same order (see ``wire.decode_request``). ``emit_patches=False``
    leaves every JSON patch empty; it exists to measure what patches cost.
    """
    started = time.time_ns()
    clock = time.perf_counter()
    situation = Situation()
    log = MessageLog()
    context = Context(situation, log, rates, limits, today_utc() if today is None else today)
    context.emit_patches = emit_patches
    raws = request.calculation_instructions.mutations

    messages = log.messages
    processed = []
    last_success = -1
    for index, mutation in enumerate(mutations):
        first_message = len(messages)
        context.mutation = mutation
        definition = REGISTRY.get(mutation.mutation_definition_name)
        try:
            _check_common(definition, context)
            properties = definition.decode_properties(context)
            if definition.mutation_type == wire.DOSSIER:
                _check_dossier(context)
            forward, backward = definition.apply(context, properties)
            last_success = index
        except MutationRejected:
            forward, backward = NO_CHANGE
        processed.append(
            wire.ProcessedMutation(raws[index], list(range(first_message, len(messages))), forward, backward)
        )
        if log.has_critical:
            break

    if last_success >= 0:
        end = mutations[last_success]
        end_situation = wire.EndSituation(end.mutation_id, last_success, end.actual_at, situation.value())
    else:
        first = mutations[0]
        end_situation = wire.EndSituation(first.mutation_id, 0, first.actual_at, _EMPTY_SITUATION)

    result = wire.CalculationResult(
        messages=log.messages,
        mutations=processed,
        end_situation=end_situation,
        initial_situation=wire.InitialSituation(mutations[0].actual_at, _EMPTY_SITUATION),
    )
    elapsed_ms = int((time.perf_counter() - clock) * 1000)
    metadata = wire.CalculationMetadata(
        calculation_id=_uuid4(),
        tenant_id=request.tenant_id,
        calculation_started_at=_timestamp(started),
        calculation_completed_at=_timestamp(started + elapsed_ms * 1_000_000),
        calculation_duration_ms=elapsed_ms,
        calculation_outcome=FAILURE if log.has_critical else SUCCESS,
    )
    return wire.CalculationResponse(metadata, result)
