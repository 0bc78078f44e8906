"""IR expressions: operator enums, and `children()`/`walk()`/`find_all()` derived from the dataclass fields."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

import pytest

from carepath.ir import expressions as e
from carepath.language.nodes import BoolKind, Comparator
from carepath.language.source import Span
from carepath.semantics.types import BOOLEAN, NUMBER, Kind, Type
from carepath.semantics.units import parse_unit

AT = Span(1, 1, 1, 2)
QUANTITY = Type(Kind.QUANTITY, parse_unit("/uL"))
WBC = e.InputInfo("wbc", 0, QUANTITY, False, None, None, None, AT)
FLAG = e.InputInfo("flag", 1, BOOLEAN, False, None, None, None, AT)


def kinds(nodes: Iterable[e.Node]) -> list[str]:
    return [type(node).__name__ for node in nodes]


def sample() -> e.Logic:
    """`flag and not (wbc > 5 /uL + 2 /uL)`, built by hand."""
    five = e.Const(5, QUANTITY, "5 /uL", "5 /µL", AT)
    two = e.Const(2, QUANTITY, "2 /uL", "2 /µL", AT)
    total = e.Arith(e.ArithOp.ADD, five, two, Fraction(1), QUANTITY, "5 /uL + 2 /uL", AT)
    compare = e.Compare(e.Comparator.GT, e.InputRef(WBC, "wbc", AT), total, Fraction(1), "wbc > 5 /uL + 2 /uL", AT)  # type: ignore[arg-type]
    return e.Logic(BoolKind.AND, (e.InputRef(FLAG, "flag", AT), e.Negation(compare, "not …", AT)), "…", AT)


def test_children_are_the_node_fields_in_order() -> None:
    logic = sample()
    assert kinds(logic.children()) == ["InputRef", "Negation"]
    compare = logic.operands[1].children()[0]
    assert kinds(compare.children()) == ["InputRef", "Arith"]  # the scale and the texts are data
    assert e.InputRef(WBC, "wbc", AT).children() == ()  # the input's InputInfo is data, not a child


def test_walk_is_pre_order_and_find_all_filters_it() -> None:
    logic = sample()
    assert kinds(logic.walk()) == ["Logic", "InputRef", "Negation", "Compare", "InputRef", "Arith", "Const", "Const"]
    assert [c.value for c in logic.find_all(e.Const)] == [5, 2]
    assert [r.input.name for r in logic.find_all(e.InputRef)] == ["flag", "wbc"]


def test_walk_survives_deep_nesting() -> None:
    node: e.Cond = e.InputRef(FLAG, "flag", AT)
    for _ in range(5000):
        node = e.Negation(node, "not …", AT)
    assert sum(1 for _ in node.walk()) == 5001


def test_inputs_in_reads_each_input_once_in_reading_order() -> None:
    logic = sample()
    assert [i.name for i in e.inputs_in(logic)] == ["flag", "wbc"]
    twice = e.Logic(BoolKind.OR, (logic, e.Presence(WBC, True, "wbc is known", AT)), "…", AT)
    assert [i.name for i in e.inputs_in(twice)] == ["flag", "wbc"]
    assert e.inputs_in(None) == []
    assert e.inputs_in(e.Const(1, NUMBER, "1", "1", AT)) == []


@pytest.mark.parametrize(("op", "symbol", "flipped", "negated"), [
    (e.Comparator.EQ, "=", e.Comparator.EQ, e.Comparator.NE),
    (e.Comparator.NE, "≠", e.Comparator.NE, e.Comparator.EQ),
    (e.Comparator.LT, "<", e.Comparator.GT, e.Comparator.GE),
    (e.Comparator.LE, "≤", e.Comparator.GE, e.Comparator.GT),
    (e.Comparator.GT, ">", e.Comparator.LT, e.Comparator.LE),
    (e.Comparator.GE, "≥", e.Comparator.LE, e.Comparator.LT),
])
def test_compare_op_symbol_flipped_negated(op: e.Comparator, symbol: str, flipped: e.Comparator, negated: e.Comparator) -> None:
    assert (op.symbol, op.flipped, op.negated) == (symbol, flipped, negated)
    assert op.flipped.flipped is op and op.negated.negated is op


def test_compare_op_follows_the_syntax_trees_comparator() -> None:
    assert e.Comparator is Comparator  # the IR reads the syntax tree's operator: one enum from text to table
    assert [op.is_ordering for op in e.Comparator] == [False, False, True, True, True, True]
    assert e.Comparator.LE == "<="  # keys tables written by symbol


def test_arith_and_calendar_enums() -> None:
    assert [op.is_additive for op in e.ArithOp] == [True, True, False, False]
    assert [b.value for b in e.CalendarBase] == ["months", "days"]
