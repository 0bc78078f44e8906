"""Record errors: each CP5xx code from a records text, at the line and column of the value at fault, with the
field and the value as written; and the error values themselves."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import carepath
from carepath.data.errors import NOWHERE, Place, RecordCode, RecordError, written
from carepath.data.records import InvalidRecord, LoadFailure, PatientRecord, RawRecord, bind, bind_all, load_text
from carepath.language.codes import CODES

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT / "protocols" / "severance_2011.care"  # dates, age from them, wbc, mll
GVHD = ROOT / "protocols" / "gvhd_prophylaxis.care"  # dose cyclosporine in mg/d
ENGRAFTMENT = ROOT / "docs" / "examples" / "engraftment.care"  # anc: series of quantity /uL relative to transplant_date

# code → (protocol, records text, file name, every (code, line, column, field, value) in order). Lines and columns
# are 1-based and counted by hand: `  wbc_at_diagnosis: ` is 20 characters, so its value is at column 21.
CASES: dict[str, tuple[Path, str, str, list[tuple[str, int, int, str | None, str | None]]]] = {
    # the third item of the list is text, not a mapping
    "CP501": (SEED, "- id: a\n  mll: germline\n- just text\n", "r.yaml", [("CP501", 3, 3, None, "just text")]),
    # the record (a mapping) starts after `- `
    "CP502": (SEED, "- mll: germline\n  wbc_at_diagnosis: 100 /uL\n", "r.yaml", [("CP502", 1, 3, "id", None)]),
    # an unknown field is placed at its name
    "CP503": (SEED, "- id: a\n  wbc_at_diagnoses: 60000 /uL\n", "r.yaml", [("CP503", 2, 3, "wbc_at_diagnoses", "60000 /uL")]),
    "CP504": (SEED, "- id: a\n  wbc_at_diagnosis: 5 kg\n", "r.yaml", [("CP504", 2, 21, "wbc_at_diagnosis", "5 kg")]),
    # 33,900 /mL is 33.9 /µL, below the plausible 100 /µL
    "CP505": (SEED, "- id: a\n  wbc_at_diagnosis: 33900 /mL\n", "r.yaml", [("CP505", 2, 21, "wbc_at_diagnosis", "33900 /mL")]),
    # placed at the second writing of the key
    "CP506": (SEED, "- id: a\n  mll: germline\n  mll: translocation\n", "r.yaml", [("CP506", 3, 3, "mll", None)]),
    # `  anc: ` is 7 characters: the list starts at column 8
    "CP507": (ENGRAFTMENT, "- id: a\n  anc: [300 /uL, 520 /uL]\n", "r.yaml", [("CP507", 2, 8, "anc", "[300 /uL, 520 /uL]")]),
    # the later date, `  date_of_diagnosis: ` being 21 characters; the error is the derived age's
    "CP508": (SEED, "- id: a\n  date_of_birth: 2008-05-01\n  date_of_diagnosis: 2008-03-01\n", "r.yaml",
              [("CP508", 3, 22, "age_at_diagnosis", None)]),
    # every copy of the id, each at its own `id:` value (`- id: ` is 6 characters)
    "CP509": (SEED, "- id: a\n  mll: germline\n- id: a\n", "r.yaml", [("CP509", 1, 7, "id", "a"), ("CP509", 3, 7, "id", "a")]),
    "CP510": (SEED, "- id: ' '\n  mll: germline\n", "r.yaml", [("CP510", 1, 7, "id", " ")]),
    # past a limit (docs/limits.md; each limit's edge is tested in test_limits.py): a file is not read at all
    "CP520": (SEED, "#" * (16 * 1024 * 1024 + 1), "r.yaml", [("CP520", None, None, None, None)]),
    # placed at the record's start
    "CP521": (SEED, "- id: a\n" + "".join(f"  f{i}: 1\n" for i in range(1000)), "r.yaml", [("CP521", 1, 3, None, None)]),
    # `  about: ` is 9 characters: the first list, the record's level 2, opens at column 10, the 33rd level at 41
    "CP522": (SEED, "- id: a\n  about: " + "[" * 32 + "]" * 32 + "\n", "r.yaml", [("CP522", 2, 41, "about", None)]),
    # placed at the series' value, `  anc: ` being 7 characters
    "CP523": (ENGRAFTMENT, "- id: a\n  anc: {on: [], from: 0, to: 10000}\n", "r.yaml", [("CP523", 2, 8, "anc", None)]),
    # an alias inside the list it names: placed at the alias, `  about: &x [` being 12 characters
    "CP524": (SEED, "- id: a\n  about: &x [*x]\n", "r.yaml", [("CP524", 2, 14, "about", None)]),
    "CP525": (SEED, "- id: a\n  about: {n: " + "9" * 101 + "}\n", "r.yaml", [("CP525", 2, 14, "about", None)]),
    "CP526": (SEED, "- id: " + "a" * 201 + "\n", "r.yaml", [("CP526", 1, 7, "id", None)]),
    # the limits a protocol is held to (CP109, CP110, CP111), in a record's values: at each and one past it in tests/unit/data/test_limits.py
    "CP528": (SEED, "- id: a\n  wbc_at_diagnosis: 1e5000 /uL\n", "r.yaml", [("CP528", 2, 21, "wbc_at_diagnosis", "1e5000 /uL")]),
    "CP529": (SEED, "- id: a\n  wbc_at_diagnosis: 5 10*31/L\n", "r.yaml", [("CP529", 2, 21, "wbc_at_diagnosis", "5 10*31/L")]),
    "CP530": (SEED, "- id: a\n  age_at_diagnosis: 2401 months\n", "r.yaml", [("CP530", 2, 21, "age_at_diagnosis", "2401 months")]),
    "CP527": (SEED, "- id: a\n  mll: !!python/object/apply:os.system [true]\n", "r.yaml", [("CP527", 2, 8, "mll", None)]),
    # the follow-up and care sections (data.followup); `  follow_up: {` is 14 characters
    "CP540": (SEED, "- id: a\n  follow_up: {first_events: {kind: none, at: 3 months}}\n", "r.yaml",
              [("CP540", 2, 15, "follow_up.first_events", "{kind: none, at: 3 months}")]),
    "CP541": (SEED, "- id: a\n  follow_up: {first_event: {kind: none, at: 3 monts}}\n", "r.yaml", [("CP541", 2, 45, "first_event.at", "3 monts")]),
    "CP542": (SEED, "- id: a\n  follow_up: {first_event: {kind: relaps, at: 3 months}}\n", "r.yaml", [("CP542", 2, 35, "first_event.kind", "relaps")]),
    # last seen before the first event: placed at `last_seen`'s value, `    last_seen: ` being 15 characters
    "CP543": (SEED, "- id: a\n  follow_up:\n    first_event: {kind: relapse, at: 10 months}\n    last_seen: {status: alive, at: 8 months}\n",
              "r.yaml", [("CP543", 4, 16, "last_seen.at", None)]),
    "CP544": (SEED, "- id: a\n  follow_up: {transplant: {done: false}}\n", "r.yaml", [("CP544", 2, 27, "transplant.reason", None)]),
    "CP545": (SEED, "- id: a\n  follow_up: {first_event: {kind: none, at: 3 months, estimated: true}}\n", "r.yaml",
              [("CP545", 2, 66, "first_event.estimated", "true")]),
    "CP546": (GVHD, "- id: a\n  care: {doses: [{dose: cyclosporine, given: lots}]}\n", "r.yaml", [("CP546", 2, 46, "care.doses.given", "lots")]),
    # cyclosporine is a dose in mg/d: mg/kg is another kind of unit
    "CP547": (GVHD, "- id: a\n  care: {doses: [{dose: cyclosporine, given: 24 mg/kg}]}\n", "r.yaml",
              [("CP547", 2, 46, "care.doses.given", "24 mg/kg")]),
}
FHIR_CODES = ("CP511", "CP512")  # from FHIR resources: their cases are in tests/unit/data/test_fhir.py


def _errors(protocol: Path, text: str, name: str) -> list[RecordError]:
    checked = carepath.load_protocol(protocol).checked
    records = bind_all(load_text(text, name, json_only=name.endswith(".json")), checked)
    return [error for record in records if isinstance(record, InvalidRecord) for error in record.errors]


def _shown(errors: list[RecordError]) -> list[tuple[str, int | None, int | None, str | None, str | None]]:
    return [(str(e.code), e.line, e.column, e.field, e.value) for e in errors]


def test_every_record_code_is_registered_and_has_a_case() -> None:
    assert sorted(CASES) == sorted(code for code in CODES if code.startswith("CP5") and code not in FHIR_CODES)
    assert sorted([*CASES, *FHIR_CODES]) == sorted(code.value for code in RecordCode)
    assert RecordCode.NO_ID.entry.summary == "a record without an `id`"


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_code_is_reported_where_its_case_says(code: str) -> None:
    protocol, text, name, expected = CASES[code]
    errors = _errors(protocol, text, name)
    assert _shown(errors) == expected
    assert all(e.file == name for e in errors)


def test_a_json_file_is_placed_by_the_same_positions() -> None:
    # `   "wbc_at_diagnosis": ` is 23 characters; the value's opening quote is at column 24
    text = '[\n  {"id": "a",\n   "wbc_at_diagnosis": "5 kg"}\n]\n'
    assert _shown(_errors(SEED, text, "r.json")) == [("CP504", 3, 24, "wbc_at_diagnosis", "5 kg")]


def test_tabs_in_json_keep_their_columns() -> None:
    # YAML refuses a tab before a token; JSON reads it as whitespace, one column like a space:
    # `\t{"id": "a", "mll": ` is 20 characters
    text = '[\n\t{"id": "a", "mll": "transloc"}\n]\n'
    assert _shown(_errors(SEED, text, "r.json")) == [("CP504", 2, 21, "mll", "transloc")]


def test_a_key_given_twice_in_json_is_placed_at_its_second_writing() -> None:
    text = '[{"id": "a", "mll": "germline", "mll": "translocation"}]'
    assert _shown(_errors(SEED, text, "r.json")) == [("CP506", 1, 33, "mll", None)]


def test_a_file_that_is_not_records_is_one_error_at_the_parser_s_place() -> None:
    # the `}` after the trailing comma: the 13th character
    failure, = load_text('[{"id": "a",}]', "r.json", json_only=True)
    assert isinstance(failure, LoadFailure)
    assert (failure.place, failure.error().code) == (Place("r.json", 1, 13), RecordCode.UNREADABLE)
    # a mapping without `patients:` or `id`
    failure, = load_text("name: ward 3\n", "r.yaml")
    assert isinstance(failure, LoadFailure) and failure.place == Place("r.yaml", 1, 1)
    # `fields:` that is not a list of names: its value, after `fields: `
    failure, = load_text("fields: 3\npatients: []\n", "r.yaml")
    assert isinstance(failure, LoadFailure) and failure.place == Place("r.yaml", 1, 9)


def test_series_entries_are_placed_at_their_day_or_value() -> None:
    # day 1 given twice, as 1 and as the date of day 1: at the second key, `  anc: {1: 300 /uL, ` being 20 characters
    text = "- id: a\n  transplant_date: 2025-03-01\n  anc: {1: 300 /uL, \"2025-03-02\": 310 /uL}\n"
    assert _shown(_errors(ENGRAFTMENT, text, "r.yaml")) == [("CP506", 3, 21, "anc", "2025-03-02")]
    # a value outside the plausible range, in the block form: `    14: ` is 8 characters
    text = "- id: a\n  anc:\n    1: 300 /uL\n    14: 150 10*9/L\n"
    assert _shown(_errors(ENGRAFTMENT, text, "r.yaml")) == [("CP505", 4, 9, "anc", "150 10*9/L")]
    # a bare number under `values:` with a unit that is not a unit: the unit is at fault, once
    text = "- id: a\n  anc: {unit: kg, values: {1: 300}}\n"
    assert _shown(_errors(ENGRAFTMENT, text, "r.yaml")) == [("CP504", 2, 15, "anc", "kg")]


def test_an_age_counted_to_the_evaluation_date_is_placed_at_the_birth_date() -> None:
    compiled = carepath.load_protocol(ROOT / "docs" / "examples" / "age_today.care")
    records = carepath.records_from_text(compiled, "- id: a\n  date_of_birth: 2030-01-01\n", "r.yaml")
    result, = carepath.evaluate_all(compiled, records, dt.date(2026, 1, 1)).results
    # `  date_of_birth: ` is 17 characters
    assert _shown(list(result.errors)) == [("CP508", 2, 18, "age", None)]
    assert result.errors[0].patient == "a"
    batch, = carepath.evaluate_all(compiled, records, dt.date(2026, 1, 1), trace=False).results
    assert batch.errors == result.errors


def test_records_built_in_code_have_no_place() -> None:
    checked = carepath.load_protocol(SEED).checked
    record = bind(RawRecord({"id": "a", "mll": "transloc"}, "built"), checked)
    assert isinstance(record, InvalidRecord)
    assert _shown(list(record.errors)) == [("CP504", None, None, "mll", "transloc")]
    assert record.errors[0].file is None


def test_a_bound_record_remembers_where_its_fields_were_written() -> None:
    checked = carepath.load_protocol(SEED).checked
    raw, = load_text("- id: a\n  mll: germline\n", "r.yaml")
    assert isinstance(raw, RawRecord)
    record = bind(raw, checked)
    assert isinstance(record, PatientRecord)
    assert record.place_of("mll") == Place("r.yaml", 2, 8)
    assert record.place_of("wbc_at_diagnosis") == Place("r.yaml", 1, 3)  # not given: the record's start


def test_an_error_shows_its_value_as_written() -> None:
    error = RecordError.at(Place("r.yaml", 4, 9), RecordCode.BAD_SERIES, "anc", "m", {"on": [3, 9], "from": 0, "to": True})
    assert (error.file, error.line, error.column, error.value) == ("r.yaml", 4, 9, "{on: [3, 9], from: 0, to: true}")
    assert error.place == Place("r.yaml", 4, 9)
    assert RecordError.at(NOWHERE, RecordCode.NO_ID, "id", "m").value is None
    assert [written(v) for v in (None, 12000, 1.5, dt.date(2025, 3, 1), "5 kg")] == ["null", "12000", "1.5", "2025-03-01", "5 kg"]
    deep: list[object] = []
    for _ in range(25):
        deep = [deep]
    assert written(deep) == "[" * 20 + "…" + "]" * 20  # nesting past 20 levels is cut short


def test_a_place_prints_as_far_as_it_is_known() -> None:
    assert [str(p) for p in (Place("r.yaml", 4, 9), Place("r.yaml"), NOWHERE)] == ["r.yaml:4:9", "r.yaml", ""]


# ---- through the engine and onto the terminal ------------------------------------------------


def test_the_cohort_path_routes_invalid_records_without_exceptions() -> None:
    compiled = carepath.load_protocol(SEED)
    text = ("- {id: ok, age_at_diagnosis: 3 months, wbc_at_diagnosis: 60000 /uL, mll: germline}\n"
            "- {id: bad, age_at_diagnosis: 3 months, wbc_at_diagnosis: 5 kg}\n"
            "- {id: gap, age_at_diagnosis: 9 months, mll: germline}\n")
    records = carepath.records_from_text(compiled, text, "r.yaml")
    batch = carepath.evaluate_all(compiled, records, dt.date(2026, 1, 1), trace=False).results
    one_by_one = carepath.evaluate_all(compiled, records, dt.date(2026, 1, 1), trace=True).results
    assert [(r.id, r.status, r.decisions, r.needs, r.errors) for r in batch] == \
        [(r.id, r.status, r.decisions, r.needs, r.errors) for r in one_by_one]
    assert [r.status for r in batch] == ["ok", "invalid", "undetermined"]
    # `- {id: bad, ` is 12 characters, `age_at_diagnosis: 3 months, ` 28 more and `wbc_at_diagnosis: ` 18 more
    assert _shown(list(batch[1].errors)) == [("CP504", 2, 59, "wbc_at_diagnosis", "5 kg")]



def test_the_terminal_line_gives_the_place_then_the_code() -> None:
    from carepath.render.terminal import record_error_line

    error = RecordError("mll", "patient 'a': field 'mll' value 'x': expected one of …", RecordCode.BAD_VALUE, "r.yaml", 4, 8, "x")
    assert record_error_line(error) == "invalid record: r.yaml:4:8: CP504 patient 'a': field 'mll' value 'x': expected one of …"
    # a file's message starts with its place already: the code comes first, the place is not repeated
    failure = RecordError(None, "r.yaml:4:1: not valid YAML: …", RecordCode.UNREADABLE, "r.yaml", 4, 1)
    assert record_error_line(failure) == "invalid record: CP501 r.yaml:4:1: not valid YAML: …"
    built = RecordError("id", "built: the record has no 'id'", RecordCode.NO_ID)
    assert record_error_line(built) == "invalid record: CP502 built: the record has no 'id'"


def test_an_error_names_its_patient_and_what_was_expected() -> None:
    bad_value, = _errors(SEED, "- id: a\n  mll: transloc\n", "r.yaml")
    assert (bad_value.patient, bad_value.expected) == ("a", "expected one of germline, translocation, duplication; did you mean 'translocation'?")
    unknown, = _errors(SEED, "- id: 7\n  wbc_at_diagnoses: 60000 /uL\n", "r.yaml")
    assert unknown.patient == "7"  # an id written as a number is read as text
    assert unknown.expected == "a field severance_2011 reads: date_of_birth, date_of_diagnosis, age_at_diagnosis, wbc_at_diagnosis, mll"
    in_series, = _errors(ENGRAFTMENT, "- id: s\n  anc: {1: 300 kg}\n", "r.yaml")
    assert (in_series.patient, in_series.expected) == ("s", "'kg' is not a unit of the same kind as /µL")
    no_id, = _errors(SEED, "- mll: germline\n", "r.yaml")
    assert (no_id.patient, no_id.expected) == (None, None)


def test_deeply_nested_json_is_read_and_its_record_rejected_at_the_field() -> None:
    # json reads 600 levels; the record is past the nesting limit, placed at the field that nests
    depth = 600
    errors = _errors(ENGRAFTMENT, '[{"id": "a", "anc": ' + "[" * depth + "]" * depth + "}]", "deep.json")
    assert [(e.code, e.file, e.line, e.column, e.field) for e in errors] == [(RecordCode.NESTED_TOO_DEEPLY, "deep.json", 1, 21, "anc")]


def test_an_explanation_of_a_rejected_record_gives_each_error_s_place_and_code() -> None:
    from rich.console import Console

    from carepath.render import terminal

    compiled = carepath.load_protocol(SEED)
    records = carepath.records_from_text(compiled, "- id: bad\n  mll: transloc\n", "r.yaml")
    run = carepath.evaluate_all(compiled, records, dt.date(2026, 1, 1))
    console = Console(width=200, record=True, color_system=None)
    console.print(terminal.explanation(run, run.results[0]))
    lines = console.export_text().splitlines()
    assert lines[1:] == ["record rejected:", "  r.yaml:2:8: CP504 patient 'bad': field 'mll' value 'transloc': expected one of "
                         "germline, translocation, duplication; did you mean 'translocation'?"]


def test_a_json_record_that_is_not_a_mapping_is_placed_at_its_item() -> None:
    text = '[\n  "just text",\n  {"id": "a", "mll": "germline"}\n]\n'
    assert _shown(_errors(SEED, text, "r.json")) == [("CP501", 2, 3, None, "just text")]


def test_a_yaml_syntax_error_is_placed_where_the_parser_stopped() -> None:
    # the flow list opened on line 2 is never closed: YAML reports the end of the text, line 3, column 1
    failure, = load_text("- id: a\n  mll: [germline\n", "r.yaml")
    assert isinstance(failure, LoadFailure)
    assert failure.place == Place("r.yaml", 3, 1)
    assert failure.message.startswith("r.yaml:3:1: not valid YAML: ")
