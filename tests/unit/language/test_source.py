"""Spans and carets: the one place that does line and column arithmetic."""

from __future__ import annotations

from pathlib import Path

from carepath.language.source import Source, Span


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
