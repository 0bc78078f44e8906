"""`carepath fmt`: one canonical layout for a protocol file, rebuilt from its AST with its comments kept.

Why rebuild rather than re-indent: the layout then depends on what the protocol says, not on how it was
typed, so two authors' files of the same protocol look alike and `--check` can hold a repository to it.
Comments are not in the AST; they are collected separately and hung on the line they belong to (the
"unit" they precede or end), so none is lost or drifts to another definition. Meaning never changes:
the result parses to an equal AST (the tests check it for every construct).

The layout rules (docs/tooling.md repeats them for authors):

- Header lines and everything inside a block are indented two spaces; continuation lines four.
- `input`: names padded so the colons form one column; options in the order type, `plausible`,
  `optional`, `from … to …`, `relative to`. `from … to …` moves to a continuation line under the type
  when the declaration also has a plausible range.
- A definition's heading holds its keyword, name, title and citation (and a dose's `in UNIT`) and ends
  with a colon. When the heading is wider than 100 columns, the citation goes on a continuation line.
- The body starts on the next line, two spaces in. A parameter without a citation, and a definition
  with neither title nor citation, stay on one line when they fit (a parameter's value always does);
  consecutive one-line definitions of one kind are aligned as a table.
- Classification branches align `when` one space after the longest branch name; dose amounts align
  `when` two spaces after the longest amount; a target's action texts line up.
- Expressions print as `nodes.expr_text` does (canonical operators and numbers, minimal parentheses),
  except that `and`/`or`/`xor`/`implies` nested in one another always keep parentheses. One that does
  not fit breaks before `and`/`or`/`+`/… (one operand per line) or between the items of
  `any of (…)`, `all of (…)` and call arguments (filled, aligned after the parenthesis).
- Blank lines: one after the header and after the input block; one between definitions, except that
  definitions of one kind written without a blank line between them stay together (a group, such as
  related parameters under one comment); never inside a definition. Comments keep their place: a comment on its own line stays above the line it preceded,
  an end-of-line comment stays at the end of its line.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from carepath.language import nodes as n
from carepath.language.diagnostics import ProtocolError
from carepath.language.parser import parse, parse_with_comments
from carepath.language.source import Source, Span

WIDTH = 100
INDENT = "  "
CONTINUATION = "    "

__all__ = ["WIDTH", "FormatError", "format_source"]


class FormatError(ValueError):
    """The canonical layout would not read back as the same protocol; the file is better left alone."""


def format_source(text: str, name: str = "<protocol>") -> str:
    """The canonical text of a protocol; raises `ProtocolError` when it does not parse.

    The result is parsed again and compared with the original before it is returned, so a case the
    layout rules did not foresee raises `FormatError` instead of changing what a file says. One is
    known: an input option repeated after a bare number (`plausible 0 .. 5 plausible …`), which the
    parser drops, leaves `5` before the next input's name, where it would read as a unit."""
    protocol, comments = parse_with_comments(Source(name, text))
    formatted = _Formatter(protocol, _Text(text), comments).render()
    try:
        again = parse(Source(name, formatted))
    except ProtocolError as error:
        raise FormatError(f"{name}: the canonical layout would not parse ({error.diagnostics[0].message}); "
                          "the file is left as it is") from None
    if again != protocol:
        raise FormatError(f"{name}: the canonical layout would change the protocol's meaning; the file is left as it is")
    return formatted


# ---- widths and numbers --------------------------------------------------------------------------


