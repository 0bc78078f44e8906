"""carepath agrees with the HL7 CQL conformance suite on logic, null handling and comparison.

Every case is either translated and checked here or listed in `SKIPS` with its reason; nothing is
skipped at run time, so a disagreement is a failing test.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from cql_translation import REJECTED, SKIPS, Case, Untranslatable, cql_literal, load_cases, run, translate, translations

CASES = load_cases()
TRANSLATED = [case for case in CASES if case.name not in SKIPS]
REPORT = Path(__file__).resolve().parent / "report.py"


@pytest.mark.parametrize("case", TRANSLATED, ids=[case.name for case in TRANSLATED])
def test_carepath_agrees_with_cql(case: Case) -> None:
    translation = translate(case)
    outcome = run(translation)
    assert outcome.passed, (
        f"CQL {case.expression!r} is {cql_literal(translation.expected)}; carepath `{translation.expression}` "
        f"gave {cql_literal(outcome.actual)}\n{translation.protocol}records: {translation.records}"
    )


def test_the_case_file_is_whole() -> None:
    assert len(CASES) == 123
    assert len({case.name for case in CASES}) == len(CASES), "case names are unique, so SKIPS can key on them"


def test_every_case_is_translated_or_skipped_never_both() -> None:
    problems = []
    for case in CASES:
        try:
            translate(case)
        except Untranslatable as reason:
            if case.name not in SKIPS:
                problems.append(f"{case.name}: cannot translate ({reason}) and is not in SKIPS")
        else:
            if case.name in SKIPS:
                problems.append(f"{case.name}: translates, yet SKIPS says {SKIPS[case.name]!r}")
    stale = sorted(set(SKIPS) - {case.name for case in CASES})
    problems.extend(f"{name}: in SKIPS but no such case" for name in stale)
    assert not problems, "\n".join(problems)


def test_translated_cases_expect_true_false_and_null() -> None:
    """A translator that mapped every expected value to one answer could not pass; this keeps it honest."""
    assert {translation.expected for translation in translations(CASES)} == {True, False, None}


def test_translated_protocols_pass_carepath_check(tmp_path: Path) -> None:
    paths = []
    for translation in translations(CASES):
        path = tmp_path / f"{translation.case.name}.care"
        path.write_text(translation.protocol, encoding="utf-8")
        paths.append(path)
    done = subprocess.run([sys.executable, "-m", "carepath.cli", "check", *map(str, paths)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    for path in paths:
        assert f"{path}: 0 errors, " in done.stdout, done.stdout
    # the only warnings allowed: conditions the suite writes as constants on purpose (`false and null`)
    warned = set(re.findall(r": (CP\d{3}) warning", done.stdout))
    assert warned <= {"CP409"}, done.stdout


def test_a_case_marked_invalid_must_be_rejected_by_the_checker() -> None:
    """The suite marks expressions CQL must reject; the harness then expects a carepath check error."""
    type_error = Case("Synthetic", "Invalid", "QuantityGreaterBoolean", "1'cm' > true", (), invalid=True)
    assert translate(type_error).expected == REJECTED
    assert run(translate(type_error)).passed

    accepted = Case("Synthetic", "Invalid", "TrueAndTrue", "true and true", (), invalid=True)
    assert not run(translate(accepted)).passed, "an invalid case that carepath accepts is a failure"


def test_a_wrong_expectation_fails() -> None:
    """The comparison is not vacuous: flipping a case's expected value makes it fail."""
    flipped = Case("Synthetic", "And", "TrueAndNullFlipped", "true and null", ("false",), invalid=False)
    outcome = run(translate(flipped))
    assert outcome.actual is None
    assert not outcome.passed


def test_report_counts_agree_with_the_tests() -> None:
    done = subprocess.run([sys.executable, str(REPORT)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"passed {len(TRANSLATED)}, skipped {len(SKIPS)}, failed 0" in done.stdout, done.stdout
    for name in SKIPS:
        assert name in done.stdout
