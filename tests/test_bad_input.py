"""Responses of the real server with default settings to bad input: HTTP errors and CRITICAL messages."""

import copy
import json

import pytest

JSON_HEADERS = {"content-type": "application/json"}
DOSSIER_ID = "d-1"

CREATE = {
    "mutation_id": "m-1",
    "mutation_definition_name": "create_dossier",
    "mutation_type": "DOSSIER_CREATION",
    "actual_at": "2020-01-01",
    "mutation_properties": {"dossier_id": DOSSIER_ID, "person_id": "p-1", "name": "Jane", "birth_date": "1960-01-01"},
}
ADD_POLICY = {
    "mutation_id": "m-2",
    "mutation_definition_name": "add_policy",
    "mutation_type": "DOSSIER",
    "dossier_id": DOSSIER_ID,
    "actual_at": "2020-01-01",
    "mutation_properties": {
        "scheme_id": "s-1",
        "employment_start_date": "2000-01-01",
        "salary": 50000,
        "part_time_factor": 1.0,
    },
}


def request_of(*mutations: dict) -> dict:
    return {"tenant_id": "tenant", "calculation_instructions": {"mutations": [copy.deepcopy(m) for m in mutations]}}


def post_bytes(client, body: bytes, headers: dict | None = None):
    return client.post("/calculation-requests", content=body, headers=JSON_HEADERS if headers is None else headers)


