"""Evaluate a compiled protocol on bound records with an explicit `as_of`: decisions, reasons, needs, trace.

Pure: no I/O and no clock; the same protocol, record and `as_of` always give the same result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import repeat
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

from carepath._version import __version__
from carepath.compile.compiler import CompiledProtocol, ExplainContext
from carepath.data.records import InvalidRecord, PatientRecord, RecordCode, RecordError, derived_problem
from carepath.ir.definitions import Deadline, Recommendation
from carepath.semantics.trace import Fact, Step, StepKind, reasons_with_outcomes
from carepath.semantics.values import Duration, NotBefore, is_imprecise


@dataclass(frozen=True, slots=True)
class Provenance:
    protocol: str
    version: str | None
    sha256: str
    source: str
    engine_version: str = __version__
    parameters: tuple[tuple[str, str, str, bool], ...] = ()  # (name, value in force, protocol's value, overridden)
    deadlines: tuple[tuple[str, Deadline], ...] = ()  # (recommendation, its deadline): results say when each falls due


class Result(NamedTuple):
    """One record's outcome. A named tuple rather than a frozen dataclass: it is built once per record
    on the hot path, and tuple construction is several times cheaper."""

    id: str | None
    status: str  # "ok" | "undetermined" | "invalid"
    decisions: dict[str, Any]
    reasons: dict[str, tuple[str, ...]]
    needs: tuple[str, ...]
    errors: tuple[RecordError, ...]
    steps: tuple[Step, ...] = ()  # one per decision, declaration order; empty without trace
    criteria: tuple[Step, ...] = ()  # every definition's step, evaluation order
    record: PatientRecord | None = None
    reason_outcomes: dict[str, tuple[object, ...]] | None = None  # beside `reasons`: the value each reason had


@dataclass(frozen=True, slots=True)
class Run:
    provenance: Provenance
    as_of: dt.date
    results: tuple[Result, ...]

    @property
    def exit_code(self) -> int:
        return 1 if any(r.status == "invalid" for r in self.results) else 0


def provenance(compiled: CompiledProtocol) -> Provenance:
    checked = compiled.checked
    parameters = tuple((q.name, q.shown, q.default, q.overridden) for q in checked.parameters)
    deadlines = tuple((d.name, d.deadline) for d in checked.definitions if isinstance(d, Recommendation) and d.deadline is not None)
    return Provenance(checked.name, checked.version, checked.sha256, checked.source.name, parameters=parameters, deadlines=deadlines)


def evaluate(compiled: CompiledProtocol, record: PatientRecord | InvalidRecord, as_of: dt.date, trace: bool = True) -> Result:
    """One record → one result; an invalid record becomes an invalid result, never an exception."""
    if isinstance(record, InvalidRecord):
        return Result(record.id, "invalid", {}, {}, (), record.errors)
    env = [*record.values, *compiled.padding]
    facts: Sequence[Fact | None] = record.facts
    if compiled.as_of_inputs:
        facts, errors = _derive_as_of(compiled, record, env, as_of)
        if errors:
            return Result(record.id, "invalid", {}, {}, (), tuple(errors))
        if trace:  # the record as evaluated on this date, so explanations list the derived age with the other inputs
            record = replace(record, values=tuple(env[:len(record.values)]), facts=tuple(facts))
    for slot, value in compiled.plan if trace else compiled.decision_plan:
        env[slot] = value(env)
    decisions = {d.name: env[d.slot] for d in compiled.decisions}
    if compiled.has_events:
        decisions = {name: None if isinstance(value, NotBefore) else value for name, value in decisions.items()}
    wanted: tuple[str, ...] = ()
    status = "ok"
    if None in decisions.values():
        status = "undetermined"
        wanted = _needs(compiled, env)
    if not trace:
        return Result(record.id, status, decisions, {}, wanted, (), record=record)
    steps = _explain(compiled, env, facts)
    decision_steps = tuple(steps[d.slot] for d in compiled.decisions)
    why_with = {d.name: reasons_with_outcomes(step) for d, step in zip(compiled.decisions, decision_steps, strict=True)
                if decisions[d.name] is not None}
    for d, step in zip(compiled.decisions, decision_steps, strict=True):
        unplaced = _no_branch_applies(step)
        if unplaced is not None:
            why_with[d.name] = ((unplaced, None),)
    why = {name: tuple(reason for reason, _ in pairs) for name, pairs in why_with.items()}
    held = {name: tuple(outcome for _, outcome in pairs) for name, pairs in why_with.items()}
    every = tuple(steps[c.definition.slot] for c in compiled.definitions)
    return Result(record.id, status, decisions, why, wanted, (), decision_steps, every, record, held)


def _no_branch_applies(step: Step) -> str | None:
    """A classification without `otherwise` whose branches were all false: its step's detail says so, and
    becomes the undetermined decision's one reason (an undetermined decision otherwise has none)."""
    return step.detail if step.kind is StepKind.CLASSIFICATION and step.outcome is None else None


