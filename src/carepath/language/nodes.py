"""The abstract syntax tree: frozen, slotted dataclasses built by the parser; spans never take part in equality."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from fractions import Fraction

from carepath.language.source import Span

NO_SPAN = Span(0, 0, 0, 0)


def _span() -> Span:
    span: Span = field(default=NO_SPAN, compare=False, repr=False)
    return span


class Comparator(enum.Enum):
    EQ = "="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="

    @property
    def is_ordering(self) -> bool:
        return self not in (Comparator.EQ, Comparator.NE)


class BoolKind(enum.Enum):
    """`and`/`or` as written inline, or the list forms `all of (…)`/`any of (…)`; same logic, kept for layout."""

    AND = "and"
    OR = "or"
    ALL_OF = "all of"
    ANY_OF = "any of"
    XOR = "xor"
    IMPLIES = "implies"

    @property
    def is_conjunction(self) -> bool:
        return self in (BoolKind.AND, BoolKind.ALL_OF)


# ---- expressions -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuantityLiteral:
    value: Fraction
    unit: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class NumberLiteral:
    value: Fraction
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class BooleanLiteral:
    value: bool
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class StringLiteral:
    value: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Name:
    """A bare name: an input, a definition, or an enumeration member, resolved by the checker."""

    name: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Comparison:
    op: Comparator
    left: Expr
    right: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Not:
    operand: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class BoolOp:
    kind: BoolKind
    operands: tuple[Expr, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Presence:
    """`x is missing` / `x is known`: the only two-valued test, for rules about data completeness."""

    name: Name
    known: bool
    span: Span = _span()


class ArithOp(enum.Enum):
    ADD = "+"
    SUBTRACT = "-"
    MULTIPLY = "*"
    DIVIDE = "/"


@dataclass(frozen=True, slots=True)
class Arithmetic:
    op: ArithOp
    left: Expr
    right: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Call:
    """A built-in function applied to arguments; the checker knows the table (`builtins`)."""

    function: Name
    args: tuple[Expr, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class DayLiteral:
    """`day 30`: a day counted from a series' anchor (day 0), as transplant protocols count them."""

    day: Fraction  # the checker insists on a whole number
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class NoneInPrevious:
    """`no platelet_transfusion in previous 7 days`: inside an event's condition, about the days before."""

    series: Name
    window: Expr
    span: Span = _span()


Literal = QuantityLiteral | NumberLiteral | BooleanLiteral | StringLiteral
Expr = Literal | Name | Comparison | Not | BoolOp | Presence | Arithmetic | Call | DayLiteral | NoneInPrevious


# ---- input types -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuantityType:
    unit: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class DurationType:
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class BooleanType:
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class TextType:
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class DateType:
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class EnumType:
    members: tuple[Name, ...]
    span: Span = _span()


ScalarTypeSpec = QuantityType | DurationType | BooleanType | TextType | DateType | EnumType


@dataclass(frozen=True, slots=True)
class SeriesType:
    """Values by day: `series of quantity /uL`, `series of boolean`."""

    element: ScalarTypeSpec
    span: Span = _span()


TypeSpec = ScalarTypeSpec | SeriesType


