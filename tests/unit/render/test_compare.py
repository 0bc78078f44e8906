"""The comparison views: the compare contract (`document`), the per-patient table, the "who changes" table and
the footer, on a comparison of two small protocols whose every decision is worked out by hand below.

A refers on a high WBC; B on an MLL translocation. Both have `risk` (high / standard otherwise); `refer` is
A's only, `watch` B's only. The five records:

    P1  WBC 60,000, germline        A high,         refer yes   B standard, watch yes   risk changes
    P2  WBC 1,000, translocation    A standard,     refer no    B high,     watch no    risk changes
    P3  WBC 1,000, germline         A standard,     refer no    B standard, watch yes   unchanged
    (no id)                         invalid under both (CP502)
    P5  no WBC, germline            A undetermined (needs wbc)  B standard, watch yes   risk changes
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from rich.console import Console
from rich.table import Table
from rich.text import Text

import carepath
from carepath import Source
from carepath.data.records import load_text
from carepath.render import compare as view
from carepath.runtime.compare import Comparison, compare

AS_OF = dt.date(2026, 1, 1)

RULE_A = """\
protocol rule_a "Rule A"
  version "1.0"

input
  wbc : quantity /uL plausible 100 /uL .. 2000000 /uL
  mll : one of germline, translocation

criterion hyper: wbc >= 50000 /uL

classify risk:
  high     when hyper
  standard otherwise

recommend refer: when risk = high
"""

RULE_B = """\
protocol rule_b

input
  wbc : quantity /uL plausible 100 /uL .. 2000000 /uL
  mll : one of germline, translocation

criterion rearranged: mll = translocation

classify risk:
  high     when rearranged
  standard otherwise

recommend watch: when risk = standard
"""

# shares no decision with A
RULE_C = """\
protocol rule_c
  version "2.0"

input
  wbc : quantity /uL plausible 100 /uL .. 2000000 /uL

criterion extreme: wbc >= 100000 /uL

