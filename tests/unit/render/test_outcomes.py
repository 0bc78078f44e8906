"""The outcomes table and document: the estimate as `S ± SE %`, numbers at risk, the log-rank line and notes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.console import Console

import carepath
from carepath.outcomes.groups import assign, group_order
from carepath.outcomes.survival import EndpointKind, survival
from carepath.render.outcomes import document, estimate_text, notes, risk_times, table
from carepath.runtime.engine import provenance

ROOT = Path(__file__).resolve().parents[3]
SEED = carepath.load_protocol(ROOT / "protocols" / "severance_2011.care")
MEMBERS = assign(SEED, carepath.load_records(SEED, [ROOT / "cohorts" / "severance_2011.yaml"]), dt.date(2011, 2, 28), "infant_under_6_months")
RESULT = survival(MEMBERS, EndpointKind.EFS, "infant_under_6_months", group_order(SEED, "infant_under_6_months", [m.group for m in MEMBERS]))


def test_estimates_and_times() -> None:
    assert estimate_text(RESULT.overall, 36) == "66.7 ± 15.7 %"
    assert estimate_text(RESULT.groups[1], 36) == "85.7 ± 13.2 %"
    assert risk_times(RESULT) == [0, 12, 24, 36]
    assert notes(RESULT)[0] == "log-rank (true vs false): chi-square 3.973, 1 df, P = 0.046"


def test_the_table_shows_every_group() -> None:
    console = Console(width=160, record=True)
    console.print(table(RESULT, provenance(SEED), ("3 years", 36.0)))
    text = console.export_text()
    assert "event-free survival by infant_under_6_months · severance_2011 1.0.0" in text
    assert "85.7 ± 13.2 %" in text and "7 · 6 · 6 · 6" in text and "at 3 years" in text


def test_the_document() -> None:
    doc = document(RESULT, provenance(SEED), ("3 years", 36.0), "2011-02-28")
    assert doc["protocol"]["name"] == "severance_2011" and doc["at"] == {"text": "3 years", "months": 36.0}
    assert doc["overall"]["estimate"]["survival"] == round(6 / 9, 6) and doc["overall"]["estimate"]["se"] == 0.157135
    assert [g["group"] for g in doc["groups"]] == ["true", "false"] and doc["logrank"]["p"] == 0.046242
    assert len(doc["estimated"]) == 9 and doc["unfollowed"] == [] and doc["invalid"] == []
