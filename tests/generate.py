"""Seeded generator of calculation requests for differential tests against the oracle.

Every value comes from the ``random.Random`` passed in, so a seed always gives the
same request. Requests are plain JSON-compatible dicts with the envelope
``{"tenant_id", "calculation_instructions": {"mutations": [...]}}``.
"""

from __future__ import annotations

import calendar
import datetime
import random
import uuid

SCHEME_POOL = ("SCHEME-A", "SCHEME-B", "SCHEME-C", "SCHEME-D", "SCHEME-E")
PROJECTION_INTERVALS = (1, 3, 6, 12, 13)
MAX_PROJECTION_DATES = 1200
# Valid birth dates lie before 2006 and future ones from 2100 on, so the oracle's
# result does not depend on the test date as long as it lies between the two.
FUTURE_YEAR = 2100
DAYS_TO_AGE_65 = 23742  # 65 * 365.25 = 23741.25, so 23741 days is still under 65.
DAYS_TO_40_YEARS = 14610  # 40 * 365.25 = 14610 exactly

DOSSIER_MUTATIONS = ("add_policy", "apply_indexation", "calculate_retirement_benefit", "project_future_benefits")
MUTATION_TYPES = {"create_dossier": "DOSSIER_CREATION", **dict.fromkeys(DOSSIER_MUTATIONS, "DOSSIER")}
INVALID_DATES = ("2023-02-29", "2020-13-01", "2021-04-31", "2020-00-10", "2020-1-5", "20200105", "2020-01-01T00:00:00", "")
CRITICAL_KINDS = (
    "unknown_name", "wrong_type", "missing_property", "ill_typed_property", "unknown_property",
    "invalid_date", "other_dossier", "negative_salary", "bad_part_time", "bad_range",
    "bad_interval", "too_many_dates", "blank_name", "future_birth_date", "second_create", "overflow",
)


def new_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Add whole months, keeping the day of month or the month's last day."""
    year, month_offset = divmod(day.year * 12 + day.month - 1 + months, 12)
    last_day = calendar.monthrange(year, month_offset + 1)[1]
    return datetime.date(year, month_offset + 1, min(day.day, last_day))


def nth_projection_date(start: datetime.date, interval_months: int, count: int) -> datetime.date:
    """Return the ``count``-th projection date (1-based), stepping from each previous date."""
    day = start
    for _ in range(count - 1):
        day = add_months(day, interval_months)
    return day


def random_date(rng: random.Random, first_year: int, last_year: int) -> datetime.date:
    """Pick a date, favouring month ends, Feb 29 and first days of months."""
    year = rng.randint(first_year, last_year)
    month = rng.randint(1, 12)
    style = rng.random()
    if style < 0.15:
        return datetime.date(year, month, calendar.monthrange(year, month)[1])
    if style < 0.25:
        leap_years = [y for y in range(first_year, last_year + 1) if calendar.isleap(y)]
        return datetime.date(rng.choice(leap_years), 2, 29)
    if style < 0.4:
        return datetime.date(year, month, 1)
    return datetime.date(year, month, rng.randint(1, calendar.monthrange(year, month)[1]))


def random_salary(rng: random.Random) -> float | int:
    roll = rng.random()
    if roll < 0.08:
        return rng.choice([0, 0.0])
    if roll < 0.4:
        return rng.randint(10_000, 200_000)
    if roll < 0.9:
        return round(rng.uniform(0, 200_000), 2)
    return rng.uniform(0, 200_000)


def random_part_time_factor(rng: random.Random) -> float | int:
    if rng.random() < 0.4:
        return rng.choice([0, 1, 1.0, 0.0, 0.5, 0.8])
    return round(rng.uniform(0, 1), 3)


def random_percentage(rng: random.Random) -> float | int:
    roll = rng.random()
    if roll < 0.25:
        return rng.choice([-1.0, -1, 0, 0.0, -2.0, -2.5, 0.2, 0.03])
    if roll < 0.85:
        return round(rng.uniform(-0.1, 0.2), 4)
    return round(rng.uniform(-2.5, -1.0), 3)


