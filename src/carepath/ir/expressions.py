"""The checked program's expressions: resolved names, converted constants and typed operators.

Every node knows its children (derived from its dataclass fields), so one `walk()` serves every walker.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import cast

from carepath.language.expressions import Node as TreeNode
from carepath.language.nodes import ArithOp, BoolKind, Comparator
from carepath.language.source import Span
from carepath.semantics.types import Type
from carepath.semantics.units import CalendarUnit, Unit


class Node(TreeNode):
    """A node of the checked program; its children are the nodes held in its fields (or in a tuple field), in
    field order, found as the syntax tree's are (one `children()`/`walk()`/`find_all()` for both trees).
    Inputs (`InputInfo`), types, constants' values and spans are data, not children."""

    __slots__ = ()

    def children(self) -> tuple[Node, ...]:
        return cast("tuple[Node, ...]", super().children())  # an IR node's fields hold IR nodes only


class CalendarBase(enum.StrEnum):
    """What a duration literal counts: whole months and whole days are compared differently, never converted."""

    MONTHS = "months"
    DAYS = "days"


@dataclass(frozen=True, slots=True)
class InputInfo:
    name: str
    slot: int
    type: Type
    optional: bool
    plausible: tuple[object, object] | None  # bounds in the evaluator's representation
    plausible_text: str | None
    derived_from: tuple[str, str] | None
    span: Span
    anchor: str | None = None  # a series' anchor date input: day 0

    @property
    def unit(self) -> Unit | CalendarUnit | None:
        return self.type.unit


@dataclass(frozen=True, slots=True)
class InputRef(Node):
    input: InputInfo
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class DefRef(Node):
    name: str
    slot: int
    type: Type
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Const(Node):
    """A literal ready for the evaluator; `shown` is how an explanation prints it."""

    value: object
    type: Type
    text: str
    shown: str
    span: Span


@dataclass(frozen=True, slots=True)
class CalendarConst(Node):
    """A duration literal: a whole number of months or of days, compared without guessing."""

    base: CalendarBase
    amount: int
    text: str
    shown: str
    span: Span


@dataclass(frozen=True, slots=True)
class Arith(Node):
    """Arithmetic on exact numbers; `right_scale` brings the right side into the left's unit for + and -."""

    op: ArithOp
    left: Value
    right: Value
    right_scale: object
    type: Type
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Call(Node):
    """A built-in function; `scales` convert each argument into the unit the function expects."""

    function: str
    args: tuple[Value, ...]
    scales: tuple[object, ...]
    type: Type
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class SeriesAt(Node):
    """A series named inside an event's condition: its value on the day being examined."""

    input: InputInfo
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class NoneBefore(Node):
    """`no X in previous K days`: X known false on each of the K days before the day examined."""

    input: InputInfo
    window: int
    text: str
    span: Span


Operand = InputRef | DefRef | Const | CalendarConst
Value = InputRef | DefRef | Const | Arith | Call | SeriesAt


@dataclass(frozen=True, slots=True)
class Compare(Node):
    op: Comparator
    left: Operand | Logic | Negation | Compare | Presence
    right: Operand | Logic | Negation | Compare | Presence
    scale: object  # exact factor applied to the right operand when two inputs differ in unit
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Logic(Node):
    kind: BoolKind
    operands: tuple[Cond, ...]
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Negation(Node):
    operand: Cond
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Presence(Node):
    input: InputInfo
    known: bool
    text: str
    span: Span


Cond = InputRef | DefRef | Const | Compare | Logic | Negation | Presence | SeriesAt | NoneBefore
Expression = InputRef | DefRef | Const | CalendarConst | Arith | Call | SeriesAt | NoneBefore | Compare | Logic | Negation | Presence


def inputs_in(node: Node | None) -> list[InputInfo]:
    """Every input a node reads, in reading order, each once: for `needs`, explanations and `read_inputs`."""
    found: dict[str, InputInfo] = {}
    for item in node.walk() if node is not None else ():
        match item:
            case InputRef(input=info) | Presence(input=info) | SeriesAt(input=info) | NoneBefore(input=info):
                found.setdefault(info.name, info)
    return list(found.values())
