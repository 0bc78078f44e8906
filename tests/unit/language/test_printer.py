"""The expression printer: one text for explanations, diagnostics and `carepath fmt`, which reads back as
the expression it was printed from."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from carepath.language import nodes as n
from carepath.language.formatter import format_source
from carepath.language.parser import parse_text
from carepath.language.printer import WIDTH, expr_doc, expr_text, lay, number_text, width

NAMES = ("a", "b", "c2", "weight", "anc", "x_1", "high", "low", "risk", "f")
UNITS = ("mg", "kg", "/uL", "10*9/L", "mg/kg", "days", "months", "mg/m2/d", "%", "ug/L", "µg/L")


def condition_of(text: str) -> n.Expr:
    """The expression of `criterion c: TEXT`, as the parser reads it."""
    definition = parse_text(f"protocol p\ncriterion c: {text}\n").definitions[0]
    assert isinstance(definition, n.Criterion)
    return definition.condition


# ---- hand-computed cases ---------------------------------------------------------------------------


def test_a_connective_inside_another_keeps_its_parentheses() -> None:
    assert expr_text(condition_of("a or b and c")) == "a or (b and c)"
    assert expr_text(condition_of("a and b implies c xor d")) == "(a and b) implies (c xor d)"
    assert expr_text(condition_of("(a or b) and c")) == "(a or b) and c"
    assert expr_text(condition_of("a and b and c")) == "a and b and c"
    assert expr_text(condition_of("any of (a, b and c)")) == "any of (a, b and c)"


def test_operators_and_numbers_print_canonically() -> None:
    assert expr_text(condition_of("x≥50_000 /uL and not(y)")) == "x >= 50000 /uL and not y"
    assert expr_text(condition_of("not x > 2")) == "not (x > 2)"
    assert expr_text(condition_of("a - (b - c) * 2")) == "a - (b - c) * 2"
    assert expr_text(condition_of("(a * b) / c")) == "a * b / c"
    assert expr_text(condition_of("no platelets in previous 7 days")) == "no platelets in previous 7 days"
    assert expr_text(condition_of("(no platelets in previous 7) = true")) == "(no platelets in previous 7) = true"


def test_a_condition_given_to_a_call_keeps_the_parentheses_the_grammar_needs() -> None:
    assert expr_text(condition_of("f((x > 1), (not b), c)")) == "f((x > 1), (not b), c)"


def test_number_text_is_exact_at_any_length() -> None:
    assert number_text(Fraction("0.10")) == "0.1"
    assert number_text(Fraction(-3)) == "-3"
    long = "12345678901234567890123456789.1234567890123456789012345678901"
    assert number_text(Fraction(long)) == long


def test_a_long_chain_breaks_before_each_connective() -> None:
    names = [f"condition_number_{i}" for i in range(6)]
    expr = condition_of(" and ".join(names))
    lines = lay(expr_doc(expr), 2, 4)
    assert lines == [names[0], *(f"    and {name}" for name in names[1:])]


# ---- generated expressions ------------------------------------------------------------------------

names = st.sampled_from(NAMES).map(n.Name)
decimals = st.builds(lambda whole, digits, places: Fraction(whole) + Fraction(digits, 10**places),
                     st.integers(0, 10**6), st.integers(0, 999), st.sampled_from((0, 1, 2, 3, 30)))
signed = st.builds(lambda value, negative: -value if negative else value, decimals, st.booleans())
units = st.sampled_from(UNITS)
literals: st.SearchStrategy[n.Expr] = st.one_of(
    st.builds(n.NumberLiteral, signed),
    # durations stay within the 200 years a protocol may write (CP111)
    st.builds(n.QuantityLiteral, signed, units).filter(lambda q: q.unit not in ("days", "months") or abs(q.value) <= 2_400),
    st.builds(n.BooleanLiteral, st.booleans()),
    st.builds(n.StringLiteral, st.text(alphabet='ab "\\#µ위', max_size=6)),
)
windows = st.one_of(st.builds(n.NumberLiteral, decimals),
                    st.builds(n.QuantityLiteral, decimals, units).filter(lambda q: q.unit not in ("days", "months") or q.value <= 2_400), names)
leaves: st.SearchStrategy[n.Expr] = st.one_of(
    names,
    literals,
    st.builds(n.DayLiteral, st.integers(-40, 40).map(Fraction)),
    st.builds(n.Presence, names, st.booleans()),
    st.builds(n.NoneInPrevious, names, windows),
)


def compound(inner: st.SearchStrategy[n.Expr]) -> st.SearchStrategy[n.Expr]:
    operands = st.lists(inner, min_size=2, max_size=3).map(tuple)
    return st.one_of(
        st.builds(n.Comparison, st.sampled_from(n.Comparator), inner, inner),
        st.builds(n.Not, inner),
        st.builds(n.BoolOp, st.sampled_from((n.BoolKind.AND, n.BoolKind.OR, n.BoolKind.XOR)), operands),
        st.builds(lambda left, right: n.BoolOp(n.BoolKind.IMPLIES, (left, right)), inner, inner),
        st.builds(n.BoolOp, st.sampled_from((n.BoolKind.ANY_OF, n.BoolKind.ALL_OF)), st.lists(inner, min_size=1, max_size=3).map(tuple)),
        st.builds(n.Arithmetic, st.sampled_from(n.ArithOp), inner, inner),
        st.builds(n.Call, names, st.lists(inner, min_size=1, max_size=3).map(tuple)),
    )


expressions = st.recursive(leaves, compound, max_leaves=12)


@settings(max_examples=400, deadline=None)
@given(expressions)
def test_printed_expressions_read_back_as_themselves(expr: n.Expr) -> None:
    assert condition_of(expr_text(expr)) == expr


@settings(max_examples=200, deadline=None)
@given(expressions)
def test_expr_text_is_what_fmt_writes(expr: n.Expr) -> None:
    text = expr_text(expr)
    formatted = format_source(f"protocol p\ncriterion c:\n  {text}\n")
    if width(f"criterion c: {text}") <= WIDTH:
        assert formatted == f"protocol p\n\ncriterion c: {text}\n"
    else:  # too wide for one line: fmt breaks it, and the pieces put together are the same text
        body = formatted.split("criterion c:", 1)[1]
        assert " ".join(line.strip() for line in body.splitlines() if line.strip()) == text


def test_the_text_of_a_part_is_the_same_asked_before_or_after_the_whole() -> None:
    whole = condition_of("not (a and (b or c2))")
    assert isinstance(whole, n.Not)
    inner = whole.operand
    assert expr_text(whole) == "not (a and (b or c2))"
    assert expr_text(inner) == "a and (b or c2)"
    assert expr_text(condition_of("a and (b or c2)")) == expr_text(inner)