def _batch_of(compiled: CompiledProtocol, records: tuple[PatientRecord | InvalidRecord, ...], as_of: dt.date, reasons: bool) -> Batch:
    results = [evaluate(compiled, record, as_of, trace=reasons) for record in records]
    return Batch(
        records=records,
        statuses=tuple(r.status for r in results),
        decisions={d.name: [r.decisions.get(d.name) for r in results] for d in compiled.decisions},
        needs={i: r.needs for i, r in enumerate(results) if r.needs},
        errors={i: r.errors for i, r in enumerate(results) if r.status == "invalid"},
        reasons={i: dict(r.reasons) for i, r in enumerate(results)} if reasons else {},
        reason_outcomes={i: dict(r.reason_outcomes or {}) for i, r in enumerate(results)} if reasons else {},
    )


def _needs(compiled: CompiledProtocol, env: list[Any]) -> tuple[str, ...]:
    missing: list[str] = []
    for decision, needs in zip(compiled.decisions, compiled.needs, strict=True):
        if env[decision.slot] is None or isinstance(env[decision.slot], NotBefore):
            missing.extend(needs(env))
    order = compiled.input_order
    return tuple(sorted(set(missing), key=lambda name: order.get(name, len(order))))


def evaluate_all(compiled: CompiledProtocol, records: Iterable[PatientRecord | InvalidRecord], as_of: dt.date,
                 trace: bool = True, reasons: bool = False) -> Run:
    """Every record. Without a trace the cohort is evaluated column by column (`evaluate_batch`), with
    each decision's reasons when asked for; with a trace, record by record."""
    if not trace:
        return Run(provenance(compiled), as_of, evaluate_batch(compiled, list(records), as_of, reasons).results())
    return Run(provenance(compiled), as_of, tuple(evaluate(compiled, r, as_of, trace) for r in records))


@dataclass(frozen=True, slots=True)
class Batch:
    """A cohort's decisions held column by column, aligned with the records given; `results()` gives
    the same `Result`s that `evaluate(..., trace=False)` gives one at a time."""

    records: tuple[PatientRecord | InvalidRecord, ...]
    statuses: tuple[str, ...]
    decisions: dict[str, Sequence[Any]]  # decision name → one value per record (None for invalid records too)
    needs: dict[int, tuple[str, ...]]  # record index → what an undetermined record is waiting for
    errors: dict[int, tuple[RecordError, ...]]  # record index → why a record is invalid
    reasons: dict[int, dict[str, tuple[str, ...]]] = field(default_factory=dict)  # when asked for: record index → reasons
    reason_outcomes: dict[int, dict[str, tuple[object, ...]]] = field(default_factory=dict)  # the value each reason had

    def results(self) -> tuple[Result, ...]:
        out = []
        for index, record in enumerate(self.records):
            status = self.statuses[index]
            if status == "invalid":
                out.append(Result(record.id, "invalid", {}, {}, (), self.errors[index]))
                continue
            decisions = {name: column[index] for name, column in self.decisions.items()}
            why = dict(self.reasons.get(index, {}))
            held = self.reason_outcomes.get(index)
            out.append(Result(record.id, status, decisions, why, self.needs.get(index, ()), (), record=record,  # type: ignore[arg-type]
                              reason_outcomes=dict(held) if held is not None else None))
        return tuple(out)


