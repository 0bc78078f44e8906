"""Patient ids across a batch, and where each value was read: an id given to more than one record makes every
copy invalid (naming each place it appears), so no decision is issued under an id that names two patients.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from carepath.data.errors import Place, RecordCode, RecordError
from carepath.data.located import value_place

if TYPE_CHECKING:
    from carepath.data.records import InvalidRecord, PatientRecord


@dataclass(frozen=True, slots=True)
class SourcePlace:
    """Where a field's value was written in a YAML or JSON file, worked out when first printed (for JSON that
    costs a YAML pass over the file, which only an explanation needs)."""

    file: str | None
    container: Any = field(compare=False, repr=False)
    key: Any

    def __str__(self) -> str:
        return str(value_place(self.file, self.container, self.key))


def refuse_duplicates(records: Sequence[PatientRecord | InvalidRecord], places: Sequence[Place | str]) -> list[PatientRecord | InvalidRecord]:
    """Every record whose id another record also has, made invalid with a CP509 error at its own place that
    names every place the id appears; `places[i]` is where record i's id is written. The rest are returned as they are."""
    from carepath.data.records import InvalidRecord

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
            if isinstance(record, InvalidRecord) and any(e.code is RecordCode.DUPLICATE_ID for e in record.errors):
                continue  # refused already, within its own source
            place = places[index]
            where = place if isinstance(place, Place) else Place(str(place))
            message = (f"patient '{patient}': the id is given to {len(indices)} records ({everywhere}); "
                       "no decision is made under an id that names more than one patient")
            error = replace(RecordError.at(where, RecordCode.DUPLICATE_ID, "id", message, patient), patient=patient)
            earlier = record.errors if isinstance(record, InvalidRecord) else ()
            out[index] = InvalidRecord(patient, (error, *earlier), record.where)
    return out
