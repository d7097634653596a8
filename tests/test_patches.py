"""JSON patches of every processed mutation, applied with an independent RFC 6902 library."""

import copy
import random

import jsonpatch
import pytest

from tests.compare import differences
from tests.conftest import load_fixtures

EMPTY_SITUATION = {"dossier": None}
FIXTURES = load_fixtures()


def replay_problems(body: dict) -> list[str]:
    """Replay the forward patches from the empty situation and undo each with its backward patch."""
    result = body["calculation_result"]
    problems = []
    situation = copy.deepcopy(EMPTY_SITUATION)
    for index, processed in enumerate(result["mutations"]):
        forward = processed["forward_patch_to_situation_after_this_mutation"]
        backward = processed["backward_patch_to_previous_situation"]
        if (forward == []) != (backward == []):
            problems.append(f"mutation {index}: only one of the two patches is empty")

        after = jsonpatch.apply_patch(situation, forward)
        restored = jsonpatch.apply_patch(after, backward)
        if restored != situation:
            problems.append(f"mutation {index}: the backward patch does not restore the previous situation")
        situation = after

    problems += differences(situation, result["end_situation"]["situation"], "$.replayed")
    return problems


@pytest.mark.parametrize("fixture", FIXTURES, ids=[fixture["id"] for fixture in FIXTURES])
def test_fixture_patches_replay(client, fixture):
    body = client.post("/calculation-requests", json=fixture["request"]).json()
    assert replay_problems(body) == []


def test_generated_patches_replay(generated_answers):
    failures = [(request, problems) for request, body in generated_answers if (problems := replay_problems(body))]
    assert failures[:3] == []


def test_generated_patches_match_oracle_steps(generated_answers):
    """The situation after each forward patch equals the oracle's situation after that mutation."""
    from tests.test_generated_calculations import oracle_situations

    failures = []
    for request, body in random.Random(7).sample(generated_answers, 200):
        situation = copy.deepcopy(EMPTY_SITUATION)
        expected_steps = oracle_situations(request)
        for index, processed in enumerate(body["calculation_result"]["mutations"]):
            situation = jsonpatch.apply_patch(situation, processed["forward_patch_to_situation_after_this_mutation"])
            problems = differences(situation, expected_steps[index], f"$.after[{index}]")
            if problems:
                failures.append((request["calculation_instructions"]["mutations"][index], problems[:3]))
                break
    assert failures[:3] == []


def test_failed_mutation_has_empty_patches(generated_answers):
    for _, body in generated_answers:
        result = body["calculation_result"]
        if body["calculation_metadata"]["calculation_outcome"] == "FAILURE":
            last = result["mutations"][-1]
            assert last["forward_patch_to_situation_after_this_mutation"] == []
            assert last["backward_patch_to_previous_situation"] == []
