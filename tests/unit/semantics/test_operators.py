"""The operator table: each entry decided by hand on the cases a protocol author meets."""

from __future__ import annotations

from fractions import Fraction

import pytest

from carepath.language.nodes import ArithOp, BoolKind, Comparator
from carepath.semantics.operators import (
    ARITHMETIC,
    COMPARISONS,
    LOGIC,
    PRESENCE,
    Operand,
    compare_interval_open,
    comparison,
    deciding,
    either,
    first_not_false,
    first_true,
)
from carepath.semantics.values import Duration, NotBefore, Truth, unsettled

LT, LE, GT, GE, EQ, NE = Comparator.LT, Comparator.LE, Comparator.GT, Comparator.GE, Comparator.EQ, Comparator.NE
V, X, DUR, MONTHS, DAYS, DAY = Operand.VALUE, Operand.EXACT, Operand.DURATION, Operand.MONTHS, Operand.DAYS, Operand.DAY


def test_every_comparison_has_an_entry_for_every_operand_pair_the_checker_lets_through() -> None:
    pairs = {(V, V), (X, X), (X, V), (V, X), (DUR, MONTHS), (DUR, DAYS), (DUR, DUR), (DAY, DAY), (MONTHS, DUR), (DAYS, DUR)}
    assert {(left, right) for _, left, right in COMPARISONS} == pairs
    assert len(COMPARISONS) == len(pairs) * len(Comparator)


@pytest.mark.parametrize(
    ("op", "a", "b", "expected"),
    [(LT, 0.4, 0.5, True), (GE, 0.4, 0.5, False), (EQ, "t_cell", "t_cell", True), (NE, "t_cell", "b_cell", True),
     (EQ, True, False, False), (LE, 12, 12, True), (LT, None, 0.5, None), (EQ, "t_cell", None, None)],
)
def test_recorded_values_compare_in_their_own_order_and_unknown_stays_unknown(op: Comparator, a: object, b: object, expected: Truth) -> None:
    assert comparison(op, V, V)(a, b) is expected


def test_a_computed_number_compares_exactly_so_decimal_sums_hold_as_on_paper() -> None:
    total = ARITHMETIC[ArithOp.ADD](0.1, 0.2)
    assert total == Fraction(3, 10)
    assert comparison(EQ, X, V)(total, 0.3) is True
    assert 0.1 + 0.2 != 0.3  # what float arithmetic would have said
    assert comparison(GT, X, X)(Fraction(1, 3), Fraction(333, 1000)) is True
    assert comparison(LT, V, X)(None, Fraction(1)) is None


@pytest.mark.parametrize(
    ("age", "op", "months", "expected"),
    [
        (Duration.of_days(180), LT, 6, True),  # 180 days is always short of 6 calendar months
        (Duration.of_days(183), LT, 6, None),  # 6 months is 181–184 days: 183 days straddles it
        (Duration.of_days(185), LT, 6, False),
        (Duration.of_months(5), LT, 6, True),
        (Duration.of_months(6), GE, 6, True),
        (Duration.within_month(5, "5.5 months"), LT, 6, True),
        (None, LT, 6, None),
    ],
)
def test_a_duration_against_months_by_calendar_position(age: Duration | None, op: Comparator, months: int, expected: Truth) -> None:
    assert COMPARISONS[op, DUR, MONTHS](age, months) is expected


@pytest.mark.parametrize(
    ("age", "op", "days", "expected"),
    [(Duration.of_months(6), GE, 183, None), (Duration.of_months(6), GE, 181, True), (Duration.of_months(6), GT, 184, False),
     (Duration.of_months(6), LT, 185, True), (Duration.of_days(90), EQ, 90, True), (Duration.of_days(90), NE, 91, True)],
)
def test_a_duration_against_days_by_day_count(age: Duration, op: Comparator, days: int, expected: Truth) -> None:
    assert COMPARISONS[op, DUR, DAYS](age, days) is expected


def test_a_calendar_literal_written_first_reads_as_its_mirror() -> None:
    # `6 months > age` is `age < 6 months`
    assert COMPARISONS[GT, MONTHS, DUR](6, Duration.of_days(180)) is True
    assert COMPARISONS[GT, MONTHS, DUR](6, Duration.of_days(183)) is None
    assert COMPARISONS[LE, DAYS, DUR](181, Duration.of_months(6)) is True


def test_two_durations() -> None:
    assert COMPARISONS[LT, DUR, DUR](Duration.of_months(5), Duration.of_months(6)) is True
    assert COMPARISONS[EQ, DUR, DUR](Duration.of_days(10), Duration.of_days(10)) is True
    assert COMPARISONS[LT, DUR, DUR](Duration.of_days(183), Duration.of_months(6)) is None  # 181–184 days
    assert COMPARISONS[LT, DUR, DUR](Duration.of_days(100), Duration.of_months(6)) is True  # settled by either bound
    assert COMPARISONS[LT, DUR, DUR](None, Duration.of_months(6)) is None


