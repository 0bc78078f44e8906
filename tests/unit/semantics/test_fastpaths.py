"""The fast paths, each by hand against the table entry it specialises (the property tests then try many values)."""

from __future__ import annotations

from collections.abc import Callable

from carepath.language.nodes import BoolKind, Comparator
from carepath.semantics.fastpaths import COLUMN_AGAINST_CONSTANT, COLUMN_LOGIC, NOT_LOOKUP, ROW_AGAINST_CONSTANT, ROW_LOGIC
from carepath.semantics.operators import COMPARISONS, LOGIC, Operand
from carepath.semantics.values import Duration

UNDER_MONTHS = (Comparator.LT, Operand.DURATION, Operand.MONTHS)
AGES = [Duration.of_months(5), Duration.of_days(183), Duration.of_days(185), Duration.of_days(150), None]


def test_age_under_6_months_row_and_column_agree_with_the_table() -> None:
    row = ROW_AGAINST_CONSTANT[UNDER_MONTHS](0, 6)
    expected = [True, None, False, True, None]  # 183 days may or may not be 6 months; a missing age is unknown
    assert [row([age]) for age in AGES] == expected
    assert COLUMN_AGAINST_CONSTANT[UNDER_MONTHS](AGES, 6) == expected
    assert [COMPARISONS[UNDER_MONTHS](age, 6) for age in AGES] == expected


def test_a_value_against_a_constant_is_unknown_only_when_missing() -> None:
    ge = ROW_AGAINST_CONSTANT[Comparator.GE, Operand.VALUE, Operand.VALUE](1, 50000)
    assert [ge([None, v]) for v in (49999, 50000, None)] == [False, True, None]
    assert COLUMN_AGAINST_CONSTANT[Comparator.NE, Operand.VALUE, Operand.VALUE](["t", "g", None], "g") == [True, False, None]


def test_short_circuit_and_reads_later_operands_only_when_needed() -> None:
    read: list[int] = []

    def operand(index: int, value: bool | None) -> Callable[[object], bool | None]:
        def fn(row: object) -> bool | None:
            read.append(index)
            return value
        return fn

    both = ROW_LOGIC[BoolKind.AND]([operand(0, False), operand(1, True)])
    assert both(None) is False and read == [0]
    read.clear()
    three = ROW_LOGIC[BoolKind.OR]([operand(0, None), operand(1, False), operand(2, True)])
    assert three(None) is True and read == [0, 1, 2]
    many = ROW_LOGIC[BoolKind.ANY_OF]([operand(i, None) for i in range(4)])
    assert many(None) is None


def test_column_logic_matches_kleene_row_by_row() -> None:
    a, b, c = [True, False, None, None], [None, None, False, True], [True, True, True, None]
    for kind in (BoolKind.AND, BoolKind.OR):
        assert COLUMN_LOGIC[kind]([a, b]) == [LOGIC[kind](row) for row in zip(a, b, strict=True)]
        assert COLUMN_LOGIC[kind]([a, b, c]) == [LOGIC[kind](row) for row in zip(a, b, c, strict=True)]
    assert COLUMN_LOGIC[BoolKind.AND]([a, b]) == [None, False, False, None]


def test_not_is_a_lookup() -> None:
    assert [NOT_LOOKUP(v) for v in (True, False, None)] == [False, True, None]
