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
        """An error at `place`; `value` is the value as read, shown as written (None: no value)."""
        shown = None if value is None else written(value)
        return cls(field, message, code, place.file, place.line, place.column, shown, patient, expected)

    @property
    def place(self) -> Place:
        return Place(self.file, self.line, self.column)


_WRITTEN_DEPTH = 20  # nesting shown before "…": a value nested deeper is a slip, not a record


def written(value: Any, depth: int = 0) -> str:
    """A value read from YAML or JSON, shown as it was written: text as is, mappings and lists in flow style."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, (Mapping, list)) and depth >= _WRITTEN_DEPTH:
        return "…"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{written(k, depth + 1)}: {written(v, depth + 1)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(written(item, depth + 1) for item in value) + "]"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