def evaluate_batch(compiled: CompiledProtocol, records: Sequence[PatientRecord | InvalidRecord], as_of: dt.date,
                   reasons: bool = False) -> Batch:
    """A whole cohort without a trace, one list comprehension per rule node instead of one call per patient.

    With `reasons`, each record also gets its decisions' reasons. They follow from which comparisons came
    out true, false or unknown (and from which inputs are missing), so records that share that pattern
    share their reasons: one traced evaluation per pattern, not per record.
    """
    records = tuple(records)
    if compiled.columns is None:  # a node without a column form: record by record, the same results
        return _batch_of(compiled, records, as_of, reasons)
    read = [info.slot for info in compiled.read_inputs]  # only the inputs some rule reads become columns
    rows: Sequence[Sequence[Any]]
    positions: Sequence[int]
    errors: dict[int, tuple[RecordError, ...]] = {}
    # Usually every record is valid and no age is counted to `as_of`: the records' values are split as they are.
    # Otherwise invalid records, and records whose age on `as_of` is at fault, are sorted out one by one first.
    if compiled.as_of_inputs or not set(map(type, records)) <= {PatientRecord}:
        rows, positions, errors = valid_rows(compiled, records, as_of)
    else:
        rows, positions = _LazyRows(records), range(len(records))  # type: ignore[arg-type]
    split = _split(rows, read)
    count = len(rows)
    plan = compiled.columns
    columns: list[Sequence[Any]] = [()] * plan.width
    for slot, values in zip(read, split, strict=True):
        columns[slot] = values
    for slot, column in plan.definitions:
        columns[slot] = column(columns, count)
    decided = [columns[d.slot] for d in compiled.decisions]
    if len(decided) == 1:
        undetermined = [row for row, value in enumerate(decided[0]) if value is None]
    elif len(decided) == 2:
        undetermined = [row for row, (a, b) in enumerate(zip(*decided, strict=True)) if a is None or b is None]
    else:
        undetermined = [row for row, values in enumerate(zip(*decided, strict=True)) if None in values]
    unknown = [False] * count
    for row in undetermined:
        unknown[row] = True
    needs: dict[int, tuple[str, ...]] = {}
    why: dict[int, dict[str, tuple[str, ...]]] = {}
    held: dict[int, dict[str, tuple[object, ...]]] = {}
    if reasons:
        states = [[input_state(v) for v in columns[info.slot]] for info in compiled.read_inputs]
        patterns = [columns[slot] for slot in plan.comparison_slots] + states
        traced: dict[tuple[Any, ...], Result] = {}
        for row, pattern in enumerate(zip(*patterns, strict=True) if patterns else repeat((), count)):
            sample = traced.get(pattern)
            if sample is None:
                sample = traced[pattern] = evaluate(compiled, records[positions[row]], as_of, trace=True)
            why[positions[row]] = sample.reasons
            held[positions[row]] = sample.reason_outcomes or {}
            if unknown[row]:
                needs[positions[row]] = sample.needs
    elif undetermined:
        known_answers: dict[tuple[Any, ...], tuple[str, ...]] = {}
        outcomes = [columns[slot] for slot in plan.comparison_slots]
        for row in undetermined:
            row_values = rows[row]
            input_states = [input_state(row_values[i.slot]) for i in compiled.read_inputs]
            if compiled.always_classified and input_states.count(2) == len(input_states) - 1:
                # Only unknown inputs make a decision unknown when every classification has `otherwise`,
                # so a lone unknown input is exactly what is needed.
                needs[positions[row]] = (compiled.read_inputs[input_states.index(min(input_states))].name,)
                continue
            key = (*[o[row] for o in outcomes], *input_states)
            if key not in known_answers:
                known_answers[key] = _batch_needs(compiled, row_values, decided, row)
            needs[positions[row]] = known_answers[key]
    if not errors:
        status_list = ["ok"] * count
        for row in undetermined:
            status_list[row] = "undetermined"
        statuses = tuple(status_list)
        return Batch(records, statuses, {d.name: c for d, c in zip(compiled.decisions, decided, strict=True)}, needs, errors, why, held)
    status_list = ["invalid"] * len(records)
    full: dict[str, list[Any]] = {d.name: [None] * len(records) for d in compiled.decisions}
    for row_index, index in enumerate(positions):
        status_list[index] = "undetermined" if unknown[row_index] else "ok"
        for d, decided_column in zip(compiled.decisions, decided, strict=True):
            full[d.name][index] = decided_column[row_index]
    return Batch(records, tuple(status_list), dict(full), needs, errors, why, held)


class _LazyRows(Sequence[Sequence[Any]]):
    """Records' values without copying them out: only undetermined rows are ever looked up."""

    __slots__ = ("records",)

    def __init__(self, records: Sequence[PatientRecord]) -> None:
        self.records = records

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, index: int) -> Sequence[Any]:  # type: ignore[override]
        return self.records[index].values

    def __iter__(self) -> Iterator[Sequence[Any]]:
        return map(attrgetter("values"), self.records)


