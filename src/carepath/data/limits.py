"""What a records file may make large, and the record errors past each limit (CP520 to CP527, docs/limits.md).

Every limit is checked where the size is first known, before any work grows with it: the file's bytes before it
is read, nesting, aliases and long numbers while YAML composes its nodes (`safeload`), fields, id and JSON nesting
when a record is bound, a series' days before they are bound. A record past a limit is rejected with that one
error, never read further; the other records of the file still run. Values quoted in any message are bounded too.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from carepath.data.errors import Place, RecordCode, RecordError
from carepath.data.located import start_place, value_place

FILE_BYTES = 16 * 1024 * 1024  # a records file; a larger cohort is split into files (or directories) of records
FIELDS = 1000  # fields of one record, `id` and `about` included
DEPTH = 32  # mappings and lists nested within one record, the record itself the first
SERIES_DAYS = 10_000  # days given in one series, about 27 years of daily values
ALIAS_EXPANSION = 100_000  # nodes and characters the YAML aliases of one record stand for, summed
DIGITS = 100  # digits of a number written in YAML or JSON
ID_CHARS = 200  # characters of a record's id
TABLE_BYTES = 512 * 1024 * 1024  # a CSV export, a FHIR Bundle or standard input; a larger cohort is Parquet or NDJSON
RESOURCE_BYTES = FILE_BYTES  # one line of bulk NDJSON, one resource

SHOWN = 120  # characters of a value quoted inside a message before it is cut
_SHOWN_DEPTH = 4  # levels of a mapping or list shown inside a message


class Limit(enum.Enum):
    """Each limit, with its code (a `RecordCode`) and its value, as docs/limits.md lists them."""

    FILE_BYTES = (RecordCode.FILE_TOO_LARGE, FILE_BYTES)
    FIELDS = (RecordCode.TOO_MANY_FIELDS, FIELDS)
    DEPTH = (RecordCode.NESTED_TOO_DEEPLY, DEPTH)
    SERIES_DAYS = (RecordCode.SERIES_TOO_LONG, SERIES_DAYS)
    ALIAS_EXPANSION = (RecordCode.ALIASES_TOO_LARGE, ALIAS_EXPANSION)
    DIGITS = (RecordCode.TOO_MANY_DIGITS, DIGITS)
    ID_CHARS = (RecordCode.ID_TOO_LONG, ID_CHARS)
    TAGS = (RecordCode.UNKNOWN_TAG, 0)  # tags other than YAML's own: none is read

    @property
    def code(self) -> RecordCode:
        return self.value[0]

    @property
    def amount(self) -> int:
        return int(self.value[1])


@dataclass(frozen=True, slots=True)
class Exceeded:
    """What the loader put in place of a value past a limit (a subtree nested too deep, an alias repeating too
    much, a number with too many digits): the value itself is never built. `field` is the record's field it is in."""

    limit: Limit
    message: str
    line: int | None = None  # 1-based, where the value was written
    column: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        return f"<{self.message}>"


def clip(text: str, limit: int = SHOWN) -> str:
    """Text cut to `limit` characters, saying how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def shown(value: Any) -> str:
    """A value inside a message, whatever YAML or JSON gave: text quoted, mappings as JSON, lists as lists; a value
    too large, too deep, shared or with keys JSON cannot write is shown in the same style but cut, never built whole."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{clip(value)}'"
    if isinstance(value, (Mapping, list)):
        if _small(value):
            try:
                return clip(json.dumps(dict(value), default=str) if isinstance(value, Mapping) else repr(value), 2 * SHOWN)
            except (TypeError, ValueError, RecursionError):
                pass
        return _bounded(value)
    if isinstance(value, int) and value.bit_length() > 3 * DIGITS:
        return _scalar(value, quoted=True)
    return clip(repr(value))


