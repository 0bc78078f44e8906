"""CSV and Parquet: the seed table through its map, Parquet with numeric columns, a table that needs no map, and
each bad cell an error naming the patient, the column, the value and its row while the other rows still run."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import carepath
from carepath.data.errors import RecordCode
from carepath.data.maps import map_from_text, read_map
from carepath.data.records import InvalidRecord, PatientRecord
from carepath.data.tabular import bind_table, columns_of, read_csv, read_parquet
from carepath.language.diagnostics import ProtocolError

ROOT = Path(__file__).resolve().parents[3]
SEED = carepath.load_protocol(ROOT / "protocols" / "severance_2011.care").checked
CSV_MAP = read_map(ROOT / "cohorts" / "severance_2011.csv.map.yaml")
WBC = SEED.input_index["wbc_at_diagnosis"].slot
MLL = SEED.input_index["mll"].slot


def _bind(text: str, data_map: str | None = None) -> list[PatientRecord | InvalidRecord]:
    return bind_table(read_csv(text.encode(), "t.csv"), SEED, map_from_text(data_map) if data_map else None)


def _errors(records: list[PatientRecord | InvalidRecord]) -> list[tuple[str, int | None, int | None, str | None]]:
    return [(str(e.code), e.line, e.column, e.value) for r in records if isinstance(r, InvalidRecord) for e in r.errors]


def test_the_seed_table_as_printed_reads_through_its_map() -> None:
    table = read_csv(ROOT / "cohorts" / "severance_2011.csv", "s.csv")
    assert "WBC (/mL)" in columns_of(table) and "Engraft day ANC>1,000" in columns_of(table)
    records = bind_table(table, SEED, CSV_MAP)
    assert all(isinstance(r, PatientRecord) for r in records)
    assert [r.values[WBC] for r in records][:2] == [33900, 43500]  # type: ignore[union-attr]
    assert [r.values[MLL] for r in records][:3] == ["translocation", "germline", "duplication"]  # type: ignore[union-attr]
    fact = records[0].facts[WBC]  # type: ignore[union-attr]
    assert fact is not None and fact.raw == "33,900" and str(fact.source) == "s.csv:2, column 'WBC (/mL)'"


def test_a_table_whose_columns_are_the_inputs_needs_no_map() -> None:
    records = _bind("id,age_at_diagnosis,wbc_at_diagnosis,mll\na,4 months,\"60,000 /uL\",germline\nb,8 months,50 G/L,translocation\n")
    assert [(r.id, r.values[WBC]) for r in records] == [("a", 60000), ("b", 50000)]  # type: ignore[union-attr]


@pytest.mark.parametrize("cell", ["50 G/L", "50 K/uL", "50 x10^9/L", "50 × 10⁹/L", "50000 /mm³", "50,000 cells/µL"])
def test_one_unit_in_every_cell_is_converted_as_a_column(cell: str) -> None:
    (record,) = _bind(f"id,wbc_at_diagnosis\na,\"{cell}\"\n")
    assert record.values[WBC] == 50000  # type: ignore[union-attr]


def test_bare_numbers_take_the_map_s_unit_and_decimals_stay_exact() -> None:
    records = _bind("id,WBC\na,91.6\nb,0.1\nc,\n", "fields:\n  wbc_at_diagnosis: {column: WBC, unit: K/uL}\n")
    assert [r.values[WBC] for r in records] == [91600, 100, None]  # type: ignore[union-attr]


def test_bad_cells_are_errors_at_their_row_and_column_and_the_rest_run() -> None:
    records = _bind("id,wbc_at_diagnosis,mll\na,50 G/L,germline\nb,50 gauss,germline\nc,33900 /mL,germline\nd,,MLL-AF4\ne,12000,germline\n")
    assert [type(r).__name__ for r in records] == ["PatientRecord", *["InvalidRecord"] * 4]
    assert _errors(records) == [("CP504", 3, 2, "50 gauss"), ("CP505", 4, 2, "33900 /mL"), ("CP504", 5, 3, "MLL-AF4"), ("CP504", 6, 2, "12000")]
    message = records[2].errors[0].message  # type: ignore[union-attr]
    assert message.startswith("patient 'c': column 'wbc_at_diagnosis' value '33900 /mL': that is 33.9 /µL")


def test_bad_bare_numbers_through_a_map() -> None:
    records = _bind("id,WBC\na,lots\nb,5000000\n", "fields:\n  wbc_at_diagnosis: {column: WBC, unit: /uL}\n")
    assert [(code, line) for code, line, _, _ in _errors(records)] == [("CP504", 2), ("CP505", 3)]


def test_duplicate_empty_and_missing_ids() -> None:
    records = _bind("id,mll\na,germline\na,germline\n\"\",germline\n")
    assert [(str(e.code), e.line) for r in records for e in r.errors] == [  # type: ignore[union-attr]
        ("CP509", 2), ("CP509", 3), ("CP502", 4)]
    assert "t.csv:2:1, t.csv:3:1" in records[0].errors[0].message  # type: ignore[union-attr]
    (record,) = _bind("patient,mll\na,germline\n")
    assert isinstance(record, InvalidRecord) and record.errors[0].code is RecordCode.NO_ID


def test_an_unknown_column_without_a_map_is_an_error_with_did_you_mean() -> None:
    records = _bind("id,wbc_at_diagnoses,about.sex\na,60000 /uL,F\n")
    assert [type(r).__name__ for r in records] == ["PatientRecord", "InvalidRecord"]  # the row runs; the file is reported
    assert _errors(records) == [("CP503", 1, 2, None)]
    assert "did you mean 'wbc_at_diagnosis'" in records[-1].errors[0].message  # type: ignore[union-attr]


def test_a_map_column_the_table_lacks_stops_before_any_row() -> None:
    with pytest.raises(ProtocolError) as raised:
        _bind("id,WBC\na,1\n", "fields:\n  wbc_at_diagnosis: {column: WCB, unit: /uL}\n")
    assert raised.value.diagnostics[0].code == "CP804" and raised.value.diagnostics[0].hint == "did you mean 'WBC'?"


def test_parquet_with_numeric_and_text_columns() -> None:
    table = pa.table({"case": ["1", "2", "3"], "wbc_k_per_ul": [33.9, 91.6, None], "mll": ["t(4;11)(q21;q23)", "-", "-"],
                      "age_months": [6, 9, 3]})
    sink = io.BytesIO()
    pq.write_table(table, sink)
    data_map = map_from_text("id: case\nfields:\n  wbc_at_diagnosis: {column: wbc_k_per_ul, unit: 10*3/uL}\n"
                             "  age_at_diagnosis: {column: age_months, unit: months}\n"
                             "  mll: {column: mll, vocabulary: {'t(4;11)(q21;q23)': translocation, '-': germline}}\n")
    records = bind_table(read_parquet(sink.getvalue(), "t.parquet"), SEED, data_map)
    assert [r.values[WBC] for r in records] == [33900, 91600, None]  # type: ignore[union-attr]
    assert [r.values[MLL] for r in records] == ["translocation", "germline", "germline"]  # type: ignore[union-attr]
    assert str(records[0].facts[WBC].source) == "t.parquet row 1, column 'wbc_k_per_ul'"  # type: ignore[union-attr]


def test_an_age_derived_from_two_date_columns() -> None:
    records = _bind("id,date_of_birth,date_of_diagnosis\na,2010-01-01,2010-05-11\nb,2010-05-01,2010-01-01\n")
    age = SEED.input_index["age_at_diagnosis"].slot
    assert records[0].values[age].text.startswith("4 months")  # type: ignore[union-attr]
    assert _errors(records)[0][0] == "CP508"


def test_facts_and_records_made_fast_equal_those_made_by_init() -> None:
    from carepath.data.tabular import _new_fact, _new_record  # this module's own helpers
    from carepath.semantics.trace import Fact

    assert _new_fact("wbc", "1 /µL", "1", "t.csv, column 'w'", None) == Fact("wbc", "1 /µL", "1", "t.csv, column 'w'")
    assert _new_record("a", (1,), (None,), {}, "t.csv:2", {}, "t.csv", None) == PatientRecord("a", (1,), (None,), {}, "t.csv:2", {}, "t.csv")
    assert _new_fact.__name__ == _new_record.__name__ == "make"  # the fast makers, not the fallback a new field would bring


def test_binding_a_table_leaves_the_garbage_collector_as_it_found_it() -> None:
    import gc

    assert gc.isenabled()
    _bind("id,mll\na,germline\n")
    assert gc.isenabled()
    gc.disable()
    try:
        _bind("id,mll\na,germline\n")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_series_column_is_an_error_never_dropped() -> None:
    protocol = carepath.load_protocol(ROOT / "docs" / "examples" / "engraftment.care").checked
    records = bind_table(read_csv(b"id,anc\na,600 /uL\n", "t.csv"), protocol, None)
    assert [(str(e.code), e.line, e.column) for r in records if isinstance(r, InvalidRecord) for e in r.errors] == [("CP507", 1, 2)]


_CELL = st.one_of(st.text(max_size=10), st.sampled_from(["", "6M", "33,900", "-", "+", "1e400", "1E306/L", "inf", "-5", "0.0000001", "1,2,3",
                                                        "50 G/L", "50 K/uL", "12 months", "2020-02-30", "99999999999999999999", "  "]))


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(st.tuples(_CELL, _CELL, _CELL, _CELL, _CELL), min_size=1, max_size=4), mapped=st.booleans())
def test_no_cell_crashes_the_reader(rows: list[tuple[str, ...]], mapped: bool) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Patient no.", "Age", "WBC (/mL)", "MLL gene rearrangement", "CNS"] if mapped
                    else ["id", "age_at_diagnosis", "wbc_at_diagnosis", "mll", "date_of_birth"])
    writer.writerows(rows)
    try:
        table = read_csv(out.getvalue().encode(), "f.csv")
    except ValueError:  # a file pyarrow cannot parse: the sources reader reports it (CP501)
        return
    records = bind_table(table, SEED, CSV_MAP if mapped else None)
    assert len([r for r in records if r.where != "f.csv"]) == len(rows)  # one result per row, besides the file's own


def test_a_row_s_facts_are_made_when_read_and_equal_those_a_yaml_record_gives() -> None:
    """A table row's facts are made from its columns on reading (a million rows need not make them all); they are
    the same facts, in the same slots, with a derived age's fact in its own, and compare equal to a tuple of them."""
    records = _bind("id,wbc_at_diagnosis,mll,date_of_birth,date_of_diagnosis,age_at_diagnosis\n"
                    "a,33900 /uL,germline,2009-01-15,2009-07-14,\n"
                    "b,12.5 10*9/L,,,,4 months\n")
    first, second = records
    assert isinstance(first, PatientRecord) and isinstance(second, PatientRecord)
    facts = tuple(first.facts)
    assert first.facts == facts and facts == first.facts and hash(first.facts) == hash(facts) and len(first.facts) == len(SEED.inputs)
    assert first.facts[WBC] is not None and (first.facts[WBC].shown, first.facts[WBC].raw) == ("33,900 /µL", "33900 /uL")
    assert str(first.facts[WBC].source) == "t.csv:2, column 'wbc_at_diagnosis'"
    age = first.facts[SEED.input_index["age_at_diagnosis"].slot]
    assert age is not None and age.origin.endswith("derived from date_of_birth and date_of_diagnosis") and age.shown.startswith("5 months 29 days (180 days")
    assert second.facts[MLL] is None and second.facts[WBC] is not None and second.facts[WBC].shown == "12,500 /µL"
    assert list(second.facts)[:2] == list(second.facts[:2]) and repr(second.facts) == repr(tuple(second.facts))
    yaml_first, _ = carepath.records_from_text(carepath.load_protocol(ROOT / "protocols" / "severance_2011.care"),
                                               "- {id: a, wbc_at_diagnosis: 33900 /uL, mll: germline, date_of_birth: 2009-01-15, "
                                               "date_of_diagnosis: 2009-07-14}\n- {id: b, mll: germline}\n", "r.yaml")
    assert isinstance(yaml_first, PatientRecord)
    assert [(f.input, f.shown, f.raw) if f else None for f in first.facts] == [(f.input, f.shown, f.raw) if f else None for f in yaml_first.facts]


def test_an_empty_parquet_file_with_typed_date_columns_binds_to_no_records(tmp_path: Path) -> None:
    """A Parquet export with no rows (a registry's empty month) whose dates are typed `date32`: no records, no crash
    (a dictionary of dates had no array to be built from)."""
    path = tmp_path / "empty.parquet"
    pq.write_table(pa.table({"id": pa.array([], pa.string()), "date_of_birth": pa.array([], pa.date32()),
                             "date_of_diagnosis": pa.array([], pa.date32())}), path)
    assert bind_table(read_parquet(path, str(path)), SEED, None) == []
