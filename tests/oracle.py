"""Plain-Python reference implementation of the calculation rules, used as a test oracle.

It favours obviousness over speed: mutations are applied one by one to a copy of
the situation, with ``datetime.date`` for dates and Python floats for money.
It covers the mutation rules only: no HTTP envelope checks, no JSON Patch and
no scheme registry (accrual rates are passed in through ``rates``).
"""

from __future__ import annotations

import calendar
import copy
import datetime
import math
import re
from dataclasses import dataclass

CRITICAL = "CRITICAL"
WARNING = "WARNING"

DEFAULT_ACCRUAL_RATE = 0.02
DAYS_PER_YEAR = 365.25
RETIREMENT_AGE_YEARS = 65
FULL_SERVICE_YEARS = 40
MAX_PROJECTION_DATES = 1200
MAX_ID_LENGTH = 128

# Property kinds: "id" is a string of 1 to MAX_ID_LENGTH characters, "string" any string, "date" a valid
# YYYY-MM-DD calendar day, "birth_date" a string whose date validity is checked
# later as INVALID_BIRTH_DATE, "number" an int or float but not a bool, and
# "months" a JSON integer >= 1.
MUTATION_DEFINITIONS: dict[str, tuple[str, dict[str, tuple[str, bool]]]] = {
    "create_dossier": (
        "DOSSIER_CREATION",
        {"dossier_id": ("id", True), "person_id": ("id", True), "name": ("string", True), "birth_date": ("birth_date", True)},
    ),
    "add_policy": (
        "DOSSIER",
        {"scheme_id": ("id", True), "employment_start_date": ("date", True), "salary": ("number", True), "part_time_factor": ("number", True)},
    ),
    "apply_indexation": (
        "DOSSIER",
        {"percentage": ("number", True), "scheme_id": ("id", False), "effective_before": ("date", False)},
    ),
    "calculate_retirement_benefit": ("DOSSIER", {"retirement_date": ("date", True)}),
    "project_future_benefits": (
        "DOSSIER",
        {"projection_start_date": ("date", True), "projection_end_date": ("date", True), "projection_interval_months": ("months", True)},
    ),
}

_DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass
class Evaluation:
    """Expected outcome of one calculation request."""

    outcome: str
    messages: list[tuple[str, str]]
    mutation_message_indexes: list[list[int]]
    processed_count: int
    end_mutation_id: str
    end_mutation_index: int
    end_actual_at: str
    end_situation: dict
    situations_after: list[dict]


class _MutationFailed(Exception):
    """Raised after a CRITICAL message was recorded, to end the mutation."""


class _Run:
    """Working state of one mutation: a copy of the dossier and the shared message list."""

    def __init__(self, dossier, messages, today, rates):
        self.dossier = dossier
        self.messages = messages
        self.today = today
        self.rates = rates

    def warn(self, code: str) -> None:
        self.messages.append((WARNING, code))

    def fail(self, code: str) -> None:
        self.messages.append((CRITICAL, code))
        raise _MutationFailed(code)

    def rate(self, scheme_id: str) -> float:
        return self.rates.get(scheme_id, DEFAULT_ACCRUAL_RATE)


def parse_date(value) -> datetime.date | None:
    """Return the date for a strict YYYY-MM-DD string of a real calendar day, else None."""
    if not isinstance(value, str) or not _DATE_PATTERN.fullmatch(value):
        return None
    try:
        return datetime.date(int(value[0:4]), int(value[5:7]), int(value[8:10]))
    except ValueError:
        return None


def _as_number(value) -> float | None:
    """Return a JSON number as a float, or None for bools, non-numbers and non-finite values."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        # NOTE: an integer literal beyond the double range is treated as an
        # invalid property, not as NUMERIC_OVERFLOW.
        return None
    return number if math.isfinite(number) else None


def _is_valid_property(kind: str, value) -> bool:
    if kind == "id":
        return isinstance(value, str) and 0 < len(value) <= MAX_ID_LENGTH
    if kind in ("string", "birth_date"):
        return isinstance(value, str)
    if kind == "date":
        return parse_date(value) is not None
    if kind == "number":
        return _as_number(value) is not None
    if kind == "months":
        return isinstance(value, int) and not isinstance(value, bool) and value >= 1
    raise ValueError(f"unknown property kind {kind!r}")


def _has_valid_properties(properties: dict, definition: dict[str, tuple[str, bool]]) -> bool:
    if any(name not in definition for name in properties):
        return False
    for name, (kind, required) in definition.items():
        if name not in properties:
            if required:
                return False
            continue
        if not _is_valid_property(kind, properties[name]):
            return False
    return True


def add_months(day: datetime.date, months: int) -> datetime.date | None:
    """Add whole months, keeping the day of month or the month's last day. Returns None past year 9999."""
    month_index = day.year * 12 + (day.month - 1) + months
    year, month_offset = divmod(month_index, 12)
    if year > datetime.MAXYEAR:
        return None
    month = month_offset + 1
    last_day = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day.day, last_day))


