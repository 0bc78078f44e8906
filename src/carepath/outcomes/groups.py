"""Patients → groups: by the value of one of a protocol's decisions or criteria, or by a follow-up fact
(`follow_up.transplant`); an undetermined value is a group of its own, never dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from carepath.compile.compiler import CompiledProtocol
from carepath.data.records import InvalidRecord, PatientRecord
from carepath.ir.program import Classification
from carepath.language.diagnostics import did_you_mean
from carepath.runtime.engine import Result, evaluate
from carepath.semantics.values import DoseValue, NotBefore

UNDETERMINED = "undetermined"
NOT_RECORDED = "not recorded"
INVALID = "invalid"  # a record with errors: no group, reported apart
FOLLOW_UP_GROUPS = {"follow_up.transplant": "transplant done or not, as the record's follow-up says"}


class GroupingError(ValueError):
    """A `--by` name the protocol does not define: the message lists what it does define."""


@dataclass(frozen=True, slots=True)
class Member:
    """One patient's group; `result` is the protocol's result (with its trace) for the patient."""

    id: str | None
    group: str
    record: PatientRecord | None
    result: Result


def groupable(compiled: CompiledProtocol) -> list[str]:
    """Every name `--by` accepts for this protocol: its criteria and decisions, then the follow-up groupings."""
    return [d.name for d in compiled.checked.definitions] + list(FOLLOW_UP_GROUPS)


def group_order(compiled: CompiledProtocol, by: str | None, labels: Sequence[str]) -> list[str]:
    """Groups in a stable order: a classification's branches as declared, true before false, then the rest
    sorted; `undetermined` and `not recorded` last."""
    definition = next((d for d in compiled.checked.definitions if d.name == by), None)
    declared = [b.name for b in definition.branches] if isinstance(definition, Classification) else ["true", "false", "done", "not done"]
    present = list(dict.fromkeys(labels))
    first = [label for label in declared if label in present]
    last = [label for label in (UNDETERMINED, NOT_RECORDED) if label in present]
    return first + sorted(label for label in present if label not in first and label not in last) + last


def assign(compiled: CompiledProtocol, records: Sequence[PatientRecord | InvalidRecord], as_of: dt.date, by: str | None,
           decided: Sequence[Result] | None = None) -> list[Member]:
    """Each record's group under `by` (None: one group, `all`). Raises `GroupingError` for a name the protocol lacks.
    `decided`: the records' results already decided by another engine, each criterion's value among its decisions."""
    names = groupable(compiled)
    if by is not None and by not in names:
        hint = did_you_mean(by, names)
        raise GroupingError(f"{compiled.name} has no decision or criterion '{by}'" + (f"; {hint}" if hint else f"; --by takes one of {', '.join(names)}"))
    slots = {c.definition.name: index for index, c in enumerate(compiled.definitions)}
    members = []
    for index, record in enumerate(records):
        result = evaluate(compiled, record, as_of, trace=True) if decided is None else decided[index]
        bound = record if isinstance(record, PatientRecord) else None
        if result.status == "invalid":
            label = INVALID
        elif by is None:
            label = "all"
        elif by in FOLLOW_UP_GROUPS:
            transplant = bound.care.transplant if bound is not None and bound.care is not None else None
            label = NOT_RECORDED if transplant is None else "done" if transplant.done else "not done"
        elif decided is not None:
            label = label_of(result.decisions.get(by))
        else:
            label = label_of(result.criteria[slots[by]].outcome if result.criteria else None)
        members.append(Member(record.id, label, bound, result))
    return members


def label_of(value: object) -> str:
    """A decision's or criterion's value as a group's name."""
    if value is None or isinstance(value, NotBefore):
        return UNDETERMINED
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, DoseValue):
        return str(value)
    return str(value)


__all__ = ["FOLLOW_UP_GROUPS", "INVALID", "NOT_RECORDED", "UNDETERMINED", "GroupingError", "Member", "assign", "group_order", "groupable", "label_of"]
