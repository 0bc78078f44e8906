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


class Positions(Protocol):
    """Marks worked out on demand for the containers of one document: `of(container)` → (start, entry marks)."""

    def of(self, container: object) -> tuple[Mark | None, Any]: ...


_NO_MARKS: Mapping[Any, Any] = MappingProxyType({})


class LocatedMapping(dict[Any, Any]):
    """A mapping as read, with the marks of each key and of its value, and the keys written twice (YAML and
    JSON keep only the last value) with the mark of the last writing; `bind` reports those. A mapping read
    from JSON has `positions` instead, which finds the marks only when a place is asked for."""

    start: Mark | None = None
    marks: Mapping[Any, tuple[Mark, Mark]] = _NO_MARKS  # key → (key's mark, value's mark)
    duplicates: Mapping[str, Mark | None] = _NO_MARKS  # key as text → where it was written the last time
    positions: Positions | None = None


class LocatedList(list[Any]):
    """A list as read, with the mark of each item (or, read from JSON, the `positions` that find them)."""

    start: Mark | None = None
    marks: Sequence[Mark] = ()
    positions: Positions | None = None


def _marks_of(container: object) -> tuple[Mark | None, Any]:
    positions: Positions | None = getattr(container, "positions", None)
    if positions is not None:
        return positions.of(container)
    return getattr(container, "start", None), getattr(container, "marks", _NO_MARKS)


def place(file: str | None, mark: Mark | None) -> Place:
    return Place(file) if mark is None else Place(file, mark.line + 1, mark.column + 1)


def start_place(file: str | None, container: object) -> Place:
    """Where a mapping or list read from a file begins."""
    return place(file, _marks_of(container)[0])


def key_place(file: str | None, container: object, key: Any) -> Place:
    """Where a key of a mapping read from a file was written; the mapping's start if the key is not known."""
    start, marks = _marks_of(container)
    return place(file, marks[key][0] if isinstance(marks, Mapping) and key in marks else start)


def value_place(file: str | None, container: object, key: Any) -> Place:
    """Where the value of a key of a mapping read from a file was written."""
    start, marks = _marks_of(container)
    return place(file, marks[key][1] if isinstance(marks, Mapping) and key in marks else start)


def item_place(file: str | None, container: object, index: int) -> Place:
    """Where the item at `index` of a list read from a file was written."""
    start, marks = _marks_of(container)
    known = isinstance(marks, Sequence) and 0 <= index < len(marks)
    return place(file, marks[index] if known else start)


def duplicate_place(file: str | None, container: object, key: str) -> Place:
    """Where a key written twice was written the last time (JSON keys are text, so their last mark is theirs)."""
    duplicates: Mapping[str, Mark | None] = getattr(container, "duplicates", _NO_MARKS)
    mark = duplicates.get(key)
    return place(file, mark) if mark is not None else key_place(file, container, key)
