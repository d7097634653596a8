"""The reference fixtures, sent to the real server."""

import pytest

from tests.compare import differences, metadata_problems
from tests.conftest import load_fixtures
from tests.server import post_calculation

FIXTURES = load_fixtures()


@pytest.mark.parametrize("fixture", FIXTURES, ids=[fixture["id"] for fixture in FIXTURES])
def test_fixture_answered(client, fixture):
    expected = fixture["expected"]
    response = post_calculation(client, fixture["request"])
    assert response.status_code == expected["http_status"]

    body = response.json()
    metadata = body["calculation_metadata"]
    result = body["calculation_result"]
    assert metadata_problems(metadata, fixture["request"]["tenant_id"]) == []
    assert metadata["calculation_outcome"] == expected["calculation_outcome"]

    assert len(result["messages"]) == expected["message_count"]
    for message, expected_message in zip(result["messages"], expected["messages"]):
        assert message["level"] == expected_message["level"]
        assert message["code"] == expected_message["code"]
    assert [message["id"] for message in result["messages"]] == list(range(len(result["messages"])))

    request_mutations = fixture["request"]["calculation_instructions"]["mutations"]
    assert len(result["mutations"]) == expected["mutations_processed_count"]
    for processed, sent in zip(result["mutations"], request_mutations):
        assert processed["mutation"] == sent

    end = result["end_situation"]
    assert end["mutation_id"] == expected["end_situation_mutation_id"]
    assert end["mutation_index"] == expected["end_situation_mutation_index"]
    assert end["actual_at"] == expected["end_situation_actual_at"]
    assert differences(end["situation"], expected["end_situation"]) == []

    assert result["initial_situation"] == {"actual_at": request_mutations[0]["actual_at"], "situation": {"dossier": None}}