recommend review: when extreme
"""

RECORDS = """\
- {id: P1, wbc: 60000 /uL, mll: germline}
- {id: P2, wbc: 1000 /uL, mll: translocation}
- {id: P3, wbc: 1000 /uL, mll: germline}
- {wbc: 1000 /uL, mll: germline}
- {id: P5, mll: germline}
"""


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def comparison_of(a: str, b: str, records: str) -> Comparison:
    return compare(carepath.compile_source(Source("a.care", a)), carepath.compile_source(Source("b.care", b)),
                   load_text(records, "records.yaml"), AS_OF)


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    return comparison_of(RULE_A, RULE_B, RECORDS)


def shown(renderable: object) -> str:
    console = Console(width=200, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def column(table: Table, header: str) -> list[Text]:
    (found,) = [c for c in table.columns if c.header == header]
    cells = list(found.cells)
    assert all(isinstance(cell, Text) for cell in cells)
    return cells  # type: ignore[return-value]


# ---- the compare contract -----------------------------------------------------------------------


def test_the_document_names_both_protocols_the_engine_and_the_date(comparison: Comparison) -> None:
    document = view.document(comparison)
    assert list(document) == ["protocols", "engine", "as_of", "patients", "summary"]
    assert document["protocols"] == {"a": {"name": "rule_a", "version": "1.0", "sha256": sha(RULE_A)},
                                     "b": {"name": "rule_b", "version": None, "sha256": sha(RULE_B)}}
    assert document["engine"] == {"name": "carepath", "version": carepath.__version__}
    assert document["as_of"] == "2026-01-01"
    assert json.loads(json.dumps(document)) == document  # plain JSON data, nothing that needs an encoder


def test_each_patient_carries_its_id_once_and_both_sides_as_in_the_run_contract(comparison: Comparison) -> None:
    patients = view.document(comparison)["patients"]
    assert [(p["id"], p["changed"]) for p in patients] == [("P1", ["risk"]), ("P2", ["risk"]), ("P3", []), (None, []), ("P5", ["risk"])]
    for patient in patients:
        assert list(patient) == ["id", "a", "b", "changed"]
        assert list(patient["a"]) == list(patient["b"]) == ["status", "decisions", "reasons", "needs", "errors"]
    p1 = patients[0]
    assert p1["a"]["decisions"] == {"risk": "high", "refer": True}
    assert p1["b"]["decisions"] == {"risk": "standard", "watch": True}
    p5 = patients[4]
    assert (p5["a"]["status"], p5["a"]["decisions"], p5["a"]["needs"]) == ("undetermined", {"risk": None, "refer": None}, ["wbc"])
    nameless = patients[3]
    assert [(side["status"], [e["code"] for e in side["errors"]]) for side in (nameless["a"], nameless["b"])] == \
        [("invalid", ["CP502"]), ("invalid", ["CP502"])]


def test_the_summary_lists_changes_first_then_in_declaration_order(comparison: Comparison) -> None:
    # changes: high → standard, standard → high (A's order), then undetermined → standard; then the unchanged,
    # declared values before invalid
    assert view.document(comparison)["summary"] == {"risk": {"transitions": [
        {"from": "high", "to": "standard", "count": 1, "patients": ["P1"]},
        {"from": "standard", "to": "high", "count": 1, "patients": ["P2"]},
        {"from": "undetermined", "to": "standard", "count": 1, "patients": ["P5"]},
        {"from": "standard", "to": "standard", "count": 1, "patients": ["P3"]},
        {"from": "invalid", "to": "invalid", "count": 1, "patients": [None]},
    ]}}


# ---- the tables ---------------------------------------------------------------------------------


def test_the_patients_table_pairs_shared_decisions_and_keeps_each_sides_own(comparison: Comparison) -> None:
    table = view.patients_table(comparison)
    assert str(table.title) == "A = rule_a 1.0 · B = rule_b · 5 patients · as of 2026-01-01"  # B has no version: its name alone
    assert [c.header for c in table.columns] == ["patient", "risk", "refer (A only)", "watch (B only)", "why in A", "why in B"]
    assert [cell.plain for cell in column(table, "risk")] == \
        ["high → standard", "standard → high", "standard", "invalid", "undetermined → standard"]
    assert [cell.plain for cell in column(table, "refer (A only)")] == ["yes", "no", "no", "invalid", "undetermined"]
    assert [cell.plain for cell in column(table, "watch (B only)")] == ["yes", "no", "yes", "invalid", "yes"]


def test_a_change_is_bold_and_invalid_and_undetermined_are_coloured(comparison: Comparison) -> None:
    risk = column(view.patients_table(comparison), "risk")
    changed, unchanged, invalid = risk[0], risk[2], risk[3]
    assert [(s.start, s.end, s.style) for s in changed.spans] == [(0, len("high → standard"), "bold")]
    assert unchanged.style == "" and unchanged.spans == []
    assert invalid.style == "bold red"
    # `undetermined → standard`: the yellow covers A's value alone, never the arrow or B's value
    assert risk[4].style == ""
    assert (0, len("undetermined"), "yellow") in [(s.start, s.end, s.style) for s in risk[4].spans]
    assert not any(s.style == "yellow" and s.end > len("undetermined") for s in risk[4].spans)
    assert column(view.patients_table(comparison), "refer (A only)")[4].style == "yellow"


def test_the_why_columns_give_reasons_needs_and_errors(comparison: Comparison) -> None:
    rows = {line.split("│")[1].strip(): line for line in shown(view.patients_table(comparison)).splitlines()
            if line.startswith("│") and line.split("│")[1].strip()}
    assert "risk: hyper" in rows["P1"] and "risk: not rearranged" in rows["P1"]  # B's `standard otherwise`: the criterion that failed
    assert "risk: not hyper" in rows["P2"] and "risk: rearranged" in rows["P2"]
    assert "needs wbc" in rows["P5"]
    assert rows["?"].count("records.yaml, record 4: the record has no 'id'") == 2  # a record without an id, on both sides


def test_the_summary_table_names_each_decision_once(comparison: Comparison) -> None:
    table = view.summary_table(comparison)
    assert str(table.title) == "Who changes"
    decision = [cell.plain if isinstance(cell, Text) else cell for cell in table.columns[0].cells]
    assert decision == ["risk", "", "", "", ""]
    assert [(a.plain, b.plain) for a, b in zip(column(table, "A"), column(table, "B"), strict=True)] == [
        ("high", "standard"), ("standard", "high"), ("undetermined", "standard"), ("standard", "standard"), ("invalid", "invalid")]
    which = column(table, "which")
    assert [cell.plain for cell in which] == ["P1", "P2", "P5", "P3", "?"]  # a record without an id shows as ?
    assert [cell.style for cell in which] == ["bold", "bold", "bold", "dim", "dim"]  # changes stand out
    assert [cell.plain for cell in column(table, "patients")] == ["1"] * 5


def test_the_footer_counts_changes_and_invalid_records_then_gives_provenance(comparison: Comparison) -> None:
    footer = view.footer(comparison)
    assert footer.plain == (f"5 patients · changed: risk 3 · invalid: 1 in A, 1 in B\n"
                            f"A rule_a sha256 {sha(RULE_A)[:12]} · B rule_b sha256 {sha(RULE_B)[:12]} · carepath {carepath.__version__}")
    assert footer.style == "dim"


def test_without_shared_decisions_there_is_no_summary_table() -> None:
    comparison = comparison_of(RULE_A, RULE_C, "- {id: P1, wbc: 60000 /uL, mll: germline}\n")
    assert view.document(comparison)["summary"] == {}
    group = view.tables(comparison)
    assert [type(part) for part in group.renderables] == [Table, Text]
    patients = group.renderables[0]
    assert isinstance(patients, Table)
    assert str(patients.title) == "A = rule_a 1.0 · B = rule_c 2.0 · 1 patient · as of 2026-01-01"
    assert [c.header for c in patients.columns] == ["patient", "risk (A only)", "refer (A only)", "review (B only)", "why in A", "why in B"]
    assert view.footer(comparison).plain.startswith("1 patient · changed: no shared decisions · invalid: 0 in A, 0 in B\n")
    shown_text = shown(group)
    assert "Who changes" not in shown_text
    (row,) = [line for line in shown_text.splitlines() if line.startswith("│ P1 ")]
    assert [cell.strip() for cell in row.split("│")[1:5]] == ["P1", "high", "yes", "no"]  # 60,000 /µL: high under A, below C's 100,000
