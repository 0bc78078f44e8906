"""A record's `follow_up:` and `care:` sections → what happened to the patient and what care was given, or every
error in them (CP540–CP549).

No rule reads these sections: `carepath outcomes` reads the first event and the last follow-up, `carepath audit`
the transplant, the doses given and the levels measured. Every time and value may carry `estimated: reason`.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from carepath.data.convert import MAPPINGS, NUMBER, BadValue, convert, show
from carepath.data.errors import Place, RecordCode, RecordError
from carepath.data.located import item_place, key_place, start_place, value_place
from carepath.ir.program import CheckedProtocol, Dose, InputRef, Target
from carepath.language.diagnostics import did_you_mean
from carepath.semantics.units import CalendarUnit, Unit, UnitError, parse_unit

SECTIONS = ("follow_up", "care")
DAYS_PER_MONTH = 365.25 / 12  # a time given in days or as a date is counted in mean calendar months
LONGEST_MONTHS = 1200  # 100 years: a time past this is a slip, not follow-up
_AMOUNT = re.compile(rf"^\s*({NUMBER})\s*(.*?)\s*$")

_FOLLOW_UP_KEYS = ("diagnosed", "first_event", "last_seen", "transplant")
_EVENT_KEYS = ("kind", "at", "estimated")
_SEEN_KEYS = ("status", "at", "estimated")
_TRANSPLANT_KEYS = ("done", "at", "reason", "recommendation", "estimated")
TRANSPLANT_RECOMMENDATION = "hsct_referral"  # the recommendation a transplant answers unless it names another
_CARE_KEYS = ("doses", "levels")
_DOSE_KEYS = ("dose", "day", "given", "estimated")
_LEVEL_KEYS = ("target", "day", "value", "estimated")


class EventKind(enum.Enum):
    """The first event after diagnosis, for event-free survival; NONE: event-free when last seen (censored)."""

    RELAPSE = "relapse"
    DEATH = "death"
    NONE = "none"


class VitalStatus(enum.Enum):
    """Alive or dead when last seen, for overall survival."""

    ALIVE = "alive"
    DEAD = "dead"


@dataclass(frozen=True, slots=True)
class Time:
    """A time from diagnosis: `months` (a day is 1/30.4375 of a month), as written, and why it is estimated, if it is."""

    months: float
    text: str
    estimated: str | None
    place: Place


@dataclass(frozen=True, slots=True)
class FirstEvent:
    kind: EventKind
    at: Time


@dataclass(frozen=True, slots=True)
class LastSeen:
    status: VitalStatus
    at: Time


@dataclass(frozen=True, slots=True)
class Transplant:
    """Whether a transplant was done, when (from diagnosis), and the reason recorded when it was not."""

    done: bool
    at: Time | None
    reason: str | None
    place: Place
    recommendation: str = TRANSPLANT_RECOMMENDATION  # the protocol recommendation this transplant answers


@dataclass(frozen=True, slots=True)
class Amount:
    """A dose given or a level measured, as written and read: `number` in `unit` (None where the unit is unknown)."""

    number: Fraction
    unit: Unit
    text: str


@dataclass(frozen=True, slots=True)
class GivenDose:
    """A dose given: which of a protocol's doses, on which treatment day (None: not said), and the amount."""

    dose: str
    day: int | None
    given: Amount
    estimated: str | None
    place: Place


@dataclass(frozen=True, slots=True)
class MeasuredLevel:
    """A drug level measured: which of a protocol's targets it is read against, on which day, and the value."""

    target: str
    day: int | None
    value: Amount
    estimated: str | None
    place: Place
    bound: object = None  # in the target's measured input's unit, when read against a protocol's target


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One patient's time to event or censoring, for a survival estimate."""

    months: float
    event: bool
    estimated: str | None


@dataclass(frozen=True, slots=True)
class CareRecord:
    """A record's follow-up and care, as read; None where the record does not say."""

    first_event: FirstEvent | None = None
    last_seen: LastSeen | None = None
    transplant: Transplant | None = None
    doses: tuple[GivenDose, ...] = ()
    levels: tuple[MeasuredLevel, ...] = ()

    def event_free(self) -> Endpoint | None:
        """Event-free survival: the first relapse or death, or censoring when last seen event-free."""
        if self.first_event is None:
            return None
        at = self.first_event.at
        return Endpoint(at.months, self.first_event.kind is not EventKind.NONE, at.estimated)

    def overall(self) -> Endpoint | None:
        """Overall survival: death, or censoring when last seen alive; a first event of death is the death, and
        `none` (event-free when last seen) is alive then."""
        if self.last_seen is not None:
            at = self.last_seen.at
            return Endpoint(at.months, self.last_seen.status is VitalStatus.DEAD, at.estimated)
        if self.first_event is not None and self.first_event.kind is not EventKind.RELAPSE:
            return self.event_free()
        return None