# ---- declarations ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plausible:
    low: Literal
    high: Literal
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class DerivedFrom:
    """`from date_a to date_b`: a duration computed from two dates when it is not given directly."""

    start: Name
    end: Name
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class InputDecl:
    name: Name
    type: TypeSpec
    plausible: Plausible | None = None
    optional: bool = False
    derived_from: DerivedFrom | None = None
    relative_to: Name | None = None  # a series' anchor date: day 0
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Criterion:
    name: Name
    title: str | None
    citation: str | None
    condition: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Branch:
    name: Name
    condition: Expr | None  # None for `otherwise`
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Classification:
    name: Name
    title: str | None
    citation: str | None
    branches: tuple[Branch, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Recommendation:
    name: Name
    title: str | None
    citation: str | None
    condition: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class DayList:
    days: tuple[Fraction, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Parameter:
    name: Name
    title: str | None
    citation: str | None
    value: Literal | DayLiteral | DayList
    plausible: Plausible | None = None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class DoseBranch:
    amount: Expr
    condition: Expr | None  # None for `otherwise` and for a lone unconditional amount
    otherwise: bool = False
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Rounding:
    mode: str  # "nearest" | "down" | "up"
    step: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a dose is given. Frequency: once, once daily, daily, N times daily, every N hours, continuously."""

    frequency: str
    count: Fraction | None = None  # N in `N times daily` / `every N hours`
    days: DaySet | None = None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class DaySet:
    kind: str  # "day" | "range" | "list" | "parameter" | "from"
    days: tuple[Fraction, ...] = ()
    parameter: Name | None = None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Dose:
    name: Name
    title: str | None
    citation: str | None
    unit: str
    branches: tuple[DoseBranch, ...]
    rounding: Rounding | None = None
    schedule: Schedule | None = None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Target:
    name: Name
    title: str | None
    citation: str | None
    measured: Expr
    low: Expr
    high: Expr
    actions: tuple[tuple[str, str], ...] = ()  # (band, action text); band is "below" | "within" | "above"
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Event:
    name: Name
    title: str | None
    citation: str | None
    run: Expr | None  # consecutive days needed: a number or a parameter name; None for `first day`
    start: Expr | None  # `from day 1`, a day parameter, or another event
    condition: Expr
    span: Span = _span()


Definition = Criterion | Classification | Recommendation | Parameter | Dose | Target | Event


@dataclass(frozen=True, slots=True)
class Protocol:
    name: Name
    title: str | None
    version: str | None
    source: str | None
    inputs: tuple[InputDecl, ...]
    definitions: tuple[Definition, ...]
    span: Span = _span()


def expr_text(expr: Expr) -> str:
    """Canonical one-line text of an expression, as explanations and the formatter print it."""
    match expr:
        case QuantityLiteral(value=value, unit=unit):
            return f"{number_text(value)} {unit}"
        case NumberLiteral(value=value):
            return number_text(value)
        case BooleanLiteral(value=value):
            return "true" if value else "false"
        case StringLiteral(value=value):
            return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        case Name(name=name):
            return name
        case Comparison(op=op, left=left, right=right):
            return f"{_operand_text(left)} {op.value} {_operand_text(right)}"
        case Not(operand=operand):
            inner = expr_text(operand)
            return f"not {inner}" if isinstance(operand, (Name, Not, Presence)) or _is_literal(operand) else f"not ({inner})"
        case BoolOp(kind=kind, operands=operands):
            if kind in (BoolKind.ANY_OF, BoolKind.ALL_OF):
                return f"{kind.value} (" + ", ".join(expr_text(o) for o in operands) + ")"
            return f" {kind.value} ".join(_bool_operand_text(kind, o) for o in operands)
        case Presence(name=name, known=known):
            return f"{name.name} is {'known' if known else 'missing'}"
        case Arithmetic(op=op, left=left, right=right):
            return f"{_arith_operand_text(op, left, False)} {op.value} {_arith_operand_text(op, right, True)}"
        case Call(function=function, args=args):
            return f"{function.name}(" + ", ".join(expr_text(a) for a in args) + ")"
        case DayLiteral(day=day):
            return f"day {number_text(day)}"
        case NoneInPrevious(series=series, window=window):
            return f"no {series.name} in previous {expr_text(window)}"
    raise AssertionError(expr)


def _arith_operand_text(op: ArithOp, expr: Expr, right: bool) -> str:
    """`*` and `/` bind tighter than `+` and `-`; all four group to the left, so a right operand of the
    same strength needs parentheses (`a - (b - c)`)."""
    text = expr_text(expr)
    if isinstance(expr, (BoolOp, Not, Comparison)):
        return f"({text})"
    if isinstance(expr, Arithmetic):
        strong = op in (ArithOp.MULTIPLY, ArithOp.DIVIDE)
        inner_strong = expr.op in (ArithOp.MULTIPLY, ArithOp.DIVIDE)
        if (strong and not inner_strong) or (right and strong == inner_strong):
            return f"({text})"
    return text


def _is_literal(expr: Expr) -> bool:
    return isinstance(expr, (QuantityLiteral, NumberLiteral, BooleanLiteral, StringLiteral))


def _operand_text(expr: Expr) -> str:
    text = expr_text(expr)
    return f"({text})" if isinstance(expr, (BoolOp, Not, Comparison, NoneInPrevious)) else text


def _bool_operand_text(kind: BoolKind, expr: Expr) -> str:
    text = expr_text(expr)
    # `and` binds tighter than `or`: only an `or` inside an `and` needs parentheses.
    if isinstance(expr, BoolOp) and _needs_parentheses(kind, expr.kind):
        return f"({text})"
    return text


_LEVEL = {BoolKind.IMPLIES: 1, BoolKind.OR: 2, BoolKind.XOR: 2, BoolKind.AND: 3, BoolKind.ANY_OF: 4, BoolKind.ALL_OF: 4}


def _needs_parentheses(outer: BoolKind, inner: BoolKind) -> bool:
    """`and` binds tighter than `or`/`xor`, which bind tighter than `implies`; `xor` and `implies` never chain."""
    if _LEVEL[inner] != _LEVEL[outer]:
        return _LEVEL[inner] < _LEVEL[outer]
    return inner is not outer or outer in (BoolKind.XOR, BoolKind.IMPLIES)


def number_text(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    from decimal import Decimal

    decimal = Decimal(value.numerator) / Decimal(value.denominator)
    return format(decimal.normalize(), "f")
