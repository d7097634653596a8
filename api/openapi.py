"""The OpenAPI 3.1 document of the service, generated from the msgspec wire types.

The request and response types of ``model.wire`` are the source of every
schema. Two kinds of detail are added here because the wire types cannot
carry them: mutations are ``msgspec.Raw`` on the wire (so the response can
echo them byte for byte) and get the typed schema below, and a few string
fields get the enum or format that the engine guarantees on output.
"""

import datetime as dt
import functools
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Literal, Union

import msgspec

from model import wire
from model.mutations import DEFINITIONS

CALCULATION_PATH = "/calculation-requests"
_REF = "#/components/schemas/{name}"

_DOSSIER_MUTATION_NAMES = tuple(d.name for d in DEFINITIONS if d.mutation_type == wire.DOSSIER)
_CREATION_MUTATION_NAMES = tuple(d.name for d in DEFINITIONS if d.mutation_type == wire.DOSSIER_CREATION)


class DossierCreationCalculationMutation(
    msgspec.Struct, tag_field="mutation_type", tag=wire.DOSSIER_CREATION, forbid_unknown_fields=True
):
    """A mutation that creates the dossier."""

    mutation_id: str
    mutation_definition_name: Literal[_CREATION_MUTATION_NAMES]  # type: ignore[valid-type]
    actual_at: dt.date
    mutation_properties: dict[str, Any]


class DossierCalculationMutation(msgspec.Struct, tag_field="mutation_type", tag=wire.DOSSIER, forbid_unknown_fields=True):
    """A mutation that applies to the existing dossier named by ``dossier_id``."""

    mutation_id: str
    mutation_definition_name: Literal[_DOSSIER_MUTATION_NAMES]  # type: ignore[valid-type]
    dossier_id: str
    actual_at: dt.date
    mutation_properties: dict[str, Any]


CalculationMutation = Union[DossierCreationCalculationMutation, DossierCalculationMutation]


class Health(msgspec.Struct):
    """Liveness of one worker process and the version of the service."""

    status: Literal["ok"]
    version: str


# Enums and formats of string fields that the wire types leave as ``str``:
# (component, property) -> extra schema keywords.
_STRING_DETAILS: dict[tuple[str, str], dict[str, Any]] = {
    ("CalculationMetadata", "calculation_id"): {"format": "uuid"},
    ("CalculationMetadata", "calculation_started_at"): {"format": "date-time"},
    ("CalculationMetadata", "calculation_completed_at"): {"format": "date-time"},
    ("CalculationMetadata", "calculation_outcome"): {"enum": ["SUCCESS", "FAILURE"]},
    ("Message", "level"): {"enum": ["CRITICAL", "WARNING"]},
    ("Dossier", "status"): {"enum": ["ACTIVE", "RETIRED"]},
    ("Person", "role"): {"enum": ["PARTICIPANT"]},
    ("PatchOperation", "op"): {"enum": ["add", "remove", "replace", "move", "copy", "test"]},
    ("EndSituation", "actual_at"): {"format": "date"},
    ("InitialSituation", "actual_at"): {"format": "date"},
}

_ERROR_STATUSES = {
    "400": "The request cannot be processed: not JSON, not UTF-8, nested too deeply, or an envelope field "
    "missing, ill-typed, unknown or over a limit. The message names the JSON path of the first problem.",
    "408": "The request body did not arrive within the body read timeout; the connection is closed.",
    "413": "The request body exceeds the body size limit; the connection is closed.",
    "415": "The Content-Type is not JSON, or names a charset other than UTF-8.",
    "500": "An internal error; the body holds no internals and the server logs the traceback.",
}


def _json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF.format(name=name)}


def _service_version() -> str:
    try:
        return version("pension-engine")
    except PackageNotFoundError:
        return "0.0.0"


SERVICE_VERSION = _service_version()


def _components() -> dict[str, Any]:
    (mutation_schema, *_), components = msgspec.json.schema_components(
        [
            CalculationMutation,
            wire.MutationEnvelope,
            wire.CalculationRequest,
            wire.CalculationResponse,
            wire.ErrorResponse,
            Health,
        ],
        ref_template=_REF,
    )
    # A mutation is exactly one of the two kinds, distinguished by mutation_type.
    mutation_schema["oneOf"] = mutation_schema.pop("anyOf")
    mutation_schema["description"] = "A mutation to apply, in request order."
    components["CalculationMutation"] = mutation_schema

    components["CalculationInstructions"]["properties"]["mutations"]["items"] = _ref("CalculationMutation")
    # The response echoes every processed mutation unchanged, including one
    # with an unknown name or a wrong type that failed with a CRITICAL message,
    # so its schema is the envelope that the decoder checks, not the strict one.
    components["MutationEnvelope"]["properties"]["mutation_properties"] = {"type": "object"}
    components["ProcessedMutation"]["properties"]["mutation"] = {
        **_ref("MutationEnvelope"),
        "description": "The request's mutation object, unchanged.",
    }
    for (component, field), details in _STRING_DETAILS.items():
        components[component]["properties"][field].update(details)
    return components


def _calculation_operation() -> dict[str, Any]:
    responses = {
        "200": {
            "description": "The request was read; the outcome is SUCCESS, or FAILURE with a CRITICAL message.",
            "content": _json_content(_ref("CalculationResponse")),
        }
    }
    for status, description in _ERROR_STATUSES.items():
        responses[status] = {"description": description, "content": _json_content(_ref("ErrorResponse"))}
    return {
        "summary": "Process a calculation request",
        "description": "Applies the mutations in array order to an empty situation and returns the messages, "
        "the processed mutations with their JSON Patch documents, and the end situation.",
        "operationId": "addCalculationRequest",
        "requestBody": {"required": True, "content": _json_content(_ref("CalculationRequest"))},
        "responses": responses,
    }


@functools.cache
def openapi_document() -> dict[str, Any]:
    """Build the OpenAPI 3.1 document; built on first use and kept for the life of the process."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Pension Calculation Engine API",
            "version": SERVICE_VERSION,
            "description": "Processes calculation requests: ordered mutations applied to one pension dossier.",
        },
        "paths": {
            CALCULATION_PATH: {"post": _calculation_operation()},
            "/health": {
                "get": {
                    "summary": "Report that the worker answers",
                    "operationId": "getHealth",
                    "responses": {"200": {"description": "The worker answers.", "content": _json_content(_ref("Health"))}},
                }
            },
            "/openapi.json": {
                "get": {
                    "summary": "This OpenAPI document",
                    "operationId": "getOpenApiDocument",
                    "responses": {"200": {"description": "The document.", "content": _json_content({"type": "object"})}},
                }
            },
            "/docs": {
                "get": {
                    "summary": "A page that renders this document",
                    "operationId": "getDocumentationPage",
                    "responses": {
                        "200": {"description": "An HTML page.", "content": {"text/html": {"schema": {"type": "string"}}}}
                    },
                }
            },
        },
        "components": {"schemas": _components()},
    }


@functools.cache
def openapi_json() -> bytes:
    return msgspec.json.encode(openapi_document())