@pytest.mark.parametrize(
    ("a", "op", "b", "expected"),
    [
        (12, GT, 30, False),
        (NotBefore(31), GT, 30, True),  # not reached by day 31: it will be after day 30
        (NotBefore(20), GT, 30, None),
        (NotBefore(20, 25), GT, 30, False),  # between day 20 and 25
        (NotBefore(20, 25), EQ, 40, False),
        (NotBefore(20), EQ, 40, None),
        (NotBefore(20), NE, 10, True),
        (5, LT, NotBefore(6), True),
        (None, GT, 30, None),
    ],
)
def test_event_days_with_not_before_bounds(a: int | NotBefore | None, op: Comparator, b: int, expected: Truth) -> None:
    assert COMPARISONS[op, DAY, DAY](a, b) is expected


def test_open_intervals_are_decided_only_when_every_pair_agrees() -> None:
    assert compare_interval_open(10, None, GE, 10, 10) is True
    assert compare_interval_open(10, None, GT, 10, 10) is None
    assert compare_interval_open(1, 3, LE, 3, None) is True


T, F, U = True, False, None


@pytest.mark.parametrize(
    ("kind", "values", "expected"),
    [
        (BoolKind.AND, (T, U), U), (BoolKind.AND, (F, U), F), (BoolKind.ALL_OF, (T, T, T), T),
        (BoolKind.OR, (F, U), U), (BoolKind.ANY_OF, (U, T, F), T), (BoolKind.OR, (F, F), F),
        (BoolKind.XOR, (T, F), T), (BoolKind.XOR, (T, T), F), (BoolKind.XOR, (T, U), U),
        (BoolKind.IMPLIES, (F, U), T), (BoolKind.IMPLIES, (U, T), T), (BoolKind.IMPLIES, (T, F), F), (BoolKind.IMPLIES, (T, U), U),
    ],
)
def test_kleene_logic(kind: BoolKind, values: tuple[Truth, ...], expected: Truth) -> None:
    assert LOGIC[kind](values) is expected


@pytest.mark.parametrize(
    ("kind", "values", "expected"),
    [(BoolKind.AND, (T, F, U, F), (1, 3)), (BoolKind.AND, (T, U, U), (1, 2)), (BoolKind.AND, (T, T), (0, 1)),
     (BoolKind.OR, (F, T, U), (1,)), (BoolKind.IMPLIES, (F, T), (0, 1)), (BoolKind.IMPLIES, (T, U), (1,)),
     (BoolKind.XOR, (T, F), (0, 1))],
)
def test_deciding_operands(kind: BoolKind, values: tuple[Truth, ...], expected: tuple[int, ...]) -> None:
    assert deciding(kind, values) == expected


def test_arithmetic_is_exact_and_unknown_in_gives_unknown_out() -> None:
    assert ARITHMETIC[ArithOp.MULTIPLY](1.5, 2) == 3
    assert ARITHMETIC[ArithOp.SUBTRACT](1, 0.9) == Fraction(1, 10)
    assert ARITHMETIC[ArithOp.DIVIDE](1, 3) == Fraction(1, 3)
    assert ARITHMETIC[ArithOp.DIVIDE](1, 0) is None  # a zero reading: unknown, not an error
    assert ARITHMETIC[ArithOp.ADD](None, 1) is None


def test_presence_is_two_valued() -> None:
    assert PRESENCE[True](0) is True
    assert PRESENCE[True](None) is False
    assert PRESENCE[False](None) is True


def test_unsettled_operands_are_those_a_comparison_may_leave_unknown() -> None:
    assert unsettled(None) and unsettled(Duration.of_days(183)) and unsettled(NotBefore(3))
    assert not unsettled(Duration(6 * 32, 6 * 32, 183, 183, "exactly 6 months"))
    assert not unsettled(0.4)


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [((F, T, T), 1), ((T, U), 0), ((F, U, T), None), ((F, F), None), ((F, F, T), 2), ((), None)],
)
def test_first_true_takes_the_first_true_branch_only_past_false_ones(outcomes: tuple[Truth, ...], expected: int | None) -> None:
    assert first_true(outcomes) == expected


def test_either_picks_a_two_branch_classification_by_its_first_condition() -> None:
    pick = either(("high", "standard"))
    assert (pick(True), pick(False), pick(None)) == ("high", "standard", None)


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [((F, T), (1, T)), ((F, U, T), (1, U)), ((F, F), None), ((T,), (0, T))],
)
def test_first_not_false_says_which_branch_settles_or_holds_up_the_choice(outcomes: tuple[Truth, ...],
                                                                         expected: tuple[int, Truth] | None) -> None:
    assert first_not_false(outcomes) == expected
