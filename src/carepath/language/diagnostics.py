"""Diagnostics as data: a code, a severity, a message, a span and a hint, rendered only at the edge."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from carepath.language.codes import Severity, lookup
from carepath.language.source import Source, Span

__all__ = ["Diagnostic", "ParameterError", "ProtocolError", "Severity", "did_you_mean"]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    span: Span
    hint: str | None = None

    def __post_init__(self) -> None:
        lookup(self.code)  # an unregistered code fails where it is made, not in an editor or a CI log

    def render(self, source: Source) -> str:
        """`file:line:col: CODE message`, the line with a caret under the spot, then the hint."""
        # errors read `file:line:col: CODE message`; a warning says so, since it does not stop the protocol
        label = "warning: " if self.severity is Severity.WARNING else ""
        head = f"{source.name}:{self.span.line}:{self.span.column}: {self.code} {label}{self.message}"
        parts = [head, _indent(source.caret(self.span))]
        if self.hint:
            parts.append(f"    hint: {self.hint}")
        return "\n".join(parts)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


class ProtocolError(Exception):
    """A protocol that cannot be used; carries every diagnostic found, not just the first."""

    def __init__(self, source: Source, diagnostics: Sequence[Diagnostic]) -> None:
        self.source = source
        self.diagnostics = tuple(diagnostics)
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(d.render(self.source) for d in self.diagnostics)


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the closest candidates, or None when nothing is close enough to help."""
    pool = list(candidates)
    close = difflib.get_close_matches(word, pool, n=2, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in pool}
        close = [lowered[m] for m in difflib.get_close_matches(word.lower(), list(lowered), n=2, cutoff=0.6)]
    if not close:
        close = [c for c in pool if word and (c.startswith(word) or word in c)][:2]
    if not close:
        return None
    return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"


class ParameterError(ValueError):
    """A site's parameter override that does not fit the protocol: unknown name, wrong type or unit, implausible."""