def _split(rows: Iterable[Sequence[Any]], slots: Sequence[int]) -> list[list[Any]]:
    """Input columns in one pass over the records: each record is visited once, which matters more
    than anything else here because records lie scattered in memory."""
    columns: list[list[Any]] = [[] for _ in slots]
    if len(slots) == 1:
        return [list(map(itemgetter(slots[0]), rows))]
    if len(slots) == 2:
        (s0, s1), (a0, a1) = slots, (c.append for c in columns)
        for values in rows:
            a0(values[s0])
            a1(values[s1])
    elif len(slots) == 3:
        (s0, s1, s2), (a0, a1, a2) = slots, (c.append for c in columns)
        for values in rows:
            a0(values[s0])
            a1(values[s1])
            a2(values[s2])
    elif len(slots) == 4:
        (s0, s1, s2, s3), (a0, a1, a2, a3) = slots, (c.append for c in columns)
        for values in rows:
            a0(values[s0])
            a1(values[s1])
            a2(values[s2])
            a3(values[s3])
    elif slots:
        pairs = [(c.append, slot) for c, slot in zip(columns, slots, strict=True)]
        for values in rows:
            for append, slot in pairs:
                append(values[slot])
    return columns


def valid_rows(compiled: CompiledProtocol, records: Sequence[PatientRecord | InvalidRecord],
                as_of: dt.date) -> tuple[list[Sequence[Any]], list[int], dict[int, tuple[RecordError, ...]]]:
    rows: list[Sequence[Any]] = []
    positions: list[int] = []
    errors: dict[int, tuple[RecordError, ...]] = {}
    width = len(compiled.checked.inputs)
    for index, record in enumerate(records):
        if isinstance(record, InvalidRecord):
            errors[index] = record.errors
            continue
        values: Sequence[Any] = record.values
        if compiled.as_of_inputs:
            env = [*values, *compiled.padding]
            _, problems = _derive_as_of(compiled, record, env, as_of)
            if problems:
                errors[index] = tuple(problems)
                continue
            values = env[:width]
        positions.append(index)
        rows.append(values)
    return rows, positions, errors


def _batch_needs(compiled: CompiledProtocol, values: Sequence[Any], decided: list[Sequence[Any]], row: int) -> tuple[str, ...]:
    env = [*values, *compiled.padding]
    for decision, column in zip(compiled.decisions, decided, strict=True):
        env[decision.slot] = column[row]
    return _needs(compiled, env)


def input_state(value: Any) -> int:
    """What `needs` can see of an input: missing (0), too imprecise to compare (1), or known (2)."""
    return 0 if value is None else 1 if is_imprecise(value) else 2



def decide(compiled: CompiledProtocol, values: Sequence[Any]) -> list[Any]:
    """The bare fast path: input values in slot order → an environment holding every decision at its slot."""
    env = [*values, *compiled.padding]
    for slot, value in compiled.decision_plan:
        env[slot] = value(env)
    return env


def _derive_as_of(compiled: CompiledProtocol, record: PatientRecord, env: list[Any], as_of: dt.date) -> tuple[list[Fact | None], list[RecordError]]:
    """Durations declared `from a_date to as_of` depend on the evaluation date, so they are derived here."""
    facts: list[Fact | None] = list(record.facts)
    errors: list[RecordError] = []
    for info in compiled.as_of_inputs:
        if env[info.slot] is not None:
            continue
        start_info = compiled.checked.input(info.derived_from[0]) if info.derived_from else None
        start = env[start_info.slot] if start_info else None
        if start is None or info.derived_from is None:
            continue
        place = record.place_of(info.derived_from[0])
        if as_of < start:
            message = f"patient '{record.id}': {info.derived_from[0]} {start.isoformat()} is after the evaluation date {as_of.isoformat()}"
            errors.append(RecordError.at(place, RecordCode.DATES_DISAGREE, info.name, message, patient=record.id))
            continue
        derived = Duration.between(start, as_of)
        refused = derived_problem(info, derived)
        if refused:
            message = f"patient '{record.id}': {info.name} on {as_of.isoformat()} is {derived.text}: {refused[1]}"
            errors.append(RecordError.at(place, refused[0], info.name, message, patient=record.id))
            continue
        env[info.slot] = derived
        facts[info.slot] = Fact(info.name, derived.text, None, f"derived from {info.derived_from[0]} and the evaluation date {as_of.isoformat()}")
    return facts, errors


def _explain(compiled: CompiledProtocol, env: list[Any], facts: Sequence[Fact | None]) -> dict[int, Step]:
    ctx = ExplainContext(env, facts, {})
    for definition in compiled.definitions:
        ctx.steps[definition.definition.slot] = definition.explain(ctx)
    return ctx.steps
