"""Configurable limits and slow clients, against a real server started with small limits.

Raw sockets play the slow clients: one that stalls halfway through its body,
one that never finishes its headers, one that sends nothing, one that
disconnects mid-body. Each check waits for the server to act, with a socket
timeout far above the configured limit, and never asserts a duration.
"""

import copy
import http.client
import io
import json
import socket
import time
from types import SimpleNamespace
from urllib.parse import urlsplit

import httpx
import pytest

from api.settings import MIB, Settings
from tests.server import running_server

SMALL_LIMITS = {
    "MAX_BODY_BYTES": "4096",
    "MAX_MUTATIONS": "3",
    "MAX_JSON_DEPTH": "10",
    "MAX_PROJECTION_DATES": "12",
    "MAX_RESPONSE_VALUES": "20",
    "BODY_READ_TIMEOUT_SECONDS": "1",
    "HEADER_READ_TIMEOUT_SECONDS": "1",
    "KEEP_ALIVE_TIMEOUT_SECONDS": "1",
}
# Far above every timeout in SMALL_LIMITS: a socket still open after this long was not cut off.
WAIT_SECONDS = 15.0

CREATE = {
    "mutation_id": "m-1",
    "mutation_definition_name": "create_dossier",
    "mutation_type": "DOSSIER_CREATION",
    "actual_at": "2020-01-01",
    "mutation_properties": {"dossier_id": "d-1", "person_id": "p-1", "name": "Jane", "birth_date": "1960-01-01"},
}
ADD_POLICY = {
    "mutation_id": "m-2",
    "mutation_definition_name": "add_policy",
    "mutation_type": "DOSSIER",
    "dossier_id": "d-1",
    "actual_at": "2020-01-01",
    "mutation_properties": {"scheme_id": "s", "employment_start_date": "2000-01-01", "salary": 1000, "part_time_factor": 1},
}
VALID_REQUEST = {"tenant_id": "t", "calculation_instructions": {"mutations": [CREATE]}}


@pytest.fixture(scope="module")
def limited_url():
    with running_server(workers=1, env=SMALL_LIMITS) as url:
        yield url


@pytest.fixture(scope="module")
def limited(limited_url):
    with httpx.Client(base_url=limited_url, timeout=30.0) as client:
        yield client


def connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=WAIT_SECONDS)
    return sock


def request_head(length: int) -> bytes:
    return (
        b"POST /calculation-requests HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {length}\r\n\r\n".encode()
    )


def read_until_closed(sock: socket.socket) -> bytes:
    """Read until the server closes the connection; a reset counts as closed."""
    received = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk


def assert_served(client: httpx.Client) -> None:
    response = client.post("/calculation-requests", json=VALID_REQUEST)
    assert response.status_code == 200
    assert response.json()["calculation_metadata"]["calculation_outcome"] == "SUCCESS"


# --- request limits -------------------------------------------------------------------


def test_mutations_at_limit_accepted(limited):
    mutations = [CREATE, ADD_POLICY, {**ADD_POLICY, "mutation_id": "m-3"}]
    response = limited.post("/calculation-requests", json={"tenant_id": "t", "calculation_instructions": {"mutations": mutations}})
    assert response.status_code == 200


def test_mutations_over_limit_400(limited):
    mutations = [CREATE] + [{**ADD_POLICY, "mutation_id": f"m-{i}"} for i in range(2, 5)]
    response = limited.post("/calculation-requests", json={"tenant_id": "t", "calculation_instructions": {"mutations": mutations}})
    assert response.status_code == 400
    message = response.json()["message"]
    assert "4 mutations exceed the limit of 3 per request" in message
    assert "`$.calculation_instructions.mutations`" in message


def test_depth_at_limit_accepted(limited):
    mutation = copy.deepcopy(CREATE)
    # $ > calculation_instructions > mutations > mutation > mutation_properties > 5 nested lists = 10 levels.
    mutation["mutation_properties"]["junk"] = [[[[[]]]]]
    response = limited.post("/calculation-requests", json={"tenant_id": "t", "calculation_instructions": {"mutations": [mutation]}})
    assert response.status_code == 200
    assert response.json()["calculation_result"]["messages"][0]["code"] == "INVALID_MUTATION_PROPERTIES"


