"""Golden tests: each protocol × each case in tests/golden/cases/<protocol>/ → the run contract JSON, byte for byte.

Expected files change only with `pytest --update-goldens`. Each case also states, record by record, the
outcome checked by hand against the rule (`about.expected`, or `expected:` beside `records_from:`), so a
golden regenerated from wrong output still fails.
"""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path
from typing import Any

import pytest
import yaml

import carepath
from carepath.render import json as json_render
from carepath.semantics.trace import decision_text

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
AS_OF = dt.date(2026, 1, 1)


def _cases() -> list[Any]:
    cases = []
    for protocol in sorted((ROOT / "protocols").glob("*.care")):
        for case in sorted((GOLDEN / "cases" / protocol.stem).glob("*.yaml")):
            cases.append(pytest.param(protocol, case, id=f"{protocol.stem}/{case.stem}"))
    return cases


CASES = _cases()


def _inputs(case: Path) -> tuple[list[str], dict[str | None, Any], list[Any]]:
    """Record paths (relative to the repository root, so messages are stable) and the hand-checked expectations.

    Returns (paths, expectations by id, expectations in record order); a case with `records_from:` reads
    another file and gives its expectations by id.
    """
    document = yaml.safe_load(case.read_text(encoding="utf-8"))
    if isinstance(document, dict) and "records_from" in document:
        sources = document["records_from"]
        paths = [sources] if isinstance(sources, str) else list(sources)
        return paths, {str(k): v for k, v in document["expected"].items()}, []
    records = document["patients"] if isinstance(document, dict) and "patients" in document else document
    in_order: list[Any] = []
    for record in records:
        about = record.get("about") if isinstance(record, dict) else None
        in_order.append(about if isinstance(about, dict) else {"expected": "invalid"})
    return [case.relative_to(ROOT).as_posix()], {}, in_order


def _render(protocol: Path, paths: list[str]) -> tuple[carepath.Run, str]:
    compiled = carepath.load_protocol(protocol.relative_to(ROOT).as_posix())
    run = carepath.run(compiled, paths, AS_OF)
    return run, json_render.dumps(json_render.run_document(run))


def _check_by_hand(result: carepath.Result, expectation: dict[str, Any] | str) -> None:
    about = {"expected": expectation} if isinstance(expectation, str) else expectation
    if "decisions" in about:  # any protocol: every decision in words (yes, no, undetermined, a branch, "10.4 mg", a day)
        words = {name: decision_text(value) for name, value in result.decisions.items()}
        assert words == {k: str(v) for k, v in about["decisions"].items()}, f"record {result.id!r}"
        assert list(result.needs) == about.get("needs", []), f"record {result.id!r}"
        return
    expected = about["expected"]
    where = f"record {result.id!r}: {about.get('why', '')}"
    if expected == "invalid":
        assert result.status == "invalid", where
        assert result.errors, where
        return
    if expected == "undetermined":
        assert result.status == "undetermined", where
        assert result.decisions == {"risk_group": None, "hsct_referral": None}, where
        assert list(result.needs) == about.get("expected_needs", list(result.needs)), where
        return
    assert result.status == "ok", where
    assert result.decisions == {"risk_group": expected, "hsct_referral": expected == "high"}, where


@pytest.fixture
def at_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the repository root, so file names in messages are relative and the same everywhere."""
    monkeypatch.chdir(ROOT)
    return ROOT


def test_cases_exist() -> None:
    assert {p.id for p in CASES} >= {
        "severance_2011/seed_cohort", "severance_2011/missing_data", "severance_2011/units",
        "severance_2011/invalid", "severance_2011/boundaries",
    }


@pytest.mark.parametrize(("protocol", "case"), CASES)
def test_outcomes_match_the_hand_checked_expectations(protocol: Path, case: Path, at_root: Path) -> None:
    paths, by_id, in_order = _inputs(case)
    run, _ = _render(protocol, paths)
    if by_id:
        assert sorted(r.id for r in run.results if r.id is not None) == sorted(by_id)
        for result in run.results:
            _check_by_hand(result, by_id[result.id])
    else:
        assert len(run.results) == len(in_order)
        for result, expectation in zip(run.results, in_order, strict=True):
            _check_by_hand(result, expectation)


@pytest.mark.parametrize(("protocol", "case"), CASES)
def test_golden(protocol: Path, case: Path, at_root: Path, update_goldens: bool) -> None:
    paths, _, _ = _inputs(case)
    _, actual = _render(protocol, paths)
    expected_path = GOLDEN / "expected" / protocol.stem / f"{case.stem}.json"
    if update_goldens:
        expected_path.parent.mkdir(parents=True, exist_ok=True)
        expected_path.write_text(actual, encoding="utf-8", newline="\n")
        return
    if not expected_path.exists():
        pytest.fail(f"{expected_path.relative_to(ROOT)} does not exist; check the output by hand, then run pytest --update-goldens")
    expected = expected_path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(keepends=True), actual.splitlines(keepends=True),
                                            fromfile=f"{expected_path.relative_to(ROOT)} (expected)", tofile="actual"))
        pytest.fail(f"output differs from the golden file (run pytest --update-goldens if the change is intended):\n{diff}",
                    pytrace=False)


@pytest.mark.parametrize(("protocol", "case"), CASES)
def test_output_is_deterministic(protocol: Path, case: Path, at_root: Path) -> None:
    paths, _, _ = _inputs(case)
    assert _render(protocol, paths)[1].encode("utf-8") == _render(protocol, paths)[1].encode("utf-8")


def test_output_does_not_depend_on_the_hash_seed(at_root: Path) -> None:
    """Sets and dicts must not leak iteration order into the output: two processes, two hash seeds, same bytes."""
    import os
    import subprocess
    import sys

    script = (
        "import datetime as dt, sys, carepath\n"
        "from carepath.render import json as j\n"
        "c = carepath.load_protocol('protocols/severance_2011.care')\n"
        "run = carepath.run(c, ['tests/golden/cases/severance_2011/missing_data.yaml'], dt.date(2026, 1, 1))\n"
        "sys.stdout.write(j.dumps(j.run_document(run)))\n"
    )
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        outputs.append(subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, check=True).stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0] == (GOLDEN / "expected" / "severance_2011" / "missing_data.json").read_bytes()
