"""Patient records: YAML/JSON files → raw records → values bound to a protocol's inputs, or every error in them.

Units are normalised here, once, so the evaluator only compares numbers. The only module that imports yaml:
each mapping and list is read with the marks of its entries, so a record error names the line it is on.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from carepath.data.convert import MAPPINGS, BadValue, convert, derived_problem, plausibility_problem, show, show_raw
from carepath.data.errors import NOWHERE, Place, RecordCode, RecordError
from carepath.data.followup import CareRecord, read_care
from carepath.data.ids import SourcePlace, refuse_duplicates
from carepath.data.limits import FILE_BYTES, Exceeded, over_limits, readable_id
from carepath.data.located import (
    LocatedList,
    LocatedMapping,
    Mark,
    duplicate_place,
    item_place,
    key_place,
    start_place,
    value_place,
)
from carepath.data.safeload import BoundedLoader, TooLarge, canonical_error, read_json, read_limited, text_too_large
from carepath.data.series import DAY_LIMIT, bind_series
from carepath.ir.program import CheckedProtocol
from carepath.language.diagnostics import did_you_mean
from carepath.language.source import read_bounded
from carepath.semantics.trace import Fact
from carepath.semantics.types import Kind
from carepath.semantics.values import Duration

RESERVED = ("id", "about", "follow_up", "care")  # `about` holds descriptive data that no rule reads; follow-up and care: data.followup


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record as read, before any protocol sees it; `where` says which file and position, `place` where it starts."""

    data: Any
    where: str
    shared_fields: frozenset[str] = frozenset()  # the file's `fields:`: recorded for other protocols
    file: str | None = None
    within: object = field(default=None, compare=False, repr=False)  # the list read from the file that holds it
    index: int = 0  # its place in that list
    origins: Mapping[str, str] | None = field(default=None, compare=False, repr=False)  # field → where a reader found it (FHIR)

    @property
    def place(self) -> Place:
        """Where the record starts: worked out when an error asks for it, since for JSON that costs a YAML pass."""
        if self.within is not None:
            return item_place(self.file, self.within, self.index)
        return start_place(self.file, self.data)


@dataclass(frozen=True, slots=True)
class LoadFailure:
    """A file that could not be read as records: reported as an invalid result, never skipped."""

    where: str
    message: str
    place: Place = NOWHERE
    code: RecordCode = RecordCode.UNREADABLE

    def error(self) -> RecordError:
        return RecordError.at(self.place, self.code, None, self.message)


@dataclass(frozen=True, slots=True)
class PatientRecord:
    id: str
    values: tuple[Any, ...]  # one per input slot, in the evaluator's representation; None = unknown
    facts: Sequence[Fact | None]  # a tuple, or a table row's facts made when read (`tabular.RowFacts`)
    about: Mapping[str, Any]
    where: str
    unread: Mapping[str, Any] = field(default_factory=dict)  # fields recorded for other protocols, carried as written
    file: str | None = None
    source: object = field(default=None, compare=False, repr=False)  # the record as read, which knows its places
    care: CareRecord | None = None  # the `follow_up:` and `care:` sections, when the record has them

    def place_of(self, name: str) -> Place:
        """Where a field's value was written (the record's start if it was not): for an error found later, such
        as an age counted to `as_of`."""
        if isinstance(self.source, Mapping) and name in self.source:
            return value_place(self.file, self.source, name)
        return start_place(self.file, self.source)


@dataclass(frozen=True, slots=True)
class InvalidRecord:
    id: str | None
    errors: tuple[RecordError, ...]
    where: str


# ---- loading -------------------------------------------------------------------------------


class _RecordLoader(BoundedLoader):
    """YAML's safe loader, within the record limits (`safeload`), without implicit timestamps: a date stays text until its field checks it,
    so an impossible date such as 2008-02-30 is that field's error, not a failure of the whole file."""


def _located_mapping(loader: _RecordLoader, node: yaml.MappingNode, deep: bool = False) -> LocatedMapping:
    mapping = LocatedMapping(yaml.SafeLoader.construct_mapping(loader, node, deep))
    keys = [loader.construct_object(key_node, deep=True) for key_node, _ in node.value]  # already built: cached
    marks = {key: (key_node.start_mark, value_node.start_mark) for key, (key_node, value_node) in zip(keys, node.value, strict=True)}
    mapping.start = node.start_mark
    mapping.marks = marks
    if len(marks) < len(keys):
        counts = Counter(keys)
        mapping.duplicates = {str(key): marks[key][0] for key in dict.fromkeys(keys) if counts[key] > 1}
    return mapping


