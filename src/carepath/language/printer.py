"""Expression nodes → text: one printer for explanations, diagnostics, the language server and `carepath fmt`.

An expression becomes a document (flat text plus the places a long one may break); `expr_text` prints it
on one line, `lay` fits it into the formatter's width. Both read back as the same expression."""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, assert_never

from carepath.language import expressions as e

WIDTH = 100


def expr_text(expr: e.Expr) -> str:
    """Canonical one-line text of an expression: the formatter's, printed without a width limit."""
    return flat(expr_doc(expr))


# ---- numbers, strings and widths -----------------------------------------------------------------


def number_text(value: Fraction) -> str:
    """A number as the grammar writes it: a plain decimal, exact at any length (every number literal
    is a finite decimal), without trailing zeros."""
    if value.denominator == 1:
        return str(value.numerator)
    short = format((Decimal(value.numerator) / Decimal(value.denominator)).normalize(), "f")
    if Fraction(short) == value:  # the usual case: fewer than 28 significant digits
        return short
    twos = fives = 0
    rest = value.denominator
    while rest % 2 == 0:
        rest, twos = rest // 2, twos + 1
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    assert rest == 1, f"{value} is not a finite decimal"
    places = max(twos, fives)
    digits = str(abs(value.numerator) * 10**places // value.denominator).rjust(places + 1, "0")
    whole, fraction = digits[: len(digits) - places], digits[len(digits) - places:].rstrip("0")
    return ("-" if value < 0 else "") + whole + ("." + fraction if fraction else "")


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def width(text: str) -> int:
    """Columns on a terminal: CJK characters (Korean citations) take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# ---- documents ---------------------------------------------------------------------------------


class End(enum.Enum):
    """What a document's text ends with, for the places where the grammar puts two expressions side by
    side: a bare number followed by a name would read as a quantity."""

    NAME = "name"
    NUMBER = "number"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Atom:
    text: str
    end: End = End.OTHER


@dataclass(frozen=True, slots=True)
class Seq:
    parts: tuple[Doc, ...]


@dataclass(frozen=True, slots=True)
class Chain:
    """`first op x op y …`: broken, each `op x` starts a continuation line (one operand per line)."""

    first: Doc
    rest: tuple[tuple[str, Doc], ...]


@dataclass(frozen=True, slots=True)
class Items:
    """`any of (a, b)`, `f(a, b)`: broken, the items flow on lines aligned after the opening parenthesis."""

    opening: str
    items: tuple[Doc, ...]
    closing: str


Doc = Atom | Seq | Chain | Items


# Documents and their flat text, kept by the identity of the node or document they belong to (with it, so the
# identity stays theirs): the checker asks for the text of an expression and then of each part of it, which
# without these would print every part once per level above it, quadratic in the nesting.
_DOCS: dict[int, tuple[object, Doc]] = {}
_FLAT: dict[int, tuple[Doc, str]] = {}
_KEPT = 50_000


def _remember(cache: dict[int, tuple[Any, Any]], key: object, value: Any) -> None:
    if len(cache) >= _KEPT:
        cache.clear()
    cache[id(key)] = (key, value)


def flat(doc: Doc) -> str:
    hit = _FLAT.get(id(doc))
    if hit is not None and hit[0] is doc:
        return hit[1]
    text = _flat(doc)
    _remember(_FLAT, doc, text)
    return text


def _flat(doc: Doc) -> str:
    match doc:
        case Atom(text=text):
            return text
        case Seq(parts=parts):
            return "".join(flat(p) for p in parts)
        case Chain(first=first, rest=rest):
            return flat(first) + "".join(f" {op} {flat(d)}" for op, d in rest)
        case Items(opening=opening, items=items, closing=closing):
            return opening + ", ".join(flat(i) for i in items) + closing
        case _:
            assert_never(doc)


def end_of(doc: Doc) -> End:
    match doc:
        case Atom(end=end):
            return end
        case Seq(parts=parts):
            return end_of(parts[-1])
        case Chain(first=first, rest=rest):
            return end_of(rest[-1][1]) if rest else end_of(first)
        case Items(closing=closing):
            return End.OTHER if closing else End.NAME
        case _:
            assert_never(doc)


def paren(doc: Doc) -> Doc:
    return Seq((Atom("("), doc, Atom(")")))


def lay(doc: Doc, column: int, indent: int, tail: int = 0) -> list[str]:
    """Lines of `doc` placed at `column` within `WIDTH`: the first is the text to write there, the others
    are whole lines. `indent` is where a broken chain's continuation lines start; `tail` what must follow."""
    text = flat(doc)
    if column + width(text) + tail <= WIDTH or isinstance(doc, Atom):
        return [text]
    match doc:
        case Seq(parts=parts):
            lines = [""]
            for index, part in enumerate(parts):
                after = sum(width(flat(p)) for p in parts[index + 1:]) + tail
                sub = lay(part, _column(lines, column), indent, after)
                lines[-1] += sub[0]
                lines.extend(sub[1:])
            return lines
        case Chain(first=first, rest=rest):
            lines = lay(first, column, indent + 2)
            for index, (op, operand) in enumerate(rest):
                lead = " " * indent + op + " "
                sub = lay(operand, width(lead), indent + 2, tail if index == len(rest) - 1 else 0)
                lines.append(lead + sub[0])
                lines.extend(sub[1:])
            return lines
        case Items(opening=opening, items=items, closing=closing):
            align = column + width(opening)
            lines = [opening]
            for index, item in enumerate(items):
                last = index == len(items) - 1
                after = width(closing) + tail if last else 1
                if index and _column(lines, column) + 2 + width(flat(item)) + after > WIDTH:
                    lines[-1] += ","
                    lines.append(" " * align)
                elif index:
                    lines[-1] += ", "
                sub = lay(item, _column(lines, column), align + 2, after)
                lines[-1] += sub[0]
                lines.extend(sub[1:])
            lines[-1] += closing
            return lines
        case _:
            assert_never(doc)


def _column(lines: list[str], column: int) -> int:
    return column + width(lines[0]) if len(lines) == 1 else width(lines[-1])


# ---- expressions ---------------------------------------------------------------------------------

_BARE_AFTER_NOT = (e.Name, e.Not, e.Presence, e.QuantityLiteral, e.NumberLiteral, e.BooleanLiteral, e.StringLiteral)
_STRONG = (e.ArithOp.MULTIPLY, e.ArithOp.DIVIDE)
_INLINE = (e.BoolKind.AND, e.BoolKind.OR, e.BoolKind.XOR, e.BoolKind.IMPLIES)  # not the list forms `any of (…)`


def expr_doc(expr: e.Expr) -> Doc:
    """The document of an expression: canonical operators and numbers, parentheses where the grammar
    needs them, and around an `and`/`or`/`xor`/`implies` inside another (see `_bool_operand`)."""
    hit = _DOCS.get(id(expr))
    if hit is not None and hit[0] is expr:
        return hit[1]
    doc = _expr_doc(expr)
    _remember(_DOCS, expr, doc)
    return doc


def _expr_doc(expr: e.Expr) -> Doc:
    match expr:
        case e.QuantityLiteral(value=value, unit=unit):
            return Atom(f"{number_text(value)} {unit}")
        case e.NumberLiteral(value=value):
            return Atom(number_text(value), End.NUMBER)
        case e.BooleanLiteral(value=value):
            return Atom("true" if value else "false")
        case e.StringLiteral(value=value):
            return Atom(quote(value))
        case e.Name(name=name):
            return Atom(name, End.NAME)
        case e.Comparison(op=op, left=left, right=right):
            return Seq((_comparison_operand(left), Atom(f" {op.value} "), _comparison_operand(right)))
        case e.Not(operand=operand):
            inner = expr_doc(operand)
            return Seq((Atom("not "), inner if isinstance(operand, _BARE_AFTER_NOT) else paren(inner)))
        case e.BoolOp(kind=kind, operands=operands):
            if kind in _INLINE:
                docs = [_bool_operand(o) for o in operands]
                return Chain(docs[0], tuple((kind.value, d) for d in docs[1:]))
            return Items(f"{kind.value} (", tuple(expr_doc(o) for o in operands), ")")
        case e.Presence(name=name, known=known):
            return Atom(f"{name.name} is {'known' if known else 'missing'}")
        case e.Arithmetic():
            return _arithmetic(expr)
        case e.Call(function=function, args=args):
            return Items(f"{function.name}(", tuple(term_doc(a) for a in args), ")")
        case e.DayLiteral(day=day):
            return Atom(f"day {number_text(day)}")
        case e.NoneInPrevious(series=series, window=window):
            return Seq((Atom(f"no {series.name} in previous "), expr_doc(window)))
        case _:
            assert_never(expr)


def term_doc(expr: e.Expr) -> Doc:
    """Where the grammar takes an arithmetic term (call arguments, amounts, bounds, rounding steps), a
    condition needs parentheses."""
    doc = expr_doc(expr)
    if isinstance(expr, (e.Not, e.Comparison)) or (isinstance(expr, e.BoolOp) and expr.kind in _INLINE):
        return paren(doc)
    return doc


def _comparison_operand(expr: e.Expr) -> Doc:
    doc = expr_doc(expr)
    return paren(doc) if isinstance(expr, (e.BoolOp, e.Not, e.Comparison, e.NoneInPrevious)) else doc


def _arithmetic(expr: e.Arithmetic) -> Doc:
    """A left-grouped run of operators of one strength is one chain: `a + b - c` breaks before `+` and `-`."""
    strong = expr.op in _STRONG
    rest: list[tuple[str, Doc]] = []
    node: e.Expr = expr
    while isinstance(node, e.Arithmetic) and (node.op in _STRONG) == strong:
        rest.append((node.op.value, _arith_operand(node.op, node.right, right=True)))
        node = node.left
    rest.reverse()
    return Chain(_arith_operand(expr.op, node, right=False), tuple(rest))


def _arith_operand(op: e.ArithOp, expr: e.Expr, right: bool) -> Doc:
    """`*` and `/` bind tighter than `+` and `-`; all four group to the left, so a right operand of the
    same strength needs parentheses (`a - (b - c)`)."""
    doc = expr_doc(expr)
    if isinstance(expr, (e.BoolOp, e.Not, e.Comparison)):
        return paren(doc)
    if isinstance(expr, e.Arithmetic):
        strong, inner_strong = op in _STRONG, expr.op in _STRONG
        if (strong and not inner_strong) or (right and strong == inner_strong):
            return paren(doc)
    return doc


def _bool_operand(expr: e.Expr) -> Doc:
    """An `and`, `or`, `xor` or `implies` inside another keeps parentheses, even where precedence would
    spare them: `a or (b and c)` says what it means without the reader knowing that `and` binds tighter,
    and `a or (b or c)` is a different tree from `a or b or c`, which printing must keep."""
    doc = expr_doc(expr)
    return paren(doc) if isinstance(expr, e.BoolOp) and expr.kind in _INLINE else doc
