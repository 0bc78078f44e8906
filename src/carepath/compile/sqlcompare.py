"""The operator table's comparisons and Kleene's connectives in SQL: the same keys as `operators.COMPARISONS`, each entry
the same interval rule, held equal to it by the differential tests (`tests/property/test_property_sql.py`).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlglot import exp

from carepath.compile.sqlexact import false, true
from carepath.language.nodes import Comparator
from carepath.semantics.operators import COMPARISONS, Operand
from carepath.semantics.values import MONTH


def any_of(parts: Iterable[exp.Expr]) -> exp.Expr:
    """`a OR b OR …`, the parts known false left out (FALSE for none)."""
    found = [part for part in parts if not (isinstance(part, exp.Boolean) and part.this is False)]
    if not found:
        return false()
    return exp.or_(*found, copy=False) if len(found) > 1 else found[0]






#: The SQL form of each comparison on two known values.
SQL_COMPARATOR: dict[Comparator, type[exp.Binary]] = {
    Comparator.EQ: exp.EQ, Comparator.NE: exp.NEQ, Comparator.LT: exp.LT,
    Comparator.LE: exp.LTE, Comparator.GT: exp.GT, Comparator.GE: exp.GTE,
}


def compare_values(left: exp.Expr, op: Comparator, right: exp.Expr) -> exp.Expr:
    return SQL_COMPARATOR[op](this=left, expression=right)


def case_of(*arms: tuple[exp.Expr, exp.Expr], otherwise: exp.Expr | None = None) -> exp.Expr:
    """`CASE WHEN … THEN … ELSE otherwise END` (NULL when no `otherwise`)."""
    case = exp.Case()
    for condition, value in arms:
        case = case.when(condition, value, copy=False)  # copying each arm again made long classifications quadratic
    return case.else_(otherwise if otherwise is not None else exp.null(), copy=False)


# ---- the operator table's comparisons, in SQL ---------------------------------------------------

Bounds = tuple[exp.Expr, exp.Expr]  # (low, high) of a value known within bounds


def compare_intervals_sql(a: Bounds, op: Comparator, b: Bounds) -> exp.Expr:
    """`operators.compare_intervals` in SQL: true or false only when every pair of values agrees, else NULL."""
    (a_low, a_high), (b_low, b_high) = a, b
    match op:
        case Comparator.GT | Comparator.GE:
            return compare_intervals_sql(b, op.flipped, a)
        case Comparator.LT:
            return case_of((compare_values(a_high, Comparator.LT, b_low), true()), (compare_values(a_low, Comparator.GE, b_high), false()))
        case Comparator.LE:
            return case_of((compare_values(a_high, Comparator.LE, b_low), true()), (compare_values(a_low, Comparator.GT, b_high), false()))
        case Comparator.EQ | Comparator.NE:
            point = exp.and_(a_low.eq(a_high), a_high.eq(b_low), b_low.eq(b_high))
            apart = exp.or_(compare_values(a_high, Comparator.LT, b_low), compare_values(b_high, Comparator.LT, a_low))
            equal = op is Comparator.EQ
            return case_of((point, exp.Boolean(this=equal)), (apart, exp.Boolean(this=not equal)))
    raise ValueError(f"unknown comparison {op!r}")


def duration_bounds(columns: dict[str, exp.Expr]) -> tuple[Bounds, Bounds]:
    return (columns["month_low"], columns["month_high"]), (columns["day_low"], columns["day_high"])


def against_months(op: Comparator, duration: dict[str, exp.Expr], months: int) -> exp.Expr:
    """`_against_months`: the month-position bounds against `n × 32`."""
    threshold = exp.Literal.number(months * MONTH)
    return compare_intervals_sql(duration_bounds(duration)[0], op, (threshold, threshold))


def against_days(op: Comparator, duration: dict[str, exp.Expr], days: int) -> exp.Expr:
    threshold = exp.Literal.number(days)
    return compare_intervals_sql(duration_bounds(duration)[1], op, (threshold, threshold))


def durations(op: Comparator, a: dict[str, exp.Expr], b: dict[str, exp.Expr]) -> exp.Expr:
    """`compare_durations`: by month positions when both are exact in months, else by days when both are exact in days,
    else whichever bound settles it."""
    (a_months, a_days), (b_months, b_days) = duration_bounds(a), duration_bounds(b)
    by_months, by_days = compare_intervals_sql(a_months, op, b_months), compare_intervals_sql(a_days, op, b_days)
    months_exact = exp.and_(a_months[0].eq(a_months[1]), b_months[0].eq(b_months[1]))
    days_exact = exp.and_(a_days[0].eq(a_days[1]), b_days[0].eq(b_days[1]))
    return case_of((months_exact, by_months), (days_exact, by_days), otherwise=exp.func("COALESCE", by_months, by_days))


#: The operator-table keys the SQL back end reads, and how: the same keys as `COMPARISONS`, save event days.
SQL_OPERANDS = frozenset(key for key in COMPARISONS if Operand.DAY not in key)
