"""Evaluate a compiled protocol on bound records with an explicit `as_of`: decisions, reasons, needs, trace.

Pure: no I/O and no clock; the same protocol, record and `as_of` always give the same result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._version import __version__
from .compiler import CompiledProtocol, ExplainContext
from .records import InvalidRecord, PatientRecord, RecordError, plausibility_problem
from .trace import Fact, Step, needs, reasons
from .values import Duration


@dataclass(frozen=True, slots=True)
class Provenance:
    protocol: str
    version: str | None
    sha256: str
    source: str
    engine_version: str = __version__


@dataclass(frozen=True, slots=True)
class Result:
    id: str | None
    status: str  # "ok" | "undetermined" | "invalid"
    decisions: dict[str, Any]
    reasons: dict[str, tuple[str, ...]]
    needs: tuple[str, ...]
    errors: tuple[RecordError, ...]
    steps: tuple[Step, ...] = ()  # one per decision, declaration order; empty without trace
    criteria: tuple[Step, ...] = field(default=())  # every definition's step, evaluation order
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
    env, facts, errors = _environment(compiled, record, as_of)
    if errors:
        return Result(record.id, "invalid", {}, {}, (), tuple(errors))
    for slot, value in compiled.plan:
        env[slot] = value(env)
    decisions = {d.name: env[d.slot] for d in compiled.decisions}
    undetermined = any(v is None for v in decisions.values())
    if not trace and not undetermined:
        return Result(record.id, "ok", decisions, {}, (), (), record=record)
    steps = _explain(compiled, env, facts)
    decision_steps = tuple(steps[d.slot] for d in compiled.decisions)
    missing: list[str] = []
    why: dict[str, tuple[str, ...]] = {}
    for decision, step in zip(compiled.decisions, decision_steps, strict=True):
        if env[decision.slot] is None:
            missing.extend(needs(step))
        elif trace:
            why[decision.name] = reasons(step)
    order = {i.name: i.slot for i in compiled.checked.inputs}
    wanted = tuple(sorted(set(missing), key=lambda name: order.get(name, len(order))))
    status = "undetermined" if undetermined else "ok"
    if not trace:
        return Result(record.id, status, decisions, {}, wanted, (), record=record)
    every = tuple(steps[c.definition.slot] for c in compiled.definitions)
    return Result(record.id, status, decisions, why, wanted, (), decision_steps, every, record)


def evaluate_all(compiled: CompiledProtocol, records: Iterable[PatientRecord | InvalidRecord], as_of: dt.date,
                 trace: bool = True) -> Run:
    return Run(provenance(compiled), as_of, tuple(evaluate(compiled, r, as_of, trace) for r in records))


def decide(compiled: CompiledProtocol, values: Sequence[Any]) -> list[Any]:
    """The bare fast path: input values in slot order → the full environment. For benchmarks and embedding."""
    env = list(values)
    env.extend([None] * (compiled.slots - len(env)))
    for slot, value in compiled.plan:
        env[slot] = value(env)
    return env


def _environment(compiled: CompiledProtocol, record: PatientRecord, as_of: dt.date) -> tuple[list[Any], list[Fact | None], list[RecordError]]:
    env = list(record.values)
    env.extend([None] * (compiled.slots - len(env)))
    facts: list[Fact | None] = list(record.facts)
    errors: list[RecordError] = []
    for info in compiled.checked.inputs:
        if not info.derived_from or info.derived_from[1] != "as_of" or env[info.slot] is not None:
            continue
        start_info = compiled.checked.input(info.derived_from[0])
        start = env[start_info.slot] if start_info else None
        if start is None:
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
    return env, facts, errors


def _explain(compiled: CompiledProtocol, env: list[Any], facts: Sequence[Fact | None]) -> dict[int, Step]:
    ctx = ExplainContext(env, facts, {})
    for definition in compiled.definitions:
        ctx.steps[definition.definition.slot] = definition.explain(ctx)
    return ctx.steps
