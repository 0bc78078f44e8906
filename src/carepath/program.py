"""The checked program: names resolved, types known, literals converted to their input's unit.

The checker produces it and the compiler consumes it; nothing here can hold an unchecked name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .nodes import BoolKind, Protocol
from .source import Source, Span
from .types import Type
from .units import CalendarUnit, Unit


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

    @property
    def unit(self) -> Unit | CalendarUnit | None:
        return self.type.unit


@dataclass(frozen=True, slots=True)
class InputRef:
    input: InputInfo
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class DefRef:
    name: str
    slot: int
    type: Type
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Const:
    """A literal ready for the evaluator; `shown` is how an explanation prints it."""

    value: object
    type: Type
    text: str
    shown: str
    span: Span


@dataclass(frozen=True, slots=True)
class CalendarConst:
    """A duration literal: a whole number of months or of days, compared without guessing."""

    base: str  # "months" or "days"
    amount: int
    text: str
    shown: str
    span: Span


Operand = InputRef | DefRef | Const | CalendarConst


@dataclass(frozen=True, slots=True)
class Compare:
    op: str
    left: Operand | Logic | Negation | Compare | Presence
    right: Operand | Logic | Negation | Compare | Presence
    scale: object  # exact factor applied to the right operand when two inputs differ in unit
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Logic:
    kind: BoolKind
    operands: tuple[Cond, ...]
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Negation:
    operand: Cond
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Presence:
    input: InputInfo
    known: bool
    text: str
    span: Span


Cond = InputRef | DefRef | Const | Compare | Logic | Negation | Presence


@dataclass(frozen=True, slots=True)
class CheckedBranch:
    name: str
    condition: Cond | None
    span: Span


@dataclass(frozen=True, slots=True)
class CheckedDefinition:
    """A criterion, classification or recommendation, with its slot in the evaluation environment."""

    kind: str  # "criterion" | "classification" | "recommendation"
    name: str
    slot: int
    title: str | None
    citation: str | None
    condition: Cond | None
    branches: tuple[CheckedBranch, ...]
    type: Type
    span: Span

    @property
    def is_decision(self) -> bool:
        return self.kind != "criterion"


@dataclass(frozen=True, slots=True)
class CheckedProtocol:
    source: Source
    sha256: str
    ast: Protocol
    name: str
    title: str | None
    version: str | None
    reference: str | None
    inputs: tuple[InputInfo, ...]
    definitions: tuple[CheckedDefinition, ...]  # in evaluation order: every reference before its user
    warnings: tuple[object, ...] = field(default=())

    input_index: dict[str, InputInfo] = field(default_factory=dict)  # name → input, filled by the checker

    def input(self, name: str) -> InputInfo | None:
        return self.input_index.get(name)

    @property
    def decisions(self) -> tuple[CheckedDefinition, ...]:
        """Decisions in the order the protocol declares them."""
        return tuple(sorted((d for d in self.definitions if d.is_decision), key=lambda d: (d.span.line, d.span.column)))


