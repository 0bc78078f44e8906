"""A file's batches bound column by column: durations derived from dates as `Duration.between` derives them, and the
rows that need the record path set apart, no more."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carepath.api import load_protocol
from carepath.compile.sql import compile_sql
from carepath.data.batches import batches, bind_batch, derive
from carepath.data.tabular import Table
from carepath.semantics.values import Duration

ROOT = Path(__file__).resolve().parents[3]
SEED = load_protocol(ROOT / "protocols" / "severance_2011.care").checked
AGE = SEED.input_index["age_at_diagnosis"]
NO_AGE = [pa.nulls(1, pa.int64())] * 4


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=dt.date(1996, 1, 1), max_value=dt.date(2104, 12, 31)), st.integers(min_value=0, max_value=366))
def test_a_duration_from_two_dates_is_the_interpreters(start: dt.date, days: int) -> None:
    """Month ends (31 January to 28 or 29 February), leap years and the century year 2100 included."""
    end = start + dt.timedelta(days=days)
    made, apart = derive(AGE, pa.array([start], pa.date32()), pa.array([end], pa.date32()), NO_AGE)
    expected = Duration.between(start, end)
    if apart[0].as_py():
        assert expected.day_high > 12 * 31  # only what lies outside the plausible 0 days .. 12 months is set apart
        return
    assert made["age_at_diagnosis__month_low"][0].as_py() == expected.month_low
    assert made["age_at_diagnosis__day_high"][0].as_py() == expected.day_high


def test_dates_in_the_wrong_order_and_an_age_given_with_its_dates_go_to_the_record_path() -> None:
    starts = pa.array([dt.date(2020, 3, 1), dt.date(2020, 3, 1), dt.date(2020, 1, 31)], pa.date32())
    ends = pa.array([dt.date(2020, 2, 1), dt.date(2020, 5, 1), dt.date(2020, 2, 29)], pa.date32())
    given_age = [pa.array([None, 64, None], pa.int64())] * 4
    made, apart = derive(AGE, starts, ends, given_age)
    assert apart.to_pylist() == [True, True, False]
    assert made["age_at_diagnosis__month_low"][2].as_py() == 32  # 31 January to 29 February 2020: one month (the end clamped)


def test_empty_cells_and_typed_dates_keep_their_rows_on_the_column_path(tmp_path: Path) -> None:
    path = tmp_path / "cohort.parquet"
    pq.write_table(pa.table({
        "id": ["1", "2", "3", ""],
        "date_of_birth": pa.array([dt.date(2020, 1, 31), None, None, None], pa.date32()),
        "date_of_diagnosis": pa.array([dt.date(2020, 6, 30), None, None, None], pa.date32()),
        "wbc_at_diagnosis": ["60000 /uL", None, "a lot", "1 /uL"],
        "mll": ["germline", None, "germline", "germline"],
    }), path)
    program = compile_sql(SEED)
    (table,) = list(batches(path, csv=False))
    bound = bind_batch(table, SEED, None, program.inputs, frozenset())
    assert bound.apart == (2, 3)  # a value that cannot be read, and an empty id: nothing else
    assert bound.rows.to_pylist() == [0, 1]
    assert bound.table.column("age_at_diagnosis__month_low").to_pylist() == [5 * 32 + 0, None]  # 31 Jan to 30 Jun: 5 months 0 days


@pytest.mark.parametrize("form", ["csv", "parquet"])
def test_batches_know_where_their_rows_are_in_the_file(tmp_path: Path, form: str) -> None:
    path = tmp_path / f"cohort.{form}"
    table = pa.table({"id": [str(i) for i in range(10)]})
    if form == "csv":
        pacsv.write_csv(table, path)
    else:
        pq.write_table(table, path)
    parts = list(batches(path, csv=form == "csv", batch_rows=4))
    assert [t.data.num_rows for t in parts] == [4, 4, 2]
    assert parts[2].where(1) == (f"{path}:11" if form == "csv" else f"{path} row 10")  # a CSV's header is line 1
    assert isinstance(parts[0], Table)
