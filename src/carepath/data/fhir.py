"""FHIR R4 Bundles (JSON) and bulk-export NDJSON → one record per Patient, read through a data map, then bound.

Each resource is validated with `fhir.resources` (its R4B models, which read R4's Patient, Observation, Condition
and Procedure); an invalid one is an error naming its type, id and the path of the fault, and its patient is
refused while the rest run. NDJSON is streamed a line at a time, one patient held at a time: a bulk file must
keep each patient's resources together (Patient first or not), else CP512. A choice the map's anchor cannot
resolve (two resources equally near, with different values) is left unknown, never guessed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from carepath.data.errors import Place, RecordCode, RecordError
from carepath.data.ids import refuse_duplicates
from carepath.data.limits import RESOURCE_BYTES, TABLE_BYTES
from carepath.data.maps import DataMap, FieldMap
from carepath.data.records import InvalidRecord, PatientRecord, RawRecord, bind
from carepath.ir.program import CheckedProtocol
from carepath.language.source import FileTooLarge, read_bounded
from carepath.semantics.trace import Fact

UCUM = "http://unitsofmeasure.org"
_DEFAULT_ELEMENT = {"Patient": "birthDate", "Condition": "onsetDateTime", "Procedure": "performedDateTime", "Observation": "value"}


@dataclass(frozen=True, slots=True)
class Resource:
    """A resource as read, with where it was: its entry (Bundle) or line (NDJSON)."""

    data: Mapping[str, Any]
    place: Place
    label: str  # "entry 3", "line 12"

    @property
    def type(self) -> str:
        return str(self.data.get("resourceType"))

    @property
    def ref(self) -> str:
        return f"{self.type}/{self.data.get('id')}"


@dataclass(slots=True)
class _Patient:
    key: str
    resources: list[Resource] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)


def validation_problem(resource: Mapping[str, Any]) -> str | None:
    """What FHIR R4 finds wrong with a resource ('path: message; …'), or None when it is valid."""
    from fhir.resources.R4B import get_fhir_model_class
    from pydantic import ValidationError

    kind = resource.get("resourceType")
    if not isinstance(kind, str):
        return "resourceType: missing"
    try:
        model = get_fhir_model_class(kind)
    except (KeyError, ValueError, LookupError):
        return f"resourceType: '{kind}' is not a FHIR R4 resource"
    try:
        model.model_validate(dict(resource))
    except ValidationError as error:
        faults = [f"{'.'.join(str(p) for p in e['loc']) or kind}: {e['msg']}" for e in error.errors()[:3]]
        return "; ".join(faults)
    return None


def _resources(source: Path | bytes, name: str, ndjson: bool) -> Iterator[Resource | RecordError]:
    if ndjson:
        with io.BytesIO(source) if isinstance(source, bytes) else Path(source).open("rb") as stream:
            number = 0
            while line := stream.readline(RESOURCE_BYTES + 1):
                number += 1
                place = Place(name, number, 1)
                if len(line) > RESOURCE_BYTES:  # an endless line (a device named as the file) is never read whole
                    yield RecordError.at(place, RecordCode.FILE_TOO_LARGE, None,
                                         f"{name}:{number}: a line longer than {RESOURCE_BYTES:,} bytes; the rest of the file is not read")
                    return
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                except ValueError as error:
                    yield RecordError.at(place, RecordCode.UNREADABLE, None, f"{name}:{number}: not a JSON resource: {error}")
                    continue
                except RecursionError:
                    yield RecordError.at(place, RecordCode.NESTED_TOO_DEEPLY, None, f"{name}:{number}: nested too deeply to be a FHIR resource")
                    continue
                if not isinstance(data, dict):
                    yield RecordError.at(place, RecordCode.UNREADABLE, None, f"{name}:{number}: not a FHIR resource")
                    continue
                yield Resource(data, place, f"line {number}")
        return
    try:
        raw = source if isinstance(source, bytes) else read_bounded(source, TABLE_BYTES, "a FHIR Bundle (bulk data is read as NDJSON)")
    except FileTooLarge as error:
        yield RecordError.at(Place(name), RecordCode.FILE_TOO_LARGE, None, str(error))
        return
    try:
        bundle = json.loads(raw)
    except ValueError as error:
        yield RecordError.at(Place(name), RecordCode.UNREADABLE, None, f"{name}: not valid JSON: {error}")
        return
    except RecursionError:  # the JSON reader's own limit, about 1,000 levels: far past any resource's
        yield RecordError.at(Place(name), RecordCode.NESTED_TOO_DEEPLY, None, f"{name}: nested too deeply to be a FHIR Bundle")
        return
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle" or not isinstance(bundle.get("entry", []), list):
        yield RecordError.at(Place(name), RecordCode.UNREADABLE, None, f"{name}: expected a FHIR Bundle with an 'entry' list")
        return
    full_urls: dict[str, str] = {}
    entries = bundle.get("entry", [])
    for entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("resource"), dict) and isinstance(entry.get("fullUrl"), str):
            resource = entry["resource"]
            full_urls[entry["fullUrl"]] = f"{resource.get('resourceType')}/{resource.get('id')}"
    for number, entry in enumerate(entries, 1):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            yield RecordError.at(Place(name), RecordCode.UNREADABLE, None, f"{name}, entry {number}: no resource")
            continue
        if full_urls:
            resource = _resolve(resource, full_urls)
        yield Resource(resource, Place(name), f"entry {number}")


def _resolve(resource: dict[str, Any], full_urls: Mapping[str, str]) -> dict[str, Any]:
    """`urn:uuid:…` subject references made `Patient/id`, as the Bundle's fullUrls say."""
    for key in ("subject", "patient"):
        ref = resource.get(key)
        if isinstance(ref, dict) and isinstance(ref.get("reference"), str) and ref["reference"] in full_urls:
            resource = {**resource, key: {**ref, "reference": full_urls[ref["reference"]]}}
    return resource


