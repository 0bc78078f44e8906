"""The Pygments lexer: found by its alias through the entry point, in step with the grammar, and clean on every
shipped protocol and every ```care block in the docs (which Markdown renderers highlight by that alias)."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import pygments
import pytest
from lark import Lark, Token
from pygments.formatters import HtmlFormatter
from pygments.lexers import find_lexer_class_by_name, get_lexer_by_name, get_lexer_for_filename
from pygments.token import Comment, Error, Keyword, Name, Number, Operator, Punctuation, String, Whitespace, _TokenType

from carepath import Source
from carepath.language.lexer import BUILTINS, KEYWORDS, CarepathLexer
from carepath.language.parser import grammar_path, parse
from carepath.semantics.builtins import BUILTINS as CHECKER_BUILTINS

ROOT = Path(__file__).resolve().parents[3]
PROTOCOLS = sorted((ROOT / "protocols").glob("*.care"))
EXAMPLES = sorted((ROOT / "docs" / "examples").glob("*.care"))
FENCE = re.compile(r"^```care\s*\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)
DIRECTIVES = re.compile(r"(?:<!--[^\n]*-->\s*\n)*$")


def docs_blocks() -> list[tuple[str, str, str]]:
    """(id, code, the `<!-- … -->` directives straight above it) for every ```care block in docs/*.md."""
    blocks = []
    for doc in sorted((ROOT / "docs").glob("*.md")):
        text = doc.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            above = DIRECTIVES.search(text, 0, match.start())
            blocks.append((f"{doc.name}:{line}", match.group(1), above.group(0) if above else ""))
    return blocks


DOCS_BLOCKS = docs_blocks()
# An unexpected character is exactly what the lexer marks as an error: those blocks are checked for the mark instead.
CLEAN_BLOCKS = [b for b in DOCS_BLOCKS if "CP102" not in b[2]]
BAD_CHARACTER_BLOCKS = [b for b in DOCS_BLOCKS if "CP102" in b[2]]


def tokens(text: str) -> list[tuple[int, _TokenType, str]]:
    return [t for t in CarepathLexer().get_tokens_unprocessed(text) if t[2]]


def kinds(text: str) -> dict[str, _TokenType]:
    """Each token's text → its type (the last one wins; the snippets below use each word once where it matters)."""
    return {value: kind for _, kind, value in tokens(text) if kind is not Whitespace}


# ---- registration --------------------------------------------------------------------------------------------


def test_the_entry_point_names_the_lexer() -> None:
    points = {p.name: p.value for p in importlib.metadata.entry_points(group="pygments.lexers")}
    assert points.get("care") == "carepath.language.lexer:CarepathLexer"


@pytest.mark.parametrize("alias", ["care", "carepath"])
def test_pygments_finds_the_lexer_by_alias(alias: str) -> None:
    assert isinstance(get_lexer_by_name(alias), CarepathLexer)
    assert find_lexer_class_by_name(alias) is CarepathLexer


def test_pygments_finds_the_lexer_by_file_name() -> None:
    assert isinstance(get_lexer_for_filename("protocols/severance_2011.care"), CarepathLexer)


# ---- in step with the grammar and the checker ----------------------------------------------------------------


def test_every_keyword_of_the_grammar_is_a_keyword_here_and_no_other() -> None:
    grammar = grammar_path().read_text(encoding="utf-8")
    literals = set(re.findall(r'"([a-z]+)"', grammar))
    assert literals == KEYWORDS


def test_every_builtin_function_is_highlighted_as_one() -> None:
    assert set(BUILTINS) == set(CHECKER_BUILTINS)


def _lark_tokens(text: str) -> list[Token]:
    """Every token the grammar's contextual lexer produces while parsing the text, comments included."""
    comments: list[Token] = []

    def keep(token: Token) -> Token:
        comments.append(token)
        return token

    lark = Lark(grammar_path().read_text(encoding="utf-8"), parser="lalr", lexer_callbacks={"COMMENT": keep})
    parsing = lark.parse_interactive(text)
    seen = list(parsing.iter_parse())
    parsing.feed_eof()  # the whole text parsed: these are the tokens of a valid protocol
    return seen + comments


def _expected(token: Token) -> tuple[_TokenType, ...]:
    match token.type:
        case "UNIT":
            return (Name.Constant,)
        case "NUMBER":
            return (Number,)
        case "STRING":
            return (String,)
        case "COMMENT":
            return (Comment,)
        case "NAME":
            return (Name,)
    return (Keyword, Operator.Word) if str(token)[:1].isalpha() else (Operator, Punctuation)


@pytest.mark.parametrize("path", PROTOCOLS + EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_token_is_what_the_grammar_reads_there(path: Path) -> None:
    """Units, numbers, strings, comments, names, keywords and operators where the parser finds them — and
    nothing the parser does not: a name never shows as a unit, a unit never as a name."""
    text = path.read_text(encoding="utf-8")
    ours = {index: kind for index, kind, _ in tokens(text)}
    theirs = _lark_tokens(text)
    wrong = []
    for token in theirs:
        kind = ours.get(token.start_pos)
        fits = kind is not None and any(kind in e for e in _expected(token))
        if token.type == "NAME" and kind is not None and kind in Name.Constant:
            fits = False
        if not fits:
            wrong.append(f"{token.line}:{token.column} {token.type} {str(token)!r} → {kind}")
    assert not wrong, "\n".join(wrong)
    starts = {t.start_pos for t in theirs}
    strays = [(i, k, v) for i, k, v in tokens(text)
              if i not in starts and k is not Whitespace and k not in String]  # a string's inside and closing quote
    assert not strays, strays


# ---- no errors on real code ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PROTOCOLS + EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shipped_protocols_lex_without_errors(path: Path) -> None:
    errors = [(i, v) for i, k, v in tokens(path.read_text(encoding="utf-8")) if k in Error]
    assert not errors


def test_the_docs_have_care_blocks() -> None:
    assert len(CLEAN_BLOCKS) > 20
    assert BAD_CHARACTER_BLOCKS, "the reference's CP102 example is the check that errors are marked"


@pytest.mark.parametrize(("name", "code", "directives"), CLEAN_BLOCKS, ids=[b[0] for b in CLEAN_BLOCKS])
def test_docs_blocks_lex_without_errors(name: str, code: str, directives: str) -> None:
    errors = [(i, v) for i, k, v in tokens(code) if k in Error]
    assert not errors


@pytest.mark.parametrize(("name", "code", "directives"), CLEAN_BLOCKS, ids=[b[0] for b in CLEAN_BLOCKS])
def test_docs_blocks_highlight_by_the_care_alias(name: str, code: str, directives: str) -> None:
    """What a Pygments-based Markdown renderer (Python-Markdown codehilite, pymdown-extensions highlight, MkDocs)
    does with a ```care fence: look the lexer up by the fence's word and format to HTML."""
    html = pygments.highlight(code, get_lexer_by_name("care"), HtmlFormatter())
    assert 'class="err"' not in html
    assert 'class="k' in html  # keywords were recognised, not passed through as plain text


