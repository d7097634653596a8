"""The plain-Python oracle against the reference fixtures, and the request generator's coverage."""

import datetime
import json
import random

import pytest

from tests import oracle
from tests.compare import differences
from tests.conftest import load_fixtures
from tests.generate import generate_request, generate_valid_request

FIXTURES = load_fixtures()
# Generated birth dates lie before 2006 or from 2100 on, so any date in between works.
TODAY = datetime.date(2025, 6, 1)
COVERAGE_SEEDS = range(400)

MUTATION_NAMES = set(oracle.MUTATION_DEFINITIONS)
# SCHEME_REGISTRY_UNAVAILABLE is missing because the oracle takes accrual rates as input.
MESSAGE_CODES = {
    "UNKNOWN_MUTATION", "INVALID_MUTATION_TYPE", "INVALID_MUTATION_PROPERTIES", "DOSSIER_NOT_FOUND",
    "DOSSIER_ALREADY_EXISTS", "INVALID_BIRTH_DATE", "INVALID_NAME",
    "INVALID_SALARY", "INVALID_PART_TIME_FACTOR", "DUPLICATE_POLICY",
    "NO_POLICIES", "NO_MATCHING_POLICIES", "NEGATIVE_SALARY_CLAMPED",
    "NOT_ELIGIBLE", "RETIREMENT_BEFORE_EMPLOYMENT",
    "INVALID_DATE_RANGE", "PROJECTION_LIMIT_EXCEEDED", "PROJECTION_BEFORE_EMPLOYMENT",
    "NUMERIC_OVERFLOW",
}


def _mutations(request: dict) -> list[dict]:
    return request["calculation_instructions"]["mutations"]


def _request(*mutations: dict) -> dict:
    """Wrap mutations in an envelope, numbering ids and using one actual_at."""
    numbered = [{"mutation_id": f"m{index}", "actual_at": "2020-01-01", **m} for index, m in enumerate(mutations)]
    return {"tenant_id": "t", "calculation_instructions": {"mutations": numbered}}


def _create(birth_date: str = "1960-06-15") -> dict:
    properties = {"dossier_id": "D", "person_id": "P", "name": "Jane", "birth_date": birth_date}
    return {"mutation_definition_name": "create_dossier", "mutation_type": "DOSSIER_CREATION", "mutation_properties": properties}


def _dossier_mutation(name: str, **properties) -> dict:
    return {"mutation_definition_name": name, "mutation_type": "DOSSIER", "dossier_id": "D", "mutation_properties": properties}


def _policy(start: str = "2000-01-01", salary=50000, part_time_factor=1) -> dict:
    return _dossier_mutation(
        "add_policy", scheme_id="S", employment_start_date=start, salary=salary, part_time_factor=part_time_factor
    )


@pytest.mark.parametrize("fixture", FIXTURES, ids=[fixture["id"] for fixture in FIXTURES])
def test_oracle_reproduces_fixture(fixture):
    expected = fixture["expected"]
    evaluation = oracle.evaluate(fixture["request"], TODAY)

    assert evaluation.outcome == expected["calculation_outcome"]
    assert len(evaluation.messages) == expected["message_count"]
    assert evaluation.messages == [(m["level"], m["code"]) for m in expected["messages"]]
    assert evaluation.processed_count == expected["mutations_processed_count"]
    assert evaluation.end_mutation_id == expected["end_situation_mutation_id"]
    assert evaluation.end_mutation_index == expected["end_situation_mutation_index"]
    assert evaluation.end_actual_at == expected["end_situation_actual_at"]
    assert differences(evaluation.end_situation, expected["end_situation"]) == []


def test_oracle_indexes_every_message_once():
    for fixture in FIXTURES:
        evaluation = oracle.evaluate(fixture["request"], TODAY)
        flattened = [index for indexes in evaluation.mutation_message_indexes for index in indexes]
        assert flattened == list(range(len(evaluation.messages))), fixture["id"]
        assert len(evaluation.mutation_message_indexes) == evaluation.processed_count
        assert len(evaluation.situations_after) == evaluation.processed_count


def test_projection_dates_step_from_previous_date():
    dates = oracle.projection_dates(datetime.date(2025, 1, 31), datetime.date(2025, 3, 31), 1)

    assert dates == [datetime.date(2025, 1, 31), datetime.date(2025, 2, 28), datetime.date(2025, 3, 28)]


def test_projection_limit_boundary():
    start = datetime.date(2000, 1, 31)
    dates = oracle.projection_dates(start, datetime.date(9999, 12, 31), 1)
    last_allowed = dates[oracle.MAX_PROJECTION_DATES - 1].isoformat()
    first_too_many = dates[oracle.MAX_PROJECTION_DATES].isoformat()
    project = "project_future_benefits"

    at_limit = _request(_create(), _policy(), _dossier_mutation(
        project, projection_start_date="2000-01-31", projection_end_date=last_allowed, projection_interval_months=1))
    over_limit = _request(_create(), _policy(), _dossier_mutation(
        project, projection_start_date="2000-01-31", projection_end_date=first_too_many, projection_interval_months=1))

    at_limit_evaluation = oracle.evaluate(at_limit, TODAY)
    assert at_limit_evaluation.outcome == "SUCCESS"
    assert len(at_limit_evaluation.end_situation["dossier"]["policies"][0]["projections"]) == 1200
    assert oracle.evaluate(over_limit, TODAY).messages == [("CRITICAL", "PROJECTION_LIMIT_EXCEEDED")]