def _located_list(loader: _RecordLoader, node: yaml.SequenceNode) -> Iterator[LocatedList]:
    items = LocatedList()
    items.start = node.start_mark
    items.marks = tuple(item.start_mark for item in node.value)
    yield items  # yielded first, as YAML's own list constructor does, so an alias inside the list resolves
    items.extend(loader.construct_sequence(node))


_RecordLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _located_mapping)
_RecordLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _located_list)
_RecordLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _unique_pairs(pairs: list[tuple[str, Any]]) -> LocatedMapping:
    mapping = LocatedMapping(pairs)
    if len(mapping) < len(pairs):
        counts = Counter(key for key, _ in pairs)
        mapping.duplicates = {key: None for key in dict.fromkeys(key for key, _ in pairs) if counts[key] > 1}
    return mapping


class _JsonPositions:
    """The marks of one JSON text's mappings and lists, found the first time a place is asked for: composing the
    text as YAML (JSON is nearly a subset of it) costs far more than reading it as JSON, and only an error needs
    a place. A tab in valid JSON is whitespace (a string holds none unescaped), which YAML may refuse, so each is
    read as a space, keeping every column; text YAML still cannot compose keeps its values, without places."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.document: Any = None
        self.found: dict[int, tuple[Mark | None, Any]] | None = None  # id(container) → (start, entry marks)

    def of(self, container: object) -> tuple[Mark | None, Any]:
        if self.found is None:
            self.found = {}
            try:
                node = yaml.compose(self.text.replace("\t", " "), Loader=_RecordLoader)
            except (yaml.YAMLError, RecursionError, ValueError):
                node = None
            self._walk(self.document, node)
        return self.found.get(id(container), (None, ()))

    def _walk(self, document: Any, root: yaml.Node | None) -> None:
        """Each container's marks, from the node YAML composed for it; a stack, not recursion, however deep."""
        assert self.found is not None
        stack: list[tuple[Any, yaml.Node | None]] = [(document, root)]
        while stack:
            value, node = stack.pop()
            if isinstance(value, LocatedMapping) and isinstance(node, yaml.MappingNode):
                marks: dict[Any, tuple[Mark, Mark]] = {}
                last: dict[Any, yaml.Node] = {}
                for key_node, value_node in node.value:
                    marks[key_node.value] = (key_node.start_mark, value_node.start_mark)
                    last[key_node.value] = value_node
                self.found[id(value)] = (node.start_mark, marks)
                stack.extend((value[key], value_node) for key, value_node in last.items() if key in value)
            elif isinstance(value, LocatedList) and isinstance(node, yaml.SequenceNode) and len(value) == len(node.value):
                self.found[id(value)] = (node.start_mark, tuple(item_node.start_mark for item_node in node.value))
                stack.extend(zip(value, node.value, strict=True))


def _positioned(document: Any, positions: _JsonPositions) -> Any:
    """A JSON document with its lists made `LocatedList`s and every container pointing to the document's positions;
    a stack, not recursion, since `json` reads deeper nesting than Python's recursion follows."""
    holder = [document]
    stack: list[tuple[Any, Any]] = [(holder, 0)]
    while stack:
        container, key = stack.pop()
        value = container[key]
        if isinstance(value, LocatedMapping):
            value.positions = positions
            stack.extend((value, k) for k, item in value.items() if isinstance(item, (LocatedMapping, list)))
        elif isinstance(value, list):
            items = container[key] = LocatedList(value)
            items.positions = positions
            stack.extend((items, i) for i, item in enumerate(items) if isinstance(item, (LocatedMapping, list)))
    return holder[0]


def load(paths: Iterable[str | Path]) -> list[RawRecord | LoadFailure]:
    """Read files and directories of records in order; a bad file becomes a `LoadFailure`."""
    items: list[RawRecord | LoadFailure] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files = sorted(f for f in path.iterdir() if f.suffix.lower() in (".yaml", ".yml", ".json"))
            if not files:
                items.append(LoadFailure(str(path), f"{path}: no .yaml, .yml or .json files in this directory", Place(str(path))))
            for file in files:
                items.extend(load_file(file))
        else:
            items.extend(load_file(path))
    return items


