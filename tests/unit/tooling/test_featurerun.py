"""`carepath test`: rule coverage of a protocol's scenarios, failing scenarios reported, `--fail-under` for CI.

The seed protocol's numbers below are counted by hand from its feature files (see the comments), not
copied from a run: the nine-patient cohort is evaluated by twelve scenario runs, and each hand-written
patient adds its own outcomes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import carepath
from carepath import cli
from carepath.analysis.coverage import Coverage
from carepath.tooling.featurerun import FeatureRunError, cover, names_protocol, select

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT / "protocols" / "severance_2011.care"

# ---- the seed protocol ---------------------------------------------------------------------------

# The feature files whose steps name protocols/severance_2011.care (grep 'the protocol.*severance_2011.care').
SEED_FEATURES = [
    "features/compare.feature",
    "features/outcomes.feature",
    "features/protocol_checks.feature",
    "features/seed_patients_4_and_6.feature",
    "features/severance_2011.feature",
    "features/severance_2011_ages.feature",
    "features/severance_2011_missing_data.feature",
    "features/severance_2011_timing.feature",
    "features/severance_2011_units.feature",
    "features/unit_typos.feature",
]

# Patients per outcome, all from passing runs. The cohort (Table 1) is evaluated by 15 runs (9 outline rows
# + 3 scenarios in severance_2011.feature, 2 rows + 1 scenario in seed_patients_4_and_6.feature):
# per run, under 6 months holds for 4 and 6, hyperleukocytosis for
# 5, 6, 7, 9, translocation for 1, 8, 9; 7 high / 2 standard. Then, one patient each unless said:
#   severance_2011.feature  "duplication" (F F F standard), "translocation" (F F T high)
#   ages.feature outline    5 months, 180 days (T F F high); 183 days (U F F undetermined); 185 days, 6 months (F F F standard)
#   ages.feature            183 days (U F F undetermined); born in July, 5 completed months (T F F high);
#                           born in January, 6 months (F F F standard); an age contradicting the dates (rejected)
#   missing_data.feature    X (F U F undetermined), Y (F U T high), Z (T F U high), W (F F U undetermined),
#                           empty (U U U undetermined)
#   units.feature           patient 6 in 10*9/L (T T F high); outline: 4 at or above 50,000 (F T F high), 2 below (F F F standard)
#   unit_typos.feature      "1, per µL" (F F T high); "1" in /mL (rejected)
#   timing.feature          diagnosed at 4 months, WBC 60,000 (T T F high); at 7 months twice and without dates
#                           (F T F high); 7 months, 49,999 (F F F standard)
# 15 × 9 + 2 + 5 + 4 + 5 + 7 + 2 + 5 = 165 evaluations, 2 rejected, 163 with a trace.
SEED_PATIENTS = {
    ("infant_under_6_months", "holds"): 15 * 2 + 2 + 1 + 1 + 1 + 1,  # cohort, 5 months & 180 days, July, Z, patient 6, timing
    ("infant_under_6_months", "does not hold"): 15 * 7 + 2 + 2 + 1 + 3 + 6 + 1 + 4,
    ("infant_under_6_months", "unknown"): 3,  # 183 days twice, empty
    ("hyperleukocytosis", "holds"): 15 * 4 + 1 + 4 + 4,
    ("hyperleukocytosis", "does not hold"): 15 * 5 + 2 + 5 + 1 + 2 + 2 + 2 + 1 + 1,
    ("hyperleukocytosis", "unknown"): 3,  # X, Y, empty
    ("mll_translocation", "holds"): 15 * 3 + 1 + 1 + 1,  # cohort, "translocation", Y, "1, per µL"
    ("mll_translocation", "does not hold"): 15 * 6 + 1 + 5 + 1 + 2 + 1 + 7 + 5,
    ("mll_translocation", "unknown"): 3,  # Z, W, empty
    ("risk_group", "high"): 15 * 7 + 1 + 2 + 1 + 2 + 1 + 4 + 1 + 4,
    ("risk_group", "standard"): 15 * 2 + 1 + 2 + 1 + 2 + 1,
    ("risk_group", "undetermined"): 5,  # 183 days twice, X, W, empty
    ("hsct_referral", "yes"): 121,  # exactly the high-risk patients
    ("hsct_referral", "no"): 37,
    ("hsct_referral", "undetermined"): 5,
}
# Runs per outcome, where they follow simply: each unknown patient above is alone in its run.
SEED_RUNS = {("infant_under_6_months", "unknown"): 3, ("hyperleukocytosis", "unknown"): 3, ("mll_translocation", "unknown"): 3,
             ("risk_group", "undetermined"): 5, ("hsct_referral", "undetermined"): 5,
             ("risk_group", "high"): 15 + 1 + 2 + 1 + 2 + 1 + 4 + 1 + 4, ("risk_group", "standard"): 15 + 1 + 2 + 1 + 2 + 1}


@pytest.fixture(scope="module")
def seed_coverage() -> Coverage:
    """The seed protocol's own features, found by the path their steps give, run once for this module."""
    coverage, notes = cover(Path("protocols/severance_2011.care"), carepath.load_protocol(SEED), [], ROOT)
    assert notes == []
    return coverage