def _patient_of(resource: Resource) -> str | None:
    if resource.type == "Patient":
        return str(resource.data.get("id"))
    for key in ("subject", "patient"):
        ref = resource.data.get(key)
        if isinstance(ref, dict) and isinstance(ref.get("reference"), str) and ref["reference"].startswith("Patient/"):
            return str(ref["reference"]).split("/", 1)[1]
    return None


def _grouped(source: Path | bytes, name: str, ndjson: bool) -> Iterator[_Patient | RecordError]:
    """Patients one at a time. A Bundle is grouped whole; NDJSON as it streams, one patient in memory."""
    current: _Patient | None = None
    finished: set[str] = set()
    groups: dict[str, _Patient] = {}
    for item in _resources(source, name, ndjson):
        if isinstance(item, RecordError):
            yield item
            continue
        key = _patient_of(item)
        if key is None:
            yield RecordError.at(item.place, RecordCode.NO_PATIENT, None,
                                 f"{name}, {item.label}: {item.ref} names no patient (subject: Patient/…)")
            continue
        problem = validation_problem(item.data)
        if not ndjson:
            group = groups.setdefault(key, _Patient(key))
        else:
            if current is None or current.key != key:
                if current is not None:
                    finished.add(current.key)
                    yield current
                if key in finished:
                    yield RecordError.at(item.place, RecordCode.NO_PATIENT, None,
                                         f"{name}, {item.label}: {item.ref} belongs to Patient/{key}, whose resources came "
                                         "earlier: a bulk file must keep each patient's resources together")
                    current = None
                    continue
                current = _Patient(key)
            group = current
        if problem:
            group.errors.append(RecordError.at(item.place, RecordCode.INVALID_RESOURCE, None,
                                               f"{name}, {item.label}: {item.ref} is not valid FHIR R4: {problem}"))
        else:
            group.resources.append(item)
    if current is not None:
        yield current
    yield from groups.values()


def bind_fhir(source: Path | bytes, name: str, ndjson: bool, protocol: CheckedProtocol, data_map: DataMap | None,
              extra_fields: frozenset[str] = frozenset()) -> list[PatientRecord | InvalidRecord]:
    if data_map is None:
        error = RecordError.at(Place(name), RecordCode.UNREADABLE, None,
                               f"{name}: FHIR data needs a data map (--map) saying which resources and codes hold each input")
        return [InvalidRecord(None, (error,), name)]
    if not any(entry.resource for entry in data_map.fields):
        error = RecordError.at(Place(name), RecordCode.UNREADABLE, None,
                               f"{name}: the data map names no FHIR resource (resource:), so nothing can be read from this FHIR data")
        return [InvalidRecord(None, (error,), name)]
    wanted = [entry for entry in data_map.fields if entry.resource and (entry.name in protocol.input_index or entry.name in extra_fields)]
    anchors = {entry.nearest for entry in wanted if entry.nearest is not None}
    wanted += [entry for entry in data_map.fields  # an anchor the protocol does not declare is read, then left out of binding
               if entry.resource and entry.name in anchors and entry not in wanted]
    wanted.sort(key=lambda entry: entry.nearest is not None)  # anchors first: a nearest-to choice reads them
    out: list[PatientRecord | InvalidRecord] = []
    places: list[Place | str] = []
    for group in _grouped(source, name, ndjson):
        if isinstance(group, RecordError):
            out.append(InvalidRecord(None, (group,), name))
            places.append(name)
            continue
        record = _record(group, name, data_map, wanted, protocol, extra_fields)
        out.append(record)
        places.append(f"{name} Patient/{group.key}")
    return refuse_duplicates(out, places, InvalidRecord)