def load_file(path: Path) -> list[RawRecord | LoadFailure]:
    try:
        text = read_limited(path)
    except TooLarge as error:
        return [LoadFailure(str(path), str(error), Place(str(path)), RecordCode.FILE_TOO_LARGE)]
    except (OSError, UnicodeDecodeError) as error:
        return [LoadFailure(str(path), f"{path}: cannot read: {error}", Place(str(path)))]
    return load_text(text, str(path), json_only=path.suffix.lower() == ".json")


def load_text(text: str, name: str = "<records>", json_only: bool = False) -> list[RawRecord | LoadFailure]:
    too_large = text_too_large(text, name)
    if too_large:
        return [LoadFailure(name, too_large, Place(name), RecordCode.FILE_TOO_LARGE)]
    try:
        if json_only:
            positions = _JsonPositions(text)
            document = positions.document = _positioned(read_json(text, _unique_pairs), positions)
        else:
            document = yaml.load(text, Loader=_RecordLoader)
    except json.JSONDecodeError as error:
        return [LoadFailure(name, f"{name}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}", Place(name, error.lineno, error.colno))]
    except RecursionError:
        return [LoadFailure(name, f"{name}: nested too deeply to be patient records", Place(name), RecordCode.NESTED_TOO_DEEPLY)]
    except UnicodeEncodeError:
        return [LoadFailure(name, f"{name}: not UTF-8 text (it holds a lone surrogate)", Place(name))]
    except yaml.YAMLError as found:
        if "nesting depth" in str(getattr(found, "problem", "")):  # libyaml's own limit, past ours
            return [LoadFailure(name, f"{name}: nested too deeply to be patient records", Place(name), RecordCode.NESTED_TOO_DEEPLY)]
        worded = canonical_error(text, found)
        mark = getattr(worded, "problem_mark", None)
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
        problem = getattr(worded, "problem", None) or str(worded)
        place = Place(name, mark.line + 1, mark.column + 1) if mark else Place(name)
        return [LoadFailure(name, f"{where}: not valid YAML: {problem}", place)]
    shared: frozenset[str] = frozenset()
    if isinstance(document, Mapping) and "patients" in document:
        listed = document.get("fields", [])
        if not isinstance(listed, list) or not all(isinstance(f, str) and f for f in listed):
            return [LoadFailure(name, f"{name}: 'fields:' must be a list of field names recorded for other protocols, got {show(listed)}",
                                value_place(name, document, "fields"))]
        shared = frozenset(listed)
        container, document = document, document["patients"]
        if not isinstance(document, list):
            return [LoadFailure(name, f"{name}: expected a list of records or a mapping with a 'patients:' list",
                                value_place(name, container, "patients"))]
    elif isinstance(document, Mapping) and "id" in document:
        return [RawRecord(document, f"{name}, record 1", shared, name)]
    if not isinstance(document, list):
        return [LoadFailure(name, f"{name}: expected a list of records or a mapping with a 'patients:' list", start_place(name, document))]
    return [RawRecord(item, f"{name}, record {index}", shared, name, document, index - 1) for index, item in enumerate(document, 1)]


# ---- binding -------------------------------------------------------------------------------


