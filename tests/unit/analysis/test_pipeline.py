"""`check_source`, the one check pipeline: what its report holds for clean, warned, broken and overridden protocols."""

from __future__ import annotations

import pytest

from carepath.analysis.pipeline import check_source
from carepath.language.diagnostics import ParameterError, ProtocolError, Severity
from carepath.language.source import Source

HEAD = "protocol p\ninput\n  age : duration plausible 0 days .. 25 years\n"
# two branches and no `otherwise`, covering every age: the analysis proves it complete
COVERED = HEAD + "classify infant:\n  young when age < 6 months\n  older when age >= 6 months\n"


def test_a_clean_protocol_gives_its_program_and_the_proof_as_a_note() -> None:
    report = check_source(Source("p.care", HEAD + "classify infant:\n  young when age < 6 months\n  older otherwise\n"))
    assert report.findings == () and report.errors == () and report.warnings == ()
    assert report.compiled is not None and report.checked is report.compiled.checked
    assert report.program() is report.compiled
    assert [(n.span.line, n.message.split(":")[0]) for n in report.notes] == [(4, "'infant' proved complete")]


def test_the_proof_drops_cp402_which_only_the_shallow_check_reports() -> None:
    deep = check_source(Source("p.care", COVERED))
    assert deep.diagnostics == ()
    shallow = check_source(Source("p.care", COVERED), deep=False)
    assert [(d.code, d.span.line, d.span.column, d.severity) for d in shallow.diagnostics] == [("CP402", 6, 3, Severity.WARNING)]
    assert shallow.notes == () and shallow.compiled is not None


def test_strict_turns_warnings_into_errors_and_withholds_the_program() -> None:
    text = HEAD + "classify infant:\n  young when age < 6 months\n"  # an age of 6 months or more is in no branch
    report = check_source(Source("p.care", text), strict=True)
    assert [(d.code, d.severity) for d in report.diagnostics] == [("CP407", Severity.ERROR), ("CP402", Severity.ERROR)]
    assert report.warnings == () and report.compiled is None and report.checked is None
    with pytest.raises(ProtocolError) as raised:
        report.program()
    assert [d.code for d in raised.value.diagnostics] == ["CP407", "CP402"]
    assert check_source(Source("p.care", text)).compiled is not None  # without strict, warnings leave the program


def test_findings_are_sorted_by_place_and_rendered_as_check_prints_them() -> None:
    text = HEAD + "  flag : boolean\nclassify infant:\n  young when age < 6 months\n"
    report = check_source(Source("p.care", text))
    assert [(d.code, d.span.line) for d in report.diagnostics] == [("CP410", 4), ("CP407", 5), ("CP402", 6)]
    assert report.render().startswith("p.care:4:3: CP410 warning: input 'flag' is declared but no rule reads it\n")


def test_a_text_that_does_not_parse_has_no_tree_and_one_that_does_not_check_keeps_it() -> None:
    unparsed = check_source(Source("p.care", "protocol p\ninput\n  age : duration\ncriterion c: age <\n"))
    assert [d.code for d in unparsed.errors] == ["CP103"] and unparsed.protocol is None
    unchecked = check_source(Source("p.care", HEAD + "criterion c: agee < 6 months\n"))
    assert [d.code for d in unchecked.errors] == ["CP201"]
    assert unchecked.protocol is not None and unchecked.protocol.name.name == "p" and unchecked.compiled is None


def test_parameter_overrides_are_applied_and_a_misfit_is_the_caller_s_error() -> None:
    text = HEAD + "parameter limit: 6 months\nclassify infant:\n  young when age < limit\n  older otherwise\n"
    report = check_source(Source("p.care", text), {"limit": "12 months"})
    assert report.compiled is not None
    [limit] = report.compiled.checked.parameters
    assert (limit.shown, limit.default, limit.overridden) == ("12 months", "6 months", True)
    with pytest.raises(ParameterError, match="has no parameter 'limt'"):
        check_source(Source("p.care", text), {"limt": "12 months"})
