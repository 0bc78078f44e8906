"""The checked program: names resolved, types known, literals converted to their input's unit.

The checker produces it and the compiler consumes it; nothing here can hold an unchecked name. Expressions
live in `ir.expressions`, definitions in `ir.definitions`; both are re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from carepath.ir.definitions import (
    Branch,
    Classification,
    Criterion,
    Deadline,
    Decision,
    Definition,
    DefinitionBase,
    Dose,
    DoseBranch,
    DoseLimit,
    Event,
    ParameterInfo,
    Recommendation,
    Target,
)
from carepath.ir.expressions import (
    Arith,
    CalendarBase,
    CalendarConst,
    Call,
    Compare,
    Cond,
    Const,
    DefRef,
    Expression,
    InputInfo,
    InputRef,
    Logic,
    Negation,
    Node,
    NoneBefore,
    Operand,
    Presence,
    SeriesAt,
    Value,
    inputs_in,
)
from carepath.language.nodes import ArithOp, Comparator, Protocol, RoundingMode  # the IR reads the syntax tree's operators
from carepath.language.source import Source

__all__ = [
    "Arith",
    "ArithOp",
    "Branch",
    "CalendarBase",
    "CalendarConst",
    "Call",
    "CheckedProtocol",
    "Classification",
    "Comparator",
    "Compare",
    "Cond",
    "Const",
    "Criterion",
    "Deadline",
    "Decision",
    "DefRef",
    "Definition",
    "DefinitionBase",
    "Dose",
    "DoseBranch",
    "DoseLimit",
    "Event",
    "Expression",
    "InputInfo",
    "InputRef",
    "Logic",
    "Negation",
    "Node",
    "NoneBefore",
    "Operand",
    "ParameterInfo",
    "Presence",
    "Recommendation",
    "RoundingMode",
    "SeriesAt",
    "Target",
    "Value",
    "inputs_in",
]


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
    definitions: tuple[Definition, ...]  # in evaluation order: every reference before its user
    warnings: tuple[object, ...] = field(default=())
    parameters: tuple[ParameterInfo, ...] = ()

    input_index: dict[str, InputInfo] = field(default_factory=dict)  # name → input, filled by the checker

    def input(self, name: str) -> InputInfo | None:
        return self.input_index.get(name)

    @property
    def decisions(self) -> tuple[Decision, ...]:
        """Decisions in the order the protocol declares them."""
        found = [d for d in self.definitions if not isinstance(d, Criterion)]
        return tuple(sorted(found, key=lambda d: (d.span.line, d.span.column)))
