"""Protocol source text and spans: the one place that does line and column arithmetic."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

MAX_SOURCE_BYTES = 1_000_000  # a protocol file (CP104)


class FileTooLarge(ValueError):
    """A file past the size carepath reads of its kind; no more than one byte past the limit was read."""


def read_bounded(path: str | Path, limit: int, what: str) -> bytes:
    """A file's bytes, reading no more than `limit` + 1 of them, so that a device or a pipe named as a file
    (`/dev/zero`) ends there too; `FileTooLarge` past the limit, `OSError` when it cannot be read."""
    with Path(path).open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(f"{path}: larger than {limit:,} bytes, the most {what} may hold")
    return data


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


def lines(text: str) -> list[str]:
    """The lines of `text` as the parser counts them: only `\n` ends a line (`str.splitlines` also breaks at
    \v, \f, \x1c–\x1e, \x85, \u2028 and \u2029, which would put a caret on the wrong line)."""
    return text.split("\n")


_SURROGATES = re.compile("[\ud800-\udfff]")


@functools.lru_cache(maxsize=8)
def _lines_of(text: str) -> list[str]:
    """`lines`, kept for the last few texts: a file with many diagnostics is split once, not once per caret."""
    return lines(text)


def normalise(text: str) -> str:
    """The text as the parser reads it: a leading byte-order mark dropped, and CR LF or a lone CR (old Mac files)
    ending a line as LF does, the way editors number lines."""
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


@dataclass(frozen=True, slots=True)
class Source:
    """A protocol's text together with the name it is reported under; the text is kept `normalise`d."""

    name: str
    text: str

    def __post_init__(self) -> None:
        normalised = normalise(self.text)
        if normalised is not self.text:
            object.__setattr__(self, "text", normalised)

    @staticmethod
    def from_path(path: str | Path, name: str | None = None) -> Source:
        """Read a file as UTF-8 (`from_bytes`), named `name` (else its path); no more than one byte past
        `MAX_SOURCE_BYTES`, which the parser then refuses (CP104), so a device named as a protocol ends there too."""
        path = Path(path)
        with path.open("rb") as handle:
            return Source.from_bytes(name or str(path), handle.read(MAX_SOURCE_BYTES + 1))

    @staticmethod
    def from_bytes(name: str, data: bytes) -> Source:
        """UTF-8 text; a byte that is not UTF-8 becomes a lone surrogate (`surrogateescape`), which the parser reports
        as CP106 at its line and column, so reading never fails on the encoding."""
        return Source(name, data.decode("utf-8", errors="surrogateescape"))

    def line_text(self, line: int) -> str:
        found = _lines_of(self.text)
        text = found[line - 1] if 0 < line <= len(found) else ""
        return text if text.isascii() else _SURROGATES.sub("\ufffd", text)  # a bad byte (CP106) shows as �, printable

    def caret(self, span: Span) -> str:
        """The source line followed by a caret line under the span (one caret at least)."""
        text = self.line_text(span.line)
        width = span.end_column - span.column if span.end_line == span.line else len(text) - span.column + 1
        marker = " " * (span.column - 1) + "^" * max(1, width)
        return f"{text}\n{marker}"