def dossier_mutation(name: str, dossier_id: str, properties: dict) -> dict:
    return {
        "mutation_definition_name": name,
        "mutation_type": MUTATION_TYPES[name],
        "dossier_id": dossier_id,
        "mutation_properties": properties,
    }


def create_dossier(dossier_id: str, person_id: str, name: str, birth_date: str) -> dict:
    return {
        "mutation_definition_name": "create_dossier",
        "mutation_type": "DOSSIER_CREATION",
        "mutation_properties": {"dossier_id": dossier_id, "person_id": person_id, "name": name, "birth_date": birth_date},
    }


class _Dossier:
    """Dossier under construction: its ids, the birth date and every policy start date generated so far."""

    def __init__(self, rng: random.Random, birth_first_year: int = 1935, birth_last_year: int = 2005):
        self.dossier_id = new_uuid(rng)
        self.person_id = new_uuid(rng)
        self.name = rng.choice(["Jane Smith", "John Doe", "Ana María Núñez", "Li Wei", "O'Brien", "X"])
        self.birth_date = random_date(rng, birth_first_year, birth_last_year)
        self.starts: list[datetime.date] = []

    def create(self) -> dict:
        return create_dossier(self.dossier_id, self.person_id, self.name, self.birth_date.isoformat())

    def add_policy(self, rng: random.Random, start: datetime.date | None = None, **overrides) -> dict:
        if start is None and self.starts and rng.random() < 0.15:
            start = rng.choice(self.starts)
        if start is None:
            start = random_date(rng, 1960, 2030)
        self.starts.append(start)
        properties = {
            "scheme_id": rng.choice(SCHEME_POOL),
            "employment_start_date": start.isoformat(),
            "salary": random_salary(rng),
            "part_time_factor": random_part_time_factor(rng),
        }
        properties.update(overrides)
        return dossier_mutation("add_policy", self.dossier_id, properties)

    def indexation(self, rng: random.Random, percentage: float | int | None = None) -> dict:
        properties = {"percentage": random_percentage(rng) if percentage is None else percentage}
        if rng.random() < 0.35:
            properties["scheme_id"] = rng.choice(SCHEME_POOL)
        if rng.random() < 0.35:
            if self.starts and rng.random() < 0.5:
                properties["effective_before"] = rng.choice(self.starts).isoformat()
            else:
                properties["effective_before"] = random_date(rng, 1960, 2035).isoformat()
        return dossier_mutation("apply_indexation", self.dossier_id, properties)

    def retirement_date(self, rng: random.Random) -> datetime.date:
        """Pick a retirement date near the age or service thresholds, on either side."""
        roll = rng.random()
        if roll < 0.15:
            return self.birth_date + datetime.timedelta(days=rng.choice([DAYS_TO_AGE_65 - 1, DAYS_TO_AGE_65]))
        if roll < 0.6:
            return self.birth_date + datetime.timedelta(days=rng.randint(DAYS_TO_AGE_65 - 900, DAYS_TO_AGE_65 + 2500))
        if roll < 0.85 and self.starts:
            offset = rng.choice([DAYS_TO_40_YEARS - 1, DAYS_TO_40_YEARS, rng.randint(9000, 16000)])
            return min(self.starts) + datetime.timedelta(days=offset)
        return random_date(rng, 2000, 2075)

    def retirement(self, rng: random.Random, when: datetime.date | None = None) -> dict:
        when = self.retirement_date(rng) if when is None else when
        return dossier_mutation("calculate_retirement_benefit", self.dossier_id, {"retirement_date": when.isoformat()})

    def projection(self, rng: random.Random, max_dates: int = 240) -> dict:
        start = rng.choice([datetime.date(2025, 1, 31), datetime.date(2028, 2, 29), random_date(rng, 1990, 2060)])
        interval = rng.choice(PROJECTION_INTERVALS)
        roll = rng.random()
        if roll < 0.05:
            end = nth_projection_date(start, 1, MAX_PROJECTION_DATES)
            interval = 1
        elif roll < 0.5:
            end = nth_projection_date(start, interval, rng.randint(2, max_dates))
        else:
            end = start + datetime.timedelta(days=rng.randint(1, max_dates * interval * 30))
        return self.projection_between(start, end, interval)

    def projection_between(self, start: datetime.date, end: datetime.date, interval) -> dict:
        dates = {"projection_start_date": start.isoformat(), "projection_end_date": end.isoformat()}
        return dossier_mutation("project_future_benefits", self.dossier_id, {**dates, "projection_interval_months": interval})

    def valid_mutation(self, rng: random.Random, name: str) -> dict:
        if name == "create_dossier":
            return self.create()
        if name == "add_policy":
            return self.add_policy(rng)
        if name == "apply_indexation":
            return self.indexation(rng)
        if name == "calculate_retirement_benefit":
            return self.retirement(rng)
        return self.projection(rng, max_dates=24)


