"""Bulk results equal what POST /calculation-requests returns for the same dossier and mutations."""

import datetime as dt
import math

import httpx
import numpy as np
import pytest

from api.bulk import IndexationStep, Scenario, project_dates, project_portfolio
from api.bulk.sample import SCHEMES
from tests.bulk.helpers import random_portfolio, scheme_registry
from tests.server import post_calculation, running_server

START, END, EVERY = "2025-01-31", "2031-03-31", 5


def _scenarios(rng: np.random.Generator) -> list[Scenario]:
    """Return a scenario without steps, simple indexations and random filtered steps."""
    scenarios = [Scenario("none"), Scenario.indexation(0.03, "3%"), Scenario.indexation(-1.5, "cut")]
    for k in range(3):
        steps = []
        for _ in range(int(rng.integers(1, 4))):
            scheme = str(rng.choice(SCHEMES + ("UNKNOWN",))) if rng.uniform() < 0.5 else None
            before = dt.date(int(rng.integers(1990, 2030)), 1, 1).toordinal() if rng.uniform() < 0.5 else None
            steps.append(IndexationStep(float(rng.uniform(-0.2, 0.3)), scheme, before))
        scenarios.append(Scenario(f"random-{k}", tuple(steps)))
    return scenarios


def _request(rows: list[dict], scenario: Scenario) -> dict:
    """Build the calculation request of one dossier: create, add its policies, index, project."""
    first = rows[0]
    dossier_id = first["dossier_id"]
    mutations = [
        {
            "mutation_id": "create",
            "mutation_definition_name": "create_dossier",
            "mutation_type": "DOSSIER_CREATION",
            "actual_at": "2025-01-01",
            "mutation_properties": {
                "dossier_id": dossier_id,
                "person_id": f"P-{dossier_id}",
                "name": "Participant",
                "birth_date": first["birth_date"].isoformat(),
            },
        }
    ]
    for n, row in enumerate(rows, start=1):
        properties = {
            "scheme_id": row["scheme_id"],
            "employment_start_date": row["employment_start_date"].isoformat(),
            "salary": row["salary"],
            "part_time_factor": row["part_time_factor"],
        }
        mutations.append(_dossier_mutation(f"policy-{n}", "add_policy", dossier_id, properties))
    for k, step in enumerate(scenario.steps):
        properties = {"percentage": step.percentage}
        if step.scheme_id is not None:
            properties["scheme_id"] = step.scheme_id
        if step.effective_before is not None:
            properties["effective_before"] = dt.date.fromordinal(step.effective_before).isoformat()
        mutations.append(_dossier_mutation(f"index-{k}", "apply_indexation", dossier_id, properties))
    projection = {"projection_start_date": START, "projection_end_date": END, "projection_interval_months": EVERY}
    mutations.append(_dossier_mutation("project", "project_future_benefits", dossier_id, projection))
    return {"tenant_id": "bulk-test", "calculation_instructions": {"mutations": mutations}}


def _dossier_mutation(mutation_id: str, name: str, dossier_id: str, properties: dict) -> dict:
    return {
        "mutation_id": mutation_id,
        "mutation_definition_name": name,
        "mutation_type": "DOSSIER",
        "dossier_id": dossier_id,
        "actual_at": "2025-01-01",
        "mutation_properties": properties,
    }


def _dossier_rows(table) -> dict[str, list[dict]]:
    dossiers: dict[str, list[dict]] = {}
    for row in table.to_pylist():
        dossiers.setdefault(row["dossier_id"], []).append(row)
    return dossiers


def _assert_equal_to_http(client: httpx.Client, table, rates=None) -> None:
    rng = np.random.default_rng(7)
    scenarios = _scenarios(rng)
    dates = project_dates(START, END, EVERY)
    result = project_portfolio(table, scenarios, dates, rates=rates)
    offsets = result.portfolio.offsets
    expected_dates = [dt.date.fromordinal(day).isoformat() for day in dates.tolist()]

    for k, (dossier_id, rows) in enumerate(_dossier_rows(table).items()):
        assert str(result.portfolio.dossier_ids[k]) == dossier_id
        for s, scenario in enumerate(scenarios):
            response = post_calculation(client, _request(rows, scenario))
            assert response.status_code == 200
            body = response.json()
            assert body["calculation_metadata"]["calculation_outcome"] == "SUCCESS", body["calculation_result"]["messages"]
            policies = body["calculation_result"]["end_situation"]["situation"]["dossier"]["policies"]
            assert len(policies) == offsets[k + 1] - offsets[k]
            for n, policy in enumerate(policies):
                row = int(offsets[k]) + n
                assert [p["date"] for p in policy["projections"]] == expected_dates
                for j, projection in enumerate(policy["projections"]):
                    bulk = float(result.projected[row, s, j])
                    http = projection["projected_pension"]
                    assert math.isclose(bulk, http, rel_tol=1e-9, abs_tol=1e-12), (dossier_id, scenario.label, j, bulk, http)


@pytest.mark.parametrize("seed", [11, 12])
def test_projections_equal_http(client, seed):
    _assert_equal_to_http(client, random_portfolio(seed, 12))


def test_registry_rates_equal_http(monkeypatch):
    rates = {"BASE-2020": 0.0185, "BASE-2010": 0.025, "PLUS": 0.031}  # EXECUTIVE is unknown: 0.02 with a warning
    with scheme_registry(rates) as registry_url:
        monkeypatch.setenv("SCHEME_REGISTRY_URL", registry_url)
        with running_server(workers=1, env={"SCHEME_REGISTRY_URL": registry_url}) as url:
            with httpx.Client(base_url=url, timeout=30.0) as client:
                _assert_equal_to_http(client, random_portfolio(13, 8))


def _eligible_over_http(client: httpx.Client, rows: list[dict], date: str) -> bool:
    request = _request(rows, Scenario("none"))
    mutations = request["calculation_instructions"]["mutations"][:-1]
    mutations.append(_dossier_mutation("retire", "calculate_retirement_benefit", rows[0]["dossier_id"], {"retirement_date": date}))
    request["calculation_instructions"]["mutations"] = mutations
    body = post_calculation(client, request).json()
    codes = [message["code"] for message in body["calculation_result"]["messages"]]
    return "NOT_ELIGIBLE" not in codes


def test_eligibility_equals_http(client):
    table = random_portfolio(14, 15)
    dates = project_dates("2026-12-31", "2046-12-31", 60)
    result = project_portfolio(table, [Scenario("none")], dates)
    for k, rows in enumerate(_dossier_rows(table).values()):
        for j, day in enumerate(dates.tolist()):
            date = dt.date.fromordinal(day).isoformat()
            assert bool(result.eligible[k, j]) == _eligible_over_http(client, rows, date), (rows[0]["dossier_id"], date)