class _Reader:
    """Reads one record's sections, collecting errors rather than stopping at the first."""

    def __init__(self, file: str | None, who: str, protocol: CheckedProtocol | None) -> None:
        self.file, self.who, self.protocol = file, who, protocol
        self.errors: list[RecordError] = []
        self.diagnosed: dt.date | None = None

    def fail(self, place: Place, code: RecordCode, field: str, message: str, value: Any = None) -> None:
        self.errors.append(RecordError.at(place, code, field, f"{self.who}: {message}", value))

    def mapping(self, value: Any, place: Place, field: str, keys: tuple[str, ...]) -> Mapping[str, Any] | None:
        if not isinstance(value, MAPPINGS):
            self.fail(place, RecordCode.BAD_SECTION, field, f"'{field}' must be a mapping with {', '.join(keys)}; got {show(value)}", value)
            return None
        for key in value:
            if str(key) not in keys:
                hint = did_you_mean(str(key), list(keys))
                self.fail(key_place(self.file, value, key), RecordCode.BAD_SECTION, f"{field}.{key}",
                          f"'{field}' has no entry '{key}'" + (f"; {hint}" if hint else f"; it takes {', '.join(keys)}"), value[key])
        return value

    def estimated(self, entry: Mapping[str, Any], field: str) -> str | None:
        reason = entry.get("estimated")
        if reason is None:
            return None
        if not isinstance(reason, str) or not reason.strip():
            self.fail(value_place(self.file, entry, "estimated"), RecordCode.BAD_ESTIMATE, f"{field}.estimated",
                      f"'{field}.estimated' must say how the value was estimated, as text; got {show(reason)}", reason)
            return None
        return reason.strip()

    def time(self, entry: Mapping[str, Any], field: str, estimated: str | None) -> Time | None:
        place = value_place(self.file, entry, "at")
        value = entry.get("at")
        if value is None:
            self.fail(start_place(self.file, entry), RecordCode.BAD_TIME, f"{field}.at",
                      f"'{field}' needs 'at': the time from diagnosis (e.g. 10 months) or a date")
            return None
        months = self._months(value, place, field)
        if months is None:
            return None
        return Time(months, _text(value), estimated, place)

    def _months(self, value: Any, place: Place, field: str) -> float | None:
        if isinstance(value, dt.date) or (isinstance(value, str) and re.fullmatch(r"\s*\d{4}-\d\d-\d\d\s*", value)):
            try:
                date = value if isinstance(value, dt.date) else dt.date.fromisoformat(value.strip())
            except ValueError:
                self.fail(place, RecordCode.BAD_TIME, f"{field}.at", f"'{field}.at' {show(value)} is not a date", value)
                return None
            if self.diagnosed is None:
                self.fail(place, RecordCode.BAD_TIME, f"{field}.at",
                          f"'{field}.at' is a date, but 'follow_up.diagnosed' does not give the date of diagnosis to count from", value)
                return None
            if date < self.diagnosed:
                self.fail(place, RecordCode.TIMES_DISAGREE, f"{field}.at",
                          f"'{field}.at' {date.isoformat()} is before the diagnosis on {self.diagnosed.isoformat()}", value)
                return None
            return (date - self.diagnosed).days / DAYS_PER_MONTH
        months = months_of(value) if isinstance(value, str) else None
        if months is None:
            self.fail(place, RecordCode.BAD_TIME, f"{field}.at",
                      f"'{field}.at' {show(value)} is not a time from diagnosis (e.g. 10 months, 45 days, 3 years) or a date", value)
            return None
        if months < 0 or months > LONGEST_MONTHS:
            self.fail(place, RecordCode.BAD_TIME, f"{field}.at", f"'{field}.at' {show(value)} is not a time from diagnosis: "
                      f"it must lie between 0 and {LONGEST_MONTHS // 12} years", value)
            return None
        return months

    def member(self, entry: Mapping[str, Any], key: str, field: str, kinds: type[EventKind] | type[VitalStatus]) -> Any:
        value = entry.get(key)
        names = [kind.value for kind in kinds]
        if isinstance(value, str) and value in names:
            return kinds(value)
        hint = did_you_mean(str(value), names) if isinstance(value, str) else None
        place = value_place(self.file, entry, key) if key in entry else start_place(self.file, entry)
        self.fail(place, RecordCode.BAD_KIND, f"{field}.{key}",
                  f"'{field}.{key}' must be one of {', '.join(names)}; got {show(value)}" + (f"; {hint}" if hint else ""), value)
        return None

    def amount(self, entry: Mapping[str, Any], key: str, field: str) -> Amount | None:
        value = entry.get(key)
        place = value_place(self.file, entry, key) if key in entry else start_place(self.file, entry)
        match = _AMOUNT.match(value) if isinstance(value, str) else None
        unit: Unit | CalendarUnit | None = None
        if match:
            try:
                unit = parse_unit(match.group(2))
            except UnitError:
                unit = None
        if match is None or not isinstance(unit, Unit):
            self.fail(place, RecordCode.BAD_CARE, f"{field}.{key}",
                      f"'{field}.{key}' {show(value)} is not an amount with its unit (e.g. 24 mg/d, 210 ug/L)", value)
            return None
        return Amount(Fraction(match.group(1).replace(",", "")), unit, _text(value))

    def day(self, entry: Mapping[str, Any], field: str) -> int | None:
        value = entry.get("day")
        if value is None or (isinstance(value, int) and not isinstance(value, bool) and abs(value) <= 36525):
            return value
        self.fail(value_place(self.file, entry, "day"), RecordCode.BAD_CARE, f"{field}.day",
                  f"'{field}.day' must be a whole treatment day (day 0 the transplant or the start); got {show(value)}", value)
        return None

    def name(self, entry: Mapping[str, Any], key: str, field: str) -> str | None:
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
        place = value_place(self.file, entry, key) if key in entry else start_place(self.file, entry)
        self.fail(place, RecordCode.BAD_CARE, f"{field}.{key}", f"'{field}' needs '{key}': the name of the protocol's {key}", value)
        return None


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _calendar(text: str) -> CalendarUnit | None:
    try:
        unit = parse_unit(text)
    except UnitError:
        return None
    return unit if isinstance(unit, CalendarUnit) else None


