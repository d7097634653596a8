"""Named cases of the calculation rules, sent to the real server and checked against the oracle."""

import datetime as dt

import pytest

from tests import oracle
from tests.compare import differences
from tests.server import post_calculation

DOSSIER_ID = "d-1"


def mutation(index: int, name: str, properties: dict, actual_at: str = "2020-01-01", **envelope) -> dict:
    body = {
        "mutation_id": f"m-{index}",
        "mutation_definition_name": name,
        "mutation_type": "DOSSIER_CREATION" if name == "create_dossier" else "DOSSIER",
        "actual_at": actual_at,
        "mutation_properties": properties,
    }
    if name != "create_dossier":
        body["dossier_id"] = DOSSIER_ID
    body.update(envelope)
    return body


def request_of(*steps: tuple[str, dict]) -> dict:
    mutations = [mutation(0, "create_dossier", {"dossier_id": DOSSIER_ID, "person_id": "p-1", "name": "Ann", "birth_date": "1960-02-29"})]
    mutations += [mutation(index + 1, name, properties) for index, (name, properties) in enumerate(steps)]
    return {"tenant_id": "tenant", "calculation_instructions": {"mutations": mutations}}


def policy(scheme: str, start: str, salary: float, factor: float = 1.0) -> tuple[str, dict]:
    return ("add_policy", {"scheme_id": scheme, "employment_start_date": start, "salary": salary, "part_time_factor": factor})


def codes_of(body: dict) -> list[tuple[str, str]]:
    return [(message["level"], message["code"]) for message in body["calculation_result"]["messages"]]


def check_against_oracle(client, request: dict) -> dict:
    body = post_calculation(client, request).json()
    expected = oracle.evaluate(request, dt.datetime.now(dt.timezone.utc).date())
    assert codes_of(body) == expected.messages
    assert differences(body["calculation_result"]["end_situation"]["situation"], expected.end_situation) == []
    return body


def test_clamp_warning_precedes_overflow(client):
    request = request_of(
        policy("A", "2000-01-01", 100.0),
        policy("A", "2001-01-01", 1e308),
        ("apply_indexation", {"percentage": -3}),
    )
    body = check_against_oracle(client, request)
    assert codes_of(body) == [("WARNING", "NEGATIVE_SALARY_CLAMPED"), ("CRITICAL", "NUMERIC_OVERFLOW")]
    assert "-2" in body["calculation_result"]["messages"][1]["message"]  # names the policy d-1-2


def test_overflow_message_huge_percentage(client):
    body = check_against_oracle(client, request_of(policy("A", "2000-01-01", 5.0), ("apply_indexation", {"percentage": 1e308})))
    message = body["calculation_result"]["messages"][0]["message"]
    assert message.startswith("Indexation by 1e+308 makes the salary of policy d-1-1 not a finite number")
    assert "inf" not in message


def test_indexation_minus_100_percent_no_warning(client):
    body = check_against_oracle(client, request_of(policy("A", "2000-01-01", 5000.0), ("apply_indexation", {"percentage": -1})))
    assert codes_of(body) == []
    assert body["calculation_result"]["end_situation"]["situation"]["dossier"]["policies"][0]["salary"] == 0


def test_effective_before_equal_start_not_matched(client):
    request = request_of(
        policy("A", "2010-01-01", 1000.0),
        ("apply_indexation", {"percentage": 0.5, "effective_before": "2010-01-01"}),
    )
    body = check_against_oracle(client, request)
    assert codes_of(body) == [("WARNING", "NO_MATCHING_POLICIES")]


@pytest.mark.parametrize("interval_months", [2**63 - 1, 2**64, 10**30])
def test_huge_projection_interval_one_date(client, interval_months):
    projection = {"projection_start_date": "2025-01-01", "projection_end_date": "2030-01-01", "projection_interval_months": interval_months}
    body = check_against_oracle(client, request_of(policy("A", "2000-01-01", 40000.0), ("project_future_benefits", projection)))
    projections = body["calculation_result"]["end_situation"]["situation"]["dossier"]["policies"][0]["projections"]
    assert [entry["date"] for entry in projections] == ["2025-01-01"]


