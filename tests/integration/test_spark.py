"""Spark decides a cohort as the interpreter does: the printed Spark SQL, `run_on_spark` as `evaluate_sql`'s runner on
every protocol that compiles, and generated records around the seed protocol's boundaries.

Why: the query is printed per dialect by sqlglot, and Spark's SQL differs from DuckDB's (decimal typing, `||`, string
functions, NULLs through Arrow); only running it on Spark shows that the printed text is accepted and decides alike.
One local session serves the module (a JVM takes seconds to start).
"""

from __future__ import annotations

import calendar
import datetime as dt
import importlib.util
import os
import shutil
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

if importlib.util.find_spec("pyspark") is None:
    pytest.skip("the Spark tests need pyspark: pip install -e '.[spark]'", allow_module_level=True)
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("the Spark tests need Java 17: apt-get install -y openjdk-17-jre-headless (or set JAVA_HOME)",
                allow_module_level=True)

import pyarrow as pa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pyspark.sql import SparkSession

from carepath.api import load_data, load_protocol, records_from_text
from carepath.compile.compiler import CompiledProtocol
from carepath.compile.sql import Dialect, SqlProgram, compile_sql
from carepath.data.columnar import input_table
from carepath.data.records import InvalidRecord, PatientRecord
from carepath.language.diagnostics import ProtocolError
from carepath.runtime.engine import Result, evaluate_batch, valid_rows
from carepath.runtime.spark import run_on_spark, spark_runner, spark_session, to_arrow, to_spark
from carepath.runtime.sql import evaluate_sql, run_on_duckdb

ROOT = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2026, 1, 1)
SQL_PROTOCOLS = ("severance_2011", "interfant06", "pog9407", "mll96_98", "mll10", "disease_status")
SEED_COHORTS = {"yaml": (["cohorts/severance_2011.yaml"], None),
                "csv": (["cohorts/severance_2011.csv"], "cohorts/severance_2011.csv.map.yaml")}

# Every test shares the module's Spark session; under `--dist loadgroup` they stay on one worker (one JVM).
pytestmark = pytest.mark.xdist_group("spark")


@pytest.fixture(scope="module")
def spark() -> SparkSession:
    return spark_session(None)


class CountingRunner:
    """Spark as the runner, counting the rows it decided: a test that Spark agrees must show Spark was asked."""

    def __init__(self) -> None:
        self.rows = 0
        self.run = spark_runner(None)

    def __call__(self, program: SqlProgram, table: pa.Table) -> pa.Table:
        self.rows += table.num_rows
        return self.run(program, table)


def _outcomes(results: Sequence[Result], decisions: Sequence[str], reasons: bool = False) -> list[tuple[Any, ...]]:
    return [(r.id, r.status, {name: r.decisions.get(name) for name in decisions}, r.needs, *((r.reasons,) if reasons else ()))
            for r in results]


def _agree(compiled: CompiledProtocol, records: list[PatientRecord | InvalidRecord]) -> int:
    """Spark through `evaluate_sql` and the interpreter, reasons included; the number of rows Spark decided."""
    runner = CountingRunner()
    decisions = [d.name for d in compiled.checked.decisions]
    on_spark = evaluate_sql(compiled, records, AS_OF, runner=runner, reasons=True).results()
    interpreted = evaluate_batch(compiled, records, AS_OF, reasons=True).results()
    assert _outcomes(on_spark, decisions, reasons=True) == _outcomes(interpreted, decisions, reasons=True)
    return runner.rows


# ---- the printed query, the seed cohort -----------------------------------------------------------------------------


@pytest.mark.parametrize("source", SEED_COHORTS, ids=list(SEED_COHORTS))
def test_printed_spark_sql_decides_the_seed_cohort_as_the_interpreter(spark: SparkSession, seed: CompiledProtocol,
                                                                       source: str) -> None:
    paths, map_path = SEED_COHORTS[source]
    records = load_data(seed, [ROOT / path for path in paths], ROOT / map_path if map_path else None)
    program = compile_sql(seed.checked)
    text = program.sql(Dialect.SPARK)  # as printed for a reader, pretty
    rows, positions, errors = valid_rows(seed, records, AS_OF)
    made = input_table([str(records[i].id) for i in positions], rows, program.inputs)
    assert not errors and not made.left_out and made.table.num_rows == 9
    to_spark(spark, made.table, native=True).createOrReplaceTempView("inputs")
    try:
        got = [(row["id"], row["status"], {name: row[name] for name in program.decisions},
                tuple(row["needs"].split(",")) if row["needs"] else ()) for row in spark.sql(text).collect()]
    finally:
        spark.catalog.dropTempView("inputs")
    expected = _outcomes(evaluate_batch(seed, records, AS_OF).results(), program.decisions)
    assert sorted(got, key=lambda row: int(row[0])) == expected
    assert {row[2]["risk_group"] for row in got} == {"high", "standard"}  # both branches taken, not one answer for all
    assert _agree(seed, records) == 9


