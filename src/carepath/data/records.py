"""Patient records: YAML/JSON files → raw records → values bound to a protocol's inputs.

Units are normalised here, once, so the evaluator only compares numbers. The only module that imports yaml.
Dated series bind to `values.Series`, each day's value converted and checked exactly as a scalar input's.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from carepath.ir.program import CheckedProtocol, InputInfo
from carepath.language.diagnostics import did_you_mean
from carepath.semantics.trace import Fact
from carepath.semantics.types import Kind
from carepath.semantics.units import CalendarUnit, Unit, UnitError, display, exact_number, parse_unit
from carepath.semantics.values import Duration, format_number

RESERVED = ("id", "about")
_MAPPINGS = (dict, Mapping)  # dict first: the ABC check is slow, and YAML and JSON give dicts  # `about` holds descriptive data that no rule reads
_NUMBER = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?"
_QUANTITY = re.compile(rf"^\s*({_NUMBER})\s*(.*?)\s*$")


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record as read, before any protocol sees it; `where` says which file and position."""

    data: Any
    where: str
    shared_fields: frozenset[str] = frozenset()  # the file's `fields:`: recorded for other protocols


@dataclass(frozen=True, slots=True)
class LoadFailure:
    """A file that could not be read as records: reported as an invalid result, never skipped."""

    where: str
    message: str


@dataclass(frozen=True, slots=True)
class RecordError:
    field: str | None
    message: str


@dataclass(frozen=True, slots=True)
class PatientRecord:
    id: str
    values: tuple[Any, ...]  # one per input slot, in the evaluator's representation; None = unknown
    facts: tuple[Fact | None, ...]
    about: Mapping[str, Any]
    where: str
    unread: Mapping[str, Any] = field(default_factory=dict)  # fields recorded for other protocols, carried as written


@dataclass(frozen=True, slots=True)
class InvalidRecord:
    id: str | None
    errors: tuple[RecordError, ...]
    where: str


# ---- loading -------------------------------------------------------------------------------


class _RecordLoader(yaml.SafeLoader):
    """YAML's safe loader without implicit timestamps: a date stays text until its field checks it,
    so an impossible date such as 2008-02-30 is that field's error, not a failure of the whole file."""


class _Mapping(dict[Any, Any]):
    """A mapping as read, remembering keys written twice (YAML and JSON keep only the last): `bind` reports them."""

    duplicates: tuple[str, ...] = ()


def _checked_mapping(loader: _RecordLoader, node: yaml.MappingNode, deep: bool = False) -> _Mapping:
    mapping = _Mapping(yaml.SafeLoader.construct_mapping(loader, node, deep))
    keys = [loader.construct_object(key_node, deep=True) for key_node, _ in node.value]
    mapping.duplicates = tuple(dict.fromkeys(str(k) for k in keys if keys.count(k) > 1))
    return mapping


_RecordLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _checked_mapping)


def _unique_pairs(pairs: list[tuple[str, Any]]) -> _Mapping:
    mapping = _Mapping(pairs)
    keys = [key for key, _ in pairs]
    mapping.duplicates = tuple(dict.fromkeys(k for k in keys if keys.count(k) > 1))
    return mapping


_RecordLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(paths: Iterable[str | Path]) -> list[RawRecord | LoadFailure]:
    """Read files and directories of records in order; a bad file becomes a `LoadFailure`."""
    items: list[RawRecord | LoadFailure] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files = sorted(f for f in path.iterdir() if f.suffix.lower() in (".yaml", ".yml", ".json"))
            if not files:
                items.append(LoadFailure(str(path), f"{path}: no .yaml, .yml or .json files in this directory"))
            for file in files:
                items.extend(load_file(file))
        else:
            items.extend(load_file(path))
    return items


def load_file(path: Path) -> list[RawRecord | LoadFailure]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return [LoadFailure(str(path), f"{path}: cannot read: {error}")]
    return load_text(text, str(path), json_only=path.suffix.lower() == ".json")


