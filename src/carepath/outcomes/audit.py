"""A protocol's decisions against the care recorded → deviations: a recommendation not followed (or acted on
without one, or while undetermined), a dose given off the computed dose by more than the tolerance, a drug level
outside its target on a recorded day.

Each kind is a `DeviationKind` member and one check in `CHECKS`, applied in order to every patient: a new kind
(say a recommendation overdue) is a member and a function. Deviations are findings, not failures.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from carepath.compile.compiler import CompiledProtocol
from carepath.data.errors import Place
from carepath.data.followup import DAYS_PER_MONTH
from carepath.data.records import InvalidRecord, PatientRecord
from carepath.ir.program import Dose, InputRef, Recommendation, Target
from carepath.runtime.engine import Result, evaluate
from carepath.semantics.deadlines import DeadlineOutcome, deadline_status
from carepath.semantics.values import DoseValue, format_number

DEFAULT_TOLERANCE = Fraction(10)  # percent; a protocol parameter `dose_tolerance` or `--tolerance` sets another
TOLERANCE_PARAMETER = "dose_tolerance"


class DeviationKind(enum.Enum):
    """What kind of departure from the protocol; the value is the word the audit document carries."""

    NOT_FOLLOWED = "not_followed"
    DONE_WITHOUT_RECOMMENDATION = "done_without_recommendation"
    UNDETERMINED_ACTED_ON = "undetermined_acted_on"
    DOSE_DIFFERS = "dose_differs"
    LEVEL_OFF_TARGET = "level_off_target"
    OVERDUE = "overdue"
    MAYBE_OVERDUE = "maybe_overdue"

    @property
    def title(self) -> str:
        return _TITLES[self]


_TITLES = {
    DeviationKind.NOT_FOLLOWED: "recommendation not followed",
    DeviationKind.DONE_WITHOUT_RECOMMENDATION: "done without the recommendation",
    DeviationKind.UNDETERMINED_ACTED_ON: "undetermined recommendation acted on",
    DeviationKind.DOSE_DIFFERS: "dose given differs from the computed dose",
    DeviationKind.LEVEL_OFF_TARGET: "drug level outside its target",
    DeviationKind.OVERDUE: "done after the recommendation's deadline",
    DeviationKind.MAYBE_OVERDUE: "done perhaps after the recommendation's deadline",
}


@dataclass(frozen=True, slots=True)
class Deviation:
    """One departure: the patient, what kind, which decision, what the protocol says against what was done,
    and the recorded reason or detail; `place` is where the care was recorded."""

    patient: str
    kind: DeviationKind
    decision: str
    expected: str
    actual: str
    detail: str | None = None
    day: int | None = None
    place: Place | None = None
    estimated: str | None = None


@dataclass(frozen=True, slots=True)
class Patient:
    """What a check reads for one patient: the protocol, its traced result and the record with its care."""

    compiled: CompiledProtocol
    record: PatientRecord
    result: Result
    as_of: dt.date
    tolerance: Fraction


@dataclass(frozen=True, slots=True)
class Audit:
    tolerance: Fraction
    tolerance_source: str  # "protocol parameter dose_tolerance", "--tolerance" or "default"
    patients: tuple[str, ...]  # every patient audited, in order
    without_care: tuple[str, ...]  # patients whose record has no follow-up or care to compare
    deviations: tuple[Deviation, ...]
    results: tuple[Result, ...]


def _recommendations(patient: Patient) -> Iterator[Deviation]:
    """A transplant recorded against the recommendation it answers (`transplant.recommendation`)."""
    care = patient.record.care
    transplant = care.transplant if care is not None else None
    if transplant is None:
        return
    definition = next((d for d in patient.compiled.decisions if d.name == transplant.recommendation), None)
    if not isinstance(definition, Recommendation):
        return
    value = patient.result.decisions.get(definition.name)
    done = "transplant done" + (f" at {transplant.at.text}" if transplant.at else "")
    pid = str(patient.record.id)
    estimated = transplant.at.estimated if transplant.at else None
    if value is True and not transplant.done:
        yield Deviation(pid, DeviationKind.NOT_FOLLOWED, definition.name, "recommended", "transplant not done",
                        f"reason recorded: {transplant.reason}", None, transplant.place)
    elif value is False and transplant.done:
        yield Deviation(pid, DeviationKind.DONE_WITHOUT_RECOMMENDATION, definition.name, "not recommended", done,
                        transplant.reason, None, transplant.place, estimated)
    elif value is None and transplant.done:
        needs = ", ".join(patient.result.needs) or "nothing named"
        yield Deviation(pid, DeviationKind.UNDETERMINED_ACTED_ON, definition.name, f"undetermined (needs {needs})", done,
                        transplant.reason, None, transplant.place, estimated)


def _doses(patient: Patient) -> Iterator[Deviation]:
    care = patient.record.care
    pid = str(patient.record.id)
    for given in care.doses if care is not None else ():
        definition = next((d for d in patient.compiled.decisions if d.name == given.dose), None)
        if not isinstance(definition, Dose):
            continue
        computed = patient.result.decisions.get(given.dose)
        if not isinstance(computed, DoseValue):
            needs = ", ".join(patient.result.needs) or "nothing named"
            yield Deviation(pid, DeviationKind.UNDETERMINED_ACTED_ON, given.dose, f"undetermined (needs {needs})", f"given {given.given.text}",
                            None, given.day, given.place, given.estimated)
            continue
        amount = given.given.number * given.given.unit.factor_to(definition.unit)
        if computed.amount == 0:
            off = None if amount == 0 else Fraction(100)
        else:
            off = (amount - computed.amount) / computed.amount * 100
        if off is not None and abs(off) <= patient.tolerance:
            continue
        shown = f"{format_number(_rounded(amount))} {computed.unit}"
        differs = f"{'+' if off is None or off > 0 else ''}{format_number(_rounded(off))} %" if off is not None else "given while none computed"
        yield Deviation(pid, DeviationKind.DOSE_DIFFERS, given.dose, str(computed), f"given {shown}",
                        f"{differs}; tolerance {format_number(patient.tolerance)} %", given.day, given.place, given.estimated)


def _levels(patient: Patient) -> Iterator[Deviation]:
    """Each recorded level read against its target by the protocol itself: the record with the level in place of
    the target's measured input, evaluated again, gives the band."""
    care = patient.record.care
    pid = str(patient.record.id)
    for level in care.levels if care is not None else ():
        definition = next((d for d in patient.compiled.decisions if d.name == level.target), None)
        if not isinstance(definition, Target) or not isinstance(definition.measured, InputRef) or level.bound is None:
            continue
        values = list(patient.record.values)
        values[definition.measured.input.slot] = level.bound
        again = evaluate(patient.compiled, replace(patient.record, values=tuple(values)), patient.as_of, trace=False)
        band = again.decisions.get(level.target)
        if band is None or band == "within":
            continue
        action = definition.actions.get(str(band))
        yield Deviation(pid, DeviationKind.LEVEL_OFF_TARGET, level.target, f"within {definition.low.shown} .. {definition.high.shown}",
                        f"{level.value.text}: {band}", action, level.day, level.place, level.estimated)


