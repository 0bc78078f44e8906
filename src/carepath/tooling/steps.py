"""The Gherkin steps on one protocol: given its text and patients, check or evaluate it, then assert decisions,
reasons, needs, rejections and explanations. Registered by the `carepath.tooling.bdd` plugin; the vocabulary is
listed in that module's docstring.
"""

from __future__ import annotations

import datetime as dt
import json

from pytest_bdd import given, parsers, then, when

import carepath
from carepath import Source
from carepath.render import json as json_render
from carepath.tooling.scenario import (
    DECISION,
    FIELD,
    PATIENT,
    SYNONYMS,
    TEXT,
    VALUE,
    CarepathState,
    assert_criterion,
    assert_value,
    decision,
    describe,
    matching,
    names,
    outcome,
    recorded,
    shown,
    strings,
)

re_ = parsers.re


@given(re_(r'the protocol "(?P<path>[^"]+)"'))
def given_protocol_file(carepath_state: CarepathState, path: str) -> None:
    carepath_state.set_protocol(Source.from_path(carepath_state.resolve(path), path))


@given(re_(r"the protocol:"))
def given_protocol_text(carepath_state: CarepathState, docstring: str) -> None:
    carepath_state.set_protocol(Source("protocol.care", docstring + "\n"))


@given(re_(r'the patients in "(?P<path>[^"]+)"'))
def given_patients_file(carepath_state: CarepathState, path: str) -> None:
    resolved = carepath_state.resolve(path)
    assert resolved.exists(), f"no such records file or directory: {path}"
    carepath_state.records.append(("file", resolved))


@given(re_(r'the patients in "(?P<path>[^"]+)" read through the map "(?P<map_path>[^"]+)"'))
def given_mapped_patients_file(carepath_state: CarepathState, path: str, map_path: str) -> None:
    resolved, mapping = carepath_state.resolve(path), carepath_state.resolve(map_path)
    assert resolved.exists(), f"no such data file: {path}"
    assert mapping.exists(), f"no such data map: {map_path}"
    carepath_state.records.append((f"map:{mapping}", resolved))


@given(re_(rf"a patient {PATIENT} with:"))
def given_patient_table(carepath_state: CarepathState, patient: str, datatable: list[list[str]]) -> None:
    rows = [row for row in datatable if row]
    if rows and [c.strip().lower() for c in rows[0]] == ["field", "value"]:
        rows = rows[1:]
    lines = [f"- id: {json.dumps(patient)}"]
    seen: set[str] = set()
    for row in rows:
        assert len(row) == 2, f"each row is | field | value |, got {row}"
        name, value = row[0].strip(), row[1].strip()
        assert name not in seen, f"field {name!r} is given twice for patient {patient!r}"
        seen.add(name)
        if value:
            # a cell in braces or brackets is a YAML flow mapping or list (a series: {1: 600, 2: 700}); any other
            # cell is one value, quoted, so `no` or `2024-03-01` stay text until their field reads them
            written = value if value[0] in "{[" else json.dumps(value, ensure_ascii=False)
            lines.append(f"  {json.dumps(name)}: {written}")
    carepath_state.records.append((f'patient "{patient}" table', "\n".join(lines) + "\n"))


@given(re_(rf'the parameter "(?P<name>[^"]+)" is {VALUE}'))
def given_parameter(carepath_state: CarepathState, name: str, value: str) -> None:
    carepath_state.parameters[name] = value
    carepath_state.forget()


@given(re_(r'the site parameters in "(?P<path>[^"]+)"'))
def given_parameter_file(carepath_state: CarepathState, path: str) -> None:
    carepath_state.parameters.update(carepath.load_parameters(carepath_state.resolve(path)))
    carepath_state.forget()


@given(re_(r'the evaluation date is "(?P<date>[^"]+)"'))
def given_as_of(carepath_state: CarepathState, date: str) -> None:
    carepath_state.as_of = dt.date.fromisoformat(date)


@when(re_(r"the protocol is evaluated"))
def when_evaluated(carepath_state: CarepathState) -> None:
    carepath_state.evaluate()


@when(re_(r"the protocol is checked"))
def when_checked(carepath_state: CarepathState) -> None:
    carepath_state.report()


@then(re_(r"the protocol is accepted"))
def then_protocol_accepted(carepath_state: CarepathState) -> None:
    carepath_state.compiled  # noqa: B018 - raises with every diagnostic when the protocol was rejected


