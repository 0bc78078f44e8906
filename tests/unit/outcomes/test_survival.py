"""Kaplan–Meier estimates and Greenwood standard errors against the seed paper's printed 3-year EFS, numbers at
risk, and the log-rank test."""

from __future__ import annotations

import pytest

from carepath.compile.compiler import CompiledProtocol
from carepath.data.followup import Endpoint
from carepath.data.records import InvalidRecord, PatientRecord
from carepath.outcomes.groups import assign, group_order
from carepath.outcomes.survival import EndpointKind, Survival, curve, logrank, survival
from tests.unit.outcomes.conftest import AS_OF


def _survival(seed: CompiledProtocol, cohort: list[PatientRecord | InvalidRecord], by: str | None, endpoint: EndpointKind = EndpointKind.EFS) -> Survival:
    members = assign(seed, cohort, AS_OF, by)
    return survival(members, endpoint, by, group_order(seed, by, [m.group for m in members]))


def _printed(s: Survival, group: str) -> str:
    chosen = s.overall if group == "all" else next(c for c in s.groups if c.group == group)
    at = chosen.at(36)
    return f"{at.survival * 100:.1f} ± {at.se * 100:.1f}"


def test_the_three_printed_figures_reproduce(seed: CompiledProtocol, cohort: list[PatientRecord | InvalidRecord]) -> None:
    assert _printed(_survival(seed, cohort, None), "all") == "66.7 ± 15.7"
    assert _printed(_survival(seed, cohort, "risk_group"), "high") == "57.1 ± 18.7"
    assert _printed(_survival(seed, cohort, "infant_under_6_months"), "false") == "85.7 ± 13.2"


def test_what_the_data_give_where_the_paper_does_not_reproduce(seed: CompiledProtocol, cohort: list[PatientRecord | InvalidRecord]) -> None:
    assert _printed(_survival(seed, cohort, "follow_up.transplant"), "done") == "66.7 ± 19.2"  # printed 60 ± 21.9
    test = _survival(seed, cohort, "infant_under_6_months").logrank
    assert test is not None and test.groups == ("true", "false") and round(test.p, 3) == 0.046  # printed 0.021


def test_overall_survival_censors_patient_1_alive(seed: CompiledProtocol, cohort: list[PatientRecord | InvalidRecord]) -> None:
    s = _survival(seed, cohort, None, EndpointKind.OS)
    assert s.overall.events == 2 and f"{s.overall.at(36).survival * 100:.1f}" == "77.8"


def test_a_curve_by_hand() -> None:
    c = curve("g", [("a", Endpoint(2, True, None)), ("b", Endpoint(4, False, "guess")), ("c", Endpoint(6, True, None))])
    assert [(p.months, p.at_risk, p.events, p.censored) for p in c.points] == [(2, 3, 1, 0), (4, 2, 0, 1), (6, 1, 1, 0)]
    assert c.at(5).survival == pytest.approx(2 / 3) and c.at(5).at_risk == 1
    assert c.at(6).survival == 0 and c.estimated == 1 and c.at(10).beyond_follow_up is False
    assert curve("empty", []).size == 0
    assert logrank([c]) is None


def test_patients_without_follow_up_are_listed_not_dropped(seed: CompiledProtocol) -> None:
    from carepath import records_from_text

    records = records_from_text(seed, "- id: a\n  mll: germline\n- id: b\n  mll: germline\n  follow_up: {first_event: {kind: none, at: 5 months}}\n")
    s = survival(assign(seed, records, AS_OF, None), EndpointKind.EFS, None, ["all"])
    assert s.unfollowed == ("a",) and s.overall.patients == ("b",)