def _small(value: Any) -> bool:
    """Whether a value is small enough to write out whole: a walk that stops at a budget, so it ends on any value."""
    budget = 64
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        budget -= 1
        if budget < 0 or depth > _SHOWN_DEPTH:
            return False
        if isinstance(item, Mapping):
            stack.extend((inner, depth + 1) for pair in item.items() for inner in pair)
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend((inner, depth + 1) for inner in item)
        elif (isinstance(item, (str, bytes)) and len(item) > SHOWN) or (isinstance(item, int) and item.bit_length() > 3 * DIGITS):
            return False
    return True


def _bounded(value: Any) -> str:
    out: list[str] = []
    budget = [SHOWN]

    def put(text: str) -> bool:
        if budget[0] <= 0:
            return False
        out.append(text[: budget[0]])
        budget[0] -= len(text)
        return budget[0] > 0

    def walk(item: Any, depth: int) -> bool:
        if isinstance(item, (Mapping, list, tuple, set, frozenset)) and depth >= _SHOWN_DEPTH:
            return put("…")
        if isinstance(item, Mapping):
            if not put("{"):
                return False
            for index, (key, inner) in enumerate(item.items()):
                if (index and not put(", ")) or not walk(key, depth + 1) or not put(": ") or not walk(inner, depth + 1):
                    return False
            return put("}")
        if isinstance(item, (list, tuple, set, frozenset)):
            if not put("["):
                return False
            for index, inner in enumerate(item):
                if (index and not put(", ")) or not walk(inner, depth + 1):
                    return False
            return put("]")
        return put(json.dumps(item[: SHOWN + 1], ensure_ascii=False) if isinstance(item, str) else _scalar(item, quoted=True))

    walk(value, 0)
    text = "".join(out)
    return text if budget[0] > 0 else text + "…"