def _ill_typed_value(rng: random.Random, name: str, key: str):
    """Return a value of the wrong JSON type (or an empty id) for property ``key`` of mutation ``name``."""
    if key in ("salary", "part_time_factor", "percentage"):
        return rng.choice(["50000", True, False, None, [1.0], {"value": 1}])
    if key == "projection_interval_months":
        return rng.choice([12.0, 1.0, "12", True, None, 1.5])
    # NOTE: null is only generated for required properties, because whether null
    # counts as an absent optional property is not decided by the rules.
    optional = name == "apply_indexation" and key in ("scheme_id", "effective_before")
    if key.endswith("_date") or key == "effective_before":
        return rng.choice([20200101, True, ["2020-01-01"]] + ([] if optional else [None]))
    if key == "name":
        return rng.choice([123, None, False, ["Jane"]])
    return rng.choice(["", 42, True, {"id": "x"}] + ([] if optional else [None]))


def _spoiled_mutation(rng: random.Random, dossier: _Dossier, kind: str) -> dict:
    """Build one mutation that breaks a common rule: type, properties or dossier id."""
    name = rng.choice(list(MUTATION_TYPES))
    mutation = dossier.valid_mutation(rng, name)
    properties = mutation["mutation_properties"]
    if kind == "wrong_type":
        if name == "create_dossier":
            mutation["mutation_type"] = "DOSSIER"
            mutation["dossier_id"] = dossier.dossier_id
        else:
            mutation["mutation_type"] = "DOSSIER_CREATION"
            del mutation["dossier_id"]
    elif kind == "missing_property":
        required = [key for key in properties if key not in ("scheme_id", "effective_before") or name == "add_policy"]
        del properties[rng.choice(required)]
    elif kind == "ill_typed_property":
        key = rng.choice(list(properties))
        properties[key] = _ill_typed_value(rng, name, key)
    elif kind == "unknown_property":
        properties[rng.choice(["policy_id", "Salary", "comment", "effective_after", "birthdate"])] = rng.choice(["x", 1, None])
    elif kind == "other_dossier":
        if name == "create_dossier":
            mutation = dossier.add_policy(rng)
        mutation["dossier_id"] = rng.choice([new_uuid(rng), dossier.person_id, dossier.dossier_id.upper(), dossier.dossier_id + " "])
    return mutation


def _invalid_date_mutation(rng: random.Random, dossier: _Dossier) -> dict:
    mutation = dossier.valid_mutation(rng, rng.choice(DOSSIER_MUTATIONS))
    properties = mutation["mutation_properties"]
    keys = [key for key in properties if key.endswith("_date") or key == "effective_before"]
    key = rng.choice(keys) if keys else "effective_before"
    properties[key] = rng.choice(INVALID_DATES)
    return mutation


