"""The containers the record loader builds: a mapping and a list that remember where each entry was written
(the YAML node marks), and the `Place`s they give for an error about an entry. Plain dicts and lists give none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Protocol

from carepath.data.errors import Place


class Mark(Protocol):
    """A position as YAML's marks give it: 0-based line and column."""

    @property
    def line(self) -> int: ...

    @property
    def column(self) -> int: ...


_NO_MARKS: Mapping[Any, Any] = MappingProxyType({})


class LocatedMapping(dict[Any, Any]):
    """A mapping as read, with the marks of each key and of its value, and the keys written twice (YAML and
    JSON keep only the last value) with the mark of the last writing; `bind` reports those."""

    start: Mark | None = None
    marks: Mapping[Any, tuple[Mark, Mark]] = _NO_MARKS  # key → (key's mark, value's mark)
    duplicates: Mapping[str, Mark | None] = _NO_MARKS  # key as text → where it was written the last time


class LocatedList(list[Any]):
    """A list as read, with the mark of each item."""

    start: Mark | None = None
    marks: Sequence[Mark] = ()


def place(file: str | None, mark: Mark | None) -> Place:
    return Place(file) if mark is None else Place(file, mark.line + 1, mark.column + 1)


def start_place(file: str | None, container: object) -> Place:
    """Where a mapping or list read from a file begins."""
    return place(file, getattr(container, "start", None))


def key_place(file: str | None, container: object, key: Any) -> Place:
    """Where a key of a mapping read from a file was written; the mapping's start if the key is not known."""
    marks = getattr(container, "marks", _NO_MARKS)
    return place(file, marks[key][0]) if key in marks else start_place(file, container)


def value_place(file: str | None, container: object, key: Any) -> Place:
    """Where the value of a key of a mapping read from a file was written."""
    marks = getattr(container, "marks", _NO_MARKS)
    return place(file, marks[key][1]) if key in marks else start_place(file, container)


def item_place(file: str | None, container: object, index: int) -> Place:
    """Where the item at `index` of a list read from a file was written."""
    marks: Sequence[Mark] = getattr(container, "marks", ())
    return place(file, marks[index]) if 0 <= index < len(marks) else start_place(file, container)


def duplicate_place(file: str | None, container: object, key: str) -> Place:
    """Where a key written twice was written the last time."""
    duplicates: Mapping[str, Mark | None] = getattr(container, "duplicates", _NO_MARKS)
    mark = duplicates.get(key)
    return place(file, mark) if mark is not None else start_place(file, container)
