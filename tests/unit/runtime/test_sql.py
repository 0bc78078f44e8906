"""A cohort decided by SQL (`runtime.sql`): the interpreter's `Batch` back, the same results as `evaluate_batch` on the
shipped cohorts, rows the input table cannot hold decided by the interpreter, and the runner given the query and table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from carepath.api import load_protocol, load_records, records_from_text
from carepath.compile.sql import SqlProgram
from carepath.runtime.engine import Run, evaluate_batch, provenance
from carepath.runtime.sql import evaluate_sql, run_on_duckdb, write_table

ROOT = Path(__file__).resolve().parents[3]
AS_OF = dt.date(2026, 1, 1)
SEED = load_protocol(ROOT / "protocols" / "severance_2011.care")


@pytest.mark.parametrize("cohort", ["severance_2011.yaml", "infant_examples.yaml"])
@pytest.mark.parametrize("name", ["severance_2011", "interfant06", "pog9407", "mll10", "mll96_98", "disease_status"])
def test_a_shipped_cohort_gets_the_interpreters_results(name: str, cohort: str) -> None:
    compiled = load_protocol(ROOT / "protocols" / f"{name}.care")
    records = load_records(compiled, [ROOT / "cohorts" / cohort])
    for reasons in (False, True):
        assert evaluate_sql(compiled, records, AS_OF, reasons=reasons).results() == \
            evaluate_batch(compiled, records, AS_OF, reasons=reasons).results()


def test_a_value_the_table_cannot_hold_exactly_is_decided_by_the_interpreter() -> None:
    calls: list[int] = []

    def counting(program: SqlProgram, table: pa.Table) -> pa.Table:
        calls.append(table.num_rows)
        return run_on_duckdb(program, table)

    records = records_from_text(SEED, "- {id: a, wbc_at_diagnosis: 49999.9999999999 /uL, age_at_diagnosis: 8 months, mll: germline}\n"
                                      "- {id: b, wbc_at_diagnosis: 50000 /uL}\n")
    batch = evaluate_sql(SEED, records, AS_OF, runner=counting, reasons=True)
    assert calls == [1]  # only b went to SQL
    assert batch.results() == evaluate_batch(SEED, records, AS_OF, reasons=True).results()
    assert batch.decisions["risk_group"] == ["standard", "high"]


def test_no_query_runs_when_no_record_is_valid() -> None:
    def refuse(program: SqlProgram, table: pa.Table) -> pa.Table:
        raise AssertionError("no query for an empty table")

    records = records_from_text(SEED, "- {id: a, wbc_at_diagnosis: 5 kg}\n")
    (result,) = evaluate_sql(SEED, records, AS_OF, runner=refuse).results()
    assert result.status == "invalid" and result.errors
    assert evaluate_sql(SEED, [], AS_OF, runner=refuse).results() == ()


def test_two_records_bound_apart_under_one_id_are_each_decided() -> None:
    records = [*records_from_text(SEED, "- {id: x, wbc_at_diagnosis: 60000 /uL}\n"),
               *records_from_text(SEED, "- {id: x, wbc_at_diagnosis: 100 /uL, mll: germline, age_at_diagnosis: 8 months}\n")]
    assert evaluate_sql(SEED, records, AS_OF).results() == evaluate_batch(SEED, records, AS_OF).results()


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_results_are_written_one_row_per_patient(tmp_path: Path, suffix: str) -> None:
    compiled = load_protocol(ROOT / "protocols" / "severance_2011.care")
    records = records_from_text(compiled, """fields: [wbc_at_diagnosis, mll]
patients:
  - {id: p1, wbc_at_diagnosis: 60000 /uL}
  - {id: p2, wbc_at_diagnosis: 1000 /uL, mll: germline}
""")
    run = Run(provenance(compiled), AS_OF, evaluate_sql(compiled, records, AS_OF).results())
    path = tmp_path / f"results{suffix}"
    write_table(run, ["risk_group", "hsct_referral"], path)
    table = pq.read_table(path) if suffix == ".parquet" else pacsv.read_csv(path)
    rows = table.to_pylist()
    assert [r["id"] for r in rows] == ["p1", "p2"]
    assert rows[0]["risk_group"] == "high" and rows[1]["status"] == "undetermined"
    assert rows[1]["needs"] == "age_at_diagnosis"