def _overflow_mutations(rng: random.Random, dossier: _Dossier) -> list[dict]:
    """Add a policy with a salary near the double maximum, then a mutation whose result mostly overflows.

    1e308 indexed by 20 % stays finite, which checks that the engine does not report overflow too early.
    """
    trigger = rng.choice(["indexation", "retirement", "projection"])
    retirement = dossier.birth_date + datetime.timedelta(days=DAYS_TO_AGE_65 + rng.randint(365, 3650))
    start = retirement - datetime.timedelta(days=rng.randint(3 * 366, 20 * 365))
    huge = dossier.add_policy(rng, start=start, salary=rng.choice([1e308, 1.7e308]), part_time_factor=1)
    if trigger == "indexation":
        follow_up = dossier_mutation("apply_indexation", dossier.dossier_id, {"percentage": rng.choice([0.2, 0.9, 1])})
    elif trigger == "retirement":
        follow_up = dossier.retirement(rng, retirement)
    else:
        follow_up = dossier.projection_between(retirement, add_months(retirement, 24), rng.choice(PROJECTION_INTERVALS))
    return [huge, follow_up]


def _projection_failure(rng: random.Random, dossier: _Dossier, kind: str) -> dict:
    start = random_date(rng, 2000, 2060)
    if kind == "bad_range":
        end = start - datetime.timedelta(days=rng.choice([0, 0, 1, 400]))
        return dossier.projection_between(start, end, rng.choice(PROJECTION_INTERVALS))
    if kind == "bad_interval":
        end = add_months(start, 24)
        return dossier.projection_between(start, end, rng.choice([0, -1, -12]))
    if rng.random() < 0.5:
        end = nth_projection_date(start, 1, MAX_PROJECTION_DATES + 1)
    else:
        end = add_months(start, rng.randint(MAX_PROJECTION_DATES + 1, 2400))
    return dossier.projection_between(start, end, 1)


def inject_critical(rng: random.Random, mutations: list[dict], dossier: _Dossier) -> str:
    """Insert or plant one invalid mutation at a random point and return its kind.

    Kinds that break create_dossier itself change the first mutation. The others
    are inserted, mostly after the create_dossier and, where the failure needs
    policies, after the first add_policy when there is one.
    """
    kind = rng.choice(CRITICAL_KINDS)
    first_properties = mutations[0]["mutation_properties"]
    if kind == "blank_name":
        first_properties["name"] = rng.choice(["", " ", "   ", "\t", "\n  "])
        return kind
    if kind == "future_birth_date":
        first_properties["birth_date"] = random_date(rng, FUTURE_YEAR, FUTURE_YEAR + 100).isoformat()
        return kind
    if kind == "invalid_date" and rng.random() < 0.3:
        first_properties["birth_date"] = rng.choice(INVALID_DATES)
        return kind

    if kind == "unknown_name":
        name = rng.choice(["delete_dossier", "add_polcy", "Add_Policy", "calculate_retirement", "", "create_dossier "])
        inserted = [dossier_mutation("add_policy", dossier.dossier_id, {})]
        inserted[0]["mutation_definition_name"] = name
        if rng.random() < 0.3:
            inserted = [create_dossier(dossier.dossier_id, dossier.person_id, dossier.name, "1970-01-01")]
            inserted[0]["mutation_definition_name"] = name
    elif kind in ("wrong_type", "missing_property", "ill_typed_property", "unknown_property", "other_dossier"):
        inserted = [_spoiled_mutation(rng, dossier, kind)]
    elif kind == "invalid_date":
        inserted = [_invalid_date_mutation(rng, dossier)]
    elif kind == "negative_salary":
        inserted = [dossier.add_policy(rng, salary=rng.choice([-0.01, -1, -50_000.5]))]
    elif kind == "bad_part_time":
        inserted = [dossier.add_policy(rng, part_time_factor=rng.choice([1.5, -0.25, 1.0000001, 2]))]
    elif kind in ("bad_range", "bad_interval", "too_many_dates"):
        inserted = [_projection_failure(rng, dossier, kind)]
    elif kind == "second_create":
        other_id = rng.choice([dossier.dossier_id, new_uuid(rng)])
        inserted = [create_dossier(other_id, new_uuid(rng), dossier.name, dossier.birth_date.isoformat())]
    else:
        inserted = _overflow_mutations(rng, dossier)

    lowest = 0 if rng.random() < 0.1 else 1
    if kind in ("bad_range", "too_many_dates"):
        policy_positions = [i for i, m in enumerate(mutations) if m["mutation_definition_name"] == "add_policy"]
        if policy_positions:
            lowest = policy_positions[0] + 1
    position = rng.randint(lowest, len(mutations))
    mutations[position:position] = inserted
    return kind


