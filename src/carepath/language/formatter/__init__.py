"""`carepath fmt`: protocol text → one canonical layout, rebuilt from its AST with its comments kept.

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
- Expressions print as `printer.expr_text` does everywhere else (canonical operators and numbers,
  parentheses where the grammar needs them and around `and`/`or`/`xor`/`implies` nested in one
  another). One that does not fit breaks before `and`/`or`/`+`/… (one operand per line) or between the items of
  `any of (…)`, `all of (…)` and call arguments (filled, aligned after the parenthesis).
- Blank lines: one after the header and after the input block; one between definitions, except that
  definitions of one kind written without a blank line between them stay together (a group, such as
  related parameters under one comment); never inside a definition. Comments keep their place: a
  comment on its own line stays above the line it preceded, an end-of-line comment stays at the end
  of its line.

The package: `printer` (one level up) makes expression documents, `comments` hangs comments on layout
units, `layout` prints the protocol; `format_source` here ties them together and checks the result.
"""

from __future__ import annotations

from carepath.language.diagnostics import ProtocolError
from carepath.language.formatter.comments import SourceText, Units
from carepath.language.formatter.layout import CONTINUATION, INDENT, render
from carepath.language.parser import parse, parse_with_comments
from carepath.language.printer import WIDTH, expr_doc, quote, width
from carepath.language.printer import number_text as number
from carepath.language.source import Source

__all__ = ["CONTINUATION", "INDENT", "WIDTH", "FormatError", "expr_doc", "format_source", "number", "quote", "width"]


class FormatError(ValueError):
    """The canonical layout would not read back as the same protocol; the file is better left alone."""


def format_source(text: str, name: str = "<protocol>") -> str:
    """The canonical text of a protocol; raises `ProtocolError` when it does not parse.

    The result is parsed again and compared with the original before it is returned, so a case the
    layout rules did not foresee raises `FormatError` instead of changing what a file says. One is
    known: an input option repeated after a bare number (`plausible 0 .. 5 plausible …`), which the
    parser drops, leaves `5` before the next input's name, where it would read as a unit."""
    source = Source(name, text)  # its text without a byte-order mark, every line ending a newline: what the spans count
    protocol, comments = parse_with_comments(source)
    formatted = render(protocol, Units(protocol, SourceText(source.text), comments))
    try:
        again = parse(Source(name, formatted))
    except ProtocolError as error:
        raise FormatError(f"{name}: the canonical layout would not parse ({error.diagnostics[0].message}); "
                          "the file is left as it is") from None
    if again != protocol:
        raise FormatError(f"{name}: the canonical layout would change the protocol's meaning; the file is left as it is")
    return formatted
