"""Dated series in patient records: days or dates → values, converted and checked as scalar values are; every
problem a located `RecordError`.

Forms: {day: value}, {date: value} (dates counted from the `relative to` input), {unit: U, values: {day: number}},
and for booleans {on: [days], from: DAY, to: DAY}. A day not given stays unknown: nothing is filled in.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, NamedTuple

from carepath.data.convert import MAPPINGS, NUMBER, BadValue, convert, show, show_raw
from carepath.data.errors import Place, RecordCode, RecordError
from carepath.data.ids import SourcePlace
from carepath.data.limits import series_too_long
from carepath.data.located import item_place, key_place, value_place
from carepath.ir.program import CheckedProtocol, InputInfo
from carepath.semantics.trace import Fact
from carepath.semantics.types import Kind
from carepath.semantics.units import CalendarUnit, Unit, UnitError, display, parse_unit
from carepath.semantics.values import Series

#: A day further than a hundred years from day 0 is a typing error, and would make a series that long.
DAY_LIMIT = 36525
_DAY_TEXT = re.compile(r"^\s*[-+]?\d+\s*$")
_DATE_TEXT = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")
_BARE_NUMBER = re.compile(rf"^\s*{NUMBER}\s*$")
_SHOWN_ENTRIES = 3  # entries of a series an explanation repeats as written


class _Entry(NamedTuple):
    """One day of a series as written: its key (a day or a date), its value, and where each was written."""

    key: Any
    item: Any
    key_at: Place
    item_at: Place


def bind_series(info: InputInfo, value: Any, protocol: CheckedProtocol, data: Mapping[str, Any], who: str,
                where: str, file: str | None, values: list[Any], facts: list[Fact | None]) -> list[RecordError]:
    """Bind one series field in any of its record forms; returns every problem found, binding nothing if any.

    Forms: {day: value}, {date: value} (dates counted from the `relative to` input), {unit: U, values: {day: number}},
    and for booleans {on: [days], from: DAY, to: DAY}. `[]` and `{}` are a series recorded with no days.
    """
    binder = _SeriesBinder(info, protocol, data, who, file, value_place(file, data, info.name))
    too_long = series_too_long(value)
    if too_long:
        return [RecordError.at(binder.at, RecordCode.SERIES_TOO_LONG, info.name, f"{binder.field}: {too_long}")]
    if isinstance(value, list) and not value:
        entries: list[_Entry] = []
    elif isinstance(value, MAPPINGS):
        entries = binder.entries(value)
    else:
        example = "{0: false, 1: true}" if binder.boolean else "{1: '100 /uL', 2: '300 /uL'}"
        why = " (a list does not say which day each value belongs to)" if isinstance(value, list) else ""
        return [RecordError.at(binder.at, RecordCode.BAD_SERIES, info.name, f"{who}: field '{info.name}' value {show(value)}: "
                               f"expected a series, a mapping of day: value such as {example}{why}", value)]
    by_day = binder.bind(entries)
    if binder.errors:
        return binder.errors
    element = info.type.element
    series = Series.of(by_day)
    values[info.slot] = series
    facts[info.slot] = Fact(info.name, _series_text(by_day, element is not None and element.kind is Kind.BOOLEAN),
                            _series_raw(value), f"{where}, field {info.name}", source=SourcePlace(file, data, info.name))
    return []


class _SeriesBinder:
    """One series field's binding: reads keys as days or dates, converts values, and collects every error."""

    def __init__(self, info: InputInfo, protocol: CheckedProtocol, data: Mapping[str, Any], who: str,
                 file: str | None, at: Place) -> None:
        assert info.type.element is not None
        self.info = info
        self.element = replace(info, type=info.type.element)  # each value is bound as a scalar of the element type
        self.boolean = info.type.element.kind is Kind.BOOLEAN
        self.field = f"{who}: field '{info.name}'"
        self.file = file
        self.at = at  # where the series' value starts
        self.errors: list[RecordError] = []
        self.unit: str | None = None  # the `unit:` that bare numbers take
        self.anchor_reported = False
        self.unit_failed = False
        self.anchor, self.anchor_problem = self._anchor(protocol, data)

    def _error(self, place: Place, message: str, value: Any = None, code: RecordCode = RecordCode.BAD_SERIES,
               expected: str | None = None) -> None:
        self.errors.append(RecordError.at(place, code, self.info.name, message, value, expected=expected))

    def _anchor(self, protocol: CheckedProtocol, data: Mapping[str, Any]) -> tuple[dt.date | None, str]:
        """Day 0 for date keys, or why there is none. The anchor's own errors are its own field's to report."""
        name = self.info.anchor
        if name is None:
            return None, (f"{self.info.name} is not declared 'relative to' a date, so its days must be given as day numbers")
        anchor_info = protocol.input(name)
        written = data.get(name)
        if anchor_info is None or written is None:
            return None, f"dates are counted from {name} (day 0), which this record does not give; add {name} or give day numbers"
        try:
            anchor, _ = convert(anchor_info, written)
        except BadValue:
            return None, f"dates are counted from {name} (day 0), which is not a valid date in this record"
        assert isinstance(anchor, dt.date)
        return anchor, ""

    def _pairs(self, mapping: Mapping[Any, Any]) -> list[_Entry]:
        return [_Entry(key, item, key_place(self.file, mapping, key), value_place(self.file, mapping, key))
                for key, item in mapping.items()]

    def entries(self, value: Mapping[Any, Any]) -> list[_Entry]:
        """The entries of any mapping form; the structured forms are recognised by their keys."""
        keys = list(value)
        # YAML 1.1 reads a bare `on` as true, so `{on: [3, 9]}` arrives with the key True.
        on_key = next((k for k in keys if k is True or k == "on"), None)
        if on_key is not None:
            return self._on_form(value, on_key)
        if "values" in keys or "unit" in keys:
            return self._unit_form(value)
        if "from" in keys or "to" in keys:
            self._error(key_place(self.file, value, "from" if "from" in keys else "to"),
                        f"{self.field}: 'from' and 'to' go with 'on: [days]' (the days that are true), which is not given")
            return []
        return self._pairs(value)

    def _unit_form(self, value: Mapping[Any, Any]) -> list[_Entry]:
        extra = [k for k in value if k not in ("unit", "values")]
        if extra:
            self._error(key_place(self.file, value, extra[0]),
                        f"{self.field}: unexpected {', '.join(show(k) for k in extra)} beside 'unit' and 'values'")
        unit, listed = value.get("unit"), value.get("values")
        if "unit" in value:
            at = value_place(self.file, value, "unit")
            target = self.info.type.unit
            if self.boolean or not isinstance(target, Unit):
                self._error(at, f"{self.field}: 'unit' applies to a series of quantities; {self.info.name} is "
                                f"{self.info.type.describe()}", unit)
            elif not isinstance(unit, str) or not unit.strip():
                self._error(at, f"{self.field}: 'unit' must be a unit such as {target.display}, got {show(unit)}", unit,
                            RecordCode.BAD_VALUE)
            else:
                try:
                    parsed = parse_unit(unit)
                except UnitError as error:
                    self._error(at, f"{self.field} unit {show(unit)}: {error}; expected a unit like {target.display}", unit,
                                RecordCode.BAD_VALUE)
                else:
                    if isinstance(parsed, CalendarUnit) or parsed.dimension != target.dimension:
                        self._error(at, f"{self.field} unit {show(unit)}: '{display(unit)}' is not a unit of the same "
                                        f"kind as {target.display}", unit, RecordCode.BAD_VALUE)
                    else:
                        self.unit = unit
            self.unit_failed = self.unit is None  # its numbers are not reported one by one as lacking a unit
        if listed is None:
            self._error(self.at, f"{self.field}: 'values' is missing; give {{unit: UNIT, values: {{day: number, …}}}}")
            return []
        if isinstance(listed, list) and not listed:
            return []
        if not isinstance(listed, MAPPINGS):
            self._error(value_place(self.file, value, "values"),
                        f"{self.field}: 'values' must be a mapping of day: number, got {show(listed)}", listed)
            return []
        return self._pairs(listed)

    def _on_form(self, value: Mapping[Any, Any], on_key: Any) -> list[_Entry]:
        """`{on: [days], from: A, to: B}`: true on the listed days, false on every other day from A to B."""
        if not self.boolean:
            self._error(key_place(self.file, value, on_key), f"{self.field}: 'on: [days]' gives a series of booleans; "
                                                             f"{self.info.name} is {self.info.type.describe()}")
            return []
        extra = [k for k in value if k is not on_key and k not in ("from", "to")]
        if extra:
            self._error(key_place(self.file, value, extra[0]),
                        f"{self.field}: unexpected {', '.join(show(k) for k in extra)} beside 'on', 'from' and 'to'")
        listed = value[on_key]
        if not isinstance(listed, list):
            self._error(value_place(self.file, value, on_key),
                        f"{self.field}: 'on' must be a list of days or dates, e.g. on: [3, 9], got {show(listed)}", listed)
            return []
        bounds: list[int] = []
        for name in ("from", "to"):
            if value.get(name) is None:
                self._error(self.at, f"{self.field}: 'on' needs 'from' and 'to', the first and last day the series covers "
                                     "(every day between them not listed is false)")
                return []
            day = self._day(value[name], f"'{name}'", value_place(self.file, value, name))
            if day is None:
                return []
            bounds.append(day)
        first, last = bounds
        if first > last:
            self._error(value_place(self.file, value, "from"), f"{self.field}: 'from' (day {first}) is after 'to' (day {last})",
                        value["from"])
            return []
        entries: list[_Entry] = []
        for index, key in enumerate(listed):
            at = item_place(self.file, listed, index)
            day = self._day(key, "listed under 'on'", at)
            if day is None:
                continue
            if not first <= day <= last:
                self._error(at, f"{self.field} {self._label(key, day)}: listed under 'on' but outside from day {first} "
                                f"to day {last}", key)
                continue
            entries.append(_Entry(key, True, at, at))
        on_days = {self._day_quiet(entry.key) for entry in entries}
        at = self.at
        entries.extend(_Entry(day, False, at, at) for day in range(first, last + 1) if day not in on_days)
        return entries

    def bind(self, entries: list[_Entry]) -> dict[int, Any]:
        by_day: dict[int, Any] = {}
        written: dict[int, Any] = {}
        for key, item, key_at, item_at in entries:
            day = self._day(key, "key", key_at)
            if day is None:
                continue
            if day in written:
                self._error(key_at, f"{self.field} {self._label(key, day)}: the same day is given twice, as "
                                    f"{show(written[day])} and as {show(key)}", key, RecordCode.GIVEN_TWICE)
                continue
            written[day] = key
            if item is None:
                continue  # a day written as null is a day not recorded
            shown, as_written = show(item), item
            if _is_bare_number(item) and not self.boolean:
                if self.unit_failed:
                    continue
                if self.unit is not None:
                    shown = f"'{item} {self.unit}'"
                    item = {"value": item, "unit": self.unit}
            try:
                bound, _ = convert(self.element, item)
            except BadValue as error:
                hint = ""
                if _is_bare_number(item) and isinstance(self.info.type.unit, Unit) and not self.boolean:
                    hint = f"; or give the series as {{unit: {self.info.type.unit.text}, values: {{day: number, …}}}}"
                self._error(item_at, f"{self.field} {self._label(key, day)} value {shown}: {error}{hint}", as_written, error.code,
                            f"{error}{hint}")
                continue
            by_day[day] = bound
        return by_day

    def _label(self, key: Any, day: int) -> str:
        return f"day {day}" + (f" ({self._date_of(key)})" if self._date_of(key) else "")

    @staticmethod
    def _date_of(key: Any) -> str | None:
        if isinstance(key, str) and _DATE_TEXT.match(key):
            return key.strip()
        if isinstance(key, dt.date):
            return key.isoformat()
        return None

    def _day_quiet(self, key: Any) -> int | None:
        errors = len(self.errors)
        day = self._day(key, "", self.at)
        del self.errors[errors:]
        return day

    def _day(self, key: Any, role: str, at: Place) -> int | None:
        """A day number as written, or a date counted from the anchor; None after saying why it is neither."""
        day: int | None = None
        if isinstance(key, int) and not isinstance(key, bool):
            day = key
        elif isinstance(key, str) and _DAY_TEXT.match(key):
            day = int(key)
        elif isinstance(key, (str, dt.date)) and (not isinstance(key, str) or _DATE_TEXT.match(key)):
            try:
                date = key if isinstance(key, dt.date) else dt.date.fromisoformat(key.strip())
            except ValueError:
                self._error(at, f"{self.field} {role} {show(key)}: not a valid date (YYYY-MM-DD)", key)
                return None
            if isinstance(date, dt.datetime):
                date = date.date()
            if self.anchor is None:
                if not self.anchor_reported:  # once per field: every date in it fails for the same reason
                    self._error(at, f"{self.field} {role} {show(key)}: a date needs a day 0: {self.anchor_problem}", key)
                    self.anchor_reported = True
                return None
            day = (date - self.anchor).days
        else:
            self._error(at, f"{self.field} {role} {show(key)}: expected a day number (e.g. 14 or -7) or a date (YYYY-MM-DD)", key)
            return None
        if abs(day) > DAY_LIMIT:
            self._error(at, f"{self.field} {role} {show(key)}: day {day} is more than {DAY_LIMIT:,} days from day 0", key)
            return None
        return day


