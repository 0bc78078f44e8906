"""What an explanation is made of, as plain data: facts read, steps taken, decisions reached."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from carepath.language.nodes import BoolKind
from carepath.language.source import Span
from carepath.semantics.values import NotBefore, Truth

Outcome = Truth | str  # a truth value, or a classification's branch name


@dataclass(frozen=True, slots=True)
class Fact:
    """One input value as the rules saw it, with where it came from."""

    input: str
    shown: str  # in the input's declared unit, e.g. "123,800 /µL"; "missing" when absent
    raw: str | None  # as written in the record, e.g. "123.8 10*9/L"
    origin: str  # e.g. "cohorts/severance_2011.yaml, field wbc_at_diagnosis"
    missing: bool = False
    # Where the value was read, printed with str(): "file:line:column" (YAML/JSON), "file row N column C"
    # (CSV/Parquet), "file Observation/id valueQuantity" (FHIR); None for a value derived or not read.
    source: object = field(default=None, compare=False, repr=False)


class StepKind(enum.Enum):
    """What a step evaluated; the value is the word the JSON run contract and the goldens carry."""

    CRITERION = "criterion"
    CLASSIFICATION = "classification"
    RECOMMENDATION = "recommendation"
    DOSE = "dose"
    TARGET = "target"
    EVENT = "event"
    BRANCH = "branch"
    OTHERWISE = "otherwise"
    AMOUNT = "amount"
    DAY = "day"
    REFERENCE = "reference"
    COMPARISON = "comparison"
    PRESENCE = "presence"
    INPUT = "input"
    LITERAL = "literal"
    SERIES = "series"
    NOT = "not"
    AND = "and"
    OR = "or"
    ALL_OF = "all of"
    ANY_OF = "any of"
    XOR = "xor"
    IMPLIES = "implies"

    @classmethod
    def of(cls, kind: BoolKind) -> StepKind:
        """The step for `and`, `or`, `all of (…)`, `any of (…)`, `xor`, `implies`: named as written."""
        return cls(kind.value)

    @property
    def is_definition(self) -> bool:
        """A step that opens a definition's own explanation."""
        return self in DEFINITION_STEPS


# Tuples, not sets: membership by identity, without calling `Enum.__hash__` (Python code) on a hot path.
DEFINITION_STEPS = (StepKind.CRITERION, StepKind.CLASSIFICATION, StepKind.RECOMMENDATION, StepKind.DOSE, StepKind.TARGET, StepKind.EVENT)
#: Steps that read inputs themselves: their facts name the inputs behind the outcome.
_READING = (StepKind.COMPARISON, StepKind.PRESENCE, StepKind.INPUT, StepKind.AMOUNT, StepKind.TARGET, StepKind.EVENT)


@dataclass(frozen=True, slots=True)
class Step:
    """One evaluated node; `deciding` indexes the children that made the outcome what it is."""

    kind: StepKind
    text: str
    outcome: Outcome
    children: tuple[Step, ...] = ()
    deciding: tuple[int, ...] = ()
    facts: tuple[Fact, ...] = ()
    detail: str | None = None
    reference: str | None = None
    title: str | None = None
    citation: str | None = None
    wanting: tuple[str, ...] = ()  # inputs that would decide this unknown step: missing or too imprecise
    span: Span | None = field(default=None, compare=False)


def reasons(step: Step) -> tuple[str, ...]:
    """The named definitions (or, failing those, inputs) that decided a step's outcome."""
    return tuple(name for name, _ in reasons_with_outcomes(step))


def reasons_with_outcomes(step: Step) -> tuple[tuple[str, object], ...]:
    """Each reason with the value it had: a criterion that failed is `(name, False)`, one that held
    `(name, True)`, a decision its value, an input None. Tables say "not X" only for what failed."""
    found: dict[str, object] = {}

    def walk(node: Step) -> None:
        if node.kind is StepKind.REFERENCE and node.reference:
            found.setdefault(node.reference, node.outcome)
            return
        if node.kind in _READING:
            for fact in node.facts:
                found.setdefault(fact.input, None)
        for index in node.deciding:
            walk(node.children[index])

    if step.kind in (StepKind.TARGET, StepKind.EVENT):
        for fact in step.facts:
            found.setdefault(fact.input, None)
    for index in step.deciding:
        walk(step.children[index])
    return tuple(found.items())


def reason_text(name: str, outcome: object) -> str:
    """A reason as a table cell says it: `not X` for a criterion that failed, `X = high` for a decision's value."""
    if outcome is False:
        return f"not {name}"
    if outcome is True or outcome is None:
        return name
    return f"{name} = {decision_text(outcome)}"


def needs(step: Step) -> tuple[str, ...]:
    """The inputs whose absence (or imprecision) left a step unknown."""
    found: list[str] = []

    def walk(node: Step) -> None:
        if node.outcome is not None:
            return
        if node.wanting:
            found.extend(node.wanting)
            return
        for index in node.deciding:
            walk(node.children[index])

    if step.outcome is None:
        found.extend(step.wanting)  # a target or event names what it waits for on its own step
        for index in step.deciding:
            walk(step.children[index])
    return tuple(dict.fromkeys(found))


def decision_text(value: object) -> str:
    """A decision value in words, as tables and features say it: yes/no, a branch name, or undetermined."""
    if value is None or isinstance(value, NotBefore):
        return "undetermined"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)
