"""Diagnostics: how one is rendered (place, code, caret, hint), a `ProtocolError` carrying every one found,
`did_you_mean` hints, and `ParameterError` for a site's override that names no parameter.

Expected texts are written out by hand: columns are 1-based, the caret line is indented like the source line.
"""

from __future__ import annotations

import dataclasses

import pytest

import carepath
from carepath.language.diagnostics import Diagnostic, ParameterError, ProtocolError, Severity, did_you_mean
from carepath.language.source import Source, Span

SOURCE = Source("p.care", "protocol p\ncriterion c: wbc >= 5 kg\n")


# ---- rendering -----------------------------------------------------------------------------------


def test_an_error_renders_its_place_code_caret_and_hint() -> None:
    # `5 kg` starts at column 21 of line 2 (`criterion c: ` is 13 columns, `wbc >= ` 7 more) and is 4 wide
    diagnostic = Diagnostic("CP302", Severity.ERROR, "5 kg is a mass", Span(2, 21, 2, 25), hint="write it in /uL")
    assert diagnostic.render(SOURCE) == (
        "p.care:2:21: CP302 5 kg is a mass\n"
        "    criterion c: wbc >= 5 kg\n"
        "    " + " " * 20 + "^^^^\n"
        "    hint: write it in /uL"
    )


def test_a_warning_says_so_and_no_hint_means_no_hint_line() -> None:
    diagnostic = Diagnostic("CP413", Severity.WARNING, "decided by the plausible range", Span.point(2, 14))
    assert diagnostic.render(SOURCE) == (
        "p.care:2:14: CP413 warning: decided by the plausible range\n"
        "    criterion c: wbc >= 5 kg\n"
        "    " + " " * 13 + "^"
    )
    empty_hint = dataclasses.replace(diagnostic, hint="")
    assert "hint" not in empty_hint.render(SOURCE)


def test_a_diagnostic_is_frozen_data() -> None:
    a = Diagnostic("CP201", Severity.ERROR, "unknown name 'x'", Span.point(1, 1), "did you mean 'y'?")
    b = Diagnostic("CP201", Severity.ERROR, "unknown name 'x'", Span.point(1, 1), "did you mean 'y'?")
    assert a == b and hash(a) == hash(b)
    assert a != dataclasses.replace(b, span=Span.point(1, 2))
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.message = "changed"  # type: ignore[misc]


# ---- ProtocolError -------------------------------------------------------------------------------


def test_a_protocol_error_renders_every_diagnostic_in_order() -> None:
    first = Diagnostic("CP201", Severity.ERROR, "unknown name 'wbc'", Span(2, 14, 2, 17))
    second = Diagnostic("CP302", Severity.ERROR, "5 kg is a mass", Span(2, 21, 2, 25))
    error = ProtocolError(SOURCE, [first, second])
    assert error.diagnostics == (first, second)  # a tuple, whatever sequence was given
    assert error.source is SOURCE
    assert str(error) == error.render() == first.render(SOURCE) + "\n" + second.render(SOURCE)
    assert str(error).count("\n") == 5  # three lines each (no hints), and the newline joining them


def test_compiling_a_protocol_reports_every_error_not_only_the_first() -> None:
    text = "protocol p\ninput\n  wbc : quantity /uL\ncriterion a: wbcc > 5 /uL\ncriterion b: wbc > 5 kg\n"
    with pytest.raises(ProtocolError) as raised:
        carepath.compile_source(Source("t.care", text))
    error = raised.value
    # the misspelt `wbcc` at 4:14, and `5 kg` (a mass against a count) at 5:20
    assert [(d.code, d.span.line, d.span.column) for d in error.diagnostics] == [("CP201", 4, 14), ("CP302", 5, 20)]
    assert error.diagnostics[0].hint == "did you mean 'wbc'?"
    assert str(error).startswith("t.care:4:14: CP201 unknown name 'wbcc'\n    criterion a: wbcc > 5 /uL\n" + " " * 17 + "^^^^\n")
    assert "\nt.care:5:20: CP302 " in str(error)


# ---- did_you_mean --------------------------------------------------------------------------------


def test_did_you_mean_names_the_two_closest_best_first() -> None:
    # ratios against `infant`: infants 12/13, infant_6 12/14, infant_12 12/15; `older` is far off
    pool = ["infant_12", "infant_6", "older", "infants"]
    assert did_you_mean("infant", pool) == "did you mean 'infants' or 'infant_6'?"
    assert did_you_mean("wbcc", ["mll", "wbc"]) == "did you mean 'wbc'?"


def test_did_you_mean_ignores_case_but_answers_in_the_candidates_spelling() -> None:
    # `aGE` and `Age` share no letter case-sensitively; lowered, they are the same word
    assert did_you_mean("aGE", ["Age", "wbc"]) == "did you mean 'Age'?"


def test_did_you_mean_falls_back_to_names_that_start_with_or_contain_the_word() -> None:
    # too short to be close by ratio (`mrd` against `mrd_day_15_positive` is 6/22, `day` against `mrd_day_15`
    # 6/13), but a prefix or a part of the name
    assert did_you_mean("mrd", ["wbc", "mrd_day_15_positive"]) == "did you mean 'mrd_day_15_positive'?"
    assert did_you_mean("day", ["mrd_day_15", "mrd_day_33", "mrd_day_78"]) == "did you mean 'mrd_day_15' or 'mrd_day_33'?"


def test_did_you_mean_says_nothing_when_nothing_is_close() -> None:
    assert did_you_mean("platelets", ["wbc", "mll"]) is None
    assert did_you_mean("", ["wbc", "mll"]) is None  # an empty word is in every name: no hint rather than a guess
    assert did_you_mean("wbc", []) is None


# ---- ParameterError ------------------------------------------------------------------------------

PARAMETERS = "protocol p\nparameter threshold: 50000 /uL\nparameter days_free: 7 days\n"


def test_an_override_of_no_parameter_is_a_parameter_error_with_a_hint() -> None:
    with pytest.raises(ParameterError) as raised:
        carepath.compile_source(Source("p.care", PARAMETERS), {"threshhold": "40000 /uL"})
    assert isinstance(raised.value, ValueError)
    assert str(raised.value) == "p.care has no parameter 'threshhold'; did you mean 'threshold'?"
    with pytest.raises(ParameterError, match=r"^p\.care has no parameter 'wbc'; its parameters are threshold, days_free$"):
        carepath.compile_source(Source("p.care", PARAMETERS), {"wbc": "1"})
