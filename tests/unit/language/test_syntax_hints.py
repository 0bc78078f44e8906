"""Syntax-error wording: the unit-misread hint, and the hints as the parser attaches them."""

from __future__ import annotations

import pytest

from carepath.language.diagnostics import ProtocolError
from carepath.language.parser import parse_text
from carepath.language.syntax_hints import CHARACTER_HINT, MIXING_HINT, unit_misread


def test_a_name_after_a_bare_number_is_named_as_its_unit() -> None:
    text = "classify r: high when n > 5\n  low otherwise\n"
    # the parser stops at `otherwise` (line 2, column 7): `low` was taken as the unit of 5
    assert unit_misread(text, 2, 7) == ("'low' was read as the unit of 5: give 5 its unit, or put the comparison in "
                                        "parentheses so 'low' starts what comes next")


def test_no_hint_without_a_bare_number_before_the_spot() -> None:
    assert unit_misread("classify r: high when n > m\n  low otherwise\n", 2, 7) is None
    assert unit_misread("", 3, 1) is None


def test_the_parser_attaches_the_mixing_and_character_hints() -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_text("protocol p\ncriterion c: a xor b or c\n")
    assert caught.value.diagnostics[0].hint == MIXING_HINT
    with pytest.raises(ProtocolError) as caught:
        parse_text("protocol p\ncriterion c: a = 'x'\n")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column, diagnostic.hint) == ("CP102", 2, 18, CHARACTER_HINT)


def test_the_unit_hint_looks_only_just_before_the_error() -> None:
    """A 20,000-digit comment before the error once took 10 s to search; the hint is still found right before it."""
    text = "protocol p\ninput\n  n : quantity mg\n#" + "1" * 20_000 + "\nclassify g:\n  high when n > 5 low otherwise\n"
    with pytest.raises(ProtocolError) as raised:
        parse_text(text)
    assert "'low' was read as the unit of 5" in (raised.value.diagnostics[0].hint or "")
