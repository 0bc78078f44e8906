"""The checked program's definitions: one frozen class per kind, each with its slot in the evaluation environment.

`Definition` is their union, for `match` + `assert_never`; `ParameterInfo` is a parameter's value in force. A dose's
`RoundingMode` is the syntax tree's own enum, re-exported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from carepath.ir.expressions import Cond, Const, InputInfo, Node, Value
from carepath.language.nodes import LimitPeriod, RoundingMode
from carepath.language.source import Span
from carepath.semantics.trace import StepKind
from carepath.semantics.types import Type
from carepath.semantics.units import Unit


@dataclass(frozen=True, slots=True)
class Branch(Node):
    """A classification's branch; no condition for `otherwise`."""

    name: str
    condition: Cond | None
    span: Span


@dataclass(frozen=True, slots=True)
class DoseBranch(Node):
    """A dose's band: an amount already in the dose's unit, given when the condition holds (always, without one)."""

    name: str  # "band 2", "otherwise" or "always": how an explanation names it
    condition: Cond | None
    amount: Value
    span: Span


@dataclass(frozen=True, slots=True)
class DoseLimit(Node):
    """A reference limit on a dose: an amount in the dose's unit per `period`, applying when the condition holds
    (always, without one). `administrations` is how many doses the period holds (1 per dose; per day and per
    course, read from the schedule), so the amount given in the period is the dose times it."""

    period: LimitPeriod
    condition: Cond | None
    amount: Value
    administrations: int
    text: str  # as written: "0.8 mg/kg * weight per dose when weight > 12 kg"
    citation: str | None
    span: Span


@dataclass(frozen=True, slots=True)
class Deadline:
    """When a recommendation falls due: `within` months or days (`base`) of the date input `anchor`."""

    within: int
    base: str  # "months" or "days"
    text: str  # "6 months"
    anchor: str
    anchor_slot: int
    citation: str | None


@dataclass(frozen=True, slots=True)
class DefinitionBase(Node):
    """What every definition has: a name, its environment slot, the type of its result and where it is written."""

    name: str
    slot: int
    title: str | None
    citation: str | None
    type: Type
    span: Span

    #: The kind of step that explains it; its value is also the word reports name the kind by.
    step_kind: ClassVar[StepKind]
    #: Criteria are evaluated where they are used; everything else is a decision, computed once per record.
    is_decision: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class Criterion(DefinitionBase):
    condition: Cond

    step_kind: ClassVar[StepKind] = StepKind.CRITERION
    is_decision: ClassVar[bool] = False


@dataclass(frozen=True, slots=True)
class Recommendation(DefinitionBase):
    condition: Cond
    deadline: Deadline | None = None

    step_kind: ClassVar[StepKind] = StepKind.RECOMMENDATION


@dataclass(frozen=True, slots=True)
class Classification(DefinitionBase):
    branches: tuple[Branch, ...]

    step_kind: ClassVar[StepKind] = StepKind.CLASSIFICATION

    @property
    def otherwise(self) -> Branch | None:
        """The final `otherwise` branch, when there is one."""
        last = self.branches[-1] if self.branches else None
        return last if last is not None and last.condition is None else None


@dataclass(frozen=True, slots=True)
class Dose(DefinitionBase):
    branches: tuple[DoseBranch, ...]
    unit: Unit
    rounding: tuple[RoundingMode, object] | None  # (mode, step in the dose's unit)
    schedule: str | None  # as an explanation prints it: "4 times daily on days -7 to -4"
    days: tuple[int, ...] | None  # the days given, when the schedule lists them
    from_day: int | None = None  # an open-ended schedule's first day
    limits: tuple[DoseLimit, ...] = ()  # reference limits the computed dose is checked against

    step_kind: ClassVar[StepKind] = StepKind.DOSE


@dataclass(frozen=True, slots=True)
class Target(DefinitionBase):
    measured: Value
    low: Const
    high: Const
    actions: dict[str, str]  # band → the protocol's action text

    step_kind: ClassVar[StepKind] = StepKind.TARGET


@dataclass(frozen=True, slots=True)
class Event(DefinitionBase):
    run: int  # consecutive days that must all satisfy the condition
    start: Value | None  # the first day examined: a constant day or another event
    condition: Cond
    series: tuple[InputInfo, ...]  # the series the condition reads, which bound the days examined

    step_kind: ClassVar[StepKind] = StepKind.EVENT


Definition = Criterion | Recommendation | Classification | Dose | Target | Event
Decision = Recommendation | Classification | Dose | Target | Event


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
