"""Unit parsing and exact conversion: a threshold written in one unit must equal the same amount in another."""

from __future__ import annotations

from fractions import Fraction

import pytest

from carepath.semantics.units import CalendarUnit, Unit, UnitError, describe_dimension, display, exact_number, is_calendar, parse_unit


def unit(text: str) -> Unit:
    parsed = parse_unit(text)
    assert isinstance(parsed, Unit)
    return parsed


@pytest.mark.parametrize(
    ("source", "target", "factor"),
    [
        ("10*9/L", "/uL", Fraction(1000)),
        ("10*3/uL", "/uL", Fraction(1000)),
        ("10^9/L", "/uL", Fraction(1000)),
        ("/mL", "/uL", Fraction(1, 1000)),
        ("/uL", "10*9/L", Fraction(1, 1000)),
        ("10*9/L", "10*3/uL", Fraction(1)),
        ("/µL", "/uL", Fraction(1)),
        ("/μL", "/uL", Fraction(1)),  # Greek mu as well as the micro sign
        ("ug/mL", "ug/L", Fraction(1000)),
        ("mcg", "ug", Fraction(1)),
        ("kg", "g", Fraction(1000)),
    ],
)
def test_conversion_factors_are_exact_fractions(source: str, target: str, factor: Fraction) -> None:
    result = unit(source).factor_to(unit(target))
    assert isinstance(result, Fraction)
    assert result == factor


def test_fifty_giga_per_litre_is_fifty_thousand_per_microlitre_exactly() -> None:
    value = exact_number(Fraction(50) * unit("10*9/L").factor_to(unit("/uL")))
    assert value == 50000
    assert type(value) is int


def test_no_float_drift_on_decimal_values() -> None:
    """0.1 × 10⁹/L is 100 /µL exactly (a float product would be 100.00000000000001 for some inputs)."""
    factor = unit("10*9/L").factor_to(unit("/uL"))
    assert exact_number(Fraction("0.1") * factor) == 100
    assert type(exact_number(Fraction("0.1") * factor)) is int
    assert exact_number(Fraction("49.999") * factor) == 49999
    assert exact_number(Fraction("0.3") * factor) == 300  # 0.1 * 3 in floats is 0.30000000000000004


def test_exact_number_keeps_fractions_as_nearest_double() -> None:
    assert exact_number(Fraction(339, 10)) == 33.9
    assert exact_number(Fraction(6)) == 6
    assert type(exact_number(Fraction(6))) is int


def test_dimensions() -> None:
    assert unit("/uL").dimension == unit("10*9/L").dimension
    assert unit("kg").dimension != unit("/uL").dimension
    assert describe_dimension(unit("/uL")) == "a count per volume"
    assert describe_dimension(unit("ug/L")) == "a mass concentration"
    assert describe_dimension(unit("kg")) == "a mass"
    assert describe_dimension(parse_unit("months")) == "a duration"


@pytest.mark.parametrize(
    ("text", "base", "multiple"),
    [("days", "days", 1), ("d", "days", 1), ("weeks", "days", 7), ("wk", "days", 7),
     ("months", "months", 1), ("mo", "months", 1), ("year", "months", 12), ("years", "months", 12), ("a", "months", 12)],
)
def test_calendar_units_are_not_physical(text: str, base: str, multiple: int) -> None:
    parsed = parse_unit(text)
    assert parsed == CalendarUnit(text, base, multiple)
    assert is_calendar(text)


def test_physical_units_are_not_calendar() -> None:
    assert not is_calendar("/uL")
    assert not is_calendar("kg")


@pytest.mark.parametrize("text", ["/uLL", "blorps", "10*9/Q"])
def test_unknown_unit_raises_unit_error(text: str) -> None:
    with pytest.raises(UnitError, match="unknown unit"):
        parse_unit(text)


def test_unknown_unit_hint_suggests_a_spelling() -> None:
    with pytest.raises(UnitError) as caught:
        parse_unit("/uLL")
    assert caught.value.hint is not None
    assert "did you mean" in caught.value.hint
    assert "'/uL'" in caught.value.hint


def test_factor_without_unit_is_an_error() -> None:
    with pytest.raises(UnitError):
        parse_unit("10*9")


@pytest.mark.parametrize(
    ("text", "shown"),
    [("/uL", "/µL"), ("10*3/uL", "10*3/µL"), ("ug/mL", "µg/mL"), ("10*9/L", "10*9/L"), ("kg", "kg"), ("mg/m2", "mg/m2")],
)
def test_display_writes_micro_as_mu(text: str, shown: str) -> None:
    assert display(text) == shown
    assert unit(text).display == shown


def test_unit_exponents_past_the_limits_are_refused_before_any_arithmetic() -> None:
    assert parse_unit("10*30/L").size == Fraction(10**33)  # type: ignore[union-attr]  # per litre: 10^3 per cubic metre
    for text in ("10*99999999/L", "10*31/L", "10^-31/L", "m10", "cm99999"):
        with pytest.raises(UnitError, match="beyond"):
            parse_unit(text)
def test_percent_has_a_dimension_of_its_own() -> None:
    assert describe_dimension(unit("%")) == "a percentage"
    assert unit("%").dimension != unit("mg/kg").dimension
