"""The built-in functions: exact results, halves away from zero, unknown where a value cannot exist."""

from __future__ import annotations

from fractions import Fraction

import pytest

from carepath.semantics.builtins import BUILTINS, round_to
from carepath.semantics.types import NUMBER, Kind, Type
from carepath.semantics.units import parse_unit


@pytest.mark.parametrize(("value", "step", "mode", "expected"), [
    (Fraction(25, 10), Fraction(1), "nearest", Fraction(3)),      # a half goes away from zero
    (Fraction(-25, 10), Fraction(1), "nearest", Fraction(-3)),
    (Fraction(24, 10), Fraction(1), "nearest", Fraction(2)),
    (Fraction(127, 10), Fraction(5), "down", Fraction(10)),
    (Fraction(127, 10), Fraction(5), "up", Fraction(15)),
    (Fraction(12), Fraction(5, 2), "nearest", Fraction(25, 2)),   # 12 / 2.5 = 4.8 → 5 steps
])
def test_round_to(value: Fraction, step: Fraction, mode: str, expected: Fraction) -> None:
    assert round_to(value, step, mode) == expected


def test_round_to_a_step_that_is_not_positive_is_unknown() -> None:
    assert round_to(Fraction(3), Fraction(0), "nearest") is None


def test_mosteller_is_the_square_root_of_height_times_weight_over_3600() -> None:
    # 150 cm × 24 kg / 3600 = 1; √1 = 1 m², exactly
    assert BUILTINS["bsa_mosteller"].run([Fraction(150), Fraction(24)]) == 1
    # 100 cm × 9 kg / 3600 = 0.25 → 0.5 m²
    assert BUILTINS["bsa_mosteller"].run([Fraction(100), Fraction(9)]) == Fraction(1, 2)


def test_mosteller_wants_a_length_and_a_mass() -> None:
    height = Type(Kind.QUANTITY, parse_unit("cm"))
    weight = Type(Kind.QUANTITY, parse_unit("kg"))
    fitted = BUILTINS["bsa_mosteller"].signature([height, weight])
    assert not isinstance(fitted, str)
    result, scales = fitted
    assert result.kind is Kind.QUANTITY
    assert scales == (1, 1)
    assert isinstance(BUILTINS["bsa_mosteller"].signature([weight, height]), str)
    assert isinstance(BUILTINS["bsa_mosteller"].signature([NUMBER, NUMBER]), str)


def test_min_and_max_scale_every_argument_into_the_first_ones_unit() -> None:
    mg, g = Type(Kind.QUANTITY, parse_unit("mg")), Type(Kind.QUANTITY, parse_unit("g"))
    fitted = BUILTINS["min"].signature([mg, g])
    assert not isinstance(fitted, str)
    assert fitted[1] == (1, 1000)
    assert BUILTINS["min"].run([Fraction(400), Fraction(1000)]) == 400
    assert BUILTINS["max"].run([Fraction(400), Fraction(1000)]) == 1000
    assert isinstance(BUILTINS["min"].signature([mg]), str)  # at least two arguments
