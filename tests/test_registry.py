"""Scheme registry lookups, tested against the real server and a real registry double on loopback."""

import copy
import datetime as dt
import json
import logging
import threading
import time
from pathlib import Path

import httpx
import msgspec
import pytest

from api.registry import fetch_rates, scheme_ids_to_look_up
from api.registry_lookup import Backoff, FailureLog, LookupFailed, parse_rate, scheme_path
from model import wire
from tests.registry_double import CLOSE, MALFORMED, OUT_OF_RANGE, SERVER_ERROR, closed_port_url, running_registry
from tests.server import post_calculation, running_server

FIXTURE_DIR = Path(__file__).parent / "fixtures"
C07 = json.loads((FIXTURE_DIR / "C07-full-happy-path.json").read_text())
B01 = json.loads((FIXTURE_DIR / "B01-project-future-benefits.json").read_text())
DEFAULT_RATE = 0.02
UNAVAILABLE = "SCHEME_REGISTRY_UNAVAILABLE"


# --- helpers ---------------------------------------------------------------------------


def with_schemes(fixture: dict, renames: dict[str, str]) -> dict:
    """Return the fixture's request with its scheme ids renamed, so each test starts uncached."""
    request = copy.deepcopy(fixture["request"])
    for mutation in request["calculation_instructions"]["mutations"]:
        properties = mutation["mutation_properties"]
        if "scheme_id" in properties:
            properties["scheme_id"] = renames.get(properties["scheme_id"], properties["scheme_id"])
    return request


def retirement_request(scheme_ids: list[str]) -> dict:
    """A dossier with one policy per scheme id, all since 1990, retiring on 2025-01-01."""
    dossier_id = "D-1"
    mutations = [
        {
            "mutation_id": "m-0",
            "mutation_definition_name": "create_dossier",
            "mutation_type": "DOSSIER_CREATION",
            "actual_at": "2020-01-01",
            "mutation_properties": {"dossier_id": dossier_id, "person_id": "P-1", "name": "Ann", "birth_date": "1958-03-01"},
        }
    ]
    for index, scheme_id in enumerate(scheme_ids, start=1):
        mutations.append(
            {
                "mutation_id": f"m-{index}",
                "mutation_definition_name": "add_policy",
                "mutation_type": "DOSSIER",
                "actual_at": "2020-01-01",
                "dossier_id": dossier_id,
                "mutation_properties": {
                    "scheme_id": scheme_id,
                    "employment_start_date": "1990-01-01",
                    "salary": 40000,
                    "part_time_factor": 1,
                },
            }
        )
    mutations.append(
        {
            "mutation_id": "m-last",
            "mutation_definition_name": "calculate_retirement_benefit",
            "mutation_type": "DOSSIER",
            "actual_at": "2025-01-01",
            "dossier_id": dossier_id,
            "mutation_properties": {"retirement_date": "2025-01-01"},
        }
    )
    return {"tenant_id": "registry", "calculation_instructions": {"mutations": mutations}}


def policies(body: dict) -> list[dict]:
    return body["calculation_result"]["end_situation"]["situation"]["dossier"]["policies"]


def unavailable_messages(body: dict) -> list[dict]:
    return [message for message in body["calculation_result"]["messages"] if message["code"] == UNAVAILABLE]


def hand_computed_c07(rates: tuple[float, float]) -> list[float]:
    """Attainable pensions of the C07 dossier: salaries after the 3 % indexation, retirement on 2025-01-01."""
    retirement = dt.date(2025, 1, 1)
    salaries = [50000 * 1.03, 60000 * 1.03]
    factors = [1.0, 0.8]
    starts = [dt.date(2000, 1, 1), dt.date(2010, 1, 1)]
    years = [(retirement - start).days / 365.25 for start in starts]
    weighted_average = sum(s * f * y for s, f, y in zip(salaries, factors, years)) / sum(years)
    return [weighted_average * y * rate for y, rate in zip(years, rates)]


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def registry():
    with running_registry() as double:
        yield double


@pytest.fixture(scope="module")
def registry_client(registry):
    with running_server(env={"SCHEME_REGISTRY_URL": registry.url}) as url:
        with httpx.Client(base_url=url, timeout=30.0) as client:
            yield client


@pytest.fixture
def double(registry):
    registry.reset_counters()
    return registry


# --- rates change the results ------------------------------------------------------------


