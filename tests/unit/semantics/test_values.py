"""Kleene truth, calendar arithmetic and duration intervals: the semantics every decision rests on."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carepath.language.nodes import Comparator
from carepath.semantics.operators import compare_interval, kleene_and, kleene_not, kleene_or
from carepath.semantics.values import (
    MONTH,
    Duration,
    Truth,
    add_months,
    completed_months,
    days_in_months,
    format_number,
    month_positions_of_days,
)

T, F, U = True, False, None
TRUTHS: tuple[Truth, ...] = (T, F, U)

# Kleene's strong three-valued logic, written out in full rather than derived.
AND_TABLE = {
    (T, T): T, (T, F): F, (T, U): U,
    (F, T): F, (F, F): F, (F, U): F,
    (U, T): U, (U, F): F, (U, U): U,
}
OR_TABLE = {
    (T, T): T, (T, F): T, (T, U): T,
    (F, T): T, (F, F): F, (F, U): U,
    (U, T): T, (U, F): U, (U, U): U,
}


@pytest.mark.parametrize(("a", "b"), list(itertools.product(TRUTHS, TRUTHS)))
def test_kleene_and_truth_table(a: Truth, b: Truth) -> None:
    assert kleene_and([a, b]) is AND_TABLE[a, b]


@pytest.mark.parametrize(("a", "b"), list(itertools.product(TRUTHS, TRUTHS)))
def test_kleene_or_truth_table(a: Truth, b: Truth) -> None:
    assert kleene_or([a, b]) is OR_TABLE[a, b]


def test_kleene_not() -> None:
    assert kleene_not(True) is False
    assert kleene_not(False) is True
    assert kleene_not(None) is None


def test_kleene_empty_operands_are_identities() -> None:
    assert kleene_and([]) is True
    assert kleene_or([]) is False


def test_kleene_many_operands_false_dominates_unknown_in_and() -> None:
    assert kleene_and([None, None, True, False]) is False
    assert kleene_or([None, False, None, True]) is True
    assert kleene_or([None, False, False]) is None


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (dt.date(2008, 1, 31), 1, dt.date(2008, 2, 29)),  # leap year: clamp to the 29th
        (dt.date(2009, 1, 31), 1, dt.date(2009, 2, 28)),
        (dt.date(2100, 1, 31), 1, dt.date(2100, 2, 28)),  # 2100 is not a leap year
        (dt.date(2007, 8, 31), 6, dt.date(2008, 2, 29)),
        (dt.date(2008, 3, 31), 1, dt.date(2008, 4, 30)),
        (dt.date(2008, 11, 15), 2, dt.date(2009, 1, 15)),  # across the year end
        (dt.date(2008, 12, 31), 12, dt.date(2009, 12, 31)),
        (dt.date(2008, 5, 10), 0, dt.date(2008, 5, 10)),
    ],
)
def test_add_months_clamps_to_end_of_month(start: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (dt.date(2008, 1, 31), dt.date(2008, 2, 29), (1, 0)),  # clamped month end counts as a whole month
        (dt.date(2008, 1, 31), dt.date(2008, 2, 28), (0, 28)),
        (dt.date(2008, 1, 15), dt.date(2008, 7, 14), (5, 29)),  # a day short of 6 months
        (dt.date(2008, 1, 15), dt.date(2008, 7, 15), (6, 0)),
        (dt.date(2008, 1, 31), dt.date(2008, 7, 30), (5, 30)),
        (dt.date(2008, 1, 31), dt.date(2008, 7, 31), (6, 0)),
        (dt.date(2007, 8, 31), dt.date(2008, 2, 29), (6, 0)),
        (dt.date(2008, 3, 1), dt.date(2008, 3, 1), (0, 0)),
        (dt.date(2007, 12, 20), dt.date(2008, 1, 19), (0, 30)),
    ],
)
def test_completed_months(start: dt.date, end: dt.date, expected: tuple[int, int]) -> None:
    assert completed_months(start, end) == expected


@given(st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)), st.integers(0, 20_000))
def test_completed_months_is_the_last_monthly_anniversary_on_or_before_the_end(start: dt.date, days: int) -> None:
    """As defined: the most months whose anniversary (clamped to a short month's end) is not after `end`."""
    end = start + dt.timedelta(days=days)
    months, rest = completed_months(start, end)
    assert add_months(start, months) <= end < add_months(start, months + 1)
    assert rest == (end - add_months(start, months)).days


def test_days_in_months_gives_the_calendar_extremes() -> None:
    assert days_in_months(6) == (181, 184)
    assert days_in_months(1) == (28, 31)
    assert days_in_months(12) == (365, 366)
    assert days_in_months(0) == (0, 0)


def test_month_positions_of_days() -> None:
    # 180 days is always short of 6 months; 185 days always past them.
    assert month_positions_of_days(180)[1] < 6 * MONTH
    assert month_positions_of_days(185)[0] > 6 * MONTH
    low, high = month_positions_of_days(183)
    assert low < 6 * MONTH <= high


def test_duration_of_months_is_a_day_range() -> None:
    six = Duration.of_months(6)
    assert (six.month_low, six.month_high) == (6 * MONTH, 6 * MONTH)
    assert (six.day_low, six.day_high) == (181, 184)
    assert six.text == "6 months"
    assert Duration.of_months(1).text == "1 month"
    assert not six.exact


def test_duration_of_days_is_a_month_range() -> None:
    d = Duration.of_days(183)
    assert (d.day_low, d.day_high) == (183, 183)
    assert d.month_low < d.month_high
    assert d.text == "183 days"
    assert Duration.of_days(1).text == "1 day"


def test_duration_between_dates_is_exact() -> None:
    d = Duration.between(dt.date(2008, 1, 31), dt.date(2008, 7, 30))
    assert d.exact
    assert (d.month_low, d.day_low) == (5 * MONTH + 30, 181)
    assert d.text == "5 months 30 days (181 days, 2008-01-31 to 2008-07-30)"


@pytest.mark.parametrize(
    ("days", "expected"),
    [(180, True), (181, None), (183, None), (184, False), (185, False)],
)
def test_days_against_under_six_months(days: int, expected: Truth) -> None:
    """6 months is 181–184 days: only spans outside that range compare definitely."""
    d = Duration.of_days(days)
    assert compare_interval(d.month_low, d.month_high, Comparator.LT, 6 * MONTH) is expected


@pytest.mark.parametrize(
    ("months", "op", "days", "expected"),
    [
        (6, ">=", 183, None),
        (6, ">=", 181, True),
        (6, ">", 184, False),
        (6, "<", 185, True),
        (6, "<=", 180, False),
    ],
)
def test_months_against_days(months: int, op: str, days: int, expected: Truth) -> None:
    m = Duration.of_months(months)
    assert compare_interval(m.day_low, m.day_high, Comparator(op), days) is expected


@pytest.mark.parametrize(
    ("low", "high", "op", "threshold", "expected"),
    [
        (1, 3, "<", 4, True), (1, 3, "<", 3, None), (1, 3, "<", 1, False),
        (1, 3, "<=", 3, True), (1, 3, "<=", 0, False), (1, 3, "<=", 2, None),
        (1, 3, ">", 0, True), (1, 3, ">", 3, False), (1, 3, ">", 2, None),
        (1, 3, ">=", 1, True), (1, 3, ">=", 4, False), (1, 3, ">=", 2, None),
        (2, 2, "=", 2, True), (1, 3, "=", 2, None), (1, 3, "=", 5, False),
        (2, 2, "!=", 2, False), (1, 3, "!=", 2, None), (1, 3, "!=", 5, True),
    ],
)
def test_compare_interval(low: int, high: int, op: str, threshold: int, expected: Truth) -> None:
    assert compare_interval(low, high, Comparator(op), threshold) is expected


def test_compare_interval_rejects_unknown_operator() -> None:
    with pytest.raises(ValueError):
        compare_interval(1, 2, "~", 1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "text"),
    [(123800, "123,800"), (0.5, "0.5"), (50000.0, "50,000"), (33.9, "33.9"), (1234.5, "1,234.5"), (-1500, "-1,500"), ("x", "x")],
)
def test_format_number(value: object, text: str) -> None:
    assert format_number(value) == text


