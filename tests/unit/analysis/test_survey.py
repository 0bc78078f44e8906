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
    """990 thresholds on one input: each subject reading it has ~2,000 representatives to try; decisions are served
    first, then criteria while the budget lasts, and the rest are left out rather than taking 18 s."""
    from carepath.analysis.survey import BUDGET

    head = "protocol p\ninput\n  wbc : quantity /uL plausible 100 /uL .. 2000000 /uL\n"
    criteria = "".join(f"criterion c{i}: wbc > {i + 1} /uL\n" for i in range(990))
    decision = "recommend r: when " + " or ".join(f"c{i}" for i in range(100)) + "\n"
    survey = Survey(carepath.compile_source(Source("many.care", head + criteria + decision)))
    spent = sum(e.subject.total * (4 + len(e.subject.reach.definitions)) for e in survey.enumerations)
    assert 0 < spent <= BUDGET
    assert survey.enumerations[-1].subject.definition.name == "r"  # the decision first (listed in file order)
    assert survey.over_budget and all(name.startswith("c") for name in survey.over_budget)
    assert len(survey.over_budget) == len(survey.subjects) - len(survey.enumerations)


def test_a_decision_past_the_budget_is_noted_as_not_analysed() -> None:
    from carepath.analysis.pipeline import check_source

    head = ("protocol p\ninput\n  a : quantity /uL plausible 0 /uL .. 1000 /uL\n"
            "  b : quantity /uL plausible 0 /uL .. 1000 /uL\n")
    criteria = "".join(f"criterion ca{i}: a > {i} /uL\ncriterion cb{i}: b > {i} /uL\n" for i in range(1, 70))
    decisions = "".join(f"recommend r{k}: when a > {k} /uL and b > {k} /uL\n" for k in range(1, 4))
    survey = Survey(carepath.compile_source(Source("two.care", head + criteria + decisions)))
    totals = {s.definition.name: s.total for s in survey.subjects}
    assert totals["r1"] == totals["r3"] <= LIMIT  # each alone could be enumerated; the three together cannot
    assert survey.over_budget & {"r1", "r2", "r3"} == {"r3"}
    notes = [note.message for note in check_source(Source("two.care", head + criteria + decisions)).notes]
    assert "'r3' not analysed: the protocol's analysis budget (200,000 evaluations) was spent on others" in notes