def test_rate_changes_attainable_pension(registry_client, double):
    double.set_scheme("C07-A", rate=0.025)
    double.set_scheme("C07-B", rate=0.025)
    request = with_schemes(C07, {"SCHEME-A": "C07-A", "SCHEME-B": "C07-B"})

    body = post_calculation(registry_client, request).json()

    expected = hand_computed_c07((0.025, 0.025))
    actual = [policy["attainable_pension"] for policy in policies(body)]
    assert actual == pytest.approx(expected, abs=0.01)
    assert actual[0] == pytest.approx(25365.842077464913 * 1.25, abs=0.01)
    assert body["calculation_result"]["messages"] == []


def test_each_scheme_has_its_own_rate(registry_client, double):
    double.set_scheme("C07-RATE-A", rate=0.025)
    double.set_scheme("C07-RATE-B", rate=0.03)
    request = with_schemes(C07, {"SCHEME-A": "C07-RATE-A", "SCHEME-B": "C07-RATE-B"})

    body = post_calculation(registry_client, request).json()

    actual = [policy["attainable_pension"] for policy in policies(body)]
    assert actual == pytest.approx(hand_computed_c07((0.025, 0.03)), abs=0.01)


def test_rate_changes_projections(registry_client, double):
    double.set_scheme("B01-A", rate=0.025)
    double.set_scheme("B01-B", rate=0.01)
    request = with_schemes(B01, {"SCHEME-A": "B01-A", "SCHEME-B": "B01-B"})

    body = post_calculation(registry_client, request).json()

    expected_policies = B01["expected"]["end_situation"]["dossier"]["policies"]
    for policy, expected, rate in zip(policies(body), expected_policies, (0.025, 0.01)):
        # The fixture's projections use 0.02; each policy's pension is proportional to its own rate.
        scaled = [projection["projected_pension"] * rate / DEFAULT_RATE for projection in expected["projections"]]
        assert [projection["projected_pension"] for projection in policy["projections"]] == pytest.approx(scaled, abs=0.01)


def test_scheme_id_is_url_encoded(registry_client, double):
    scheme_id = "A/B C?x=1#%2F"
    double.set_scheme(scheme_id, rate=0.03)

    body = post_calculation(registry_client, retirement_request([scheme_id])).json()

    assert double.requests_for(scheme_id) == 1
    assert unavailable_messages(body) == []
    assert scheme_path(scheme_id) == "/schemes/A%2FB%20C%3Fx%3D1%23%252F"


def test_no_lookup_without_rate_mutation(registry_client, double):
    request = retirement_request(["NO-RATE-MUTATION"])
    request["calculation_instructions"]["mutations"].pop()

    response = post_calculation(registry_client, request)

    assert response.status_code == 200
    assert double.requests == 0


# --- caching, concurrency and connection reuse ------------------------------------------------


def test_repeat_request_makes_no_new_call(registry_client, double):
    request = retirement_request(["REPEAT-1", "REPEAT-2"])

    first = post_calculation(registry_client, request).json()
    second = post_calculation(registry_client, request).json()

    assert double.requests == 2
    assert policies(second) == policies(first)


def test_six_schemes_fetched_concurrently(registry_client, double):
    scheme_ids = [f"SIX-{index}" for index in range(6)]
    for scheme_id in scheme_ids:
        double.set_scheme(scheme_id, delay=0.3)

    body = post_calculation(registry_client, retirement_request(scheme_ids)).json()

    assert double.requests == 6
    assert double.max_concurrency == 6
    assert unavailable_messages(body) == []


def test_concurrent_requests_share_one_fetch(registry_client, double):
    double.set_scheme("SHARED", rate=0.03, delay=0.5)
    request = retirement_request(["SHARED"])
    bodies = []

    def send() -> None:
        bodies.append(post_calculation(registry_client, request).json())

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert double.requests_for("SHARED") == 1
    assert len(bodies) == 2
    assert policies(bodies[0]) == policies(bodies[1])
    assert unavailable_messages(bodies[0]) == []


def test_connections_are_reused(registry_client, double):
    for index in range(5):
        post_calculation(registry_client, retirement_request([f"REUSE-{index}"]))

    assert double.requests == 5
    assert double.connections < double.requests


# --- failures fall back to the default rate --------------------------------------------------

