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