def months_of(text: str) -> float | None:
    """A duration as written (`3 years`, `36 months`, `1000 days`) in months, or None when it is not one."""
    match = _AMOUNT.match(text)
    unit = _calendar(match.group(2)) if match else None
    if match is None or unit is None:
        return None
    try:
        amount = float(Fraction(match.group(1).replace(",", ""))) * unit.multiple
    except OverflowError:  # more digits than a float holds: far past any follow-up
        return float("inf")
    return amount if unit.base == "months" else amount / DAYS_PER_MONTH


def read_care(data: Mapping[str, Any], file: str | None, who: str,
              protocol: CheckedProtocol | None = None) -> tuple[CareRecord | None, list[RecordError]]:
    """A record's `follow_up:` and `care:` sections (None when it has neither), and every error in them. With a
    protocol, a dose given or a level measured under one of its doses or targets must be in a unit of that kind."""
    if not any(section in data for section in SECTIONS):
        return None, []
    reader = _Reader(file, who, protocol)
    first_event = last_seen = transplant = None
    doses: list[GivenDose] = []
    levels: list[MeasuredLevel] = []
    if "follow_up" in data:
        follow_up = reader.mapping(data["follow_up"], value_place(file, data, "follow_up"), "follow_up", _FOLLOW_UP_KEYS)
        if follow_up is not None:
            first_event, last_seen, transplant = _follow_up(reader, follow_up)
    if "care" in data:
        care = reader.mapping(data["care"], value_place(file, data, "care"), "care", _CARE_KEYS)
        if care is not None:
            doses, levels = _care(reader, care)
    if reader.errors:
        return None, reader.errors
    return CareRecord(first_event, last_seen, transplant, tuple(doses), tuple(levels)), []


