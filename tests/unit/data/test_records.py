"""Records: loading files, binding values to a protocol's inputs, and the error for each kind of bad value."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import carepath
from carepath.compile.compiler import CompiledProtocol
from carepath.data.records import InvalidRecord, LoadFailure, PatientRecord, RawRecord, load, load_text
from carepath.semantics.values import MONTH, Duration

GOOD = "age_at_diagnosis: 8 months\n  wbc_at_diagnosis: 10000 /uL\n  mll: germline\n"


def bind_one(compiled: CompiledProtocol, text: str) -> PatientRecord | InvalidRecord:
    (record,) = carepath.records_from_text(compiled, text, "r.yaml")
    return record


def value_of(compiled: CompiledProtocol, record: PatientRecord | InvalidRecord, name: str) -> object:
    assert isinstance(record, PatientRecord), record
    info = compiled.checked.input(name)
    assert info is not None
    return record.values[info.slot]


def messages(record: PatientRecord | InvalidRecord) -> list[tuple[str | None, str]]:
    assert isinstance(record, InvalidRecord), record
    return [(e.field, e.message) for e in record.errors]


@pytest.mark.parametrize(
    "written",
    ["33900 /uL", "33,900 /uL", "33.9 10*9/L", "33.9 10*3/uL", "33900 /µL", "{value: 33900, unit: /uL}",
     "{value: 33.9, unit: 10*9/L}", "{value: '33,900', unit: /uL}", "  33900   /uL  "],
)
def test_quantity_spellings_bind_to_the_same_exact_number(seed: CompiledProtocol, written: str) -> None:
    record = bind_one(seed, f"- id: q\n  wbc_at_diagnosis: {written}\n")
    value = value_of(seed, record, "wbc_at_diagnosis")
    assert value == 33900
    assert type(value) is int


def test_decimal_giga_per_litre_is_exact(seed: CompiledProtocol) -> None:
    record = bind_one(seed, "- id: q\n  wbc_at_diagnosis: 0.1 10*9/L\n")
    assert value_of(seed, record, "wbc_at_diagnosis") == 100
    record = bind_one(seed, "- id: q\n  wbc_at_diagnosis: 49.999 10*9/L\n")
    assert value_of(seed, record, "wbc_at_diagnosis") == 49999


def test_facts_record_the_value_as_shown_and_as_written(seed: CompiledProtocol) -> None:
    record = bind_one(seed, "- id: q\n  wbc_at_diagnosis: 123.8 10*9/L\n")
    assert isinstance(record, PatientRecord)
    info = seed.checked.input("wbc_at_diagnosis")
    assert info is not None
    fact = record.facts[info.slot]
    assert fact is not None
    assert (fact.input, fact.shown, fact.raw) == ("wbc_at_diagnosis", "123,800 /µL", "123.8 10*9/L")
    assert fact.origin == "r.yaml, record 1, field wbc_at_diagnosis"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("6 months", Duration.of_months(6)),
        ("183 days", Duration.of_days(183)),
        ("2 weeks", Duration.of_days(14)),
        ("1 year", Duration.of_months(12)),
        ("0 days", Duration.of_days(0)),
    ],
)
def test_durations(seed: CompiledProtocol, written: str, expected: Duration) -> None:
    record = bind_one(seed, f"- id: d\n  age_at_diagnosis: {written}\n")
    assert value_of(seed, record, "age_at_diagnosis") == expected


def test_fractional_months_lie_within_the_month(seed: CompiledProtocol) -> None:
    value = value_of(seed, bind_one(seed, "- id: d\n  age_at_diagnosis: 5.5 months\n"), "age_at_diagnosis")
    assert isinstance(value, Duration)
    assert value.month_low == 5 * MONTH
    assert value.month_high < 6 * MONTH


def test_missing_and_null_fields_are_unknown(seed: CompiledProtocol) -> None:
    record = bind_one(seed, "- id: m\n  age_at_diagnosis: null\n  mll: germline\n")
    assert isinstance(record, PatientRecord)
    assert value_of(seed, record, "age_at_diagnosis") is None
    assert value_of(seed, record, "wbc_at_diagnosis") is None
    assert value_of(seed, record, "mll") == "germline"


def test_id_is_kept_as_text_and_about_is_not_read(seed: CompiledProtocol) -> None:
    record = bind_one(seed, "- id: 7\n  mll: germline\n  about: {sex: male, hsct: true}\n")
    assert isinstance(record, PatientRecord)
    assert record.id == "7"
    assert dict(record.about) == {"sex": "male", "hsct": True}


def test_unknown_field_with_did_you_mean(seed: CompiledProtocol) -> None:
    record = bind_one(seed, f"- id: t\n  wbc_at_diagnoses: 60000 /uL\n  {GOOD}")
    ((field, message),) = messages(record)
    assert field == "wbc_at_diagnoses"
    # The closest name comes first; a second close one may follow.
    assert message.startswith("patient 't': unknown field 'wbc_at_diagnoses' (value '60000 /uL'); did you mean 'wbc_at_diagnosis'")


def test_unknown_field_far_from_any_input_lists_the_inputs(seed: CompiledProtocol) -> None:
    ((field, message),) = messages(bind_one(seed, f"- id: t\n  hepatosplenomegaly: true\n  {GOOD}"))
    assert field == "hepatosplenomegaly"
    assert "severance_2011 reads date_of_birth, date_of_diagnosis, age_at_diagnosis, wbc_at_diagnosis, mll" in message
    assert "about:" in message


def test_enum_typo_with_did_you_mean(seed: CompiledProtocol) -> None:
    record = bind_one(seed, "- id: e\n  mll: translocaton\n")
    assert messages(record) == [
        ("mll", "patient 'e': field 'mll' value 'translocaton': expected one of germline, translocation, duplication; "
                "did you mean 'translocation'?"),
    ]


def test_per_millilitre_wbc_is_implausible_with_a_hint(seed: CompiledProtocol) -> None:
    ((field, message),) = messages(bind_one(seed, "- id: ml\n  wbc_at_diagnosis: 33900 /mL\n"))
    assert field == "wbc_at_diagnosis"
    assert "that is 33.9 /µL, outside the plausible range 100 /µL .. 2,000,000 /µL" in message
    assert "was /mL meant as /µL?" in message


def test_bare_number_needs_a_unit(seed: CompiledProtocol) -> None:
    ((field, message),) = messages(bind_one(seed, "- id: n\n  wbc_at_diagnosis: 33900\n"))
    assert field == "wbc_at_diagnosis"
    assert message == "patient 'n': field 'wbc_at_diagnosis' value 33900: a number needs a unit, e.g. '33900 /uL'"


@pytest.mark.parametrize(
    ("written", "part"),
    [
        ("5 kg", "'kg' is not a unit of the same kind as /µL"),
        ("6 months", "'months' is not a unit of the same kind as /µL"),
        ("lots", "expected a number with a unit"),
        ("true", "expected a number with a unit"),
        ("{value: 5}", "expected {value: NUMBER, unit: UNIT}"),
        ("33900 /uLL", "unknown unit '/uLL'"),
        ("3000000 /uL", "outside the plausible range"),
    ],
)
def test_bad_quantities(seed: CompiledProtocol, written: str, part: str) -> None:
    ((field, message),) = messages(bind_one(seed, f"- id: b\n  wbc_at_diagnosis: {written}\n"))
    assert field == "wbc_at_diagnosis"
    assert part in message


@pytest.mark.parametrize(
    ("written", "part"),
    [
        ("13 months", "outside the plausible range 0 days .. 12 months"),
        ("6 monts", "'monts' is not a duration unit"),
        ("6", "a number needs a unit"),
        ("183.5 days", "expected a whole number of days"),
        ("6 kg", "'kg' is not a duration unit"),
    ],
)
def test_bad_durations(seed: CompiledProtocol, written: str, part: str) -> None:
    ((field, message),) = messages(bind_one(seed, f"- id: b\n  age_at_diagnosis: {written}\n"))
    assert field == "age_at_diagnosis"
    assert part in message


def test_every_error_in_a_record_is_reported(seed: CompiledProtocol) -> None:
    record = bind_one(seed, "- id: x\n  age_at_diagnosis: 13 months\n  wbc_at_diagnosis: 33900\n  mll: dup\n  colour: red\n")
    assert [f for f, _ in messages(record)] == ["age_at_diagnosis", "wbc_at_diagnosis", "mll", "colour"]


def test_record_without_id(seed: CompiledProtocol) -> None:
    record = bind_one(seed, "- mll: germline\n")
    assert isinstance(record, InvalidRecord)
    assert record.id is None
    assert messages(record) == [("id", "r.yaml, record 1: the record has no 'id'")]


def test_record_that_is_not_a_mapping(seed: CompiledProtocol) -> None:
    records = carepath.records_from_text(seed, "- id: a\n  mll: germline\n- just text\n", "r.yaml")
    assert isinstance(records[0], PatientRecord)
    assert messages(records[1]) == [(None, "r.yaml, record 2: a record must be a mapping of field: value, got 'just text'")]


def test_about_must_be_a_mapping(seed: CompiledProtocol) -> None:
    assert messages(bind_one(seed, "- id: a\n  about: notes\n")) == [("about", "patient 'a': 'about' must be a mapping of descriptive fields")]


def test_age_is_derived_from_dates(seed: CompiledProtocol) -> None:
    record = bind_one(seed, "- id: d\n  date_of_birth: 2008-01-31\n  date_of_diagnosis: 2008-07-30\n")
    assert value_of(seed, record, "age_at_diagnosis") == Duration.between(dt.date(2008, 1, 31), dt.date(2008, 7, 30))


def test_dates_may_be_quoted_strings(seed: CompiledProtocol) -> None:
    record = bind_one(seed, "- id: d\n  date_of_birth: '2008-01-31'\n  date_of_diagnosis: '2008-07-30'\n")
    assert value_of(seed, record, "date_of_birth") == dt.date(2008, 1, 31)


def test_diagnosis_before_birth(seed: CompiledProtocol) -> None:
    record = bind_one(seed, "- id: d\n  date_of_birth: 2008-05-01\n  date_of_diagnosis: 2008-03-01\n")
    assert messages(record) == [("age_at_diagnosis", "patient 'd': date_of_diagnosis 2008-03-01 is before date_of_birth 2008-05-01")]


def test_given_age_must_agree_with_the_dates(seed: CompiledProtocol) -> None:
    agreeing = bind_one(seed, "- id: d\n  age_at_diagnosis: 6 months\n  date_of_birth: 2008-01-01\n  date_of_diagnosis: 2008-07-01\n")
    assert value_of(seed, agreeing, "age_at_diagnosis") == Duration.of_months(6)  # the given value stands
    disagreeing = bind_one(seed, "- id: d\n  age_at_diagnosis: 6 months\n  date_of_birth: 2008-01-01\n  date_of_diagnosis: 2008-09-01\n")
    ((field, message),) = messages(disagreeing)
    assert field == "age_at_diagnosis"
    assert "is 6 months but date_of_birth and date_of_diagnosis give 8 months 0 days" in message


def test_derived_age_is_checked_for_plausibility(seed: CompiledProtocol) -> None:
    ((field, message),) = messages(bind_one(seed, "- id: d\n  date_of_birth: 2007-01-01\n  date_of_diagnosis: 2008-06-01\n"))
    assert field == "age_at_diagnosis"
    assert "outside the plausible range 0 days .. 12 months" in message


def test_invalid_quoted_date(seed: CompiledProtocol) -> None:
    ((field, message),) = messages(bind_one(seed, "- id: d\n  date_of_birth: '2008-02-30'\n"))
    assert (field, message) == ("date_of_birth", "patient 'd': field 'date_of_birth' value '2008-02-30': expected a date as YYYY-MM-DD")


def test_booleans_and_text(compile_text: object) -> None:
    compiled = compile_text("protocol p\ninput\n  cns : boolean\n  note : text\n")  # type: ignore[operator]
    records = carepath.records_from_text(compiled, "- {id: a, cns: true, note: hi}\n- {id: b, cns: 'no', note: 12}\n- {id: c, cns: maybe}\n")
    assert records[0].values == (True, "hi")  # type: ignore[union-attr]
    assert records[1].values == (False, "12")  # type: ignore[union-attr]
    assert messages(records[2]) == [("cns", "patient 'c': field 'cns' value 'maybe': expected true or false")]


# ---- loading -------------------------------------------------------------------------------


def test_document_shapes() -> None:
    assert [r.data["id"] for r in load_text("patients:\n  - id: a\n  - id: b\n") if isinstance(r, RawRecord)] == ["a", "b"]
    assert [r.data["id"] for r in load_text("- id: a\n") if isinstance(r, RawRecord)] == ["a"]
    assert [r.data["id"] for r in load_text("id: solo\n") if isinstance(r, RawRecord)] == ["solo"]
    assert [r.where for r in load_text("- id: a\n- id: b\n", "f.yaml")] == ["f.yaml, record 1", "f.yaml, record 2"]


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("- id: a\n  mll: [unclosed\n", "not valid YAML"),
        ("just a sentence\n", "expected a list of records or a mapping with a 'patients:' list"),
        ("cohort: x\n", "expected a list of records"),
    ],
)
def test_malformed_documents_are_load_failures(text: str, part: str) -> None:
    (failure,) = load_text(text, "bad.yaml")
    assert isinstance(failure, LoadFailure)
    assert part in failure.message
    assert failure.message.startswith("bad.yaml")


def test_json_files_are_parsed_as_json(tmp_path: Path) -> None:
    good = tmp_path / "a.json"
    good.write_text('[{"id": "j", "mll": "germline"}]', encoding="utf-8")
    bad = tmp_path / "b.json"
    bad.write_text("- id: yaml-not-json\n", encoding="utf-8")
    loaded = load([good, bad])
    assert isinstance(loaded[0], RawRecord) and loaded[0].data == {"id": "j", "mll": "germline"}
    assert isinstance(loaded[1], LoadFailure) and "not valid JSON" in loaded[1].message


def test_directories_load_their_record_files_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text("- id: b\n", encoding="utf-8")
    (tmp_path / "a.yml").write_text("- id: a\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("- id: ignored\n", encoding="utf-8")
    loaded = load([tmp_path])
    assert [r.data["id"] for r in loaded if isinstance(r, RawRecord)] == ["a", "b"]
    empty = tmp_path / "empty"
    empty.mkdir()
    (failure,) = load([empty])
    assert isinstance(failure, LoadFailure) and "no .yaml, .yml or .json files" in failure.message


def test_unreadable_file_is_a_load_failure(tmp_path: Path) -> None:
    (failure,) = load([tmp_path / "absent.yaml"])
    assert isinstance(failure, LoadFailure)
    assert "cannot read" in failure.message


def test_load_failure_becomes_one_invalid_record_with_no_id(seed: CompiledProtocol, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: a\n  mll: [unclosed\n", encoding="utf-8")
    good = tmp_path / "good.yaml"
    good.write_text("- id: g\n  mll: germline\n", encoding="utf-8")
    records = carepath.load_records(seed, [bad, good])
    assert len(records) == 2
    assert isinstance(records[0], InvalidRecord) and records[0].id is None
    assert records[0].errors[0].field is None
    assert isinstance(records[1], PatientRecord) and records[1].id == "g"


def test_seed_cohort_binds_every_patient(seed: CompiledProtocol, root: Path) -> None:
    records = carepath.load_records(seed, [root / "cohorts" / "severance_2011.yaml"])
    assert [r.id for r in records] == [str(i) for i in range(1, 10)]
    assert all(isinstance(r, PatientRecord) for r in records)


def test_a_records_file_nested_too_deeply_is_a_load_failure_not_a_crash() -> None:
    from carepath.data.records import LoadFailure, load_text

    (failure,) = load_text("[" * 5000 + "]" * 5000, "deep.yaml")
    assert isinstance(failure, LoadFailure)
    assert failure.message == "deep.yaml: nested too deeply to be patient records"


# ---- fields recorded for other protocols ---------------------------------------------------------


def test_fields_listed_for_other_protocols_are_carried_unread(seed: CompiledProtocol) -> None:
    text = f"fields: [cns_disease]\npatients:\n- id: a\n  {GOOD}  cns_disease: false\n"
    (record,) = carepath.records_from_text(seed, text, "r.yaml")
    assert isinstance(record, PatientRecord), record
    assert record.unread == {"cns_disease": False}
    assert carepath.evaluate(seed, record, dt.date(2026, 1, 1)).status == "ok"


def test_a_field_neither_declared_nor_listed_is_still_an_error_with_a_hint(seed: CompiledProtocol) -> None:
    text = f"fields: [cns_disease]\npatients:\n- id: a\n  {GOOD}  cns_diseas: false\n"
    (record,) = carepath.records_from_text(seed, text, "r.yaml")
    assert messages(record) == [("cns_diseas", "patient 'a': unknown field 'cns_diseas' (value false); did you mean 'cns_disease'?")]


def test_extra_fields_accept_another_protocols_inputs(seed: CompiledProtocol) -> None:
    text = f"- id: a\n  {GOOD}  mrd_before_octadad: 0.02 %\n"
    assert isinstance(carepath.records_from_text(seed, text, "r.yaml")[0], InvalidRecord)
    (record,) = carepath.records_from_text(seed, text, "r.yaml", extra_fields=frozenset({"mrd_before_octadad"}))
    assert isinstance(record, PatientRecord) and record.unread == {"mrd_before_octadad": "0.02 %"}


@pytest.mark.parametrize("listed", ["cns_disease", "[1, 2]", "{a: b}", "['']"])
def test_a_malformed_fields_list_fails_the_file_with_a_message(listed: str) -> None:
    (failure,) = load_text(f"fields: {listed}\npatients: []\n", "r.yaml")
    assert isinstance(failure, LoadFailure)
    assert "'fields:' must be a list of field names" in failure.message


# ---- keys written twice ---------------------------------------------------------------------------


def test_a_field_written_twice_rejects_that_record_only(seed: CompiledProtocol) -> None:
    text = f"- id: a\n  {GOOD}  mll: translocation\n- id: b\n  {GOOD}"
    first, second = carepath.records_from_text(seed, text, "r.yaml")
    assert messages(first) == [("mll", "patient 'a': 'mll' is given twice; only one value can be read, so neither is")]
    assert isinstance(second, PatientRecord)


def test_a_json_field_written_twice_is_caught_too(seed: CompiledProtocol, tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text('[{"id": "a", "mll": "germline", "mll": "translocation", "age_at_diagnosis": "8 months", '
                    '"wbc_at_diagnosis": "1000 /uL"}]')
    (record,) = carepath.load_records(seed, [path])
    assert [field for field, _ in messages(record)] == ["mll"]
