"""Exact numbers in SQL: each value a DECIMAL typed to exactly the digits it can need, a quotient kept as two of them.

`operators.exact` reads a number as an exact rational; SQL's DECIMAL is exact only while its digits fit 38, and Spark
types a product or sum one digit wider than its operands, rounding past 38. Every operation here is typed so that no
engine rounds, and refuses (`TooWide`, CP902) what could need more.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlglot import exp

from carepath.ir import program as p
from carepath.semantics.operators import exact

#: Scale of every number in the bound-input table: the input's declared unit to 9 decimals, as tables are read.
SCALE = 9
MAX_DIGITS = 38
INT64_DIGITS = 18  # the widest DECIMAL an engine may hold in 64 bits


def true() -> exp.Expr:
    return exp.Boolean(this=True)


def false() -> exp.Expr:
    return exp.Boolean(this=False)


def paren(node: exp.Expr) -> exp.Expr:
    return node if isinstance(node, (exp.Column, exp.Paren, exp.Literal, exp.Boolean, exp.Null)) else exp.Paren(this=node)


def is_null(node: exp.Expr) -> exp.Expr:
    """`x IS NULL`, with x parenthesised: `NOT a IS NULL` would read as `NOT (a IS NULL)`."""
    return exp.Is(this=paren(node), expression=exp.null())


def typed(node: exp.Expr, to: exp.DataType) -> exp.Expr:
    """`CAST(node AS to)`, always written: sqlglot's `exp.cast` keeps an inner cast instead, dropping a widening one."""
    return exp.Cast(this=node, to=to)


class TooWide(Exception):
    """Arithmetic whose exact value may need more digits than a DECIMAL holds: CP902 at the node."""

    def __init__(self, node: Any, digits: int) -> None:
        super().__init__(digits)
        self.node, self.digits = node, digits


@dataclass(frozen=True, slots=True)
class Decimalish:
    """An exact SQL number: `expr` is a DECIMAL(precision, scale) whose values fit, since every input's plausible range
    bounds it; a quotient keeps its denominator apart (`den`), so division stays exact and a zero divisor unknown."""

    expr: exp.Expr
    precision: int
    scale: int
    den: Decimalish | None = None
    divisors: tuple[exp.Expr, ...] = ()  # each must be non-zero for the value to be defined (x / 0 is unknown)


def decimal_type(precision: int, scale: int) -> exp.DataType:
    return _decimal_types(precision, scale).copy()


@functools.cache
def _decimal_types(precision: int, scale: int) -> exp.DataType:
    """Each DECIMAL type parsed once: a protocol's query writes hundreds of casts."""
    return exp.DataType.build(f"DECIMAL({precision}, {scale})")


def number_type(info: p.InputInfo) -> tuple[int, int]:
    """An input's DECIMAL(precision, scale): 9 decimals, and as many digits before the point as its plausible range
    needs (values outside it are invalid and never reach SQL), else the widest a DECIMAL holds."""
    if info.plausible is None:
        return MAX_DIGITS, SCALE
    largest = max(abs(exact_value(bound)) for bound in info.plausible)
    return max(1, len(str(int(largest)))) + SCALE, SCALE