def test_oracle_property_checks():
    cases = [
        (_policy(salary=True), "INVALID_MUTATION_PROPERTIES"),
        (_policy(start="2023-02-29"), "INVALID_MUTATION_PROPERTIES"),
        (_dossier_mutation("apply_indexation", percentage=0.1, scheme_id=""), "INVALID_MUTATION_PROPERTIES"),
        (_dossier_mutation("calculate_retirement_benefit", retirement_date="2030-01-01", extra=1), "INVALID_MUTATION_PROPERTIES"),
        (_policy(salary=-1, part_time_factor=2), "INVALID_SALARY"),
        (_policy(part_time_factor=1.5), "INVALID_PART_TIME_FACTOR"),
    ]
    for mutation, code in cases:
        evaluation = oracle.evaluate(_request(_create(), mutation), TODAY)
        assert evaluation.messages == [("CRITICAL", code)], mutation
        assert evaluation.end_mutation_index == 0


def test_oracle_interval_must_be_positive_integer():
    for interval in (0, -1, 12.0, True, "12"):
        projection = _dossier_mutation(
            "project_future_benefits",
            projection_start_date="2025-01-01",
            projection_end_date="2026-01-01",
            projection_interval_months=interval,
        )
        evaluation = oracle.evaluate(_request(_create(), _policy(), projection), TODAY)
        assert evaluation.messages == [("CRITICAL", "INVALID_MUTATION_PROPERTIES")], interval


def test_oracle_clamps_only_negative_salaries():
    for percentage, expected_messages in ((-1.0, []), (-1.5, [("WARNING", "NEGATIVE_SALARY_CLAMPED")])):
        indexation = _dossier_mutation("apply_indexation", percentage=percentage)
        evaluation = oracle.evaluate(_request(_create(), _policy(), indexation), TODAY)
        assert evaluation.messages == expected_messages, percentage
        assert evaluation.end_situation["dossier"]["policies"][0]["salary"] == 0.0


def test_oracle_overflow_changes_nothing():
    indexation = _dossier_mutation("apply_indexation", percentage=0.5)
    evaluation = oracle.evaluate(_request(_create(), _policy(salary=1.5e308), indexation), TODAY)

    assert evaluation.messages == [("CRITICAL", "NUMERIC_OVERFLOW")]
    assert evaluation.situations_after[2] == evaluation.situations_after[1]
    assert evaluation.end_situation["dossier"]["policies"][0]["salary"] == 1.5e308


def test_oracle_uses_scheme_rates():
    retirement = _dossier_mutation("calculate_retirement_benefit", retirement_date="2030-01-01")
    request = _request(_create(), _policy(), retirement)

    default = oracle.evaluate(request, TODAY).end_situation["dossier"]["policies"][0]["attainable_pension"]
    custom = oracle.evaluate(request, TODAY, {"S": 0.03}).end_situation["dossier"]["policies"][0]["attainable_pension"]
    assert custom == pytest.approx(default * 1.5)


def test_generator_is_deterministic():
    for seed in range(50):
        assert generate_request(random.Random(seed)) == generate_request(random.Random(seed))
        assert generate_valid_request(random.Random(seed), 3, True) == generate_valid_request(random.Random(seed), 3, True)
    assert generate_request(random.Random(1)) != generate_request(random.Random(2))


def test_generated_requests_are_well_formed():
    for seed in range(200):
        request = generate_request(random.Random(seed), critical_rate=0.5)
        mutations = _mutations(request)
        ids = [m["mutation_id"] for m in mutations]
        dates = [m["actual_at"] for m in mutations]

        assert json.loads(json.dumps(request)) == request, seed
        assert len(set(ids)) == len(ids), seed
        assert dates == sorted(dates), seed
        assert mutations[0]["mutation_definition_name"] == "create_dossier", seed
        for mutation in mutations:
            if mutation["mutation_type"] == "DOSSIER":
                assert isinstance(mutation["dossier_id"], str), seed


def test_generator_covers_mutations_and_codes():
    names: set[str] = set()
    codes: set[str] = set()
    outcomes: set[str] = set()
    for seed in COVERAGE_SEEDS:
        request = generate_request(random.Random(seed), critical_rate=0.5)
        evaluation = oracle.evaluate(request, TODAY)
        names.update(m["mutation_definition_name"] for m in _mutations(request))
        codes.update(code for _, code in evaluation.messages)
        outcomes.add(evaluation.outcome)

    assert MUTATION_NAMES - names == set()
    assert names - MUTATION_NAMES != set(), "no unknown mutation names were generated"
    assert MESSAGE_CODES - codes == set()
    assert outcomes == {"SUCCESS", "FAILURE"}


def test_generator_default_rate_mostly_succeeds():
    outcomes = [oracle.evaluate(generate_request(random.Random(seed)), TODAY).outcome for seed in COVERAGE_SEEDS]

    assert outcomes.count("SUCCESS") > len(outcomes) // 2
    assert outcomes.count("FAILURE") > 0


def test_valid_requests_succeed():
    for seed in range(200):
        rng = random.Random(seed)
        n_policies = seed % 7
        with_projection = seed % 2 == 0
        evaluation = oracle.evaluate(generate_valid_request(rng, n_policies, with_projection), TODAY)
        assert evaluation.outcome == "SUCCESS", seed

        policies = evaluation.end_situation["dossier"]["policies"]
        assert len(policies) == n_policies, seed
        if with_projection and n_policies:
            assert all(policy["projections"] for policy in policies), seed
