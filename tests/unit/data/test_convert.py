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


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("wbc_at_diagnosis", "9" * 5_000 + " /uL", "a number of 5000 digits; the limit is 40"),
    ("wbc_at_diagnosis", "1e99999999 /uL", "the exponent 99999999 is too large; the limit on a number is 1e15"),
    ("wbc_at_diagnosis", "1e5000 /uL", "the exponent 5000 is too large; the limit on a number is 1e15"),
    ("wbc_at_diagnosis", "1e16 /uL", "1e16 is larger than 1,000,000,000,000,000, the limit on a number"),
    ("wbc_at_diagnosis", {"value": 10**5000, "unit": "/uL"}, "a number larger than 1,000,000,000,000,000, the limit on a number"),
    ("wbc_at_diagnosis", 10**5000, "a number needs a unit, e.g. '1 /uL'"),
    ("wbc_at_diagnosis", "1 10*99999999/L", "the factor 10*99999999 in unit '10*99999999/L' is beyond 10*±30; expected a unit like /µL; "
     "did you mean '10*9/L'?"),
    ("age_at_diagnosis", "9" * 5_000 + " days", "a number of 5000 digits; the limit is 40"),
    ("age_at_diagnosis", "1e5000 days", "the exponent 5000 is too large; the limit on a number is 1e15"),
    ("age_at_diagnosis", "99999999 years", "a duration longer than 2,400 months (200 years)"),
    ("age_at_diagnosis", "73051 days", "a duration longer than 73,050 days (200 years)"),
], ids=lambda value: "a-huge-int" if isinstance(value, int) else None)  # pytest's own id would be the int as text
def test_numbers_and_units_past_the_limits_are_refused_as_unreadable(name: str, value: object, expected: str) -> None:
    with pytest.raises(BadValue) as raised:
        convert(_input(name), value)
    code = (RecordCode.BAD_VALUE if "needs a unit" in expected else RecordCode.UNIT_TOO_LARGE if "factor" in expected
            else RecordCode.DURATION_TOO_LONG if "duration" in expected else RecordCode.NUMBER_TOO_LARGE)
    assert (raised.value.code, str(raised.value)) == (code, expected)


def test_a_huge_integer_is_shown_by_its_size() -> None:
    assert show(10**5000) == "<a number of about 5,000 digits>"  # never converted to text whole
    assert show(2**64) == "18446744073709551616"
    assert show(2**63) == "9223372036854775808"
@pytest.mark.parametrize("written", ["50 G/L", "50 K/uL", "50 x10^9/L", "50 × 10⁹/L", "50 10^9/L", "50 k/µL", "50,000 cells/µL", "50000 /mm³"])
def test_lab_spellings_of_fifty_thousand_per_microlitre(written: str) -> None:
    assert convert(_input("wbc_at_diagnosis"), written) == (50000, "50,000 /µL")


def test_an_unknown_lab_spelling_gets_a_spelling_of_the_same_kind() -> None:
    with pytest.raises(BadValue, match=r"unknown unit 'G/LL'; expected a unit like /µL; did you mean 'G/L'"):
        convert(_input("wbc_at_diagnosis"), "50 G/LL")
