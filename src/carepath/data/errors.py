"""Record errors as data: a CP5xx code, the message, the field, and where the value at fault was written
(file, line, column) with its text as written.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from carepath.language.codes import Code, lookup


class RecordCode(enum.StrEnum):
    """A record error's code, one per kind of fault; a `str`, so it prints and serialises as `CP5nn`. Each is
    registered, with its summary and docs anchor, in `carepath.language.codes`."""

    UNREADABLE = "CP501"  # a file that is not records, or a record that is not a mapping
    NO_ID = "CP502"
    UNKNOWN_FIELD = "CP503"
    BAD_VALUE = "CP504"  # wrong type, unknown or wrong unit, no unit, not a member, bad date
    IMPLAUSIBLE = "CP505"  # given, or derived from dates
    GIVEN_TWICE = "CP506"  # a field, or a day of a series
    BAD_SERIES = "CP507"  # the series' form, days or dates
    DATES_DISAGREE = "CP508"  # dates in the wrong order, or an age its dates contradict
    DUPLICATE_ID = "CP509"  # every copy of an id given to more than one record
    EMPTY_ID = "CP510"
    INVALID_RESOURCE = "CP511"  # a FHIR resource its R4 model refuses
    NO_PATIENT = "CP512"  # a FHIR resource whose patient is unknown, or a patient's resources apart in bulk data
    # past a limit (carepath.data.limits, docs/limits.md)
    FILE_TOO_LARGE = "CP520"
    TOO_MANY_FIELDS = "CP521"
    NESTED_TOO_DEEPLY = "CP522"
    SERIES_TOO_LONG = "CP523"
    ALIASES_TOO_LARGE = "CP524"
    TOO_MANY_DIGITS = "CP525"
    ID_TOO_LONG = "CP526"
    UNKNOWN_TAG = "CP527"  # a YAML tag other than YAML's own, which carepath never constructs
    NUMBER_TOO_LARGE = "CP528"  # a value's number past 10^15 (the protocols' CP109)
    UNIT_TOO_LARGE = "CP529"  # a unit's 10*n factor past ±30 or a power past 9 (CP110)
    DURATION_TOO_LONG = "CP530"  # a duration past 200 years (CP111)
    # CP540-CP549: the `follow_up:` and `care:` sections (carepath.data.followup)
    BAD_SECTION = "CP540"  # a section or entry that is not a mapping, or an entry it does not take
    BAD_TIME = "CP541"  # a follow-up time missing or unreadable
    BAD_KIND = "CP542"  # an event kind or vital status not listed
    TIMES_DISAGREE = "CP543"  # follow-up times that tell two stories
    BAD_TRANSPLANT = "CP544"  # `done` not true/false, or not done with no reason
    BAD_ESTIMATE = "CP545"  # `estimated:` without a reason
    BAD_CARE = "CP546"  # a dose given or level measured that cannot be read
    CARE_MISFIT = "CP547"  # a dose given or level measured that does not fit the protocol's dose or target

    @property
    def entry(self) -> Code:
        return lookup(self.value)


@dataclass(frozen=True, slots=True)
class Place:
    """Where something was written: a file and, when known, a 1-based line and column."""

    file: str | None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [str(part) for part in (self.file, self.line, self.column) if part is not None]
        return ":".join(parts)


NOWHERE = Place(None)  # a record built in code rather than read from a file


@dataclass(frozen=True, slots=True)
class RecordError:
    """One fault in a record or a records file. `field` is None for a fault of the whole record or file;
    `value` is the offending value as written, None where no single value is at fault; `expected` what would
    have fitted, where a value was read and did not fit; `patient` the record's id, when it has one."""

    field: str | None
    message: str
    code: RecordCode
    file: str | None = None
    line: int | None = None
    column: int | None = None
    value: str | None = None
    patient: str | None = None
    expected: str | None = None

    @classmethod
    def at(cls, place: Place, code: RecordCode, field: str | None, message: str, value: Any = None, *,
           patient: str | None = None, expected: str | None = None) -> RecordError:
        """An error at `place`; `value` is the value as read, shown as written (None: no value). A field name or a
        message as long as a file can make it is cut, so no error repeats a value past a few lines."""
        shown = None if value is None else written(value)
        if field is not None and len(field) > _FIELD_CHARS:
            field = field[:_FIELD_CHARS] + "…"
        if len(message) > _MESSAGE_CHARS:
            message = message[:_MESSAGE_CHARS] + f"… ({len(message):,} characters)"
        return cls(field, message, code, place.file, place.line, place.column, shown, patient, expected)

    @property
    def place(self) -> Place:
        return Place(self.file, self.line, self.column)


_WRITTEN_DEPTH = 20  # nesting shown before "…": a value nested deeper is a slip, not a record
_WRITTEN_CHARS = 1000  # characters of a value as written kept in an error; longer values are cut
_FIELD_CHARS = 200
_MESSAGE_CHARS = 2000


def written(value: Any, depth: int = 0) -> str:
    """A value read from YAML or JSON, shown as it was written: text as is, mappings and lists in flow style; at
    most `_WRITTEN_CHARS` characters, built no further than that, however large or shared the value is."""
    out: list[str] = []
    _write(value, depth, out, [_WRITTEN_CHARS])
    text = "".join(out)
    return text if len(text) <= _WRITTEN_CHARS else text[:_WRITTEN_CHARS] + "…"


def _write(value: Any, depth: int, out: list[str], left: list[int]) -> None:
    """Appends pieces to `out` until `left[0]` characters are spent."""
    if left[0] <= 0:
        return
    if isinstance(value, (Mapping, list)) and depth < _WRITTEN_DEPTH:
        items = iter(value.items()) if isinstance(value, Mapping) else iter(value)
        opening, closing = ("{", "}") if isinstance(value, Mapping) else ("[", "]")
        out.append(opening)
        left[0] -= 1
        for index, item in enumerate(items):
            if left[0] <= 0:
                return
            if index:
                out.append(", ")
                left[0] -= 2
            if isinstance(value, Mapping):
                _write(item[0], depth + 1, out, left)
                out.append(": ")
                left[0] -= 2
                _write(item[1], depth + 1, out, left)
            else:
                _write(item, depth + 1, out, left)
        out.append(closing)
        left[0] -= 1
        return
    text = _written_scalar(value)[: left[0] + 1]
    out.append(text)
    left[0] -= len(text)


def _written_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, (Mapping, list)):
        return "…"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and value.bit_length() > 1000:
        return f"<a number of about {int(value.bit_length() * 0.30103):,} digits>"
    return str(value)