def load_text(text: str, name: str = "<records>", json_only: bool = False) -> list[RawRecord | LoadFailure]:
    try:
        document = json.loads(text, object_pairs_hook=_unique_pairs) if json_only else yaml.load(text, Loader=_RecordLoader)
    except json.JSONDecodeError as error:
        return [LoadFailure(name, f"{name}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}")]
    except RecursionError:
        return [LoadFailure(name, f"{name}: nested too deeply to be patient records")]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
        problem = getattr(error, "problem", None) or str(error)
        return [LoadFailure(name, f"{where}: not valid YAML: {problem}")]
    shared: frozenset[str] = frozenset()
    if isinstance(document, Mapping) and "patients" in document:
        listed = document.get("fields", [])
        if not isinstance(listed, list) or not all(isinstance(f, str) and f for f in listed):
            return [LoadFailure(name, f"{name}: 'fields:' must be a list of field names recorded for other protocols, got {_show(listed)}")]
        shared = frozenset(listed)
        document = document["patients"]
    elif isinstance(document, Mapping) and "id" in document:
        document = [document]
    if not isinstance(document, list):
        return [LoadFailure(name, f"{name}: expected a list of records or a mapping with a 'patients:' list")]
    return [RawRecord(item, f"{name}, record {index}", shared) for index, item in enumerate(document, 1)]


# ---- binding -------------------------------------------------------------------------------


def bind(raw: RawRecord, protocol: CheckedProtocol, extra_fields: frozenset[str] = frozenset()) -> PatientRecord | InvalidRecord:
    """Bind a raw record to a protocol's inputs, collecting every error in it.

    A field the protocol does not read is still accepted when the records file lists it under `fields:` or the
    caller names it in `extra_fields` (another protocol's input, for `compare`): it is carried unread, unchecked.
    """
    data = raw.data
    if not isinstance(data, _MAPPINGS):
        return InvalidRecord(None, (RecordError(None, f"{raw.where}: a record must be a mapping of field: value, got {_show(data)}"),), raw.where)
    record_id = data.get("id")
    errors: list[RecordError] = []
    if record_id is None or isinstance(record_id, (Mapping, list)):
        errors.append(RecordError("id", f"{raw.where}: the record has no 'id'"))
        patient = None
    else:
        patient = str(record_id)
    who = f"patient '{patient}'" if patient is not None else raw.where
    inputs = protocol.input_index
    values: list[Any] = [None] * len(protocol.inputs)
    facts: list[Fact | None] = [None] * len(protocol.inputs)
    unread: dict[str, Any] = {}
    for duplicate in _duplicates(data):
        errors.append(RecordError(duplicate, f"{who}: '{duplicate}' is given twice; only one value can be read, so neither is"))
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
            errors.append(RecordError(key, f"{who}: unknown field '{key}' (value {_show(value)})" + (f"; {hint}" if hint else
                                      f"; {protocol.name} reads {', '.join(inputs)}; put descriptive data under 'about:'")))
            continue
        if value is None:
            continue
        if info.type.kind is Kind.SERIES:
            series_errors = bind_series(info, value, protocol, data, who, raw.where, values, facts)
            errors.extend(RecordError(key, message) for message in series_errors)
            continue
        try:
            bound, shown = _convert(info, value)
        except _BadValue as error:
            errors.append(RecordError(key, f"{who}: field '{key}' value {_show(value)}: {error}"))
            continue
        values[info.slot] = bound
        facts[info.slot] = Fact(key, shown, _show_raw(value), f"{raw.where}, field {key}")
    _derive(protocol, values, facts, errors, who, data, raw.where)
    about = data.get("about") or {}
    if not isinstance(about, _MAPPINGS):
        errors.append(RecordError("about", f"{who}: 'about' must be a mapping of descriptive fields"))
        about = {}
    if errors:
        return InvalidRecord(patient, tuple(errors), raw.where)
    assert patient is not None
    return PatientRecord(patient, tuple(values), tuple(facts), about, raw.where, unread)


def _duplicates(data: Mapping[str, Any]) -> tuple[str, ...]:
    """Keys written twice in the record, or in a mapping one level inside it (a series' days)."""
    found = list(getattr(data, "duplicates", ()))
    for key, value in data.items():
        found.extend(f"{key} {inner}" for inner in getattr(value, "duplicates", ()))
    return tuple(found)


