"""Data maps: a YAML file a site writes once per data source, saying where each protocol input comes from
(a column, or FHIR resources by code) and how to read it (unit of bare numbers, vocabulary, odd forms, anchor).

`read_map` gives a `DataMap` or raises `ProtocolError` with every problem located (CP801, CP802, CP807);
`check_map` checks it against one protocol (CP803, CP805, CP806) and `check_columns` against a table (CP804).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carepath.data.limits import FILE_BYTES, Exceeded
from carepath.data.located import LocatedMapping, Mark
from carepath.ir.program import CheckedProtocol
from carepath.language.codes import Severity
from carepath.language.diagnostics import Diagnostic, ProtocolError, did_you_mean
from carepath.language.source import Source, Span, read_bounded
from carepath.semantics.types import Kind
from carepath.semantics.units import CalendarUnit, Unit, UnitError, parse_unit, suggest_unit

FIELD_KEYS = ("column", "unit", "vocabulary", "forms", "resource", "code", "element", "nearest", "within", "series", "note")
ID_KEYS = ("column", "identifier", "note")
TOP_KEYS = ("id", "fields", "note")
RESOURCES = ("Patient", "Observation", "Condition", "Procedure")
_TYPO = 0.85  # how alike a map's name and an input must be for the name to be taken as a misspelling
_CODE = re.compile(r"^\S+\|\S+$")
_WINDOW = re.compile(r"^\s*(\d+)\s*(days?|d|weeks?|wk)\s*$")


@dataclass(frozen=True, slots=True)
class FieldMap:
    """Where one input's value comes from, and how to read it. `spans` places each key for a later diagnostic."""

    name: str
    span: Span
    column: str | None = None
    unit: str | None = None  # the unit of a bare number
    vocabulary: tuple[tuple[str, Any], ...] = ()  # as written → a member, true/false or a value as in a record
    forms: tuple[tuple[re.Pattern[str], str], ...] = ()  # odd forms: pattern → replacement, e.g. ^(\d+)M$ → \1 months
    resource: str | None = None
    codes: tuple[str, ...] = ()  # system|code
    element: str | None = None  # e.g. birthDate, onsetDateTime; default: the resource's value
    nearest: str | None = None  # anchor: the date input whose nearest resource is chosen
    within_days: int | None = None
    series: bool = False  # dated values, bound as a series relative to the input's `relative to` date
    spans: Mapping[str, Span] | None = None

    def place(self, key: str) -> Span:
        return (self.spans or {}).get(key, self.span)

    def read(self, written: str) -> Any:
        """A value as written in the data, through the odd forms and the vocabulary: what a record would hold."""
        for pattern, replacement in self.forms:
            if pattern.fullmatch(written):
                written = pattern.sub(replacement, written)
                break
        for term, meaning in self.vocabulary:
            if term == written:
                return meaning
        return written


@dataclass(frozen=True, slots=True)
class IdMap:
    column: str | None = None
    identifier: str | None = None  # FHIR: the Patient.identifier system whose value is the id
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class DataMap:
    """A map as read; `problems` are those of its form, reported with those a protocol and a table find."""

    source: Source
    fields: tuple[FieldMap, ...]
    id: IdMap = IdMap()
    problems: tuple[Diagnostic, ...] = ()

    def field(self, name: str) -> FieldMap | None:
        return next((f for f in self.fields if f.name == name), None)

    def fail(self, diagnostics: Sequence[Diagnostic]) -> ProtocolError:
        """Every problem, the map's own first, in the order of the map's lines."""
        found = list(dict.fromkeys([*self.problems, *diagnostics]))
        return ProtocolError(self.source, sorted(found, key=lambda d: (d.span.line, d.span.column)))


def _span(mark: Mark | None, width: int = 1) -> Span:
    if mark is None:
        return Span.point(1, 1)
    return Span(mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 1 + max(1, width))


def _error(code: str, message: str, span: Span, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, span, hint)


def read_map(path: str | Path) -> DataMap:
    try:
        text = read_bounded(path, FILE_BYTES, "a data map").decode("utf-8")
    except (OSError, ValueError) as error:  # not there, too large, not UTF-8
        source = Source(str(path), "")
        raise ProtocolError(source, [_error("CP801", f"cannot read the data map: {error}", Span.point(1, 1))]) from None
    return map_from_text(text, str(path))


