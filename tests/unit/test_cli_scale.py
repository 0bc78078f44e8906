"""`carepath sql`, `run --engine duckdb` and `--output`: the SQL engine's answers are the interpreter's, through the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlglot

from carepath import cli_scale
from tests.unit.test_cli import AS_OF, PROTOCOL, ROOT, run_cli

CSV = ROOT / "cohorts" / "severance_2011.csv"
MAP = ROOT / "cohorts" / "severance_2011.csv.map.yaml"


@pytest.mark.parametrize("dialect", ["duckdb", "spark", "trino", "postgres"])
def test_sql_prints_one_query_each_dialect_reads_back(capsys: pytest.CaptureFixture[str], dialect: str) -> None:
    code, out, err = run_cli(capsys, "sql", str(PROTOCOL), "--dialect", dialect)
    assert code == 0, err
    parsed = sqlglot.parse(out, read=dialect)
    assert len([p for p in parsed if p is not None]) == 1
    assert "risk_group" in out and "hsct_referral" in out and "needs" in out


def test_sql_refuses_an_event_naming_it_with_its_place(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "sql", str(ROOT / "protocols" / "engraftment.care"))
    assert code == 2 and out == ""
    assert "protocols/engraftment.care:70:1: CP901 the event 'neutrophil_engraftment' cannot be compiled to SQL" in err
    assert "^" in err


def test_run_on_duckdb_equals_the_interpreter_on_the_seed_csv(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["run", str(PROTOCOL), str(CSV), "--map", str(MAP), "--format", "json", *AS_OF]
    _, interpreted, _ = run_cli(capsys, *args)
    code, on_duckdb, err = run_cli(capsys, *args, "--engine", "duckdb")
    assert code == 0, err
    assert on_duckdb == interpreted
    assert len(json.loads(on_duckdb)["results"]) == 9


def test_run_on_duckdb_refuses_a_dose_protocol_as_check_does(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "run", str(ROOT / "protocols" / "prednisone_prophase.care"),
                           str(ROOT / "cohorts" / "transplant_examples.yaml"), "--engine", "duckdb", *AS_OF)
    assert code == 2
    assert "CP901 the dose 'prednisone' cannot be compiled to SQL" in err


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_streamed_output_equals_the_interpreter(capsys: pytest.CaptureFixture[str], tmp_path: Path, suffix: str) -> None:
    _, interpreted, _ = run_cli(capsys, "run", str(PROTOCOL), str(CSV), "--map", str(MAP), "--format", "json", *AS_OF)
    out = tmp_path / f"results{suffix}"
    code, summary, err = run_cli(capsys, "run", str(PROTOCOL), str(CSV), "--map", str(MAP), "--engine", "duckdb",
                                 "--output", str(out), *AS_OF)
    assert code == 0, err
    assert "9 records: 9 ok, 0 undetermined, 0 invalid" in summary
    rows = _rows(out)
    expected = [(r["id"], r["status"], r["decisions"]["risk_group"], r["decisions"]["hsct_referral"])
                for r in json.loads(interpreted)["results"]]
    assert [(r["id"], r["status"], r["risk_group"], r["hsct_referral"]) for r in rows] == expected


def _rows(path: Path) -> list[dict[str, object]]:
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pylist()  # type: ignore[no-any-return]
    with path.open(encoding="utf-8") as handle:
        return [{**row, "hsct_referral": {"true": True, "false": False}.get(row["hsct_referral"])} for row in csv.DictReader(handle)]


def test_streamed_run_sets_apart_bad_rows_and_repeated_ids_naming_each(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A bad value, a repeated id and dates to derive go record by record; the rest of the file is decided by SQL."""
    data = tmp_path / "cohort.parquet"
    pq.write_table(pa.table({
        "id": ["a", "b", "c", "c", "d", "e"],
        "age_at_diagnosis": ["5 months", "183 days", "7 months", "7 months", None, "eleven"],
        "wbc_at_diagnosis": ["60000 /uL", "1000 /uL", "20 10*9/L", "1000 /uL", "49999.5 /uL", "1000 /uL"],
        "mll": ["germline", "germline", "germline", "translocation", None, "germline"],
    }), data)
    out = tmp_path / "results.parquet"
    code, summary, err = run_cli(capsys, "run", str(PROTOCOL), str(data), "--engine", "duckdb", "--output", str(out), *AS_OF)
    assert code == 1
    rows = {(r["id"], r["status"]): r for r in pq.read_table(out).to_pylist()}
    assert rows["a", "ok"]["risk_group"] == "high"
    assert rows["b", "undetermined"]["needs"] == "age_at_diagnosis"  # 183 days is 6 months 0–3 days: unknown
    assert rows["d", "undetermined"]["needs"] == "age_at_diagnosis,mll"
    repeated = [r for r in pq.read_table(out).to_pylist() if r["id"] == "c"]
    assert [r["status"] for r in repeated] == ["invalid", "invalid"]
    assert all(f"{data}:3:1" in str(r["errors"]) and f"{data}:4:1" in str(r["errors"]) for r in repeated)  # each names both rows
    assert "eleven" in str(rows["e", "invalid"]["errors"])
    assert f"{data} row 6" in str(rows["e", "invalid"]["errors"]) or "patient 'e'" in str(rows["e", "invalid"]["errors"])
    assert "6 records: 1 ok, 2 undetermined, 3 invalid" in summary
    assert "eleven" in err


