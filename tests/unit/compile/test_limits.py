"""A dose's limits over a patient: which are exceeded, by how much, per which period; unknown conditions and amounts."""

from __future__ import annotations

from fractions import Fraction

import carepath
from carepath import Source
from carepath.data.records import bind, load_text
from carepath.runtime.engine import evaluate
from carepath.semantics.values import DoseValue

PROTOCOL = """protocol p
input
  weight : quantity kg plausible 2 kg .. 150 kg
  frail : boolean optional
dose d in mg:
  1.1 mg/kg * weight
  rounded to 1 mg
  given 4 times daily on days 1 to 4
  limit 0.8 mg/kg * weight per dose when weight > 12 kg cites "label"
  limit 4 mg/kg * weight per day cites "daily"
  limit 200 mg per course cites "course"
  limit 1 mg/kg * weight per dose when frail cites "frailty"
"""


def dose_for(fields: str) -> DoseValue:
    compiled = carepath.compile_source(Source("p.care", PROTOCOL))
    (raw,) = load_text(f"- id: x\n{fields}", "<test>")
    import datetime as dt

    result = evaluate(compiled, bind(raw, compiled.checked), dt.date(2026, 1, 1))  # type: ignore[arg-type]
    value = result.decisions["d"]
    assert isinstance(value, DoseValue)
    return value


def test_a_dose_above_limits_per_dose_day_and_course_is_flagged_with_each() -> None:
    value = dose_for("  weight: 13 kg\n  frail: false\n")
    assert value.amount == 14  # 14.3 rounded to 1 mg: the dose is given as computed
    flags = {f.period: f for f in value.flags}
    assert set(flags) == {"dose", "day", "course"}
    assert flags["dose"].given == Fraction(143, 10) and flags["dose"].limit == Fraction(104, 10)  # before rounding
    assert flags["dose"].percent_over == Fraction(75, 2) and flags["dose"].percent_text == "37.5 %"
    assert flags["day"].given == Fraction(572, 10) and flags["day"].limit == 52  # 4 doses a day against 4 mg/kg
    assert flags["course"].given == Fraction(2288, 10) and flags["course"].citation == "course"
    assert all(f.certain for f in value.flags)
    assert "above limit: 14.3 mg per dose is 37.5 % above 10.4 mg (0.8 mg/kg * weight per dose when weight > 12 kg; label)" in str(flags["dose"])


def test_a_limit_whose_condition_is_false_does_not_apply() -> None:
    value = dose_for("  weight: 12 kg\n  frail: false\n")
    # 13.2 mg: 0.8 mg/kg does not apply at 12 kg; 52.8 mg a day > 48; 211.2 mg a course > 200
    assert [f.period for f in value.flags] == ["day", "course"]


def test_a_limit_whose_condition_is_unknown_is_flagged_as_uncertain() -> None:
    value = dose_for("  weight: 10 kg\n")  # frail missing: 11 mg is above 1 mg/kg x 10 kg only if the patient is frail
    day, frailty = value.flags
    assert day.period == "day" and day.certain
    assert frailty.text == "1 mg/kg * weight per dose when frail" and not frailty.certain
    assert str(frailty).endswith("(if it applies: its condition is unknown)")


def test_a_dose_within_every_limit_has_no_flags() -> None:
    compiled = carepath.compile_source(Source("p.care", PROTOCOL.replace("1.1 mg/kg * weight", "0.5 mg/kg * weight")))
    (raw,) = load_text("- id: x\n  weight: 20 kg\n  frail: true\n", "<test>")
    import datetime as dt

    value = evaluate(compiled, bind(raw, compiled.checked), dt.date(2026, 1, 1)).decisions["d"]  # type: ignore[arg-type]
    assert isinstance(value, DoseValue) and value.flags == ()


def test_a_limit_of_zero_is_exceeded_by_any_dose_without_dividing_by_it() -> None:
    text = "protocol p\ninput\n  weight : quantity kg plausible 2 kg .. 150 kg\ndose d in mg:\n  1 mg/kg * weight\n" \
           '  limit 0 mg per dose when weight > 100 kg cites "contraindicated"\n'
    compiled = carepath.compile_source(Source("p.care", text))
    (raw,) = load_text("- id: x\n  weight: 120 kg\n", "<test>")
    import datetime as dt

    value = evaluate(compiled, bind(raw, compiled.checked), dt.date(2026, 1, 1)).decisions["d"]  # type: ignore[arg-type]
    assert isinstance(value, DoseValue)
    (flag,) = value.flags
    assert flag.percent_over is None and flag.percent_text == "any amount"
    assert str(flag) == "above limit: 120 mg per dose is above 0 mg (0 mg per dose when weight > 100 kg; contraindicated)"
