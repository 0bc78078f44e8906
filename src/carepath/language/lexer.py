"""A Pygments lexer for carepath protocols, so `.care` code is highlighted in the docs and in any tool that uses Pygments.

Registered as the `care` lexer through the `pygments.lexers` entry point. It needs only Pygments (which rich
already brings) and reads no other part of carepath: the keyword lists here are kept in step with
`grammar/carepath.lark` by a test, not by importing the parser.

Highlighting follows the grammar's contextual lexer: a word straight after a number is its unit
(`50000 /uL`, `6 months`), unless it is a keyword that may follow a value (`when`, `to`, `plausible`, …),
the start of the next input (`name :`) or, inside a classification, the next branch (`name when`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

from pygments.lexer import RegexLexer, bygroups, default, include, words  # type: ignore[import-untyped]
from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, String, Whitespace  # type: ignore[import-untyped]

__all__ = ["BUILTINS", "KEYWORDS", "CarepathLexer"]

DECLARATIONS = ("protocol", "input", "criterion", "classify", "recommend", "parameter", "dose", "target", "event")
TYPES = ("quantity", "duration", "boolean", "text", "date", "series", "one")
CONSTANTS = ("true", "false")
WORD_OPERATORS = ("and", "or", "not", "xor", "implies", "is", "missing", "known", "any", "all", "no")
OTHER_KEYWORDS = ("version", "source", "cites", "plausible", "optional", "from", "to", "relative", "of", "when", "otherwise",
                  "in", "rounded", "down", "up", "given", "once", "daily", "times", "every", "hours", "continuously", "on",
                  "day", "days", "within", "below", "above", "first", "consecutive", "where", "previous",
                  "limit", "per", "course", "due")
KEYWORDS = frozenset(DECLARATIONS + TYPES + CONSTANTS + WORD_OPERATORS + OTHER_KEYWORDS)
BUILTINS = ("bsa_mosteller", "round", "round_down", "round_up", "min", "max")

# Words that may follow a value, so after a number they start the next clause rather than name a unit.
_AFTER_VALUE = (*DECLARATIONS, "version", "source", "plausible", "optional", "from", "to", "relative", "when", "otherwise",
                "and", "or", "xor", "implies", "within", "below", "above", "rounded", "given", "where", "consecutive",
                "limit", "per", "due", "cites")

NAME = r"[A-Za-z_][A-Za-z0-9_]*"
NUMBER = r"\d[\d_]*(?:\.\d+)?"
# The grammar's UNIT terminal, character for character.
UNIT = (r"(?:10[*^]-?\d+)?(?:/?[A-Za-zµμ%][A-Za-zµμ0-9]*)(?:/[A-Za-zµμ][A-Za-zµμ0-9]*|\.[A-Za-zµμ][A-Za-zµμ0-9]*)*"
        r"|10[*^]-?\d+(?:/[A-Za-zµμ][A-Za-zµμ0-9]*)+")
_UNIT_TOKEN = Name.Constant  # a standard token type, so every Pygments style colours units apart from names and numbers
_TYPE_NAMES = r"(?:series|quantity|duration|boolean|text|date|one)\b"


def _nothing(lexer: Any, match: re.Match[str]) -> Iterator[tuple[int, Any, str]]:
    """The action of a look-ahead rule: it only changes state, and yields no (empty) token."""
    return iter(())


def _number(state_after: str) -> list[Any]:
    """A number (integer or decimal), then the state that decides whether the next word is its unit."""
    return [
        (NUMBER + r"(?=\.\.)", Number.Integer, state_after),  # `1..40`: the dots are the range, not a decimal point
        (r"\d[\d_]*\.\d+", Number.Float, state_after),
        (r"\d[\d_]*", Number.Integer, state_after),
    ]


def _unit_after_number(extra_stops: tuple[str, ...]) -> list[Any]:
    return [
        (r"(?=\s*" + words(_AFTER_VALUE, suffix=r"\b").get() + ")", _nothing, "#pop"),
        (r"(?=\s*" + NAME + r"\s*:)", _nothing, "#pop"),  # the next input: `cns : boolean`
        *[(stop, _nothing, "#pop") for stop in extra_stops],
        (r"(\s*)(" + UNIT + ")", bygroups(Whitespace, _UNIT_TOKEN), "#pop"),
        default("#pop"),
    ]


class CarepathLexer(RegexLexer):  # type: ignore[misc]
    """Highlights carepath protocol files (`*.care`)."""

    name = "carepath"
    aliases: ClassVar[list[str]] = ["care", "carepath"]
    filenames: ClassVar[list[str]] = ["*.care"]
    mimetypes: ClassVar[list[str]] = ["text/x-carepath"]
    url = "https://pypi.org/project/carepath/"

    tokens: ClassVar[dict[str, list[Any]]] = {
        "root": [
            (r"(classify)(\s+)(" + NAME + ")", bygroups(Keyword.Declaration, Whitespace, Name.Function), "classification"),
            include("common"),
        ],
        # Inside `classify …:` a name followed by `when` or `otherwise` labels a branch, until the next declaration.
        "classification": [
            (r"(?=" + words(DECLARATIONS, suffix=r"\b").get() + ")", _nothing, "#pop"),
            (r"(" + NAME + r")(\s+)(when|otherwise)\b", bygroups(Name.Label, Whitespace, Keyword)),
            *_number("classification-unit"),
            include("common"),
        ],
        "classification-unit": _unit_after_number((r"(?=\s*" + NAME + r"\s+(?:when|otherwise)\b)",)),
        "unit": _unit_after_number(()),
        "common": [
            (r"\s+", Whitespace),
            (r"#.*?$", Comment.Single),
            (r'"(?=(?:[^"\\\n]|\\.)*")', String.Double, "string"),  # a quote never closed on its line is an error, as in the grammar
            (r"(protocol)(\s+)(" + NAME + ")", bygroups(Keyword.Declaration, Whitespace, Name.Namespace)),
            (r"(per)(\s+)(dose|day|course)\b", bygroups(Keyword, Whitespace, Keyword)),  # a limit's period, never a declaration
            (r"(criterion|recommend|parameter|dose|target|event)(\s+)(" + NAME + ")", bygroups(Keyword.Declaration, Whitespace, Name.Function)),
            (r"(" + NAME + r")(\s*)(:)(?=\s*" + _TYPE_NAMES + ")", bygroups(Name.Variable, Whitespace, Punctuation)),
            (r"(quantity)(\s+)(" + UNIT + ")", bygroups(Keyword.Type, Whitespace, _UNIT_TOKEN)),
            (r"(in)(\s+)(" + UNIT + r")(\s*)(:)", bygroups(Keyword, Whitespace, _UNIT_TOKEN, Whitespace, Punctuation)),  # a dose's unit
            (r"(every)(\s+)(" + NUMBER + r")(\s+)(hours)\b", bygroups(Keyword, Whitespace, Number, Whitespace, Keyword)),
            (r"(" + NUMBER + r")(\s+)(times)(\s+)(daily)\b", bygroups(Number, Whitespace, Keyword, Whitespace, Keyword)),
            (r"(of)(\s+)(" + NUMBER + r")(\s+)(consecutive)\b", bygroups(Keyword, Whitespace, Number, Whitespace, Keyword)),
            (r"(any|all)(\s+)(of)\b", bygroups(Operator.Word, Whitespace, Operator.Word)),
            (r"(one|series)(\s+)(of)\b", bygroups(Keyword.Type, Whitespace, Keyword.Type)),
            (words(BUILTINS, suffix=r"(?=\s*\()"), Name.Builtin),
            (words(DECLARATIONS, suffix=r"\b"), Keyword.Declaration),
            (words(TYPES, suffix=r"\b"), Keyword.Type),
            (words(CONSTANTS, suffix=r"\b"), Keyword.Constant),
            (words(WORD_OPERATORS, suffix=r"\b"), Operator.Word),
            (words(OTHER_KEYWORDS, suffix=r"\b"), Keyword),
            *_number("unit"),
            (r">=|<=|!=|≥|≤|≠|=|<|>|\+|-|\*|/|\.\.", Operator),
            (r"[(),:]", Punctuation),
            (NAME, Name),
        ],
        "string": [
            (r'\\.', String.Escape),
            (r'[^"\\\n]+', String.Double),
            (r'"', String.Double, "#pop"),
        ],
    }