def test_a_large_cohort_is_summarised_on_the_terminal(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_scale, "TABLE_ROWS", 5)
    code, out, _ = run_cli(capsys, "run", str(PROTOCOL), str(CSV), "--map", str(MAP), "--engine", "duckdb", *AS_OF)
    assert code == 0
    assert out.splitlines()[0] == "9 records: 9 ok, 0 undetermined, 0 invalid"
    assert "risk_group: high 7, standard 2" in out
    assert "summarised" in out and "┏" not in out


def test_a_large_csv_or_parquet_file_goes_to_duckdb_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    monkeypatch.setattr(cli_scale, "AUTO_BYTES", 100)
    small = argparse.Namespace(engine=None, records=[CSV], data_format=None)
    assert cli_scale.chosen_engine(small) is cli_scale.Engine.DUCKDB  # the seed CSV is over 100 bytes
    monkeypatch.setattr(cli_scale, "AUTO_BYTES", 10**9)
    assert cli_scale.chosen_engine(small) is cli_scale.Engine.INTERPRETER
    yaml = argparse.Namespace(engine=None, records=[ROOT / "cohorts" / "severance_2011.yaml"], data_format=None)
    monkeypatch.setattr(cli_scale, "AUTO_BYTES", 100)
    assert cli_scale.chosen_engine(yaml) is cli_scale.Engine.INTERPRETER


