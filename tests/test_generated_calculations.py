"""Generated calculations sent to the real server and checked against the plain-Python oracle."""

import datetime as dt

from tests import oracle
from tests.compare import differences, metadata_problems

ALL_CODES = {
    "UNKNOWN_MUTATION",
    "INVALID_MUTATION_TYPE",
    "INVALID_MUTATION_PROPERTIES",
    "DOSSIER_NOT_FOUND",
    "NUMERIC_OVERFLOW",
    "DOSSIER_ALREADY_EXISTS",
    "INVALID_BIRTH_DATE",
    "INVALID_NAME",
    "INVALID_SALARY",
    "INVALID_PART_TIME_FACTOR",
    "DUPLICATE_POLICY",
    "NO_POLICIES",
    "NO_MATCHING_POLICIES",
    "NEGATIVE_SALARY_CLAMPED",
    "NOT_ELIGIBLE",
    "RETIREMENT_BEFORE_EMPLOYMENT",
    "INVALID_DATE_RANGE",
    "PROJECTION_LIMIT_EXCEEDED",
    "PROJECTION_BEFORE_EMPLOYMENT",
}


def answer_problems(request: dict, body: dict) -> list[str]:
    """Return every way a response body differs from what the oracle expects for ``request``."""
    expected = oracle.evaluate(request, dt.datetime.now(dt.timezone.utc).date())
    result = body["calculation_result"]
    problems = metadata_problems(body["calculation_metadata"], request["tenant_id"])
    if body["calculation_metadata"]["calculation_outcome"] != expected.outcome:
        problems.append(f"outcome {body['calculation_metadata']['calculation_outcome']} != {expected.outcome}")

    messages = [(message["level"], message["code"]) for message in result["messages"]]
    if messages != expected.messages:
        problems.append(f"messages {messages} != {expected.messages}")
    indexes = [processed["calculation_message_indexes"] for processed in result["mutations"]]
    if indexes != expected.mutation_message_indexes:
        problems.append(f"message indexes {indexes} != {expected.mutation_message_indexes}")

    end = result["end_situation"]
    if (end["mutation_id"], end["mutation_index"], end["actual_at"]) != (
        expected.end_mutation_id,
        expected.end_mutation_index,
        expected.end_actual_at,
    ):
        problems.append(f"end_situation identity {end['mutation_id']}/{end['mutation_index']}/{end['actual_at']}")
    problems += differences(end["situation"], expected.end_situation, "$.end_situation.situation")
    return problems


def test_generated_match_oracle(generated_answers):
    failures = []
    for request, body in generated_answers:
        problems = answer_problems(request, body)
        if problems:
            failures.append((request, problems[:5]))
    assert failures[:3] == []


def test_generated_cover_every_code(generated_answers):
    seen = {message["code"] for _, body in generated_answers for message in body["calculation_result"]["messages"]}
    assert ALL_CODES - seen == set()


def oracle_situations(request: dict) -> list[dict]:
    """Return the oracle's situation after each processed mutation of ``request``."""
    return oracle.evaluate(request, dt.datetime.now(dt.timezone.utc).date()).situations_after