@then(re_(r'the protocol is accepted with warning "(?P<code>[^"]+)"'))
def then_protocol_warns(carepath_state: CarepathState, code: str) -> None:
    """The warnings `carepath check` prints: a CP402 the analysis proves moot is not among them."""
    carepath_state.compiled  # noqa: B018 - raises with every diagnostic when the protocol was rejected
    codes = [d.code for d in carepath_state.report(deep=True).warnings]
    assert code in codes, f"expected warning {code}, got {codes or 'no warnings'}"


@then(re_(r'the protocol is rejected with "(?P<code>[^"]+)"(?: at line (?P<line>\d+))?(?: mentioning "(?P<text>[^"]*)")?'))
def then_protocol_rejected(carepath_state: CarepathState, code: str, line: str | None, text: str | None) -> None:
    report = carepath_state.report()
    assert report.errors, f"expected {code}, but the protocol was accepted"
    found = [d for d in report.diagnostics if d.code == code]
    assert found, f"expected {code}, got:\n{report.render()}"
    if line is not None:
        found = [d for d in found if d.span.line == int(line)]
        assert found, f"expected {code} at line {line}, got:\n{report.render()}"
    if text is not None:
        found = [d for d in found if text in d.message or text in (d.hint or "")]
        assert found, f"expected {code} mentioning {text!r}, got:\n{report.render()}"


@then(re_(rf"patient {PATIENT} is assigned {VALUE} for {DECISION}"))
def then_assigned(carepath_state: CarepathState, patient: str, value: str, name: str) -> None:
    assert_value(carepath_state.result(patient), name, value)


@then(re_(rf"the decision {DECISION} for patient {PATIENT} is {VALUE}"))
def then_decision(carepath_state: CarepathState, name: str, patient: str, value: str) -> None:
    assert_value(carepath_state.result(patient), name, value)


@then(re_(rf"{DECISION} for patient {PATIENT} was decided by {TEXT}"))
def then_decided_by(carepath_state: CarepathState, name: str, patient: str, text: str) -> None:
    result = carepath_state.result(patient)
    assert decision(result, name) is not None, f"{name} is undetermined: {describe(result)}"
    actual = set(result.reasons.get(name, ()))
    assert actual == set(names(text)), f"{name} was decided by {', '.join(sorted(actual)) or 'nothing'}: {describe(result)}"


@then(re_(rf"{DECISION} for patient {PATIENT} was not decided by {TEXT}"))
def then_not_decided_by(carepath_state: CarepathState, name: str, patient: str, text: str) -> None:
    result = carepath_state.result(patient)
    assert decision(result, name) is not None, f"{name} is undetermined: {describe(result)}"
    overlap = set(result.reasons.get(name, ())) & set(names(text))
    assert not overlap, f"{name} was decided by {', '.join(sorted(overlap))}: {describe(result)}"


@then(re_(rf"{TEXT} (?P<how>holds|does not hold|is unknown) for patient {PATIENT}"))
def then_criterion(carepath_state: CarepathState, text: str, how: str, patient: str) -> None:
    assert_criterion(carepath_state.result(patient), text, how)


@then(re_(rf"patient {PATIENT} is undetermined and needs {TEXT}"))
def then_undetermined(carepath_state: CarepathState, patient: str, text: str) -> None:
    result = carepath_state.result(patient)
    assert result.status == "undetermined", f"expected undetermined: {describe(result)}"
    assert set(result.needs) == set(names(text)), f"expected needs {text}: {describe(result)}"


@then(re_(rf"patient {PATIENT} is accepted"))
def then_patient_accepted(carepath_state: CarepathState, patient: str) -> None:
    result = carepath_state.result(patient)
    assert result.status != "invalid", describe(result)


@then(re_(rf"patient {PATIENT} is rejected with an error on {FIELD} mentioning {TEXT}"))
def then_rejected(carepath_state: CarepathState, patient: str, field: str, text: str) -> None:
    result = carepath_state.result(patient)
    assert result.status == "invalid", f"expected a rejection: {describe(result)}"
    on_field = [e.message for e in result.errors if e.field == field]
    assert on_field, f"no error on {field}: {describe(result)}"
    assert any(text in m for m in on_field), f"no error on {field} mentions {text!r}: {'; '.join(on_field)}"


