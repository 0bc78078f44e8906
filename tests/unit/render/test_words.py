"""How a table words reasons: `not X` for a criterion that failed, `X = v` for a decision, then what is needed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import carepath
from carepath.render.words import why_text

SEED = Path(__file__).resolve().parents[3] / "protocols" / "severance_2011.care"


def _result(record: str, trace: bool = True) -> carepath.Result:
    compiled = carepath.load_protocol(SEED)
    (bound,) = carepath.records_from_text(compiled, record, "r.yaml")
    return carepath.evaluate(compiled, bound, dt.date(2026, 1, 1), trace=trace)


def test_a_criterion_that_failed_reads_not() -> None:
    result = _result("- {id: a, age_at_diagnosis: 9 months, wbc_at_diagnosis: 12000 /uL, mll: germline}")
    text = why_text(result, {"risk_group": "standard"})
    assert "risk_group: not infant_under_6_months" in text
    assert "hsct_referral: risk_group = standard" in text


def test_what_is_needed_comes_last() -> None:
    result = _result("- {id: a, age_at_diagnosis: 9 months, mll: germline}")
    assert why_text(result, {}).splitlines()[-1] == "needs wbc_at_diagnosis"


def test_an_invalid_record_is_worded_by_its_errors() -> None:
    result = _result("- {id: a, age_at_diagnosis: 9 months, wbc_at_diagnosis: 12000 kg, mll: germline}")
    assert result.status == "invalid"
    assert why_text(result, {}) == "\n".join(e.message for e in result.errors)
