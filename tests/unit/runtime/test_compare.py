"""`carepath compare`: two protocols' decisions per patient, who changes and why, as a model, JSON and a table."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

import carepath
from carepath.cli import main
from carepath.data.records import load, load_text
from carepath.runtime.compare import Comparison, compare, compare_bound, extra_fields

AS_OF = dt.date(2026, 1, 1)

# A: high when either criterion holds; B: high needs both, medium for a translocation alone, referred
# then only with MRD. Each has a decision the other lacks.
OLD = """\
protocol old_rule "Old rule"
  version "1.0"
input
  wbc : quantity /uL plausible 100 /uL .. 2000000 /uL
  mll : one of germline, translocation
criterion hyper "WBC of 50,000/uL or more": wbc >= 50000 /uL
criterion rearranged "MLL translocation": mll = translocation
classify risk "Risk group":
  high     when any of (hyper, rearranged)
  standard otherwise
recommend transplant "Transplant": when risk = high
recommend old_only "Only in the old rule": when hyper
"""

NEW = """\
protocol new_rule "New rule"
  version "2.0"
input
  wbc : quantity /uL plausible 100 /uL .. 2000000 /uL
  mll : one of germline, translocation
  mrd : quantity % plausible 0 % .. 100 % optional
criterion very_high "WBC of 300,000/uL or more": wbc >= 300000 /uL
criterion rearranged "MLL translocation": mll = translocation
criterion mrd_positive "MRD of 0.01 % or more": mrd >= 0.01 %
classify risk "Risk group":
  high   when all of (rearranged, very_high)
  medium when rearranged
  low    otherwise