@pytest.mark.parametrize(("name", "code", "directives"), BAD_CHARACTER_BLOCKS, ids=[b[0] for b in BAD_CHARACTER_BLOCKS])
def test_a_character_the_language_rejects_is_marked_as_an_error(name: str, code: str, directives: str) -> None:
    html = pygments.highlight(code, get_lexer_by_name("care"), HtmlFormatter())
    assert 'class="err"' in html


def test_an_unclosed_string_is_an_error_as_in_the_grammar() -> None:
    code = 'criterion a "never closed: x > 5\n'
    assert [v for _, k, v in tokens(code) if k in Error] == ['"']
    with pytest.raises(Exception, match="CP102"):
        parse(Source("x.care", "protocol p\n" + code))


# ---- token types ---------------------------------------------------------------------------------------------

SNIPPET = """\
# a comment
protocol demo "Demo \\"quoted\\" title"
  version "1.0.0"
input
  wbc : quantity /uL plausible 100 /uL .. 2000000 /uL
  age : duration plausible 0 days .. 12 months
  mll : one of germline, translocation
  anc : series of quantity 10*9/L relative to transplant_date
  transplant_date : date optional
parameter threshold "Threshold": 50 10*9/L plausible 1 10*9/L .. 100 10*9/L
criterion infant "Infant" cites "Lee 2011": age < 6 months xor wbc ≥ 300000 /uL
criterion big: not (wbc <= 5 /uL) and any of (wbc ≠ 7 /uL, mll is missing) implies true
classify risk "Risk":
  high when infant or wbc > 3
  low otherwise
dose busulfan "Busulfan" in mg:
  0.9 mg/kg * weight when weight <= 12 kg
  round(1.1 mg/kg * weight, 1 mg) otherwise
  rounded to 0.1 mg
  given 4 times daily on days -7 to -4
event engrafted "Engraftment": first of 3 consecutive days from day 1 where anc >= 500 /uL and no transfusion in previous 7 days
"""


