"""The terminal views: one row per record with its reasons, a summary line, and an explanation tree."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.console import Console

import carepath
from carepath.render import terminal

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT / "protocols" / "severance_2011.care"
AS_OF = dt.date(2026, 1, 1)
RECORDS = """\
- {id: young, age_at_diagnosis: 3 months, wbc_at_diagnosis: 12000 /uL, mll: germline}
- {id: older, age_at_diagnosis: 9 months, wbc_at_diagnosis: 12000 /uL, mll: germline}
- {id: gap, age_at_diagnosis: 9 months, mll: germline}
- {id: bad, age_at_diagnosis: 9 months, wbc_at_diagnosis: 12000 kg, mll: germline}
"""


def _shown(renderable: object) -> str:
    console = Console(width=200, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def _run() -> carepath.Run:
    compiled = carepath.load_protocol(SEED)
    return carepath.evaluate_all(compiled, carepath.records_from_text(compiled, RECORDS, "r.yaml"), AS_OF)


def test_the_table_has_a_row_per_record_with_its_decisions_and_reasons() -> None:
    run = _run()
    text = _shown(terminal.run_table(run, ["risk_group", "hsct_referral"], {"risk_group": "standard"}))
    rows = {line.split("│")[1].strip(): line for line in text.splitlines() if line.startswith("│") and line.split("│")[1].strip()}
    assert "high" in rows["young"] and "infant_under_6_months" in rows["young"]
    assert "standard" in rows["older"] and "not infant_under_6_months" in rows["older"]
    assert "undetermined" in rows["gap"] and "needs wbc_at_diagnosis" in rows["gap"]
    assert "invalid" in rows["bad"] and "wbc_at_diagnosis" in rows["bad"]


def test_the_summary_counts_each_status() -> None:
    text = _shown(terminal.summary(_run()))
    assert text.startswith("2 ok, 1 undetermined, 1 invalid · protocol sha256 ")


def test_an_explanation_cites_the_rule_and_names_the_inputs_read() -> None:
    run = _run()
    young = next(r for r in run.results if r.id == "young")
    text = _shown(terminal.explanation(run, young))
    assert "Patient young" in text
    assert "risk_group = high" in text
    assert "cites Lee 2011, Methods" in text
    assert "inputs read" in text and "wbc_at_diagnosis = 12,000 /µL" in text


def test_a_rejected_record_is_explained_by_its_errors() -> None:
    run = _run()
    bad = next(r for r in run.results if r.id == "bad")
    text = _shown(terminal.explanation(run, bad))
    assert "record rejected:" in text
    assert "wbc_at_diagnosis" in text