def projection_dates(
    start: datetime.date, end: datetime.date, interval_months: int, limit: int = MAX_PROJECTION_DATES
) -> list[datetime.date]:
    """List the projection dates up to and including ``end``, stopping once ``limit`` is exceeded.

    Each date steps from the previous one, so 2025-01-31 with a 1-month step gives
    2025-02-28 and then 2025-03-28. The result has at most ``limit + 1`` entries.
    """
    dates: list[datetime.date] = []
    current: datetime.date | None = start
    while current is not None and current <= end and len(dates) <= limit:
        dates.append(current)
        current = add_months(current, interval_months)
    return dates


def service_years(policies: list[dict], when: datetime.date) -> list[float]:
    """Return each policy's years of service at ``when``, using 365.25 days per year and never below 0."""
    return [max(0.0, (when - parse_date(p["employment_start_date"])).days / DAYS_PER_YEAR) for p in policies]


def benefit_per_policy(policies: list[dict], when: datetime.date, rates: list[float]) -> list[float]:
    """Apply the benefit formula at ``when``: the part-time weighted average salary times years times rate."""
    years = service_years(policies, when)
    total_years = sum(years)
    if total_years == 0:
        return [0.0 for _ in policies]
    weighted_sum = sum(p["salary"] * p["part_time_factor"] * y for p, y in zip(policies, years))
    weighted_average = weighted_sum / total_years
    return [weighted_average * y * rate for y, rate in zip(years, rates)]


def _create_dossier(run: _Run, mutation: dict, properties: dict) -> None:
    if run.dossier is not None:
        run.fail("DOSSIER_ALREADY_EXISTS")
    birth_date = parse_date(properties["birth_date"])
    if birth_date is None or birth_date > run.today:
        run.fail("INVALID_BIRTH_DATE")
    if properties["name"].strip() == "":
        run.fail("INVALID_NAME")
    run.dossier = {
        "dossier_id": properties["dossier_id"],
        "status": "ACTIVE",
        "retirement_date": None,
        "persons": [
            {
                "person_id": properties["person_id"],
                "role": "PARTICIPANT",
                "name": properties["name"],
                "birth_date": properties["birth_date"],
            }
        ],
        "policies": [],
    }


def _add_policy(run: _Run, mutation: dict, properties: dict) -> None:
    salary = _as_number(properties["salary"])
    part_time_factor = _as_number(properties["part_time_factor"])
    if salary < 0:
        run.fail("INVALID_SALARY")
    if part_time_factor < 0 or part_time_factor > 1:
        run.fail("INVALID_PART_TIME_FACTOR")

    policies = run.dossier["policies"]
    scheme_id = properties["scheme_id"]
    start = properties["employment_start_date"]
    if any(p["scheme_id"] == scheme_id and p["employment_start_date"] == start for p in policies):
        run.warn("DUPLICATE_POLICY")

    policies.append(
        {
            "policy_id": f"{run.dossier['dossier_id']}-{len(policies) + 1}",
            "scheme_id": scheme_id,
            "employment_start_date": start,
            "salary": salary,
            "part_time_factor": part_time_factor,
            "attainable_pension": None,
            "projections": None,
        }
    )


def _apply_indexation(run: _Run, mutation: dict, properties: dict) -> None:
    policies = run.dossier["policies"]
    if not policies:
        run.fail("NO_POLICIES")

    scheme_id = properties.get("scheme_id")
    effective_before = parse_date(properties["effective_before"]) if "effective_before" in properties else None
    matching = [
        p
        for p in policies
        if (scheme_id is None or p["scheme_id"] == scheme_id)
        and (effective_before is None or parse_date(p["employment_start_date"]) < effective_before)
    ]
    if (scheme_id is not None or effective_before is not None) and not matching:
        run.warn("NO_MATCHING_POLICIES")

    percentage = _as_number(properties["percentage"])
    new_salaries = [p["salary"] * (1 + percentage) for p in matching]
    # The mutation's own warnings come first; the check that every computed
    # salary is finite runs after them, as for the other mutations.
    for salary in new_salaries:
        if math.isfinite(salary) and salary < 0:
            run.warn("NEGATIVE_SALARY_CLAMPED")
    for salary in new_salaries:
        if not math.isfinite(salary):
            run.fail("NUMERIC_OVERFLOW")
    for policy, salary in zip(matching, new_salaries):
        policy["salary"] = 0.0 if salary < 0 else salary


