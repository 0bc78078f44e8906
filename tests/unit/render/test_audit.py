"""The audit table and document (the audit contract in docs/audit.md)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
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


def test_hostile_ids_and_reasons_are_shown_as_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Rich markup and terminal escapes in a record are printed as text: no crash, no link, no raw ESC."""
    from carepath.cli import main

    records = tmp_path / "hostile.yaml"
    records.write_text(
        "- id: \"[/]\\e]8;;file:///etc/passwd\\e\\\\x\"\n  age_at_diagnosis: 5 months\n  wbc_at_diagnosis: 60000 /uL\n  mll: germline\n"
        "  follow_up:\n    transplant: {done: false, reason: \"[link=file:///etc/passwd]x[/link]\"}\n",
        encoding="utf-8",
    )
    seed = str(Path(__file__).resolve().parents[3] / "protocols" / "severance_2011.care")
    for argv in (["audit", seed, str(records)], ["outcomes", seed, str(records), "--by", "risk_group"]):
        main([*argv, "--as-of", "2011-02-28"])
        out, err = capsys.readouterr()
        assert re.search(r"\x1b(?!\[[0-9;]*m)", out + err) is None  # colour codes only: no link, no title, no cursor moves
        assert "[/]" in out  # the id is shown, not read as markup (which would raise)
