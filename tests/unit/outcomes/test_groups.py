"""Grouping patients by a decision, a criterion or a follow-up fact; undetermined is a group, never dropped."""

from __future__ import annotations

import pytest

import carepath
from carepath.compile.compiler import CompiledProtocol
from carepath.data.records import InvalidRecord, PatientRecord
from carepath.outcomes.groups import INVALID, UNDETERMINED, GroupingError, assign, group_order, groupable, label_of
from carepath.semantics.values import NotBefore
from tests.unit.outcomes.conftest import AS_OF, ROOT


def test_by_a_classification_a_criterion_and_the_transplant(seed: CompiledProtocol, cohort: list[PatientRecord | InvalidRecord]) -> None:
    by_risk = {m.id: m.group for m in assign(seed, cohort, AS_OF, "risk_group")}
    assert by_risk == {"1": "high", "2": "standard", "3": "standard", "4": "high", "5": "high", "6": "high", "7": "high", "8": "high", "9": "high"}
    by_age = {m.id: m.group for m in assign(seed, cohort, AS_OF, "infant_under_6_months")}
    assert [pid for pid, g in by_age.items() if g == "true"] == ["4", "6"]
    by_transplant = {m.id: m.group for m in assign(seed, cohort, AS_OF, "follow_up.transplant")}
    assert [pid for pid, g in by_transplant.items() if g == "not done"] == ["1", "2", "3"]
    assert {m.group for m in assign(seed, cohort, AS_OF, None)} == {"all"}


def test_an_undetermined_decision_is_a_group_of_its_own() -> None:
    interfant = carepath.load_protocol(ROOT / "protocols" / "interfant06.care")
    members = assign(interfant, carepath.load_records(interfant, [ROOT / "cohorts" / "severance_2011.yaml"]), AS_OF, "hsct_referral")
    assert [m.id for m in members if m.group == UNDETERMINED] == ["1", "8", "9"]
    assert len(members) == 9


def test_an_invalid_record_is_apart(seed: CompiledProtocol) -> None:
    records = carepath.records_from_text(seed, "- id: a\n  mll: transloc\n- id: b\n  mll: germline\n")
    assert [(m.id, m.group) for m in assign(seed, records, AS_OF, "mll_translocation")] == [("a", INVALID), ("b", "false")]


def test_an_unknown_name_says_what_there_is(seed: CompiledProtocol) -> None:
    with pytest.raises(GroupingError, match="did you mean 'risk_group'"):
        assign(seed, [], AS_OF, "risk_grop")
    assert "follow_up.transplant" in groupable(seed) and "hyperleukocytosis" in groupable(seed)


def test_order_and_labels(seed: CompiledProtocol) -> None:
    assert group_order(seed, "risk_group", ["standard", UNDETERMINED, "high"]) == ["high", "standard", UNDETERMINED]
    assert group_order(seed, "infant_under_6_months", ["false", "true"]) == ["true", "false"]
    assert [label_of(v) for v in (True, False, None, NotBefore(3), "high")] == ["true", "false", UNDETERMINED, UNDETERMINED, "high"]
