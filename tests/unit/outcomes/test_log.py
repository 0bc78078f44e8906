"""The decision log: one line per decision with its provenance, a hash chain across appends, and `verify`
naming the first line edited, removed or reordered."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import carepath
from carepath.compile.compiler import CompiledProtocol
from carepath.data.records import InvalidRecord, PatientRecord
from carepath.outcomes.log import GENESIS, LINE_CHARACTERS, append, chained, entries, last_hash, verify
from carepath.runtime.engine import evaluate_all
from tests.unit.outcomes.conftest import AS_OF

STAMP = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def log(tmp_path: Path, seed: CompiledProtocol, cohort: list[PatientRecord | InvalidRecord]) -> Path:
    path = tmp_path / "decisions.jsonl"
    assert append(path, evaluate_all(seed, cohort, AS_OF, trace=False), STAMP) == 18  # 9 patients × 2 decisions
    return path


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def test_each_line_carries_its_provenance(log: Path) -> None:
    first = json.loads(_lines(log)[0])
    assert (first["patient"], first["decision"], first["value"], first["as_of"]) == ("1", "risk_group", "high", "2011-02-28")
    assert first["protocol"]["name"] == "severance_2011" and len(first["protocol"]["sha256"]) == 64
    assert first["engine"]["name"] == "carepath" and first["timestamp"] == "2026-01-01T12:00:00+00:00"
    assert {f["input"] for f in first["facts"]} == {"age_at_diagnosis", "wbc_at_diagnosis", "mll"}
    assert first["hash"] == chained(GENESIS, first)
    assert verify(log).ok and verify(log).lines == 18


def test_the_chain_continues_across_appends(log: Path, seed: CompiledProtocol, cohort: list[PatientRecord | InvalidRecord]) -> None:
    before = last_hash(log)
    append(log, evaluate_all(seed, cohort, AS_OF, trace=False), STAMP)
    assert json.loads(_lines(log)[18])["hash"] == chained(before, json.loads(_lines(log)[18]))
    assert verify(log).lines == 36


def test_an_edited_line_is_named(log: Path) -> None:
    lines = _lines(log)
    lines[6] = lines[6].replace('"value": "high"', '"value": "standard"')  # patient 4's risk group
    assert '"standard"' in lines[6]
    log.write_text("".join(lines), encoding="utf-8")
    verdict = verify(log)
    assert (verdict.ok, verdict.bad_line, verdict.lines) == (False, 7, 6)


def test_a_removed_line_is_found_at_the_gap(log: Path) -> None:
    lines = _lines(log)
    del lines[6]
    log.write_text("".join(lines), encoding="utf-8")
    assert verify(log).bad_line == 7


def test_reordered_lines_are_found(log: Path) -> None:
    lines = _lines(log)
    lines[2], lines[3] = lines[3], lines[2]
    log.write_text("".join(lines), encoding="utf-8")
    assert verify(log).bad_line == 3


def test_a_line_that_is_not_json_or_has_no_hash(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text("{}\n", encoding="utf-8")
    assert verify(path).problem == "no hash"
    path.write_text("not json\n", encoding="utf-8")
    assert verify(path).bad_line == 1
    with pytest.raises(ValueError, match="no hash"):
        last_hash(path)
    assert last_hash(tmp_path / "new.jsonl") == GENESIS


def test_an_invalid_record_is_one_line_with_its_errors(seed: CompiledProtocol) -> None:
    records = carepath.records_from_text(seed, "- id: a\n  mll: transloc\n")
    (entry,) = entries(evaluate_all(seed, records, AS_OF, trace=False), STAMP)
    assert entry["status"] == "invalid" and entry["decision"] is None and entry["errors"][0].startswith("CP504")


def test_a_log_rewritten_from_its_first_line_is_found_only_by_a_hash_kept_elsewhere(
        log: Path, seed: CompiledProtocol, cohort: list[PatientRecord | InvalidRecord]) -> None:
    kept = verify(log).last
    assert kept == last_hash(log) and verify(log, kept).kept_at == 18
    append(log, evaluate_all(seed, cohort, AS_OF, trace=False), STAMP)  # the log grows: the kept line is still there
    assert (verify(log, kept).ok, verify(log, kept).kept_at, verify(log, kept.upper()).kept_at) == (True, 18, 18)
    rewritten = [json.loads(line) for line in _lines(log)][:18]
    rewritten[6]["value"] = "standard"  # patient 4's risk group, and every hash after it made anew
    previous, text = GENESIS, ""
    for entry in rewritten:
        entry["hash"] = previous = chained(previous, entry)
        text += json.dumps(entry) + "\n"
    log.write_text(text, encoding="utf-8")
    assert verify(log).ok  # a chain of its own holds ...
    assert verify(log, kept).kept_at is None  # ... but the hash kept elsewhere is on no line


def test_a_device_a_line_past_the_limit_or_json_nested_too_deep_is_told_never_read_whole(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a regular file"):
        verify(Path("/dev/zero"))  # an endless line
    with pytest.raises(ValueError, match="not a regular file"):
        last_hash(Path("/dev/zero"))
    long = tmp_path / "long.jsonl"
    long.write_text("{}\n" + "x" * (LINE_CHARACTERS + 10) + "\n", encoding="utf-8")
    assert (verify(long).bad_line, verify(long).problem) == (1, "no hash")
    long.write_text("x" * (LINE_CHARACTERS + 10), encoding="utf-8")
    assert verify(long).problem == "longer than 1,000,000 characters: not a log line"
    with pytest.raises(ValueError, match="no hash"):
        last_hash(long)
    deep = tmp_path / "deep.jsonl"
    deep.write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}\n", encoding="utf-8")
    assert verify(deep).bad_line == 1 and "nested past" in (verify(deep).problem or "")
    with pytest.raises(ValueError, match="no hash"):
        last_hash(deep)