def map_from_text(text: str, name: str = "<map>") -> DataMap:
    """A data map from its YAML text. Text that is not a map raises `ProtocolError` (CP801); other problems of form
    are kept in `problems`, to be reported with those the protocol and the data find (`DataMap.fail`)."""
    from carepath.data.records import load_yaml_document

    source = Source(name, text)
    try:
        document = load_yaml_document(text)
    except ValueError as error:
        line, column = getattr(error, "place", (1, 1))
        raise ProtocolError(source, [_error("CP801", f"not valid YAML: {error}", Span.point(line, column))]) from None
    refused = _first_refused(document)
    if refused is not None:  # a tag, a long number or deep nesting: the loader kept a placeholder, never the value
        raise ProtocolError(source, [_error("CP801", f"the data map is not read: {refused.message}",
                                            Span.point(refused.line or 1, refused.column or 1))])
    problems: list[Diagnostic] = []
    if not isinstance(document, LocatedMapping) or not isinstance(document.get("fields"), LocatedMapping):
        raise ProtocolError(source, [_error("CP801", "a data map is a mapping with a 'fields:' mapping of input: entry",
                                            _span(getattr(document, "start", None)))])
    _unknown_keys(document, TOP_KEYS, "the map", problems)
    id_map = _id_map(document, problems)
    fields = []
    entries: LocatedMapping = document["fields"]
    for name_, entry in entries.items():
        key_mark = entries.marks.get(name_, (None, None))[0]
        if isinstance(entry, str):  # `input: column` for short
            entry = {"column": entry}
        if not isinstance(entry, Mapping):
            problems.append(_error("CP807", f"the entry for '{name_}' must be a column name or a mapping of keys such as column:",
                                   _span(key_mark, len(str(name_)))))
            continue
        fields.append(_field(str(name_), entry, _span(key_mark, len(str(name_))), problems))
    return DataMap(source, tuple(fields), id_map, tuple(problems))


def _first_refused(document: Any) -> Exceeded | None:
    """The first value the loader refused to build, anywhere in the map (keys included)."""
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, Exceeded):
            return value
        if isinstance(value, Mapping):
            stack.extend([*value.values(), *value.keys()])
        elif isinstance(value, list):
            stack.extend(value)
    return None


def _unknown_keys(entry: Mapping[str, Any], allowed: Sequence[str], what: str, problems: list[Diagnostic]) -> None:
    marks = getattr(entry, "marks", {})
    for key in entry:
        if key not in allowed:
            hint = did_you_mean(str(key), allowed) or f"the keys are {', '.join(allowed)}"
            problems.append(_error("CP802", f"{what} has no key '{key}'", _span(marks.get(key, (None,))[0], len(str(key))), hint))


def _id_map(document: Mapping[str, Any], problems: list[Diagnostic]) -> IdMap:
    entry = document.get("id")
    marks = getattr(document, "marks", {})
    span = _span(marks["id"][1]) if "id" in marks else None
    if entry is None:
        return IdMap()
    if isinstance(entry, str):
        return IdMap(column=entry, span=span)
    if isinstance(entry, Mapping):
        _unknown_keys(entry, ID_KEYS, "the id entry", problems)
        return IdMap(_text(entry.get("column")), _text(entry.get("identifier")), span)
    problems.append(_error("CP807", "'id:' is a column name or a mapping with column: or identifier:", span or Span.point(1, 1)))
    return IdMap()


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _field(name: str, entry: Mapping[str, Any], span: Span, problems: list[Diagnostic]) -> FieldMap:
    marks = getattr(entry, "marks", {})
    spans = {key: _span(marks[key][1], len(str(entry[key])) if isinstance(entry[key], str) else 1) for key in entry if key in marks}
    _unknown_keys(entry, FIELD_KEYS, f"the entry for '{name}'", problems)
    forms: list[tuple[re.Pattern[str], str]] = []
    raw_forms = entry.get("forms") or {}
    if not isinstance(raw_forms, Mapping):
        problems.append(_error("CP807", f"'{name}': forms: is a mapping of pattern: replacement", spans.get("forms", span)))
        raw_forms = {}
    for pattern, replacement in raw_forms.items():
        try:
            forms.append((re.compile(str(pattern)), str(replacement)))
        except re.error as error:
            problems.append(_error("CP807", f"'{name}': forms: '{pattern}' is not a regular expression: {error}", spans.get("forms", span)))
    vocabulary = entry.get("vocabulary") or {}
    if not isinstance(vocabulary, Mapping):
        problems.append(_error("CP807", f"'{name}': vocabulary: is a mapping of term: meaning", spans.get("vocabulary", span)))
        vocabulary = {}
    written_codes = entry.get("code") or []
    codes = (written_codes,) if isinstance(written_codes, str) else tuple(written_codes) if isinstance(written_codes, list) else None
    if codes is None or not all(isinstance(c, str) and _CODE.match(c) for c in codes):
        problems.append(_error("CP807", f"'{name}': code: is 'system|code' or a list of them, e.g. 'http://loinc.org|26464-8'",
                               spans.get("code", span)))
        codes = ()
    resource = _text(entry.get("resource"))
    if resource is not None and resource not in RESOURCES:
        problems.append(_error("CP807", f"'{name}': carepath reads the FHIR resources {', '.join(RESOURCES)}, not '{resource}'",
                               spans.get("resource", span), did_you_mean(resource, RESOURCES)))
    within = entry.get("within")
    days = None
    if within is not None:
        match = _WINDOW.match(str(within))
        if match is None:
            problems.append(_error("CP807", f"'{name}': within: is a number of days or weeks, e.g. '7 days', not '{within}'",
                                   spans.get("within", span)))
        else:
            days = int(match.group(1)) * (7 if match.group(2).startswith("w") else 1)
    if (entry.get("column") is None) == (resource is None):
        problems.append(_error("CP807", f"'{name}': give either column: (CSV, Parquet) or resource: (FHIR)", span))
    return FieldMap(name, span, _text(entry.get("column")), _text(entry.get("unit")),
                    tuple((str(k), v) for k, v in vocabulary.items()), tuple(forms), resource, tuple(codes),
                    _text(entry.get("element")), _text(entry.get("nearest")), days, bool(entry.get("series")), spans)