recommend transplant "Transplant": when risk = high or (risk = medium and mrd_positive)
recommend new_only "Only in the new rule": when very_high
"""

RECORDS = """\
- {id: P1, wbc: 60000 /uL, mll: germline}
- {id: P2, wbc: 10000 /uL, mll: translocation}
- {id: P3, wbc: 10000 /uL, mll: germline}
- {id: P4, wbc: 400000 /uL, mll: translocation}
- {id: P5, wbc: 10000 /uL, mll: translocation, mrd: 0.5 %}
- {id: P6, wbc: 10000 /uL, mll: germline, mrd: 5 kg}
- {id: P7, wcb: 10000 /uL, mll: germline}
- {id: P8, wbc: 60000 /mL, mll: germline}
"""

VALID_RECORDS = "- {id: P1, wbc: 60000 /uL, mll: germline}\n- {id: P3, wbc: 10000 /uL, mll: germline}\n"


def _compile(text: str, name: str) -> carepath.CompiledProtocol:
    return carepath.compile_source(carepath.Source(name, text))


@pytest.fixture
def comparison() -> Comparison:
    return compare(_compile(OLD, "old.care"), _compile(NEW, "new.care"), load_text(RECORDS, "records.yaml"), AS_OF)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {"old": tmp_path / "old.care", "new": tmp_path / "new.care", "records": tmp_path / "records.yaml",
             "valid": tmp_path / "valid.yaml"}
    for key, text in (("old", OLD), ("new", NEW), ("records", RECORDS), ("valid", VALID_RECORDS)):
        paths[key].write_text(text, encoding="utf-8")
    return paths


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ---- the model -----------------------------------------------------------------------------


def test_each_patient_has_both_sides_and_the_shared_decisions_that_changed(comparison: Comparison) -> None:
    by_id = {p.id: p for p in comparison.patients}
    assert list(by_id) == [f"P{i}" for i in range(1, 9)]  # record order, none dropped
    p1 = by_id["P1"]
    assert p1.a.decisions == {"risk": "high", "transplant": True, "old_only": True}
    assert p1.b.decisions == {"risk": "low", "transplant": False, "new_only": False}
    assert p1.changed == ("risk", "transplant")
    assert p1.a.reasons["risk"] == ("hyper",)
    assert p1.b.reasons["risk"] == ("rearranged", "very_high")  # `low otherwise`: the criteria that failed
    p2 = by_id["P2"]
    assert (p2.b.status, p2.b.decisions["risk"], p2.b.decisions["transplant"]) == ("undetermined", "medium", None)
    assert p2.b.needs == ("mrd",)
    assert by_id["P4"].changed == ()  # high and referred under both


def test_decisions_are_paired_by_name_and_the_unpaired_are_kept(comparison: Comparison) -> None:
    assert comparison.shared == ("risk", "transplant")
    assert comparison.only_a == ("old_only",)
    assert comparison.only_b == ("new_only",)
    assert "old_only" not in comparison.patients[0].changed


def test_a_field_either_protocol_declares_is_accepted_by_both(comparison: Comparison) -> None:
    p5 = comparison.patients[4]
    assert p5.a.status == "ok"  # the old rule carries `mrd` unread
    assert p5.b.decisions["transplant"] is True  # the new rule reads it: medium with MRD
    assert p5.changed == ("risk",)


def test_a_record_is_invalid_on_the_side_that_rejected_it(comparison: Comparison) -> None:
    p6, p7, p8 = comparison.patients[5:8]
    assert (p6.a.status, p6.b.status) == ("ok", "invalid")  # `mrd: 5 kg` is only the new rule's problem
    assert p6.b.errors[0].field == "mrd"
    assert p6.changed == ("risk", "transplant")
    assert (p7.a.status, p7.b.status) == ("invalid", "invalid")  # a field neither protocol declares
    assert "did you mean 'wbc'?" in p7.a.errors[0].message and "did you mean 'wbc'?" in p7.b.errors[0].message  # once, not twice
    assert p7.changed == ()
    assert (p8.a.status, p8.b.status) == ("invalid", "invalid")  # 60000 /mL is 60 /uL: implausible for both
    assert comparison.exit_code == 1


def test_transitions_count_every_pair_of_values_changes_first(comparison: Comparison) -> None:
    risk = [(t.before, t.after, t.patients) for t in comparison.summary["risk"]]
    assert risk == [
        ("high", "medium", ("P2", "P5")),
        ("high", "low", ("P1",)),
        ("standard", "low", ("P3",)),
        ("standard", "invalid", ("P6",)),
        ("high", "high", ("P4",)),
        ("invalid", "invalid", ("P7", "P8")),
    ]
    transplant = [(t.before, t.after, t.count) for t in comparison.summary["transplant"]]
    assert transplant == [("yes", "no", 1), ("yes", "undetermined", 1), ("no", "invalid", 1),
                          ("yes", "yes", 2), ("no", "no", 1), ("invalid", "invalid", 2)]
    assert sum(t.count for t in comparison.summary["transplant"]) == len(comparison.patients)


def test_the_order_of_transitions_does_not_depend_on_the_order_of_records() -> None:
    old, new = _compile(OLD, "old.care"), _compile(NEW, "new.care")
    forward = compare(old, new, load_text(RECORDS), AS_OF)
    backward = compare(old, new, list(reversed(load_text(RECORDS))), AS_OF)
    for name in forward.shared:
        assert [(t.before, t.after, set(t.patients)) for t in forward.summary[name]] == \
               [(t.before, t.after, set(t.patients)) for t in backward.summary[name]]


def test_a_protocol_compared_with_itself_changes_nothing() -> None:
    old = _compile(OLD, "old.care")
    same = compare(old, old, load_text(RECORDS), AS_OF)
    assert all(p.changed == () for p in same.patients)
    assert all(not t.changed for transitions in same.summary.values() for t in transitions)
    assert same.only_a == same.only_b == ()


def test_a_malformed_file_is_one_invalid_patient_on_both_sides(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("- id: 1\n  mll: [unclosed\n", encoding="utf-8")
    result = compare(_compile(OLD, "old.care"), _compile(NEW, "new.care"), load([broken]), AS_OF)
    assert len(result.patients) == 1
    patient = result.patients[0]
    assert patient.id is None and (patient.a.status, patient.b.status) == ("invalid", "invalid")
    assert [(t.before, t.after, t.patients) for t in result.summary["risk"]] == [("invalid", "invalid", (None,))]


def test_records_bound_by_the_caller_compare_the_same(comparison: Comparison) -> None:
    old, new = _compile(OLD, "old.care"), _compile(NEW, "new.care")
    bound = compare_bound(old, new, carepath.records_from_text(old, RECORDS, "records.yaml", extra_fields(old, new)),
                          carepath.records_from_text(new, RECORDS, "records.yaml", extra_fields(new, old)), AS_OF)
    assert bound == comparison
    with pytest.raises(ValueError, match="bind the same records to both"):
        compare_bound(old, new, carepath.records_from_text(old, VALID_RECORDS), [], AS_OF)


# ---- the command ---------------------------------------------------------------------------


def test_json_follows_the_compare_contract(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "compare", str(files["old"]), str(files["new"]), str(files["records"]), "--format", "json",
                             "--as-of", "2026-01-01")
    assert code == 1  # some records are invalid on one side or both
    document = json.loads(out)
    assert list(document) == ["protocols", "engine", "as_of", "patients", "summary"]
    assert document["protocols"]["a"] == {"name": "old_rule", "version": "1.0",
                                          "sha256": hashlib.sha256(files["old"].read_bytes()).hexdigest()}
    assert document["protocols"]["b"]["name"] == "new_rule"
    assert document["engine"] == {"name": "carepath", "version": carepath.__version__}
    assert document["as_of"] == "2026-01-01"
    patients = document["patients"]
    assert [p["id"] for p in patients] == [f"P{i}" for i in range(1, 9)]
    for patient in patients:
        assert list(patient) == ["id", "a", "b", "changed"]
        assert list(patient["a"]) == list(patient["b"]) == ["status", "decisions", "reasons", "needs", "errors"]
    p2 = patients[1]
    assert p2["a"]["decisions"] == {"risk": "high", "transplant": True, "old_only": False}
    assert p2["b"]["decisions"] == {"risk": "medium", "transplant": None, "new_only": False}
    assert p2["b"]["needs"] == ["mrd"]
    assert p2["changed"] == ["risk", "transplant"]
    assert patients[5]["b"]["status"] == "invalid" and patients[5]["b"]["decisions"] == {}
    assert list(document["summary"]) == ["risk", "transplant"]
    assert document["summary"]["transplant"]["transitions"][0] == {"from": "yes", "to": "no", "count": 1, "patients": ["P1"]}
    assert "invalid record for new_rule: patient 'P6'" in err
    assert "invalid record for old_rule and new_rule: patient 'P7'" in err


def test_json_is_byte_identical_across_runs(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("compare", str(files["old"]), str(files["new"]), str(files["records"]), "--format", "json", "--as-of", "2026-01-01")
    assert run_cli(capsys, *argv)[1] == run_cli(capsys, *argv)[1]


def test_valid_records_exit_0(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "compare", str(files["old"]), str(files["new"]), str(files["valid"]), "--format", "json",
                             "--as-of", "2026-01-01")
    assert code == 0 and err == ""
    assert [p["changed"] for p in json.loads(out)["patients"]] == [["risk", "transplant"], ["risk"]]


def test_the_table_shows_each_change_the_reasons_and_the_summary(files: dict[str, Path], capsys: pytest.CaptureFixture[str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # wide enough that no cell wraps
    code, out, _ = run_cli(capsys, "compare", str(files["old"]), str(files["new"]), str(files["records"]), "--as-of", "2026-01-01")
    assert code == 1
    assert "A = old_rule 1.0 · B = new_rule 2.0 · 8 patients · as of 2026-01-01" in out
    assert "old_only (A only)" in out and "new_only (B only)" in out
    row = next(line for line in out.splitlines() if "│ P2 " in line)
    assert "high → medium" in row and "yes → undetermined" in row
    assert "risk: rearranged" in row  # why in A
    assert "needs mrd" in out
    row = next(line for line in out.splitlines() if "│ P3 " in line)
    assert "standard → low" in row and "risk: not hyper, not rearranged" in row  # otherwise: the criteria that failed
    assert "field 'mrd' value '5 kg'" in out  # the side that rejected P6 says why
    summary = out[out.index("Who changes"):]
    assert any("high" in line and "medium" in line and "P2, P5" in line for line in summary.splitlines())
    assert "changed: risk 5, transplant 3 · invalid: 2 in A, 3 in B" in out
    assert f"A old_rule sha256 {hashlib.sha256(files['old'].read_bytes()).hexdigest()[:12]}" in out


def test_a_broken_protocol_on_either_side_exits_2(files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.care"
    broken.write_text(NEW.replace("mrd >= 0.01 %", "mrd >= 3 kg"), encoding="utf-8")
    for first, second in ((files["old"], broken), (broken, files["old"])):
        code, out, err = run_cli(capsys, "compare", str(first), str(second), str(files["valid"]), "--as-of", "2026-01-01")
        assert code == 2 and out == ""
        assert "CP302" in err and "broken.care" in err


def test_a_missing_records_file_is_a_command_line_error(files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "compare", str(files["old"]), str(files["new"]), str(tmp_path / "nowhere.yaml"), "--as-of", "2026-01-01")
    assert code == 2 and out == ""
    assert "no such records file or directory" in err


def test_compare_needs_two_protocols_and_records(files: dict[str, Path]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["compare", str(files["old"]), str(files["new"])])
    assert raised.value.code == 2
