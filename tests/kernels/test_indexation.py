"""The indexation kernel against the plain-Python reference."""

import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels.indexation import index_salaries
from kernels.layout import ANY_SCHEME, CLAMPED, INDEXED, NO_DATE_FILTER, NOT_FINITE, UNMATCHED
from tests.kernels import reference
from tests.kernels.strategies import SCHEMES, days, policy_array, policy_tuples

percentages = st.one_of(
    st.sampled_from([-1.0, -1.5, -0.03, 0.0, 0.03]),
    st.floats(-3.0, 3.0),
)
scheme_filters = st.sampled_from([ANY_SCHEME, *SCHEMES])
date_filters = st.one_of(st.just(NO_DATE_FILTER), days)


def expected_indexation(policies, percentage, scheme, effective_before):
    results = [reference.index_salary(policy, percentage, scheme, effective_before) for policy in policies]
    return np.array([salary for salary, _ in results]), np.array([status for _, status in results])


@settings(max_examples=150, deadline=None)
@given(st.lists(policy_tuples, min_size=1, max_size=20), percentages, scheme_filters, date_filters)
def test_indexation_matches_reference(policies, percentage, scheme, effective_before):
    array = policy_array(policies)
    expected_salary, expected_status = expected_indexation(policies, percentage, scheme, effective_before)

    for parallel in (False, True):
        new_salary, status = index_salaries(array, percentage, scheme, effective_before, parallel=parallel)
        np.testing.assert_array_equal(status, expected_status)
        np.testing.assert_allclose(new_salary, expected_salary, rtol=1e-9, atol=0.0)
        assert not np.signbit(new_salary).any()


@settings(max_examples=50, deadline=None)
@given(st.lists(policy_tuples, min_size=1, max_size=40), percentages, scheme_filters, date_filters)
def test_indexation_serial_equals_parallel(policies, percentage, scheme, effective_before):
    array = policy_array(policies)
    serial = index_salaries(array, percentage, scheme, effective_before)
    parallel = index_salaries(array, percentage, scheme, effective_before, parallel=True)
    np.testing.assert_array_equal(serial[0], parallel[0])
    np.testing.assert_array_equal(serial[1], parallel[1])


def test_indexation_minus_100_percent_gives_zero():
    array = policy_array([(700_000, 50_000.0, 1.0, 0), (700_000, 0.0, 1.0, 0)])
    new_salary, status = index_salaries(array, -1.0)
    np.testing.assert_array_equal(status, [INDEXED, INDEXED])
    np.testing.assert_array_equal(new_salary, [0.0, 0.0])
    assert not np.signbit(new_salary).any()


def test_indexation_below_minus_100_percent_clamps():
    array = policy_array([(700_000, 50_000.0, 1.0, 0), (700_000, 0.0, 1.0, 0)])
    new_salary, status = index_salaries(array, -1.5)
    assert status[0] == CLAMPED
    assert status[1] == INDEXED  # 0 * -0.5 is -0.0, which is not negative
    np.testing.assert_array_equal(new_salary, [0.0, 0.0])
    assert not np.signbit(new_salary).any()


def test_indexation_effective_before_excludes_equal_start():
    start = dt.date(2000, 1, 1).toordinal()
    array = policy_array([(start, 1000.0, 1.0, 0), (start - 1, 1000.0, 1.0, 0)])
    new_salary, status = index_salaries(array, 0.1, effective_before=start)
    np.testing.assert_array_equal(status, [UNMATCHED, INDEXED])
    assert new_salary[0] == 1000.0
    assert new_salary[1] == 1000.0 * 1.1


def test_indexation_scheme_filter():
    array = policy_array([(700_000, 1000.0, 1.0, 0), (700_000, 1000.0, 1.0, 1)])
    _, status = index_salaries(array, 0.1, scheme=1)
    np.testing.assert_array_equal(status, [UNMATCHED, INDEXED])


def test_indexation_overflow_is_not_finite():
    array = policy_array([(700_000, 1e308, 1.0, 0), (700_000, 1.0, 1.0, 0)])
    new_salary, status = index_salaries(array, 1.0)
    np.testing.assert_array_equal(status, [NOT_FINITE, INDEXED])
    assert np.isinf(new_salary[0])
    assert new_salary[1] == 2.0
