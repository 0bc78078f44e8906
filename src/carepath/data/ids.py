"""Patient ids across a batch, and where each value was read: an id given to more than one record makes every
copy invalid (naming each place it appears), so no decision is issued under an id that names two patients.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, NamedTuple, Protocol, TypeVar

from carepath.data.errors import Place, RecordCode, RecordError
from carepath.data.located import value_place


class Identified(Protocol):
    """A bound record, valid or not: its id and where it was read. An invalid one also has `errors`."""

    @property
    def id(self) -> str | None: ...

    @property
    def where(self) -> str: ...


R = TypeVar("R", bound=Identified)


class SourcePlace(NamedTuple):
    """Where a field's value was written in a YAML or JSON file, worked out when first printed (for JSON that
    costs a YAML pass over the file, which only an explanation needs). A named tuple: one is made per value bound,
    and a tuple is the cheapest object to make."""

    file: str | None
    container: Any
    key: Any

    def __str__(self) -> str:
        return str(value_place(self.file, self.container, self.key))


def refuse_duplicates(records: Sequence[R], places: Sequence[Place | str],
                      invalid: Callable[[str, tuple[RecordError, ...], str], R]) -> list[R]:
    """Every record whose id another record also has, made invalid (by `invalid(id, errors, where)`) with a CP509
    error at its own place that names every place the id appears; `places[i]` is where record i's id is written.
    The rest are returned as they are."""
    seen: dict[str, list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        if record.id is not None:
            seen[record.id].append(index)
    out = list(records)
    for patient, indices in seen.items():
        if len(indices) < 2:
            continue
        everywhere = ", ".join(str(places[i]) for i in indices)
        for index in indices:
            record = out[index]
            earlier: tuple[RecordError, ...] = getattr(record, "errors", ())
            if any(e.code is RecordCode.DUPLICATE_ID for e in earlier):
                continue  # refused already, within its own source
            place = places[index]
            where = place if isinstance(place, Place) else Place(str(place))
            message = (f"patient '{patient}': the id is given to {len(indices)} records ({everywhere}); "
                       "no decision is made under an id that names more than one patient")
            error = replace(RecordError.at(where, RecordCode.DUPLICATE_ID, "id", message, patient), patient=patient)
            out[index] = invalid(patient, (error, *earlier), record.where)
    return out
