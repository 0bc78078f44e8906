"""The single-protocol Gherkin steps, called as pytest-bdd calls them: with the scenario state and the captured values."""

from __future__ import annotations

from pathlib import Path

import pytest

from carepath.tooling.scenario import CarepathState
from carepath.tooling.steps import (
    given_mapped_patients_file,
    given_patient_table,
    given_patients_file,
    given_protocol_file,
    given_protocol_text,
    then_assigned,
    then_none_rejected,
    then_protocol_rejected,
    then_protocol_warns,
    then_recorded,
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


ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(("data", "data_map"), [("cohorts/severance_2011.csv", "cohorts/severance_2011.csv.map.yaml"),
                                                ("cohorts/severance_2011.fhir.json", "cohorts/severance_2011.fhir.map.yaml")])
def test_the_patients_in_a_data_file_read_through_its_map(data: str, data_map: str) -> None:
    state = CarepathState(ROOT)
    given_protocol_file(state, "protocols/severance_2011.care")
    given_mapped_patients_file(state, data, data_map)
    then_none_rejected(state)
    then_assigned(state, "3", "standard", "risk_group")
    then_assigned(state, "6", "high", "risk_group")
    then_recorded(state, "6", "wbc_at_diagnosis", "123,800 /µL")


def test_a_csv_whose_columns_are_the_inputs_needs_no_map(tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_text("id,age\na,3 months\n", encoding="utf-8")
    state = CarepathState(tmp_path)
    given_protocol_text(state, COVERED)
    given_patients_file(state, "p.csv")
    then_assigned(state, "a", "young", "infant")


def test_a_map_that_does_not_fit_fails_the_step_with_its_diagnostics(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text("fields:\n  age: {column: AGE}\n", encoding="utf-8")
    (tmp_path / "p.csv").write_text("id,Age\na,3 months\n", encoding="utf-8")
    state = CarepathState(tmp_path)
    given_protocol_text(state, COVERED)
    given_mapped_patients_file(state, "p.csv", "m.yaml")
    with pytest.raises(AssertionError, match="CP804"):
        then_assigned(state, "a", "young", "infant")
