"""A classification without `otherwise` that places nobody says why, through the API and the command line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import carepath
from carepath import Source
from carepath.cli import main
from carepath.semantics.trace import StepKind

AS_OF = dt.date(2026, 1, 1)
PROTOCOL = """\
protocol nobranch "No branch"
  version "1.0.0"

input
  wbc     : quantity /uL
  lineage : one of b_cell, t_cell

classify band "WBC band":
  high when wbc >= 50000 /uL
  t    when lineage = t_cell
"""
RECORDS = """\
- id: A
  wbc: 20000 /uL
  lineage: b_cell
- id: B
  wbc: 60000 /uL
  lineage: b_cell
- id: C
  lineage: b_cell
"""
NO_BRANCH = "no branch applies: high when wbc >= 50000 /uL is false; t when lineage = t_cell is false"


@pytest.mark.parametrize("trace", [True, False])
def test_an_unplaced_patient_has_one_reason_naming_each_failing_branch(trace: bool) -> None:
    compiled = carepath.compile_source(Source("nobranch.care", PROTOCOL))
    records = carepath.records_from_text(compiled, RECORDS)
    unplaced, placed, missing = carepath.evaluate_all(compiled, records, AS_OF, trace=trace, reasons=True).results
    assert (unplaced.status, unplaced.decisions, unplaced.needs) == ("undetermined", {"band": None}, ())
    assert unplaced.reasons == {"band": (NO_BRANCH,)}
    assert placed.reasons == {"band": ("wbc",)}  # a placed patient's reasons are unchanged
    assert (missing.reasons, missing.needs) == ({}, ("wbc",))  # unknown, not unplaced: it needs wbc


def test_the_explanation_carries_the_reason_on_the_classification_step() -> None:
    compiled = carepath.compile_source(Source("nobranch.care", PROTOCOL))
    (record, *_) = carepath.records_from_text(compiled, RECORDS)
    (step,) = carepath.evaluate(compiled, record, AS_OF).steps
    assert (step.kind, step.outcome, step.detail) == (StepKind.CLASSIFICATION, None, NO_BRANCH)
    assert [child.outcome for child in step.children] == [False, False]


def test_run_and_explain_print_the_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    protocol, records = tmp_path / "nobranch.care", tmp_path / "records.yaml"
    protocol.write_text(PROTOCOL)
    records.write_text(RECORDS)
    assert main(["run", str(protocol), str(records), "--format", "json", "--as-of", "2026-01-01"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["results"][0]["reasons"] == {"band": [NO_BRANCH]}
    assert document["results"][0]["needs"] == []
    assert main(["explain", str(protocol), str(records), "--patient", "A", "--format", "json", "--as-of", "2026-01-01"]) == 0
    explained = json.loads(capsys.readouterr().out)["decisions"][0]
    assert (explained["reasons"], explained["trace"]["detail"]) == ([NO_BRANCH], NO_BRANCH)
    assert main(["explain", str(protocol), str(records), "--patient", "A", "--as-of", "2026-01-01"]) == 0
    assert "no branch applies: high when wbc >= 50000 /uL is false" in " ".join(capsys.readouterr().out.split())
