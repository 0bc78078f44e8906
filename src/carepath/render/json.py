"""Results and explanations as JSON documents; the run document follows the run contract field for field."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from carepath.data.errors import RecordError
from carepath.ir.definitions import Deadline
from carepath.render import escape
from carepath.runtime.engine import Provenance, Result, Run
from carepath.semantics.deadlines import due_date
from carepath.semantics.trace import Fact, Step, StepKind, needs
from carepath.semantics.values import DoseValue, LimitFlag

ENGINE_NAME = "carepath"


def header(provenance: Provenance) -> dict[str, Any]:
    protocol: dict[str, Any] = {"name": provenance.protocol, "version": provenance.version, "sha256": provenance.sha256}
    if provenance.parameters:  # the values in force: the file's hash alone no longer says what ran
        protocol["parameters"] = {name: {"value": value, "default": default, "overridden": overridden}
                                  for name, value, default, overridden in provenance.parameters}
    return {"protocol": protocol, "engine": {"name": ENGINE_NAME, "version": provenance.engine_version}}


def decision_value(value: Any) -> Any:
    """Classifications and targets as their branch name, recommendations as booleans, events as a day number,
    doses as `{"value", "unit", "schedule"}` (the run contract)."""
    if isinstance(value, DoseValue):
        document: dict[str, Any] = {"value": value.number, "unit": value.unit, "schedule": value.schedule}
        if value.flags:  # only a dose above a limit carries the key: the contract is unchanged for every other
            document["limits"] = [limit_document(f) for f in value.flags]
        return document
    return value


def limit_document(flag: LimitFlag) -> dict[str, Any]:
    """A reference limit the dose exceeds: per which period, the dose and the limit over it, how far above, the source."""
    over = flag.percent_over
    number = None if over is None else float(over) if over.denominator != 1 else int(over)
    return {"period": flag.period, "given": _number(flag.given), "limit": _number(flag.limit), "unit": flag.unit,
            "percent_over": round(number, 1) if isinstance(number, float) else number, "limit_as_written": flag.text,
            "citation": flag.citation, "certain": flag.certain}


def _number(value: Any) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def _outcome(value: Any) -> Any:
    """A step's outcome as JSON: truth values and names as they are; an event day not yet known is null."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, DoseValue):
        return str(value)
    return None  # NotBefore: undetermined; its range is in the step's detail


def result_document(result: Result, deadlines: tuple[tuple[str, Deadline], ...] = ()) -> dict[str, Any]:
    document = {
        "id": result.id,
        "status": result.status,
        "decisions": {name: decision_value(value) for name, value in result.decisions.items()},
        "reasons": {name: list(why) for name, why in result.reasons.items()},
        "needs": list(result.needs),
        "errors": [error_document(e) for e in result.errors],
    }
    due = {name: due_document(deadline, result) for name, deadline in deadlines if result.decisions.get(name) is True}
    if due:  # only a result with a recommendation that falls due carries the key
        document["due"] = due
    return document


def due_document(deadline: Deadline, result: Result) -> dict[str, Any]:
    """When a recommendation that holds falls due: within how long of which date, the date itself when the record
    gives the anchor (else null), and the deadline's source."""
    anchor = result.record.values[deadline.anchor_slot] if result.record is not None else None
    by = due_date(deadline, anchor).isoformat() if isinstance(anchor, dt.date) else None
    return {"within": deadline.text, "of": deadline.anchor, "by": by, "citation": deadline.citation}


def error_document(error: RecordError) -> dict[str, Any]:
    """A record error: the field and message, its CP5xx code, the line of the value at fault and that value as written."""
    return {"field": error.field, "message": error.message, "code": str(error.code), "line": error.line, "value": error.value}


def run_document(run: Run) -> dict[str, Any]:
    return {**header(run.provenance), "results": [result_document(r, run.provenance.deadlines) for r in run.results]}


def dumps(document: dict[str, Any]) -> str:
    """Byte-stable output: fixed key order, no timestamps, UTF-8 text; every control character, bidi control and lone
    surrogate from data written as an escape (`escape.json_text`), so the text is valid JSON and safe at a terminal."""
    return escape.json_text(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


#: Steps whose JSON carries the protocol line they come from.
_LOCATED = (StepKind.CRITERION, StepKind.CLASSIFICATION, StepKind.RECOMMENDATION, StepKind.BRANCH, StepKind.OTHERWISE)


def step_document(step: Step, source: str) -> dict[str, Any]:
    document: dict[str, Any] = {"kind": step.kind.value, "text": step.text, "outcome": _outcome(step.outcome)}
    if step.title:
        document["title"] = step.title
    if step.citation:
        document["citation"] = step.citation
    if step.span is not None and step.kind in _LOCATED:
        document["location"] = f"{source}:{step.span.line}"
    if step.detail:
        document["detail"] = step.detail
    if step.facts:
        document["facts"] = [fact_document(f) for f in step.facts]
    if step.wanting:
        document["needs"] = list(step.wanting)
    if step.children:
        document["deciding"] = list(step.deciding)
        document["children"] = [step_document(c, source) for c in step.children]
    return document


def fact_document(fact: Fact) -> dict[str, Any]:
    """`source` is where the value was read: `file:line:column` (YAML, JSON), `file:line, column 'C'` (CSV), `file row N,
    column 'C'` (Parquet), `file Type/id element` (FHIR); null for a value derived or not in the record."""
    source = None if fact.source is None else str(fact.source)
    return {"input": fact.input, "value": fact.shown, "as_written": fact.raw, "origin": fact.origin, "source": source, "missing": fact.missing}


def explain_document(run: Run, result: Result) -> dict[str, Any]:
    source = run.provenance.source
    deadlines = dict(run.provenance.deadlines)
    decisions = []
    for step in result.steps:
        decisions.append({
            "name": step.text,
            "kind": step.kind.value,
            "title": step.title,
            "citation": step.citation,
            "location": f"{source}:{step.span.line}" if step.span else None,
            "value": decision_value(result.decisions.get(step.text)),
            **({"due": due_document(deadlines[step.text], result)} if step.text in deadlines and result.decisions.get(step.text) is True else {}),
            "reasons": list(result.reasons.get(step.text, ())),
            "needs": list(needs(step)),  # read from this decision's own trace
            "trace": step_document(step, source),
        })
    facts = []
    if result.record is not None:
        facts = [fact_document(f) for f in result.record.facts if f is not None]
    return {
        **header(run.provenance),
        "as_of": run.as_of.isoformat(),
        "patient": result.id,
        "status": result.status,
        "needs": list(result.needs),
        "errors": [error_document(e) for e in result.errors],
        "inputs": facts,
        "decisions": decisions,
    }