def bind(raw: RawRecord, protocol: CheckedProtocol, extra_fields: frozenset[str] = frozenset()) -> PatientRecord | InvalidRecord:
    """Bind a raw record to a protocol's inputs, collecting every error in it.

    A field the protocol does not read is still accepted when the records file lists it under `fields:` or the
    caller names it in `extra_fields` (another protocol's input, for `compare`): it is carried unread, unchecked.
    """
    data = raw.data
    file = raw.file
    if isinstance(data, Exceeded):  # the record itself was tagged, nested or repeated past what is read
        return InvalidRecord(None, (RecordError.at(raw.place, data.limit.code, None, f"{raw.where}: {data.message}"),), raw.where)
    if not isinstance(data, MAPPINGS):
        message = f"{raw.where}: a record must be a mapping of field: value, got {show(data)}"
        return InvalidRecord(None, (RecordError.at(raw.place, RecordCode.UNREADABLE, None, message, data),), raw.where)
    over = over_limits(data, file, raw.where)  # a record past a limit is not read further
    if over:
        patient = readable_id(data)
        return InvalidRecord(patient, tuple(replace(error, patient=patient) for error in over), raw.where)
    record_id = data.get("id")
    errors: list[RecordError] = []
    if record_id is None or isinstance(record_id, (Mapping, list)):
        place = value_place(file, data, "id") if "id" in data else raw.place
        errors.append(RecordError.at(place, RecordCode.NO_ID, "id", f"{raw.where}: the record has no 'id'", record_id))
        patient = None
    elif not str(record_id).strip():
        errors.append(RecordError.at(value_place(file, data, "id"), RecordCode.EMPTY_ID, "id",
                                     f"{raw.where}: the record's 'id' is empty", record_id))
        patient = None
    else:
        patient = str(record_id)
    who = f"patient '{patient}'" if patient is not None else raw.where
    inputs = protocol.input_index
    values: list[Any] = [None] * len(protocol.inputs)
    facts: list[Fact | None] = [None] * len(protocol.inputs)
    unread: dict[str, Any] = {}
    for name, place in _duplicates(data, file):
        errors.append(RecordError.at(place, RecordCode.GIVEN_TWICE, name,
                                     f"{who}: '{name}' is given twice; only one value can be read, so neither is"))
    for field_name, value in data.items():
        key = str(field_name)
        if key in RESERVED:
            continue
        info = inputs.get(key)
        if info is None and (key in raw.shared_fields or key in extra_fields):
            unread[key] = value
            continue
        if info is None:
            hint = did_you_mean(key, list(dict.fromkeys([*inputs, *sorted(raw.shared_fields), *sorted(extra_fields)])))
            message = f"{who}: unknown field '{key}' (value {show(value)})" + (f"; {hint}" if hint else
                      f"; {protocol.name} reads {', '.join(inputs)}; put descriptive data under 'about:'")
            errors.append(RecordError.at(key_place(file, data, field_name), RecordCode.UNKNOWN_FIELD, key, message, value,
                                         expected=f"a field {protocol.name} reads: {', '.join(inputs)}"))
            continue
        if value is None:
            continue
        if info.type.kind is Kind.SERIES:
            errors.extend(bind_series(info, value, protocol, data, who, raw.where, file, values, facts))
            continue
        try:
            bound, shown = convert(info, value)
        except BadValue as error:
            errors.append(RecordError.at(value_place(file, data, field_name), error.code, key,
                                         f"{who}: field '{key}' value {show(value)}: {error}", value, expected=str(error)))
            continue
        values[info.slot] = bound
        origin = raw.origins.get(key) if raw.origins is not None else None
        facts[info.slot] = Fact(key, shown, show_raw(value), origin or f"{raw.where}, field {key}",
                                source=origin or SourcePlace(file, data, field_name))
    _derive(protocol, values, facts, errors, who, data, raw)
    about = data.get("about") or {}
    if not isinstance(about, MAPPINGS):
        errors.append(RecordError.at(value_place(file, data, "about"), RecordCode.BAD_VALUE, "about",
                                     f"{who}: 'about' must be a mapping of descriptive fields", about))
        about = {}
    care, care_errors = read_care(data, file, who, protocol)
    errors.extend(care_errors)
    if errors:
        return InvalidRecord(patient, tuple(replace(error, patient=patient) for error in errors), raw.where)
    assert patient is not None
    return PatientRecord(patient, tuple(values), tuple(facts), about, raw.where, unread, file, data, care)


def _duplicates(data: Mapping[Any, Any], file: str | None) -> list[tuple[str, Place]]:
    """Keys written twice in the record, or in a mapping one level inside it (a series' days), each with the
    place of its last writing."""
    found = [(name, duplicate_place(file, data, name)) for name in getattr(data, "duplicates", ())]
    for key, value in data.items():
        found.extend((f"{key} {inner}", duplicate_place(file, value, inner)) for inner in getattr(value, "duplicates", ()))
    return found


