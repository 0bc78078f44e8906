"""The abstract syntax tree built by the parser: input types, declarations and the whole `Protocol`, with
the expression nodes of `expressions` re-exported, so `nodes` is the one name a pass imports."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from fractions import Fraction

from carepath.language.expressions import (
    NO_SPAN,
    Arithmetic,
    ArithOp,
    BooleanLiteral,
    BoolKind,
    BoolOp,
    Call,
    Comparator,
    Comparison,
    DayLiteral,
    Expr,
    Literal,
    Name,
    Node,
    NoneInPrevious,
    Not,
    NumberLiteral,
    Presence,
    QuantityLiteral,
    StringLiteral,
    span_field,
)
from carepath.language.printer import expr_text, number_text
from carepath.language.source import Span

__all__ = [
    "NO_SPAN",
    "ArithOp",
    "Arithmetic",
    "BoolKind",
    "BoolOp",
    "BooleanLiteral",
    "BooleanType",
    "Branch",
    "Call",
    "Classification",
    "Comparator",
    "Comparison",
    "Criterion",
    "DateType",
    "DayKind",
    "DayList",
    "DayLiteral",
    "DaySet",
    "Deadline",
    "Definition",
    "DerivedFrom",
    "Dose",
    "DoseBranch",
    "DoseLimit",
    "DurationType",
    "EnumType",
    "Event",
    "Expr",
    "Frequency",
    "InputDecl",
    "LimitPeriod",
    "Literal",
    "Name",
    "Node",
    "NoneInPrevious",
    "Not",
    "NumberLiteral",
    "Parameter",
    "Plausible",
    "Presence",
    "Protocol",
    "QuantityLiteral",
    "QuantityType",
    "Recommendation",
    "Rounding",
    "RoundingMode",
    "ScalarTypeSpec",
    "Schedule",
    "SeriesType",
    "StringLiteral",
    "Target",
    "TextType",
    "TypeSpec",
    "expr_text",
    "number_text",
    "span_field",
]


# ---- input types -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuantityType(Node):
    unit: str
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class DurationType(Node):
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class BooleanType(Node):
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class TextType(Node):
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class DateType(Node):
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class EnumType(Node):
    members: tuple[Name, ...]
    span: Span = span_field()


ScalarTypeSpec = QuantityType | DurationType | BooleanType | TextType | DateType | EnumType


@dataclass(frozen=True, slots=True)
class SeriesType(Node):
    """Values by day: `series of quantity /uL`, `series of boolean`."""

    element: ScalarTypeSpec
    span: Span = span_field()


TypeSpec = ScalarTypeSpec | SeriesType


# ---- declarations ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plausible(Node):
    low: Literal
    high: Literal
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class DerivedFrom(Node):
    """`from date_a to date_b`: a duration computed from two dates when it is not given directly."""

    start: Name
    end: Name
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class InputDecl(Node):
    name: Name
    type: TypeSpec
    plausible: Plausible | None = None
    optional: bool = False
    derived_from: DerivedFrom | None = None
    relative_to: Name | None = None  # a series' anchor date: day 0
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class Criterion(Node):
    name: Name
    title: str | None
    citation: str | None
    condition: Expr
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class Branch(Node):
    name: Name
    condition: Expr | None  # None for `otherwise`
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class Classification(Node):
    name: Name
    title: str | None
    citation: str | None
    branches: tuple[Branch, ...]
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class Recommendation(Node):
    name: Name
    title: str | None
    citation: str | None
    condition: Expr
    span: Span = span_field()
    deadline: Deadline | None = None


@dataclass(frozen=True, slots=True)
class DayList(Node):
    days: tuple[Fraction, ...]
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class Parameter(Node):
    name: Name
    title: str | None
    citation: str | None
    value: Literal | DayLiteral | DayList
    plausible: Plausible | None = None
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class DoseBranch(Node):
    amount: Expr
    condition: Expr | None  # None for `otherwise` and for a lone unconditional amount
    otherwise: bool = False
    span: Span = span_field()


# The three kinds below are StrEnums on purpose: each member's text is the grammar's own word, which
# explanations print, and passes written against the plain strings keep working.


class RoundingMode(enum.StrEnum):
    NEAREST = "nearest"
    DOWN = "down"
    UP = "up"


class Frequency(enum.StrEnum):
    ONCE = "once"
    ONCE_DAILY = "once daily"
    DAILY = "daily"
    TIMES_DAILY = "times daily"  # `N times daily`: the schedule's count is N
    EVERY_HOURS = "every hours"  # `every N hours`
    CONTINUOUSLY = "continuously"


class DayKind(enum.StrEnum):
    DAY = "day"  # `on day 3`, or `on start_day` (a day parameter)
    RANGE = "range"  # `on days 1 to 5`
    LIST = "list"  # `on days 1, 8, 15`
    PARAMETER = "parameter"  # `on days induction_days` (a days parameter)
    FROM = "from"  # `from day 1`, or `from start_day`


@dataclass(frozen=True, slots=True)
class Rounding(Node):
    mode: RoundingMode
    step: Expr
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class Schedule(Node):
    """When a dose is given. Frequency: once, once daily, daily, N times daily, every N hours, continuously."""

    frequency: Frequency
    count: Fraction | None = None  # N in `N times daily` / `every N hours`
    days: DaySet | None = None
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class DaySet(Node):
    kind: DayKind
    days: tuple[Fraction, ...] = ()
    parameter: Name | None = None
    span: Span = span_field()


class LimitPeriod(enum.StrEnum):
    """What a dose limit caps: one administration, one day's administrations, or the whole course."""

    DOSE = "dose"
    DAY = "day"
    COURSE = "course"


@dataclass(frozen=True, slots=True)
class DoseLimit(Node):
    """`limit AMOUNT per dose|day|course [when CONDITION] cites "..."`: a reference limit, with its source."""

    amount: Expr
    period: LimitPeriod
    condition: Expr | None
    citation: str | None
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class Dose(Node):
    name: Name
    title: str | None
    citation: str | None
    unit: str
    branches: tuple[DoseBranch, ...]
    rounding: Rounding | None = None
    schedule: Schedule | None = None
    span: Span = span_field()
    limits: tuple[DoseLimit, ...] = ()


@dataclass(frozen=True, slots=True)
class Deadline(Node):
    """`due within 6 months of date_of_diagnosis cites "..."`: when a recommendation falls due."""

    within: Literal
    anchor: Name
    citation: str | None
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class Target(Node):
    name: Name
    title: str | None
    citation: str | None
    measured: Expr
    low: Expr
    high: Expr
    actions: tuple[tuple[str, str], ...] = ()  # (band, action text); band is "below" | "within" | "above"
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class Event(Node):
    name: Name
    title: str | None
    citation: str | None
    run: Expr | None  # consecutive days needed: a number or a parameter name; None for `first day`
    start: Expr | None  # `from day 1`, a day parameter, or another event
    condition: Expr
    span: Span = span_field()


Definition = Criterion | Classification | Recommendation | Parameter | Dose | Target | Event


@dataclass(frozen=True, slots=True)
class Protocol(Node):
    name: Name
    title: str | None
    version: str | None
    source: str | None
    inputs: tuple[InputDecl, ...]
    definitions: tuple[Definition, ...]
    span: Span = span_field()

