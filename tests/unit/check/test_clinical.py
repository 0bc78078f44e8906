"""The checker's doses, targets and events: amounts in the dose's unit, schedules, bounds, and series read day by day."""

from __future__ import annotations

import pytest

import carepath
from carepath import ProtocolError, Source
from carepath.ir import program as p

HEAD = "protocol p\ninput\n  weight : quantity kg\n  m : quantity /uL\n  s : series of boolean relative to start\n  start : date\n"


def definition(text: str) -> p.Definition:
    return carepath.compile_source(Source("p.care", HEAD + text)).checked.definitions[-1]


def errors(text: str) -> list[tuple[str, int, int]]:
    with pytest.raises(ProtocolError) as raised:
        carepath.compile_source(Source("p.care", HEAD + text))
    return [(d.code, d.span.line, d.span.column) for d in raised.value.diagnostics]


def test_an_amount_is_converted_into_the_doses_unit() -> None:
    dose = definition("dose x in mg:\n  0.5 g\n")
    assert isinstance(dose, p.Dose)
    (band,) = dose.branches
    assert band.name == "always"
    assert isinstance(band.amount, p.Arith) and band.amount.op is p.ArithOp.MULTIPLY  # 0.5 g × 1000 = 500 mg
    (scale,) = [c for c in band.amount.find_all(p.Const) if c.text == ""]
    assert scale.value == 1000


def test_a_schedule_is_printed_and_its_days_listed() -> None:
    dose = definition("dose x in mg:\n  2 mg/kg * weight\n  given 4 times daily on days -7 to -4\n")
    assert isinstance(dose, p.Dose)
    assert (dose.schedule, dose.days, dose.from_day) == ("4 times daily on days -7 to -4", (-7, -6, -5, -4), None)
    opened = definition("dose x in mg:\n  2 mg\n  given once daily from day 3\n")
    assert isinstance(opened, p.Dose) and (opened.days, opened.from_day) == (None, 3)


def test_an_amount_in_the_wrong_dimension_and_a_backwards_range() -> None:
    assert errors("dose x in mg:\n  2 mg/kg\n") == [("CP302", 8, 3)]
    assert errors("dose x in mg:\n  2 mg\n  given daily on days 5 to 1\n") == [("CP405", 9, 15)]


def test_a_target_holds_its_bounds_in_the_measured_unit() -> None:
    target = definition("target t:\n  m within 0.5 10*9/L .. 1 10*9/L\n")
    assert isinstance(target, p.Target)
    assert (target.low.value, target.high.value) == (500, 1000)
    assert errors("target t:\n  m within 9 /uL .. 1 /uL\n") == [("CP405", 8, 12)]


def test_an_event_reads_the_series_its_condition_names() -> None:
    event = definition("event e: first of 2 consecutive days where s and no s in previous 3 days\n")
    assert isinstance(event, p.Event)
    assert (event.run, [i.name for i in event.series]) == (2, ["s"])
    assert errors("event e: first day where m > 1 /uL\n") == [("CP301", 7, 26)]