def test_output_must_be_json_csv_or_parquet(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run_cli(capsys, "run", str(PROTOCOL), str(CSV), "--map", str(MAP), "--output", str(tmp_path / "x.txt"), *AS_OF)
    assert code == 2 and "write .json, .csv or .parquet" in err


def test_json_output_is_the_run_contract(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "run.json"
    _, interpreted, _ = run_cli(capsys, "run", str(PROTOCOL), str(CSV), "--map", str(MAP), "--format", "json", *AS_OF)
    code, _, _ = run_cli(capsys, "run", str(PROTOCOL), str(CSV), "--map", str(MAP), "--engine", "duckdb", "--output", str(out), *AS_OF)
    assert code == 0
    assert out.read_text(encoding="utf-8") == interpreted


def test_compare_on_duckdb_equals_the_interpreter(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["compare", str(PROTOCOL), str(ROOT / "protocols" / "interfant06.care"), str(ROOT / "cohorts" / "severance_2011.yaml"),
            "--format", "json", *AS_OF]
    _, interpreted, _ = run_cli(capsys, *args)
    code, on_duckdb, err = run_cli(capsys, *args, "--engine", "duckdb")
    assert code == 0, err
    assert on_duckdb == interpreted
    assert json.loads(on_duckdb)["patients"]


@pytest.mark.parametrize("by", ["risk_group", "hyperleukocytosis", "mll_translocation"])
def test_outcomes_on_duckdb_equal_the_interpreter(capsys: pytest.CaptureFixture[str], by: str) -> None:
    """Survival by a decision or by a criterion: the groups SQL forms are the interpreter's, so are the curves."""
    args = ["outcomes", str(PROTOCOL), str(ROOT / "cohorts" / "severance_2011.yaml"), "--by", by, "--at", "3 years", "--format", "json",
            "--as-of", "2011-02-28"]
    _, interpreted, _ = run_cli(capsys, *args)
    code, on_duckdb, err = run_cli(capsys, *args, "--engine", "duckdb")
    assert code == 0, err
    assert on_duckdb == interpreted
    assert len(json.loads(on_duckdb)["groups"]) >= 2


def test_compare_on_duckdb_refuses_a_protocol_it_cannot_compile(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "compare", str(PROTOCOL), str(ROOT / "protocols" / "engraftment.care"),
                           str(ROOT / "cohorts" / "severance_2011.yaml"), "--engine", "duckdb", *AS_OF)
    assert code == 2 and "CP901" in err


def test_a_streamed_run_shows_progress_on_a_terminal_only(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["run", str(PROTOCOL), str(CSV), "--map", str(MAP), "--engine", "duckdb", "--output", str(tmp_path / "r.csv"), *AS_OF]
    _, _, err = run_cli(capsys, *args)
    assert "read" not in err  # standard error is not a terminal here: nothing but errors on it
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    _, _, err = run_cli(capsys, *args)
    assert "\rread 9 · decided 9 · invalid 0" in err


def test_a_large_file_without_output_is_streamed_and_summarised(capsys: pytest.CaptureFixture[str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Over the size where DuckDB becomes the default, a terminal run streams the file and prints the counts a summary
    of the same cohort held in memory prints."""
    monkeypatch.setattr(cli_scale, "AUTO_BYTES", 100)
    code, streamed, err = run_cli(capsys, "run", str(PROTOCOL), str(CSV), "--map", str(MAP), *AS_OF)
    assert code == 0, err
    assert streamed.splitlines()[:3] == ["9 records: 9 ok, 0 undetermined, 0 invalid", "  risk_group: high 7, standard 2",
                                         "  hsct_referral: yes 7, no 2"]
    assert "decided by DuckDB" in streamed


def test_spark_without_pyspark_or_java_is_a_usage_error_saying_how_to_get_it(capsys: pytest.CaptureFixture[str],
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    for command in (["run", str(PROTOCOL), str(ROOT / "cohorts" / "severance_2011.yaml")],
                    ["compare", str(PROTOCOL), str(ROOT / "protocols" / "pog9407.care"), str(ROOT / "cohorts" / "severance_2011.yaml")]):
        code, out, err = run_cli(capsys, *command, "--engine", "spark", *AS_OF)
        assert code == 2 and out == ""
        assert err.startswith("carepath: Spark needs Java 17") and "openjdk-17-jre-headless" in err


def test_the_terminal_table_on_duckdb_is_the_interpreters(capsys: pytest.CaptureFixture[str]) -> None:
    """A small file with `--engine duckdb`: the same table, row for row, not a summary."""
    args = ["run", str(PROTOCOL), str(CSV), "--map", str(MAP), *AS_OF]
    _, interpreted, _ = run_cli(capsys, *args)
    code, on_duckdb, _ = run_cli(capsys, *args, "--engine", "duckdb")
    assert code == 0 and on_duckdb == interpreted and "┏" in on_duckdb
