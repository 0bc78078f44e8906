"""Dated series in records: every written form binds to the same `Series`, and every bad entry is named by day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import carepath
from carepath import Source
from carepath.compile.compiler import CompiledProtocol
from carepath.data.records import DAY_LIMIT, InvalidRecord, PatientRecord
from carepath.semantics.trace import Fact
from carepath.semantics.values import Series

PROTOCOL = """
protocol series_binding
input
  transplant_date      : date optional
  anc                  : series of quantity /uL plausible 0 /uL .. 100000 /uL relative to transplant_date
  platelet_transfusion : series of boolean relative to transplant_date
  counts               : series of quantity 10*9/L
recommend transplanted "Transplant recorded": when transplant_date is known
"""

PLAUSIBLE = "outside the plausible range 0 /µL .. 100,000 /µL"


@pytest.fixture(scope="module")
def protocol() -> CompiledProtocol:
    return carepath.compile_source(Source("series.care", PROTOCOL))


def bind_one(protocol: CompiledProtocol, text: str) -> PatientRecord | InvalidRecord:
    (record,) = carepath.records_from_text(protocol, text, "r.yaml")
    return record


def series_of(protocol: CompiledProtocol, text: str, name: str) -> object:
    record = bind_one(protocol, text)
    assert isinstance(record, PatientRecord), record
    info = protocol.checked.input(name)
    assert info is not None
    return record.values[info.slot]


def fact_of(protocol: CompiledProtocol, text: str, name: str) -> Fact:
    record = bind_one(protocol, text)
    assert isinstance(record, PatientRecord), record
    info = protocol.checked.input(name)
    assert info is not None
    fact = record.facts[info.slot]
    assert fact is not None
    return fact


def messages(record: PatientRecord | InvalidRecord) -> list[tuple[str | None, str]]:
    assert isinstance(record, InvalidRecord), record
    return [(e.field, e.message) for e in record.errors]


def only_error(protocol: CompiledProtocol, text: str) -> tuple[str | None, str]:
    (error,) = messages(bind_one(protocol, text))
    return error


# ---- the forms -------------------------------------------------------------------------------


def test_day_mapping_binds_each_day_and_leaves_gaps_unknown(protocol: CompiledProtocol) -> None:
    series = series_of(protocol, "- id: p\n  anc: {1: 100 /uL, 2: '300 /uL', 14: 520 /uL}\n", "anc")
    assert series == Series.of({1: 100, 2: 300, 14: 520})
    assert isinstance(series, Series)
    assert (series.first, series.last) == (1, 14)
    assert [series.at(day) for day in (0, 1, 2, 3, 13, 14, 15)] == [None, 100, 300, None, None, 520, None]
    assert all(type(v) is int for v in series.values if v is not None)


def test_negative_days_count_before_day_zero(protocol: CompiledProtocol) -> None:
    series = series_of(protocol, "- id: p\n  anc: {-7: 4000 /uL, 0: 3000 /uL, +2: 10 /uL}\n", "anc")
    assert series == Series.of({-7: 4000, 0: 3000, 2: 10})
    assert isinstance(series, Series) and series.first == -7 and series.at(-6) is None


@pytest.mark.parametrize(
    "written",
    ["520 /uL", "'520 /µL'", "0.52 10*9/L", "0.52 10*3/uL", "{value: 520, unit: /uL}", "{value: 0.52, unit: 10*9/L}"],
)
def test_each_value_takes_the_scalar_spellings_and_converts_exactly(protocol: CompiledProtocol, written: str) -> None:
    series = series_of(protocol, f"- id: p\n  anc: {{3: {written}}}\n", "anc")
    assert series == Series.of({3: 520})
    assert isinstance(series, Series) and type(series.at(3)) is int


def test_giga_per_litre_converts_into_the_declared_unit_both_ways(protocol: CompiledProtocol) -> None:
    assert series_of(protocol, "- id: p\n  anc: {1: 0.5 10*9/L}\n", "anc") == Series.of({1: 500})
    assert series_of(protocol, "- id: p\n  counts: {1: 500 /uL, 2: 1500 /uL}\n", "counts") == Series.of({1: 0.5, 2: 1.5})


def test_date_keys_count_from_the_anchor(protocol: CompiledProtocol) -> None:
    text = "- id: p\n  transplant_date: 2024-02-28\n  anc: {'2024-02-29': 100 /uL, '2024-03-01': 200 /uL, '2024-02-21': 50 /uL}\n"
    assert series_of(protocol, text, "anc") == Series.of({1: 100, 2: 200, -7: 50})  # 2024 is a leap year


def test_the_anchor_may_come_after_the_series_and_be_quoted(protocol: CompiledProtocol) -> None:
    text = "- id: p\n  anc: {'2024-03-02': 100 /uL, 5: 200 /uL}\n  transplant_date: '2024-03-01'\n"
    assert series_of(protocol, text, "anc") == Series.of({1: 100, 5: 200})


def test_json_style_quoted_day_keys_are_days(protocol: CompiledProtocol) -> None:
    text = '[{"id": "p", "anc": {"1": "100 /uL", "-2": "40 /uL"}, "platelet_transfusion": {"0": false, "1": true}}]'
    record = bind_one(protocol, text)
    assert isinstance(record, PatientRecord)
    assert record.values[1] == Series.of({1: 100, -2: 40})
    assert record.values[2] == Series.of({0: False, 1: True})


def test_json_files_bind_series(protocol: CompiledProtocol, tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text('[{"id": "j", "transplant_date": "2024-03-01", "anc": {"2024-03-04": "0.6 10*9/L", "1": "10 /uL"}}]',
                    encoding="utf-8")
    (record,) = carepath.load_records(protocol, [path])
    assert isinstance(record, PatientRecord)
    assert record.values[1] == Series.of({1: 10, 3: 600})


def test_unit_and_values_form(protocol: CompiledProtocol) -> None:
    text = "- id: p\n  anc: {unit: /uL, values: {1: 100, 2: 300, 4: '1,000', 5: 0.6 10*9/L}}\n"
    assert series_of(protocol, text, "anc") == Series.of({1: 100, 2: 300, 4: 1000, 5: 600})


def test_unit_and_values_form_converts_into_the_declared_unit(protocol: CompiledProtocol) -> None:
    assert series_of(protocol, "- id: p\n  anc: {unit: 10*9/L, values: {1: 0.5, 2: 0.05}}\n", "anc") == Series.of({1: 500, 2: 50})


def test_unit_and_values_form_takes_dates(protocol: CompiledProtocol) -> None:
    text = "- id: p\n  transplant_date: 2024-03-01\n  anc: {unit: /uL, values: {'2024-03-11': 700}}\n"
    assert series_of(protocol, text, "anc") == Series.of({10: 700})


def test_boolean_day_mapping(protocol: CompiledProtocol) -> None:
    text = "- id: p\n  platelet_transfusion: {0: false, 1: true, 3: false}\n"
    assert series_of(protocol, text, "platelet_transfusion") == Series.of({0: False, 1: True, 3: False})


def test_on_form_is_true_on_listed_days_and_false_on_the_others(protocol: CompiledProtocol) -> None:
    series = series_of(protocol, "- id: p\n  platelet_transfusion: {on: [3, 9], from: 0, to: 12}\n", "platelet_transfusion")
    assert series == Series.of({day: day in (3, 9) for day in range(0, 13)})
    assert isinstance(series, Series) and series.at(13) is None and series.at(-1) is None


def test_on_form_with_dates_and_a_quoted_on_key(protocol: CompiledProtocol) -> None:
    text = "- id: p\n  transplant_date: 2024-03-01\n  platelet_transfusion: {'on': ['2024-03-04'], from: -2, to: '2024-03-06'}\n"
    assert series_of(protocol, text, "platelet_transfusion") == Series.of({day: day == 3 for day in range(-2, 6)})


def test_on_form_with_no_listed_days_is_false_throughout(protocol: CompiledProtocol) -> None:
    series = series_of(protocol, "- id: p\n  platelet_transfusion: {on: [], from: 1, to: 7}\n", "platelet_transfusion")
    assert series == Series.of(dict.fromkeys(range(1, 8), False))


@pytest.mark.parametrize("written", ["{}", "[]", "{unit: /uL, values: {}}"])
def test_an_empty_series_is_recorded_with_no_days_not_missing(protocol: CompiledProtocol, written: str) -> None:
    series = series_of(protocol, f"- id: p\n  anc: {written}\n", "anc")
    assert series == Series.of({})
    assert series is not None
    fact = fact_of(protocol, f"- id: p\n  anc: {written}\n", "anc")
    assert fact.shown == "no days recorded" and not fact.missing


def test_null_series_is_missing_and_null_days_are_not_recorded(protocol: CompiledProtocol) -> None:
    assert series_of(protocol, "- id: p\n  anc: null\n", "anc") is None
    assert series_of(protocol, "- id: p\n  anc: {1: null, 2: 300 /uL, 3: null}\n", "anc") == Series.of({2: 300})


# ---- facts -------------------------------------------------------------------------------------


def test_fact_says_which_days_are_recorded_and_which_missing(protocol: CompiledProtocol) -> None:
    days = ", ".join(f"{day}: {100 + day} /uL" for day in range(21) if day != 5)
    fact = fact_of(protocol, f"- id: p\n  anc: {{{days}}}\n", "anc")
    assert fact.shown == "20 days recorded, day 0 to day 20; day 5 missing"
    assert fact.raw == "{0: 100 /uL, 1: 101 /uL, 2: 102 /uL, … (20 entries)}"
    assert fact.origin == "r.yaml, record 1, field anc"


def test_fact_groups_missing_days_into_runs(protocol: CompiledProtocol) -> None:
    fact = fact_of(protocol, "- id: p\n  anc: {1: 1 /uL, 5: 5 /uL, 7: 7 /uL, 8: 8 /uL}\n", "anc")
    assert fact.shown == "4 days recorded, day 1 to day 8; days 2 to 4, 6 missing"
    assert fact.raw == "{1: 1 /uL, 5: 5 /uL, 7: 7 /uL, … (4 entries)}"


def test_fact_of_a_boolean_series_names_its_true_days(protocol: CompiledProtocol) -> None:
    fact = fact_of(protocol, "- id: p\n  platelet_transfusion: {on: [3, 9, 10], from: 0, to: 30}\n", "platelet_transfusion")
    assert fact.shown == "31 days recorded, day 0 to day 30; true on days 3, 9 to 10"
    assert fact.raw == "on [3, 9, 10] from 0 to 30"
    single = fact_of(protocol, "- id: p\n  platelet_transfusion: {4: false}\n", "platelet_transfusion")
    assert single.shown == "1 day recorded, day 4; true on no day"


def test_records_with_series_evaluate(protocol: CompiledProtocol, as_of: dt.date) -> None:
    text = ("- id: a\n  transplant_date: 2024-03-01\n  anc: {1: 100 /uL}\n  platelet_transfusion: {on: [2], from: 0, to: 3}\n"
            "- id: b\n  anc: {}\n")
    results = [carepath.evaluate(protocol, record, as_of) for record in carepath.records_from_text(protocol, text)]
    assert [(r.status, r.decisions) for r in results] == [("ok", {"transplanted": True}), ("ok", {"transplanted": False})]


# ---- errors ------------------------------------------------------------------------------------


def test_implausible_day_names_patient_field_day_and_value(protocol: CompiledProtocol) -> None:
    field, message = only_error(protocol, "- id: p1\n  anc: {1: 100 /uL, 14: 150 10*9/L}\n")
    assert field == "anc"
    assert message == (f"patient 'p1': field 'anc' day 14 value '150 10*9/L': that is 150,000 /µL, {PLAUSIBLE}; "
                       "150 /µL would be plausible: was 10*9/L meant as /µL?")


def test_implausible_dated_day_names_the_date_too(protocol: CompiledProtocol) -> None:
    field, message = only_error(protocol, "- id: p1\n  transplant_date: 2024-03-01\n  anc: {'2024-03-15': 200000 /uL}\n")
    assert field == "anc"
    assert message.startswith("patient 'p1': field 'anc' day 14 (2024-03-15) value '200000 /uL': that is 200,000 /µL")
    assert PLAUSIBLE in message


def test_implausible_number_in_the_unit_form(protocol: CompiledProtocol) -> None:
    field, message = only_error(protocol, "- id: p1\n  anc: {unit: /uL, values: {1: 100, 2: -5}}\n")
    assert field == "anc"
    assert message == f"patient 'p1': field 'anc' day 2 value '-5 /uL': that is -5 /µL, {PLAUSIBLE}"


def test_every_bad_day_is_reported(protocol: CompiledProtocol) -> None:
    record = bind_one(protocol, "- id: p\n  anc: {1: 100 /uL, 2: 200000 /uL, 3: 30 kg, 4: 400}\n")
    found = messages(record)
    assert [m.split(" value ")[0] for _, m in found] == ["patient 'p': field 'anc' day 2", "patient 'p': field 'anc' day 3",
                                                         "patient 'p': field 'anc' day 4"]
    assert "'kg' is not a unit of the same kind as /µL" in found[1][1]
    assert "a number needs a unit" in found[2][1] and "{unit: /uL, values: {day: number, …}}" in found[2][1]


def test_date_keys_without_relative_to_are_an_error(protocol: CompiledProtocol) -> None:
    field, message = only_error(protocol, "- id: p\n  transplant_date: 2024-03-01\n  counts: {'2024-03-02': 1 10*9/L, '2024-03-03': 2 10*9/L}\n")
    assert field == "counts"
    assert message == ("patient 'p': field 'counts' key '2024-03-02': a date needs a day 0: counts is not declared "
                       "'relative to' a date, so its days must be given as day numbers")


def test_date_keys_without_the_anchor_in_the_record_are_one_error(protocol: CompiledProtocol) -> None:
    field, message = only_error(protocol, "- id: p\n  anc: {1: 5 /uL, '2024-03-02': 100 /uL, '2024-03-03': 200 /uL}\n")
    assert field == "anc"
    assert message == ("patient 'p': field 'anc' key '2024-03-02': a date needs a day 0: dates are counted from transplant_date "
                       "(day 0), which this record does not give; add transplant_date or give day numbers")


def test_date_keys_with_an_invalid_anchor(protocol: CompiledProtocol) -> None:
    found = messages(bind_one(protocol, "- id: p\n  transplant_date: 2024-02-30\n  anc: {'2024-03-02': 100 /uL}\n"))
    assert [f for f, _ in found] == ["transplant_date", "anc"]
    assert "transplant_date (day 0), which is not a valid date in this record" in found[1][1]


def test_the_same_day_given_twice(protocol: CompiledProtocol) -> None:
    field, message = only_error(protocol, "- id: p\n  transplant_date: 2024-03-01\n  anc: {1: 100 /uL, '2024-03-02': 200 /uL}\n")
    assert (field, message) == ("anc", "patient 'p': field 'anc' day 1 (2024-03-02): the same day is given twice, as 1 and "
                                       "as '2024-03-02'")
    field, message = only_error(protocol, "- id: p\n  anc: {3: 100 /uL, '3': 200 /uL}\n")
    assert message == "patient 'p': field 'anc' day 3: the same day is given twice, as 3 and as '3'"


@pytest.mark.parametrize(
    ("written", "part"),
    [
        ("{x: 1 /uL}", "key 'x': expected a day number (e.g. 14 or -7) or a date (YYYY-MM-DD)"),
        ("{1.5: 1 /uL}", "key 1.5: expected a day number"),
        ("{'2024-02-30': 1 /uL}", "key '2024-02-30': not a valid date (YYYY-MM-DD)"),
        (f"{{{DAY_LIMIT + 1}: 1 /uL}}", f"day {DAY_LIMIT + 1} is more than 36,525 days from day 0"),
        ("{from: 1, to: 3}", "'from' and 'to' go with 'on: [days]'"),
    ],
)
def test_bad_keys(protocol: CompiledProtocol, written: str, part: str) -> None:
    field, message = only_error(protocol, f"- id: p\n  anc: {written}\n")
    assert field == "anc"
    assert message.startswith("patient 'p': field 'anc'")
    assert part in message


@pytest.mark.parametrize(
    ("name", "written", "part"),
    [
        ("platelet_transfusion", "{1: 100 /uL}", "day 1 value '100 /uL': expected true or false"),
        ("platelet_transfusion", "{1: 1}", "day 1 value 1: expected true or false"),
        ("anc", "{2: true}", "day 2 value true: expected a number with a unit"),
        ("anc", "{2: 3 months}", "day 2 value '3 months': 'months' is not a unit of the same kind as /µL"),
        ("counts", "{2: 5}", "day 2 value 5: a number needs a unit"),
    ],
)
def test_values_of_the_wrong_element_type(protocol: CompiledProtocol, name: str, written: str, part: str) -> None:
    field, message = only_error(protocol, f"- id: p\n  {name}: {written}\n")
    assert field == name
    assert message.startswith(f"patient 'p': field '{name}' {part}")


@pytest.mark.parametrize(
    ("written", "shown"),
    [("[100, 300]", "[100, 300]"), ("'100 /uL'", "'100 /uL'"), ("500", "500"), ("true", "true")],
)
def test_malformed_shapes(protocol: CompiledProtocol, written: str, shown: str) -> None:
    field, message = only_error(protocol, f"- id: p\n  anc: {written}\n")
    assert field == "anc"
    assert message.startswith(f"patient 'p': field 'anc' value {shown}: expected a series, a mapping of day: value such as "
                              "{1: '100 /uL', 2: '300 /uL'}")


@pytest.mark.parametrize(
    ("written", "part"),
    [
        ("{unit: /uLL, values: {1: 1}}", "unit '/uLL': unknown unit"),
        ("{unit: kg, values: {1: 1, 2: 2}}", "unit 'kg': 'kg' is not a unit of the same kind as /µL"),
        ("{unit: /uL}", "'values' is missing"),
        ("{unit: /uL, values: [1, 2]}", "'values' must be a mapping of day: number"),
        ("{unit: 5, values: {1: 1}}", "'unit' must be a unit such as /µL"),
    ],
)
def test_bad_unit_forms_are_one_error_each(protocol: CompiledProtocol, written: str, part: str) -> None:
    field, message = only_error(protocol, f"- id: p\n  anc: {written}\n")
    assert field == "anc"
    assert part in message


def test_unit_form_with_a_stray_key(protocol: CompiledProtocol) -> None:
    field, message = only_error(protocol, "- id: p\n  anc: {unit: /uL, value: {1: 1}, values: {1: 1}}\n")
    assert field == "anc"
    assert message == "patient 'p': field 'anc': unexpected 'value' beside 'unit' and 'values'"


def test_unit_form_on_a_boolean_series(protocol: CompiledProtocol) -> None:
    field, message = only_error(protocol, "- id: p\n  platelet_transfusion: {unit: /uL, values: {1: true}}\n")
    assert field == "platelet_transfusion"
    assert message == ("patient 'p': field 'platelet_transfusion': 'unit' applies to a series of quantities; "
                       "platelet_transfusion is a series of boolean")


def test_on_form_day_outside_from_to(protocol: CompiledProtocol) -> None:
    found = messages(bind_one(protocol, "- id: p\n  platelet_transfusion: {on: [-1, 3, 31], from: 0, to: 30}\n"))
    assert found == [
        ("platelet_transfusion", "patient 'p': field 'platelet_transfusion' day -1: listed under 'on' but outside from day 0 to day 30"),
        ("platelet_transfusion", "patient 'p': field 'platelet_transfusion' day 31: listed under 'on' but outside from day 0 to day 30"),
    ]


@pytest.mark.parametrize(
    ("written", "part"),
    [
        ("{on: [3], from: 5, to: 4}", "'from' (day 5) is after 'to' (day 4)"),
        ("{on: [3], to: 4}", "'on' needs 'from' and 'to'"),
        ("{on: [3]}", "'on' needs 'from' and 'to'"),
        ("{on: 3, from: 0, to: 4}", "'on' must be a list of days or dates"),
        ("{on: [3, 3], from: 0, to: 4}", "day 3: the same day is given twice"),
        ("{on: [x], from: 0, to: 4}", "listed under 'on' 'x': expected a day number"),
        ("{on: [3], from: 0, to: 4, every: 2}", "unexpected 'every' beside 'on', 'from' and 'to'"),
        ("{on: ['2024-03-02'], from: 0, to: 4}", "a date needs a day 0: dates are counted from transplant_date"),
    ],
)
def test_bad_on_forms(protocol: CompiledProtocol, written: str, part: str) -> None:
    field, message = only_error(protocol, f"- id: p\n  platelet_transfusion: {written}\n")
    assert field == "platelet_transfusion"
    assert message.startswith("patient 'p': field 'platelet_transfusion'")
    assert part in message


def test_on_form_on_a_quantity_series(protocol: CompiledProtocol) -> None:
    field, message = only_error(protocol, "- id: p\n  anc: {on: [1], from: 0, to: 3}\n")
    assert field == "anc"
    assert message == "patient 'p': field 'anc': 'on: [days]' gives a series of booleans; anc is a series of quantity in /µL"


def test_errors_in_several_fields_are_all_reported(protocol: CompiledProtocol) -> None:
    record = bind_one(protocol, "- id: p\n  transplant_date: 2024-03-01\n  anc: {1: 1 kg}\n  platelet_transfusion: {1: maybe}\n"
                                "  counts: [1]\n  colour: red\n")
    assert [f for f, _ in messages(record)] == ["anc", "platelet_transfusion", "counts", "colour"]


def test_one_bad_record_does_not_stop_the_others(protocol: CompiledProtocol, as_of: dt.date) -> None:
    text = ("- id: a\n  transplant_date: 2024-03-01\n  anc: {1: 100 /uL}\n"
            "- id: b\n  anc: {1: 200000 /uL}\n"
            "- id: c\n  anc: {'2024-03-02': 100 /uL}\n"
            "- id: d\n  transplant_date: 2024-03-01\n  anc: {'2024-03-03': 300 /uL}\n  platelet_transfusion: {on: [1], from: 0, to: 2}\n")
    records = carepath.records_from_text(protocol, text)
    assert [(r.id, type(r).__name__) for r in records] == [("a", "PatientRecord"), ("b", "InvalidRecord"), ("c", "InvalidRecord"),
                                                          ("d", "PatientRecord")]
    assert isinstance(records[3], PatientRecord) and records[3].values[1] == Series.of({2: 300})
    statuses = [carepath.evaluate(protocol, r, as_of).status for r in records]
    assert statuses == ["ok", "invalid", "invalid", "ok"]
