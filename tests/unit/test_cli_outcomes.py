"""The outcomes and audit commands through `carepath.cli.main`: output, files written and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carepath.cli import main

ROOT = Path(__file__).resolve().parents[2]
SEED = str(ROOT / "protocols" / "severance_2011.care")
COHORT = str(ROOT / "cohorts" / "severance_2011.yaml")


def test_outcomes_json_and_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plot = tmp_path / "efs.png"
    code = main(["outcomes", SEED, COHORT, "--by", "risk_group", "--at", "3 years", "--plot", str(plot), "--format", "json", "--as-of", "2011-02-28"])
    assert code == 0 and plot.read_bytes().startswith(b"\x89PNG")
    doc = json.loads(capsys.readouterr().out)
    high = next(g for g in doc["groups"] if g["group"] == "high")
    assert (round(high["estimate"]["survival"] * 100, 1), round(high["estimate"]["se"] * 100, 1)) == (57.1, 18.7)


def test_outcomes_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["outcomes", SEED, COHORT, "--by", "risk"]) == 2
    assert "has no decision or criterion 'risk'" in capsys.readouterr().err
    assert main(["outcomes", SEED, COHORT, "--at", "soon"]) == 2
    assert "--at 'soon'" in capsys.readouterr().err
    assert main(["outcomes", SEED, COHORT, "--at", "200 years", "--as-of", "2011-02-28"]) == 0  # the limit on a duration
    capsys.readouterr()
    assert main(["outcomes", SEED, COHORT, "--at", "1e5000 years"]) == 2
    assert "longer than 2,400 months (200 years)" in capsys.readouterr().err
    assert main(["outcomes", SEED, "missing.yaml"]) == 2


def test_invalid_records_exit_1_and_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = tmp_path / "r.yaml"
    records.write_text("- id: a\n  mll: germline\n  follow_up: {first_event: {kind: gone, at: 3 months}}\n", encoding="utf-8")
    assert main(["outcomes", SEED, str(records)]) == 1
    captured = capsys.readouterr()
    assert "CP542" in captured.err and "invalid records (not in any curve): a" in captured.out


def test_audit_deviations_are_findings_not_failures(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", SEED, COHORT, "--format", "json", "--as-of", "2011-02-28"]) == 0
    deviations = json.loads(capsys.readouterr().out)["deviations"]  # patient 1 not transplanted; 4, 5 and 9 late or perhaps late
    assert [(d["patient"], d["kind"]) for d in deviations] == [("1", "not_followed"), ("4", "overdue"), ("5", "maybe_overdue"), ("9", "overdue")]
    assert main(["audit", SEED, COHORT, "--tolerance", "lots"]) == 2


def test_run_log_and_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "decisions.jsonl"
    assert main(["run", SEED, COHORT, "--log", str(log), "--as-of", "2011-02-28"]) == 0
    assert "18 decisions logged" in capsys.readouterr().err
    assert main(["log", "verify", str(log)]) == 0
    out = capsys.readouterr().out
    assert "18 lines, hash chain intact" in out
    kept = out.split("last hash ")[1].split()[0]
    assert main(["log", "verify", str(log), "--kept", kept]) == 0
    assert f"{log}:18: has the kept hash" in capsys.readouterr().out
    assert main(["log", "verify", str(log), "--kept", "0" * 64]) == 1
    assert "no line has the kept hash" in capsys.readouterr().out
    lines = log.read_text(encoding="utf-8").splitlines(keepends=True)
    log.write_text("".join(lines[:3] + lines[4:]), encoding="utf-8")
    assert main(["log", "verify", str(log)]) == 1
    assert f"{log}:4: its hash does not follow" in capsys.readouterr().out


def test_the_printed_figures_are_set_beside_the_data(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["outcomes", SEED, COHORT, "--by", "follow_up.transplant", "--at", "3 years", "--format", "json", "--as-of", "2011-02-28"]) == 0
    (figure,) = json.loads(capsys.readouterr().out)["published"]
    assert (figure["printed"], figure["computed"], figure["reproduces"]) == ("60 ± 21.9 %", "66.7 ± 19.2 %", False)
    assert main(["outcomes", SEED, COHORT, "--by", "infant_under_6_months", "--at", "36 months", "--as-of", "2011-02-28"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # the terminal wraps long lines
    assert "printed 85.7 ± 13.2 %, the data give 85.7 ± 13.2 %: reproduces" in out
    assert "printed P = 0.021, the data give P = 0.046: does not reproduce" in out


def test_a_bad_published_section_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = tmp_path / "r.yaml"
    records.write_text("published: {figures: [{printed: lots}]}\npatients:\n  - id: a\n    mll: germline\n", encoding="utf-8")
    assert main(["outcomes", SEED, str(records)]) == 2
    assert "published figure 1" in capsys.readouterr().err
