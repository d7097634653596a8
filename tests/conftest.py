"""Shared fixtures: the real server on a loopback port and the reference fixtures."""

import json
import random
from pathlib import Path

import httpx
import pytest

from tests.generate import generate_request
from tests.server import post_calculation, running_server

FIXTURE_DIR = Path(__file__).parent / "fixtures"
GENERATED_COUNT = 600


def load_fixtures() -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted(FIXTURE_DIR.glob("*.json"))]


@pytest.fixture(scope="session")
def server_url():
    """Base URL of one real server process (one worker) shared by the session."""
    with running_server(workers=1) as url:
        yield url


@pytest.fixture(scope="session")
def client(server_url):
    with httpx.Client(base_url=server_url, timeout=30.0) as session_client:
        yield session_client


@pytest.fixture(scope="session")
def generated_answers(client):
    """Post the generated requests once and keep (request, response body) pairs."""
    rng = random.Random(20261204)
    answers = []
    for _ in range(GENERATED_COUNT):
        request = generate_request(rng, critical_rate=0.3)
        response = post_calculation(client, request)
        assert response.status_code == 200, response.text
        answers.append((request, response.json()))
    return answers