def _rounded(value: Fraction) -> Fraction | float:
    return round(value, 1) if value.denominator != 1 else value


#: The checks, in the order their deviations are listed for a patient.
def _deadlines(patient: Patient) -> Iterator[Deviation]:
    """A recommended transplant done after the recommendation's `due within` deadline. An estimated time (the seed
    cohort's ages are completed months) is known only to a month either side, so a deadline it straddles is
    reported as perhaps overdue, never as met or overdue."""
    care = patient.record.care
    transplant = care.transplant if care is not None else None
    if transplant is None or not transplant.done or transplant.at is None:
        return
    definition = next((d for d in patient.compiled.decisions if d.name == transplant.recommendation), None)
    if not isinstance(definition, Recommendation) or definition.deadline is None:
        return
    if patient.result.decisions.get(definition.name) is not True:
        return
    deadline = definition.deadline
    scale = Fraction(1) if deadline.base == "months" else Fraction(DAYS_PER_MONTH).limit_denominator(10_000)
    at = Fraction(transplant.at.months).limit_denominator(10_000) * scale
    spread = scale if transplant.at.estimated else Fraction(0)
    status = deadline_status(deadline, max(at - spread, Fraction(0)), at + spread, open_bounds=bool(spread))
    kinds = {DeadlineOutcome.OVERDUE: DeviationKind.OVERDUE, DeadlineOutcome.UNDETERMINED: DeviationKind.MAYBE_OVERDUE}
    kind = kinds.get(status.outcome)
    if kind is not None:
        yield Deviation(str(patient.record.id), kind, definition.name, f"due within {deadline.text} of {deadline.anchor}",
                        f"transplant done at {transplant.at.text}", str(status), None, transplant.place, transplant.at.estimated)


CHECKS: tuple[Callable[[Patient], Iterator[Deviation]], ...] = (_recommendations, _deadlines, _doses, _levels)


def tolerance_of(compiled: CompiledProtocol, given: Fraction | None) -> tuple[Fraction, str]:
    """The dose tolerance in percent: `--tolerance`, else the protocol's `dose_tolerance` parameter (which a site
    may override), else 10 %."""
    if given is not None:
        return given, "--tolerance"
    parameter = next((q for q in compiled.checked.parameters if q.name == TOLERANCE_PARAMETER), None)
    if parameter is not None and isinstance(parameter.value, (int, Fraction)):
        return Fraction(parameter.value), f"protocol parameter {TOLERANCE_PARAMETER}" + (" (overridden)" if parameter.overridden else "")
    return DEFAULT_TOLERANCE, "default"


def audit(compiled: CompiledProtocol, records: Sequence[PatientRecord | InvalidRecord], as_of: dt.date, tolerance: Fraction | None = None) -> Audit:
    """Every valid record's decisions against its recorded care; invalid records keep their errors in `results`."""
    limit, source = tolerance_of(compiled, tolerance)
    found: list[Deviation] = []
    results = []
    without = []
    for record in records:
        result = evaluate(compiled, record, as_of, trace=True)
        results.append(result)
        if not isinstance(record, PatientRecord):
            continue
        if record.care is None:
            without.append(record.id)
            continue
        patient = Patient(compiled, record, result, as_of, limit)
        for check in CHECKS:
            found.extend(check(patient))
    audited = tuple(r.id for r in records if isinstance(r, PatientRecord))
    return Audit(limit, source, audited, tuple(without), tuple(found), tuple(results))


__all__ = ["CHECKS", "DEFAULT_TOLERANCE", "TOLERANCE_PARAMETER", "Audit", "Deviation", "DeviationKind", "Patient", "audit", "tolerance_of"]
