"""Shared fixtures: the real server on a loopback port and the reference fixtures."""

import json
from pathlib import Path

import httpx
import pytest

from tests.server import running_server

FIXTURE_DIR = Path(__file__).parent / "fixtures"


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
