"""Static types say themselves in words for diagnostics and hovers."""

from __future__ import annotations

from carepath.semantics.types import BOOLEAN, DAYS, NUMBER, Kind, Type
from carepath.semantics.units import parse_unit


def test_each_type_describes_itself() -> None:
    assert Type(Kind.QUANTITY, parse_unit("/uL")).describe() == "a quantity in /µL"
    assert Type(Kind.ENUM, members=("germline", "translocation")).describe() == "one of germline, translocation"
    assert Type(Kind.SERIES, element=Type(Kind.QUANTITY, parse_unit("/uL"))).describe() == "a series of quantity in /µL"
    assert BOOLEAN.describe() == "a boolean"
    assert NUMBER.describe() == "a plain number"
    assert DAYS.describe() == "a list of days"


def test_types_are_values() -> None:
    assert Type(Kind.QUANTITY, parse_unit("mg")) == Type(Kind.QUANTITY, parse_unit("mg"))
    assert Type(Kind.QUANTITY, parse_unit("mg")) != Type(Kind.QUANTITY, parse_unit("g"))
