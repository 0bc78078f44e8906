"""Events over dated series, comparisons with computed values, and how undetermined results are explained."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import carepath
from carepath import Source
from carepath.cli import main

AS_OF = dt.date(2026, 1, 1)

CHAINED = """protocol chained
input
  anc : series of quantity /uL plausible 0 /uL .. 100000 /uL
event a:
  first day from day 1 where anc >= 500 /uL
event b:
  first of 2 consecutive days from a where anc >= 1000 /uL
criterion b_early: b <= day 2
recommend early: when b_early
"""


def evaluate(text: str, record: str) -> carepath.Result:
    compiled = carepath.compile_source(Source("p.care", text))
    (bound,) = carepath.records_from_text(compiled, record, "r.yaml")
    return carepath.evaluate(compiled, bound, AS_OF, trace=True)


def test_an_event_started_from_an_undetermined_event_has_no_upper_bound() -> None:
    # day 1 missing: `a` is day 1 or day 2; `b` starts from `a`, so nothing bounds it from above
    result = evaluate(CHAINED, "- id: p\n  anc: {2: 600 /uL, 3: 1000 /uL, 4: 1100 /uL}\n")
    assert result.decisions == {"a": None, "b": None, "early": None}
    assert result.reasons == {}  # an undetermined event has needs, not reasons
    assert set(result.needs) == {"anc"}


def test_a_known_run_decides_the_day_and_a_later_comparison() -> None:
    result = evaluate(CHAINED, "- id: p\n  anc: {1: 600 /uL, 2: 1000 /uL, 3: 1100 /uL}\n")
    assert result.decisions == {"a": 1, "b": 2, "early": True}


def test_explain_json_of_an_undetermined_event_is_valid_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    protocol, records = tmp_path / "p.care", tmp_path / "r.yaml"
    protocol.write_text(CHAINED)
    records.write_text("- id: p\n  anc: {2: 600 /uL, 3: 1000 /uL, 4: 1100 /uL}\n")
    assert main(["explain", str(protocol), str(records), "--patient", "p", "--as-of", "2026-01-01", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [d["value"] for d in document["decisions"]] == [None, None, None]


@pytest.mark.parametrize(("condition", "expected"), [
    ("x * 3 > 0.3 mg", False), ("x * 3 = 0.3 mg", True), ("x + 0.2 mg = 0.3 mg", True), ("x / 3 * 3 = 0.1 mg", True),
])
def test_comparisons_with_computed_values_are_exact(condition: str, expected: bool) -> None:
    text = f"protocol p\ninput\n  x : quantity mg\nrecommend r: when {condition}\n"
    assert evaluate(text, "- id: p\n  x: 0.1 mg\n").decisions["r"] is expected


def test_an_undetermined_target_names_what_it_needs() -> None:
    text = "protocol p\ninput\n  level : quantity ug/L\ntarget t:\n  level within 150 ug/L .. 300 ug/L\n"
    result = evaluate(text, "- id: p\n")
    assert result.decisions == {"t": None} and result.needs == ("level",)
    from carepath.semantics.trace import needs

    assert needs(result.steps[0]) == ("level",)


def test_a_table_says_not_only_for_criteria_that_failed(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(Path(__file__).resolve().parents[3])
    # MLL-10, seed patient 4: dupMLL at 5 months. `intermediate when mll_rearranged and not under_180_days …`
    # fails on mll_rearranged (false) and on under_180_days (which held): the table must not call it failed.
    assert main(["run", "protocols/mll10.care", "cohorts/severance_2011.yaml", "--as-of", "2026-01-01"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("│ 4 ")]
    assert rows and "not mll_rearranged, under_180_days" in rows[0]


def test_a_bad_unit_is_reported_once() -> None:
    with pytest.raises(carepath.ProtocolError) as caught:
        carepath.compile_source(Source("p.care", "protocol p\ninput\n  wbc : quantity /uL\ncriterion c: wbc >= 100 /weight\n"))
    assert [d.code for d in caught.value.diagnostics] == ["CP303"]


def test_a_rounding_step_of_the_wrong_dimension_says_so() -> None:
    text = "protocol p\ninput\n  w : quantity kg\ndose d in mg:\n  1 mg/kg * w\n  rounded to 0.1 mL\n"
    with pytest.raises(carepath.ProtocolError) as caught:
        carepath.compile_source(Source("p.care", text))
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "CP302" and "rounding step" in diagnostic.message
