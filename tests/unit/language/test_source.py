"""Spans and carets: the one place that does line and column arithmetic."""

from __future__ import annotations

from pathlib import Path

import pytest

import carepath
from carepath.language.diagnostics import ProtocolError
from carepath.language.source import Source, Span, lines


def test_caret_underlines_the_span_on_its_line() -> None:
    source = Source("p.care", "protocol p\ninput wbc: quantity in /uL\n")
    assert source.caret(Span(2, 7, 2, 10)) == "input wbc: quantity in /uL\n      ^^^"


def test_a_point_span_gets_one_caret_and_a_span_running_past_its_line_underlines_to_the_end() -> None:
    source = Source("p.care", "abc\ndef\n")
    assert source.caret(Span.point(1, 2)) == "abc\n ^"
    assert source.caret(Span(1, 2, 2, 1)) == "abc\n ^^"


def test_a_line_outside_the_text_is_empty_not_an_error() -> None:
    source = Source("p.care", "only line")
    assert source.line_text(0) == ""
    assert source.line_text(2) == ""
    assert source.caret(Span.point(5, 3)) == "\n  ^"


def test_from_path_reports_under_the_path_it_was_given(tmp_path: Path) -> None:
    path = tmp_path / "x.care"
    path.write_text("protocol x\n", encoding="utf-8")
    source = Source.from_path(path)
    assert source.name == str(path)
    assert source.text == "protocol x\n"


# ---- one rule for lines: the parser's ----------------------------------------------------------------------

ODD_BREAKS = ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("odd", ODD_BREAKS)
def test_only_a_newline_ends_a_line_as_the_parser_counts_them(odd: str) -> None:
    text = f"protocol p\n# a comment with {odd} inside\ninput\n  wbc : quantity /uL\ncriterion c: wbc > 5 mg\n"
    assert len(lines(text)) == 6
    with pytest.raises(ProtocolError) as raised:
        carepath.compile_source(Source("odd.care", text))
    (diagnostic,) = raised.value.diagnostics
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("CP302", 5, 20)
    assert raised.value.render().splitlines()[1:3] == ["    criterion c: wbc > 5 mg", "                       ^^^^"]


def test_a_byte_order_mark_is_dropped_and_every_line_ending_is_a_newline(tmp_path: Path) -> None:
    text = "protocol p\ninput\n  wbc : quantity /uL\ncriterion c: wbc > 5 mg\n"
    for variant in ("\ufeff" + text, text.replace("\n", "\r\n"), text.replace("\n", "\r"), "\ufeff" + text.replace("\n", "\r")):
        path = tmp_path / "variant.care"
        path.write_bytes(variant.encode("utf-8"))
        assert Source.from_path(path).text == text
        with pytest.raises(ProtocolError) as raised:
            carepath.load_protocol(path)
        assert [(d.code, d.span.line, d.span.column) for d in raised.value.diagnostics] == [("CP302", 4, 20)]


def test_bytes_that_are_not_utf8_are_a_located_diagnostic(tmp_path: Path) -> None:
    path = tmp_path / "latin1.care"
    path.write_bytes("protocol p\n# Größe\n".encode("latin-1"))
    with pytest.raises(ProtocolError) as raised:
        carepath.load_protocol(path)
    (diagnostic,) = raised.value.diagnostics
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("CP106", 2, 5)
    assert raised.value.render().splitlines()[:3] == [f"{path}:2:5: CP106 byte 0xf6 is not UTF-8 text", "    # Gr\ufffd\ufffde", "        ^"]


def test_a_bad_byte_after_a_carriage_return_is_placed_on_the_line_the_parser_counts() -> None:
    """Found by fuzzing: a CR before the bad byte ends line 1, so the byte is at 2:1, not 1:2."""
    with pytest.raises(ProtocolError) as raised:
        carepath.compile_source(Source.from_bytes("cr.care", b"\r\x80protocol p\n"))
    assert [(d.code, d.span.line, d.span.column) for d in raised.value.diagnostics] == [("CP106", 2, 1)]


def test_a_lone_surrogate_in_text_is_a_located_diagnostic() -> None:
    with pytest.raises(ProtocolError) as raised:
        carepath.compile_source(Source("s.care", "protocol p\ninput\n  x : boolean # \udc80\n"))
    (diagnostic,) = raised.value.diagnostics
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("CP106", 3, 17)
