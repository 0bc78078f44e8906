"""Value conversion: each record form to the evaluator's value, and each misfit a `BadValue` with its code."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

import carepath
from carepath.data.convert import BadValue, convert, show, show_raw
from carepath.data.errors import RecordCode
from carepath.ir.program import InputInfo

ROOT = Path(__file__).resolve().parents[3]


def _input(name: str) -> InputInfo:
    info = carepath.load_protocol(ROOT / "protocols" / "severance_2011.care").checked.input(name)
    assert info is not None
    return info


def test_quantities_are_converted_exactly_into_the_input_s_unit() -> None:
    wbc = _input("wbc_at_diagnosis")
    assert convert(wbc, "33,900 /uL") == (33900, "33,900 /µL")
    assert convert(wbc, "33.9 10*9/L") == (33900, "33,900 /µL")
    assert convert(wbc, {"value": 150.5, "unit": "/uL"}) == (Fraction(301, 2), "150.5 /µL")


@pytest.mark.parametrize(("name", "value", "code", "expected"), [
    ("wbc_at_diagnosis", 12000, RecordCode.BAD_VALUE, "a number needs a unit, e.g. '12000 /uL'"),
    ("wbc_at_diagnosis", "5 kg", RecordCode.BAD_VALUE, "'kg' is not a unit of the same kind as /µL"),
    ("wbc_at_diagnosis", "33900 /mL", RecordCode.IMPLAUSIBLE,
     "that is 33.9 /µL, outside the plausible range 100 /µL .. 2,000,000 /µL; 33,900 /µL would be plausible: was /mL meant as /µL?"),
    ("age_at_diagnosis", "13 months", RecordCode.IMPLAUSIBLE, "outside the plausible range 0 days .. 12 months"),
    ("age_at_diagnosis", "4 kg", RecordCode.BAD_VALUE, "'kg' is not a duration unit; expected days, weeks, months or years"),
    ("mll", "transloc", RecordCode.BAD_VALUE, "expected one of germline, translocation, duplication; did you mean 'translocation'?"),
    ("date_of_birth", "2008-02-30", RecordCode.BAD_VALUE, "expected a date as YYYY-MM-DD"),
])
def test_a_value_that_does_not_fit_says_what_was_expected_with_its_code(name: str, value: object, code: RecordCode, expected: str) -> None:
    with pytest.raises(BadValue) as raised:
        convert(_input(name), value)
    assert (raised.value.code, str(raised.value)) == (code, expected)


def test_values_are_shown_in_messages_and_explanations() -> None:
    assert [show(v) for v in ("5 kg", True, 12000, {"value": 1, "unit": "/uL"})] == ["'5 kg'", "true", "12000", '{"value": 1, "unit": "/uL"}']
    assert [show_raw(v) for v in ("5 kg", False, {"value": 1, "unit": "/uL"})] == ["5 kg", "false", "1 /uL"]


@pytest.mark.parametrize("written", ["50 G/L", "50 K/uL", "50 x10^9/L", "50 × 10⁹/L", "50 10^9/L", "50 k/µL", "50,000 cells/µL", "50000 /mm³"])
def test_lab_spellings_of_fifty_thousand_per_microlitre(written: str) -> None:
    assert convert(_input("wbc_at_diagnosis"), written) == (50000, "50,000 /µL")


def test_an_unknown_lab_spelling_gets_a_spelling_of_the_same_kind() -> None:
    with pytest.raises(BadValue, match=r"unknown unit 'G/LL'; expected a unit like /µL; did you mean 'G/L'"):
        convert(_input("wbc_at_diagnosis"), "50 G/LL")