def check_map(data_map: DataMap, protocol: CheckedProtocol) -> list[Diagnostic]:
    """The map's own problems, then those against one protocol: misspelt inputs, units of the wrong kind, vocabulary
    entries it does not list."""
    problems: list[Diagnostic] = list(data_map.problems)
    inputs = protocol.input_index
    for entry in data_map.fields:
        info = inputs.get(entry.name)
        if info is None:
            close = difflib.get_close_matches(entry.name, list(inputs), n=2, cutoff=_TYPO)
            if close:  # a slip of the keyboard; a name further from every input is another protocol's, left alone
                hint = "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
                problems.append(_error("CP803", f"'{entry.name}' is not an input of {protocol.name}", entry.span, hint))
            continue
        kind = info.type.element.kind if info.type.kind is Kind.SERIES and info.type.element is not None else info.type.kind
        if entry.unit is not None:
            problems.extend(_check_unit(entry, info.type.unit if kind is Kind.QUANTITY else None, kind))
        if kind is Kind.ENUM:
            members = info.type.element.members if info.type.element is not None else info.type.members
            for term, meaning in entry.vocabulary:
                if not isinstance(meaning, str) or meaning not in members:
                    problems.append(_error("CP806", f"'{entry.name}': vocabulary entry '{term}' means '{meaning}', which is not one of "
                                           f"{', '.join(members)}", entry.place("vocabulary"), did_you_mean(str(meaning), members)))
        if entry.nearest is not None and entry.nearest not in inputs and entry.nearest not in {f.name for f in data_map.fields}:
            problems.append(_error("CP807", f"'{entry.name}': nearest: '{entry.nearest}' is not an input of {protocol.name}",
                                   entry.place("nearest"), did_you_mean(entry.nearest, list(inputs))))
    return problems


def _check_unit(entry: FieldMap, target: object, kind: Kind) -> list[Diagnostic]:
    assert entry.unit is not None
    try:
        unit = parse_unit(entry.unit)
    except UnitError as error:
        hint = suggest_unit(entry.unit, target) if isinstance(target, Unit) else error.hint
        return [_error("CP805", f"'{entry.name}': {error}", entry.place("unit"), hint)]
    if kind is Kind.DURATION:
        ok = isinstance(unit, CalendarUnit)
    else:
        ok = isinstance(unit, Unit) and isinstance(target, Unit) and unit.dimension == target.dimension
    if ok:
        return []
    expected = target.display if isinstance(target, Unit) else "days, weeks, months or years"
    return [_error("CP805", f"'{entry.name}': unit '{entry.unit}' is not of the input's kind ({expected})", entry.place("unit"))]


def check_columns(data_map: DataMap, columns: Sequence[str], file: str) -> list[Diagnostic]:
    """Every `column:` the map names that the table does not have, with "did you mean" among the table's columns."""
    problems = []
    wanted = [(entry.column, entry.place("column")) for entry in data_map.fields if entry.column is not None]
    if data_map.id.column is not None:
        wanted.append((data_map.id.column, data_map.id.span or Span.point(1, 1)))
    for column, span in wanted:
        if column not in columns:
            hint = did_you_mean(column, columns) or f"{file} has the columns {', '.join(columns)}"
            problems.append(_error("CP804", f"{file} has no column '{column}'", span, hint))
    return problems