def _derive(protocol: CheckedProtocol, values: list[Any], facts: list[Fact | None], errors: list[RecordError],
            who: str, data: Mapping[str, Any], raw: RawRecord) -> None:
    """Durations declared `from date_a to date_b`: computed when both dates are given, checked when both forms are."""
    file = raw.file
    for info in protocol.inputs:
        if not info.derived_from:
            continue
        start_name, end_name = info.derived_from
        start_info, end_info = protocol.input(start_name), protocol.input(end_name)
        if start_info is None or end_info is None:
            continue  # `to as_of`: the engine derives it with the evaluation date
        start, end = values[start_info.slot], values[end_info.slot]
        if start is None or end is None:
            continue
        if end < start:
            errors.append(RecordError.at(value_place(file, data, end_name), RecordCode.DATES_DISAGREE, info.name,
                                         f"{who}: {end_name} {end.isoformat()} is before {start_name} {start.isoformat()}"))
            continue
        derived = Duration.between(start, end)
        given = values[info.slot]
        if given is not None:
            consistent = given.day_low <= derived.day_high and derived.day_low <= given.day_high and \
                given.month_low <= derived.month_high and derived.month_low <= given.month_high
            if not consistent:
                errors.append(RecordError.at(value_place(file, data, info.name), RecordCode.DATES_DISAGREE, info.name,
                                             f"{who}: field '{info.name}' is {given.text} but {start_name} and {end_name} give "
                                             f"{derived.text}", data.get(info.name)))
            continue
        refused = derived_problem(info, derived)
        if refused:
            errors.append(RecordError.at(value_place(file, data, end_name), refused[0], info.name,
                                         f"{who}: {info.name} derived from {start_name} and {end_name} is {derived.text}: {refused[1]}"))
            continue
        values[info.slot] = derived
        facts[info.slot] = Fact(info.name, derived.text, None, f"{raw.where}, derived from {start_name} and {end_name}")


def bind_all(raws: Sequence[RawRecord | LoadFailure], protocol: CheckedProtocol,
             extra_fields: frozenset[str] = frozenset()) -> list[PatientRecord | InvalidRecord]:
    """Bind every record; an id given to more than one record makes each of them invalid (`ids.refuse_duplicates`)."""
    out: list[PatientRecord | InvalidRecord] = []
    places: list[Place] = []
    for raw in raws:
        if isinstance(raw, LoadFailure):
            out.append(InvalidRecord(None, (raw.error(),), raw.where))
            places.append(raw.place)
        else:
            out.append(bind(raw, protocol, extra_fields))
            places.append(value_place(raw.file, raw.data, "id") if isinstance(raw.data, MAPPINGS) and "id" in raw.data else raw.place)
    return refuse_duplicates(out, places, InvalidRecord)


class YamlProblem(ValueError):
    """YAML that cannot be read; `place` is its (line, column), 1-based."""

    def __init__(self, message: str, place: tuple[int, int]) -> None:
        super().__init__(message)
        self.place = place


def load_yaml_document(text: str) -> Any:
    """One YAML document read with the record loader's marks (a data map, say); raises `YamlProblem`."""
    try:
        return yaml.load(text, Loader=_RecordLoader)
    except RecursionError:
        raise YamlProblem("nested too deeply", (1, 1)) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        place = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlProblem(str(getattr(error, "problem", None) or error), place) from None


def load_parameters(path: str | Path) -> dict[str, str]:
    """A site's parameters file: a YAML mapping `name: value`, values written as in a protocol ("1.1 mg/kg")."""
    from carepath.language.diagnostics import ParameterError

    try:
        document = yaml.load(read_bounded(path, FILE_BYTES, "a parameters file").decode("utf-8"), Loader=_RecordLoader)
    except (OSError, ValueError) as error:  # not there, too large, not UTF-8
        raise ParameterError(f"cannot read parameters file {path}: {error}") from None
    except yaml.YAMLError as error:
        raise ParameterError(f"{path}: not valid YAML: {getattr(error, 'problem', None) or error}") from None
    if not isinstance(document, MAPPINGS) or not all(isinstance(k, str) for k in document):
        raise ParameterError(f"{path}: expected a mapping of parameter: value")
    values: dict[str, str] = {}
    for name, value in document.items():
        if isinstance(value, bool):
            values[name] = "true" if value else "false"
        elif isinstance(value, (int, float, str)):
            values[name] = str(value)
        else:
            raise ParameterError(f"{path}: parameter {name}: {show(value)} is not a value; write it as in the protocol, e.g. \"1.1 mg/kg\"")
    return values


__all__ = ["DAY_LIMIT", "RESERVED", "InvalidRecord", "LoadFailure", "PatientRecord", "Place", "RawRecord", "RecordCode", "RecordError",
           "bind", "bind_all", "derived_problem", "load", "load_file", "load_parameters", "load_text", "plausibility_problem"]