FAILURES = [
    pytest.param({"delay": 3.0}, "timed out after 2 s", id="slow"),
    pytest.param({"mode": SERVER_ERROR}, "HTTP status 500", id="status-500"),
    pytest.param({"mode": MALFORMED}, "not valid JSON", id="malformed"),
    pytest.param({"mode": OUT_OF_RANGE}, "outside [0, 1]", id="out-of-range"),
    pytest.param({"mode": CLOSE}, "closed the connection", id="closed"),
]


@pytest.mark.parametrize(("behaviour", "reason"), FAILURES)
def test_failed_lookup_falls_back(registry_client, double, behaviour, reason, request):
    failing = f"FAIL-{request.node.callspec.id}"
    working = f"WORKS-{request.node.callspec.id}"
    double.set_scheme(failing, **behaviour)
    double.set_scheme(working, rate=0.03)
    request_body = with_schemes(C07, {"SCHEME-A": failing, "SCHEME-B": working})

    body = post_calculation(registry_client, request_body).json()

    messages = unavailable_messages(body)
    assert len(messages) == 1
    assert messages[0]["level"] == "WARNING"
    assert repr(failing) in messages[0]["message"]
    assert reason in messages[0]["message"]
    actual = [policy["attainable_pension"] for policy in policies(body)]
    assert actual == pytest.approx(hand_computed_c07((DEFAULT_RATE, 0.03)), abs=0.01)
    assert body["calculation_metadata"]["calculation_outcome"] == "SUCCESS"


def test_failure_is_not_cached(registry_client, double):
    double.set_scheme("RECOVERS", mode=SERVER_ERROR)
    request = retirement_request(["RECOVERS"])
    failed = post_calculation(registry_client, request).json()
    assert len(unavailable_messages(failed)) == 1

    double.set_scheme("RECOVERS", rate=0.03)
    time.sleep(0.6)  # past the first back-off window of 0.5 s
    recovered = post_calculation(registry_client, request).json()

    assert unavailable_messages(recovered) == []
    assert double.requests_for("RECOVERS") == 2
    assert policies(recovered)[0]["attainable_pension"] == pytest.approx(
        policies(failed)[0]["attainable_pension"] * 0.03 / DEFAULT_RATE, abs=0.01
    )


def test_refused_connection_falls_back():
    with running_server(env={"SCHEME_REGISTRY_URL": closed_port_url()}) as url:
        with httpx.Client(base_url=url, timeout=30.0) as client:
            body = post_calculation(client, retirement_request(["REFUSED-1", "REFUSED-2"])).json()

    messages = unavailable_messages(body)
    assert len(messages) == 2
    assert "'REFUSED-1'" in messages[0]["message"]
    assert "connection refused" in messages[0]["message"]
    assert body["calculation_metadata"]["calculation_outcome"] == "SUCCESS"


# --- configuration and life cycle --------------------------------------------------------------


def test_unset_url_makes_no_call():
    with running_registry() as double:
        with running_server(env={"SCHEME_REGISTRY_URL": ""}) as url:
            with httpx.Client(base_url=url, timeout=30.0) as client:
                body = post_calculation(client, with_schemes(C07, {})).json()

        assert double.requests == 0
    actual = [policy["attainable_pension"] for policy in policies(body)]
    assert actual == pytest.approx(hand_computed_c07((DEFAULT_RATE, DEFAULT_RATE)), abs=0.01)


@pytest.mark.parametrize(
    "env",
    [{"SCHEME_REGISTRY_URL": "ftp://127.0.0.1:1"}, {"SCHEME_REGISTRY_URL": "http://127.0.0.1:1", "SCHEME_REGISTRY_CACHE_TTL": "-1"}],
    ids=["url", "ttl"],
)
def test_invalid_setting_stops_server(env):
    with pytest.raises(RuntimeError, match="exited"):
        with running_server(env=env):
            pass


def test_cache_ttl_expires_rates():
    with running_registry() as double:
        env = {"SCHEME_REGISTRY_URL": double.url, "SCHEME_REGISTRY_CACHE_TTL": "1"}
        with running_server(env=env) as url:
            with httpx.Client(base_url=url, timeout=30.0) as client:
                # The first calculation of a process also compiles kernels; keep it out of the TTL window.
                post_calculation(client, retirement_request(["TTL-WARM-UP"]))
                request = retirement_request(["TTL"])
                post_calculation(client, request)
                post_calculation(client, request)
                requests_within_ttl = double.requests_for("TTL")
                time.sleep(1.1)
                post_calculation(client, request)

        assert requests_within_ttl == 1
        assert double.requests_for("TTL") == 2


