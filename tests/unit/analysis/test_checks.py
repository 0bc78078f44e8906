"""Each deep check on its own: a minimal protocol, the survey of it, and exactly what that one check yields."""

from __future__ import annotations

import carepath
from carepath import Source
from carepath.analysis import checks
from carepath.analysis.findings import Finding, Note
from carepath.analysis.survey import Survey

HEAD = "protocol p\ninput\n  wbc : quantity /uL plausible 100 /uL .. 2000000 /uL\n  flag : boolean\n"
USE = "recommend uses: when flag or wbc > 1000 /uL\n"  # line after the definitions: reads every input


def run(check: checks.Check, body: str) -> list[tuple[str, int, int] | str]:
    """Findings as (code, line, column); notes by their message."""
    survey = Survey(carepath.compile_source(Source("p.care", HEAD + body)))
    out: list[tuple[str, int, int] | str] = []
    for item in check(survey):
        match item:
            case Finding(diagnostic=d):
                out.append((d.code, d.span.line, d.span.column))
            case Note(message=message):
                out.append(message)
    return out


def test_unused_inputs_criteria_and_parameters() -> None:
    assert run(checks.unused_inputs, "recommend r: when flag\n") == [("CP410", 3, 3)]
    assert run(checks.unused_criteria, "criterion lonely: flag\n" + USE) == [("CP411", 5, 11)]
    assert run(checks.unused_parameters, "parameter limit: 5 kg\n" + USE) == [("CP412", 5, 11)]
    assert run(checks.unused_parameters, "parameter limit: 5 /uL\nrecommend r: when wbc > limit\n" + USE) == []


def test_a_threshold_outside_the_range() -> None:
    assert run(checks.decided_by_range, "recommend r: when wbc >= 5000000 /uL or flag\n") == [("CP413", 5, 19)]


def test_completeness_gives_a_counterexample_or_a_proof() -> None:
    assert run(checks.completeness, "classify c:\n  a when wbc >= 5000 /uL\n  b when wbc < 1000 /uL\n" + USE) == [("CP407", 5, 10)]
    # thresholds 1000 and 5000 cut 100 .. 2000000 into 3 regions: 3 inside, 4 cuts, and missing
    assert run(checks.completeness, "classify c:\n  a when wbc >= 5000 /uL\n  b when wbc < 5000 /uL\n" + USE) == [
        "'c' proved complete: 8 cases cover every patient, and each lands in one branch or is undetermined naming the inputs it needs"]


def test_not_analysed_names_sampled_decisions() -> None:
    assert run(checks.not_analysed, "recommend r: when wbc * 2 > 1000 /uL\n" + USE) == [
        "'r' checked on 16 samples, not proven: a condition computes with arithmetic or a function, or compares two inputs"]


def test_reachability_and_constancy() -> None:
    shadowed = "classify c:\n  hi when wbc >= 5000 /uL\n  top when wbc >= 9000 /uL\n  lo otherwise\n" + USE
    assert run(checks.reachability, shadowed) == [("CP408", 7, 3)]
    assert run(checks.constancy, "recommend r: when flag or not flag\n" + USE) == [("CP409", 5, 19)]
