"""Every protocol gives the same decisions on the seed cohort's YAML, CSV and FHIR forms, decision for decision;
sources detected by name or first bytes; standard input; ids across sources."""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import carepath
from carepath import cli
from carepath.data.sources import DataFormat, detect
from carepath.language.diagnostics import ProtocolError

ROOT = Path(__file__).resolve().parents[3]
COHORTS = ROOT / "cohorts"
PROTOCOLS = sorted((ROOT / "protocols").glob("*.care"))
SEED_CHECKED = carepath.load_protocol(ROOT / "protocols" / "severance_2011.care").checked
FORMS = {
    "yaml": ["cohorts/severance_2011.yaml"],
    "csv": ["cohorts/severance_2011.csv", "--map", "cohorts/severance_2011.csv.map.yaml"],
    "fhir": ["cohorts/severance_2011.fhir.json", "--map", "cohorts/severance_2011.fhir.map.yaml"],
}


def _run(argv: list[str], stdin: bytes = b"") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    fake_stdin = io.TextIOWrapper(io.BytesIO(stdin))
    saved = sys.stdin
    sys.stdin = fake_stdin
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), contextlib.chdir(ROOT):
            code = cli.main(argv)
    finally:
        sys.stdin = saved
    return code, out.getvalue(), err.getvalue()


def _decisions(protocol: Path, form: str) -> dict[str, object]:
    code, out, err = _run(["run", str(protocol), *FORMS[form], "--as-of", "2026-01-01", "--format", "json"])
    assert code == 0, err
    return {r["id"]: (r["status"], r["decisions"]) for r in json.loads(out)["results"]}


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=[p.stem for p in PROTOCOLS])
def test_every_protocol_decides_alike_on_the_yaml_csv_and_fhir_forms(protocol: Path) -> None:
    yaml_form = _decisions(protocol, "yaml")
    assert sorted(yaml_form) == [str(n) for n in range(1, 10)]
    assert _decisions(protocol, "csv") == yaml_form
    assert _decisions(protocol, "fhir") == yaml_form


def test_the_seed_protocol_refers_seven_of_nine_in_every_form() -> None:
    for form in FORMS:
        decisions = _decisions(ROOT / "protocols" / "severance_2011.care", form)
        assert sum(1 for _, d in decisions.values() if d["hsct_referral"] is True) == 7  # type: ignore[index]