def following(code: str, word: str) -> tuple[str, _TokenType]:
    """The token straight after the first `word` (whitespace skipped)."""
    visible = [(v, k) for _, k, v in tokens(code) if k is not Whitespace]
    index = next(i for i, (v, _) in enumerate(visible) if v == word)
    return visible[index + 1]


def test_comments_strings_and_escapes() -> None:
    found = kinds(SNIPPET)
    assert found["# a comment"] in Comment
    assert found["Lee 2011"] in String
    assert found['\\"'] in String.Escape
    assert found["Demo "] in String
    assert following(SNIPPET, "version") == ('"', String.Double)


def test_declarations_and_their_names() -> None:
    found = kinds(SNIPPET)
    for word in ("protocol", "input", "parameter", "criterion", "classify", "dose", "event"):
        assert found[word] in Keyword.Declaration, word
    assert following(SNIPPET, "protocol") == ("demo", Name.Namespace)
    for keyword, name in (("criterion", "infant"), ("classify", "risk"), ("dose", "busulfan"), ("event", "engrafted"),
                          ("parameter", "threshold")):
        assert following(SNIPPET, keyword) == (name, Name.Function), keyword
    assert following(SNIPPET, "input") == ("wbc", Name.Variable)
    assert following(SNIPPET, "optional") == ("parameter", Keyword.Declaration)
    assert following(SNIPPET, "or") == ("wbc", Name)  # a name used in an expression


def test_units_after_numbers_and_in_types() -> None:
    units = {v for _, k, v in tokens(SNIPPET) if k in Name.Constant}
    assert units == {"/uL", "days", "months", "10*9/L", "mg", "mg/kg", "kg"}
    numbers = [v for _, k, v in tokens(SNIPPET) if k in Number]
    assert "2000000" in numbers and "0.9" in numbers and "3" in numbers


def test_a_word_that_follows_a_number_is_a_keyword_when_the_grammar_says_so() -> None:
    code = ("criterion a: x > 5 and y\nparameter p: 3 plausible 1 .. 7\ndose d in mg: p * 2 when x > 1 kg\n  p * 3 otherwise\n"
            "  given daily on days 1 to 7\n")
    found = [(v, k) for _, k, v in tokens(code) if k is not Whitespace]
    for word, kind in (("and", Operator.Word), ("plausible", Keyword), ("when", Keyword), ("otherwise", Keyword), ("to", Keyword)):
        assert (word, kind) in found, word
    assert [v for v, k in found if k in Name.Constant] == ["mg", "kg"]


def test_branch_names_are_labels_even_after_a_bare_number() -> None:
    found = kinds(SNIPPET)
    assert found["high"] in Name.Label
    assert found["low"] in Name.Label  # `wbc > 3` then `low otherwise`: a branch, not a unit
    assert found["otherwise"] in Keyword


def test_operators_words_types_builtins_and_constants() -> None:
    found = kinds(SNIPPET)
    for symbol in ("≥", "≠", "<=", "<", ">", "*", "..", "-"):
        assert found[symbol] in Operator, symbol
    for word in ("and", "or", "not", "xor", "implies", "any", "of", "is", "missing", "no"):
        assert found[word] in Operator.Word or found[word] in Keyword, word
    for word in ("quantity", "duration", "series", "one", "date"):
        assert found[word] in Keyword.Type, word
    assert found["true"] in Keyword.Constant
    assert found["round"] in Name.Builtin
    for word in ("cites", "plausible", "optional", "relative", "when", "rounded", "given", "times", "daily", "on",
                 "first", "consecutive", "from", "day", "where", "previous", "in"):
        assert found[word] in Keyword, word
    assert following(SNIPPET, "on") == ("days", Keyword)  # `on days 1 to 7`: the keyword, where `7 days` is a unit
    assert not [v for _, k, v in tokens(SNIPPET) if k in Error]
