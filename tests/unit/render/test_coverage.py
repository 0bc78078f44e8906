"""`carepath test`'s report: the percentage (rounded down), the rules table, the per-feature table, the summary
text and the JSON document, on a `Coverage` built by hand so that every count below follows from it.

The coverage: nine rule outcomes, six exercised (66.66…%), three never; five scenario runs over four feature
files, of which two passed, two failed and one was skipped; three runs evaluated 2 + 1 + 1 = 4 patients.
"""

from __future__ import annotations

import datetime as dt
import functools

from rich.console import Console
from rich.table import Table
from rich.text import Text

import carepath
from carepath import Source
from carepath.analysis.coverage import Coverage, Item, ItemCoverage, ScenarioRun, measure
from carepath.render import coverage as view
from carepath.runtime.engine import Result
from carepath.semantics.trace import StepKind

AS_OF = dt.date(2026, 1, 1)
ONE_RULE = "protocol t\ninput\n  x : boolean\nrecommend r: when x\n"  # `r` on line 4
SHA = "ab" * 32
FEATURES = ("features/a.feature", "features/b.feature", "features/c.feature")  # c.feature has no runs

ITEMS = (
    ItemCoverage(Item("very_high", StepKind.CRITERION, "holds", 4), 0, 0),
    ItemCoverage(Item("very_high", StepKind.CRITERION, "does not hold", 4), 3, 2),
    ItemCoverage(Item("very_high", StepKind.CRITERION, "unknown", 4), 1, 1),
    ItemCoverage(Item("band", StepKind.CLASSIFICATION, "extreme", 6), 0, 0),
    ItemCoverage(Item("band", StepKind.CLASSIFICATION, "raised", 7), 2, 1),
    ItemCoverage(Item("band", StepKind.CLASSIFICATION, "ordinary", 8, otherwise=True), 1, 1),
    ItemCoverage(Item("band", StepKind.CLASSIFICATION, "undetermined", 5), 1, 1),
    ItemCoverage(Item("drug", StepKind.DOSE, "2 mg otherwise", 11, otherwise=True), 3, 2),
    ItemCoverage(Item("drug", StepKind.DOSE, "undetermined", 10), 0, 0),
)


@functools.cache
def one_rule() -> carepath.CompiledProtocol:
    return carepath.compile_source(Source("t.care", ONE_RULE))


@functools.cache
def results(count: int) -> tuple[Result, ...]:
    """`count` real results of a one-rule protocol, each with `x` true; the report only counts them."""
    compiled = one_rule()
    records = carepath.records_from_text(compiled, "".join(f"- {{id: P{i}, x: true}}\n" for i in range(count)))
    return tuple(carepath.evaluate(compiled, record, AS_OF) for record in records)


def runs(skipped: bool = True) -> tuple[ScenarioRun, ...]:
    found = (
        ScenarioRun("features/a.feature", 3, "Outline 1", "passed", (("x", "1"),), 1, results(2)),
        ScenarioRun("features/a.feature", 3, "Outline 2", "passed", (("x", "2"),), 2, results(1)),
        ScenarioRun("features/a.feature", 10, "plain", "failed", results=results(1), step="Then x (line 12)", message="expected a\ngot b"),
        ScenarioRun("features/b.feature", 4, "later", "skipped"),
        ScenarioRun("features/d.feature", 0, "could not be collected", "failed", message="no such step"),
    )
    return found if skipped else tuple(r for r in found if r.outcome != "skipped")


def coverage(skipped: bool = True) -> Coverage:
    return Coverage("bands", "protocols/bands.care", SHA, FEATURES, ITEMS, runs(skipped))


def cells(table: Table) -> list[list[str]]:
    """The table's rows as plain text."""
    columns = [[cell.plain if isinstance(cell, Text) else str(cell) for cell in column.cells] for column in table.columns]
    return [list(row) for row in zip(*columns, strict=True)]


def test_the_percentage_is_rounded_down_to_one_decimal() -> None:
    assert view.percent_text(coverage()) == "66.6%"  # 6 of 9 is 66.66…%: rounding to nearest would claim 66.7%
    one_of_three = Coverage("p", "p.care", SHA, (), (ITEMS[1], ITEMS[0], ITEMS[3]), ())
    assert view.percent_text(one_of_three) == "33.3%"
    assert view.percent_text(Coverage("p", "p.care", SHA, (), (), ())) == "100.0%"  # nothing to exercise


def test_only_a_classifications_otherwise_branch_is_marked() -> None:
    assert [view.outcome_text(i.item) for i in ITEMS] == [
        "holds", "does not hold", "unknown", "extreme", "raised", "ordinary (otherwise)", "undetermined",
        "2 mg otherwise", "undetermined",  # a dose's otherwise line already says so
    ]


def test_the_rules_table_shows_each_rule_once_and_a_line_where_it_moves() -> None:
    table = view.rules_table(coverage())
    assert str(table.title) == "Rule coverage of bands (protocols/bands.care)"
    assert [c.header for c in table.columns] == ["Line", "Rule", "Kind", "Outcome", "Patients", "Runs"]
    assert cells(table) == [
        ["4", "very_high", "criterion", "holds", "never", ""],
        ["", "", "", "does not hold", "3", "2"],
        ["", "", "", "unknown", "1", "1"],
        ["6", "band", "classification", "extreme", "never", ""],
        ["7", "", "", "raised", "2", "1"],  # a branch on its own line
        ["8", "", "", "ordinary (otherwise)", "1", "1"],
        ["", "", "", "undetermined", "1", "1"],  # belongs to the rule, whose line is above
        ["11", "drug", "dose", "2 mg otherwise", "3", "2"],
        ["", "", "", "undetermined", "never", ""],
    ]
    never = next(iter(table.columns[4].cells))
    assert isinstance(never, Text) and never.style == "bold red"