def _scalar(value: Any, quoted: bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null" if quoted else "None"
    if isinstance(value, str):
        return f"'{clip(value)}'" if quoted else clip(value)
    if isinstance(value, bytes):
        return repr(value[:SHOWN])
    if isinstance(value, int) and value.bit_length() > 3 * DIGITS:
        return f"<a number of about {int(value.bit_length() * 0.30103):,} digits>"
    return clip(repr(value) if quoted and not isinstance(value, (dt.date, Exceeded)) else str(value))


def digits(text: str) -> int:
    """The digits of a number as written, exponent included, not its sign, point, `e`, `_` or `0x` (whose digits
    are counted as hexadecimal ones)."""
    head, x, tail = text.lower().partition("x")
    if x:
        return sum(character in "0123456789abcdef" for character in tail)
    return sum(character.isdigit() for character in head)


def too_many_digits(text: str) -> str | None:
    """Why a number written as `text` is not read, or None."""
    count = digits(text)
    if count <= DIGITS:
        return None
    return f"a number written with {count:,} digits; carepath reads at most {DIGITS}"


def over_limits(data: Mapping[Any, Any], file: str | None, where: str) -> list[RecordError]:
    """The limits a record read from a file is past, each a located `RecordError` (empty when it is within them).

    The loader found nesting, aliases and long numbers in YAML as it composed the record (`exceeded`); a JSON
    record is walked here for its nesting and its long numbers; fields and the id are counted for both."""
    errors: list[RecordError] = []
    found: tuple[Exceeded, ...] = getattr(data, "exceeded", ())
    if not found and getattr(data, "positions", None) is not None:
        found = _json_exceeded(data)
    who = _who(data, where)
    for item in _first_of_each(found):
        field = f" field '{clip(item.field, 40)}':" if item.field is not None else ""
        place = Place(file, item.line, item.column) if item.line is not None else _field_place(file, data, item.field)
        errors.append(RecordError.at(place, item.limit.code, item.field, f"{who}:{field} {item.message}"))
    if len(data) > FIELDS:
        errors.append(
            RecordError.at(start_place(file, data), RecordCode.TOO_MANY_FIELDS, None, f"{who}: {len(data):,} fields; a record holds at most {FIELDS:,}")
        )
    record_id = data.get("id")
    if isinstance(record_id, str) and len(record_id) > ID_CHARS:
        errors.append(
            RecordError.at(
                value_place(file, data, "id"),
                RecordCode.ID_TOO_LONG,
                "id",
                f"{where}: an id of {len(record_id):,} characters, '{clip(record_id, 40)}'; an id has at most {ID_CHARS}",
            )
        )
    return errors


def _first_of_each(found: tuple[Exceeded, ...]) -> list[Exceeded]:
    """The first of each kind: a bomb's thousand aliases are one cause, and one error."""
    seen: set[Limit] = set()
    firsts = []
    for item in found:
        if item.limit not in seen:
            seen.add(item.limit)
            firsts.append(item)
    return firsts


def series_too_long(value: Any) -> str | None:
    """Why a series as written holds too many days to bind, or None: counted before any day is read, in each
    form (`{day: value}`, `{unit:, values:}`, and `{on:, from:, to:}`, whose days run from `from` to `to`)."""
    if not isinstance(value, Mapping):
        return None
    count = len(value)
    on = next((value[key] for key in value if key is True or key == "on"), None)
    if on is not None:
        first, last = value.get("from"), value.get("to")
        span = 0
        if isinstance(first, int) and isinstance(last, int) and not isinstance(first, bool) and not isinstance(last, bool):
            span = last - first + 1
        count = max(len(on) if isinstance(on, list) else 0, span)
    elif "values" in value or "unit" in value:
        listed = value.get("values")
        count = len(listed) if isinstance(listed, (Mapping, list)) else 0
    if count <= SERIES_DAYS:
        return None
    return f"a series of {count:,} days; a series holds at most {SERIES_DAYS:,}"


def readable_id(data: Mapping[Any, Any]) -> str | None:
    """The record's id as results show it, or None when it has none that can be shown."""
    record_id = data.get("id")
    if record_id is None or isinstance(record_id, (Mapping, list, Exceeded)):
        return None
    text = str(record_id)
    return None if len(text) > ID_CHARS else text


def _who(data: Mapping[Any, Any], where: str) -> str:
    patient = readable_id(data)
    return f"patient '{patient}'" if patient is not None else where


def _field_place(file: str | None, data: Mapping[Any, Any], name: str | None) -> Place:
    return value_place(file, data, name) if name is not None and name in data else start_place(file, data)


def _json_exceeded(data: Mapping[Any, Any]) -> tuple[Exceeded, ...]:
    """A JSON record's long numbers (the reader put an `Exceeded` in their place) and its first subtree nested
    past `DEPTH`: a stack, not recursion, since JSON nests deeper than Python recurses."""
    found: list[Exceeded] = []
    deep_reported = False
    stack: list[tuple[Any, int, str | None]] = [(data, 1, None)]
    while stack:
        value, level, field = stack.pop()
        items = value.items() if isinstance(value, Mapping) else enumerate(value)
        for key, inner in items:
            name = str(key) if level == 1 else field
            if isinstance(inner, Exceeded):
                found.append(Exceeded(inner.limit, inner.message, None, None, name))
            elif isinstance(inner, (Mapping, list)):
                if level + 1 > DEPTH:
                    if not deep_reported:
                        found.append(Exceeded(Limit.DEPTH, f"nested more than {DEPTH} levels deep", None, None, name))
                        deep_reported = True
                    continue
                stack.append((inner, level + 1, name))
    return tuple(found)


__all__ = [
    "ALIAS_EXPANSION",
    "DEPTH",
    "DIGITS",
    "FIELDS",
    "FILE_BYTES",
    "ID_CHARS",
    "SERIES_DAYS",
    "SHOWN",
    "Exceeded",
    "Limit",
    "clip",
    "digits",
    "over_limits",
    "readable_id",
    "series_too_long",
    "shown",
    "too_many_digits",
]