def test_month_end_projection_steps(client):
    request = request_of(
        policy("A", "2000-01-31", 40000.0),
        ("project_future_benefits", {"projection_start_date": "2025-01-31", "projection_end_date": "2025-05-31", "projection_interval_months": 1}),
    )
    body = check_against_oracle(client, request)
    projections = body["calculation_result"]["end_situation"]["situation"]["dossier"]["policies"][0]["projections"]
    assert [point["date"] for point in projections] == ["2025-01-31", "2025-02-28", "2025-03-28", "2025-04-28", "2025-05-28"]


def test_retirement_zero_total_years(client):
    request = request_of(policy("A", "2030-01-01", 1000.0), ("calculate_retirement_benefit", {"retirement_date": "2026-01-01"}))
    body = check_against_oracle(client, request)
    assert codes_of(body) == [("WARNING", "RETIREMENT_BEFORE_EMPLOYMENT")]
    assert body["calculation_result"]["end_situation"]["situation"]["dossier"]["policies"][0]["attainable_pension"] == 0


@pytest.mark.parametrize(
    "properties",
    [
        {"percentage": True},
        {"percentage": "0.1"},
        {"percentage": 0.1, "scheme_id": None},
        {"percentage": 0.1, "effective_before": "2023-02-29"},
        {"percentage": 0.1, "extra": 1},
        {},
    ],
    ids=["boolean", "string", "null-filter", "invalid-date", "unknown-property", "missing"],
)
def test_invalid_indexation_properties(client, properties):
    body = check_against_oracle(client, request_of(policy("A", "2000-01-01", 1000.0), ("apply_indexation", properties)))
    assert codes_of(body) == [("CRITICAL", "INVALID_MUTATION_PROPERTIES")]


def test_other_dossier_id_not_found(client):
    request = request_of(policy("A", "2000-01-01", 1000.0))
    request["calculation_instructions"]["mutations"][1]["dossier_id"] = "someone-else"
    body = check_against_oracle(client, request)
    assert codes_of(body) == [("CRITICAL", "DOSSIER_NOT_FOUND")]
    assert "someone-else" in body["calculation_result"]["messages"][0]["message"]


def test_out_of_range_number_named(client):
    body_text = (
        '{"tenant_id":"t","calculation_instructions":{"mutations":['
        '{"mutation_id":"m-0","mutation_definition_name":"create_dossier","mutation_type":"DOSSIER_CREATION",'
        '"actual_at":"2020-01-01","mutation_properties":{"dossier_id":"d-1","person_id":"p-1","name":"Ann","birth_date":"1960-01-01"}},'
        '{"mutation_id":"m-1","mutation_definition_name":"add_policy","mutation_type":"DOSSIER","actual_at":"2020-01-01",'
        '"dossier_id":"d-1","mutation_properties":{"scheme_id":"A","employment_start_date":"2000-01-01","salary":1e400,"part_time_factor":1}}]}}'
    )
    response = post_calculation(client, body_text.encode())
    assert response.status_code == 200
    message = response.json()["calculation_result"]["messages"][0]
    assert message["code"] == "INVALID_MUTATION_PROPERTIES"
    assert "salary" in message["message"]
    assert "1e400" in message["message"]


def test_invalid_date_message_readable(client):
    body = post_calculation(client, request_of(policy("A", "2023-02-29", 1000.0))).json()
    message = body["calculation_result"]["messages"][0]["message"]
    assert "employment_start_date" in message
    assert "2023-02-29" in message
    assert "RFC3339" not in message


def test_clamp_message_plain_numbers(client):
    body = post_calculation(client, request_of(policy("A", "2000-01-01", 1000.0), ("apply_indexation", {"percentage": -2}))).json()
    message = body["calculation_result"]["messages"][0]["message"]
    assert "np.float64" not in message
    assert "1000.0" in message