def width(text: str) -> int:
    """Columns on a terminal: CJK characters (Korean citations) take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def number(value: Fraction) -> str:
    """`nodes.number_text`, exact for every number of up to 28 significant digits; a longer one (still a
    finite decimal, as every number literal is) is expanded here digit by digit."""
    text = n.number_text(value)
    if Fraction(text) == value:
        return text
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


# ---- expression documents: flat text plus where a long one may break ----------------------------


@dataclass(frozen=True, slots=True)
class _Atom:
    text: str
    end: str = "other"  # the kind of the last token: "name", "number" or "other"


@dataclass(frozen=True, slots=True)
class _Seq:
    parts: tuple[_Doc, ...]


@dataclass(frozen=True, slots=True)
class _Chain:
    """`first op x op y …`: broken, each `op x` starts a continuation line (one operand per line)."""

    first: _Doc
    rest: tuple[tuple[str, _Doc], ...]


@dataclass(frozen=True, slots=True)
class _List:
    """`any of (a, b)`, `f(a, b)`: broken, the items flow on lines aligned after the opening parenthesis."""

    opening: str
    items: tuple[_Doc, ...]
    closing: str


_Doc = _Atom | _Seq | _Chain | _List


def _flat(doc: _Doc) -> str:
    match doc:
        case _Atom(text=text):
            return text
        case _Seq(parts=parts):
            return "".join(_flat(p) for p in parts)
        case _Chain(first=first, rest=rest):
            return _flat(first) + "".join(f" {op} {_flat(d)}" for op, d in rest)
        case _List(opening=opening, items=items, closing=closing):
            return opening + ", ".join(_flat(i) for i in items) + closing
    raise AssertionError(doc)


def _end(doc: _Doc) -> str:
    """What the text ends with, for the places where the grammar puts two expressions side by side."""
    match doc:
        case _Atom(end=end):
            return end
        case _Seq(parts=parts):
            return _end(parts[-1])
        case _Chain(first=first, rest=rest):
            return _end(rest[-1][1]) if rest else _end(first)
        case _List(closing=closing):
            return "other" if closing else "name"
    raise AssertionError(doc)


def _paren(doc: _Doc) -> _Doc:
    return _Seq((_Atom("("), doc, _Atom(")")))


def expr_doc(expr: n.Expr) -> _Doc:
    """The document of an expression; its flat text is `nodes.expr_text(expr)` except for the
    parentheses `_bool_operand` and `_sum` add (for the reader, and for the parser)."""
    match expr:
        case n.QuantityLiteral(value=value, unit=unit):
            return _Atom(f"{number(value)} {unit}")
        case n.NumberLiteral(value=value):
            return _Atom(number(value), "number")
        case n.BooleanLiteral() | n.StringLiteral():
            return _Atom(n.expr_text(expr))
        case n.Name(name=name):
            return _Atom(name, "name")
        case n.Comparison(op=op, left=left, right=right):
            return _Seq((_comparison_operand(left), _Atom(f" {op.value} "), _comparison_operand(right)))
        case n.Not(operand=operand):
            inner = expr_doc(operand)
            bare = isinstance(operand, (n.Name, n.Not, n.Presence, n.QuantityLiteral, n.NumberLiteral, n.BooleanLiteral, n.StringLiteral))
            return _Seq((_Atom("not "), inner if bare else _paren(inner)))
        case n.BoolOp(kind=kind, operands=operands):
            if kind in (n.BoolKind.ANY_OF, n.BoolKind.ALL_OF):
                return _List(f"{kind.value} (", tuple(expr_doc(o) for o in operands), ")")
            docs = [_bool_operand(o) for o in operands]
            return _Chain(docs[0], tuple((kind.value, d) for d in docs[1:]))
        case n.Presence(name=name, known=known):
            return _Atom(f"{name.name} is {'known' if known else 'missing'}")
        case n.Arithmetic():
            return _arithmetic(expr)
        case n.Call(function=function, args=args):
            return _List(f"{function.name}(", tuple(_sum(a) for a in args), ")")
        case n.DayLiteral(day=day):
            return _Atom(f"day {number(day)}")
        case n.NoneInPrevious(series=series, window=window):
            return _Seq((_Atom(f"no {series.name} in previous "), expr_doc(window)))
    raise AssertionError(expr)


def _comparison_operand(expr: n.Expr) -> _Doc:
    doc = expr_doc(expr)
    return _paren(doc) if isinstance(expr, (n.BoolOp, n.Not, n.Comparison, n.NoneInPrevious)) else doc


_STRONG = (n.ArithOp.MULTIPLY, n.ArithOp.DIVIDE)


def _arithmetic(expr: n.Arithmetic) -> _Doc:
    """A left-grouped run of operators of one strength is one chain: `a + b - c` breaks before `+` and `-`."""
    strong = expr.op in _STRONG
    rest: list[tuple[str, _Doc]] = []
    node: n.Expr = expr
    while isinstance(node, n.Arithmetic) and (node.op in _STRONG) == strong:
        rest.append((node.op.value, _arith_operand(node.op, node.right, right=True)))
        node = node.left
    rest.reverse()
    return _Chain(_arith_operand(expr.op, node, right=False), tuple(rest))


def _arith_operand(op: n.ArithOp, expr: n.Expr, right: bool) -> _Doc:
    doc = expr_doc(expr)
    if isinstance(expr, (n.BoolOp, n.Not, n.Comparison)):
        return _paren(doc)
    if isinstance(expr, n.Arithmetic):
        strong, inner_strong = op in _STRONG, expr.op in _STRONG
        if (strong and not inner_strong) or (right and strong == inner_strong):
            return _paren(doc)
    return doc


_INLINE = (n.BoolKind.AND, n.BoolKind.OR, n.BoolKind.XOR, n.BoolKind.IMPLIES)  # not the list forms `any of (…)`


def _bool_operand(expr: n.Expr) -> _Doc:
    """An `and`, `or`, `xor` or `implies` inside another keeps parentheses, even where precedence would
    spare them: `a or (b and c)` says what it means without the reader knowing that `and` binds tighter,
    and `a or (b or c)` is a different tree from `a or b or c`, which formatting must keep."""
    doc = expr_doc(expr)
    return _paren(doc) if isinstance(expr, n.BoolOp) and expr.kind in _INLINE else doc


def _sum(expr: n.Expr) -> _Doc:
    """Where the grammar takes an arithmetic term (call arguments, amounts, bounds, rounding steps), a
    condition needs parentheses; `nodes.expr_text` leaves them out of call arguments."""
    doc = expr_doc(expr)
    if isinstance(expr, (n.Not, n.Comparison)) or (isinstance(expr, n.BoolOp) and expr.kind in _INLINE):
        return _paren(doc)
    return doc


def _lay(doc: _Doc, column: int, indent: int, tail: int = 0) -> list[str]:
    """Lines of `doc` placed at `column`: the first is the text to write there, the others are whole
    lines. `indent` is where a broken chain's continuation lines start; `tail` what must follow."""
    text = _flat(doc)
    if column + width(text) + tail <= WIDTH or isinstance(doc, _Atom):
        return [text]
    match doc:
        case _Seq(parts=parts):
            lines = [""]
            for index, part in enumerate(parts):
                after = sum(width(_flat(p)) for p in parts[index + 1:]) + tail
                sub = _lay(part, _column(lines, column), indent, after)
                lines[-1] += sub[0]
                lines.extend(sub[1:])
            return lines
        case _Chain(first=first, rest=rest):
            lines = _lay(first, column, indent + 2)
            for index, (op, operand) in enumerate(rest):
                lead = " " * indent + op + " "
                sub = _lay(operand, width(lead), indent + 2, tail if index == len(rest) - 1 else 0)
                lines.append(lead + sub[0])
                lines.extend(sub[1:])
            return lines
        case _List(opening=opening, items=items, closing=closing):
            align = column + width(opening)
            lines = [opening]
            for index, item in enumerate(items):
                last = index == len(items) - 1
                after = width(closing) + tail if last else 1
                item_text = _flat(item)
                if index and _column(lines, column) + 2 + width(item_text) + after > WIDTH:
                    lines[-1] += ","
                    lines.append(" " * align)
                elif index:
                    lines[-1] += ", "
                sub = _lay(item, _column(lines, column), align + 2, after)
                lines[-1] += sub[0]
                lines.extend(sub[1:])
            lines[-1] += closing
            return lines
    raise AssertionError(doc)