def _follow_up(reader: _Reader, section: Mapping[str, Any]) -> tuple[FirstEvent | None, LastSeen | None, Transplant | None]:
    file = reader.file
    if "diagnosed" in section:
        value = section["diagnosed"]
        try:
            reader.diagnosed = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value).strip())
        except ValueError:
            reader.fail(value_place(file, section, "diagnosed"), RecordCode.BAD_TIME, "follow_up.diagnosed",
                        f"'follow_up.diagnosed' must be the date of diagnosis as YYYY-MM-DD; got {show(value)}", value)
    first_event = last_seen = transplant = None
    if "first_event" in section:
        entry = reader.mapping(section["first_event"], value_place(file, section, "first_event"), "first_event", _EVENT_KEYS)
        if entry is not None:
            kind = reader.member(entry, "kind", "first_event", EventKind)
            at = reader.time(entry, "first_event", reader.estimated(entry, "first_event"))
            first_event = FirstEvent(kind, at) if kind is not None and at is not None else None
    if "last_seen" in section:
        entry = reader.mapping(section["last_seen"], value_place(file, section, "last_seen"), "last_seen", _SEEN_KEYS)
        if entry is not None:
            status = reader.member(entry, "status", "last_seen", VitalStatus)
            at = reader.time(entry, "last_seen", reader.estimated(entry, "last_seen"))
            last_seen = LastSeen(status, at) if status is not None and at is not None else None
    if "transplant" in section:
        transplant = _transplant(reader, section)
    _agree(reader, section, first_event, last_seen, transplant)
    return first_event, last_seen, transplant


def _transplant(reader: _Reader, section: Mapping[str, Any]) -> Transplant | None:
    place = value_place(reader.file, section, "transplant")
    entry = reader.mapping(section["transplant"], place, "transplant", _TRANSPLANT_KEYS)
    if entry is None:
        return None
    done = entry.get("done")
    if not isinstance(done, bool):
        where = value_place(reader.file, entry, "done") if "done" in entry else start_place(reader.file, entry)
        reader.fail(where, RecordCode.BAD_TRANSPLANT, "transplant.done", f"'transplant.done' must be true or false; got {show(done)}", done)
        return None
    reason = entry.get("reason")
    if reason is not None and not isinstance(reason, str):
        reader.fail(value_place(reader.file, entry, "reason"), RecordCode.BAD_TRANSPLANT, "transplant.reason",
                    f"'transplant.reason' must be text; got {show(reason)}", reason)
        return None
    if not done and not (reason or "").strip():
        reader.fail(start_place(reader.file, entry), RecordCode.BAD_TRANSPLANT, "transplant.reason",
                    "a transplant not done needs 'reason': why it was not done (e.g. economic, no donor, refused)")
        return None
    estimated = reader.estimated(entry, "transplant")
    at = reader.time(entry, "transplant", estimated) if done and "at" in entry else None
    if not done and "at" in entry:
        reader.fail(value_place(reader.file, entry, "at"), RecordCode.BAD_TRANSPLANT, "transplant.at",
                    "'transplant.at' is given for a transplant not done", entry["at"])
        return None
    answers = entry.get("recommendation", TRANSPLANT_RECOMMENDATION)
    if not isinstance(answers, str) or not answers.strip():
        reader.fail(value_place(reader.file, entry, "recommendation"), RecordCode.BAD_TRANSPLANT, "transplant.recommendation",
                    f"'transplant.recommendation' must name the recommendation the transplant answers; got {show(answers)}", answers)
        return None
    return Transplant(done, at, reason.strip() if isinstance(reason, str) else None, place, answers.strip())


def _agree(reader: _Reader, section: Mapping[str, Any], first_event: FirstEvent | None, last_seen: LastSeen | None,
           transplant: Transplant | None) -> None:
    """The times must tell one story: last seen no earlier than the first event, and dead then if it was death."""
    if first_event is not None and last_seen is not None:
        place = value_place(reader.file, section, "last_seen")
        if last_seen.at.months < first_event.at.months:
            reader.fail(place, RecordCode.TIMES_DISAGREE, "last_seen.at",
                        f"last seen at {last_seen.at.text}, before the first event at {first_event.at.text}")
        elif first_event.kind is EventKind.DEATH and (last_seen.status is VitalStatus.ALIVE or last_seen.at.months != first_event.at.months):
            reader.fail(place, RecordCode.TIMES_DISAGREE, "last_seen",
                        f"the first event is death at {first_event.at.text}, but last seen {last_seen.status.value} at {last_seen.at.text}")
        elif first_event.kind is EventKind.NONE and last_seen.status is VitalStatus.DEAD:
            reader.fail(place, RecordCode.TIMES_DISAGREE, "last_seen",
                        "last seen dead, but the first event is 'none': a death is an event")
    if transplant is not None and transplant.at is not None and first_event is not None and first_event.kind is EventKind.DEATH \
            and transplant.at.months > first_event.at.months:
        reader.fail(transplant.at.place, RecordCode.TIMES_DISAGREE, "transplant.at",
                    f"transplant at {transplant.at.text}, after the death at {first_event.at.text}")