def constant(value: Fraction, node: Any) -> Decimalish:
    """An exact constant: a DECIMAL literal when it has a finite decimal expansion, else a quotient of two."""
    den = value.denominator
    twos_fives = den
    for prime in (2, 5):
        while twos_fives % prime == 0:
            twos_fives //= prime
    if twos_fives != 1:
        return Decimalish(*fields(constant(Fraction(value.numerator), node)), den=constant(Fraction(den), node))
    scale = 0
    while (value * 10**scale).denominator != 1:
        scale += 1
    digits = str(abs(value.numerator * 10**scale // den)).rjust(scale + 1, "0")
    text = ("-" if value < 0 else "") + (f"{digits[:-scale]}.{digits[-scale:]}" if scale else digits)
    whole = len(str(abs(int(value)))) if abs(value) >= 1 else 0
    precision = max(1, whole + scale)
    if precision > MAX_DIGITS:
        raise TooWide(node, precision)
    return Decimalish(typed(exp.Literal.string(text), decimal_type(precision, scale)), precision, scale)


def exact_value(value: object) -> Fraction:
    """A constant as the interpreter reads it exactly (`operators.exact`: a float by its shortest decimal)."""
    found = exact(value)
    if found is None:
        raise ValueError("a constant with no value")
    return found


def scaled(value: Decimalish, factor: object, node: Any) -> Decimalish:
    """A value brought into another unit: its numerator times the factor's, its denominator (a quotient's) times the
    factor's denominator; a quotient scaled had kept its numerator's product and lost its denominator."""
    factor_value = constant(exact_value(factor), node)
    made = over(times(*whole_parts(value, factor_value), node), den_times(value, factor_value, node))
    return Decimalish(made.expr, made.precision, made.scale, made.den, value.divisors)




def unknown(value: Decimalish) -> exp.Expr:
    """The interpreter's None for a computed number: an input missing, or a divisor zero."""
    parts = [is_null(value.expr.copy()), *(divisor.copy().eq(0) for divisor in value.divisors)]
    if value.den is not None:
        parts.append(is_null(value.den.expr.copy()))
    return exp.func("COALESCE", exp.or_(*parts, copy=False), true()) if len(parts) > 1 else parts[0]


def fields(value: Decimalish) -> tuple[exp.Expr, int, int]:
    return value.expr, value.precision, value.scale


def split(value: Decimalish) -> tuple[Decimalish, Decimalish]:
    one = Decimalish(typed(exp.Literal.string("1"), decimal_type(1, 0)), 1, 0)
    return Decimalish(*fields(value)), value.den if value.den is not None else one


def whole_parts(a: Decimalish, b: Decimalish) -> tuple[Decimalish, Decimalish]:
    return Decimalish(*fields(a)), Decimalish(*fields(b))


def den_times(a: Decimalish, b: Decimalish, node: Any) -> Decimalish | None:
    if a.den is None and b.den is None:
        return None
    return times(split(a)[1], split(b)[1], node)


def over(top: Decimalish, den: Decimalish | None) -> Decimalish:
    return top if den is None else Decimalish(*fields(top), den=den)


def checked(precision: int, node: Any) -> int:
    if precision > MAX_DIGITS:
        raise TooWide(node, precision)
    return precision


def cast_to(value: Decimalish, precision: int, scale: int) -> exp.Expr:
    """The value as DECIMAL(precision, scale), which holds it exactly; a literal is written in that type at once."""
    if (value.precision, value.scale) == (precision, scale):
        return value.expr
    inner = value.expr
    if isinstance(inner, exp.Cast) and isinstance(inner.this, exp.Literal):
        inner = inner.this
    return typed(inner, decimal_type(precision, scale))


def times(a: Decimalish, b: Decimalish, node: Any) -> Decimalish:
    """A product typed to exactly the digits it can need, so no engine rounds it: Spark types a product one digit wider
    than its operands' sum and would round past 38; DuckDB multiplies two DECIMALs of 18 digits or fewer in 64 bits
    and fails past them, so a product that may need more has its left side widened to 19 digits first (which Spark
    then types as at most 19 + 18 + 1 = 38)."""
    precision, scale = checked(a.precision + b.precision, node), a.scale + b.scale
    checked(precision + 1, node)
    if precision > INT64_DIGITS and max(a.precision, b.precision) <= INT64_DIGITS:
        a = Decimalish(typed(a.expr, decimal_type(INT64_DIGITS + 1, a.scale)), INT64_DIGITS + 1, a.scale)
    product = exp.Mul(this=paren(a.expr), expression=paren(b.expr))
    return Decimalish(typed(product, decimal_type(precision, scale)), precision, scale)


def common(a: Decimalish, b: Decimalish, node: Any) -> tuple[int, int]:
    scale = max(a.scale, b.scale)
    whole = max(a.precision - a.scale, b.precision - b.scale)
    return checked(whole + scale, node), scale


def _sum(a: Decimalish, b: Decimalish, node: Any, make: Callable[..., exp.Expr]) -> Decimalish:
    whole_scale = common(a, b, node)
    precision, scale = checked(whole_scale[0] + 1, node), whole_scale[1]
    checked(precision + 1, node)  # as a product: Spark types the sum one digit wider
    total = make(this=cast_to(a, precision, scale), expression=cast_to(b, precision, scale))
    return Decimalish(typed(total, decimal_type(precision, scale)), precision, scale)


def plus(a: Decimalish, b: Decimalish, node: Any) -> Decimalish:
    return _sum(a, b, node, exp.Add)


def minus(a: Decimalish, b: Decimalish, node: Any) -> Decimalish:
    return _sum(a, b, node, exp.Sub)
