"""Where comments go: the source text's code tokens and the layout units (header, inputs, headings,
body lines) found from the AST's spans, each with the comments written above it or at its line's end."""

from __future__ import annotations

import bisect
import enum
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from carepath.language import nodes as n
from carepath.language.source import Span

TOKEN_PATTERN = re.compile(r'(?P<space>\s+)|(?P<comment>#[^\n]*)|(?P<string>"(?:[^"\\\n]|\\.)*")|(?P<dots>\.\.)'
                    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<other>.)", re.DOTALL)


class TokenKind(enum.Enum):
    """The code tokens the layout looks for (named as the groups of `TOKEN_PATTERN`)."""

    STRING = "string"
    DOTS = "dots"
    WORD = "word"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str
    offset: int


class SourceText:
    """Offsets for (line, column) pairs and the code tokens, enough to find what the AST has no node for
    (the `input` keyword, a heading's colon, a target's actions) and which comments lie inside a line."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.tokens = [Token(TokenKind(m.lastgroup), m.group(), m.start()) for m in TOKEN_PATTERN.finditer(text)
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
class Comment:
    text: str
    offset: int
    blank_before: bool
    trailing: bool


@dataclass(slots=True)
class Unit:
    """A piece of the layout that starts a line: the header, an input, a heading, a branch, ...

    Not frozen: `Units` hangs comments on it one by one as it reads them in source order."""

    offset: int
    blank_before: bool = False
    leading: list[Comment] = field(default_factory=list)
    trailing: Comment | None = None

    @property
    def quiet(self) -> bool:
        return not self.leading and self.trailing is None


@dataclass(slots=True)
class DefinitionUnits:
    heading: Unit
    body: list[Unit]  # one per body line: branches, amounts, `rounded`, `given`, actions; else one


class Units:
    """The units of the layout found in the source, each with the comments hung on it."""

    def __init__(self, protocol: n.Protocol, source: SourceText, comments: Sequence[tuple[int, int, str]]) -> None:
        self.protocol = protocol
        self.source = source
        self.header: dict[str, Unit] = {}
        self.input_unit: Unit | None = None
        self.inputs: list[Unit] = []
        self.definitions: list[DefinitionUnits] = []
        self.end: list[Comment] = []
        self.duplicates: list[tuple[str, Unit]] = []
        self._find_units()
        self._attach(comments)

    # -- where each unit starts --

    def _offset(self, span: Span) -> int:
        return self.source.offset(span.line, span.column)

    def _unit(self, offset: int) -> Unit:
        return Unit(offset, self.source.blank_before(offset))

    def _find_units(self) -> None:
        source, protocol = self.source, self.protocol
        index = source.at(self._offset(protocol.span))  # the `protocol` keyword
        self.header["protocol"] = self._unit(source.tokens[index].offset)
        index += 2  # `protocol NAME`, then the title if there is one
        if index < len(source.tokens) and source.tokens[index].kind is TokenKind.STRING:
            index += 1
        while index + 1 < len(source.tokens) and source.tokens[index].text in ("version", "source") \
                and source.tokens[index].kind is TokenKind.WORD and source.tokens[index + 1].kind is TokenKind.STRING:
            key = source.tokens[index].text
            if key in self.header:  # repeated: the parser keeps the last one
                self.duplicates.append((key, self.header[key]))
            self.header[key] = self._unit(source.tokens[index].offset)
            index += 2
        if index < len(source.tokens) and source.tokens[index].text == "input" and source.tokens[index].kind is TokenKind.WORD:
            self.input_unit = self._unit(source.tokens[index].offset)
        self.inputs = [self._unit(self._offset(d.span)) for d in protocol.inputs]
        for definition in protocol.definitions:
            start = self._offset(definition.span)
            colon = source.at(start)
            while source.tokens[colon].text != ":":
                colon += 1
            body_start = source.tokens[colon + 1].offset
            self.definitions.append(DefinitionUnits(self._unit(start), self._body_units(definition, body_start)))

    def _body_units(self, definition: n.Definition, body_start: int) -> list[Unit]:
        starts = [body_start]
        match definition:
            case n.Classification(branches=branches):
                starts = [self._offset(b.span) for b in branches]
            case n.Dose(branches=branches, rounding=rounding, schedule=schedule):
                starts = [self._offset(b.span) for b in branches]
                starts += [self._offset(x.span) for x in (rounding, schedule) if x is not None]
                starts += [self._offset(limit.span) for limit in definition.limits]
            case n.Recommendation(deadline=deadline) if deadline is not None:
                starts += [self._offset(deadline.span)]
            case n.Target(actions=actions) if actions:
                index = self.source.at(body_start)
                while self.source.tokens[index].kind is not TokenKind.DOTS:
                    index += 1
                found: list[int] = []
                tokens = self.source.tokens
                while len(found) < len(actions):
                    index += 1
                    if tokens[index].text in ("below", "within", "above") and tokens[index + 1].kind is TokenKind.STRING:
                        found.append(tokens[index].offset)
                        index += 1
                starts += found
        starts[0] = body_start
        return [self._unit(s) for s in starts]

    def _all_units(self) -> Iterator[Unit]:
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
            comment = Comment(text.rstrip(), offset, self.source.blank_before(offset), self.source.code_before_on_line(offset))
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
