"""The served OpenAPI document: agreement with the HTTP contract, the fixtures, and schemathesis."""

import subprocess
import sys
from pathlib import Path

import jsonschema_rs
import pytest
import yaml

from tests.conftest import load_fixtures

CONTRACT = yaml.safe_load((Path(__file__).parent / "contract" / "api-spec.yaml").read_text())
CONTRACT_SCHEMAS = CONTRACT["components"]["schemas"]
FIXTURES = load_fixtures()

# Properties that the contract requires, by contract schema, and the component of our document that contains them.
REQUIRED_PAIRS = [
    ("CalculationRequest", "CalculationRequest"),
    ("CalculationResponse", "CalculationResponse"),
    ("CalculationMessage", "Message"),
    ("ErrorResponse", "ErrorResponse"),
    ("BaseCalculationMutation", "DossierCreationCalculationMutation"),
    ("BaseCalculationMutation", "DossierCalculationMutation"),
    ("SimplifiedSituation", "Situation"),
]


@pytest.fixture(scope="module")
def document(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def validator(document: dict, component: str):
    """Return a JSON Schema validator of one component that resolves references into the whole document."""
    root = {"$ref": f"#/components/schemas/{component}", "components": document["components"]}
    return jsonschema_rs.Draft202012Validator(root)


def test_document_is_openapi_3(document):
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"]
    assert document["info"]["version"]


def test_contract_paths_and_statuses_present(document):
    for path, methods in CONTRACT["paths"].items():
        assert path in document["paths"], path
        for method, operation in methods.items():
            served = document["paths"][path][method]
            assert set(operation["responses"]) <= set(served["responses"]), (path, method)
            assert served["operationId"] == operation["operationId"]


def test_calculation_statuses(document):
    responses = document["paths"]["/calculation-requests"]["post"]["responses"]
    assert set(responses) == {"200", "400", "408", "413", "415", "500"}
    for status in ("400", "408", "413", "415", "500"):
        schema = responses[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, status


@pytest.mark.parametrize(("contract_name", "served_name"), REQUIRED_PAIRS)
def test_required_properties_agree(document, contract_name, served_name):
    contract = CONTRACT_SCHEMAS[contract_name]
    served = document["components"]["schemas"][served_name]
    assert set(contract["required"]) <= set(served["required"])
    assert set(contract["properties"]) <= set(served["properties"])


def test_response_parts_agree(document):
    schemas = document["components"]["schemas"]
    contract_result = CONTRACT_SCHEMAS["CalculationResponse"]["properties"]["calculation_result"]
    contract_metadata = CONTRACT_SCHEMAS["CalculationResponse"]["properties"]["calculation_metadata"]
    assert set(contract_result["required"]) == set(schemas["CalculationResult"]["required"])
    assert set(contract_metadata["required"]) == set(schemas["CalculationMetadata"]["required"])
    contract_policy = CONTRACT_SCHEMAS["SimplifiedSituation"]["properties"]["dossier"]["properties"]["policies"]
    assert set(contract_policy["items"]["required"]) <= set(schemas["Policy"]["required"])


def test_mutation_kinds_agree(document):
    schemas = document["components"]["schemas"]
    mapping = schemas["CalculationMutation"]["discriminator"]["mapping"]
    assert set(mapping) == set(CONTRACT_SCHEMAS["CalculationMutation"]["discriminator"]["mapping"])
    contract_names = CONTRACT_SCHEMAS["BaseCalculationMutation"]["properties"]["mutation_definition_name"]["enum"]
    served_names = (
        schemas["DossierCreationCalculationMutation"]["properties"]["mutation_definition_name"]["enum"]
        + schemas["DossierCalculationMutation"]["properties"]["mutation_definition_name"]["enum"]
    )
    assert sorted(served_names) == sorted(contract_names)
    assert "dossier_id" in schemas["DossierCalculationMutation"]["required"]


@pytest.mark.parametrize("fixture", FIXTURES, ids=[fixture["id"] for fixture in FIXTURES])
def test_fixture_request_valid(document, fixture):
    errors = [error.message for error in validator(document, "CalculationRequest").iter_errors(fixture["request"])]
    assert errors == []


@pytest.mark.parametrize("fixture", FIXTURES, ids=[fixture["id"] for fixture in FIXTURES])
def test_served_response_valid(document, client, fixture):
    response = client.post("/calculation-requests", json=fixture["request"])
    errors = [error.message for error in validator(document, "CalculationResponse").iter_errors(response.json())]
    assert errors == []


def test_error_body_valid(document, client):
    response = client.post("/calculation-requests", content=b"[]", headers={"content-type": "application/json"})
    assert response.status_code == 400
    errors = [error.message for error in validator(document, "ErrorResponse").iter_errors(response.json())]
    assert errors == []


def test_schemathesis_finds_nothing(server_url, tmp_path):
    """schemathesis generates requests from the served document; no 5xx and every response matches its schema."""
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{server_url}/openapi.json",
        "--checks",
        "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance",
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        "60",
        "--seed",
        "20240601",
        "--workers",
        "1",
    ]
    # schemathesis writes a .schemathesis folder into its working directory.
    completed = subprocess.run(command, capture_output=True, text=True, timeout=240, cwd=tmp_path)
    assert completed.returncode == 0, completed.stdout[-6000:] + completed.stderr[-2000:]
