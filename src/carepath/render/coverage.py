"""`carepath test`'s report: rule coverage as a rich table (rule outcomes, then feature files, then what
failed or was never exercised), or as a JSON document of the same facts. No timings, so both are
reproducible."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from carepath.analysis.coverage import Coverage, Item, ScenarioRun
from carepath.render import escape
from carepath.render.terminal import cell
from carepath.semantics.trace import StepKind


def percent_text(coverage: Coverage) -> str:
    """One decimal, rounded down: 99.96% is shown as 99.9%, never as a complete 100.0%."""
    return f"{math.floor(coverage.percent * 10) / 10:.1f}%"


def outcome_text(item: Item) -> str:
    return f"{item.outcome} (otherwise)" if item.otherwise and item.kind is StepKind.CLASSIFICATION else item.outcome


def report(coverage: Coverage, fail_under: float | None = None) -> Group:
    return Group(rules_table(coverage), features_table(coverage), summary(coverage, fail_under))


def rules_table(coverage: Coverage) -> Table:
    table = Table(title=cell(f"Rule coverage of {coverage.protocol} ({coverage.path})"), title_justify="left")
    table.add_column("Line", justify="right")
    table.add_column("Rule")
    table.add_column("Kind")
    table.add_column("Outcome")
    table.add_column("Patients", justify="right")
    table.add_column("Runs", justify="right")
    previous: Item | None = None
    for entry in coverage.items:
        item = entry.item
        first = previous is None or item.rule != previous.rule
        # a branch or amount line has its own line; an unknown outcome belongs to the rule, whose line is shown above
        moved = previous is not None and item.line != previous.line and item.outcome not in ("unknown", "undetermined")
        line = str(item.line) if first or moved else ""
        patients = Text(str(entry.patients)) if entry.exercised else Text("never", style="bold red")
        table.add_row(line, cell(item.rule if first else ""), item.kind.value if first else "", cell(outcome_text(item)), patients,
                      str(entry.scenarios) if entry.exercised else "", end_section=False)
        previous = item
    return table


def features_table(coverage: Coverage) -> Table:
    """Per feature file; a Skipped column only when something was skipped."""
    outcomes = ("passed", "failed", "skipped") if any(r.outcome == "skipped" for r in coverage.runs) else ("passed", "failed")
    table = Table(title="Scenario runs by feature file (an outline runs once per example row)", title_justify="left")
    table.add_column("Feature", overflow="fold")
    for name in ("Scenarios", "Runs", *(o.capitalize() for o in outcomes), "Evaluated"):
        table.add_column(name, justify="right")
    for feature in dict.fromkeys([*coverage.features, *(r.feature for r in coverage.runs)]):
        runs = [r for r in coverage.runs if r.feature == feature]
        table.add_row(cell(feature), str(len({(r.line, r.name if r.line == 0 else "") for r in runs})), str(len(runs)),
                      *(str(sum(r.outcome == outcome for r in runs)) for outcome in outcomes), str(sum(bool(r.results) for r in runs)))
    return table


def summary(coverage: Coverage, fail_under: float | None = None) -> Text:
    text = Text()
    text.append(f"{coverage.exercised} of {coverage.total} rule outcomes exercised ({percent_text(coverage)}) "
                f"by {len(coverage.evaluated)} of {len(coverage.runs)} scenario runs, "
                f"{coverage.patients} patient evaluation{'s' * (coverage.patients != 1)}.\n")
    never = coverage.never
    if never:
        text.append("Never exercised:\n", style="bold red")
        for item in never:
            text.append(escape.lines(f"  {item.rule}: {outcome_text(item)} (line {item.line})\n"))
    failed = coverage.failed
    text.append(f"{len(coverage.passed)} passed, {len(failed)} failed", style="bold red" if failed else "green")
    skipped = len(coverage.runs) - len(coverage.passed) - len(failed)
    text.append(f", {skipped} skipped.\n" if skipped else ".\n")
    for run in failed:
        text.append(f"FAILED {escape.text(run.label)}\n", style="bold red")
        if run.step:
            text.append(f"  at: {escape.text(run.step)}\n")
        for line in (run.message or "").splitlines():
            text.append(f"  {escape.text(line)}\n")
    if fail_under is not None:
        below = coverage.below(fail_under)
        text.append(f"Coverage {percent_text(coverage)} is {'below' if below else 'at or above'} --fail-under {fail_under:g}%.\n",
                    style="bold red" if below else "green")
    text.rstrip()
    return text


def document(coverage: Coverage, fail_under: float | None = None) -> dict[str, Any]:
    """The JSON form; item and run order follow the table's."""
    return {
        "protocol": {"name": coverage.protocol, "path": coverage.path, "sha256": coverage.sha256},
        "features": list(coverage.features),
        "coverage": {"items": coverage.total, "exercised": coverage.exercised, "percent": math.floor(coverage.percent * 10) / 10,
                     "fail_under": fail_under, "passed": coverage.meets(fail_under)},
        "items": [{**_item(entry.item), "exercised": entry.exercised, "patients": entry.patients, "runs": entry.scenarios}
                  for entry in coverage.items],
        "never": [_item(item) for item in coverage.never],
        "scenarios": {"scenarios": coverage.scenarios, "runs": len(coverage.runs), "passed": len(coverage.passed),
                      "failed": len(coverage.failed), "skipped": len(coverage.runs) - len(coverage.passed) - len(coverage.failed),
                      "evaluated": len(coverage.evaluated), "patients": coverage.patients},
        "runs": [_run(run) for run in coverage.runs],
    }


def _item(item: Item) -> dict[str, Any]:
    return {"rule": item.rule, "kind": item.kind.value, "outcome": item.outcome, "line": item.line, "otherwise": item.otherwise}


def _run(run: ScenarioRun) -> dict[str, Any]:
    return {"feature": run.feature, "line": run.line, "scenario": run.name, "row": run.row,
            "example": dict(run.example) if run.example else None, "outcome": run.outcome, "patients": len(run.results),
            "step": run.step, "message": run.message}
