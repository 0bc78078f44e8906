"""The Gherkin steps comparing two protocols, called as pytest-bdd calls them, on two protocol files and two patients."""

from __future__ import annotations

from pathlib import Path

import pytest

from carepath.tooling.comparesteps import given_protocols, then_patient_changes, then_patient_keeps, then_transition_count, when_compared
from carepath.tooling.scenario import CarepathState, ComparisonState

SIX = "protocol six\ninput\n  age : duration plausible 0 days .. 25 years\nclassify infant:\n  young when age < 6 months\n  older otherwise\n"


def test_who_changes_and_who_keeps_a_decision(tmp_path: Path) -> None:
    (tmp_path / "six.care").write_text(SIX, encoding="utf-8")
    (tmp_path / "twelve.care").write_text(SIX.replace("six", "twelve").replace("6 months", "12 months"), encoding="utf-8")
    state, comparison = CarepathState(tmp_path), ComparisonState()
    state.records.append(("table", "- {id: a, age: 7 months}\n- {id: b, age: 13 months}\n"))
    given_protocols(state, comparison, "six.care", "twelve.care")
    when_compared(state, comparison)
    then_transition_count(state, comparison, "1", "infant", "older", "young")
    then_patient_changes(state, comparison, "a", "infant", "older", "young")
    then_patient_keeps(state, comparison, "b", "infant", "older")
    with pytest.raises(AssertionError, match="0 patients go from young to older for infant: older → young: a"):
        then_transition_count(state, comparison, "1", "infant", "young", "older")
