"""The `follow_up:` and `care:` sections: times from diagnosis or dates, estimates with their reasons, the
endpoints they give, and every error found at once."""

from __future__ import annotations

from pathlib import Path

import pytest

import carepath
from carepath.data.followup import DAYS_PER_MONTH, CareRecord, EventKind, VitalStatus, read_care
from carepath.data.records import InvalidRecord, PatientRecord, bind_all, load, load_text

ROOT = Path(__file__).resolve().parents[3]
SEED = carepath.load_protocol(ROOT / "protocols" / "severance_2011.care").checked
GVHD = carepath.load_protocol(ROOT / "protocols" / "gvhd_prophylaxis.care").checked


def _care(text: str, protocol: object = SEED) -> CareRecord | None:
    (record,) = bind_all(load_text(text, "r.yaml"), protocol)  # type: ignore[arg-type]
    assert isinstance(record, PatientRecord), getattr(record, "errors", None)
    return record.care


def test_a_record_without_the_sections_has_no_care() -> None:
    assert _care("- id: a\n  mll: germline\n") is None
    assert read_care({"id": "a"}, None, "a") == (None, [])


def test_times_in_months_days_years_and_dates() -> None:
    care = _care("- id: a\n  follow_up:\n    diagnosed: 2008-01-01\n    first_event: {kind: relapse, at: 2008-07-01}\n"
                 "    last_seen: {status: alive, at: 3 years}\n    transplant: {done: true, at: 45 days, estimated: from Table 2}\n")
    assert care is not None and care.first_event is not None and care.last_seen is not None and care.transplant is not None
    assert care.first_event.kind is EventKind.RELAPSE
    assert care.first_event.at.months == pytest.approx(182 / DAYS_PER_MONTH)
    assert care.last_seen.status is VitalStatus.ALIVE and care.last_seen.at.months == 36
    assert care.transplant.at is not None and care.transplant.at.estimated == "from Table 2"
    assert care.transplant.at.months == pytest.approx(45 / DAYS_PER_MONTH)


def test_endpoints_event_free_and_overall() -> None:
    relapsed = _care("- id: a\n  follow_up:\n    first_event: {kind: relapse, at: 8 months, estimated: during consolidation}\n"
                     "    last_seen: {status: alive, at: 37 months}\n")
    assert relapsed is not None
    efs, os = relapsed.event_free(), relapsed.overall()
    assert efs is not None and (efs.months, efs.event, efs.estimated) == (8, True, "during consolidation")
    assert os is not None and (os.months, os.event) == (37, False)
    died = _care("- id: a\n  follow_up: {first_event: {kind: death, at: 12 months}}\n")
    assert died is not None and died.overall() == died.event_free() and died.overall() is not None
    censored = _care("- id: a\n  follow_up: {first_event: {kind: none, at: 40 months}}\n")
    assert censored is not None and censored.overall() is not None and censored.overall().event is False  # type: ignore[union-attr]
    unknown_os = _care("- id: a\n  follow_up: {first_event: {kind: relapse, at: 8 months}}\n")
    assert unknown_os is not None and unknown_os.overall() is None  # a relapse says nothing of survival after it


def test_doses_given_and_levels_measured() -> None:
    care = _care("- id: a\n  care:\n    doses: [{dose: cyclosporine, day: -1, given: 24 mg/d}]\n"
                 "    levels: [{target: cyclosporine_level_target, day: 7, value: 0.35 ug/mL, estimated: read off a chart}]\n", GVHD)
    assert care is not None
    (dose,), (level,) = care.doses, care.levels
    assert (dose.dose, dose.day, dose.given.text, dose.given.unit.text) == ("cyclosporine", -1, "24 mg/d", "mg/d")
    assert (level.target, level.day, level.estimated) == ("cyclosporine_level_target", 7, "read off a chart")


def test_every_error_in_the_sections_is_reported_and_the_rest_of_the_batch_runs() -> None:
    text = ("- id: a\n  follow_up:\n    first_event: {kind: died, at: soon}\n    transplant: {done: maybe}\n"
            "  care: {levels: [{target: cyclosporine_level_target, day: 1.5, value: 200 ug/L}]}\n- id: b\n  weight: 8 kg\n")
    a, b = bind_all(load_text(text, "r.yaml"), GVHD)
    assert isinstance(a, InvalidRecord) and isinstance(b, PatientRecord)
    assert [str(e.code) for e in a.errors] == ["CP542", "CP541", "CP544", "CP546"]
    assert all(e.patient == "a" for e in a.errors)


def test_a_name_another_protocol_uses_is_carried_unchecked() -> None:
    care = _care("- id: a\n  care: {doses: [{dose: busulfan, given: 4.4 mg}]}\n", GVHD)
    assert care is not None and care.doses[0].dose == "busulfan"


def test_the_seed_cohort_has_follow_up_for_all_nine_and_every_inexact_time_is_estimated() -> None:
    records = bind_all(load([ROOT / "cohorts" / "severance_2011.yaml"]), SEED)
    assert len(records) == 9 and all(isinstance(r, PatientRecord) and r.care is not None for r in records)
    cares = {r.id: r.care for r in records if isinstance(r, PatientRecord) and r.care is not None}
    assert {pid for pid, c in cares.items() if c.first_event and c.first_event.kind is not EventKind.NONE} == {"1", "4", "6"}
    assert all(c.first_event and c.first_event.at.estimated for c in cares.values())
    assert cares["1"].transplant is not None and not cares["1"].transplant.done and "economic" in (cares["1"].transplant.reason or "")


@pytest.mark.parametrize("at", ["1" + "0" * 400 + " months", "1e308 years", "-3 months", "120 years"])
def test_a_time_past_any_follow_up_is_an_error_not_a_crash(at: str) -> None:
    (record,) = bind_all(load_text(f"- id: a\n  follow_up: {{first_event: {{kind: none, at: '{at}'}}}}\n", "r.yaml"), SEED)
    assert isinstance(record, InvalidRecord) and [str(e.code) for e in record.errors] == ["CP541"]
