"""Protocol source text and spans: the one place that does line and column arithmetic."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Span:
    """A region of a source file; lines and columns are 1-based, as editors show them."""

    line: int
    column: int
    end_line: int
    end_column: int

    @staticmethod
    def point(line: int, column: int) -> Span:
        return Span(line, column, line, column + 1)


@dataclass(frozen=True, slots=True)
class Source:
    """A protocol's text together with the name it is reported under."""

    name: str
    text: str

    @staticmethod
    def from_path(path: str | Path) -> Source:
        path = Path(path)
        return Source(str(path), path.read_text(encoding="utf-8"))

    def line_text(self, line: int) -> str:
        lines = self.text.splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def caret(self, span: Span) -> str:
        """The source line followed by a caret line under the span (one caret at least)."""
        text = self.line_text(span.line)
        width = span.end_column - span.column if span.end_line == span.line else len(text) - span.column + 1
        marker = " " * (span.column - 1) + "^" * max(1, width)
        return f"{text}\n{marker}"
