"""Parser: text → whole `nodes.Protocol` trees, compared entire (spans take no part in equality)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from carepath.language import nodes as n
from carepath.language.diagnostics import ProtocolError
from carepath.language.parser import parse_text
from carepath.language.source import Span


def name(text: str) -> n.Name:
    return n.Name(text)


def criterion_expr(expr_text: str, inputs: str = "") -> n.Expr:
    """Parse one criterion and return its condition."""
    protocol = parse_text(f"protocol p\ninput\n{inputs}\ncriterion c: {expr_text}\n")
    definition = protocol.definitions[0]
    assert isinstance(definition, n.Criterion)
    return definition.condition


def test_whole_protocol_tree() -> None:
    text = '''
protocol demo "Demo protocol"
  version "2.1"
  source "Someone 2011"
input
  wbc : quantity /uL plausible 100 /uL .. 2000000 /uL
  age : duration plausible 0 days .. 12 months from dob to dx
  mll : one of germline, translocation
  dob : date optional
  dx  : date optional
  cns : boolean
  note : text
criterion hyper "WBC high" cites "[12]": wbc >= 50000 /uL
classify risk "Risk":
  high when any of (hyper, mll = translocation)
  standard otherwise
recommend hsct "HSCT": when risk = high
'''
    expected = n.Protocol(
        name=name("demo"),
        title="Demo protocol",
        version="2.1",
        source="Someone 2011",
        inputs=(
            n.InputDecl(name("wbc"), n.QuantityType("/uL"),
                        n.Plausible(n.QuantityLiteral(Fraction(100), "/uL"), n.QuantityLiteral(Fraction(2000000), "/uL"))),
            n.InputDecl(name("age"), n.DurationType(),
                        n.Plausible(n.QuantityLiteral(Fraction(0), "days"), n.QuantityLiteral(Fraction(12), "months")),
                        derived_from=n.DerivedFrom(name("dob"), name("dx"))),
            n.InputDecl(name("mll"), n.EnumType((name("germline"), name("translocation")))),
            n.InputDecl(name("dob"), n.DateType(), optional=True),
            n.InputDecl(name("dx"), n.DateType(), optional=True),
            n.InputDecl(name("cns"), n.BooleanType()),
            n.InputDecl(name("note"), n.TextType()),
        ),
        definitions=(
            n.Criterion(name("hyper"), "WBC high", "[12]",
                        n.Comparison(n.Comparator.GE, name("wbc"), n.QuantityLiteral(Fraction(50000), "/uL"))),
            n.Classification(name("risk"), "Risk", None, (
                n.Branch(name("high"), n.BoolOp(n.BoolKind.ANY_OF, (
                    name("hyper"),
                    n.Comparison(n.Comparator.EQ, name("mll"), name("translocation")),
                ))),
                n.Branch(name("standard"), None),
            )),
            n.Recommendation(name("hsct"), "HSCT", None, n.Comparison(n.Comparator.EQ, name("risk"), name("high"))),
        ),
    )
    assert parse_text(text) == expected


def test_header_only_protocol() -> None:
    assert parse_text("protocol p") == n.Protocol(name("p"), None, None, None, (), ())


def test_spans_do_not_take_part_in_equality_but_are_recorded() -> None:
    a = parse_text("protocol p\ninput\n  x : boolean\ncriterion c: x\n")
    b = parse_text("protocol p input x : boolean criterion c:\n\n\n     x")
    assert a == b
    ca, cb = a.definitions[0], b.definitions[0]
    assert isinstance(ca, n.Criterion) and isinstance(cb, n.Criterion)
    assert ca.name.span == Span(4, 11, 4, 12)
    assert cb.condition.span != ca.condition.span


def test_and_binds_tighter_than_or_and_not_tighter_than_and() -> None:
    assert criterion_expr("a or b and not c") == n.BoolOp(n.BoolKind.OR, (
        name("a"),
        n.BoolOp(n.BoolKind.AND, (name("b"), n.Not(name("c")))),
    ))


def test_parentheses_override_precedence() -> None:
    assert criterion_expr("(a or b) and c") == n.BoolOp(n.BoolKind.AND, (
        n.BoolOp(n.BoolKind.OR, (name("a"), name("b"))),
        name("c"),
    ))


def test_chained_or_is_flat() -> None:
    assert criterion_expr("a or b or c") == n.BoolOp(n.BoolKind.OR, (name("a"), name("b"), name("c")))


def test_all_of_and_any_of_keep_their_kind() -> None:
    assert criterion_expr("all of (a, any of (b, c))") == n.BoolOp(n.BoolKind.ALL_OF, (
        name("a"),
        n.BoolOp(n.BoolKind.ANY_OF, (name("b"), name("c"))),
    ))


@pytest.mark.parametrize(
    ("written", "op"),
    [("=", n.Comparator.EQ), ("!=", n.Comparator.NE), ("≠", n.Comparator.NE), ("<", n.Comparator.LT),
     ("<=", n.Comparator.LE), ("≤", n.Comparator.LE), (">", n.Comparator.GT), (">=", n.Comparator.GE), ("≥", n.Comparator.GE)],
)
def test_comparators_including_unicode(written: str, op: n.Comparator) -> None:
    assert criterion_expr(f"x {written} 5 kg") == n.Comparison(op, name("x"), n.QuantityLiteral(Fraction(5), "kg"))


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ("50000 /uL", n.QuantityLiteral(Fraction(50000), "/uL")),
        ("50 10*9/L", n.QuantityLiteral(Fraction(50), "10*9/L")),
        ("0.1 10*9/L", n.QuantityLiteral(Fraction(1, 10), "10*9/L")),  # exact, not the double nearest 0.1
        ("50_000 /uL", n.QuantityLiteral(Fraction(50000), "/uL")),
        ("-4 days", n.QuantityLiteral(Fraction(-4), "days")),
        ("6 months", n.QuantityLiteral(Fraction(6), "months")),
        ("150 ug/L", n.QuantityLiteral(Fraction(150), "ug/L")),
        ("12", n.NumberLiteral(Fraction(12))),
        ("-2.5", n.NumberLiteral(Fraction(-5, 2))),
        ("true", n.BooleanLiteral(True)),
        ("false", n.BooleanLiteral(False)),
        ('"a \\"quoted\\" word"', n.StringLiteral('a "quoted" word')),
    ],
)
def test_literals(literal: str, expected: n.Expr) -> None:
    assert criterion_expr(f"x = {literal}") == n.Comparison(n.Comparator.EQ, name("x"), expected)


def test_presence_tests() -> None:
    assert criterion_expr("x is missing or y is known") == n.BoolOp(n.BoolKind.OR, (
        n.Presence(name("x"), known=False),
        n.Presence(name("y"), known=True),
    ))


def test_comments_and_layout_carry_no_meaning() -> None:
    compact = parse_text("protocol p input x : boolean criterion c: not x")
    commented = parse_text("# heading\nprotocol p # name\ninput\n  x : boolean # flag\n\ncriterion c:   # why\n  not x\n")
    assert compact == commented


def test_expr_text_is_canonical() -> None:
    expr = criterion_expr("(a  or b)and not(c)   and x>=50_000 /uL")
    assert n.expr_text(expr) == "(a or b) and not c and x >= 50000 /uL"
    assert n.expr_text(criterion_expr("x = 0.10 10*9/L")) == "x = 0.1 10*9/L"


def test_syntax_error_is_a_protocol_error_with_location() -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_text("protocol p\ncriterion c: x >= >= 1\n")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("CP101", 2, 19)


def test_keyword_typo_gets_a_hint() -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_text("protocol p\ncriterion c: x\nclasify r:\n  a otherwise\n")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "CP101"
    assert diagnostic.hint is not None and "did you mean 'classify'" in diagnostic.hint


def test_implies_is_loosest_and_xor_sits_with_or() -> None:
    expr = criterion_expr("a and b implies c xor d", "  a : boolean  b : boolean  c : boolean  d : boolean")
    assert expr == n.BoolOp(n.BoolKind.IMPLIES, (n.BoolOp(n.BoolKind.AND, (name("a"), name("b"))),
                                                 n.BoolOp(n.BoolKind.XOR, (name("c"), name("d")))))
    assert n.expr_text(expr) == "(a and b) implies (c xor d)"  # the printer keeps nested connectives in parentheses


@pytest.mark.parametrize("text", ["a xor b or c", "a or b xor c", "a implies b implies c"])
def test_xor_and_implies_need_parentheses_to_mix(text: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        criterion_expr(text, "  a : boolean  b : boolean  c : boolean")
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.code == "CP101"
    assert diagnostic.hint is not None and "parentheses" in diagnostic.hint


def test_parenthesised_mixtures_print_back_with_their_parentheses() -> None:
    for text in ("(a xor b) or c", "a xor (b or c)", "(a implies b) implies c", "((a or b) and c) implies not c"):
        expr = criterion_expr(text, "  a : boolean  b : boolean  c : boolean")
        assert n.expr_text(expr) == text
        assert criterion_expr(n.expr_text(expr), "  a : boolean  b : boolean  c : boolean") == expr


def test_a_name_read_as_the_unit_of_a_bare_number_is_explained() -> None:
    text = 'protocol p\nparameter n "n": 3\nclassify r: high when n > 5\n  low otherwise\n'
    with pytest.raises(ProtocolError) as caught:
        parse_text(text)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "CP101"
    assert diagnostic.hint is not None and "'low' was read as the unit of 5" in diagnostic.hint
    parse_text(text.replace("n > 5", "(n > 5)"))  # the parentheses the hint suggests do parse
