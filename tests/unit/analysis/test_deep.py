"""The deep analysis as passes over a survey: no made-up definitions, bare conditions compiled on their own, and
`CHECKS` applied in order by `analyse()`."""

from __future__ import annotations

import pytest

import carepath
from carepath import Source
from carepath.analysis import checks, deep
from carepath.analysis.findings import Finding, Note
from carepath.analysis.survey import Survey
from carepath.compile import compiler
from carepath.compile.compiler import CompiledProtocol, compile_choice, compile_condition
from carepath.ir import program as p
from carepath.runtime.engine import decide

PROTOCOL = """protocol p
input
  wbc : quantity /uL plausible 100 /uL .. 2000000 /uL
  flag : boolean
criterion high: wbc >= 50000 /uL
classify risk:
  hr when high
  sr when flag
dose d in mg:
  2 mg when wbc >= 100000 /uL
  1 mg when wbc < 1000 /uL
"""


def compiled() -> CompiledProtocol:
    return carepath.compile_source(Source("p.care", PROTOCOL))


def env(protocol: CompiledProtocol, wbc: int | None, flag: bool | None) -> list[object]:
    return decide(protocol, [wbc, flag])


def test_the_survey_holds_only_the_protocols_own_definitions() -> None:
    protocol = compiled()
    survey = Survey(protocol)
    assert list(survey.definitions) == ["high", "risk", "d"]
    assert [s.definition.name for s in survey.subjects] == ["high", "risk", "d"]
    assert survey.compiled is protocol
    assert protocol.checked.definitions == tuple(survey.definitions.values())


def test_analyse_compiles_nothing_again(monkeypatch: pytest.MonkeyPatch) -> None:
    protocol = compiled()

    def refuse(checked: p.CheckedProtocol) -> CompiledProtocol:
        raise AssertionError("the analysis compiled a second program")

    monkeypatch.setattr(compiler, "compile_protocol", refuse)
    analysis = deep.analyse(protocol)
    assert [(d.code, d.span.line) for d in analysis.diagnostics] == [("CP407", 6), ("CP407", 9)]
    named = {name for finding in analysis.findings for name in ("risk", "d") if f"'{name}'" in finding.diagnostic.message}
    assert named == {"risk", "d"}
    assert all("\x00" not in item.render(protocol.checked.source) for item in (*analysis.findings, *analysis.notes))


def test_compile_condition_evaluates_a_bare_condition_with_criteria_inlined() -> None:
    protocol = compiled()
    risk = protocol.checked.definitions[1]
    assert isinstance(risk, p.Classification)
    first = risk.branches[0].condition  # `high`, a criterion: called in place
    assert first is not None
    value = compile_condition(protocol, first)
    assert [value(env(protocol, wbc, None)) for wbc in (60000, 40000, None)] == [True, False, None]


def test_compile_choice_picks_the_first_true_band_or_waits_on_an_unknown_one() -> None:
    protocol = compiled()
    dose = protocol.checked.definitions[2]
    assert isinstance(dose, p.Dose)
    choose = compile_choice(protocol, dose.branches)
    assert choose(env(protocol, 150000, None)) == "band 1"
    assert choose(env(protocol, 500, None)) == "band 2"
    assert choose(env(protocol, 5000, None)) is None  # neither band: no amount
    assert choose(env(protocol, None, None)) is None  # the first band is unknown


def test_checks_run_in_their_listed_order_and_yield_findings_or_notes() -> None:
    assert [c.__name__ for c in checks.CHECKS] == [
        "unused_inputs", "unused_criteria", "unused_parameters", "decided_by_range", "not_analysed", "completeness",
        "reachability", "constancy"]
    survey = Survey(compiled())
    completeness = list(checks.completeness(survey))
    assert all(isinstance(item, Finding) for item in completeness)
    assert [item.diagnostic.code for item in completeness if isinstance(item, Finding)] == ["CP407", "CP407"]
    assert list(checks.unused_inputs(survey)) == []


def test_a_proof_is_a_note_and_names_the_decision_proved() -> None:
    text = PROTOCOL.replace("  sr when flag\n", "  sr otherwise\n").replace("  1 mg when wbc < 1000 /uL\n", "  1 mg otherwise\n")
    protocol = carepath.compile_source(Source("q.care", text))
    analysis = deep.analyse(protocol)
    assert [(d.code, d.span.line, d.span.column) for d in analysis.diagnostics] == [("CP410", 4, 3)]  # no rule reads `flag` now
    assert analysis.proved == frozenset({"risk", "d"})
    notes = [note for note in analysis.notes if isinstance(note, Note)]
    assert [(note.span.line, note.message.split(":")[0]) for note in notes] == [(6, "'risk' proved complete"), (9, "'d' proved complete")]
