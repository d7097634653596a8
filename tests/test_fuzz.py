"""Property-based fuzzing of POST /calculation-requests with mutated fixture requests.

Whatever the body, the server returns a status below 500 and a body that
a strict JSON parser accepts (no NaN or Infinity), keeps the connection, and
still returns the expected result for a known fixture afterwards.
"""

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.compare import differences
from tests.conftest import load_fixtures

FIXTURES = load_fixtures()
REQUESTS = [fixture["request"] for fixture in FIXTURES]
EXPECTED_STATUSES = {200, 400, 413, 415}

ODD_STRINGS = ["", " ", "\x00", "a\x00b", "\u202e", "\ud7ff", "\U0001f600" * 50, "é" * 300, "x" * 5000, "[{", '"', "\\"]
ODD_NUMBERS = [0, -0.0, 1e308, -1e308, 5e-324, -5e-324, 2**63, -(2**63), 2**64 + 1, 10**30, 1.7976931348623157e308, 0.5]

junk = st.recursive(
    st.none()
    | st.booleans()
    | st.sampled_from(ODD_NUMBERS)
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(ODD_STRINGS)
    | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


def paths_of(value, prefix=()) -> list[tuple]:
    """Return the path of every node of a JSON tree, as tuples of keys and indexes."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths_of(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths_of(child, prefix + (index,))
    return found


def replace_at(tree, path: tuple, new):
    if not path:
        return new
    parent = tree
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = new
    return tree


def delete_at(tree, path: tuple):
    if not path:
        return tree
    parent = tree
    for step in path[:-1]:
        parent = parent[step]
    del parent[path[-1]]
    return tree


@st.composite
def mutated_bodies(draw) -> bytes:
    """A fixture request with a few nodes deleted or replaced by junk, possibly truncated."""
    tree = copy.deepcopy(draw(st.sampled_from(REQUESTS)))
    for _ in range(draw(st.integers(1, 4))):
        paths = paths_of(tree)
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "replace", "delete", "wrap"]))
        if action == "delete":
            tree = delete_at(tree, path)
        elif action == "wrap":
            node = tree
            for step in path:
                node = node[step]
            tree = replace_at(tree, path, draw(st.sampled_from([[node], {"x": node}, [node, node]])))
        else:
            tree = replace_at(tree, path, draw(junk))
    body = json.dumps(tree, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0:
        body = body[: draw(st.integers(0, len(body)))]
    return body


def reject_constant(name: str):
    raise ValueError(f"non-standard JSON constant {name} in the response")


def strict_json(text: str):
    return json.loads(text, parse_constant=reject_constant)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(body=mutated_bodies())
def test_mutated_request_answered(client, body):
    response = client.post("/calculation-requests", content=body, headers={"content-type": "application/json"})
    assert response.status_code in EXPECTED_STATUSES, response.text[:500]
    parsed = strict_json(response.text)
    if response.status_code == 200:
        assert parsed["calculation_metadata"]["calculation_outcome"] in ("SUCCESS", "FAILURE")
    else:
        assert set(parsed) == {"status", "message"}


@pytest.mark.parametrize("fixture", FIXTURES[:3], ids=[fixture["id"] for fixture in FIXTURES[:3]])
def test_fixture_still_correct_after_fuzzing(client, fixture):
    """Runs after the fuzz test in file order: the same worker still returns the expected result."""
    response = client.post("/calculation-requests", json=fixture["request"])
    assert response.status_code == fixture["expected"]["http_status"]
    body = response.json()
    assert differences(body["calculation_result"]["end_situation"]["situation"], fixture["expected"]["end_situation"]) == []
