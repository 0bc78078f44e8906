"""The lab spelling table: every spelling people and analysers write, read as the unit it means."""

from __future__ import annotations

from fractions import Fraction

import pytest

from carepath.semantics.labunits import LAB_SPELLINGS, SHOWN_SPELLINGS, lab_unit, normalise
from carepath.semantics.units import Unit, parse_unit, suggest_unit

PER_UL = parse_unit("/uL")


@pytest.mark.parametrize(("text", "per_microlitre"), [
    ("G/L", 1000), ("Giga/L", 1000), ("x10^9/L", 1000), ("× 10⁹/L", 1000), ("×10⁹/L", 1000), ("10^9/L", 1000), ("10*9/L", 1000),
    ("K/uL", 1000), ("k/µL", 1000), ("10³/µL", 1000), ("x10^3/uL", 1000), ("10*3/uL", 1000),
    ("cells/µL", 1), ("/mm³", 1), ("/mm3", 1), ("10*12/L", 1000000), ("T/L", 1000000),
])
def test_counts_per_volume_are_never_gauss_or_kelvin(text: str, per_microlitre: int) -> None:
    unit = parse_unit(text)
    assert isinstance(unit, Unit) and isinstance(PER_UL, Unit)
    assert unit.dimension == PER_UL.dimension
    assert unit.factor_to(PER_UL) == per_microlitre
    assert unit.text == text  # shown as written


@pytest.mark.parametrize(("text", "per_ug_per_l"), [("mcg/L", 1), ("µg/L", 1), ("ug/L", 1), ("ng/mL", 1), ("mcg/mL", 1000)])
def test_drug_level_spellings(text: str, per_ug_per_l: int) -> None:
    unit, target = parse_unit(text), parse_unit("ug/L")
    assert isinstance(unit, Unit) and isinstance(target, Unit)
    assert unit.factor_to(target) == Fraction(per_ug_per_l)


def test_normalise_drops_what_never_changes_the_meaning() -> None:
    assert normalise(" × 10⁹ / L ") == "x10^9/L"
    assert normalise("μg/L") == "ug/L"
    assert lab_unit("G/L") == "10*9/L" and lab_unit("g/L") is None  # grams per litre is not giga per litre


def test_every_table_entry_and_shown_spelling_reads() -> None:
    for spelling in {*LAB_SPELLINGS, *SHOWN_SPELLINGS}:
        assert isinstance(parse_unit(spelling), Unit), spelling


def test_percent_and_mg_per_kg_are_different_kinds() -> None:
    percent, ratio = parse_unit("%"), parse_unit("mg/kg")
    assert isinstance(percent, Unit) and isinstance(ratio, Unit)
    assert percent.dimension != ratio.dimension


def test_did_you_mean_offers_a_spelling_of_the_same_kind() -> None:
    target = parse_unit("/uL")
    assert isinstance(target, Unit)
    hint = suggest_unit("G/LL", target)
    assert hint is not None and "G/L" in hint and "g" not in hint.replace("G/L", "")