def test_huge_numbers_are_shown_in_powers_of_ten_never_a_crash() -> None:
    from fractions import Fraction

    assert format_number(10**5_000) == "1e+5000"  # an int of 5,001 digits cannot become text directly
    assert format_number(Fraction(10**400, 3)) == "3.33333e+399"  # nor become a float
    assert format_number(-(10**30)) == "-1e+30"
    assert format_number(1e300) == "1e+300"
    assert format_number(10**20) == "100,000,000,000,000,000,000"  # below 10^21 every digit is kept
    assert format_number(float("inf")) == "Infinity"


def test_month_spans_from_the_reduced_start_dates_equal_those_from_every_date() -> None:
    """Start days 2 to 28 are left out of the scan: from every date of 2096-2104 the answers are the same."""
    every = [dt.date(2096, 1, 1) + dt.timedelta(days=i) for i in range(0, (dt.date(2105, 1, 1) - dt.date(2096, 1, 1)).days)]
    for months in (1, 2, 6, 11, 13, 25, 49):
        spans = [(add_months(start, months) - start).days for start in every]
        assert days_in_months(months) == (min(spans), max(spans))
    for days in (27, 28, 29, 30, 31, 59, 60, 183, 366, 1_461):
        positions = []
        for start in every:
            months, rest = completed_months(start, start + dt.timedelta(days=days))
            positions.append(months * MONTH + rest)
        assert month_positions_of_days(days) == (min(positions), max(positions))
