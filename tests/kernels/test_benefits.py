"""The retirement benefit and projection kernels against the plain-Python reference."""

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels.benefits import project, retirement_benefit
from tests.kernels import reference
from tests.kernels.strategies import days, policy_array, portfolio_arrays, portfolios

RELATIVE_TOLERANCE = 1e-9


def expected_benefits(portfolio, retirement_days):
    pensions = []
    totals = []
    for dossier, day in zip(portfolio, retirement_days):
        values, total = reference.dossier_benefits([p for p, _ in dossier], [r for _, r in dossier], day)
        pensions.extend(values)
        totals.append(total)
    return np.array(pensions, dtype=np.float64), np.array(totals, dtype=np.float64)


def expected_projection(portfolio, dates):
    rows = []
    for dossier in portfolio:
        rows.extend(reference.dossier_projection([p for p, _ in dossier], [r for _, r in dossier], dates))
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(dates))


@st.composite
def portfolios_with_days(draw):
    portfolio = draw(portfolios)
    return portfolio, draw(st.lists(days, min_size=len(portfolio), max_size=len(portfolio)))


@settings(max_examples=120, deadline=None)
@given(portfolios_with_days())
def test_retirement_benefit_matches_reference(case):
    portfolio, retirement_days = case
    policies, rates, offsets = portfolio_arrays(portfolio)
    expected_pension, expected_total = expected_benefits(portfolio, retirement_days)
    day_array = np.array(retirement_days, dtype=np.int64)

    serial = retirement_benefit(policies, rates, offsets, day_array)
    parallel = retirement_benefit(policies, rates, offsets, day_array, parallel=True)
    np.testing.assert_allclose(serial[0], expected_pension, rtol=RELATIVE_TOLERANCE, atol=0.0)
    np.testing.assert_allclose(serial[1], expected_total, rtol=RELATIVE_TOLERANCE, atol=0.0)
    np.testing.assert_array_equal(serial[0], parallel[0])
    np.testing.assert_array_equal(serial[1], parallel[1])


@settings(max_examples=120, deadline=None)
@given(portfolios, st.lists(days, min_size=1, max_size=30))
def test_projection_matches_reference(portfolio, dates):
    policies, rates, offsets = portfolio_arrays(portfolio)
    expected = expected_projection(portfolio, dates)
    date_array = np.array(dates, dtype=np.int64)

    serial = project(policies, rates, offsets, date_array)
    parallel = project(policies, rates, offsets, date_array, parallel=True)
    assert serial.shape == (policies.shape[0], len(dates))
    np.testing.assert_allclose(serial, expected, rtol=RELATIVE_TOLERANCE, atol=0.0)
    np.testing.assert_array_equal(serial, parallel)


@settings(max_examples=30, deadline=None)
@given(portfolios, st.lists(days, min_size=1, max_size=12))
def test_projection_writes_into_out(portfolio, dates):
    policies, rates, offsets = portfolio_arrays(portfolio)
    date_array = np.array(dates, dtype=np.int64)
    out = np.full((policies.shape[0], len(dates)), np.nan)

    result = project(policies, rates, offsets, date_array, parallel=True, out=out)
    assert result is out
    np.testing.assert_array_equal(out, project(policies, rates, offsets, date_array))


def test_zero_total_years_gives_zero():
    start = dt.date(2030, 1, 1).toordinal()
    policies = policy_array([(start, 50_000.0, 1.0, 0), (start + 10, 60_000.0, 0.5, 1)])
    rates = np.full(2, 0.02)
    offsets = np.array([0, 2], dtype=np.int64)

    pension, total = retirement_benefit(policies, rates, offsets, np.array([start], dtype=np.int64))
    np.testing.assert_array_equal(pension, [0.0, 0.0])
    np.testing.assert_array_equal(total, [0.0])
    projected = project(policies, rates, offsets, np.array([start - 100, start], dtype=np.int64))
    np.testing.assert_array_equal(projected, np.zeros((2, 2)))


def test_policy_starting_after_date_counts_zero_years():
    day = dt.date(2024, 2, 29).toordinal()
    policies = policy_array([(day - 3653, 50_000.0, 1.0, 0), (day + 1, 90_000.0, 1.0, 0)])
    rates = np.full(2, 0.02)
    offsets = np.array([0, 2], dtype=np.int64)

    pension, total = retirement_benefit(policies, rates, offsets, np.array([day], dtype=np.int64))
    years = 3653 / 365.25
    assert total[0] == pytest.approx(years, rel=RELATIVE_TOLERANCE)
    assert pension[0] == pytest.approx(50_000.0 * years * 0.02, rel=RELATIVE_TOLERANCE)
    assert pension[1] == 0.0


def test_empty_dossiers_between_others():
    policies = policy_array([(700_000, 1000.0, 1.0, 0), (700_100, 2000.0, 1.0, 0)])
    rates = np.full(2, 0.02)
    offsets = np.array([0, 0, 1, 1, 2, 2], dtype=np.int64)
    dates = np.array([705_000, 710_000], dtype=np.int64)

    projected = project(policies, rates, offsets, dates, parallel=True)
    assert projected[0, 1] == pytest.approx(1000.0 * (10_000 / 365.25) * 0.02, rel=RELATIVE_TOLERANCE)
    assert projected[1, 1] == pytest.approx(2000.0 * (9_900 / 365.25) * 0.02, rel=RELATIVE_TOLERANCE)
    pension, total = retirement_benefit(policies, rates, offsets, np.full(5, 710_000, dtype=np.int64))
    np.testing.assert_array_equal(total[[0, 2, 4]], [0.0, 0.0, 0.0])


def test_overflowing_salary_is_not_finite():
    policies = policy_array([(700_000, 1e308, 1.0, 0), (700_000, 1e308, 1.0, 0)])
    rates = np.full(2, 0.02)
    offsets = np.array([0, 2], dtype=np.int64)
    dates = np.array([720_000], dtype=np.int64)

    pension, _ = retirement_benefit(policies, rates, offsets, dates)
    assert not np.isfinite(pension).any()
    assert not np.isfinite(project(policies, rates, offsets, dates)).any()


def test_projection_rejects_wrong_out():
    policies = policy_array([(700_000, 1000.0, 1.0, 0)])
    rates = np.full(1, 0.02)
    offsets = np.array([0, 1], dtype=np.int64)
    dates = np.array([705_000, 710_000], dtype=np.int64)

    with pytest.raises(ValueError, match="shape"):
        project(policies, rates, offsets, dates, out=np.empty((1, 3)))
    with pytest.raises(ValueError, match="float64"):
        project(policies, rates, offsets, dates, out=np.empty((1, 2), dtype=np.float32))
    with pytest.raises(ValueError, match="C-contiguous"):
        project(policies, rates, offsets, dates, out=np.empty((1, 4))[:, ::2])