def finish_request(rng: random.Random, mutations: list[dict]) -> dict:
    """Give every mutation a unique id and a non-decreasing actual_at, and wrap it in the envelope."""
    actual_at = random_date(rng, 2015, 2024)
    finished = []
    for mutation in mutations:
        actual_at += datetime.timedelta(days=rng.choice([0, 0, 1, 31, rng.randint(0, 400)]))
        entry = {
            "mutation_id": new_uuid(rng),
            "mutation_definition_name": mutation["mutation_definition_name"],
            "mutation_type": mutation["mutation_type"],
            "actual_at": actual_at.isoformat(),
        }
        if "dossier_id" in mutation:
            entry["dossier_id"] = mutation["dossier_id"]
        entry["mutation_properties"] = mutation["mutation_properties"]
        finished.append(entry)
    tenant_id = rng.choice(["test_tenant", "t", "tenant-" + str(rng.randint(0, 999))])
    return {"tenant_id": tenant_id, "calculation_instructions": {"mutations": finished}}


def generate_request(rng: random.Random, *, max_policies: int = 6, critical_rate: float = 0.15) -> dict:
    """Generate a varied request; with probability ``critical_rate`` it contains one invalid mutation.

    Without the injected mutation a request can still fail on its own rules,
    for example NOT_ELIGIBLE or NO_POLICIES.
    """
    dossier = _Dossier(rng)
    # A dossier without policies fails every later mutation, so it gets about half its uniform share.
    policy_count = rng.randint(0, max_policies) if rng.random() < 0.5 or max_policies < 1 else rng.randint(1, max_policies)
    body = [dossier.add_policy(rng) for _ in range(policy_count)]
    for _ in range(rng.choice([0, 0, 1, 1, 2])):
        # An indexation before the first policy fails with NO_POLICIES, so keep that rare.
        lowest = 0 if rng.random() < 0.1 else min(1, len(body))
        body.insert(rng.randint(lowest, len(body)), dossier.indexation(rng))

    finals = []
    if rng.random() < 0.6:
        finals.append(dossier.retirement(rng))
    if rng.random() < 0.5:
        finals.append(dossier.projection(rng))
    rng.shuffle(finals)
    if finals and rng.random() < 0.2:
        finals.append(rng.choice([dossier.add_policy, dossier.indexation])(rng))
    mutations = [dossier.create(), *body, *finals]

    if rng.random() < critical_rate:
        inject_critical(rng, mutations, dossier)
    return finish_request(rng, mutations)


def generate_valid_request(rng: random.Random, n_policies: int, with_projection: bool) -> dict:
    """Generate a fixture-sized request whose outcome is SUCCESS (warnings are possible).

    With ``n_policies == 0`` only the create_dossier is generated, because
    every other mutation would fail with NO_POLICIES.
    """
    dossier = _Dossier(rng, birth_first_year=1940, birth_last_year=1975)
    mutations = [dossier.create()]
    for _ in range(n_policies):
        start = dossier.birth_date + datetime.timedelta(days=rng.randint(18 * 366, 60 * 365))
        mutations.append(dossier.add_policy(rng, start=start, salary=rng.choice([rng.randint(20_000, 150_000), round(rng.uniform(20_000, 150_000), 2)])))
    if n_policies == 0:
        return finish_request(rng, mutations)

    if rng.random() < 0.5:
        mutations.append(dossier_mutation("apply_indexation", dossier.dossier_id, {"percentage": round(rng.uniform(-0.05, 0.1), 4)}))
    if rng.random() < 0.7:
        when = dossier.birth_date + datetime.timedelta(days=DAYS_TO_AGE_65 + rng.randint(0, 5 * 365))
        mutations.append(dossier.retirement(rng, when))
    if with_projection:
        start = random_date(rng, 2020, 2040)
        interval = rng.choice(PROJECTION_INTERVALS)
        end = nth_projection_date(start, interval, rng.randint(2, 40))
        mutations.append(dossier.projection_between(start, end, interval))
    return finish_request(rng, mutations)