def _calculate_retirement_benefit(run: _Run, mutation: dict, properties: dict) -> None:
    policies = run.dossier["policies"]
    if not policies:
        run.fail("NO_POLICIES")

    retirement_date = parse_date(properties["retirement_date"])
    birth_date = parse_date(run.dossier["persons"][0]["birth_date"])
    age = (retirement_date - birth_date).days / DAYS_PER_YEAR
    total_years = sum(service_years(policies, retirement_date))
    if age < RETIREMENT_AGE_YEARS and total_years < FULL_SERVICE_YEARS:
        run.fail("NOT_ELIGIBLE")
    for policy in policies:
        if retirement_date < parse_date(policy["employment_start_date"]):
            run.warn("RETIREMENT_BEFORE_EMPLOYMENT")

    rates = [run.rate(p["scheme_id"]) for p in policies]
    pensions = benefit_per_policy(policies, retirement_date, rates)
    if not all(math.isfinite(pension) for pension in pensions):
        run.fail("NUMERIC_OVERFLOW")

    run.dossier["status"] = "RETIRED"
    run.dossier["retirement_date"] = properties["retirement_date"]
    for policy, pension in zip(policies, pensions):
        policy["attainable_pension"] = pension


def _project_future_benefits(run: _Run, mutation: dict, properties: dict) -> None:
    policies = run.dossier["policies"]
    if not policies:
        run.fail("NO_POLICIES")

    start = parse_date(properties["projection_start_date"])
    end = parse_date(properties["projection_end_date"])
    if end <= start:
        run.fail("INVALID_DATE_RANGE")
    dates = projection_dates(start, end, properties["projection_interval_months"])
    if len(dates) > MAX_PROJECTION_DATES:
        run.fail("PROJECTION_LIMIT_EXCEEDED")
    for policy in policies:
        if start < parse_date(policy["employment_start_date"]):
            run.warn("PROJECTION_BEFORE_EMPLOYMENT")

    rates = [run.rate(p["scheme_id"]) for p in policies]
    projections: list[list[dict]] = [[] for _ in policies]
    for day in dates:
        pensions = benefit_per_policy(policies, day, rates)
        if not all(math.isfinite(pension) for pension in pensions):
            run.fail("NUMERIC_OVERFLOW")
        for policy_projections, pension in zip(projections, pensions):
            policy_projections.append({"date": day.isoformat(), "projected_pension": pension})

    for policy, policy_projections in zip(policies, projections):
        policy["projections"] = policy_projections


_HANDLERS = {
    "create_dossier": _create_dossier,
    "add_policy": _add_policy,
    "apply_indexation": _apply_indexation,
    "calculate_retirement_benefit": _calculate_retirement_benefit,
    "project_future_benefits": _project_future_benefits,
}


def _run_common_checks(run: _Run, mutation: dict) -> None:
    """Run the checks every mutation goes through before its own ones."""
    name = mutation["mutation_definition_name"]
    if name not in MUTATION_DEFINITIONS:
        run.fail("UNKNOWN_MUTATION")
    mutation_type, definition = MUTATION_DEFINITIONS[name]
    if mutation["mutation_type"] != mutation_type:
        run.fail("INVALID_MUTATION_TYPE")
    if not _has_valid_properties(mutation["mutation_properties"], definition):
        run.fail("INVALID_MUTATION_PROPERTIES")
    if mutation_type == "DOSSIER":
        if run.dossier is None or mutation.get("dossier_id") != run.dossier["dossier_id"]:
            run.fail("DOSSIER_NOT_FOUND")


def evaluate(request: dict, today: datetime.date, rates: dict[str, float] | None = None) -> Evaluation:
    """Apply the request's mutations in order and return the expected outcome.

    ``today`` decides which birth dates lie in the future. ``rates`` maps a
    scheme id to its accrual rate, and schemes missing from it use 0.02.
    """
    mutations = request["calculation_instructions"]["mutations"]
    rates = dict(rates or {})
    messages: list[tuple[str, str]] = []
    message_indexes: list[list[int]] = []
    situations_after: list[dict] = []
    situation: dict = {"dossier": None}
    last_success: int | None = None
    failed = False

    for index, mutation in enumerate(mutations):
        first_message = len(messages)
        run = _Run(copy.deepcopy(situation["dossier"]), messages, today, rates)
        try:
            _run_common_checks(run, mutation)
            _HANDLERS[mutation["mutation_definition_name"]](run, mutation, mutation["mutation_properties"])
        except _MutationFailed:
            failed = True
        else:
            situation = {"dossier": run.dossier}
            last_success = index
        message_indexes.append(list(range(first_message, len(messages))))
        situations_after.append(copy.deepcopy(situation))
        if failed:
            break

    if last_success is None:
        end_index = 0
        end_situation = {"dossier": None}
    else:
        end_index = last_success
        end_situation = situations_after[last_success]
    return Evaluation(
        outcome="FAILURE" if failed else "SUCCESS",
        messages=messages,
        mutation_message_indexes=message_indexes,
        processed_count=len(situations_after),
        end_mutation_id=mutations[end_index]["mutation_id"],
        end_mutation_index=end_index,
        end_actual_at=mutations[end_index]["actual_at"],
        end_situation=copy.deepcopy(end_situation),
        situations_after=situations_after,
    )
