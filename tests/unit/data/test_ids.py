"""Duplicate and empty ids: every copy of a duplicate is refused, each naming every place; no decision is issued."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import carepath
from carepath.data.errors import Place, RecordCode
from carepath.data.ids import SourcePlace, refuse_duplicates
from carepath.data.records import InvalidRecord, PatientRecord, bind_all, load_text

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT / "protocols" / "severance_2011.care"


def test_every_copy_of_a_duplicate_id_is_invalid_and_names_each_place() -> None:
    compiled = carepath.load_protocol(SEED)
    text = "- id: a\n  mll: germline\n- id: b\n  mll: germline\n- id: a\n  mll: translocation\n"
    records = bind_all(load_text(text, "r.yaml"), compiled.checked)
    assert [type(r).__name__ for r in records] == ["InvalidRecord", "PatientRecord", "InvalidRecord"]
    for record in (records[0], records[2]):
        assert isinstance(record, InvalidRecord)
        (error,) = record.errors
        assert error.code is RecordCode.DUPLICATE_ID and "r.yaml:1:7, r.yaml:5:7" in error.message
    run = carepath.evaluate_all(compiled, records, dt.date(2026, 1, 1))
    assert [r.status for r in run.results] == ["invalid", "undetermined", "invalid"] and run.exit_code == 1
    assert all(not r.decisions for r in run.results if r.id == "a")


def test_refuse_duplicates_keeps_a_record_s_own_errors() -> None:
    first = PatientRecord("x", (), (), {}, "one")
    second = InvalidRecord("x", (), "two")
    out = refuse_duplicates([first, second], [Place("f", 1, 1), "g row 2"], InvalidRecord)
    assert all(isinstance(r, InvalidRecord) and r.errors[0].code is RecordCode.DUPLICATE_ID for r in out)
    assert "f:1:1, g row 2" in out[1].errors[0].message  # type: ignore[union-attr]


def test_source_place_is_worked_out_when_printed() -> None:
    (raw,) = load_text("- id: a\n  mll: germline\n", "r.yaml")
    assert str(SourcePlace("r.yaml", raw.data, "mll")) == "r.yaml:2:8"  # type: ignore[union-attr]