def _is_bare_number(item: Any) -> bool:
    if isinstance(item, str):
        return _BARE_NUMBER.match(item) is not None
    return isinstance(item, (int, float)) and not isinstance(item, bool)


def _days_text(days: Sequence[int]) -> str:
    """Sorted days in runs, few enough to read: 'day 5', 'days 5, 7 to 9', 'days 1, 3, 5, 7, … (9 days)'."""
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][1] == day - 1:
            runs[-1][1] = day
        else:
            runs.append([day, day])
    parts = [str(a) if a == b else f"{a} to {b}" for a, b in runs]
    head = "day" if len(days) == 1 else "days"
    if len(parts) > 4:
        return f"{head} {', '.join(parts[:4])}, … ({len(days)} days)"
    return f"{head} {', '.join(parts)}"


def _series_text(by_day: Mapping[int, Any], boolean: bool) -> str:
    """How an explanation shows a series: which days it holds and which are missing, never every value."""
    days = sorted(by_day)
    if not days:
        return "no days recorded"
    count = f"{len(days)} day" if len(days) == 1 else f"{len(days)} days"
    text = f"{count} recorded, day {days[0]}" if len(days) == 1 else f"{count} recorded, day {days[0]} to day {days[-1]}"
    missing = [day for day in range(days[0], days[-1] + 1) if day not in by_day]
    if missing:
        text += f"; {_days_text(missing)} missing"
    if boolean:
        true_days = [day for day in days if by_day[day] is True]
        text += f"; true on {_days_text(true_days)}" if true_days else "; true on no day"
    return text


def _series_raw(value: Any) -> str:
    """The first few entries as written, in the record's order."""
    if isinstance(value, list):
        return "[]"
    assert isinstance(value, MAPPINGS)
    on_key = next((k for k in value if k is True or k == "on"), None)
    if on_key is not None:
        listed = value.get(on_key)
        shown = ", ".join(show_raw(k) for k in listed) if isinstance(listed, list) else show_raw(listed)
        return f"on [{shown}] from {show_raw(value.get('from'))} to {show_raw(value.get('to'))}"
    prefix = ""
    if "values" in value or "unit" in value:
        prefix = f"unit {value.get('unit')}; " if "unit" in value else ""
        value = value.get("values") or {}
    items = list(value.items())
    shown = ", ".join(f"{show_raw(k)}: {show_raw(v)}" for k, v in items[:_SHOWN_ENTRIES])
    more = f", … ({len(items)} entries)" if len(items) > _SHOWN_ENTRIES else ""
    return prefix + "{" + shown + more + "}"