def _column(lines: list[str], column: int) -> int:
    return column + width(lines[0]) if len(lines) == 1 else width(lines[-1])


# ---- the source text: positions, code and blank lines -------------------------------------------

_TOKEN = re.compile(r'(?P<space>\s+)|(?P<comment>#[^\n]*)|(?P<string>"(?:[^"\\\n]|\\.)*")|(?P<dots>\.\.)'
                    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<other>.)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    offset: int


class _Text:
    """Offsets for (line, column) pairs and the code tokens, enough to find what the AST has no node for
    (the `input` keyword, a heading's colon, a target's actions) and which comments lie inside a line."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.tokens = [_Token(m.lastgroup or "", m.group(), m.start()) for m in _TOKEN.finditer(text)
                       if m.lastgroup not in ("space", "comment")]
        self.starts = [t.offset for t in self.tokens]

    def offset(self, line: int, column: int) -> int:
        return self.line_starts[line - 1] + column - 1

    def at(self, offset: int) -> int:
        """Index of the first code token at or after `offset`."""
        return bisect.bisect_left(self.starts, offset)

    def code_between(self, start: int, end: int) -> bool:
        index = self.at(start)
        return index < len(self.tokens) and self.tokens[index].offset < end

    def blank_before(self, offset: int) -> bool:
        index = offset
        while index > 0 and self.text[index - 1] in " \t\r\n\f":
            index -= 1
        return self.text.count("\n", index, offset) >= 2

    def code_before_on_line(self, offset: int) -> bool:
        start = self.text.rfind("\n", 0, offset) + 1
        return bool(self.text[start:offset].strip())


# ---- units: the lines comments hang on ----------------------------------------------------------


@dataclass(slots=True)
class _Comment:
    text: str
    offset: int
    blank_before: bool
    trailing: bool


@dataclass(slots=True)
class _Unit:
    """A piece of the layout that starts a line: the header, an input, a heading, a branch, ..."""

    offset: int
    blank_before: bool = False
    leading: list[_Comment] = field(default_factory=list)
    trailing: _Comment | None = None

    @property
    def quiet(self) -> bool:
        return not self.leading and self.trailing is None


@dataclass(slots=True)
class _DefinitionUnits:
    heading: _Unit
    body: list[_Unit]  # one per body line: branches, amounts, `rounded`, `given`, actions; else one


class _Formatter:
    """Finds the units of the layout in the source, hangs each comment on one, then prints them."""

    def __init__(self, protocol: n.Protocol, source: _Text, comments: Sequence[tuple[int, int, str]]) -> None:
        self.protocol = protocol
        self.source = source
        self.header: dict[str, _Unit] = {}
        self.input_unit: _Unit | None = None
        self.inputs: list[_Unit] = []
        self.definitions: list[_DefinitionUnits] = []
        self.end: list[_Comment] = []
        self.duplicates: list[tuple[str, _Unit]] = []
        self._find_units()
        self._attach(comments)

    # -- where each unit starts --

    def _offset(self, span: Span) -> int:
        return self.source.offset(span.line, span.column)

    def _unit(self, offset: int) -> _Unit:
        return _Unit(offset, self.source.blank_before(offset))

    def _find_units(self) -> None:
        source, protocol = self.source, self.protocol
        index = source.at(self._offset(protocol.span))  # the `protocol` keyword
        self.header["protocol"] = self._unit(source.tokens[index].offset)
        index += 2  # `protocol NAME`, then the title if there is one
        if index < len(source.tokens) and source.tokens[index].kind == "string":
            index += 1
        while index + 1 < len(source.tokens) and source.tokens[index].text in ("version", "source") \
                and source.tokens[index].kind == "word" and source.tokens[index + 1].kind == "string":
            key = source.tokens[index].text
            if key in self.header:  # repeated: the parser keeps the last one
                self.duplicates.append((key, self.header[key]))
            self.header[key] = self._unit(source.tokens[index].offset)
            index += 2
        if index < len(source.tokens) and source.tokens[index].text == "input" and source.tokens[index].kind == "word":
            self.input_unit = self._unit(source.tokens[index].offset)
        self.inputs = [self._unit(self._offset(d.span)) for d in protocol.inputs]
        for definition in protocol.definitions:
            start = self._offset(definition.span)
            colon = source.at(start)
            while source.tokens[colon].text != ":":
                colon += 1
            body_start = source.tokens[colon + 1].offset
            self.definitions.append(_DefinitionUnits(self._unit(start), self._body_units(definition, body_start)))

    def _body_units(self, definition: n.Definition, body_start: int) -> list[_Unit]:
        starts = [body_start]
        match definition:
            case n.Classification(branches=branches):
                starts = [self._offset(b.span) for b in branches]
            case n.Dose(branches=branches, rounding=rounding, schedule=schedule):
                starts = [self._offset(b.span) for b in branches]
                starts += [self._offset(x.span) for x in (rounding, schedule) if x is not None]
            case n.Target(actions=actions) if actions:
                index = self.source.at(body_start)
                while self.source.tokens[index].kind != "dots":
                    index += 1
                found: list[int] = []
                tokens = self.source.tokens
                while len(found) < len(actions):
                    index += 1
                    if tokens[index].text in ("below", "within", "above") and tokens[index + 1].kind == "string":
                        found.append(tokens[index].offset)
                        index += 1
                starts += found
        starts[0] = body_start
        return [self._unit(s) for s in starts]

    def _all_units(self) -> Iterator[_Unit]:
        yield from self.header.values()
        yield from (unit for _, unit in self.duplicates)
        if self.input_unit is not None:
            yield self.input_unit
        yield from self.inputs
        for units in self.definitions:
            yield units.heading
            yield from units.body

    # -- which unit each comment belongs to --

    def _attach(self, comments: Sequence[tuple[int, int, str]]) -> None:
        units = sorted(self._all_units(), key=lambda u: u.offset)
        offsets = [u.offset for u in units]
        end_of_text = len(self.source.text)
        for line, column, text in comments:
            offset = self.source.offset(line, column)
            comment = _Comment(text.rstrip(), offset, self.source.blank_before(offset), self.source.code_before_on_line(offset))
            position = bisect.bisect_right(offsets, offset) - 1
            if position < 0:  # above the `protocol` line
                units[0].leading.append(comment)
                continue
            unit = units[position]
            following = offsets[position + 1] if position + 1 < len(units) else end_of_text
            if self.source.code_between(offset + len(text), following):
                # inside a construct that spans lines: kept above it, with the same unit; a blank line
                # written above the unit now goes above its comments
                comment.blank_before = not any(c.offset > unit.offset for c in unit.leading) and unit.blank_before
                unit.blank_before = False
                unit.leading.append(comment)
            elif comment.trailing:
                unit.trailing = comment
            elif position + 1 < len(units):
                units[position + 1].leading.append(comment)
            else:
                self.end.append(comment)
        for key, extra in reversed(self.duplicates):  # a dropped repeated header item leaves its comments to the kept one
            survivor = self.header[key]
            survivor.leading[:0] = extra.leading + ([extra.trailing] if extra.trailing else [])

    # -- output --

    def render(self) -> str:
        out = _Output()
        protocol = self.protocol
        head = self.header["protocol"]
        title = f" {quote(protocol.title)}" if protocol.title is not None else ""
        out.unit(head, [f"protocol {protocol.name.name}{title}"], indent="", blanks=True, first=True)
        for key, value in (("version", protocol.version), ("source", protocol.source)):
            if value is not None:
                out.unit(self.header[key], [f"{INDENT}{key} {quote(value)}"], indent=INDENT)
        if self.input_unit is not None or protocol.inputs:
            unit = self.input_unit or _Unit(0)
            out.blank()
            out.unit(unit, ["input"], indent="", blanks=True, first=True)
            rows = _input_rows(protocol.inputs)
            for index, (decl_unit, lines) in enumerate(zip(self.inputs, rows, strict=True)):
                out.unit(decl_unit, lines, indent=INDENT, blanks=True, first=index == 0)
        self._render_definitions(out)
        for comment in self.end:
            if comment.blank_before:
                out.blank()
            out.line(comment.text)
        return out.text()

    def _render_definitions(self, out: _Output) -> None:
        definitions = self.protocol.definitions
        compact = [self._one_line(d, u) for d, u in zip(definitions, self.definitions, strict=True)]
        index = 0
        while index < len(definitions):
            units = self.definitions[index]
            first = units.heading.leading[0] if units.heading.leading else units.heading
            if index == 0 or first.blank_before or type(definitions[index]) is not type(definitions[index - 1]):
                out.blank()
            if compact[index] is not None:
                run = index + 1  # a table: one-line definitions of one kind, nothing between them
                while run < len(definitions) and compact[run] is not None and type(definitions[run]) is type(definitions[index]) \
                        and self.definitions[run].heading.quiet and not self.definitions[run].heading.blank_before:
                    run += 1
                rows = _table([c for c in compact[index:run] if c is not None])
                for offset, row in enumerate(rows):
                    units = self.definitions[index + offset]
                    last = units.body[-1] if units.body else units.heading
                    out.unit(units.heading, [row], indent="", blanks=True, first=offset == 0, trailing=last.trailing)
                index = run
                continue
            self._render_definition(out, definitions[index], units)
            index += 1

    # -- one definition --

    def _heading(self, definition: n.Definition) -> list[str]:
        kind = _KEYWORDS[type(definition)]
        first = f"{kind} {definition.name.name}" + (f" {quote(definition.title)}" if definition.title is not None else "")
        unit = f" in {definition.unit}" if isinstance(definition, n.Dose) else ""
        if definition.citation is None:
            return [first + unit + ":"]
        rest = f"cites {quote(definition.citation)}{unit}:"
        joined = f"{first} {rest}"
        return [joined] if width(joined) <= WIDTH else [first, CONTINUATION + rest]

    def _one_line(self, definition: n.Definition, units: _DefinitionUnits) -> list[str] | None:
        """The table cells of a definition written on one line, or None when it takes several."""
        if definition.citation is not None or (definition.title is not None and not isinstance(definition, n.Parameter)):
            return None
        if units.heading.trailing is not None or any(not u.quiet for u in units.body[:-1]) or units.body[-1].leading:
            return None
        heading = self._heading(definition)[0]
        cells: list[str]
        match definition:
            case n.Parameter():
                return [heading, _parameter_value(definition)]
            case n.Criterion(condition=condition):
                cells = [heading, _flat(expr_doc(condition))]
            case n.Recommendation(condition=condition):
                cells = [heading, "when " + _flat(expr_doc(condition))]
            case n.Event():
                cells = [heading, _event_text(definition)]
            case n.Target(actions=()):
                cells = [heading, _flat(_target_doc(definition))]
            case n.Dose(branches=(n.DoseBranch(condition=None, otherwise=False, amount=amount),)):
                head, _, unit = heading.rpartition(" in ")
                cells = [head, f"in {unit}", _flat(_amount(amount))]
                if definition.rounding is not None:
                    cells.append(_flat(_rounding(definition.rounding)))
                if definition.schedule is not None:
                    cells.append(_schedule(definition.schedule))
            case _:
                return None
        return cells if width(" ".join(cells)) <= WIDTH else None

    def _render_definition(self, out: _Output, definition: n.Definition, units: _DefinitionUnits) -> None:
        out.unit(units.heading, self._heading(definition), indent="", blanks=True, first=True)
        for unit, lines in zip(units.body, _body(definition), strict=True):
            out.unit(unit, lines, indent=INDENT)


_KEYWORDS: dict[type, str] = {n.Criterion: "criterion", n.Classification: "classify", n.Recommendation: "recommend",
                              n.Parameter: "parameter", n.Dose: "dose", n.Target: "target", n.Event: "event"}


def _table(rows: list[list[str]]) -> list[str]:
    """Cells padded to a common width per column (a run of one-line definitions reads as a table)."""
    columns = max(len(r) for r in rows)
    widths = [max((width(r[c]) for r in rows if len(r) > c), default=0) for c in range(columns)]
    out = []
    for row in rows:
        cells = [cell + " " * (widths[c] - width(cell)) if c < len(row) - 1 else cell for c, cell in enumerate(row)]
        out.append(" ".join(cells).rstrip())
    return out


# ---- inputs ---------------------------------------------------------------------------------------


def _type_text(spec: n.TypeSpec, column: int) -> list[str]:
    match spec:
        case n.SeriesType(element=element):
            lines = _type_text(element, column + len("series of "))
            return ["series of " + lines[0], *lines[1:]]
        case n.QuantityType(unit=unit):
            return [f"quantity {unit}"]
        case n.DurationType():
            return ["duration"]
        case n.BooleanType():
            return ["boolean"]
        case n.TextType():
            return ["text"]
        case n.DateType():
            return ["date"]
        case n.EnumType(members=members):
            return _lay(_List("one of ", tuple(_Atom(m.name, "name") for m in members), ""), column, column)
    raise AssertionError(spec)


def _input_rows(inputs: Sequence[n.InputDecl]) -> list[list[str]]:
    pad = max((len(d.name.name) for d in inputs), default=0)
    rows = []
    for decl in inputs:
        lead = f"{INDENT}{decl.name.name.ljust(pad)} : "
        lines = _type_text(decl.type, width(lead))
        lines[0] = lead + lines[0]
        options = []
        if decl.plausible is not None:
            options.append(_plausible(decl.plausible))
        if decl.optional:
            options.append("optional")
        later = []
        if decl.derived_from is not None:
            later.append(f"from {decl.derived_from.start.name} to {decl.derived_from.end.name}")
        if decl.relative_to is not None:
            later.append(f"relative to {decl.relative_to.name}")
        if decl.plausible is not None and decl.derived_from is not None:
            lines[-1] += "".join(" " + o for o in options)
            lines.append(" " * width(lead) + " ".join(later))
        else:
            lines[-1] += "".join(" " + o for o in options + later)
        rows.append(lines)
    return rows


def _literal(value: n.Literal | n.DayLiteral | n.DayList) -> str:
    if isinstance(value, n.DayList):
        return "days " + ", ".join(number(d) for d in value.days)
    return _flat(expr_doc(value))


def _plausible(plausible: n.Plausible) -> str:
    return f"plausible {_literal(plausible.low)} .. {_literal(plausible.high)}"


# ---- definition bodies ----------------------------------------------------------------------------


def _parameter_value(parameter: n.Parameter) -> str:
    text = _literal(parameter.value)
    return text + (" " + _plausible(parameter.plausible) if parameter.plausible is not None else "")


def _body(definition: n.Definition) -> list[list[str]]:
    """The lines of each body unit, indented; continuation lines carry their own indentation."""
    match definition:
        case n.Criterion(condition=condition):
            return [_at(INDENT, expr_doc(condition), 4)]
        case n.Recommendation(condition=condition):
            return [_at(INDENT + "when ", expr_doc(condition), 4)]
        case n.Parameter():
            return [[INDENT + _parameter_value(definition)]]
        case n.Event():
            return [_event_lines(definition)]
        case n.Classification(branches=branches):
            return _branches(branches)
        case n.Dose():
            return _dose(definition)
        case n.Target(actions=actions):
            pad = max((len(band) for band, _ in actions), default=0)
            return [_at(INDENT, _target_doc(definition), 4)] + [[f"{INDENT}{band.ljust(pad)} {quote(text)}"] for band, text in actions]
    raise AssertionError(definition)


def _at(prefix: str, doc: _Doc, indent: int, tail: int = 0) -> list[str]:
    lines = _lay(doc, width(prefix), indent, tail)
    return [prefix + lines[0], *lines[1:]]


def _ends_with_number(doc: _Doc) -> bool:
    return _end(doc) == "number"


def _branches(branches: Sequence[n.Branch]) -> list[list[str]]:
    pad = max(len(b.name.name) for b in branches)
    out = []
    for index, branch in enumerate(branches):
        head = f"{INDENT}{branch.name.name.ljust(pad)} "
        if branch.condition is None:
            out.append([head + "otherwise"])
            continue
        doc = expr_doc(branch.condition)
        if index + 1 < len(branches) and _ends_with_number(doc):
            doc = _paren(doc)  # `x > 2 low …` would read `2 low` as a quantity: keep the parentheses
        out.append(_at(head + "when ", doc, width(head) + 2))
    return out


def _amount(expr: n.Expr) -> _Doc:
    doc = _sum(expr)
    return _paren(doc) if _flat(doc).startswith("-") else doc  # never read as a subtraction from the line above


def _dose(dose: n.Dose) -> list[list[str]]:
    """Branches follow each other with nothing between them, so where one ends and the next begins must
    survive: an amount starting with `-` or `(`, or with a name after a bare number, gets parentheses."""
    amounts = [_amount(b.amount) for b in dose.branches]
    conditions = [expr_doc(b.condition) if b.condition is not None else None for b in dose.branches]
    for index in reversed(range(len(dose.branches) - 1)):  # from the end: a parenthesised amount is seen by the one before
        following = _flat(amounts[index + 1])
        last = conditions[index] if conditions[index] is not None else None if dose.branches[index].otherwise else amounts[index]
        if last is None:
            continue
        end = _end(last)
        if (following.startswith("(") and end == "name") or (following[:1].isalpha() and end == "number"):
            if conditions[index] is not None:
                conditions[index] = _paren(last)
            else:
                amounts[index] = _paren(last)
    flat_amounts = [_flat(a) for a in amounts]
    guarded = [i for i, b in enumerate(dose.branches) if b.condition is not None or b.otherwise]
    pad = max((width(flat_amounts[i]) for i in guarded if width(INDENT + flat_amounts[i]) <= WIDTH), default=0)
    out = []
    for index, branch in enumerate(dose.branches):
        lines = _at(INDENT, amounts[index], 4)
        condition = conditions[index]
        if branch.otherwise or condition is not None:
            lines[-1] += " " * max(0, pad - width(lines[-1]) + len(INDENT)) + "  "
            if branch.otherwise:
                lines[-1] += "otherwise"
            elif condition is not None:
                lines[-1] += "when "
                when = width(lines[-1]) - len("when ")
                tail = _lay(condition, width(lines[-1]), when + 2)
                lines[-1] += tail[0]
                lines.extend(tail[1:])
        out.append(lines)
    if dose.rounding is not None:
        out.append(_at(INDENT, _rounding(dose.rounding), 4))
    if dose.schedule is not None:
        out.append([INDENT + _schedule(dose.schedule)])
    return out


def _rounding(rounding: n.Rounding) -> _Doc:
    words = {"nearest": "rounded to ", "down": "rounded down to ", "up": "rounded up to "}[rounding.mode]
    return _Seq((_Atom(words), _sum(rounding.step)))


def _schedule(schedule: n.Schedule) -> str:
    count = number(schedule.count) if schedule.count is not None else ""
    frequency = {"times daily": f"{count} times daily", "every hours": f"every {count} hours"}.get(schedule.frequency, schedule.frequency)
    days = schedule.days
    if days is None:
        return f"given {frequency}"
    numbers = [number(d) for d in days.days]
    named = days.parameter.name if days.parameter is not None else ""
    text = {
        "day": f"on day {numbers[0]}" if numbers else f"on {named}",
        "range": f"on days {' to '.join(numbers)}",
        "list": f"on days {', '.join(numbers)}",
        "parameter": f"on days {named}",
        "from": f"from day {numbers[0]}" if numbers else f"from {named}",
    }[days.kind]
    return f"given {frequency} {text}"


def _target_doc(target: n.Target) -> _Doc:
    return _Seq((_sum(target.measured), _Atom(" within "), _sum(target.low), _Atom(" .. "), _sum(target.high)))


def _event_start(event: n.Event) -> str:
    run = "first day" if event.run is None else f"first of {_flat(expr_doc(event.run))} consecutive days"
    return run + (f" from {_flat(expr_doc(event.start))}" if event.start is not None else "")


def _event_text(event: n.Event) -> str:
    return f"{_event_start(event)} where {_flat(expr_doc(event.condition))}"


def _event_lines(event: n.Event) -> list[str]:
    """`first … where COND` on one line when it fits; else `where` starts a continuation line."""
    line = INDENT + _event_text(event)
    if width(line) <= WIDTH:
        return [line]
    return [INDENT + _event_start(event), *_at(CONTINUATION + "where ", expr_doc(event.condition), len(CONTINUATION) + 2)]


# ---- assembling lines -----------------------------------------------------------------------------


class _Output:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def line(self, text: str) -> None:
        self.lines.append(text.rstrip())

    def unit(self, unit: _Unit, lines: list[str], indent: str, blanks: bool = False, first: bool = False,
             trailing: _Comment | None = None) -> None:
        """A unit's comments above it, its lines, and its end-of-line comment on the last of them.

        `blanks`: blank lines the author left above a comment or the unit are kept (at most one); the
        first element's blank line is the caller's business (`first`)."""
        elements: list[tuple[bool, str]] = [(c.blank_before, indent + c.text) for c in unit.leading]
        elements.append((unit.blank_before, lines[0]))
        for position, (blank, text) in enumerate(elements):
            if blanks and blank and not (first and position == 0):
                self.blank()
            self.line(text)
        self.lines.extend(line.rstrip() for line in lines[1:])
        comment = trailing if trailing is not None else unit.trailing
        if comment is not None:
            self.lines[-1] += "  " + comment.text

    def text(self) -> str:
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines) + "\n"
