"""The checked program: names resolved, types known, literals converted to their input's unit.

The checker produces it and the compiler consumes it; nothing here can hold an unchecked name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from carepath.language.nodes import BoolKind, Protocol
from carepath.language.source import Source, Span
from carepath.semantics.types import Type
from carepath.semantics.units import CalendarUnit, Unit


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


@dataclass(frozen=True, slots=True)
class Arith:
    """Arithmetic on exact numbers; `right_scale` brings the right side into the left's unit for + and -."""

    op: str  # "+" | "-" | "*" | "/"
    left: Value
    right: Value
    right_scale: object
    type: Type
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Call:
    """A built-in function; `scales` convert each argument into the unit the function expects."""

    function: str
    args: tuple[Value, ...]
    scales: tuple[object, ...]
    type: Type
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class SeriesAt:
    """A series named inside an event's condition: its value on the day being examined."""

    input: InputInfo
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class NoneBefore:
    """`no X in previous K days`: X known false on each of the K days before the day examined."""

    input: InputInfo
    window: int
    text: str
    span: Span


Operand = InputRef | DefRef | Const | CalendarConst
Value = InputRef | DefRef | Const | Arith | Call | SeriesAt


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


Cond = InputRef | DefRef | Const | Compare | Logic | Negation | Presence | SeriesAt | NoneBefore


@dataclass(frozen=True, slots=True)
class CheckedBranch:
    name: str
    condition: Cond | None
    span: Span
    amount: Value | None = None  # a dose branch's amount, already in the dose's unit


@dataclass(frozen=True, slots=True)
class DoseInfo:
    unit: Unit
    rounding: tuple[str, object] | None  # ("nearest" | "down" | "up", step in the dose's unit)
    schedule: str | None  # as an explanation prints it: "4 times daily on days -7 to -4"
    days: tuple[int, ...] | None  # the days given, when the schedule lists them
    from_day: int | None = None  # an open-ended schedule's first day


@dataclass(frozen=True, slots=True)
class TargetInfo:
    measured: Value
    low: Const
    high: Const
    actions: dict[str, str]  # band → the protocol's action text


@dataclass(frozen=True, slots=True)
class EventInfo:
    run: int  # consecutive days that must all satisfy the condition
    start: Value | None  # the first day examined: a constant day or another event
    condition: Cond
    series: tuple[InputInfo, ...]  # the series the condition reads, which bound the days examined


@dataclass(frozen=True, slots=True)
class ParameterInfo:
    name: str
    type: Type
    value: object  # in the evaluator's representation
    shown: str  # the value in force, as written
    default: str  # the protocol's own value
    overridden: bool
    title: str | None
    citation: str | None
    span: Span


@dataclass(frozen=True, slots=True)
class CheckedDefinition:
    """A criterion, classification or recommendation, with its slot in the evaluation environment."""

    kind: str  # "criterion" | "classification" | "recommendation" | "dose" | "target" | "event"
    name: str
    slot: int
    title: str | None
    citation: str | None
    condition: Cond | None
    branches: tuple[CheckedBranch, ...]
    type: Type
    span: Span
    dose: DoseInfo | None = None
    target: TargetInfo | None = None
    event: EventInfo | None = None

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
    parameters: tuple[ParameterInfo, ...] = ()

    input_index: dict[str, InputInfo] = field(default_factory=dict)  # name → input, filled by the checker

    def input(self, name: str) -> InputInfo | None:
        return self.input_index.get(name)

    @property
    def decisions(self) -> tuple[CheckedDefinition, ...]:
        """Decisions in the order the protocol declares them."""
        return tuple(sorted((d for d in self.definitions if d.is_decision), key=lambda d: (d.span.line, d.span.column)))




def inputs_in(node: object) -> list[InputInfo]:
    """Every input an IR node reads, in reading order, each once: for `needs`, explanations and `read_inputs`."""
    found: dict[str, InputInfo] = {}

    def visit(item: object) -> None:
        match item:
            case InputRef(input=info) | Presence(input=info) | SeriesAt(input=info) | NoneBefore(input=info):
                found.setdefault(info.name, info)
            case Compare(left=left, right=right) | Arith(left=left, right=right):
                visit(left)
                visit(right)
            case Logic(operands=operands):
                for operand in operands:
                    visit(operand)
            case Negation(operand=operand):
                visit(operand)
            case Call(args=args):
                for arg in args:
                    visit(arg)

    visit(node)
    return list(found.values())
