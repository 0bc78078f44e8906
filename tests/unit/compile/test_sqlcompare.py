"""The operator table's interval comparisons in SQL, run on DuckDB against the table's own functions."""

from __future__ import annotations

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

from carepath.compile.sqlcompare import SQL_OPERANDS, any_of, compare_intervals_sql, durations
from carepath.language.nodes import Comparator
from carepath.semantics.operators import COMPARISONS, Operand, compare_durations, compare_intervals
from carepath.semantics.values import Duration

SMALL = st.integers(min_value=-3, max_value=3)


def _run(condition: exp.Expr) -> bool | None:
    value = duckdb.sql("SELECT " + condition.sql("duckdb")).fetchall()[0][0]
    assert value is None or isinstance(value, bool)
    return value


def _bounds(low: int, width: int) -> tuple[exp.Expr, exp.Expr]:
    return exp.Literal.number(low), exp.Literal.number(low + width)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(list(Comparator)), SMALL, st.integers(0, 2), SMALL, st.integers(0, 2))
def test_interval_comparisons_are_the_tables(op: Comparator, a_low: int, a_width: int, b_low: int, b_width: int) -> None:
    sql = compare_intervals_sql(_bounds(a_low, a_width), op, _bounds(b_low, b_width))
    assert _run(sql) == compare_intervals(a_low, a_low + a_width, op, b_low, b_low + b_width)


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(list(Comparator)), st.integers(150, 200), st.integers(0, 1), st.integers(150, 200), st.integers(0, 1))
def test_two_durations_compare_as_the_table_says(op: Comparator, a_days: int, a_months: int, b_days: int, b_months: int) -> None:
    """A duration given in days or in months, against another: by months, by days, or whichever bound settles it."""
    a = Duration.of_months(a_days // 30) if a_months else Duration.of_days(a_days)
    b = Duration.of_months(b_days // 30) if b_months else Duration.of_days(b_days)

    def columns(d: Duration) -> dict[str, exp.Expr]:
        return {part: exp.Literal.number(getattr(d, part)) for part in ("month_low", "month_high", "day_low", "day_high")}

    assert _run(durations(op, columns(a), columns(b))) == compare_durations(a, b, op)


def test_sql_reads_every_comparison_of_the_table_but_event_days() -> None:
    assert {key for key in COMPARISONS if Operand.DAY not in key} == SQL_OPERANDS
    assert any(Operand.DAY in key for key in COMPARISONS)  # event days: refused (CP901), not approximated


def test_or_of_nothing_is_false_and_known_false_parts_are_left_out() -> None:
    assert _run(any_of([])) is False
    assert any_of([exp.Boolean(this=False), exp.column("x")]).sql() == "x"
