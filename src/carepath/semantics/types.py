"""Static types of inputs, definitions and literals, as the checker infers them."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from carepath.semantics.units import CalendarUnit, Unit


class Kind(enum.Enum):
    QUANTITY = "quantity"
    DURATION = "duration"
    BOOLEAN = "boolean"
    TEXT = "text"
    DATE = "date"
    ENUM = "enumeration"
    NUMBER = "number"
    DAY = "day"  # a day counted from an anchor date (day 0), e.g. the day of transplant
    DAYS = "days"  # a list of days: a schedule parameter
    SERIES = "series"  # values by day; `element` is the type of each value


@dataclass(frozen=True, slots=True)
class Type:
    kind: Kind
    unit: Unit | CalendarUnit | None = None
    members: tuple[str, ...] = ()
    owner: str | None = None  # the input or classification an enumeration belongs to
    element: Type | None = None  # a series' values

    def describe(self) -> str:
        if self.kind is Kind.QUANTITY and isinstance(self.unit, Unit):
            return f"a quantity in {self.unit.display}"
        if self.kind is Kind.ENUM:
            return f"one of {', '.join(self.members)}"
        if self.kind is Kind.SERIES and self.element is not None:
            return f"a series of {self.element.describe().removeprefix('a ').removeprefix('an ')}"
        names: dict[Kind, str] = {Kind.BOOLEAN: "a boolean", Kind.DURATION: "a duration", Kind.TEXT: "text", Kind.DATE: "a date",
                                  Kind.NUMBER: "a plain number", Kind.DAY: "a day", Kind.DAYS: "a list of days"}
        return names.get(self.kind, str(self.kind.value))


BOOLEAN = Type(Kind.BOOLEAN)
TEXT = Type(Kind.TEXT)
DATE = Type(Kind.DATE)
DURATION = Type(Kind.DURATION)
NUMBER = Type(Kind.NUMBER)
DAY = Type(Kind.DAY)
DAYS = Type(Kind.DAYS)