# ---- every protocol that compiles, with reasons ------------------------------------------------------------------


@pytest.mark.parametrize("name", SQL_PROTOCOLS)
def test_spark_runner_gives_the_interpreters_results_with_reasons(spark: SparkSession, name: str) -> None:
    compiled = load_protocol(ROOT / "protocols" / f"{name}.care")
    records = load_data(compiled, [ROOT / "cohorts" / "infant_examples.yaml"])
    assert _agree(compiled, records) == len(records) == 7


# ---- generated records around the seed protocol's boundaries ---------------------------------------------------------

FIELDS = ("date_of_birth", "date_of_diagnosis", "age_at_diagnosis", "wbc_at_diagnosis", "mll")
MONTH_ENDS = (dt.date(2023, 8, 31), dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2024, 3, 31), dt.date(2024, 4, 30),
              dt.date(2024, 8, 31), dt.date(2024, 10, 31), dt.date(2024, 12, 31), dt.date(2025, 2, 28), dt.date(2025, 6, 30))
#: /uL values at and beside 50,000: a billionth either side (9 decimals, the table's scale) and a tenth of that (10
#: decimals, which the table cannot hold: the interpreter decides those rows).
WBC_EDGES = (Decimal(50000), *(Decimal(50000) + Decimal(k).scaleb(-e) for e in (9, 10) for k in (-1, 1)))


def _six_months_after(day: dt.date) -> dt.date:
    month = day.month + 6
    year, month = day.year + (month - 1) // 12, (month - 1) % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _wbc_text(value: Decimal, form: str) -> str:
    match form:
        case "uL":
            return f"{value} /uL"
        case "grouped":
            return f"{value:,} /uL"
        case _:
            return f"{(value / 1000).normalize():f} 10*9/L"


@st.composite
def patients(draw: st.DrawFn) -> dict[str, str]:
    patient: dict[str, str] = {}
    age = draw(st.sampled_from(("months", "days", "dates", "birth only", "none")))
    if age == "months":
        patient["age_at_diagnosis"] = f"{draw(st.integers(5, 8))} months"
    elif age == "days":
        patient["age_at_diagnosis"] = f"{draw(st.integers(176, 190))} days"  # 6 months is 181–184 days
    elif age in ("dates", "birth only"):
        birth = draw(st.sampled_from(MONTH_ENDS)) + dt.timedelta(days=draw(st.integers(-2, 2)))
        patient["date_of_birth"] = birth.isoformat()
        if age == "dates":
            diagnosis = _six_months_after(birth) + dt.timedelta(days=draw(st.integers(-3, 3)))
            patient["date_of_diagnosis"] = diagnosis.isoformat()
    value = draw(st.one_of(st.none(), st.sampled_from(WBC_EDGES), st.integers(49_990, 50_010).map(Decimal)))
    if value is not None:
        patient["wbc_at_diagnosis"] = _wbc_text(value, draw(st.sampled_from(("uL", "grouped", "10*9/L"))))
    mll = draw(st.sampled_from((None, "germline", "translocation", "duplication")))
    if mll is not None:
        patient["mll"] = mll
    return patient


def _records_text(cohort: Sequence[dict[str, str]]) -> str:
    lines = [f"fields: [{', '.join(FIELDS)}]", "patients:"]
    for index, patient in enumerate(cohort):
        lines.append(f'  - id: "p{index}"')
        lines.extend(f"    {field}: {patient[field]}" for field in FIELDS if field in patient)
    return "\n".join(lines) + "\n"


EDGE_COHORT = [
    {"age_at_diagnosis": "6 months", "wbc_at_diagnosis": "50000 /uL", "mll": "germline"},
    {"age_at_diagnosis": "7 months", "wbc_at_diagnosis": "50 10*9/L", "mll": "duplication"},
    {"age_at_diagnosis": "7 months", "wbc_at_diagnosis": "50,000 /uL"},
    {"age_at_diagnosis": "183 days", "wbc_at_diagnosis": "49999.999999999 /uL", "mll": "germline"},
    {"date_of_birth": "2024-08-31", "date_of_diagnosis": "2025-02-28", "wbc_at_diagnosis": "50000.0000000001 /uL"},
    {"date_of_birth": "2024-08-31", "mll": "germline"},
    {},
]


@settings(max_examples=15, deadline=None, derandomize=True, print_blob=True, suppress_health_check=[HealthCheck.too_slow])
@given(cohort=st.lists(patients(), min_size=1, max_size=8))
@example(cohort=EDGE_COHORT)
def test_spark_agrees_with_the_interpreter_on_generated_records(spark: SparkSession, seed: CompiledProtocol,
                                                                 cohort: list[dict[str, str]]) -> None:
    records = records_from_text(seed, _records_text(cohort))
    assert len(records) == len(cohort)
    _agree(seed, records)


