"""Text from data, made safe to show: the one escaping every renderer and every message the CLI prints goes through.

A record's id and values, a field's name, a protocol's title, citation or parameter value and a file's name are
data: shown as text, never obeyed. Control characters (C0, DEL, C1: the ANSI and OSC escape sequences start with
them), bidirectional overrides and isolates, line and paragraph separators, lone surrogates and the invisible
characters that would make two ids look alike are written as Python-style escapes (`\\x1b`, `\\u202e`), so
nothing in a record can move the cursor, recolour or clear the terminal, set its title, write a hyperlink or
reorder what is shown. Rich markup is not read from data either: renderers hand rich `Text`
(`terminal.cell`), which rich never parses for markup, and the console reads none (`terminal.console`). JSON
keeps the same characters as `\\uXXXX` escapes (`json_text`), so it stays valid JSON with the same values.
"""

from __future__ import annotations

import re

# C0 but tab and newline, DEL, C1; ALM, LRM, RLM; line and paragraph separators; the bidi embeddings, overrides
# and isolates; lone surrogates (a JSON text may hold them); and the invisible characters that would make two
# different ids look alike (soft hyphen, zero-width space, word joiner and invisible operators, byte order mark,
# tag characters).
_INVISIBLE = "\xad\u200b\u2060-\u2064\ufeff\U000e0000-\U000e007f"
_UNSAFE_CLASS = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff" + _INVISIBLE
)
_UNSAFE = re.compile(f"[{_UNSAFE_CLASS}\t\n]")
_UNSAFE_KEEPING_LINES = re.compile(f"[{_UNSAFE_CLASS}]")
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff" + _INVISIBLE + "]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def text(value: object) -> str:
    """One line of data as text: every control character (newline and tab too) escaped."""
    shown = value if isinstance(value, str) else str(value)
    return _UNSAFE.sub(_escaped, shown) if _UNSAFE.search(shown) else shown


def lines(value: object) -> str:
    """Text of several lines (a diagnostic with its caret, a cell of reasons): newlines and tabs kept, every other
    control character escaped."""
    shown = value if isinstance(value, str) else str(value)
    return _UNSAFE_KEEPING_LINES.sub(_escaped, shown) if _UNSAFE_KEEPING_LINES.search(shown) else shown


def json_text(document: str) -> str:
    """JSON text with the characters `json.dumps(ensure_ascii=False)` leaves raw (DEL, C1, bidi controls,
    separators, lone surrogates) written as `\\uXXXX` escapes: the same JSON values, nothing raw for a terminal.
    Outside strings JSON text is ASCII, so every such character is inside a string, where the escape is valid."""
    return _JSON_UNSAFE.sub(_json_escaped, document)


def _json_escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    high, low = 0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF)  # JSON writes these as a pair
    return f"\\u{high:04x}\\u{low:04x}"


__all__ = ["json_text", "lines", "text"]
