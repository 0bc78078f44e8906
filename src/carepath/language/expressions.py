"""Expression nodes and the `Node` base every syntax-tree class derives from: frozen, slotted dataclasses
whose children come from their fields, so one `walk()` serves every pass; spans never take part in equality."""

from __future__ import annotations

import enum
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from fractions import Fraction
from typing import TypeVar

from carepath.language.source import Span

NO_SPAN = Span(0, 0, 0, 0)

N = TypeVar("N", bound="Node")


class Node:
    """The base of every syntax-tree class: its children are the nodes held in its dataclass fields.

    A field holding a node, or a tuple of nodes, contributes them in field order; fields of other data
    (names as text, numbers, operators, spans) contribute nothing. Which fields can hold nodes is read
    once per class from the type hints, so walking a tree costs no more than visiting those fields."""

    __slots__ = ()

    def children(self) -> tuple[Node, ...]:
        """The direct child nodes, in field order (and in order within a tuple field)."""
        found: list[Node] = []
        cls = type(self)
        names = _NODE_FIELDS.get(cls)
        if names is None:
            names = _NODE_FIELDS[cls] = _node_fields(cls)
        for name in names:
            value = getattr(self, name)
            if isinstance(value, Node):
                found.append(value)
            elif isinstance(value, tuple):
                found.extend(item for item in value if isinstance(item, Node))
        return tuple(found)

    def walk(self) -> Iterator[Node]:
        """This node and every node below it, in pre-order (a node before its children, children in field
        order). Iterative, so a deeply nested expression cannot exhaust Python's stack."""
        stack: list[Node] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children()))

    def find_all(self, *types: type[N]) -> Iterator[N]:
        """The nodes of `walk()` that are instances of any of `types`, in the same order."""
        for node in self.walk():
            if isinstance(node, types):
                yield node


_NODE_FIELDS: dict[type[Node], tuple[str, ...]] = {}


def _node_fields(cls: type[Node]) -> tuple[str, ...]:
    """The names of the fields of `cls` whose declared type can hold a node (directly, or in a tuple or
    union); resolved on first use because the hints refer to classes defined later in this module."""
    hints = typing.get_type_hints(cls)
    return tuple(f.name for f in fields(cls) if _holds_node(hints[f.name]))  # type: ignore[arg-type]


def _holds_node(hint: object) -> bool:
    if isinstance(hint, type) and issubclass(hint, Node):
        return True
    return any(_holds_node(argument) for argument in typing.get_args(hint))


def span_field() -> Span:
    """A node's place in the source: kept on the node, left out of equality and repr."""
    span: Span = field(default=NO_SPAN, compare=False, repr=False)
    return span


class Comparator(enum.StrEnum):
    """A comparison's operator, from the syntax tree to the operator table; its value is the symbol as written (`<=`)."""

    EQ = "="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="

    @property
    def is_ordering(self) -> bool:
        return self not in (Comparator.EQ, Comparator.NE)

    @property
    def symbol(self) -> str:
        """As an explanation prints it: `≤`, `≠`."""
        return _SYMBOLS[self]

    @property
    def flipped(self) -> Comparator:
        """The operator with its sides swapped: `a < b` is `b > a`."""
        return _FLIPPED[self]

    @property
    def negated(self) -> Comparator:
        """The operator that holds exactly when this one fails: `<` against `>=`."""
        return _NEGATED[self]


_SYMBOLS = {Comparator.EQ: "=", Comparator.NE: "≠", Comparator.LT: "<", Comparator.LE: "≤", Comparator.GT: ">", Comparator.GE: "≥"}
_FLIPPED = {Comparator.EQ: Comparator.EQ, Comparator.NE: Comparator.NE, Comparator.LT: Comparator.GT, Comparator.LE: Comparator.GE,
            Comparator.GT: Comparator.LT, Comparator.GE: Comparator.LE}
_NEGATED = {Comparator.EQ: Comparator.NE, Comparator.NE: Comparator.EQ, Comparator.LT: Comparator.GE, Comparator.LE: Comparator.GT,
            Comparator.GT: Comparator.LE, Comparator.GE: Comparator.LT}


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
class QuantityLiteral(Node):
    value: Fraction
    unit: str
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class NumberLiteral(Node):
    value: Fraction
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class BooleanLiteral(Node):
    value: bool
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class StringLiteral(Node):
    value: str
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class Name(Node):
    """A bare name: an input, a definition, or an enumeration member, resolved by the checker."""

    name: str
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class Comparison(Node):
    op: Comparator
    left: Expr
    right: Expr
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class Not(Node):
    operand: Expr
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class BoolOp(Node):
    kind: BoolKind
    operands: tuple[Expr, ...]
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class Presence(Node):
    """`x is missing` / `x is known`: the only two-valued test, for rules about data completeness."""

    name: Name
    known: bool
    span: Span = span_field()


class ArithOp(enum.StrEnum):
    ADD = "+"
    SUBTRACT = "-"
    MULTIPLY = "*"
    DIVIDE = "/"

    @property
    def is_additive(self) -> bool:
        """`+` and `-` need both sides in one dimension; `*` and `/` combine units."""
        return self in (ArithOp.ADD, ArithOp.SUBTRACT)


@dataclass(frozen=True, slots=True)
class Arithmetic(Node):
    op: ArithOp
    left: Expr
    right: Expr
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class Call(Node):
    """A built-in function applied to arguments; the checker knows the table (`builtins`)."""

    function: Name
    args: tuple[Expr, ...]
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class DayLiteral(Node):
    """`day 30`: a day counted from a series' anchor (day 0), as transplant protocols count them."""

    day: Fraction  # the checker insists on a whole number
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class NoneInPrevious(Node):
    """`no platelet_transfusion in previous 7 days`: inside an event's condition, about the days before."""

    series: Name
    window: Expr
    span: Span = span_field()


Literal = QuantityLiteral | NumberLiteral | BooleanLiteral | StringLiteral
Expr = Literal | Name | Comparison | Not | BoolOp | Presence | Arithmetic | Call | DayLiteral | NoneInPrevious