@pytest.mark.parametrize(("name", "head", "expected"), [
    ("a.yaml", b"- id: 1", DataFormat.YAML), ("a.csv", b"id,mll", DataFormat.CSV), ("a.parquet", b"PAR1", DataFormat.PARQUET),
    ("", b"PAR1\x00", DataFormat.PARQUET), ("", b"id,mll\n1,germline\n", DataFormat.CSV), ("", b"- id: a\n", DataFormat.YAML),
    ("", b'{"resourceType": "Bundle", "entry": []}', DataFormat.FHIR), ("", b'{"resourceType": "Patient", "id": "a"}\n{"res', DataFormat.NDJSON),
    ("", b'[{"id": "a"}]', DataFormat.JSON), ("b.json", b'{"resourceType": "Bundle",\n "entry": []}', DataFormat.FHIR),
    ("", b'{"resourceType": "Patient", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n", DataFormat.FHIR),  # too deep to tell: the reader says so
])
def test_formats_are_told_by_name_or_first_bytes(name: str, head: bytes, expected: DataFormat) -> None:
    assert detect(name, head) is expected


def test_records_from_standard_input_in_each_form() -> None:
    expected = _decisions(ROOT / "protocols" / "severance_2011.care", "yaml")
    for data, extra in (("severance_2011.yaml", []), ("severance_2011.csv", ["--map", "cohorts/severance_2011.csv.map.yaml"]),
                        ("severance_2011.csv", ["--map", "cohorts/severance_2011.csv.map.yaml", "--data-format", "csv"])):
        code, out, err = _run(["run", "protocols/severance_2011.care", "-", *extra, "--as-of", "2026-01-01", "--format", "json"],
                              (COHORTS / data).read_bytes())
        assert code == 0, err
        assert {r["id"]: (r["status"], r["decisions"]) for r in json.loads(out)["results"]} == expected


def test_an_id_in_two_sources_is_refused_in_both() -> None:
    code, out, err = _run(["run", "protocols/severance_2011.care", "cohorts/severance_2011.yaml", "cohorts/severance_2011.csv",
                           "--map", "cohorts/severance_2011.csv.map.yaml", "--as-of", "2026-01-01", "--format", "json"])
    assert code == 1
    results = json.loads(out)["results"]
    assert len(results) == 18 and all(r["status"] == "invalid" and not r["decisions"] for r in results)
    assert all(r["errors"][0]["code"] == "CP509" for r in results)
    assert "cohorts/severance_2011.yaml, record 1" in err and "cohorts/severance_2011.csv:2" in err


@pytest.mark.parametrize(("form", "wbc_source"), [
    ("yaml", "cohorts/severance_2011.yaml:177:23"),
    ("csv", "cohorts/severance_2011.csv:7, column 'WBC (/mL)'"),
    ("fhir", "cohorts/severance_2011.fhir.json Observation/severance-6-wbc-dx valueQuantity"),
])
def test_explain_names_where_each_fact_was_read(form: str, wbc_source: str) -> None:
    code, out, err = _run(["explain", "protocols/severance_2011.care", *FORMS[form], "--patient", "6", "--as-of", "2026-01-01",
                           "--format", "json"])
    assert code == 0, err
    facts = {f["input"]: f for f in json.loads(out)["inputs"]}
    assert facts["wbc_at_diagnosis"]["value"] == "123,800 /µL"
    assert facts["wbc_at_diagnosis"]["source"] == wbc_source
    code, text, _ = _run(["explain", "protocols/severance_2011.care", *FORMS[form], "--patient", "6", "--as-of", "2026-01-01"])
    assert code == 0 and wbc_source.split(" ")[0] in text


def test_explain_refuses_an_id_given_twice() -> None:
    code, _, err = _run(["explain", "protocols/severance_2011.care", "cohorts/severance_2011.yaml", "cohorts/severance_2011.yaml",
                         "--patient", "6", "--as-of", "2026-01-01"])
    assert code == 2 and "appears 2 times" in err


def test_a_map_that_does_not_fit_stops_the_run_with_a_located_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.map.yaml"
    bad.write_text("id: Patient no.\nfields:\n  wbc_at_diagnosis: {column: WBC (/uL), unit: /uL}\n", encoding="utf-8")
    for command in (["run", "protocols/severance_2011.care"], ["compare", "protocols/severance_2011.care", "protocols/mll10.care"]):
        code, out, err = _run([*command, "cohorts/severance_2011.csv", "--map", str(bad), "--as-of", "2026-01-01"])
        assert code == 2 and out == ""
        assert f"{bad}:3:30: CP804 cohorts/severance_2011.csv has no column 'WBC (/uL)'" in err and "did you mean 'WBC (/mL)'?" in err


def test_compare_issues_no_decision_under_a_duplicate_id() -> None:
    code, out, _ = _run(["compare", "protocols/severance_2011.care", "protocols/mll10.care", "cohorts/severance_2011.yaml",
                         "cohorts/severance_2011.csv", "--map", "cohorts/severance_2011.csv.map.yaml", "--as-of", "2026-01-01",
                         "--format", "json"])
    assert code == 1
    patients = json.loads(out)["patients"]
    assert len(patients) == 18
    assert all(side["status"] == "invalid" and not side["decisions"] for p in patients for side in (p["a"], p["b"]))


def test_fhir_data_through_a_map_that_names_no_resource_is_refused() -> None:
    code, out, err = _run(["run", "protocols/severance_2011.care", "cohorts/severance_2011.fhir.json", "--map",
                           "cohorts/severance_2011.csv.map.yaml", "--as-of", "2026-01-01", "--format", "json"])
    assert code == 1 and "the data map names no FHIR resource" in err
    assert [r["status"] for r in json.loads(out)["results"]] == ["invalid"]


def test_compare_reads_a_mapped_table_for_both_protocols() -> None:
    code, out, err = _run(["compare", "protocols/severance_2011.care", "protocols/mll10.care", "cohorts/severance_2011.csv",
                           "--map", "cohorts/severance_2011.csv.map.yaml", "--as-of", "2026-01-01", "--format", "json"])
    assert code == 0, err
    yaml_code, yaml_out, _ = _run(["compare", "protocols/severance_2011.care", "protocols/mll10.care", "cohorts/severance_2011.yaml",
                                   "--as-of", "2026-01-01", "--format", "json"])
    assert yaml_code == 0
    assert json.loads(out)["patients"] == json.loads(yaml_out)["patients"]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("ragged.csv", b"id,mll\na,germline,extra\n", "cannot be read as csv"),
    ("broken.parquet", b"not parquet", "cannot be read as parquet"),
    ("cut.json", b'{"resourceType": "Bundle"', "not valid JSON"),
    ("cut.ndjson", b'{"resourceType": "Patient", "id": "a"}\n{"resourceType": \n', "not a JSON resource"),
])
def test_a_file_that_cannot_be_read_is_an_invalid_result_and_never_a_crash(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    (tmp_path / name).write_bytes(content)
    code, out, err = _run(["run", "protocols/severance_2011.care", str(tmp_path / name), "--map", "cohorts/severance_2011.fhir.map.yaml",
                           "--as-of", "2026-01-01", "--format", "json"])
    assert code == 1 and message in err
    assert "invalid" in [r["status"] for r in json.loads(out)["results"]]


@settings(max_examples=60, deadline=None)
@given(content=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(lambda t: t.encode())),
       fmt=st.sampled_from([DataFormat.CSV, DataFormat.PARQUET, DataFormat.FHIR, DataFormat.NDJSON, DataFormat.YAML, DataFormat.JSON]))
