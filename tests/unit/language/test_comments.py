"""Formatter comments: the source text's positions and tokens, and which layout unit each comment hangs on."""

from __future__ import annotations

from carepath.language.formatter.comments import SourceText, TokenKind, Units
from carepath.language.parser import parse_with_comments
from carepath.language.source import Source

TEXT = """# above everything
protocol p  # on the header

input
  a : boolean  # on a

# above c
criterion c: a
classify r:
  # inside r, above hi
  hi when c  # on hi
  lo otherwise
# at the end
"""


def units_of(text: str) -> Units:
    protocol, comments = parse_with_comments(Source("t", text))
    return Units(protocol, SourceText(text), comments)


def test_source_text_positions_and_tokens() -> None:
    source = SourceText('x : "a b"\n\ny .. 2\n')
    assert source.offset(3, 1) == 11
    assert [(t.kind, t.text) for t in source.tokens] == [
        (TokenKind.WORD, "x"), (TokenKind.OTHER, ":"), (TokenKind.STRING, '"a b"'),
        (TokenKind.WORD, "y"), (TokenKind.DOTS, ".."), (TokenKind.OTHER, "2"),
    ]
    assert source.at(4) == 2  # the string starts at offset 4
    assert source.blank_before(11) and not source.blank_before(4)
    assert source.code_before_on_line(4) and not source.code_before_on_line(11)
    assert source.code_between(0, 1) and not source.code_between(9, 11)


def test_each_comment_hangs_on_the_unit_it_belongs_to() -> None:
    units = units_of(TEXT)
    protocol_line = units.header["protocol"]
    assert [c.text for c in protocol_line.leading] == ["# above everything"]
    assert protocol_line.trailing is not None and protocol_line.trailing.text == "# on the header"
    (a,) = units.inputs
    assert a.trailing is not None and a.trailing.text == "# on a"
    criterion, classification = units.definitions
    assert [c.text for c in criterion.heading.leading] == ["# above c"]
    # the blank line is above the comment, not between the comment and the heading
    assert criterion.heading.leading[0].blank_before is True and criterion.heading.blank_before is False
    hi, lo = classification.body
    assert [c.text for c in hi.leading] == ["# inside r, above hi"]
    assert hi.trailing is not None and hi.trailing.text == "# on hi"
    assert lo.quiet
    assert [c.text for c in units.end] == ["# at the end"]