def _record(group: _Patient, name: str, data_map: DataMap, wanted: list[FieldMap], protocol: CheckedProtocol,
            extra_fields: frozenset[str]) -> PatientRecord | InvalidRecord:
    patient = next((r for r in group.resources if r.type == "Patient"), None)
    record_id: str | None = group.key
    if data_map.id.identifier is not None:
        values = [i.get("value") for i in (patient.data.get("identifier") or []) if isinstance(i, dict)
                  and i.get("system") == data_map.id.identifier] if patient is not None else []
        record_id = str(values[0]) if values else None
    where = f"{name} Patient/{group.key}"
    if group.errors:
        return InvalidRecord(record_id, tuple(group.errors), where)
    data: dict[str, Any] = {"id": record_id}
    origins: dict[str, str] = {}
    unknown: dict[str, str] = {}
    written: dict[str, str] = {}  # values a vocabulary translated, as the resource wrote them
    for entry in wanted:
        found = _value(entry, group, data, name)
        if isinstance(found, _Unresolved):
            unknown[entry.name] = found.why
        elif found is not None:
            data[entry.name], origins[entry.name] = found[0], found[1]
            if len(found) > 2 and found[2] is not None:
                written[entry.name] = found[2]
    if unknown:
        data["about"] = {"unknown": unknown}
    for anchor_only in [key for key in data if key != "id" and key != "about" and key not in protocol.input_index and key not in extra_fields]:
        del data[anchor_only]
        origins.pop(anchor_only, None)
    record = bind(RawRecord(data, where, file=name, origins=origins), protocol, extra_fields)
    if isinstance(record, InvalidRecord):
        return record
    facts = list(record.facts)
    for field_name, origin in origins.items():  # each fact as the resource wrote it, and where: a series' too
        info = protocol.input_index.get(field_name)
        fact = facts[info.slot] if info is not None else None
        if info is not None and fact is not None:
            facts[info.slot] = dataclasses.replace(fact, raw=written.get(field_name, fact.raw), source=origin)
    for field_name, why in unknown.items():  # an explanation says why the value is unknown, not merely that it is missing
        info = protocol.input_index.get(field_name)
        if info is not None:
            facts[info.slot] = Fact(field_name, "unknown", None, f"{where}: {why}", missing=True)
    return dataclasses.replace(record, facts=tuple(facts))


@dataclass(frozen=True, slots=True)
class _Unresolved:
    why: str


def _value(entry: FieldMap, group: _Patient, data: Mapping[str, Any], name: str) -> tuple[Any, str, str | None] | _Unresolved | None:
    """The value a record would hold, where it was read, and the text as the resource wrote it when a vocabulary
    translated it; `_Unresolved` when the resources disagree; None when there is none."""
    element = entry.element or _DEFAULT_ELEMENT.get(entry.resource or "", "value")
    candidates = [r for r in group.resources if r.type == entry.resource and _coded(r, entry.codes)]
    read: list[tuple[Resource, tuple[Any, str], dt.date | None]] = []
    for r in candidates:
        value = _element(r, element)
        if value is not None:
            read.append((r, value, _when(r)))
    if not read:
        return None
    if entry.series:
        return _series(entry, read, f"{name} {', '.join(r.ref for r, _, _ in read)} {element}")
    if entry.nearest is not None:
        anchor = _date(data.get(entry.nearest))
        if anchor is None:
            return _Unresolved(f"no {entry.nearest} to choose the {entry.resource} nearest to")
        window = entry.within_days
        timed = [(abs((when - anchor).days), r, value) for r, value, when in read if when is not None]
        timed = [item for item in timed if window is None or item[0] <= window]
        if not timed:
            return _Unresolved(f"no {entry.resource} within {window} days of {entry.nearest} {anchor.isoformat()}")
        nearest = min(distance for distance, _, _ in timed)
        read = [(r, value, None) for distance, r, value in timed if distance == nearest]
    written = {json.dumps(_as_record_value(entry, value), sort_keys=True, default=str) for _, value, _ in read}
    if len(written) > 1:
        refs = ", ".join(r.ref for r, _, _ in read)
        return _Unresolved(f"{refs} are equally eligible and disagree: left unknown rather than guessed")
    resource, (value, path), _ = read[0]
    as_written = value if isinstance(value, str) and entry.vocabulary else None
    return _as_record_value(entry, (value, path)), f"{name} {resource.ref} {path}", as_written


