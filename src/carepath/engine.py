"""Evaluate a compiled protocol on bound records with an explicit `as_of`: decisions, reasons, needs, trace.

Pure: no I/O and no clock; the same protocol, record and `as_of` always give the same result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from ._version import __version__
from .compiler import CompiledProtocol, ExplainContext
from .records import InvalidRecord, PatientRecord, RecordError, plausibility_problem
from .trace import Fact, Step, reasons
from .values import Duration


@dataclass(frozen=True, slots=True)
class Provenance:
    protocol: str
    version: str | None
    sha256: str
    source: str
    engine_version: str = __version__


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
    return Provenance(checked.name, checked.version, checked.sha256, checked.source.name)


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
    for slot, value in compiled.plan if trace else compiled.decision_plan:
        env[slot] = value(env)
    decisions = {d.name: env[d.slot] for d in compiled.decisions}
    wanted: tuple[str, ...] = ()
    status = "ok"
    if None in decisions.values():
        status = "undetermined"
        wanted = _needs(compiled, env)
    if not trace:
        return Result(record.id, status, decisions, {}, wanted, (), record=record)
    steps = _explain(compiled, env, facts)
    decision_steps = tuple(steps[d.slot] for d in compiled.decisions)
    why = {d.name: reasons(step) for d, step in zip(compiled.decisions, decision_steps, strict=True) if env[d.slot] is not None}
    every = tuple(steps[c.definition.slot] for c in compiled.definitions)
    return Result(record.id, status, decisions, why, wanted, (), decision_steps, every, record)


def _needs(compiled: CompiledProtocol, env: list[Any]) -> tuple[str, ...]:
    missing: list[str] = []
    for decision, needs in zip(compiled.decisions, compiled.needs, strict=True):
        if env[decision.slot] is None:
            missing.extend(needs(env))
    order = compiled.input_order
    return tuple(sorted(set(missing), key=lambda name: order.get(name, len(order))))


def evaluate_all(compiled: CompiledProtocol, records: Iterable[PatientRecord | InvalidRecord], as_of: dt.date,
                 trace: bool = True) -> Run:
    return Run(provenance(compiled), as_of, tuple(evaluate(compiled, r, as_of, trace) for r in records))


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
        if as_of < start:
            message = f"patient '{record.id}': {info.derived_from[0]} {start.isoformat()} is after the evaluation date {as_of.isoformat()}"
            errors.append(RecordError(info.name, message))
            continue
        derived = Duration.between(start, as_of)
        problem = plausibility_problem(info, derived)
        if problem:
            errors.append(RecordError(info.name, f"patient '{record.id}': {info.name} on {as_of.isoformat()} is {derived.text}: {problem}"))
            continue
        env[info.slot] = derived
        facts[info.slot] = Fact(info.name, derived.text, None, f"derived from {info.derived_from[0]} and the evaluation date {as_of.isoformat()}")
    return facts, errors


def _explain(compiled: CompiledProtocol, env: list[Any], facts: Sequence[Fact | None]) -> dict[int, Step]:
    ctx = ExplainContext(env, facts, {})
    for definition in compiled.definitions:
        ctx.steps[definition.definition.slot] = definition.explain(ctx)
    return ctx.steps
