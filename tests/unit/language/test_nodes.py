"""Nodes: `children()`, `walk()` and `find_all()` derived from the dataclass fields, on parsed protocols."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from fractions import Fraction

import pytest

from carepath.language import nodes as n
from carepath.language.parser import parse_text

SMALL = """protocol p
input
  a : boolean
  m : quantity /uL plausible 0 /uL .. 10 /uL
criterion c: a and m > 5 /uL
classify r:
  hi when c
  lo otherwise
"""


def kinds(nodes: Iterable[n.Node]) -> list[str]:
    return [type(node).__name__ for node in nodes]


def test_walk_is_pre_order_in_field_order() -> None:
    protocol = parse_text(SMALL)
    assert kinds(protocol.walk()) == [
        "Protocol", "Name",
        "InputDecl", "Name", "BooleanType",
        "InputDecl", "Name", "QuantityType", "Plausible", "QuantityLiteral", "QuantityLiteral",
        "Criterion", "Name", "BoolOp", "Name", "Comparison", "Name", "QuantityLiteral",
        "Classification", "Name", "Branch", "Name", "Name", "Branch", "Name",
    ]


def test_every_name_is_reachable_in_source_order() -> None:
    names = [name.name for name in parse_text(SMALL).find_all(n.Name)]
    assert names == ["p", "a", "m", "c", "a", "m", "r", "hi", "c", "lo"]


def test_children_are_the_direct_nodes_only() -> None:
    protocol = parse_text(SMALL)
    assert kinds(protocol.children()) == ["Name", "InputDecl", "InputDecl", "Criterion", "Classification"]
    criterion = protocol.definitions[0]
    assert isinstance(criterion, n.Criterion)
    assert criterion.children() == (n.Name("c"), criterion.condition)
    assert n.Name("x").children() == ()
    assert n.NumberLiteral(Fraction(3)).children() == ()


def test_find_all_takes_several_types_and_includes_the_node_itself() -> None:
    protocol = parse_text(SMALL)
    found = list(protocol.find_all(n.Comparison, n.QuantityLiteral))
    assert kinds(found) == ["QuantityLiteral", "QuantityLiteral", "Comparison", "QuantityLiteral"]
    name = n.Name("x")
    assert list(name.find_all(n.Name)) == [name]
    assert list(name.walk()) == [name]


def test_absent_optional_fields_and_plain_data_contribute_nothing() -> None:
    text = """protocol p
input
  w : quantity kg
target t "T": w within 1 kg .. 2 kg
  below "raise"
  above "lower"
"""
    target = parse_text(text).definitions[0]
    assert isinstance(target, n.Target)
    # title, citation and the action texts are strings, not nodes
    assert kinds(target.children()) == ["Name", "Name", "QuantityLiteral", "QuantityLiteral"]
    declared = parse_text(text).inputs[0]
    assert kinds(declared.children()) == ["Name", "QuantityType"]  # no plausible, derived_from or relative_to


def test_a_dose_walks_branches_rounding_and_schedule() -> None:
    text = """protocol p
input
  w : quantity kg
  young : boolean
parameter first_days: days 1, 8
dose d in mg:
  2 mg/kg * w when young
  60 mg otherwise
  rounded to 5 mg
  given once daily on days first_days
"""
    dose = parse_text(text).definitions[1]
    assert isinstance(dose, n.Dose)
    assert kinds(dose.walk()) == [
        "Dose", "Name",
        "DoseBranch", "Arithmetic", "QuantityLiteral", "Name", "Name",
        "DoseBranch", "QuantityLiteral",
        "Rounding", "QuantityLiteral",
        "Schedule", "DaySet", "Name",
    ]
    assert [name.name for name in dose.find_all(n.Name)] == ["d", "w", "young", "first_days"]


def test_a_call_lists_its_function_name_before_its_arguments() -> None:
    call = n.Call(n.Name("min"), (n.Name("a"), n.NumberLiteral(Fraction(2))))
    assert call.children() == (n.Name("min"), n.Name("a"), n.NumberLiteral(Fraction(2)))


def test_walk_survives_nesting_deeper_than_the_recursion_limit() -> None:
    expr: n.Expr = n.Name("x")
    for _ in range(5000):
        expr = n.Not(expr)
    walked = list(expr.walk())
    assert len(walked) == 5001
    assert walked[-1] == n.Name("x")


def test_nodes_stay_frozen_and_spans_stay_out_of_equality() -> None:
    protocol = parse_text(SMALL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        protocol.name = n.Name("q")  # type: ignore[misc]
    located = next(protocol.find_all(n.Name))
    assert located.span.line == 1
    assert located == n.Name("p")


def test_rounding_schedule_and_day_kinds_are_enums_spelt_as_the_grammar_writes_them() -> None:
    text = "protocol p\ndose d in mg:\n  5 mg\n  rounded down to 1 mg\n  given 3 times daily on days 1 to 5\n"
    dose = parse_text(text).definitions[0]
    assert isinstance(dose, n.Dose) and dose.rounding is not None and dose.schedule is not None
    assert dose.rounding.mode is n.RoundingMode.DOWN
    assert dose.schedule.frequency is n.Frequency.TIMES_DAILY and dose.schedule.count == 3
    assert dose.schedule.days is not None and dose.schedule.days.kind is n.DayKind.RANGE
    assert dose.schedule.days.days == (1, 5)
    assert f"{n.Frequency.ONCE_DAILY} on day 1" == "once daily on day 1"  # explanations print the word itself