def _derive(protocol: CheckedProtocol, values: list[Any], facts: list[Fact | None], errors: list[RecordError],
            who: str, data: Mapping[str, Any], where: str) -> None:
    """Durations declared `from date_a to date_b`: computed when both dates are given, checked when both forms are."""
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
            errors.append(RecordError(info.name, f"{who}: {end_name} {end.isoformat()} is before {start_name} {start.isoformat()}"))
            continue
        derived = Duration.between(start, end)
        given = values[info.slot]
        if given is not None:
            consistent = given.day_low <= derived.day_high and derived.day_low <= given.day_high and \
                given.month_low <= derived.month_high and derived.month_low <= given.month_high
            if not consistent:
                errors.append(RecordError(info.name, f"{who}: field '{info.name}' is {given.text} but {start_name} and "
                                          f"{end_name} give {derived.text}"))
            continue
        problem = plausibility_problem(info, derived)
        if problem:
            errors.append(RecordError(info.name, f"{who}: {info.name} derived from {start_name} and {end_name} is {derived.text}: {problem}"))
            continue
        values[info.slot] = derived
        facts[info.slot] = Fact(info.name, derived.text, None, f"{where}, derived from {start_name} and {end_name}")


class _BadValue(ValueError):
    pass


def _convert(info: InputInfo, value: Any) -> tuple[Any, str]:
    """A record value → (evaluator value, how explanations show it); raises `_BadValue` saying what was expected."""
    kind = info.type.kind
    if kind is Kind.QUANTITY:
        return _quantity(info, value)
    if kind is Kind.DURATION:
        duration = _duration(value)
        problem = plausibility_problem(info, duration)
        if problem:
            raise _BadValue(problem)
        return duration, duration.text
    if kind is Kind.ENUM:
        if not isinstance(value, str) or value not in info.type.members:
            hint = did_you_mean(str(value), info.type.members) if isinstance(value, str) else None
            raise _BadValue(f"expected one of {', '.join(info.type.members)}" + (f"; {hint}" if hint else ""))
        return value, value
    if kind is Kind.BOOLEAN:
        if isinstance(value, bool):
            return value, "true" if value else "false"
        if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no"):
            flag = value.lower() in ("true", "yes")
            return flag, "true" if flag else "false"
        raise _BadValue("expected true or false")
    if kind is Kind.DATE:
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value, value.isoformat()
        if isinstance(value, str):
            try:
                parsed = dt.date.fromisoformat(value.strip())
            except ValueError:
                raise _BadValue("expected a date as YYYY-MM-DD") from None
            return parsed, parsed.isoformat()
        raise _BadValue("expected a date as YYYY-MM-DD")
    if kind is Kind.TEXT:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value), str(value)
        raise _BadValue("expected text")
    raise AssertionError(kind)


def _split(value: Any, example: str = "33900 /uL") -> tuple[int | Fraction, str]:
    """Accept '33900 /uL', '33,900 /uL', '33.9 10*9/L' or {value: 33900, unit: /uL}; `example` is in the input's own unit."""
    if isinstance(value, _MAPPINGS):
        number, unit = value.get("value"), value.get("unit")
        if isinstance(number, bool) or not isinstance(number, (int, float, str)) or not isinstance(unit, str):
            raise _BadValue("expected {value: NUMBER, unit: UNIT}")
        text = f"{number} {unit}"
    elif isinstance(value, str):
        text = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        raise _BadValue(f"a number needs a unit, e.g. '{_example(value, example)}'")
    else:
        raise _BadValue(f"expected a number with a unit, e.g. '{example}'")
    match = _QUANTITY.match(text)
    if not match:
        raise _BadValue(f"expected a number with a unit, e.g. '{example}'")
    number_text, unit = match.group(1).replace(",", ""), match.group(2)
    if not unit:
        raise _BadValue(f"a number needs a unit, e.g. '{_example(number_text, example)}'")
    return (int(number_text) if number_text.isdigit() else Fraction(number_text)), unit


def _example(number: object, example: str) -> str:
    """The number as written with the input's unit: '0.0001' for an MRD in % becomes '0.0001 %'."""
    return f"{number} {example.split(' ', 1)[1]}" if " " in example else example


def _quantity(info: InputInfo, value: Any) -> tuple[Any, str]:
    target = info.type.unit
    assert isinstance(target, Unit)
    number, unit_text = _split(value, f"33900 {target.text}" if target.text == "/uL" else f"1 {target.text}")
    try:
        unit = parse_unit(unit_text)
    except UnitError as error:
        raise _BadValue(f"{error}; expected a unit like {target.display}") from None
    if isinstance(unit, CalendarUnit) or unit.dimension != target.dimension:
        raise _BadValue(f"'{display(unit_text)}' is not a unit of the same kind as {target.display}")
    converted = exact_number(number * _factor(unit.text, target.text))
    shown = f"{format_number(converted)} {target.display}"
    problem = plausibility_problem(info, converted)
    if problem:
        as_if = exact_number(number)
        hint = ""
        if unit.text != target.text and plausibility_problem(info, as_if) is None:
            hint = f"; {format_number(as_if)} {target.display} would be plausible: was {display(unit_text)} meant as {target.display}?"
        raise _BadValue(f"that is {shown}, {problem}{hint}")
    return converted, shown


