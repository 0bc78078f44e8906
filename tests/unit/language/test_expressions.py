"""Expression nodes: children from their fields, pre-order `walk`, `find_all`, spans left out of equality,
and the properties of the comparator and boolean kinds. Trees are built by hand, so each expected order
follows from the field order in `expressions.py` alone."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from carepath.language import expressions as e
from carepath.language.parser import parse_text
from carepath.language.source import Span


def kinds(nodes: Iterable[e.Node]) -> list[str]:
    return [type(node).__name__ for node in nodes]


def quantity(value: int, unit: str) -> e.QuantityLiteral:
    return e.QuantityLiteral(Fraction(value), unit)


# `not (wbc >= 50000 /uL) or min(age, 6 months) * 2 < 12 months`, as the parser would build it
WBC = e.Comparison(e.Comparator.GE, e.Name("wbc"), quantity(50000, "/uL"))
DOUBLE_AGE = e.Arithmetic(e.ArithOp.MULTIPLY, e.Call(e.Name("min"), (e.Name("age"), quantity(6, "months"))), e.NumberLiteral(Fraction(2)))
TREE = e.BoolOp(e.BoolKind.OR, (e.Not(WBC), e.Comparison(e.Comparator.LT, DOUBLE_AGE, quantity(12, "months"))))


def test_children_follow_field_order_and_skip_plain_data() -> None:
    assert TREE.children() == TREE.operands  # the kind is an enum, not a node
    assert kinds(WBC.children()) == ["Name", "QuantityLiteral"]  # the operator contributes nothing
    call = DOUBLE_AGE.left
    assert isinstance(call, e.Call)
    assert call.children() == (e.Name("min"), e.Name("age"), quantity(6, "months"))  # the function, then its arguments
    presence = e.Presence(e.Name("mrd"), known=False)
    assert presence.children() == (e.Name("mrd"),)
    window = e.NoneInPrevious(e.Name("transfusion"), e.NumberLiteral(Fraction(7)))
    assert kinds(window.children()) == ["Name", "NumberLiteral"]
    for leaf in (e.Name("x"), quantity(1, "kg"), e.NumberLiteral(Fraction(1)), e.BooleanLiteral(True), e.StringLiteral("s"),
                 e.DayLiteral(Fraction(30))):
        assert leaf.children() == ()


def test_walk_is_pre_order_a_node_before_its_children() -> None:
    assert kinds(TREE.walk()) == [
        "BoolOp",
        "Not", "Comparison", "Name", "QuantityLiteral",
        "Comparison", "Arithmetic", "Call", "Name", "Name", "QuantityLiteral", "NumberLiteral", "QuantityLiteral",
    ]
    names = [node.name for node in TREE.walk() if isinstance(node, e.Name)]
    assert names == ["wbc", "min", "age"]


def test_find_all_keeps_walk_order_and_can_match_the_node_itself() -> None:
    found = list(TREE.find_all(e.QuantityLiteral, e.NumberLiteral))
    assert found == [quantity(50000, "/uL"), quantity(6, "months"), e.NumberLiteral(Fraction(2)), quantity(12, "months")]
    assert list(TREE.find_all(e.BoolOp)) == [TREE]
    assert list(WBC.find_all(e.Presence, e.Call)) == []


def test_a_deeply_nested_expression_walks_without_exhausting_the_stack() -> None:
    depth = 50_000  # far beyond Python's default recursion limit of 1000
    node: e.Expr = e.Name("flag")
    for _ in range(depth):
        node = e.Not(node)
    assert sum(1 for _ in node.walk()) == depth + 1
    assert [n.name for n in node.find_all(e.Name)] == ["flag"]


def test_spans_take_no_part_in_equality_hashing_or_repr() -> None:
    here = e.Name("wbc", Span(3, 14, 3, 17))
    there = e.Name("wbc", Span(9, 1, 9, 4))
    assert here == there and hash(here) == hash(there)
    assert here.span == Span(3, 14, 3, 17)
    assert repr(here) == "Name(name='wbc')"
    assert e.Name("wbc").span == e.NO_SPAN == Span(0, 0, 0, 0)
    assert e.Name("wbc") != e.Name("wbcc")
    assert quantity(5, "kg") != e.QuantityLiteral(Fraction(5), "g")


def test_parsed_expressions_equal_hand_built_ones_though_their_spans_differ() -> None:
    criterion = parse_text("protocol p\ncriterion c: not (wbc >= 50000 /uL) or min(age, 6 months) * 2 < 12 months\n").definitions[0]
    assert criterion.condition == TREE  # type: ignore[union-attr]
    assert criterion.condition.span.line == 2  # type: ignore[union-attr]


def test_only_the_four_orderings_are_ordering_comparators() -> None:
    assert [c.value for c in e.Comparator if c.is_ordering] == ["<", "<=", ">", ">="]
    assert not e.Comparator.EQ.is_ordering and not e.Comparator.NE.is_ordering


def test_and_and_all_of_are_the_conjunctions() -> None:
    assert {k for k in e.BoolKind if k.is_conjunction} == {e.BoolKind.AND, e.BoolKind.ALL_OF}
    assert e.BoolKind("any of") is e.BoolKind.ANY_OF