def _series(entry: FieldMap, read: list[tuple[Resource, tuple[Any, str], dt.date | None]], where: str) -> tuple[Any, str, None] | _Unresolved:
    """Dated values as a series. Two values on one day that disagree leave that day unknown (never one of them
    guessed), and a value with no date is not placed; the fact's source says which and why."""
    by_day: dict[str, list[tuple[Resource, Any]]] = {}
    undated = [r.ref for r, _, when in read if when is None]
    for r, found, when in read:
        if when is not None:
            by_day.setdefault(when.isoformat(), []).append((r, _as_record_value(entry, found)))
    series: dict[str, Any] = {}
    notes = []
    for day, items in by_day.items():
        if len({json.dumps(value, sort_keys=True, default=str) for _, value in items}) == 1:
            series[day] = items[0][1]
        else:
            notes.append(f"{day} left unknown ({', '.join(r.ref for r, _ in items)} disagree)")
    if undated:
        notes.append(f"not placed, having no date: {', '.join(undated)}")
    if not series:
        return _Unresolved("; ".join(notes))
    return series, where + "".join(f"; {note}" for note in notes), None


def _coded(resource: Resource, codes: tuple[str, ...]) -> bool:
    if not codes:
        return True
    code = resource.data.get("code")
    codings = code.get("coding", []) if isinstance(code, dict) else []
    return any(isinstance(c, dict) and f"{c.get('system')}|{c.get('code')}" in codes for c in codings)


def _element(resource: Resource, element: str) -> tuple[Any, str] | None:
    """The element's value and its path; `value` finds whichever value[x] the resource has."""
    data = resource.data
    if element == "value":
        for key in ("valueQuantity", "valueCodeableConcept", "valueString", "valueBoolean", "valueDateTime", "valueInteger"):
            if key in data:
                return data[key], key
        return None
    if element == "performedDateTime" and "performedDateTime" not in data and isinstance(data.get("performedPeriod"), dict):
        return data["performedPeriod"].get("start"), "performedPeriod.start"
    if element == "onsetDateTime" and "onsetDateTime" not in data and isinstance(data.get("onsetPeriod"), dict):
        return data["onsetPeriod"].get("start"), "onsetPeriod.start"
    value = data.get(element)
    return None if value is None else (value, element)


def _when(resource: Resource) -> dt.date | None:
    data = resource.data
    for key in ("effectiveDateTime", "issued", "performedDateTime", "onsetDateTime"):
        if key in data:
            return _date(data[key])
    period = data.get("effectivePeriod") or data.get("performedPeriod")
    return _date(period.get("start")) if isinstance(period, dict) else None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _as_record_value(entry: FieldMap, found: tuple[Any, str]) -> Any:
    """A FHIR value as a record holds it: a Quantity as {value, unit} (the UCUM code first), a code through the
    vocabulary (`system|code`, then the code, then its display), a date as YYYY-MM-DD."""
    value, path = found
    if path == "valueQuantity" and isinstance(value, dict):
        unit = value.get("code") if value.get("system") == UCUM and value.get("code") else value.get("unit") or value.get("code")
        return {"value": value.get("value"), "unit": unit}
    if path == "valueCodeableConcept" and isinstance(value, dict):
        terms = dict(entry.vocabulary)
        for coding in value.get("coding", []):
            for key in (f"{coding.get('system')}|{coding.get('code')}", coding.get("code"), coding.get("display")):
                if key in terms:
                    return terms[key]
        text = value.get("text") or next((c.get("code") for c in value.get("coding", [])), None)
        return entry.read(str(text)) if text is not None else None
    if isinstance(value, str):
        if path.endswith(("DateTime", "Date", "start")) or path == "birthDate":
            return value[:10]
        return entry.read(value)
    if isinstance(value, bool):
        return entry.read(str(value).lower()) if entry.vocabulary else value
    return value