def test_no_input_crashes_a_reader(content: bytes, fmt: DataFormat) -> None:
    from carepath.data.maps import read_map
    from carepath.data.sources import bind_data, read_data

    data_map = read_map(COHORTS / ("severance_2011.fhir.map.yaml" if fmt in (DataFormat.FHIR, DataFormat.NDJSON) else "severance_2011.csv.map.yaml"))
    try:
        records = bind_data(read_data(["-"], data_map, fmt, content), SEED_CHECKED)
    except ProtocolError as error:  # a map column the table lacks: the map's error, located
        assert all(d.code == "CP804" for d in error.diagnostics)
        return
    assert all(r.id is None or isinstance(r.id, str) for r in records)


@pytest.mark.parametrize(("argv", "code", "says"), [
    (["run", "protocols/severance_2011.care", "/dev/zero"], 1, "CP520 /dev/zero: larger than 16,777,216 bytes"),
    (["run", "protocols/severance_2011.care", "cohorts/severance_2011.yaml", "--map", "/dev/zero"], 2,
     "CP801 cannot read the data map: /dev/zero: larger than 16,777,216 bytes"),
    (["run", "protocols/severance_2011.care", "cohorts/severance_2011.yaml", "--params", "/dev/zero"], 2,
     "cannot read parameters file /dev/zero: /dev/zero: larger than 16,777,216 bytes"),
    (["run", "/dev/zero", "cohorts/severance_2011.yaml"], 2, "CP104"),
    (["run", "protocols/severance_2011.care", "/dev/zero", "--data-format", "ndjson", "--map", "cohorts/severance_2011.fhir.map.yaml"], 1,
     "CP520 /dev/zero:1: a line longer than 16,777,216 bytes; the rest of the file is not read"),
])
def test_a_device_named_as_any_file_is_read_no_further_than_its_limit(argv: list[str], code: int, says: str) -> None:
    """/dev/zero never ends: every file carepath reads is read no more than a byte past its limit, so it is refused."""
    found, _, err = _run([*argv, "--as-of", "2026-01-01", "--format", "json"])
    assert found == code and says in err


def test_a_table_bundle_or_standard_input_past_the_table_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same limit, 512 MiB, made small here: a CSV export, a FHIR Bundle and standard input past it."""
    from carepath.data import fhir, limits, tabular

    for module in (fhir, limits, tabular):
        monkeypatch.setattr(module, "TABLE_BYTES", 100)
    table, bundle = tmp_path / "big.csv", tmp_path / "big.json"
    table.write_text("id,mll\n" + "".join(f"p{i},germline\n" for i in range(20)), encoding="utf-8")
    bundle.write_text('{"resourceType": "Bundle", "entry": []}' + " " * 100, encoding="utf-8")
    for path, says in ((table, "CP520"), (bundle, "CP520")):
        found, _, err = _run(["run", "protocols/severance_2011.care", str(path), "--map", "cohorts/severance_2011.fhir.map.yaml"
                              if path == bundle else "cohorts/severance_2011.csv.map.yaml", "--as-of", "2026-01-01"])
        assert found == 1 and f"{says} {path}: larger than 100 bytes" in err, err
    found, _, err = _run(["run", "protocols/severance_2011.care", "-", "--as-of", "2026-01-01"], stdin=table.read_bytes())
    assert found == 2 and "standard input holds more than 100 bytes" in err
