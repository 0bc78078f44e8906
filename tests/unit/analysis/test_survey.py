"""The survey: thresholds per input, representatives, subjects and one enumeration per subject, computed once."""

from __future__ import annotations

from fractions import Fraction

import carepath
from carepath import Source
from carepath.analysis.survey import LIMIT, Survey

PROTOCOL = """protocol p
input
  wbc : quantity /uL plausible 100 /uL .. 2000000 /uL
  flag : boolean
  s : series of boolean relative to start
  start : date
criterion high: wbc >= 50000 /uL
criterion huge: wbc > 5000000 /uL
classify risk:
  hr when high
  sr when flag
recommend r: when huge or flag
event e: first day where s
"""


def survey() -> Survey:
    return Survey(carepath.compile_source(Source("p.care", PROTOCOL)))


def test_thresholds_become_atoms_and_cut_the_inputs_range() -> None:
    found = survey()
    assert [(a.input.name, a.constant.shown) for a in found.atoms.values()] == [("wbc", "50,000 /µL"), ("wbc", "5,000,000 /µL")]
    assert found.constants == {0: {Fraction(50000), Fraction(5000000)}}
    assert [r.value for r in found.reps[0]] == [25050, 1025000, 100, 50000, 2000000, None]  # 5,000,000 lies outside the range
    assert [r.value for r in found.reps[1]] == [True, False, None]


def test_a_threshold_outside_the_plausible_range_is_decided_by_the_range() -> None:
    assert [(atom.node.text, verdict) for atom, verdict in survey().range_verdicts] == [("wbc > 5000000 /uL", "false")]


def test_subjects_skip_events_and_enumerations_cover_every_combination() -> None:
    found = survey()
    assert [s.definition.name for s in found.subjects] == ["high", "huge", "risk", "r"]
    assert [s.total for s in found.subjects] == [6, 6, 18, 18]  # 6 representatives of wbc × 3 of flag
    assert all(s.total <= LIMIT for s in found.subjects)
    risk = next(e for e in found.enumerations if e.subject.definition.name == "risk")
    assert risk.chosen == {"hr", "sr", None}
    assert risk.failure is not None and [rep.shown for rep in risk.failure] == ["wbc 25,050 /µL", "flag false"]
    assert found.proved == frozenset()


def test_the_analysis_keeps_to_a_budget_for_the_whole_protocol() -> None:
    """990 thresholds on one input: each decision reading it has ~2,000 representatives; the first fit the budget,
    decisions before criteria, and the rest are reported as not analysed rather than taking 18 s."""
    from carepath.analysis.pipeline import check_source
    from carepath.analysis.survey import BUDGET

    head = "protocol p\ninput\n  wbc : quantity /uL plausible 100 /uL .. 2000000 /uL\n"
    criteria = "".join(f"criterion c{i}: wbc > {i + 1} /uL\n" for i in range(990))
    decisions = "".join(f"recommend r{k}: when " + " or ".join(f"c{i}" for i in range(k * 100, k * 100 + 100)) + "\n" for k in range(9))
    survey = Survey(carepath.compile_source(Source("many.care", head + criteria + decisions)))
    enumerated = sum(e.subject.total for e in survey.enumerations)
    assert 0 < enumerated <= BUDGET
    assert survey.over_budget
    assert {e.subject.definition.name for e in survey.enumerations} >= {f"r{k}" for k in range(9)}  # decisions first
    notes = [note.message for note in check_source(Source("many.care", head + criteria + decisions)).notes]
    assert not any("budget" in m for m in notes)  # every decision was analysed; only criteria were left out
    assert len(survey.over_budget) == len(survey.subjects) - len(survey.enumerations)


def test_a_decision_past_the_budget_is_noted_as_not_analysed() -> None:
    from carepath.analysis.pipeline import check_source

    head = ("protocol p\ninput\n  a : quantity /uL plausible 0 /uL .. 1000 /uL\n"
            "  b : quantity /uL plausible 0 /uL .. 1000 /uL\n")
    criteria = "".join(f"criterion ca{i}: a > {i} /uL\ncriterion cb{i}: b > {i} /uL\n" for i in range(1, 162))
    text = head + criteria + "recommend first: when ca1 and cb1\nrecommend second: when ca2 and cb2\n"
    survey = Survey(carepath.compile_source(Source("two.care", text)))
    totals = {s.definition.name: s.total for s in survey.subjects}
    assert totals["first"] == totals["second"] <= LIMIT < 2 * totals["first"]
    assert "second" in survey.over_budget and "first" not in survey.over_budget
    notes = [note.message for note in check_source(Source("two.care", text)).notes]
    assert "'second' not analysed: the protocol's analysis budget (200,000 combinations) was spent on others" in notes
