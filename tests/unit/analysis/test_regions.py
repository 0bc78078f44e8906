"""Representatives: one value per region an input's thresholds cut, plus missing, as record fields and as shown."""

from __future__ import annotations

from fractions import Fraction

from carepath.analysis.regions import between, duration_candidates, exact, missing, quantity_reps, scalar
from carepath.ir import program as p
from carepath.language.source import Span
from carepath.semantics.types import DURATION, Kind, Type
from carepath.semantics.units import parse_unit

AT = Span(1, 1, 1, 2)
WBC = p.InputInfo("wbc", 0, Type(Kind.QUANTITY, parse_unit("/uL")), False, (100, 2000), "100 /uL .. 2000 /uL", None, AT)
AGE = p.InputInfo("age", 1, DURATION, False, None, None, None, AT)


def test_between_picks_a_short_decimal_near_the_middle() -> None:
    assert between(Fraction(1), Fraction(2)) == Fraction(3, 2)
    assert between(Fraction(0), Fraction(1, 3)) == Fraction(1, 5)  # 1/6 rounded to one place: 0.2


def test_exact_reads_floats_as_their_decimals() -> None:
    assert exact(0.1) == Fraction(1, 10) and exact(3) == 3


def test_scalar_quotes_what_yaml_would_read_otherwise() -> None:
    assert scalar("5 /uL") == "5 /uL"
    assert scalar("yes") == '"yes"'  # a YAML boolean
    assert scalar("-3 days") == '"-3 days"'


def test_quantity_representatives_one_per_region_then_the_cuts_then_missing() -> None:
    reps = quantity_reps(WBC, {Fraction(1000)}, sampled=False)
    assert [r.value for r in reps] == [550, 1500, 100, 1000, 2000, None]  # inside each region, then the bounds and the threshold
    assert (reps[0].fields, reps[0].shown) == ((("wbc", "550 /uL"),), "wbc 550 /µL")
    assert reps[-1] == missing(WBC)


def test_duration_candidates_near_a_month_threshold() -> None:
    candidates = duration_candidates(AGE, {6}, set(), None)
    months = [rep.shown for kind, rep in candidates if kind == 0]
    assert months == ["age 0 months", "age 1 month", "age 4 months", "age 5 months", "age 6 months", "age 7 months", "age 8 months"]
    days = [rep.shown for kind, rep in candidates if kind == 1]
    # 6 months is 181 to 184 days: every day count beside that span, and one per gap
    assert days == ["age 0 days", "age 1 day", *(f"age {d} days" for d in range(180, 187))]
    assert "age 5.5 months" in [rep.shown for kind, rep in candidates if kind == 2]