def test_depth_over_limit_400(limited):
    mutation = copy.deepcopy(CREATE)
    mutation["mutation_properties"]["junk"] = [[[[[[]]]]]]
    response = limited.post("/calculation-requests", json={"tenant_id": "t", "calculation_instructions": {"mutations": [mutation]}})
    assert response.status_code == 400
    assert "nest 11 levels deep, more than the limit of 10" in response.json()["message"]


def test_body_limit_from_setting(limited):
    response = limited.post("/calculation-requests", content=b" " * 4097, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert "4096 bytes" in response.json()["message"]


def projection(end: str, interval_months: int) -> dict:
    """Return a projection mutation from 2020-01-01 to ``end`` every ``interval_months`` months."""
    return {
        "mutation_id": "m-3",
        "mutation_definition_name": "project_future_benefits",
        "mutation_type": "DOSSIER",
        "dossier_id": "d-1",
        "actual_at": "2020-01-01",
        "mutation_properties": {
            "projection_start_date": "2020-01-01",
            "projection_end_date": end,
            "projection_interval_months": interval_months,
        },
    }


def yearly_projection(dates: int) -> dict:
    """Return a projection mutation of ``dates`` yearly dates from 2020-01-01."""
    return projection(f"{2019 + dates}-01-01", 12)


def test_projection_limit_from_setting(limited):
    request = {"tenant_id": "t", "calculation_instructions": {"mutations": [CREATE, ADD_POLICY, projection("2021-06-01", 1)]}}
    messages = limited.post("/calculation-requests", json=request).json()["calculation_result"]["messages"]
    assert messages[-1]["code"] == "PROJECTION_LIMIT_EXCEEDED"
    assert "more than 12 projection dates" in messages[-1]["message"]


def test_response_values_at_limit_accepted(limited):
    # Reserved: create 2, add_policy 3, projection 11 dates + 4 per policy = 20, the limit.
    request = {"tenant_id": "t", "calculation_instructions": {"mutations": [CREATE, ADD_POLICY, yearly_projection(11)]}}
    body = limited.post("/calculation-requests", json=request).json()
    assert body["calculation_metadata"]["calculation_outcome"] == "SUCCESS"


def test_response_values_over_limit_critical(limited):
    request = {"tenant_id": "t", "calculation_instructions": {"mutations": [CREATE, ADD_POLICY, yearly_projection(12)]}}
    result = limited.post("/calculation-requests", json=request).json()["calculation_result"]
    message = result["messages"][-1]
    assert message["level"] == "CRITICAL"
    assert message["code"] == "RESPONSE_LIMIT_EXCEEDED"
    assert "limit of 20 per request" in message["message"]
    end = result["end_situation"]
    assert end["mutation_id"] == "m-2"
    assert end["situation"]["dossier"]["policies"][0]["projections"] is None


def test_quadratic_request_cut_short(client):
    # 2,000 policies indexed 2,500 times asked for an 820 MB response before the limit existed.
    add = [{**ADD_POLICY, "mutation_id": f"a-{i}"} for i in range(2_000)]
    index = [
        {
            "mutation_id": f"i-{i}",
            "mutation_definition_name": "apply_indexation",
            "mutation_type": "DOSSIER",
            "dossier_id": "d-1",
            "actual_at": "2020-01-01",
            "mutation_properties": {"percentage": 0.01},
        }
        for i in range(2_500)
    ]
    request = {"tenant_id": "t", "calculation_instructions": {"mutations": [CREATE, *add, *index]}}
    response = client.post("/calculation-requests", json=request)
    assert response.status_code == 200
    assert len(response.content) < 64 * MIB
    result = response.json()["calculation_result"]
    assert result["messages"][-1]["code"] == "RESPONSE_LIMIT_EXCEEDED"
    # (500,000 - 2 - 3 * 2,000) // (3 * 2,000 + 1) indexations fit.
    applied = result["end_situation"]["mutation_index"] - 2_000
    assert applied == 82
    salary = result["end_situation"]["situation"]["dossier"]["policies"][0]["salary"]
    assert salary == pytest.approx(1000 * 1.01**applied, rel=1e-12)


def test_message_heavy_request_cut_short(client):
    # Ids of the longest length, 400 policies that start after the retirement date (a warning each) and
    # 2,000 retirements: messages grow with mutations times policies until the limit stops them.
    dossier_id = "d" * 128
    create = {**CREATE, "mutation_properties": {**CREATE["mutation_properties"], "dossier_id": dossier_id}}
    envelope = {"mutation_type": "DOSSIER", "dossier_id": dossier_id, "actual_at": "2020-01-01"}
    later = {"scheme_id": "s", "employment_start_date": "2030-01-01", "salary": 1000, "part_time_factor": 1}
    earlier = {**later, "employment_start_date": "1990-01-01"}
    mutations = [create]
    for i, properties in enumerate([*[later] * 400, earlier]):
        mutations.append({**envelope, "mutation_id": f"a-{i}", "mutation_definition_name": "add_policy", "mutation_properties": properties})
    for i in range(2_000):
        retire = {"mutation_id": f"r-{i}", "mutation_definition_name": "calculate_retirement_benefit", "mutation_properties": {"retirement_date": "2026-01-01"}}
        mutations.append({**envelope, **retire})
    response = client.post("/calculation-requests", json={"tenant_id": "t", "calculation_instructions": {"mutations": mutations}})
    assert response.status_code == 200
    assert len(response.content) < 64 * MIB
    assert response.json()["calculation_result"]["messages"][-1]["code"] == "RESPONSE_LIMIT_EXCEEDED"


# --- slow and stuck clients ---------------------------------------------------------------


def test_stalled_body_cut_off_408(limited_url, limited):
    body = json.dumps(VALID_REQUEST).encode()
    stalled = connect(limited_url)
    stalled.sendall(request_head(len(body)) + body[: len(body) // 2])

    assert_served(limited)  # another client is not blocked

    answer = read_until_closed(stalled)
    stalled.close()
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b"connection: close" in answer.lower()
    assert b'"status":408' in answer
    assert b"not received within 1 s" in answer


def test_many_stalled_bodies_block_nobody(limited_url, limited):
    body = json.dumps(VALID_REQUEST).encode()
    stalled = [connect(limited_url) for _ in range(20)]
    for sock in stalled:
        sock.sendall(request_head(len(body)) + body[:10])

    for _ in range(5):
        assert_served(limited)

    for sock in stalled:
        assert read_until_closed(sock).startswith(b"HTTP/1.1 408 ")
        sock.close()


def test_stalled_headers_closed(limited_url, limited):
    stalled = connect(limited_url)
    stalled.sendall(b"POST /calculation-requests HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty")

    assert_served(limited)

    assert read_until_closed(stalled) == b""
    stalled.close()


def test_silent_connection_closed(limited_url, limited):
    silent = connect(limited_url)
    assert_served(limited)
    assert read_until_closed(silent) == b""
    silent.close()


def test_idle_keep_alive_closed(limited_url):
    body = json.dumps(VALID_REQUEST).encode()
    sock = connect(limited_url)
    sock.sendall(request_head(len(body)) + body)
    answer = read_until_closed(sock)
    sock.close()
    assert answer.startswith(b"HTTP/1.1 200 ")


def test_disconnect_mid_body_harmless(limited_url, limited):
    body = json.dumps(VALID_REQUEST).encode()
    for _ in range(20):
        sock = connect(limited_url)
        sock.sendall(request_head(len(body)) + body[:20])
        sock.close()
    assert_served(limited)
    assert limited.get("/health").json()["status"] == "ok"


def test_connection_cap_503():
    env = {"MAX_CONNECTIONS": "3", "HEADER_READ_TIMEOUT_SECONDS": "60"}
    with running_server(workers=1, env=env) as url:
        idle = [connect(url) for _ in range(3)]
        with httpx.Client(base_url=url, timeout=30.0) as client:
            unavailable = client.get("/health")
            assert unavailable.status_code == 503
            assert unavailable.headers["content-type"] == "application/json"
            assert "MAX_CONNECTIONS" in unavailable.json()["message"]
            for sock in idle:
                sock.close()
            statuses = []
            for _ in range(50):  # the server notices the closed sockets a moment later
                statuses.append(client.get("/health").status_code)
                if statuses[-1] == 200:
                    break
                time.sleep(0.1)
            assert statuses[-1] == 200


# --- HTTP that cannot be parsed ---------------------------------------------------------------


class _Unclosable(io.BytesIO):
    """A byte stream that stays open when one HTTP response on it is closed."""

    def close(self) -> None:
        pass


def read_responses(data: bytes) -> list[tuple[int, str, bytes]]:
    """Split the bytes a connection received into (status, Content-Type, body) per response."""
    stream = _Unclosable(data)
    fake_socket = SimpleNamespace(makefile=lambda *args, **kwargs: stream)
    responses = []
    while stream.tell() < len(data):
        response = http.client.HTTPResponse(fake_socket)
        response.begin()
        responses.append((response.status, response.getheader("content-type"), response.read()))
    return responses


def post_bytes(url: str, payload: bytes) -> list[tuple[int, str, bytes]]:
    """Send raw bytes on a new connection and return the responses received until the server closes it."""
    sock = connect(url)
    sock.sendall(payload)
    received = read_until_closed(sock)
    sock.close()
    return read_responses(received)


def test_unparsable_http_json_400(limited_url):
    [(status, content_type, body)] = post_bytes(limited_url, b"GARBAGE\r\n\r\n")
    assert status == 400
    assert content_type == "application/json"
    assert json.loads(body) == {
        "status": 400,
        "message": "Invalid HTTP request: the request line, headers or framing could not be parsed",
    }


def test_pipelined_request_answered_before_400(limited_url):
    body = json.dumps(VALID_REQUEST).encode()
    valid = request_head(len(body)) + body
    responses = post_bytes(limited_url, valid + valid + b"GARBAGE\r\n\r\n")
    assert [status for status, _, _ in responses] == [200, 200, 400]
    for _, _, answer in responses[:2]:
        assert json.loads(answer)["calculation_metadata"]["calculation_outcome"] == "SUCCESS"


def test_bad_chunk_framing_400_not_408(limited_url, limited):
    # The request whose body fails to parse gets its 400 at once, not a 408 when its body times out.
    head = b"POST /calculation-requests HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    [(status, _, _)] = post_bytes(limited_url, head + b'5\r\n{"a":\r\nZZZ\r\n')
    assert status == 400
    assert_served(limited)


# --- settings ----------------------------------------------------------------------------------


def test_settings_defaults(monkeypatch):
    for name in (*SMALL_LIMITS, "MAX_CONNECTIONS"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_environment()
    assert settings.max_body_bytes == MIB
    assert settings.max_mutations == 10_000
    assert settings.max_json_depth == 64
    assert settings.limits.max_projection_dates == 1200
    assert settings.limits.max_response_values == 500_000
    assert settings.body_read_timeout_seconds == 15.0
    assert settings.header_read_timeout_seconds == 10.0
    assert settings.keep_alive_timeout_seconds == 5.0
    assert settings.max_connections == 1000


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MAX_BODY_BYTES", "0"),
        ("MAX_MUTATIONS", "many"),
        ("MAX_JSON_DEPTH", "513"),
        ("MAX_JSON_DEPTH", "7"),
        ("MAX_RESPONSE_VALUES", "0"),
        ("BODY_READ_TIMEOUT_SECONDS", "0"),
        ("HEADER_READ_TIMEOUT_SECONDS", "nan"),
        ("KEEP_ALIVE_TIMEOUT_SECONDS", "-1"),
    ],
)
def test_settings_invalid_value_rejected(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit, match=name):
        Settings.from_environment()
