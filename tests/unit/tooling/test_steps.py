"""The single-protocol Gherkin steps, called as pytest-bdd calls them: with the scenario state and the captured values."""

from __future__ import annotations

from pathlib import Path

import pytest

from carepath.tooling.scenario import CarepathState
from carepath.tooling.steps import (
    given_patient_table,
    given_protocol_text,
    then_assigned,
    then_protocol_rejected,
    then_protocol_warns,
    then_undetermined,
)

COVERED = "protocol infants\ninput\n  age : duration plausible 0 days .. 25 years\nclassify infant:\n  young when age < 6 months\n" \
          "  older when age >= 6 months"


def test_accepted_with_warning_uses_what_carepath_check_reports() -> None:
    state = CarepathState(Path.cwd())
    given_protocol_text(state, COVERED)
    with pytest.raises(AssertionError, match="expected warning CP402, got no warnings"):
        then_protocol_warns(state, "CP402")  # the proof of completeness settles it
    given_protocol_text(state, COVERED.replace("\n  older when age >= 6 months", ""))
    then_protocol_warns(state, "CP402")
    then_protocol_warns(state, "CP407")


def test_rejected_with_a_code_at_a_line_mentioning_a_text() -> None:
    state = CarepathState(Path.cwd())
    given_protocol_text(state, COVERED.replace("age < 6", "agee < 6"))
    then_protocol_rejected(state, "CP201", "5", "agee")
    with pytest.raises(AssertionError, match="expected CP201 at line 4"):
        then_protocol_rejected(state, "CP201", "4", None)
    given_protocol_text(state, COVERED)
    with pytest.raises(AssertionError, match="expected CP201, but the protocol was accepted"):
        then_protocol_rejected(state, "CP201", None, None)


def test_a_patient_from_a_table_is_assigned_a_branch_or_needs_an_input() -> None:
    state = CarepathState(Path.cwd())
    given_protocol_text(state, COVERED)
    given_patient_table(state, "a", [["field", "value"], ["age", "3 months"]])
    given_patient_table(state, "b", [["age", ""]])  # an empty cell: the field is absent
    then_assigned(state, "a", "young", "infant")
    then_undetermined(state, "b", "age")
    with pytest.raises(AssertionError, match="expected infant = older, got young"):
        then_assigned(state, "a", "older", "infant")
