"""The deep checks as a list of passes: each reads a `Survey` and yields findings and notes; `CHECKS` runs them in order.

A new check is one more function here and one more entry in `CHECKS`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from carepath.analysis.findings import Finding, Note
from carepath.analysis.reach import reach, roots
from carepath.analysis.regions import Rep, exact
from carepath.analysis.survey import BUDGET, LIMIT, Atom, Condition, Enumeration, Survey
from carepath.data.records import PatientRecord, RawRecord, bind, load_text
from carepath.ir import program as p
from carepath.language import nodes as n
from carepath.language.diagnostics import Diagnostic, Severity
from carepath.language.source import Span
from carepath.runtime.engine import evaluate
from carepath.semantics.values import Duration

#: The evaluation date a counterexample is checked with when nothing in it depends on the date.
_AS_OF = dt.date(2026, 1, 1)

Check = Callable[[Survey], Iterator[Finding | Note]]


def _warn(code: str, message: str, span: Span, hint: str | None = None, record: str | None = None,
          as_of: dt.date | None = None) -> Finding:
    return Finding(Diagnostic(code, Severity.WARNING, message, span, hint), record, as_of)


# ---- unused inputs, criteria and parameters ------------------------------------------------------


def unused_inputs(survey: Survey) -> Iterator[Finding | Note]:
    """CP410: an input no rule reads (dates a duration is derived from, or a series counted from, are read)."""
    checked = survey.checked
    read = {info.name for info in survey.compiled.read_inputs}
    read.update(d.deadline.anchor for d in checked.definitions if isinstance(d, p.Recommendation) and d.deadline is not None)
    for info in checked.inputs:
        if info.name in read:
            if info.derived_from:
                read.update(info.derived_from)
            if info.anchor:
                read.add(info.anchor)
    declared = {d.name.name: d for d in checked.ast.inputs}
    for info in checked.inputs:
        if info.name not in read:
            span = declared[info.name].name.span if info.name in declared else info.span
            yield _warn("CP410", f"input '{info.name}' is declared but no rule reads it", span,
                        "remove it; records may keep such data under 'about:'")


def unused_criteria(survey: Survey) -> Iterator[Finding | Note]:
    """CP411: a criterion no decision reads, directly or through other criteria."""
    decisions = [d for d in survey.checked.definitions if d.is_decision]
    used = reach([r for d in decisions for r in roots(d)], survey.definitions).definitions
    for definition in survey.checked.definitions:
        if isinstance(definition, p.Criterion) and definition.name not in used:
            yield _warn("CP411", f"criterion '{definition.name}' is not used by any decision", survey.name_span(definition.name, definition.span),
                        "use it in a classification, recommendation, dose or event, or remove it")


_DECLARING = (n.Criterion, n.Classification, n.Recommendation, n.Parameter, n.Dose, n.Target, n.Event, n.Branch, n.InputDecl)


def unused_parameters(survey: Survey) -> Iterator[Finding | Note]:
    """CP412: a parameter no definition's body names (read from the syntax: a parameter is folded into constants)."""
    named: set[str] = set()
    for body in survey.checked.ast.definitions:
        if not isinstance(body, n.Parameter):
            declared = {id(node.name) for node in body.walk() if isinstance(node, _DECLARING)}  # names it declares, not mentions
            named.update(node.name for node in body.find_all(n.Name) if id(node) not in declared)
    for parameter in survey.checked.parameters:
        if parameter.name not in named:
            yield _warn("CP412", f"parameter '{parameter.name}' is not used", survey.name_span(parameter.name, parameter.span),
                        "use it where its value belongs, or remove it")


# ---- comparisons decided by the range alone ------------------------------------------------------


def decided_by_range(survey: Survey) -> Iterator[Finding | Note]:
    """CP413: a threshold outside (or at the edge of) its input's plausible range, so the comparison never varies."""
    for atom, verdict in survey.range_verdicts:
        info, node = atom.input, atom.node
        where = "outside" if _outside(atom) else "at the edge of"
        yield _warn("CP413", f"'{node.text}' is {verdict} for every plausible {info.name}: {atom.constant.shown} lies {where} "
                    f"its plausible range {info.plausible_text}", node.span,
                    "check the threshold's value and unit against the plausible range")


def _outside(atom: Atom) -> bool:
    assert atom.input.plausible is not None
    low, high = atom.input.plausible
    constant = atom.constant
    if isinstance(constant, p.CalendarConst):
        assert isinstance(low, Duration) and isinstance(high, Duration)
        value = Duration.of_months(constant.amount) if constant.base is p.CalendarBase.MONTHS else Duration.of_days(constant.amount)
        return value.day_high < low.day_low or value.day_low > high.day_high
    return bool(exact(constant.value) < exact(low) or exact(constant.value) > exact(high))


# ---- what could not be analysed, or only sampled -------------------------------------------------


def not_analysed(survey: Survey) -> Iterator[Finding | Note]:
    """Notes on decisions left out (dated series, too many combinations) or only sampled (arithmetic, two inputs)."""
    for definition in survey.checked.definitions:
        if isinstance(definition, p.Event):
            yield Note(f"'{definition.name}' not analysed: it reads dated series", survey.name_span(definition.name, definition.span))
    for subject in survey.subjects:
        definition = subject.definition
        if not definition.is_decision:
            continue
        name, where, total = definition.name, survey.name_span(definition.name, definition.span), subject.total
        if subject.reach.series:
            yield Note(f"'{name}' not analysed: it reads dated series", where)
        elif total > LIMIT:
            yield Note(f"'{name}' not analysed: too many combinations to enumerate ({total:,}, more than {LIMIT:,})", where)
        elif name in survey.over_budget:
            yield Note(f"'{name}' not analysed: the protocol's analysis budget ({BUDGET:,} evaluations) was spent on others", where)
        elif not subject.reach.exact:
            yield Note(f"'{name}' checked on {total:,} samples, not proven: a condition computes with arithmetic or a function, "
                       "or compares two inputs", where)