def by_outcome(coverage: Coverage) -> dict[tuple[str, str], tuple[int, int]]:
    return {(i.item.rule, i.item.outcome): (i.patients, i.scenarios) for i in coverage.items}


def test_the_seed_features_are_found_by_the_protocol_path_they_name(seed_coverage: Coverage) -> None:
    assert list(seed_coverage.features) == SEED_FEATURES
    assert not names_protocol(ROOT / "features" / "interfant06.feature", SEED, ROOT)


def test_the_seed_protocol_has_fifteen_items_all_exercised(seed_coverage: Coverage) -> None:
    # 3 criteria × (holds, does not hold, unknown) + risk_group (high, standard, undetermined) + hsct_referral (yes, no, undetermined)
    assert [(i.item.rule, i.item.outcome) for i in seed_coverage.items] == list(SEED_PATIENTS)
    assert (seed_coverage.exercised, seed_coverage.total, seed_coverage.percent) == (15, 15, 100.0)
    assert seed_coverage.never == ()
    standard = next(i.item for i in seed_coverage.items if i.item.outcome == "standard")
    assert standard.otherwise and standard.line == 43


def test_every_criterion_true_and_false_both_branches_and_referral_yes_and_no(seed_coverage: Coverage) -> None:
    patients = {key: count for key, (count, _) in by_outcome(seed_coverage).items()}
    assert patients == SEED_PATIENTS
    assert sum(count for (rule, _), count in SEED_PATIENTS.items() if rule == "risk_group") == 163


def test_runs_per_outcome_on_the_seed(seed_coverage: Coverage) -> None:
    runs = {key: count for key, (_, count) in by_outcome(seed_coverage).items()}
    assert {key: runs[key] for key in SEED_RUNS} == SEED_RUNS


def test_scenario_and_example_row_counts_on_the_seed(seed_coverage: Coverage) -> None:
    # runs: compare 4 + 3 rows; outcomes 5; checks 6; patients 4 and 6: 2 + 4 rows + 3; severance 4 + 9 rows;
    # ages 3 + 5 rows + 2 rows; missing data 5; timing 2 + 3 rows; units 1 + 6 rows; unit typos 2 + 6 rows
    assert len(seed_coverage.runs) == 7 + 5 + 6 + 9 + 13 + 10 + 5 + 5 + 7 + 8 == 75
    assert seed_coverage.scenarios == 5 + 5 + 6 + 5 + 5 + 5 + 5 + 3 + 2 + 3
    assert len(seed_coverage.passed) == 75 and seed_coverage.failed == ()
    # only CarepathState evaluations under this protocol count: not checks, comparisons or other protocols' text
    assert len(seed_coverage.evaluated) == 13 + 8 + 5 + 7 + 1 + 3 + 5 == 42
    assert seed_coverage.patients == 165
    assert sum(r.status == "invalid" for run in seed_coverage.runs for r in run.results) == 2
    row = next(r for r in seed_coverage.runs if r.feature == "features/severance_2011.feature" and r.row == 6)
    assert (row.line, row.name, dict(row.example)["patient"], len(row.results)) == (8, "Table 1, patient 6", "6", 9)


# ---- a protocol written for the test -------------------------------------------------------------

BANDS = """protocol wbc_bands "WBC bands"
input
  wbc : quantity /uL plausible 100 /uL .. 2000000 /uL
criterion very_high "WBC of 300,000/µL or more": wbc >= 300000 /uL
classify band "WBC band":
  extreme  when very_high
  raised   when wbc >= 50000 /uL
  ordinary otherwise
"""

