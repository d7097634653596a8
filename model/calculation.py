"""A calculation: the mutations of one request applied in order to an empty situation."""

import datetime as dt
import time
import uuid

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


def _timestamp(moment: dt.datetime) -> str:
    """Return an RFC 3339 UTC timestamp with millisecond precision and a ``Z``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


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
    started = dt.datetime.now(dt.timezone.utc)
    clock = time.perf_counter()
    situation = Situation()
    log = MessageLog()
    context = Context(situation, log, rates, limits, today_utc() if today is None else today)
    context.emit_patches = emit_patches
    raws = request.calculation_instructions.mutations

    processed = []
    last_success = -1
    for index, mutation in enumerate(mutations):
        first_message = len(log)
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
            wire.ProcessedMutation(raws[index], list(range(first_message, len(log))), forward, backward)
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
        calculation_id=str(uuid.uuid4()),
        tenant_id=request.tenant_id,
        calculation_started_at=_timestamp(started),
        calculation_completed_at=_timestamp(started + dt.timedelta(milliseconds=elapsed_ms)),
        calculation_duration_ms=elapsed_ms,
        calculation_outcome=FAILURE if log.has_critical else SUCCESS,
    )
    return wire.CalculationResponse(metadata, result)
