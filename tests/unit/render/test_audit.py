"""The audit table and document (the audit contract in docs/audit.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.console import Console

import carepath
from carepath.outcomes.audit import audit
from carepath.render.audit import document, table
from carepath.runtime.engine import provenance

ROOT = Path(__file__).resolve().parents[3]
SEED = carepath.load_protocol(ROOT / "protocols" / "severance_2011.care")
AUDIT = audit(SEED, carepath.load_records(SEED, [ROOT / "cohorts" / "severance_2011.yaml"]), dt.date(2011, 2, 28))


def test_the_document_lists_patient_1() -> None:
    doc = document(AUDIT, provenance(SEED), "2011-02-28")
    deviation, *late = doc["deviations"]
    assert [d["patient"] for d in late] == ["4", "5", "9"] and {d["kind"] for d in late} == {"overdue", "maybe_overdue"}
    assert deviation["patient"] == "1" and deviation["kind"] == "not_followed" and deviation["title"] == "recommendation not followed"
    assert deviation["where"]["file"].endswith("severance_2011.yaml") and isinstance(deviation["where"]["line"], int)
    assert doc["tolerance"] == {"percent": 10.0, "source": "default"} and doc["invalid"] == []


def test_the_table() -> None:
    console = Console(width=200, record=True)
    console.print(table(AUDIT, provenance(SEED)))
    text = console.export_text()
    assert "9 patients, 4 deviations" in text and "recommendation not followed" in text and "economic" in text
