"""The command line as a user meets it: output, JSON contract, exit codes, errors on stderr."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from carepath.cli import main

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL = ROOT / "protocols" / "severance_2011.care"
COHORT = ROOT / "cohorts" / "severance_2011.yaml"
AS_OF = ["--as-of", "2026-01-01"]


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_run_json_follows_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "run", str(PROTOCOL), str(COHORT), "--format", "json", *AS_OF)
    assert code == 0
    document = json.loads(out)
    assert list(document) == ["protocol", "engine", "results"]
    assert document["protocol"] == {
        "name": "severance_2011",
        "version": "1.0.0",
        "sha256": hashlib.sha256(PROTOCOL.read_bytes()).hexdigest(),
    }
    assert document["engine"]["name"] == "carepath"
    assert [r["id"] for r in document["results"]] == [str(i) for i in range(1, 10)]
    for result in document["results"]:
        due = ["due"] if result["decisions"]["hsct_referral"] is True else []  # a referral says when it falls due
        assert list(result) == ["id", "status", "decisions", "reasons", "needs", "errors", *due]
    six = document["results"][5]
    assert six["status"] == "ok"
    assert six["decisions"] == {"risk_group": "high", "hsct_referral": True}
    assert six["reasons"]["risk_group"] == ["infant_under_6_months", "hyperleukocytosis"]
    high = [r["id"] for r in document["results"] if r["decisions"]["risk_group"] == "high"]
    assert high == ["1", "4", "5", "6", "7", "8", "9"]


def test_run_json_is_byte_identical_across_runs(capsys: pytest.CaptureFixture[str]) -> None:
    first = run_cli(capsys, "run", str(PROTOCOL), str(COHORT), "--format", "json", *AS_OF)[1]
    second = run_cli(capsys, "run", str(PROTOCOL), str(COHORT), "--format", "json", *AS_OF)[1]
    assert first == second


def test_run_table_lists_every_patient(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # wide enough that no cell wraps
    code, out, _ = run_cli(capsys, "run", str(PROTOCOL), str(COHORT), *AS_OF)
    assert code == 0
    assert "risk_group" in out and "hsct_referral" in out
    assert "9 ok, 0 undetermined, 0 invalid" in out
    # a standard-risk patient is standard because every criterion failed: the table says "not …"
    assert "risk_group: not infant_under_6_months, not hyperleukocytosis, not mll_translocation" in out
    assert "risk_group: mll_translocation" in out


def test_a_bad_record_is_reported_and_the_rest_still_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = tmp_path / "mixed.yaml"
    records.write_text(
        "- {id: good, age_at_diagnosis: 8 months, wbc_at_diagnosis: 60000 /uL, mll: germline}\n"
        "- {id: typo, age_at_diagnosis: 8 months, wbc: 60000 /uL, mll: germline}\n"
        "- {id: missing, age_at_diagnosis: 8 months, mll: germline}\n",
        encoding="utf-8",
    )
    code, out, err = run_cli(capsys, "run", str(PROTOCOL), str(records), "--format", "json", *AS_OF)
    assert code == 1
    results = json.loads(out)["results"]
    assert [r["status"] for r in results] == ["ok", "invalid", "undetermined"]
    assert results[1]["decisions"] == {}
    assert results[1]["errors"][0]["field"] == "wbc"
    assert "did you mean 'wbc_at_diagnosis'" in results[1]["errors"][0]["message"]
    assert results[2]["needs"] == ["wbc_at_diagnosis"]
    assert results[2]["decisions"] == {"risk_group": None, "hsct_referral": None}
    assert "patient 'typo'" in err


def test_a_malformed_file_is_an_invalid_result_not_a_crash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("- id: 1\n  mll: [unclosed\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "run", str(PROTOCOL), str(broken), str(COHORT), "--format", "json", *AS_OF)
    assert code == 1
    results = json.loads(out)["results"]
    assert results[0]["id"] is None and results[0]["status"] == "invalid"
    assert "broken.yaml:" in results[0]["errors"][0]["message"]
    assert len(results) == 10  # the nine patients of the good file still ran


def test_a_missing_records_file_is_a_command_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "run", str(PROTOCOL), str(tmp_path / "nowhere.yaml"), "--format", "json", *AS_OF)
    assert code == 2
    assert out == ""
    assert "no such records file or directory" in err and "nowhere.yaml" in err


def test_explain_refuses_an_ambiguous_patient_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = tmp_path / "twice.yaml"
    records.write_text("- {id: a, age_at_diagnosis: 8 months, mll: germline}\n- {id: a, age_at_diagnosis: 3 months, mll: germline}\n",
                       encoding="utf-8")
    code, _, err = run_cli(capsys, "explain", str(PROTOCOL), str(records), "--patient", "a", *AS_OF)
    assert code == 2
    assert "appears 2 times" in err


def test_a_broken_protocol_exits_2_with_a_located_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    protocol = tmp_path / "bad.care"
    protocol.write_text(PROTOCOL.read_text(encoding="utf-8").replace("wbc_at_diagnosis >= 50000 /uL", "wbc_at_diagnosis >= 50 mg"),
                        encoding="utf-8")
    code, out, err = run_cli(capsys, "run", str(protocol), str(COHORT), *AS_OF)
    assert code == 2
    assert out == ""
    assert f"{protocol}:" in err and "CP302" in err and "^" in err


def test_explain_shows_values_against_thresholds_with_locations(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "explain", str(PROTOCOL), str(COHORT), "--patient", "6", *AS_OF)
    assert code == 0
    assert "123,800 /µL ≥ 50,000 /µL" in out
    assert "5 months < 6 months" in out
    assert "severance_2011.care:" in out
    assert "[12]" in out
    assert "mll is duplication, not translocation" in out


def test_explain_says_what_an_undetermined_decision_needs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = tmp_path / "one.yaml"
    records.write_text("- {id: x, age_at_diagnosis: 8 months, mll: germline}\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "explain", str(PROTOCOL), str(records), "--patient", "x", "--format", "json", *AS_OF)
    assert code == 0
    document = json.loads(out)
    assert document["status"] == "undetermined"
    assert document["needs"] == ["wbc_at_diagnosis"]
    risk = document["decisions"][0]
    assert risk["name"] == "risk_group" and risk["value"] is None
    line = next(n for n, text in enumerate(PROTOCOL.read_text(encoding="utf-8").splitlines(), 1) if text.startswith("classify risk_group"))
    assert risk["location"].endswith(f"severance_2011.care:{line}")


def test_explain_an_unknown_patient_lists_the_ids(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "explain", str(PROTOCOL), str(COHORT), "--patient", "10", *AS_OF)
    assert code == 2
    assert "no patient '10'" in err and "1, 2, 3" in err


def test_check_is_clean_on_the_seed_protocol(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "check", str(PROTOCOL))
    assert code == 0
    assert "0 errors, 0 warnings" in out


def test_check_reports_every_error_with_caret_and_hint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    protocol = tmp_path / "typos.care"
    protocol.write_text(
        "protocol typos\n"
        "input\n"
        "  wbc_at_diagnosis : quantity /uL\n"
        "  mll : one of germline, translocation\n"
        "criterion a: wbc_at_diagnos >= 50000 /uL\n"
        "criterion b: mll = translocaton\n",
        encoding="utf-8",
    )
    code, out, _ = run_cli(capsys, "check", str(protocol))
    assert code == 2
    assert f"{protocol}:5:14: CP201" in out
    assert "did you mean 'wbc_at_diagnosis'?" in out
    assert f"{protocol}:6:20: CP203" in out
    assert "did you mean 'translocation'?" in out
    assert "\n                 ^^^^^^^^^^^^^^" in out  # the caret sits under the misspelt name
    assert "2 errors" in out


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["run"])
    assert raised.value.code == 2


def test_the_console_script_is_installed() -> None:
    completed = subprocess.run([sys.executable, "-m", "carepath.cli", "--version"], capture_output=True, text=True, check=False)
    assert completed.returncode == 0
    assert completed.stdout.startswith("carepath ")


def test_check_json_gives_each_file_its_diagnostics_as_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gap = tmp_path / "gap.care"
    gap.write_text("protocol gap\ninput\n  wbc : quantity /uL plausible 100 /uL .. 2000000 /uL\n"
                   "classify band:\n  high when wbc >= 50000 /uL\n  low when wbc < 20000 /uL\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "check", "--format", "json", str(PROTOCOL), str(gap))
    assert code == 0  # warnings only
    seed, found = json.loads(out)["files"]
    assert (seed["path"], seed["errors"], seed["warnings"], seed["diagnostics"]) == (str(PROTOCOL), 0, 0, [])
    assert [n["message"].split(":")[0] for n in seed["notes"]] == ["'risk_group' proved complete"]
    assert (found["errors"], found["warnings"]) == (0, 2)
    incomplete, no_otherwise = found["diagnostics"]
    # `band` after `classify ` on line 4; the last branch starts line 6
    assert {k: incomplete[k] for k in ("code", "severity", "line", "column", "end_line", "end_column")} == {
        "code": "CP407", "severity": "warning", "line": 4, "column": 10, "end_line": 4, "end_column": 14}
    assert incomplete["record"] == "- id: counterexample\n  wbc: 35000 /uL\n" and incomplete["as_of"] is None
    assert (no_otherwise["code"], no_otherwise["line"], no_otherwise["column"]) == ("CP402", 6, 3)
    assert no_otherwise["hint"] == "add a final 'NAME otherwise' branch" and "record" not in no_otherwise


def test_check_strict_json_counts_warnings_as_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "check", "--strict", "--format", "json", str(ROOT / "docs" / "examples" / "diagnostics" / "unreachable.care"))
    assert code == 2
    [found] = json.loads(out)["files"]
    assert (found["errors"], found["warnings"]) == (1, 0)
    assert [(d["code"], d["severity"]) for d in found["diagnostics"]] == [("CP408", "error")]


def test_help_and_version_load_no_heavy_library() -> None:
    """`import carepath.cli`, `--help` and `--version` print without lark, pint, yaml, rich or the checker."""
    heavy = "sorted(m for m in ('lark', 'pint', 'yaml', 'rich', 'carepath.check.checker') if m in sys.modules)"
    imported = subprocess.run([sys.executable, "-c", f"import carepath.cli, sys; print({heavy})"],
                              capture_output=True, text=True, check=True)
    assert imported.stdout.strip() == "[]"
    for flag in ("--help", "--version"):
        script = f"import sys\nfrom carepath.cli import main\ntry:\n    main([{flag!r}])\nexcept SystemExit:\n    pass\nprint({heavy})"
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
        assert done.stdout.splitlines()[-1] == "[]", flag


def test_numbers_past_the_limits_in_records_are_invalid_records_and_the_rest_still_run(tmp_path: Path,
                                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    digits = "9" * 5_000
    records = tmp_path / "huge.yaml"
    records.write_text(
        "- {id: good, age_at_diagnosis: 8 months, wbc_at_diagnosis: 60000 /uL, mll: germline}\n"
        f"- {{id: digits, age_at_diagnosis: 8 months, wbc_at_diagnosis: '{digits} /uL', mll: germline}}\n"
        "- {id: exponent, age_at_diagnosis: 8 months, wbc_at_diagnosis: 1e99999999 /uL, mll: germline}\n"
        "- {id: factor, age_at_diagnosis: 8 months, wbc_at_diagnosis: 1 10*99999999/L, mll: germline}\n"
        f"- {{id: days, age_at_diagnosis: '{digits} days', wbc_at_diagnosis: 60000 /uL, mll: germline}}\n"
        "- {id: years, age_at_diagnosis: 99999999 years, wbc_at_diagnosis: 60000 /uL, mll: germline}\n",
        encoding="utf-8",
    )
    code, out, err = run_cli(capsys, "run", str(PROTOCOL), str(records), "--format", "json", *AS_OF)
    assert code == 1
    results = json.loads(out)["results"]
    assert [r["status"] for r in results] == ["ok", *["invalid"] * 5]
    fields = [r["errors"][0]["field"] for r in results[1:]]
    assert fields == ["wbc_at_diagnosis"] * 3 + ["age_at_diagnosis"] * 2
    assert [r["errors"][0]["code"] for r in results[1:]] == ["CP528", "CP528", "CP529", "CP528", "CP530"]
    for patient in ("digits", "exponent", "factor", "days", "years"):
        assert f"patient '{patient}'" in err


def test_a_protocol_that_is_not_utf8_is_a_located_error_in_every_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "latin1.care"
    path.write_bytes("protocol p\n# Größe\n".encode("latin-1"))
    for argv in (["check", str(path)], ["run", str(path), str(COHORT)], ["fmt", "--check", str(path)]):
        code, out, err = run_cli(capsys, *argv)
        assert code == 2
        assert f"{path}:2:5: CP106 byte 0xf6 is not UTF-8 text\n    # Gr\ufffd\ufffde\n        ^\n" in out + err


def test_fmt_reads_cr_only_and_byte_order_marked_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "protocol p\n\ninput\n  flag : boolean  # a comment\n\nrecommend r: when flag\n"
    for variant in (text.replace("\n", "\r"), "\ufeff" + text):
        path = tmp_path / "variant.care"
        path.write_bytes(variant.encode("utf-8"))
        code, _, _ = run_cli(capsys, "fmt", str(path))
        assert code == 0
        assert path.read_bytes() == text.encode("utf-8")


def test_check_takes_a_sites_values_and_warns_when_they_exceed_a_dose_limit(capsys: pytest.CaptureFixture[str]) -> None:
    conditioning = str(PROTOCOL.parent / "hsct_conditioning.care")
    code, out, _ = run_cli(capsys, "check", conditioning, "--param", "busulfan_per_dose_light=1.3 mg/kg")
    assert code == 0  # a warning, not an error
    assert "CP309 warning: with busulfan_per_dose_light = 1.3 mg/kg (protocol: 0.9 mg/kg)" in out
    assert out.rstrip().endswith("hsct_conditioning.care: 0 errors, 2 warnings")
    code, _, err = run_cli(capsys, "check", conditioning, "--param", "nope=3")
    assert code == 2 and "no protocol given has a parameter 'nope'" in err
    code, _, err = run_cli(capsys, "check", conditioning, "--param", "busulfan_per_dose_light=heavy")
    assert code == 2 and "busulfan_per_dose_light" in err