@then(re_(r"no patient is rejected"))
def then_none_rejected(carepath_state: CarepathState) -> None:
    rejected = [describe(r) for r in carepath_state.results if r.status == "invalid"]
    assert not rejected, "\n".join(rejected)


@then(re_(rf"patient {PATIENT} has {FIELD} recorded as {VALUE}"))
def then_recorded(carepath_state: CarepathState, patient: str, field: str, value: str) -> None:
    result = carepath_state.result(patient)
    assert result.status != "invalid", describe(result)
    ways = recorded(result, field)
    assert ways, f"patient {patient!r} has no {field}"
    assert value in ways, f"patient {patient!r} has {field} {' / '.join(repr(w) for w in ways)}, not {value!r}"


@then(re_(rf"(?P<count>\d+) of the (?:(?P<total>\d+) )?patients (?:is|are) assigned {VALUE} for {DECISION}"))
def then_count(carepath_state: CarepathState, count: str, total: str | None, value: str, name: str) -> None:
    results = carepath_state.results
    if total is not None:
        assert len(results) == int(total), f"expected {total} patients, got {len(results)}"
    wanted = SYNONYMS.get(value, value)
    chosen = [r.id for r in results if r.status != "invalid" and shown(decision(r, name)) == wanted]
    assert len(chosen) == int(count), f"{len(chosen)} patients are assigned {wanted} for {name}: {', '.join(map(str, chosen))}"


@then(re_(rf"(?P<count>\d+) of the (?:(?P<total>\d+) )?patients meets? {TEXT}"))
def then_count_meet(carepath_state: CarepathState, count: str, total: str | None, text: str) -> None:
    results = carepath_state.results
    if total is not None:
        assert len(results) == int(total), f"expected {total} patients, got {len(results)}"
    chosen = [r.id for r in results if r.status != "invalid" and outcome(r, text) is True]
    assert len(chosen) == int(count), f"{len(chosen)} patients meet {text}: {', '.join(map(str, chosen))}"


@then(re_(rf"every patient whose {FIELD} is {TEXT} is assigned {VALUE} for {DECISION}"))
def then_every_assigned(carepath_state: CarepathState, field: str, text: str, value: str, name: str) -> None:
    for result in matching(carepath_state, field, text):
        assert_value(result, name, value)


@then(re_(rf"for every patient whose {FIELD} is {VALUE}, {TEXT} (?P<how>holds|does not hold|is unknown)"))
def then_every_criterion(carepath_state: CarepathState, field: str, value: str, text: str, how: str) -> None:
    for result in matching(carepath_state, field, value):
        assert_criterion(result, text, how)


@then(re_(rf"the explanation for patient {PATIENT} cites {TEXT}"))
def then_cites(carepath_state: CarepathState, patient: str, text: str) -> None:
    citations = {s for k, s in strings(carepath_state.explanation(patient)) if k == "citation"}
    assert any(text in c for c in citations), f"no citation mentions {text!r}; the citations are {sorted(citations)}"


@then(re_(rf"the explanation for patient {PATIENT} shows {TEXT}"))
def then_shows(carepath_state: CarepathState, patient: str, text: str) -> None:
    document = carepath_state.explanation(patient)
    assert any(text in s for _, s in strings(document)), f"the explanation does not show {text!r}:\n{json_render.dumps(document)}"


@then(re_(rf"the dose {DECISION} for patient {PATIENT} is above its limit per (?P<period>dose|day|course) by {VALUE}"))
def then_above_limit(carepath_state: CarepathState, name: str, patient: str, period: str, value: str) -> None:
    result = carepath_state.result(patient)
    dose = decision(result, name)
    flags = [f for f in getattr(dose, "flags", ()) if f.period == period]
    assert flags, f"{name} = {dose} is above no limit per {period}: {describe(result)}"
    shown_by = sorted(f.percent_text for f in flags)
    assert value in shown_by, f"{name} is above its limit per {period} by {', '.join(shown_by)}, not {value}"


@then(re_(rf"the dose {DECISION} for patient {PATIENT} is within its limits"))
def then_within_limits(carepath_state: CarepathState, name: str, patient: str) -> None:
    result = carepath_state.result(patient)
    dose = decision(result, name)
    assert dose is not None, f"{name} is undetermined: {describe(result)}"
    flags = getattr(dose, "flags", ())
    assert not flags, f"{name} = {dose} is " + "; ".join(map(str, flags))
