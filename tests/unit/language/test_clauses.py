"""A dose's `limit` clauses and a recommendation's `due` clause, as the parser builds them and the formatter writes them."""

from __future__ import annotations

from fractions import Fraction

import pytest

from carepath.language import nodes as n
from carepath.language.formatter import format_source
from carepath.language.parser import parse_text

TEXT = """protocol p
input
  weight : quantity kg plausible 2 kg .. 150 kg
  diagnosed : date
dose d in mg:
  1 mg/kg * weight
  given 4 times daily on days 1 to 4
  limit 0.8 mg/kg * weight per dose when weight > 12 kg cites "label"
  limit 12 mg per day cites "absolute"
  limit 50 mg per course cites "course"
recommend r: when weight > 3 kg due within 6 months of diagnosed cites "Kosaka 2004"
"""


def test_limits_are_read_in_order_with_period_condition_and_citation() -> None:
    dose = parse_text(TEXT).definitions[0]
    assert isinstance(dose, n.Dose)
    first, second, third = dose.limits
    assert first.period is n.LimitPeriod.DOSE and first.citation == "label"
    assert isinstance(first.condition, n.Comparison) and first.condition.op is n.Comparator.GT
    assert second.period is n.LimitPeriod.DAY and second.condition is None
    assert isinstance(second.amount, n.QuantityLiteral) and second.amount.value == 12 and second.amount.unit == "mg"
    assert third.period is n.LimitPeriod.COURSE and third.citation == "course"
    assert first.span.line == 8 and second.span.line == 9


def test_a_deadline_names_its_amount_anchor_and_citation() -> None:
    recommendation = parse_text(TEXT).definitions[1]
    assert isinstance(recommendation, n.Recommendation)
    deadline = recommendation.deadline
    assert deadline is not None
    assert isinstance(deadline.within, n.QuantityLiteral) and deadline.within.value == Fraction(6) and deadline.within.unit == "months"
    assert deadline.anchor.name == "diagnosed" and deadline.anchor.span.line == 11
    assert deadline.citation == "Kosaka 2004"


def test_a_limit_needs_its_citation() -> None:
    from carepath.language.diagnostics import ProtocolError

    with pytest.raises(ProtocolError):
        parse_text("protocol p\ninput\n  w : quantity kg\ndose d in mg:\n  1 mg\n  limit 2 mg per dose\n")


def test_the_formatter_writes_limits_and_deadlines_back_the_same() -> None:
    formatted = format_source(TEXT)
    assert "  limit 0.8 mg/kg * weight per dose when weight > 12 kg\n      cites \"label\"\n" in formatted
    assert "  due within 6 months of diagnosed\n      cites \"Kosaka 2004\"\n" in formatted
    assert format_source(formatted) == formatted  # a fixed point
    reparsed = parse_text(formatted)
    assert reparsed.definitions == parse_text(TEXT).definitions