def _care(reader: _Reader, section: Mapping[str, Any]) -> tuple[list[GivenDose], list[MeasuredLevel]]:
    doses: list[GivenDose] = []
    levels: list[MeasuredLevel] = []
    for key, keys in (("doses", _DOSE_KEYS), ("levels", _LEVEL_KEYS)):
        items = section.get(key, [])
        if not isinstance(items, list):
            reader.fail(value_place(reader.file, section, key), RecordCode.BAD_CARE, f"care.{key}",
                        f"'care.{key}' must be a list of entries with {', '.join(keys)}; got {show(items)}", items)
            continue
        for index, item in enumerate(items):
            place = item_place(reader.file, items, index)
            entry = reader.mapping(item, place, f"care.{key}", keys)
            if entry is None:
                continue
            if key == "doses":
                given = _given(reader, entry, place)
                doses.extend([given] if given else [])
            else:
                level = _level(reader, entry, place)
                levels.extend([level] if level else [])
    return doses, levels


@dataclass(frozen=True, slots=True)
class _Entry:
    """What a dose given and a level measured both hold: the definition's name, the day, the amount and whether
    it was estimated, with the protocol's definition of that name (None when the protocol has none)."""

    name: str
    day: int | None
    amount: Amount
    estimated: str | None  # the reason given, when estimated
    definition: object | None


def _entry(reader: _Reader, entry: Mapping[str, Any], names: str, amount_key: str, section: str, kind: type) -> _Entry | None:
    """The entry's common part, or None when it cannot be read or names a definition of another kind (both told)."""
    name, day = reader.name(entry, names, section), reader.day(entry, section)
    amount, estimated = reader.amount(entry, amount_key, section), reader.estimated(entry, section)
    if name is None or amount is None:
        return None
    definition = _definition(reader.protocol, name)
    if definition is not None and not isinstance(definition, kind):
        reader.fail(value_place(reader.file, entry, names), RecordCode.CARE_MISFIT, f"{section}.{names}",
                    f"'{name}' is not a {names} of {_protocol_name(reader.protocol)}", name)
        return None
    return _Entry(name, day, amount, estimated, definition)


def _given(reader: _Reader, entry: Mapping[str, Any], place: Place) -> GivenDose | None:
    head = _entry(reader, entry, "dose", "given", "care.doses", Dose)
    if head is None:
        return None
    name, amount, definition = head.name, head.amount, head.definition
    if isinstance(definition, Dose) and amount.unit.dimension != definition.unit.dimension:
        reader.fail(value_place(reader.file, entry, "given"), RecordCode.CARE_MISFIT, "care.doses.given",
                    f"dose {name} given as {amount.text}: not a unit of the same kind as the dose's {definition.unit.display}", amount.text)
        return None
    return GivenDose(name, head.day, amount, head.estimated, place)


def _level(reader: _Reader, entry: Mapping[str, Any], place: Place) -> MeasuredLevel | None:
    head = _entry(reader, entry, "target", "value", "care.levels", Target)
    if head is None:
        return None
    name, amount, definition = head.name, head.amount, head.definition
    bound = None
    if isinstance(definition, Target) and isinstance(definition.measured, InputRef):
        try:
            bound, _ = convert(definition.measured.input, amount.text)
        except BadValue as error:
            reader.fail(value_place(reader.file, entry, "value"), RecordCode.CARE_MISFIT, "care.levels.value",
                        f"level for {name} measured as {amount.text}: {error}", amount.text)
            return None
    return MeasuredLevel(name, head.day, amount, head.estimated, place, bound)


def _definition(protocol: CheckedProtocol | None, name: str) -> object | None:
    if protocol is None:
        return None
    return next((d for d in protocol.definitions if d.name == name), None)


def _protocol_name(protocol: CheckedProtocol | None) -> str:
    return protocol.name if protocol is not None else "the protocol"


__all__ = ["DAYS_PER_MONTH", "SECTIONS", "TRANSPLANT_RECOMMENDATION", "Amount", "CareRecord", "Endpoint", "EventKind", "FirstEvent", "GivenDose", "LastSeen",
           "MeasuredLevel", "Time", "Transplant", "VitalStatus", "months_of", "read_care"]
