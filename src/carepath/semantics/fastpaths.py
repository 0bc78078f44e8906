"""Opt-in fast paths: each specialises one entry of the operator table (`semantics.operators`) for a shape the
evaluators meet on every record, and is keyed like that entry; tests/property/test_property_operators.py holds each
equal to it on generated values. An evaluator with no fast path for a shape lifts the table's entry itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from carepath.language.nodes import BoolKind, Comparator
from carepath.semantics.operators import LOGIC, Operand
from carepath.semantics.values import MONTH, Duration, Truth

Row = Sequence[Any]  # one record's environment: its values by slot
RowFn = Callable[[Any], Any]  # an evaluator's closure over a row
ColumnFn = Callable[[Sequence[Any]], list[Truth]]


def _under_months(slot: int, months: int) -> RowFn:
    threshold = months * MONTH

    def under(row: Row) -> Truth:
        v: Duration | None = row[slot]
        if v is None:
            return None
        return True if v.month_high < threshold else False if v.month_low >= threshold else None

    return under


#: `row[slot] op constant`, the constant known and never unknown: specialises `COMPARISONS[key](row[slot], constant)`.
ROW_AGAINST_CONSTANT: dict[tuple[Comparator, Operand, Operand], Callable[[int, Any], RowFn]] = {
    (Comparator.EQ, Operand.VALUE, Operand.VALUE): lambda s, c: lambda row: None if (v := row[s]) is None else v == c,
    (Comparator.NE, Operand.VALUE, Operand.VALUE): lambda s, c: lambda row: None if (v := row[s]) is None else v != c,
    (Comparator.LT, Operand.VALUE, Operand.VALUE): lambda s, c: lambda row: None if (v := row[s]) is None else v < c,
    (Comparator.LE, Operand.VALUE, Operand.VALUE): lambda s, c: lambda row: None if (v := row[s]) is None else v <= c,
    (Comparator.GT, Operand.VALUE, Operand.VALUE): lambda s, c: lambda row: None if (v := row[s]) is None else v > c,
    (Comparator.GE, Operand.VALUE, Operand.VALUE): lambda s, c: lambda row: None if (v := row[s]) is None else v >= c,
    (Comparator.LT, Operand.DURATION, Operand.MONTHS): _under_months,  # "age < 6 months", the commonest duration test
}


def _column_under_months(values: Sequence[Any], months: int) -> list[Truth]:
    threshold = months * MONTH
    return [None if v is None else True if v.month_high < threshold else False if v.month_low >= threshold else None for v in values]


#: A whole column against a constant: specialises `[COMPARISONS[key](v, constant) for v in values]`.
COLUMN_AGAINST_CONSTANT: dict[tuple[Comparator, Operand, Operand], Callable[[Sequence[Any], Any], list[Truth]]] = {
    (Comparator.EQ, Operand.VALUE, Operand.VALUE): lambda values, c: [None if v is None else v == c for v in values],
    (Comparator.NE, Operand.VALUE, Operand.VALUE): lambda values, c: [None if v is None else v != c for v in values],
    (Comparator.LT, Operand.VALUE, Operand.VALUE): lambda values, c: [None if v is None else v < c for v in values],
    (Comparator.LE, Operand.VALUE, Operand.VALUE): lambda values, c: [None if v is None else v <= c for v in values],
    (Comparator.GT, Operand.VALUE, Operand.VALUE): lambda values, c: [None if v is None else v > c for v in values],
    (Comparator.GE, Operand.VALUE, Operand.VALUE): lambda values, c: [None if v is None else v >= c for v in values],
    (Comparator.LT, Operand.DURATION, Operand.MONTHS): _column_under_months,
}


def _short_circuit(stop: bool) -> Callable[[Sequence[RowFn]], RowFn]:
    other = not stop

    def build(fns: Sequence[RowFn]) -> RowFn:
        """Kleene `and` (stop at false) or `or` (stop at true) over closures, later operands read only when
        needed; two and three operands, the usual sizes, unrolled."""
        if len(fns) == 2:
            first, second = fns

            def two(row: Any) -> Any:
                a = first(row)
                if a is stop:
                    return stop
                b = second(row)
                if b is stop:
                    return stop
                return None if a is None or b is None else other

            return two
        if len(fns) == 3:
            first, second, third = fns

            def three(row: Any) -> Any:
                a = first(row)
                if a is stop:
                    return stop
                b = second(row)
                if b is stop:
                    return stop
                c = third(row)
                if c is stop:
                    return stop
                return None if a is None or b is None or c is None else other

            return three
        parts = tuple(fns)

        def many(row: Any) -> Any:
            unknown = False
            for fn in parts:
                result = fn(row)
                if result is stop:
                    return stop
                if result is None:
                    unknown = True
            return None if unknown else other

        return many

    return build


#: `and`/`or` over closures with short-circuit: specialises `LOGIC[kind]([fn(row) for fn in fns])`.
ROW_LOGIC: dict[BoolKind, Callable[[Sequence[RowFn]], RowFn]] = {
    BoolKind.AND: _short_circuit(False), BoolKind.ALL_OF: _short_circuit(False),
    BoolKind.OR: _short_circuit(True), BoolKind.ANY_OF: _short_circuit(True),
}


def _column_logic(kind: BoolKind) -> Callable[[Sequence[Sequence[Truth]]], list[Truth]]:
    stop = not kind.is_conjunction
    other = not stop
    fold = LOGIC[kind]

    def columns(parts: Sequence[Sequence[Truth]]) -> list[Truth]:
        """Kleene `and`/`or` row by row over whole columns, two and three operands unrolled."""
        if len(parts) == 2:
            return [stop if a is stop or b is stop else None if a is None or b is None else other for a, b in zip(*parts, strict=True)]
        if len(parts) == 3:
            return [stop if a is stop or b is stop or c is stop else None if a is None or b is None or c is None else other
                    for a, b, c in zip(*parts, strict=True)]
        return [fold(row) for row in zip(*parts, strict=True)]

    return columns


#: `and`/`or` over columns: specialises `[LOGIC[kind](row) for row in zip(*columns)]`.
COLUMN_LOGIC: dict[BoolKind, Callable[[Sequence[Sequence[Truth]]], list[Truth]]] = {
    kind: _column_logic(kind) for kind in (BoolKind.AND, BoolKind.ALL_OF, BoolKind.OR, BoolKind.ANY_OF)
}

#: `not` as a lookup, for `map` over a column: specialises `kleene_not`.
NOT_LOOKUP: Callable[[Truth], Truth] = {True: False, False: True, None: None}.__getitem__
