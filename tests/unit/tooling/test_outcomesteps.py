"""The outcome and audit steps, called as pytest-bdd calls them, on the seed cohort; a wrong figure fails
saying what the data give."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from carepath import Source
from carepath.tooling.outcomesteps import (
    records_of,
    then_deviation_count,
    then_group_estimate,
    then_logrank,
    then_overall_estimate,
    then_patient_deviation,
)
from carepath.tooling.scenario import CarepathState

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def state() -> CarepathState:
    s = CarepathState(ROOT, as_of=dt.date(2011, 2, 28))
    s.set_protocol(Source("protocols/severance_2011.care", (ROOT / "protocols" / "severance_2011.care").read_text(encoding="utf-8")))
    s.records.append(("file", ROOT / "cohorts" / "severance_2011.yaml"))
    return s


def test_the_printed_figures(state: CarepathState) -> None:
    then_overall_estimate(state, "event-free", "3 years", "66.7 ± 15.7 %")
    then_group_estimate(state, "event-free", "high", "risk_group", "3 years", "57.1 ± 18.7 %")
    then_logrank(state, "event-free", "infant_under_6_months", "0.046")
    with pytest.raises(AssertionError, match=r"is 66\.7 ± 19\.2 %"):
        then_group_estimate(state, "event-free", "done", "follow_up.transplant", "3 years", "60.0 ± 21.9 %")
    with pytest.raises(AssertionError, match="the groups are high, standard"):
        then_group_estimate(state, "event-free", "low", "risk_group", "3 years", "1 %")


def test_the_deviation_of_patient_1(state: CarepathState) -> None:
    then_deviation_count(state, "4")  # patient 1 not transplanted; 4, 5 and 9 late or perhaps late
    then_patient_deviation(state, "1", "recommendation not followed", "hsct_referral", "economic")
    with pytest.raises(AssertionError, match="has no deviation"):
        then_patient_deviation(state, "2", "recommendation not followed", "hsct_referral", None)
    assert len(records_of(state)) == 9
