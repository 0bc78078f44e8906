"""CP309: a site's parameter override that makes a dose exceed one of its reference limits.

For each dose with limits, every combination of the survey's representatives of the inputs the dose reads (its
amounts, bands and limits) is evaluated twice: with the protocol's own parameter values and with the site's. A
limit the overridden dose exceeds where the protocol's own dose does not is reported at the limit, with the
first such patient as a record to paste and run. A limit the protocol's own values already exceed (a published
dose above a label, kept as published) is the protocol's choice and is not reported again.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from carepath.analysis.findings import Finding
from carepath.analysis.regions import Rep
from carepath.analysis.survey import LIMIT, Survey
from carepath.compile.compiler import CompiledProtocol
from carepath.ir import program as p
from carepath.language.diagnostics import Diagnostic, Severity
from carepath.runtime.engine import decide
from carepath.semantics.values import DoseValue, LimitFlag


def override_findings(default: CompiledProtocol, overridden: CompiledProtocol) -> Iterator[Finding]:
    """CP309 findings, one per limit at most, in the order the doses are declared."""
    doses = [d for d in overridden.checked.definitions if isinstance(d, p.Dose) and d.limits]
    if not doses:
        return
    changed = ", ".join(f"{q.name} = {q.shown} (protocol: {q.default})" for q in overridden.checked.parameters if q.overridden)
    survey = Survey(overridden)
    width = len(overridden.checked.inputs)
    for dose in doses:
        read = list({ref.input.slot: ref.input for ref in dose.find_all(p.InputRef)}.values())
        choices = [[rep for rep in survey.reps[info.slot] if rep.value is not None] or survey.reps[info.slot] for info in read]
        reported: set[str] = set()
        for count, point in enumerate(itertools.product(*choices)):
            if count >= LIMIT:
                break
            values: list[object] = [None] * width
            for info, rep in zip(read, point, strict=True):
                values[info.slot] = rep.value
            mine, theirs = _flags(overridden, dose, values), _flags(default, dose, values)
            for flag in mine:
                if flag.text in reported or any(f.text == flag.text for f in theirs):
                    continue
                reported.add(flag.text)
                limit = next(limit for limit in dose.limits if limit.text == flag.text)
                patient = ", ".join(rep.shown for rep in point)
                message = (f"with {changed}, dose '{dose.name}' is {flag.percent_text} above its limit {flag.text} for a patient with "
                           f"{patient}: {_number(flag.given)} {flag.unit} against {_number(flag.limit)} {flag.unit}; "
                           "the protocol's own values stay within it")
                hint = f"check the override against the limit's source ({limit.citation})" if limit.citation else None
                yield Finding(Diagnostic("CP309", Severity.WARNING, message, limit.span, hint), _record(point))


def _flags(compiled: CompiledProtocol, dose: p.Dose, values: list[object]) -> tuple[LimitFlag, ...]:
    value = decide(compiled, values)[dose.slot]
    return value.flags if isinstance(value, DoseValue) else ()


def _number(value: object) -> str:
    from carepath.semantics.values import format_number

    return format_number(value)


def _record(point: tuple[Rep, ...]) -> str:
    lines = ["- id: counterexample"] + [f"  {name}: {text}" for rep in point for name, text in rep.fields]
    return "\n".join(lines) + "\n"