def test_the_features_table_counts_per_file_with_skipped_only_when_some_were() -> None:
    table = view.features_table(coverage())
    assert [c.header for c in table.columns] == ["Feature", "Scenarios", "Runs", "Passed", "Failed", "Skipped", "Evaluated"]
    assert cells(table) == [
        ["features/a.feature", "2", "3", "2", "1", "0", "3"],  # an outline's two rows are one scenario
        ["features/b.feature", "1", "1", "0", "0", "1", "0"],
        ["features/c.feature", "0", "0", "0", "0", "0", "0"],  # run, but nothing in it ran
        ["features/d.feature", "1", "1", "0", "1", "0", "0"],  # only in the runs: a file that could not be collected
    ]
    without = view.features_table(coverage(skipped=False))
    assert [c.header for c in without.columns] == ["Feature", "Scenarios", "Runs", "Passed", "Failed", "Evaluated"]
    assert cells(without)[1] == ["features/b.feature", "0", "0", "0", "0", "0"]


def test_the_summary_names_what_never_ran_and_what_failed() -> None:
    assert view.summary(coverage(), fail_under=50).plain == (
        "6 of 9 rule outcomes exercised (66.6%) by 3 of 5 scenario runs, 4 patient evaluations.\n"
        "Never exercised:\n"
        "  very_high: holds (line 4)\n"
        "  band: extreme (line 6)\n"
        "  drug: undetermined (line 10)\n"
        "2 passed, 2 failed, 1 skipped.\n"
        "FAILED features/a.feature:10 plain\n"
        "  at: Then x (line 12)\n"
        "  expected a\n"
        "  got b\n"
        "FAILED features/d.feature:0 could not be collected\n"
        "  no such step\n"
        "Coverage 66.6% is at or above --fail-under 50%."
    )


def test_fail_under_is_compared_exactly_and_said_below_only_when_below() -> None:
    # 6 of 9 is 66.666…: 66.66 is met, 66.67 is not, though both display as 66.6%
    assert view.summary(coverage(), fail_under=66.66).plain.endswith("Coverage 66.6% is at or above --fail-under 66.66%.")
    assert view.summary(coverage(), fail_under=66.67).plain.endswith("Coverage 66.6% is below --fail-under 66.67%.")
    assert "--fail-under" not in view.summary(coverage()).plain


def test_a_clean_run_has_no_never_or_failed_lines() -> None:
    passed = (ScenarioRun("features/a.feature", 3, "only", "passed", results=results(1)),)
    exercised = tuple(i for i in ITEMS if i.patients)
    text = view.summary(Coverage("bands", "protocols/bands.care", SHA, FEATURES[:1], exercised, passed)).plain
    assert text == "6 of 6 rule outcomes exercised (100.0%) by 1 of 1 scenario runs, 1 patient evaluation.\n1 passed, 0 failed."


def test_the_document_carries_the_same_facts_in_table_order() -> None:
    document = view.document(coverage(), fail_under=50)
    assert list(document) == ["protocol", "features", "coverage", "items", "never", "scenarios", "runs"]
    assert document["protocol"] == {"name": "bands", "path": "protocols/bands.care", "sha256": SHA}
    assert document["features"] == list(FEATURES)
    # above the threshold, but runs failed: not passed
    assert document["coverage"] == {"items": 9, "exercised": 6, "percent": 66.6, "fail_under": 50, "passed": False}
    assert document["items"][5] == {"rule": "band", "kind": "classification", "outcome": "ordinary", "line": 8, "otherwise": True,
                                    "exercised": True, "patients": 1, "runs": 1}
    assert [(i["rule"], i["outcome"]) for i in document["never"]] == [("very_high", "holds"), ("band", "extreme"), ("drug", "undetermined")]
    assert document["scenarios"] == {"scenarios": 4, "runs": 5, "passed": 2, "failed": 2, "skipped": 1, "evaluated": 3, "patients": 4}
    assert document["runs"][0] == {"feature": "features/a.feature", "line": 3, "scenario": "Outline 1", "row": 1, "example": {"x": "1"},
                                   "outcome": "passed", "patients": 2, "step": None, "message": None}
    assert document["runs"][2]["example"] is None and document["runs"][2]["step"] == "Then x (line 12)"


def test_a_measured_coverage_reports_as_a_rules_table_a_features_table_and_a_summary() -> None:
    measured = measure(one_rule(), [ScenarioRun("features/t.feature", 2, "s", "passed", results=results(2))], ["features/t.feature"])
    group = view.report(measured)
    assert [type(part) for part in group.renderables] == [Table, Table, Text]
    console = Console(width=120, record=True, color_system=None)
    console.print(group)
    shown = console.export_text()
    # `r` is yes for both patients (x is true); no and undetermined (x can be missing) never happen
    assert "1 of 3 rule outcomes exercised (33.3%) by 1 of 1 scenario runs, 2 patient evaluations." in shown
    assert "  r: no (line 4)\n  r: undetermined (line 4)\n" in shown