def assert_error(response, status: int) -> str:
    """Check the status and the {"status", "message"} body of an error response and return its message."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"status", "message"}
    assert body["status"] == status
    assert "Traceback" not in body["message"]
    return body["message"]


def critical_of(client, request: dict) -> dict:
    """Post ``request`` and return its only CRITICAL message, checking the FAILURE outcome."""
    response = client.post("/calculation-requests", json=request)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["calculation_metadata"]["calculation_outcome"] == "FAILURE"
    criticals = [m for m in body["calculation_result"]["messages"] if m["level"] == "CRITICAL"]
    assert len(criticals) == 1
    return criticals[0]


# --- 400: the envelope -------------------------------------------------------------


def without(mapping: dict, key: str) -> dict:
    return {k: v for k, v in mapping.items() if k != key}


ENVELOPE_CASES = [
    ("not_json", b"{not json", "not valid JSON"),
    ("empty_body", b"", "not valid JSON"),
    ("array_body", b"[]", "`$`"),
    ("string_body", b'"text"', "`$`"),
    ("missing_tenant", json.dumps(without(request_of(CREATE), "tenant_id")).encode(), "`tenant_id`"),
    ("tenant_not_string", json.dumps({**request_of(CREATE), "tenant_id": 7}).encode(), "`$.tenant_id`"),
    ("tenant_empty", json.dumps({**request_of(CREATE), "tenant_id": ""}).encode(), "`$.tenant_id`"),
    ("tenant_too_long", json.dumps({**request_of(CREATE), "tenant_id": "t" * 26}).encode(), "`$.tenant_id`"),
    ("unknown_envelope_key", json.dumps({**request_of(CREATE), "extra": 1}).encode(), "`extra`"),
    ("missing_instructions", json.dumps({"tenant_id": "t"}).encode(), "`calculation_instructions`"),
    ("mutations_not_list", json.dumps({"tenant_id": "t", "calculation_instructions": {"mutations": {}}}).encode(),
     "`$.calculation_instructions.mutations`"),
    ("mutations_empty", json.dumps(request_of()).encode(), "`$.calculation_instructions.mutations`"),
    ("mutation_not_object", json.dumps({"tenant_id": "t", "calculation_instructions": {"mutations": [1]}}).encode(),
     "`$.calculation_instructions.mutations[0]`"),
    ("missing_mutation_id", json.dumps(request_of(without(CREATE, "mutation_id"))).encode(),
     "`mutation_id` - at `$.calculation_instructions.mutations[0]`"),
    ("mutation_type_not_string", json.dumps(request_of({**CREATE, "mutation_type": 1})).encode(),
     "`$.calculation_instructions.mutations[0].mutation_type`"),
    ("actual_at_not_date", json.dumps(request_of({**CREATE, "actual_at": "2023-02-29"})).encode(),
     "'2023-02-29'"),
    ("properties_not_object", json.dumps(request_of({**CREATE, "mutation_properties": [1]})).encode(),
     "`$.calculation_instructions.mutations[0].mutation_properties`"),
    ("dossier_id_missing", json.dumps(request_of(CREATE, without(ADD_POLICY, "dossier_id"))).encode(),
     "`dossier_id` - at `$.calculation_instructions.mutations[1]`"),
    ("duplicate_mutation_id", json.dumps(request_of(CREATE, {**ADD_POLICY, "mutation_id": "m-1"})).encode(),
     "duplicate mutation_id 'm-1'"),
    ("unknown_mutation_key", json.dumps(request_of({**CREATE, "colour": "red"})).encode(), "`colour`"),
    ("nan_literal", b'{"tenant_id": NaN}', "not valid JSON"),
    ("invalid_utf8_in_string", b'{"tenant_id": "\xff\xfe", "calculation_instructions": {"mutations": []}}',
     "not valid UTF-8 (byte 15 is 0xff)"),
    ("invalid_utf8_outside_string", b"\xc3\x28{}", "not valid UTF-8 (byte 0 is 0xc3)"),
    ("nested_at_limit", b'{"tenant_id": ' + b"[" * 63 + b"]" * 63 + b"}", "`$.tenant_id`"),
    ("nested_too_deep", b'{"tenant_id": ' + b"[" * 64 + b"]" * 64 + b"}", "nest 65 levels deep, more than the limit of 64"),
    ("nested_very_deep", b"[" * 200_000 + b"]" * 200_000, "more than the limit of 64"),
]


@pytest.mark.parametrize(("body", "expected"), [case[1:] for case in ENVELOPE_CASES], ids=[c[0] for c in ENVELOPE_CASES])
def test_envelope_rejected_400(client, body, expected):
    message = assert_error(post_bytes(client, body), 400)
    assert expected in message


def test_brackets_in_strings_not_nesting(client):
    name = "[" * 100 + '\\"{' * 100
    request = request_of({**CREATE, "mutation_properties": {**CREATE["mutation_properties"], "name": name}})
    response = client.post("/calculation-requests", json=request)
    assert response.status_code == 200
    assert response.json()["calculation_metadata"]["calculation_outcome"] == "SUCCESS"


def test_mutations_over_default_limit(client):
    # Empty objects keep the body small: the count is checked before any mutation is decoded.
    request = {"tenant_id": "t", "calculation_instructions": {"mutations": [{}] * 10_001}}
    message = assert_error(client.post("/calculation-requests", json=request), 400)
    assert "10001 mutations exceed the limit of 10000" in message
    assert "`$.calculation_instructions.mutations`" in message


# --- 413, 415 -------------------------------------------------------------------------


def test_body_over_limit_content_length(client):
    response = post_bytes(client, b" " * (1024 * 1024 + 1))
    message = assert_error(response, 413)
    assert "1048576 bytes" in message
    assert response.headers["connection"] == "close"


def test_body_over_limit_chunked(client):
    def chunks():
        for _ in range(20):
            yield b" " * 65536

    response = client.post("/calculation-requests", content=chunks(), headers=JSON_HEADERS)
    assert "content-length" not in response.request.headers
    assert_error(response, 413)


def test_body_at_limit_read(client):
    body = json.dumps(request_of(CREATE)).encode()
    response = post_bytes(client, body + b" " * (1024 * 1024 - len(body)))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml"]
)
def test_content_type_not_json_415(client, content_type):
    message = assert_error(post_bytes(client, json.dumps(request_of(CREATE)).encode(), {"content-type": content_type}), 415)
    assert "application/json" in message


def test_charset_not_utf8_415(client):
    headers = {"content-type": "application/json; charset=iso-8859-1"}
    message = assert_error(post_bytes(client, json.dumps(request_of(CREATE)).encode(), headers), 415)
    assert "'iso-8859-1'" in message


@pytest.mark.parametrize(
    "content_type",
    [None, "application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8", "application/vnd.api+json"],
)
def test_json_content_types_accepted(client, content_type):
    headers = {} if content_type is None else {"content-type": content_type}
    response = post_bytes(client, json.dumps(request_of(CREATE)).encode(), headers)
    assert "content-type" in response.request.headers or content_type is None
    assert response.status_code == 200


# --- 404, 405, health -------------------------------------------------------------------


def test_unknown_path_404(client):
    message = assert_error(client.get("/no-such-resource"), 404)
    assert "/no-such-resource" in message


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_wrong_method_405(client, method):
    response = client.request(method, "/calculation-requests")
    message = assert_error(response, 405)
    assert response.headers["allow"] == "POST"
    assert method in message


def test_health(client):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["version"]


def test_health_head(client):
    response = client.head("/health")
    assert response.status_code == 200
    assert response.content == b""


# --- CRITICAL messages ------------------------------------------------------------------


def test_unknown_mutation(client):
    message = critical_of(client, request_of(CREATE, {**ADD_POLICY, "mutation_definition_name": "delete_dossier"}))
    assert message["code"] == "UNKNOWN_MUTATION"
    assert "'delete_dossier'" in message["message"]


def test_invalid_mutation_type(client):
    message = critical_of(client, request_of({**CREATE, "mutation_type": "DOSSIER", "dossier_id": DOSSIER_ID}))
    assert message["code"] == "INVALID_MUTATION_TYPE"
    assert "'DOSSIER'" in message["message"]


PROPERTY_CASES = [
    ("missing", without(ADD_POLICY["mutation_properties"], "salary"), "`salary`"),
    ("wrong_type", {**ADD_POLICY["mutation_properties"], "salary": "high"}, '"high"'),
    ("boolean_number", {**ADD_POLICY["mutation_properties"], "salary": True}, "`salary`"),
    ("unknown", {**ADD_POLICY["mutation_properties"], "bonus": 1}, "`bonus`"),
    ("invalid_date", {**ADD_POLICY["mutation_properties"], "employment_start_date": "2020-13-01"}, '"2020-13-01"'),
    ("long_scheme_id", {**ADD_POLICY["mutation_properties"], "scheme_id": "s" * 129}, "length <= 128"),
]


@pytest.mark.parametrize(("properties", "expected"), [c[1:] for c in PROPERTY_CASES], ids=[c[0] for c in PROPERTY_CASES])
def test_invalid_mutation_properties(client, properties, expected):
    message = critical_of(client, request_of(CREATE, {**ADD_POLICY, "mutation_properties": properties}))
    assert message["code"] == "INVALID_MUTATION_PROPERTIES"
    assert expected in message["message"]
    assert "add_policy" in message["message"]


@pytest.mark.parametrize("field", ["dossier_id", "person_id"])
def test_id_length_limit(client, field):
    accepted = {**CREATE, "mutation_properties": {**CREATE["mutation_properties"], field: "x" * 128}}
    assert client.post("/calculation-requests", json=request_of(accepted)).json()["calculation_result"]["messages"] == []
    rejected = {**CREATE, "mutation_properties": {**CREATE["mutation_properties"], field: "x" * 129}}
    message = critical_of(client, request_of(rejected))
    assert message["code"] == "INVALID_MUTATION_PROPERTIES"
    assert f"property `{field}`" in message["message"]
    assert "length <= 128" in message["message"]


def test_dossier_not_found_without_dossier(client):
    message = critical_of(client, request_of(ADD_POLICY))
    assert message["code"] == "DOSSIER_NOT_FOUND"
    assert f"'{DOSSIER_ID}'" in message["message"]


def test_dossier_not_found_other_id(client):
    message = critical_of(client, request_of(CREATE, {**ADD_POLICY, "dossier_id": "someone-else"}))
    assert message["code"] == "DOSSIER_NOT_FOUND"
    assert "'someone-else'" in message["message"]
    assert f"'{DOSSIER_ID}'" in message["message"]


def test_projection_limit_exceeded(client):
    projection = {
        "mutation_id": "m-3",
        "mutation_definition_name": "project_future_benefits",
        "mutation_type": "DOSSIER",
        "dossier_id": DOSSIER_ID,
        "actual_at": "2020-01-01",
        "mutation_properties": {
            "projection_start_date": "2020-01-01",
            "projection_end_date": "2200-01-01",
            "projection_interval_months": 1,
        },
    }
    message = critical_of(client, request_of(CREATE, ADD_POLICY, projection))
    assert message["code"] == "PROJECTION_LIMIT_EXCEEDED"
    assert "1200" in message["message"]


def test_numeric_overflow(client):
    huge_policy = {**ADD_POLICY, "mutation_properties": {**ADD_POLICY["mutation_properties"], "salary": 1e308}}
    indexation = {
        "mutation_id": "m-3",
        "mutation_definition_name": "apply_indexation",
        "mutation_type": "DOSSIER",
        "dossier_id": DOSSIER_ID,
        "actual_at": "2020-01-01",
        "mutation_properties": {"percentage": 1e308},
    }
    response = client.post("/calculation-requests", json=request_of(CREATE, huge_policy, indexation))
    assert "Infinity" not in response.text
    assert "NaN" not in response.text
    message = critical_of(client, request_of(CREATE, huge_policy, indexation))
    assert message["code"] == "NUMERIC_OVERFLOW"
    assert "salary" in message["message"]