@functools.lru_cache(maxsize=1024)
def _factor(unit_text: str, target_text: str) -> int | Fraction:
    """The exact factor between two units, worked out once per pair (an int when it is whole)."""
    unit, target = parse_unit(unit_text), parse_unit(target_text)
    assert isinstance(unit, Unit) and isinstance(target, Unit)
    factor = unit.factor_to(target)
    return int(factor) if factor.denominator == 1 else factor


def _duration(value: Any) -> Duration:
    number, unit_text = _split(value)
    try:
        unit = parse_unit(unit_text)
    except UnitError:
        unit = None
    if not isinstance(unit, CalendarUnit):
        raise _BadValue(f"'{unit_text}' is not a duration unit; expected days, weeks, months or years")
    amount = number * unit.multiple
    if unit.base == "days":
        if amount.denominator != 1:
            raise _BadValue("expected a whole number of days")
        return Duration.of_days(int(amount))
    if amount.denominator == 1:
        return Duration.of_months(int(amount))
    whole = int(amount)
    return Duration.within_month(whole, f"{format_number(float(amount))} months (between {whole} and {whole + 1} months)")


def plausibility_problem(info: InputInfo, value: Any) -> str | None:
    """Why a value lies outside the declared plausible range, or None when it may lie inside."""
    if info.plausible is None:
        return None
    low, high = info.plausible
    if isinstance(value, Duration):
        assert isinstance(low, Duration) and isinstance(high, Duration)
        outside = value.day_high < low.day_low or value.day_low > high.day_high
    else:
        outside = value < low or value > high
    return f"outside the plausible range {info.plausible_text}" if outside else None


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, _MAPPINGS):
        return json.dumps(dict(value), default=str)
    return repr(value)


def _show_raw(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _MAPPINGS):
        return f"{value.get('value')} {value.get('unit')}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def bind_all(raws: Sequence[RawRecord | LoadFailure], protocol: CheckedProtocol,
             extra_fields: frozenset[str] = frozenset()) -> list[PatientRecord | InvalidRecord]:
    out: list[PatientRecord | InvalidRecord] = []
    for raw in raws:
        if isinstance(raw, LoadFailure):
            out.append(InvalidRecord(None, (RecordError(None, raw.message),), raw.where))
        else:
            out.append(bind(raw, protocol, extra_fields))
    return out


def load_parameters(path: str | Path) -> dict[str, str]:
    """A site's parameters file: a YAML mapping `name: value`, values written as in a protocol ("1.1 mg/kg")."""
    from carepath.language.diagnostics import ParameterError

    try:
        document = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_RecordLoader)
    except (OSError, UnicodeDecodeError) as error:
        raise ParameterError(f"cannot read parameters file {path}: {error}") from None
    except yaml.YAMLError as error:
        raise ParameterError(f"{path}: not valid YAML: {getattr(error, 'problem', None) or error}") from None
    if not isinstance(document, _MAPPINGS) or not all(isinstance(k, str) for k in document):
        raise ParameterError(f"{path}: expected a mapping of parameter: value")
    values: dict[str, str] = {}
    for name, value in document.items():
        if isinstance(value, bool):
            values[name] = "true" if value else "false"
        elif isinstance(value, (int, float, str)):
            values[name] = str(value)
        else:
            raise ParameterError(f"{path}: parameter {name}: {_show(value)} is not a value; write it as in the protocol, e.g. \"1.1 mg/kg\"")
    return values


# Dated series are bound in their own module, which reads this one's value conversions: imported last,
# once every name it needs exists.
from carepath.data.series import DAY_LIMIT, bind_series  # noqa: E402

__all__ = ["DAY_LIMIT", "RESERVED", "InvalidRecord", "LoadFailure", "PatientRecord", "RawRecord", "RecordError", "bind", "bind_all",
           "load", "load_file", "load_parameters", "load_text", "plausibility_problem"]
