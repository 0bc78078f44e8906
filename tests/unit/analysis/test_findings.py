"""What the deep analysis gives: notes and findings rendered at their place, and the CP402 warnings a proof settles."""

from __future__ import annotations

import datetime as dt

import carepath
from carepath import Source
from carepath.analysis.findings import Analysis, Finding, Note
from carepath.language.diagnostics import Diagnostic, Severity
from carepath.language.source import Span

SOURCE = Source("p.care", "protocol p\n")
AT = Span(3, 5, 3, 9)


def test_a_note_renders_at_its_place() -> None:
    assert Note("'risk' proved complete", AT).render(SOURCE) == "p.care:3:5: note: 'risk' proved complete"


def test_a_finding_renders_its_record_and_the_date_it_needs() -> None:
    finding = Finding(Diagnostic("CP407", Severity.WARNING, "'risk' is incomplete", AT), "- id: x\n  wbc: 5 /uL\n", dt.date(2026, 1, 1))
    lines = finding.render(SOURCE).splitlines()
    assert lines[-3:] == ["    such a patient, as a record to paste into a records file and run with --as-of 2026-01-01:",
                         "      - id: x", "        wbc: 5 /uL"]
    assert finding.render(SOURCE).splitlines()[0] == "p.care:3:5: CP407 warning: 'risk' is incomplete"
    assert finding.render(SOURCE, Severity.ERROR).splitlines()[0] == "p.care:3:5: CP407 'risk' is incomplete"  # --strict: an error


def test_a_proof_settles_the_no_otherwise_warning_on_its_last_branch() -> None:
    text = "protocol p\ninput\n  flag : boolean\nclassify r:\n  pos when flag\n  neg when not flag\n"
    checked = carepath.compile_source(Source("r.care", text)).checked
    (warning,) = [w for w in checked.warnings if isinstance(w, Diagnostic)]
    assert (warning.code, warning.span.line) == ("CP402", 6)
    assert Analysis((), (), frozenset({"r"})).settles(warning, checked)
    assert not Analysis((), (), frozenset()).settles(warning, checked)
    other = Diagnostic("CP410", Severity.WARNING, "unused", warning.span)
    assert not Analysis((), (), frozenset({"r"})).settles(other, checked)