def test_the_edge_cohort_reaches_spark_and_the_interpreter(spark: SparkSession, seed: CompiledProtocol) -> None:
    """The explicit example is not vacuous: all but the 10-decimal count reach Spark, and 50,000 exactly is high risk."""
    records = records_from_text(seed, _records_text(EDGE_COHORT))
    assert _agree(seed, records) == len(EDGE_COHORT) - 1
    statuses = evaluate_sql(seed, records, AS_OF, runner=spark_runner(None)).results()
    assert [r.decisions.get("risk_group") for r in statuses[:3]] == ["high", "high", "high"]
    assert [r.status for r in statuses[5:]] == ["undetermined", "undetermined"]


# ---- exact decimals at 38 digits ------------------------------------------------------------------------------------

WIDE = """protocol wide "Products of 38 digits"
  version "1.0.0"

input
  a : quantity /uL plausible 0 /uL .. 9999999999 /uL
  b : quantity /uL plausible 0 /uL .. 9999999999 /uL
  c : quantity /uL plausible 0 /uL .. 9999999999 /uL
  d : quantity /uL plausible 0 /uL .. 9999999999 /uL

criterion larger "a times b above c times d":
  a * b > c * d

classify order "Which product is larger":
  first  when larger
  second otherwise
"""
WIDE_RECORDS = """fields: [a, b, c, d]
patients:
  - {id: "1e-18 > 0", a: 0.000000001 /uL, b: 0.000000001 /uL, c: 0 /uL, d: 0 /uL}
  - {id: "5e-18 > 1e-17", a: 0.000000005 /uL, b: 0.000000001 /uL, c: 0.00000001 /uL, d: 0.000000001 /uL}
"""


def test_a_product_spark_would_type_past_38_digits_is_refused(compile_text: Callable[[str], CompiledProtocol]) -> None:
    """Two 19-digit inputs multiply to 38 digits, which Spark types as 39 and rounds: the compiler refuses it (CP902)."""
    compiled = compile_text(WIDE)
    with pytest.raises(ProtocolError) as refused:
        compile_sql(compiled.checked)
    assert {d.code for d in refused.value.diagnostics} == {"CP902"}


def test_a_product_of_37_digits_keeps_its_last_decimal_on_spark(spark: SparkSession,
                                                                compile_text: Callable[[str], CompiledProtocol]) -> None:
    """One digit less on each input: the product is DECIMAL(36, 18), Spark's own type for it 37 digits, nothing rounds."""
    compiled = compile_text(WIDE.replace("9999999999 /uL", "999999999 /uL"))
    assert "DECIMAL(36, 18)" in compile_sql(compiled.checked).sql(Dialect.SPARK)
    records = records_from_text(compiled, WIDE_RECORDS)
    assert _agree(compiled, records) == 2
    assert [r.decisions["order"] for r in evaluate_batch(compiled, records, AS_OF).results()] == ["first", "second"]


# ---- the runner's table ----------------------------------------------------------------------------------------


def test_an_empty_input_table_gives_an_empty_result_with_its_columns(spark: SparkSession, seed: CompiledProtocol) -> None:
    program = compile_sql(seed.checked, atoms=True)
    empty = input_table([], [], program.inputs).table
    result = run_on_spark(program, empty)
    assert result.num_rows == 0
    assert result.column_names == ["id", "status", "risk_group", "hsct_referral", "needs", *program.atoms]
    assert result.column_names == run_on_duckdb(program, empty).column_names


def test_nulls_come_back_as_none_in_typed_columns_on_either_transfer(spark: SparkSession, seed: CompiledProtocol) -> None:
    """An undetermined patient's BOOLEAN and text decisions are None, never NaN, through Arrow and through pandas."""
    records = records_from_text(seed, _records_text([{}, {"age_at_diagnosis": "8 months", "wbc_at_diagnosis": "1000 /uL",
                                                          "mll": "germline"}]))
    program = compile_sql(seed.checked, atoms=True)
    rows, positions, _ = valid_rows(seed, records, AS_OF)
    table = input_table([str(records[i].id) for i in positions], rows, program.inputs).table
    expected = run_on_duckdb(program, table).to_pylist()
    assert expected[0]["hsct_referral"] is None and expected[1]["hsct_referral"] is False
    result = run_on_spark(program, table)
    assert result.to_pylist() == expected
    assert result.schema.field("hsct_referral").type == pa.bool_()
    assert result.schema.field("risk_group").type == pa.string()
    to_spark(spark, table, native=False).createOrReplaceTempView("inputs")
    try:
        through_pandas = to_arrow(spark.sql(program.sql(Dialect.SPARK, pretty=False)), native=False)
    finally:
        spark.catalog.dropTempView("inputs")
    assert through_pandas.to_pylist() == expected
    assert through_pandas.schema.field("hsct_referral").type == pa.bool_()
