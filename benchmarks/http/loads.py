"""Request loads for the HTTP benchmarks, written as files wrk and the reference app read.

A load is two files in one directory: ``NAME.bodies`` contains one compact JSON
request body per line, and ``NAME.sizes`` contains, on the same line, the size in
bytes of the response our engine returns for that body (computed in-process
with the same code the server runs). Every generated body is distinct: ids,
names, dates, salaries, factors and policy counts come from a seeded
``random.Random``.
"""

import datetime as dt
import json
import random
import uuid
from pathlib import Path

import msgspec

from model import wire
from model.calculation import calculate

FIXTURE_DIR = Path(__file__).resolve().parents[2] / "tests" / "fixtures"
SCHEMES = ("SCHEME-A", "SCHEME-B", "SCHEME-C", "SCHEME-D")
FIRST_NAMES = ("Jane", "John", "Maria", "Ahmed", "Li", "Sofia", "Pieter", "Anna", "Kofi", "Yuki")
LAST_NAMES = ("Smith", "de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos", "Vos")


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _date(rng: random.Random, first_year: int, last_year: int) -> dt.date:
    start = dt.date(first_year, 1, 1).toordinal()
    end = dt.date(last_year, 12, 31).toordinal()
    return dt.date.fromordinal(rng.randint(start, end))


def _mutation(rng: random.Random, name: str, mutation_type: str, actual_at: dt.date, properties: dict, dossier_id: str | None) -> dict:
    mutation = {
        "mutation_id": _uuid(rng),
        "mutation_definition_name": name,
        "mutation_type": mutation_type,
        "actual_at": actual_at.isoformat(),
    }
    if dossier_id is not None:
        mutation["dossier_id"] = dossier_id
    mutation["mutation_properties"] = properties
    return mutation


def _dossier_request(rng: random.Random, policies: int, indexation: bool, retirement: bool, projection: bool) -> dict:
    """Build one request: create a dossier, add policies, then the optional kernels."""
    dossier_id = _uuid(rng)
    birth = _date(rng, 1950, 1985)
    created = _date(rng, 2015, 2020)
    mutations = [
        _mutation(
            rng,
            "create_dossier",
            "DOSSIER_CREATION",
            created,
            {
                "dossier_id": dossier_id,
                "person_id": _uuid(rng),
                "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                "birth_date": birth.isoformat(),
            },
            None,
        )
    ]
    for _ in range(policies):
        properties = {
            "scheme_id": rng.choice(SCHEMES),
            "employment_start_date": _date(rng, birth.year + 18, 2015).isoformat(),
            "salary": round(rng.uniform(20_000, 120_000), 2),
            "part_time_factor": rng.choice((1, 1, 0.8, 0.6, 0.5, round(rng.uniform(0.1, 1), 2))),
        }
        mutations.append(_mutation(rng, "add_policy", "DOSSIER", created, properties, dossier_id))
    if indexation:
        properties = {"percentage": round(rng.uniform(-0.02, 0.05), 4)}
        if rng.random() < 0.3:
            properties["scheme_id"] = rng.choice(SCHEMES)
        mutations.append(_mutation(rng, "apply_indexation", "DOSSIER", _date(rng, 2021, 2022), properties, dossier_id))
    if retirement:
        # At 65 or later, so the participant is eligible.
        retirement_date = _date(rng, birth.year + 66, birth.year + 68)
        properties = {"retirement_date": retirement_date.isoformat()}
        mutations.append(
            _mutation(rng, "calculate_retirement_benefit", "DOSSIER", _date(rng, 2023, 2024), properties, dossier_id)
        )
    if projection:
        start = _date(rng, 2025, 2026)
        end = start.replace(year=start.year + rng.randint(5, 35), day=min(start.day, 28))
        properties = {
            "projection_start_date": start.isoformat(),
            "projection_end_date": end.isoformat(),
            "projection_interval_months": 12,
        }
        mutations.append(_mutation(rng, "project_future_benefits", "DOSSIER", _date(rng, 2024, 2024), properties, dossier_id))
    tenant = f"tenant-{rng.randint(1, 999):03d}"
    return {"tenant_id": tenant, "calculation_instructions": {"mutations": mutations}}


def varied_request(rng: random.Random) -> dict:
    """Build a fixture-sized request: 1-4 policies, often indexation, retirement and a yearly projection."""
    return _dossier_request(
        rng,
        policies=rng.randint(1, 4),
        indexation=rng.random() < 0.5,
        retirement=rng.random() < 0.5,
        projection=rng.random() < 0.6,
    )


def c01_like_request(rng: random.Random) -> dict:
    """Build a request with one ``create_dossier`` mutation."""
    return _dossier_request(rng, policies=0, indexation=False, retirement=False, projection=False)


def c07_like_request(rng: random.Random) -> dict:
    """Create a dossier, add two policies, index salaries, calculate the retirement benefit."""
    return _dossier_request(rng, policies=2, indexation=True, retirement=True, projection=False)


GENERATORS = {"varied": varied_request, "c01": c01_like_request, "c07": c07_like_request}


def fixture_bodies() -> list[bytes]:
    """Return the request bodies of the fifteen reference fixtures, compact JSON."""
    paths = sorted(FIXTURE_DIR.glob("*.json"))
    return [msgspec.json.encode(json.loads(path.read_text())["request"]) for path in paths]


def response_size(body: bytes) -> int:
    """Return the size in bytes of the engine's response to ``body``, computed in-process."""
    request, mutations = wire.decode_request(body)
    return len(msgspec.json.encode(calculate(request, mutations)))


def write_load(directory: Path, name: str, count: int, seed: int = 2024) -> Path:
    """Write ``NAME.bodies`` and ``NAME.sizes`` for a load; ``name`` is ``fixtures`` or a key of GENERATORS."""
    directory.mkdir(parents=True, exist_ok=True)
    if name == "fixtures":
        bodies = fixture_bodies()
    else:
        rng = random.Random(f"{seed}-{name}")
        bodies = [msgspec.json.encode(GENERATORS[name](rng)) for _ in range(count)]
    if len(set(bodies)) != len(bodies):
        raise ValueError(f"load {name!r} has duplicate bodies")
    bodies_path = directory / f"{name}.bodies"
    bodies_path.write_bytes(b"".join(body + b"\n" for body in bodies))
    (directory / f"{name}.sizes").write_text("".join(f"{response_size(body)}\n" for body in bodies))
    return bodies_path
