"""The JSON renderers: the run contract's field names and order, provenance, and byte-stable text."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

import carepath
from carepath.compile.compiler import CompiledProtocol
from carepath.render import json as json_render

AS_OF = dt.date(2026, 1, 1)


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """One ok, one undetermined and one invalid record."""
    path = tmp_path / "mixed.yaml"
    path.write_text(
        "- id: ok\n  age_at_diagnosis: 5 months\n  wbc_at_diagnosis: 60000 /uL\n  mll: germline\n"
        "- id: unsure\n  wbc_at_diagnosis: 100 /uL\n  mll: germline\n"
        "- id: bad\n  wbc_at_diagnosis: 33900 /mL\n",
        encoding="utf-8",
    )
    return path


def document(seed: CompiledProtocol, path: Path) -> dict[str, Any]:
    return json_render.run_document(carepath.run(seed, [path], AS_OF))


def test_run_document_field_names_and_order(seed: CompiledProtocol, mixed: Path) -> None:
    doc = document(seed, mixed)
    assert list(doc) == ["protocol", "engine", "results"]
    assert list(doc["protocol"]) == ["name", "version", "sha256"]
    assert list(doc["engine"]) == ["name", "version"]
    for result in doc["results"]:
        due = ["due"] if result["decisions"].get("hsct_referral") is True else []  # only a recommendation that falls due adds it
        assert list(result) == ["id", "status", "decisions", "reasons", "needs", "errors", *due]


def test_provenance(seed: CompiledProtocol, mixed: Path, root: Path) -> None:
    doc = document(seed, mixed)
    source = (root / "protocols" / "severance_2011.care").read_bytes()
    assert doc["protocol"] == {"name": "severance_2011", "version": "1.0.0", "sha256": hashlib.sha256(source).hexdigest()}
    assert doc["engine"] == {"name": "carepath", "version": carepath.__version__}


def test_results_follow_the_contract(seed: CompiledProtocol, mixed: Path) -> None:
    ok, unsure, bad = document(seed, mixed)["results"]
    assert ok == {
        "id": "ok",
        "status": "ok",
        "decisions": {"risk_group": "high", "hsct_referral": True},
        "reasons": {"risk_group": ["infant_under_6_months", "hyperleukocytosis"], "hsct_referral": ["risk_group"]},
        "needs": [],
        "errors": [],
        "due": {"hsct_referral": {"within": "6 months", "of": "date_of_diagnosis", "by": None, "citation": ok["due"]["hsct_referral"]["citation"]}},
    }
    assert unsure == {
        "id": "unsure",
        "status": "undetermined",
        "decisions": {"risk_group": None, "hsct_referral": None},
        "reasons": {},
        "needs": ["age_at_diagnosis"],
        "errors": [],
    }
    assert bad["status"] == "invalid"
    assert bad["decisions"] == {}
    assert [list(e) for e in bad["errors"]] == [["field", "message", "code", "line", "value"]]
    # the third record's wbc (line 9 of the file) is 33.9 /µL once /mL is read: implausible
    assert {k: v for k, v in bad["errors"][0].items() if k != "message"} == {
        "field": "wbc_at_diagnosis", "code": "CP505", "line": 9, "value": "33900 /mL"}


def test_dumps_is_stable_utf8_with_a_final_newline(seed: CompiledProtocol, mixed: Path) -> None:
    first = json_render.dumps(document(seed, mixed))
    second = json_render.dumps(document(seed, mixed))
    assert first == second
    assert first.endswith("}\n")
    assert "µL" in first  # not escaped as \u00b5
    assert json.loads(first) == document(seed, mixed)
    assert '"protocol": {\n    "name": "severance_2011"' in first  # two-space indentation


def test_null_id_for_a_record_without_one(seed: CompiledProtocol, tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("- mll: germline\n", encoding="utf-8")
    (result,) = document(seed, path)["results"]
    assert result["id"] is None
    assert result["status"] == "invalid"


def test_explain_document(seed: CompiledProtocol, mixed: Path) -> None:
    run = carepath.run(seed, [mixed], AS_OF)
    doc = json_render.explain_document(run, run.results[0])
    assert list(doc) == ["protocol", "engine", "as_of", "patient", "status", "needs", "errors", "inputs", "decisions"]
    assert (doc["as_of"], doc["patient"], doc["status"]) == ("2026-01-01", "ok", "ok")
    assert [f["input"] for f in doc["inputs"]] == ["age_at_diagnosis", "wbc_at_diagnosis", "mll"]
    assert list(doc["inputs"][0]) == ["input", "value", "as_written", "origin", "source", "missing"]
    assert doc["inputs"][0]["source"].startswith(f"{mixed}:")  # file:line:column of the value
    risk, hsct = doc["decisions"]
    assert list(risk) == ["name", "kind", "title", "citation", "location", "value", "reasons", "needs", "trace"]
    assert (risk["name"], risk["kind"], risk["value"]) == ("risk_group", "classification", "high")
    assert risk["reasons"] == ["infant_under_6_months", "hyperleukocytosis"]
    assert risk["needs"] == []  # determined: nothing is wanting
    assert risk["location"].endswith("severance_2011.care:41")
    assert (hsct["name"], hsct["value"]) == ("hsct_referral", True)
    trace = risk["trace"]
    assert trace["kind"] == "classification"
    assert trace["deciding"] == [0]
    assert trace["children"][0]["kind"] == "branch"


def test_step_document_keeps_only_present_fields(seed: CompiledProtocol, mixed: Path) -> None:
    run = carepath.run(seed, [mixed], AS_OF)
    unsure = run.results[1]
    (criterion,) = [s for s in unsure.criteria if s.text == "infant_under_6_months"]
    doc = json_render.step_document(criterion, "p.care")
    assert list(doc) == ["kind", "text", "outcome", "title", "citation", "location", "deciding", "children"]
    (compare,) = doc["children"]
    assert list(compare) == ["kind", "text", "outcome", "detail", "facts", "needs"]
    assert compare["needs"] == ["age_at_diagnosis"]
    assert compare["facts"][0]["missing"] is True


def test_a_dose_above_a_limit_carries_limits_and_a_due_recommendation_carries_due(tmp_path: Path) -> None:
    conditioning = carepath.load_protocol("protocols/hsct_conditioning.care")
    records = tmp_path / "r.yaml"
    records.write_text("- id: heavy\n  weight: 13 kg\n  age_at_intrathecal: 14 months\n"
                       "- id: light\n  weight: 12 kg\n  age_at_intrathecal: 14 months\n", encoding="utf-8")
    heavy, light = json_render.run_document(carepath.run(conditioning, [records], AS_OF))["results"]
    per_dose = heavy["decisions"]["busulfan"]["limits"][0]
    assert per_dose == {"period": "dose", "given": 14.3, "limit": 10.4, "unit": "mg", "percent_over": 37.5,
                        "limit_as_written": "0.8 mg/kg * weight per dose when weight > 12 kg", "citation": per_dose["citation"],
                        "certain": True}
    assert "US IV busulfan label" in per_dose["citation"]
    assert "limits" not in light["decisions"]["busulfan"]  # the contract is unchanged for a dose within its limits

    seed = carepath.load_protocol("protocols/severance_2011.care")
    records.write_text("- id: dated\n  date_of_birth: 2008-01-10\n  date_of_diagnosis: 2008-05-31\n  wbc_at_diagnosis: 1000 /uL\n"
                       "  mll: germline\n- id: undated\n  age_at_diagnosis: 5 months\n  wbc_at_diagnosis: 1000 /uL\n  mll: germline\n"
                       "- id: standard\n  age_at_diagnosis: 7 months\n  wbc_at_diagnosis: 1000 /uL\n  mll: germline\n", encoding="utf-8")
    dated, undated, standard = json_render.run_document(carepath.run(seed, [records], AS_OF))["results"]
    assert dated["due"]["hsct_referral"]["by"] == "2008-11-30" and dated["due"]["hsct_referral"]["within"] == "6 months"
    assert undated["due"]["hsct_referral"] == {"within": "6 months", "of": "date_of_diagnosis", "by": None,
                                               "citation": undated["due"]["hsct_referral"]["citation"]}
    assert "due" not in standard  # no referral, nothing falls due


def test_the_explain_document_says_when_a_referral_falls_due(tmp_path: Path) -> None:
    seed = carepath.load_protocol("protocols/severance_2011.care")
    records = tmp_path / "r.yaml"
    records.write_text("- id: dated\n  date_of_birth: 2008-01-10\n  date_of_diagnosis: 2008-05-31\n  wbc_at_diagnosis: 1000 /uL\n"
                       "  mll: germline\n", encoding="utf-8")
    run = carepath.run(seed, [records], AS_OF)
    document = json_render.explain_document(run, run.results[0])
    referral = next(d for d in document["decisions"] if d["name"] == "hsct_referral")
    assert referral["due"]["by"] == "2008-11-30"
    assert referral["trace"]["detail"].startswith("due within 6 months of date_of_diagnosis: by 2008-11-30 [cites Lee 2011, Discussion")
    risk = next(d for d in document["decisions"] if d["name"] == "risk_group")
    assert "due" not in risk