def test_shutdown_closes_registry_connections():
    with running_registry() as double:
        with running_server(env={"SCHEME_REGISTRY_URL": double.url}) as url:
            with httpx.Client(base_url=url, timeout=30.0) as client:
                post_calculation(client, retirement_request(["CLOSE-1", "CLOSE-2", "CLOSE-3"]))
            open_while_serving = double.open_connections

        assert open_while_serving >= 1
        assert double.wait_for_open_connections(0) == 0


# --- the synchronous entry point ---------------------------------------------------------------


def test_fetch_rates_returns_rates_and_failures():
    with running_registry() as double:
        double.set_scheme("SYNC-OK", rate=0.03)
        double.set_scheme("SYNC-500", mode=SERVER_ERROR)

        rates, failures = fetch_rates(double.url, ["SYNC-OK", "SYNC-500", "SYNC-OK"])

        assert rates == {"SYNC-OK": 0.03}
        assert failures == {"SYNC-500": "HTTP status 500"}
        assert double.requests == 2
        assert double.wait_for_open_connections(0) == 0


# --- pieces without the network -----------------------------------------------------------------


def decoded(request: dict) -> list[wire.MutationEnvelope]:
    return wire.decode_request(msgspec.json.encode(request))[1]


def test_scheme_ids_skip_malformed_properties():
    request = retirement_request(["A", "B", "A"])
    mutations = request["calculation_instructions"]["mutations"]
    mutations[2]["mutation_properties"]["scheme_id"] = 7
    mutations.insert(2, dict(mutations[1], mutation_id="m-x", mutation_properties={"salary": 1}))

    assert scheme_ids_to_look_up(decoded(request)) == ["A"]


def test_scheme_ids_need_a_rate_mutation():
    request = retirement_request(["A"])
    request["calculation_instructions"]["mutations"].pop()

    assert scheme_ids_to_look_up(decoded(request)) == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"accrual_rate": true}', "is not a number"),
        (b'{"accrual_rate": "0.02"}', "is not a number"),
        (b'{"accrual_rate": null}', "is not a number"),
        (b'{"accrual_rate": -0.01}', "outside [0, 1]"),
        (b'{"accrual_rate": 1.0000001}', "outside [0, 1]"),
        (b'{"accrual_rate": 1e999}', "Number out of range"),
        (b'{"scheme_id": "A"}', "has no accrual_rate"),
        (b"[0.02]", "not a JSON object"),
        (b"", "not valid JSON"),
    ],
)
def test_parse_rate_rejects_invalid_answers(body, reason):
    with pytest.raises(LookupFailed, match=reason.replace("[", r"\[").replace("]", r"\]")):
        parse_rate(body)


def test_parse_rate_accepts_bounds_and_integers():
    assert parse_rate(b'{"scheme_id": "A", "accrual_rate": 0}') == 0.0
    assert parse_rate(b'{"accrual_rate": 1}') == 1.0
    assert parse_rate(b'{"accrual_rate": 0.025}') == 0.025


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_backoff_window_grows_and_resets():
    clock = FakeClock()
    backoff = Backoff(clock)

    windows = [backoff.failed("S", "HTTP status 500") for _ in range(8)]
    assert windows == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert backoff.blocked("S") == "HTTP status 500; next attempt in 30.0 s"

    clock.now += 30.0
    assert backoff.blocked("S") is None
    backoff.succeeded("S")
    assert backoff.failed("S", "HTTP status 500") == 0.5


def test_failure_log_is_rate_limited(caplog):
    clock = FakeClock()
    failure_log = FailureLog(interval=60.0, max_lines=2, clock=clock)

    with caplog.at_level(logging.WARNING, logger="pension_engine"):
        for _ in range(5):
            failure_log.failed("S", "HTTP status 500")
        failure_log.failed("T", "HTTP status 500")
        failure_log.failed("U", "HTTP status 500")
        clock.now += 60.0
        failure_log.failed("S", "HTTP status 500")

    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 3
    assert "'S'" in lines[0]
    assert "(0 earlier failures" in lines[0]
    assert "'T'" in lines[1]
    assert "'S'" in lines[2]
    assert "(4 earlier failures" in lines[2]
