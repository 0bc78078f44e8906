"""A cohort decided by SQL on DuckDB: the interpreter's batch, field for field, whoever decides each row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from carepath.api import load_data, load_protocol, records_from_text
from carepath.compile.sql import SqlProgram
from carepath.runtime.engine import Run, evaluate_batch, provenance
from carepath.runtime.sql import evaluate_sql, run_on_duckdb, write_table

ROOT = Path(__file__).resolve().parents[3]
AS_OF = dt.date(2026, 1, 1)
CASES = [("severance_2011", "severance_2011.yaml"), ("interfant06", "infant_examples.yaml"), ("mll10", "infant_examples.yaml"),
         ("pog9407", "infant_examples.yaml"), ("mll96_98", "infant_examples.yaml"), ("disease_status", "infant_examples.yaml")]


def _fields(results: tuple[object, ...]) -> list[tuple[object, ...]]:
    return [(r.id, r.status, r.decisions, r.reasons, r.needs, r.errors, r.reason_outcomes) for r in results]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("protocol", "cohort"), CASES)
def test_sql_decides_as_the_interpreter_with_reasons(protocol: str, cohort: str) -> None:
    compiled = load_protocol(ROOT / "protocols" / f"{protocol}.care")
    records = load_data(compiled, [ROOT / "cohorts" / cohort])
    assert _fields(evaluate_sql(compiled, records, AS_OF, reasons=True).results()) == \
        _fields(evaluate_batch(compiled, records, AS_OF, reasons=True).results())


def test_a_row_past_the_tables_decimals_is_decided_by_the_interpreter_and_every_other_by_sql() -> None:
    compiled = load_protocol(ROOT / "protocols" / "severance_2011.care")
    records = records_from_text(compiled, """fields: [age_at_diagnosis, wbc_at_diagnosis, mll]
patients:
  - {id: exact, age_at_diagnosis: 7 months, wbc_at_diagnosis: 50000 /uL, mll: germline}
  - {id: fine, age_at_diagnosis: 7 months, wbc_at_diagnosis: 49999.9999999999 /uL, mll: germline}
  - {id: bad, age_at_diagnosis: 7 months, wbc_at_diagnosis: lots, mll: germline}
""")
    seen: list[int] = []

    def counting(program: SqlProgram, table: object) -> object:
        seen.append(table.num_rows)  # type: ignore[attr-defined]
        return run_on_duckdb(program, table)  # type: ignore[arg-type]

    batch = evaluate_sql(compiled, records, AS_OF, runner=counting)  # type: ignore[arg-type]
    assert seen == [1]  # 49999.9999999999 has 10 decimals: the interpreter decides it, not a rounded 50000
    assert batch.statuses == ("ok", "ok", "invalid")
    assert [batch.decisions["risk_group"][i] for i in range(2)] == ["high", "standard"]
    assert _fields(batch.results()) == _fields(evaluate_batch(compiled, records, AS_OF).results())


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
