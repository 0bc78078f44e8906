"""The checker's dose limits and deadlines: amounts in the dose's unit, doses counted per day and per course from
the schedule, and deadlines as whole months or days from a date input."""

from __future__ import annotations

import pytest

import carepath
from carepath import ProtocolError, Source
from carepath.ir import program as p

HEAD = "protocol p\ninput\n  weight : quantity kg plausible 2 kg .. 150 kg\n  diagnosed : date\n  age : duration\n"


def definition(text: str) -> p.Definition:
    return carepath.compile_source(Source("p.care", HEAD + text)).checked.definitions[-1]


def codes(text: str) -> list[str]:
    with pytest.raises(ProtocolError) as raised:
        carepath.compile_source(Source("p.care", HEAD + text))
    return [d.code for d in raised.value.diagnostics]


@pytest.mark.parametrize(("schedule", "per_day", "per_course"), [
    ("given 4 times daily on days -7 to -4", 4, 16),
    ("given every 6 hours on days 1 to 2", 4, 8),
    ("given once daily on days -3 to -2", 1, 2),
    ("given once on day -3", 1, 1),
    ("given daily on days 1, 3, 5", 1, 3),
])
def test_doses_in_a_day_and_a_course_come_from_the_schedule(schedule: str, per_day: int, per_course: int) -> None:
    dose = definition(f'dose d in mg:\n  1 mg\n  {schedule}\n  limit 2 mg per dose cites "a"\n'
                      f'  limit 9 mg per day cites "b"\n  limit 90 mg per course cites "c"\n')
    assert isinstance(dose, p.Dose)
    assert [limit.administrations for limit in dose.limits] == [1, per_day, per_course]
    assert [limit.citation for limit in dose.limits] == ["a", "b", "c"]
    assert dose.limits[1].text == "9 mg per day"


def test_a_limit_per_kg_is_converted_into_the_doses_unit() -> None:
    dose = definition('dose d in mg:\n  1 mg/kg * weight\n  limit 800 ug/kg * weight per dose when weight > 12 kg cites "label"\n')
    assert isinstance(dose, p.Dose)
    (limit,) = dose.limits
    assert limit.condition is not None and limit.text == "800 ug/kg * weight per dose when weight > 12 kg"
    values = {c.value for c in limit.amount.find_all(p.Const)}
    assert 800 in values and any(v == 0.001 for v in values)  # 800 µg/kg × weight, scaled by 1/1000 into mg


@pytest.mark.parametrize("schedule", ["given continuously from day 1", "given daily from day 1", ""])
def test_a_course_the_schedule_cannot_count_is_cp310(schedule: str) -> None:
    assert "CP310" in codes(f'dose d in mg/d:\n  1 mg/d\n  {schedule}\n  limit 10 mg/d per course cites "a"\n')


def test_a_limit_per_day_without_a_schedule_is_cp310() -> None:
    assert codes('dose d in mg:\n  1 mg\n  limit 10 mg per day cites "a"\n') == ["CP310"]


def test_a_limit_in_the_wrong_dimension_is_cp302() -> None:
    assert "CP302" in codes('dose d in mg:\n  1 mg\n  limit 10 mL per dose cites "a"\n')


def test_a_deadline_in_months_from_a_date() -> None:
    recommendation = definition('recommend r:\n  when weight > 3 kg\n  due within 6 months of diagnosed cites "K"\n')
    assert isinstance(recommendation, p.Recommendation) and recommendation.deadline is not None
    deadline = recommendation.deadline
    assert (deadline.within, deadline.base, deadline.text, deadline.anchor, deadline.citation) == (6, "months", "6 months", "diagnosed", "K")


@pytest.mark.parametrize(("within", "amount", "base"), [("2 years", 24, "months"), ("3 weeks", 21, "days"), ("30 days", 30, "days")])
def test_a_deadline_in_other_units_is_whole_months_or_days(within: str, amount: int, base: str) -> None:
    recommendation = definition(f"recommend r:\n  when weight > 3 kg\n  due within {within} of diagnosed\n")
    assert isinstance(recommendation, p.Recommendation) and recommendation.deadline is not None
    assert (recommendation.deadline.within, recommendation.deadline.base) == (amount, base)


@pytest.mark.parametrize("clause", ["due within 6 months of age", "due within 6 months of nowhere", "due within 6.5 months of diagnosed",
                                    "due within 6 kg of diagnosed", "due within 0 days of diagnosed"])
def test_a_bad_deadline_is_cp311(clause: str) -> None:
    assert codes(f"recommend r:\n  when weight > 3 kg\n  {clause}\n") == ["CP311"]