# ---- completeness ----------------------------------------------------------------------------------


def completeness(survey: Survey) -> Iterator[Finding | Note]:
    """CP407: a patient no branch places and nothing missing explains, with that patient as a record; else a proof."""
    for enumeration in survey.enumerations:
        subject = enumeration.subject
        if not subject.complete_check:
            continue
        definition = subject.definition
        name = definition.name
        where = survey.name_span(name, definition.span)
        failure = enumeration.failure
        if failure is None:
            if subject.reach.exact:
                yield Note(f"'{name}' proved complete: {subject.total:,} cases cover every patient, and each lands in one branch or is "
                           "undetermined naming the inputs it needs", where)
            continue
        record, as_of = _counterexample(survey, definition, failure)
        patient = ", ".join(rep.shown for rep in failure) or "no inputs at all"
        if enumeration.blocked:
            names = ", ".join(f"'{d}'" for d in enumeration.blocked)
            yield _warn("CP407", f"'{name}' is incomplete: for a patient with {patient}, it reads {names}, which "
                        f"{'is' if len(enumeration.blocked) == 1 else 'are'} undetermined with nothing missing, so it is too", where,
                        f"make {names} complete first", record, as_of)
            continue
        dose = isinstance(definition, p.Dose)
        what = "no amount" if dose else "no branch"
        yield _warn("CP407", f"'{name}' is incomplete: a patient with {patient} matches {what}, and is left undetermined with nothing "
                    "missing", where, "add an 'otherwise' branch, or a branch for such patients" if not dose else
                    "add an 'AMOUNT otherwise' band, or a band for such patients", record, as_of)


def _counterexample(survey: Survey, definition: p.Definition, point: tuple[Rep, ...]) -> tuple[str | None, dt.date | None]:
    """The patient as a YAML record, bound and evaluated by the engine to confirm it is left undetermined."""
    lines = ["- id: counterexample"]
    as_of = None
    for rep in point:
        lines += [f"  {field_name}: {text}" for field_name, text in rep.fields]
        as_of = rep.as_of or as_of
    text = "\n".join(lines) + "\n"
    loaded = load_text(text, "<counterexample>")
    record = bind(loaded[0], survey.checked) if len(loaded) == 1 and isinstance(loaded[0], RawRecord) else None
    if not isinstance(record, PatientRecord):
        return None, None
    result = evaluate(survey.compiled, record, as_of or _AS_OF, trace=False)
    if result.decisions.get(definition.name) is not None:
        return None, None
    return text, as_of


# ---- branches never chosen, conditions that never vary -------------------------------------------


def _exact_enumerations(survey: Survey) -> Iterator[Enumeration]:
    """Enumerations over exact regions: only they prove a branch unreachable or a condition constant."""
    return (e for e in survey.enumerations if e.subject.reach.exact)


def reachability(survey: Survey) -> Iterator[Finding | Note]:
    """CP408: a branch, band or target band no patient reaches."""
    for enumeration in _exact_enumerations(survey):
        subject = enumeration.subject
        definition = subject.definition
        for index, (value, span, label) in enumerate(subject.choices):
            if value in enumeration.chosen:
                continue
            if isinstance(definition, p.Target):
                measured = definition.measured.text
                reason = f"no plausible {measured} lies {'below' if value == 'below' else 'above' if value == 'above' else 'within'} " \
                         f"{definition.low.shown} .. {definition.high.shown}"
                yield _warn("CP408", f"{label} is never reached: {reason}", span, "check the bounds against the plausible range")
                continue
            assert isinstance(definition, (p.Classification, p.Dose))
            branch = definition.branches[index]
            if branch.condition is None:
                reason = "every patient whose inputs are known matches an earlier branch"
            else:
                seen = next(o for o, c in zip(enumeration.outcomes, subject.conditions, strict=True) if c.node is branch.condition)
                reason = "an earlier branch takes every patient it fits"
                if True not in seen:
                    reason = "its condition is never true"
            yield _warn("CP408", f"{label} is never chosen: {reason}", span, "remove it, or correct its condition or the conditions before it")


def constancy(survey: Survey) -> Iterator[Finding | Note]:
    """CP409: a condition that reads the patient yet comes out the same for every patient."""
    for enumeration in _exact_enumerations(survey):
        for outcomes, condition in zip(enumeration.outcomes, enumeration.subject.conditions, strict=True):
            message = _constant(condition, outcomes, survey.flagged)
            if message is not None:
                yield _warn("CP409", message, condition.node.span,
                            "check the comparisons and thresholds: as written it does not depend on the patient")


def _constant(condition: Condition, outcomes: set[Any], flagged: set[Span]) -> str | None:
    if not condition.reads_inputs or condition.node.span in flagged or isinstance(condition.node, p.DefRef):
        return None  # constant by construction, or already reported where the constant part is written
    if True in outcomes and False in outcomes:
        return None
    if condition.branch and True not in outcomes:
        return None  # reported as a branch never chosen
    if True in outcomes:
        whom = "every patient whose inputs are known" if None in outcomes else "every patient"
        return f"the condition of {condition.owner} is never false: it holds for {whom}"
    if False in outcomes:
        return f"the condition of {condition.owner} is never true"
    return f"the condition of {condition.owner} is never decided: it is unknown for every patient"


CHECKS: tuple[Check, ...] = (
    unused_inputs,
    unused_criteria,
    unused_parameters,
    decided_by_range,
    not_analysed,
    completeness,
    reachability,
    constancy,
)
