"""Plain-Python reference of the kernel formulas, one policy at a time.

Policies are tuples ``(employment_start, salary, part_time_factor, scheme)``
with dates as day numbers. The arithmetic follows the written formulas in
their written order, so the Numba kernels can be checked against it.
"""

import math

from kernels.layout import ANY_SCHEME, CLAMPED, DAYS_PER_YEAR, INDEXED, NOT_FINITE, UNMATCHED


def index_salary(policy, percentage, scheme, effective_before):
    """Return ``(new_salary, status)`` of one policy after indexation by ``percentage`` (a fraction)."""
    start, salary, _, policy_scheme = policy
    scheme_matches = scheme == ANY_SCHEME or policy_scheme == scheme
    if not (scheme_matches and start < effective_before):
        return salary, UNMATCHED

    new_salary = salary * (1.0 + percentage)
    if not math.isfinite(new_salary):
        return new_salary, NOT_FINITE
    if new_salary < 0.0:
        return 0.0, CLAMPED
    return abs(new_salary), INDEXED  # abs turns -0.0 into 0.0


def years_of_service(start, day):
    """Return ``max(0, (day - start) / 365.25)``, in years."""
    return max(0.0, (day - start) / DAYS_PER_YEAR)


def dossier_benefits(policies, rates, day):
    """Return ``(pensions, total_years)`` of one dossier's policies at ``day``."""
    years = [years_of_service(policy[0], day) for policy in policies]
    total_years = 0.0
    for value in years:
        total_years += value
    if total_years == 0.0:
        return [0.0] * len(policies), total_years

    weighted = 0.0
    for policy, value in zip(policies, years):
        weighted += policy[1] * policy[2] * value
    weighted_average = weighted / total_years
    pensions = [weighted_average * value * rate for value, rate in zip(years, rates)]
    return pensions, total_years


def dossier_projection(policies, rates, dates):
    """Return one list of projected pensions per policy, one value per date."""
    columns = [dossier_benefits(policies, rates, day)[0] for day in dates]
    return [[column[i] for column in columns] for i in range(len(policies))]
