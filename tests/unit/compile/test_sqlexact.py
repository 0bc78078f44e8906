"""Exact numbers in SQL: each operation typed to the digits it can need, run on DuckDB against exact rationals."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

from carepath.api import load_protocol
from carepath.compile.sqlexact import Decimalish, TooWide, cast_to, constant, minus, number_type, plus, times
from carepath.language.source import Source

ROOT = __import__("pathlib").Path(__file__).resolve().parents[3]


def _value(number: Decimalish) -> Fraction:
    """What DuckDB computes for an exact number (a quotient divided out in Python)."""
    top = duckdb.sql("SELECT " + number.expr.sql("duckdb")).fetchall()[0][0]
    value = Fraction(Decimal(top))
    if number.den is not None:
        value /= Fraction(Decimal(duckdb.sql("SELECT " + number.den.expr.sql("duckdb")).fetchall()[0][0]))
    return value


def test_a_constant_with_a_finite_decimal_is_one_literal_and_a_third_is_a_quotient() -> None:
    tenth = constant(Fraction(1, 10), None)
    assert (tenth.precision, tenth.scale, tenth.den) == (1, 1, None)
    assert _value(constant(Fraction(-123456789012345678901234567891, 10**9), None)) == Fraction(-123456789012345678901234567891, 10**9)
    assert _value(tenth) == Fraction(1, 10)
    third = constant(Fraction(1, 3), None)
    assert third.den is not None and _value(third) == Fraction(1, 3)


@settings(max_examples=40, deadline=None)
@given(st.decimals(min_value=-10**6, max_value=10**6, places=4, allow_nan=False, allow_infinity=False),
       st.decimals(min_value=-10**6, max_value=10**6, places=5, allow_nan=False, allow_infinity=False))
def test_products_sums_and_differences_are_exact_on_duckdb(a: Decimal, b: Decimal) -> None:
    x, y = constant(Fraction(a), None), constant(Fraction(b), None)
    assert _value(times(x, y, None)) == Fraction(a) * Fraction(b)
    assert _value(plus(x, y, None)) == Fraction(a) + Fraction(b)
    assert _value(minus(x, y, None)) == Fraction(a) - Fraction(b)


def test_a_product_spark_would_type_past_38_digits_is_refused() -> None:
    """19 + 19 digits fit 38, but Spark types the product with one more and rounds: refused."""
    wide = Decimalish(exp.column("a"), 19, 9)
    with pytest.raises(TooWide) as refused:
        times(wide, wide, None)
    assert refused.value.digits == 39
    assert times(Decimalish(exp.column("a"), 18, 9), wide, None).precision == 37


def test_a_widening_cast_is_written_even_over_another_cast() -> None:
    """sqlglot's cast helper keeps an inner cast and drops the outer one; the query must say the type it means."""
    inner = Decimalish(exp.Cast(this=exp.column("a"), to=exp.DataType.build("DECIMAL(10, 2)")), 10, 2)
    assert "DECIMAL(20, 4)" in cast_to(inner, 20, 4).sql("duckdb")


def test_an_input_is_as_wide_as_its_plausible_range() -> None:
    seed = load_protocol(ROOT / "protocols" / "severance_2011.care").checked
    assert number_type(seed.input_index["wbc_at_diagnosis"]) == (16, 9)  # up to 2,000,000 /µL: 7 digits and 9 decimals
    unbounded = load_protocol_text("protocol p\ninput\n  x : quantity mg\ncriterion c: x > 1 mg\n")
    assert number_type(unbounded.input_index["x"]) == (38, 9)


def load_protocol_text(text: str):  # type: ignore[no-untyped-def]
    from carepath.api import compile_source

    return compile_source(Source("t.care", text)).checked