FEATURE = """@carepath
Feature: WBC bands
  Scenario Outline: A WBC of <wbc>
    Given the protocol "protocols/wbc_bands.care"
    And a patient "P" with:
      | field | value |
      | wbc   | <wbc> |
    When the protocol is evaluated
    Then patient "P" is assigned "<band>" for "band"

    Examples:
      | wbc       | band     |
      | 60000 /uL | raised   |
      | 8000 /uL  | ordinary |
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with one protocol whose `extreme` branch no scenario reaches; commands run from its root."""
    (tmp_path / "protocols").mkdir()
    (tmp_path / "features").mkdir()
    (tmp_path / "protocols" / "wbc_bands.care").write_text(BANDS, encoding="utf-8")
    (tmp_path / "features" / "wbc_bands.feature").write_text(FEATURE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "120")  # summary lines unwrapped
    return tmp_path


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(["test", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_an_untested_branch_is_reported_as_never_exercised(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "protocols/wbc_bands.care", "--format", "json")
    assert code == 0  # both scenarios pass; without --fail-under low coverage alone does not fail
    document = json.loads(out)
    never = [(i["rule"], i["outcome"]) for i in document["never"]]
    # 60000 → raised, 8000 → ordinary: very_high never holds, extreme is never taken, nothing is ever missing
    assert never == [("very_high", "holds"), ("very_high", "unknown"), ("band", "extreme"), ("band", "undetermined")]
    assert document["coverage"] == {"items": 7, "exercised": 3, "percent": 42.8, "fail_under": None, "passed": True}
    extreme = next(i for i in document["items"] if i["outcome"] == "extreme")
    assert extreme == {"rule": "band", "kind": "classification", "outcome": "extreme", "line": 6, "otherwise": False,
                       "exercised": False, "patients": 0, "runs": 0}


def test_the_table_names_what_was_never_exercised(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "protocols/wbc_bands.care")
    assert code == 0
    assert "3 of 7 rule outcomes exercised (42.8%) by 2 of 2 scenario runs, 2 patient evaluations." in out
    assert "  band: extreme (line 6)\n" in out
    assert "never" in out.split("Scenario runs by feature file")[0]
    assert "2 passed, 0 failed." in out


@pytest.mark.parametrize(("threshold", "exit_code"), [("0", 0), ("42", 0), ("42.85", 0), ("42.86", 1), ("43", 1), ("100", 1)])
def test_fail_under_compares_the_exact_percentage(project: Path, capsys: pytest.CaptureFixture[str], threshold: str, exit_code: int) -> None:
    """3 of 7 items is 42.857…%: at or above 42.85 passes, 42.86 does not, whatever the one-decimal display says."""
    code, out, _ = run_cli(capsys, "protocols/wbc_bands.care", "--fail-under", threshold)
    assert code == exit_code
    assert ("is below --fail-under" in out) == (exit_code == 1)


def test_fail_under_outside_0_to_100_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "protocols/wbc_bands.care", "--fail-under", "120")
    assert code == 2 and "from 0 to 100" in err


def test_a_failing_scenario_is_reported_and_exits_1(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feature = project / "features" / "wbc_bands.feature"
    feature.write_text(FEATURE + "      | 400000 /uL | raised   |\n", encoding="utf-8")  # really extreme
    code, out, _ = run_cli(capsys, "protocols/wbc_bands.care", "--fail-under", "0")
    assert code == 1  # a failure is never outweighed by coverage
    assert "2 passed, 1 failed." in out
    assert "FAILED features/wbc_bands.feature:3 A WBC of 400000 /uL [row 3]" in out
    assert 'at: Then patient "P" is assigned "raised" for "band" (line 9)' in out
    assert "expected band = raised, got extreme" in out
    code, out, _ = run_cli(capsys, "protocols/wbc_bands.care", "--format", "json")
    document = json.loads(out)
    failed = [r for r in document["runs"] if r["outcome"] == "failed"]
    assert [(r["row"], r["example"], r["patients"]) for r in failed] == [(3, {"wbc": "400000 /uL", "band": "raised"}, 1)]
    assert "expected band = raised, got extreme" in failed[0]["message"]
    assert document["scenarios"] == {"scenarios": 1, "runs": 3, "passed": 2, "failed": 1, "skipped": 0, "evaluated": 3, "patients": 3}
    # the failing run's patient reached `extreme`, but a run whose expectations failed exercises nothing
    assert ("band", "extreme") in [(i["rule"], i["outcome"]) for i in document["never"]]
    assert document["coverage"]["passed"] is False


def test_a_step_with_no_definition_fails_its_scenario(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feature = project / "features" / "wbc_bands.feature"
    feature.write_text(FEATURE.replace('    Then patient "P"', '    Then the moon is full\n    And patient "P"'), encoding="utf-8")
    code, out, _ = run_cli(capsys, "protocols/wbc_bands.care")
    assert code == 1
    assert "0 passed, 2 failed." in out
    assert "at: Then the moon is full (line 9)" in out


def test_a_feature_that_cannot_be_parsed_is_a_failure_not_a_silence(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "features" / "broken.feature").write_text(
        '@carepath\nFeature: Broken\n  Scenario Outline: x\n    Given the protocol "protocols/wbc_bands.care"\n    Then <a>\n\n'
        "    Examples:\n      | a | b |\n      | 1 |\n", encoding="utf-8")  # a row with too few cells
    code, out, _ = run_cli(capsys, "protocols/wbc_bands.care", "--format", "json")
    assert code == 1
    document = json.loads(out)
    broken = [r for r in document["runs"] if r["feature"] == "features/broken.feature"]
    assert [(r["outcome"], r["scenario"]) for r in broken] == [("failed", "could not be collected")]
    assert "inconsistent cell count" in broken[0]["message"]
    assert document["scenarios"]["passed"] == 2  # the other file still ran


def test_json_shape(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "protocols/wbc_bands.care", "--format", "json", "--fail-under", "40")
    assert code == 0
    document = json.loads(out)
    assert list(document) == ["protocol", "features", "coverage", "items", "never", "scenarios", "runs"]
    assert document["protocol"]["name"] == "wbc_bands" and document["protocol"]["path"] == "protocols/wbc_bands.care"
    assert len(document["protocol"]["sha256"]) == 64
    assert document["features"] == ["features/wbc_bands.feature"]
    assert document["coverage"] == {"items": 7, "exercised": 3, "percent": 42.8, "fail_under": 40.0, "passed": True}
    assert [list(i) for i in document["items"]] == [["rule", "kind", "outcome", "line", "otherwise", "exercised", "patients", "runs"]] * 7
    assert [(i["rule"], i["outcome"], i["patients"]) for i in document["items"] if i["exercised"]] == [
        ("very_high", "does not hold", 2), ("band", "raised", 1), ("band", "ordinary", 1)]
    assert document["runs"] == [
        {"feature": "features/wbc_bands.feature", "line": 3, "scenario": "A WBC of 60000 /uL", "row": 1,
         "example": {"wbc": "60000 /uL", "band": "raised"}, "outcome": "passed", "patients": 1, "step": None, "message": None},
        {"feature": "features/wbc_bands.feature", "line": 3, "scenario": "A WBC of 8000 /uL", "row": 2,
         "example": {"wbc": "8000 /uL", "band": "ordinary"}, "outcome": "passed", "patients": 1, "step": None, "message": None},
    ]


# ---- which feature files ---------------------------------------------------------------------------


def test_features_are_found_by_protocol_path_and_others_left_alone(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = FEATURE.replace("protocols/wbc_bands.care", "protocols/other.care")
    (project / "features" / "other.feature").write_text(other, encoding="utf-8")
    pair = FEATURE.replace('the protocol "protocols/wbc_bands.care"', 'the protocols "protocols/x.care" and "./protocols/wbc_bands.care"')
    (project / "features" / "nested").mkdir()
    (project / "features" / "nested" / "pair.feature").write_text(pair, encoding="utf-8")
    (project / ".hidden").mkdir()
    (project / ".hidden" / "copy.feature").write_text(FEATURE, encoding="utf-8")
    files, notes = select(Path("protocols/wbc_bands.care"), [], project)
    assert [f.relative_to(project).as_posix() for f in files] == ["features/wbc_bands.feature", "features/nested/pair.feature"]
    assert notes == []


def test_a_discovered_feature_without_the_tag_is_noted(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "features" / "untagged.feature").write_text(FEATURE.removeprefix("@carepath\n"), encoding="utf-8")
    code, _, err = run_cli(capsys, "protocols/wbc_bands.care")
    assert code == 0
    assert "note: features/untagged.feature: left out (a feature file is run only when its Feature is tagged @carepath)" in err


def test_a_named_feature_without_the_tag_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "features" / "untagged.feature").write_text(FEATURE.removeprefix("@carepath\n"), encoding="utf-8")
    code, _, err = run_cli(capsys, "protocols/wbc_bands.care", "features/untagged.feature")
    assert code == 2 and "tagged @carepath" in err


def test_named_features_only_are_run(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "features" / "more.feature").write_text(FEATURE.replace("Scenario Outline: A WBC", "Scenario Outline: Another WBC"), encoding="utf-8")
    code, out, _ = run_cli(capsys, "protocols/wbc_bands.care", "features/more.feature", "--format", "json")
    assert code == 0
    assert json.loads(out)["features"] == ["features/more.feature"]
    assert {r["scenario"] for r in json.loads(out)["runs"]} == {"Another WBC of 60000 /uL", "Another WBC of 8000 /uL"}


@pytest.mark.parametrize(("argv", "message"), [
    (["protocols/wbc_bands.care", "features/nothing.feature"], "no such feature file"),
    (["protocols/wbc_bands.care", "protocols/wbc_bands.care"], "is not a .feature file"),
])
def test_bad_feature_paths_are_usage_errors(project: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    code, _, err = run_cli(capsys, *argv)
    assert code == 2 and message in err


def test_no_feature_naming_the_protocol_is_a_usage_error(project: Path) -> None:
    (project / "features" / "wbc_bands.feature").unlink()
    with pytest.raises(FeatureRunError, match="no feature file"):
        select(Path("protocols/wbc_bands.care"), [], project)
