"""The record error codes, CP501 to CP508: one member per kind of fault a records file or a record can have,
each with the one-line meaning the diagnostics reference lists.
"""

from __future__ import annotations

import enum


class RecordCode(enum.StrEnum):
    """A record error's code; a `str`, so it prints and serialises as `CP5nn`."""

    UNREADABLE = "CP501"
    NO_ID = "CP502"
    UNKNOWN_FIELD = "CP503"
    BAD_VALUE = "CP504"
    IMPLAUSIBLE = "CP505"
    GIVEN_TWICE = "CP506"
    BAD_SERIES = "CP507"
    DATES_DISAGREE = "CP508"

    @property
    def meaning(self) -> str:
        return MEANINGS[self]


MEANINGS: dict[RecordCode, str] = {
    RecordCode.UNREADABLE: "a records file that cannot be read as records, or a record that is not a mapping of field: value",
    RecordCode.NO_ID: "a record without an `id`",
    RecordCode.UNKNOWN_FIELD: "a field the protocol does not declare and `fields:` does not list",
    RecordCode.BAD_VALUE: "a value that cannot be read as its input's type or unit",
    RecordCode.IMPLAUSIBLE: "a value, given or derived, outside its input's plausible range",
    RecordCode.GIVEN_TWICE: "a field, or a day of a series, given twice",
    RecordCode.BAD_SERIES: "a dated series whose form, days or dates cannot be read",
    RecordCode.DATES_DISAGREE: "dates in the wrong order, or a given age that its dates contradict",
}
