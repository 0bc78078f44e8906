"""What the deep analysis gives: findings (a diagnostic, with a counterexample record when there is one), notes
on what was proved or only sampled, and the `Analysis` that holds both."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from carepath.ir.program import CheckedProtocol, Classification, Dose
from carepath.language.diagnostics import Diagnostic, Severity
from carepath.language.source import Source, Span


@dataclass(frozen=True, slots=True)
class Note:
    """Information, not a problem: what was proved, or why a decision was only sampled or not analysed."""

    message: str
    span: Span

    def render(self, source: Source) -> str:
        return f"{source.name}:{self.span.line}:{self.span.column}: note: {self.message}"


@dataclass(frozen=True, slots=True)
class Finding:
    """A diagnostic, with a counterexample patient as a ready-to-paste YAML record when there is one."""

    diagnostic: Diagnostic
    record: str | None = None
    as_of: dt.date | None = None  # the evaluation date the record needs (an age counted to the run date)

    def render(self, source: Source, severity: Severity | None = None) -> str:
        diagnostic = self.diagnostic if severity is None else replace(self.diagnostic, severity=severity)
        text = diagnostic.render(source)
        if self.record is None:
            return text
        when = f" with --as-of {self.as_of.isoformat()}" if self.as_of is not None else ""
        lines = [f"    such a patient, as a record to paste into a records file and run{when}:"]
        lines += ["      " + line for line in self.record.splitlines()]
        return text + "\n" + "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Analysis:
    findings: tuple[Finding, ...]
    notes: tuple[Note, ...]
    proved: frozenset[str] = frozenset()  # decisions proved to place every patient, so "no otherwise" (CP402) is moot

    def settles(self, diagnostic: Diagnostic, checked: CheckedProtocol) -> bool:
        """A checker warning the proof makes moot: CP402 on a classification or dose proved complete."""
        if diagnostic.code != "CP402":
            return False
        for definition in checked.definitions:
            if isinstance(definition, (Classification, Dose)) and definition.name in self.proved and definition.branches \
                    and definition.branches[-1].span == diagnostic.span:
                return True
        return False

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return tuple(f.diagnostic for f in self.findings)
