"""`carepath test`'s runner: a protocol's feature files run in-process by pytest with carepath's shipped steps,
keeping, run by run, every traced result the scenarios evaluated under that protocol.

Which feature files: those named on the command line (a directory stands for the `.feature` files under
it), or else every `.feature` file under the project root (hidden directories, `__pycache__`,
`node_modules` and virtual environments aside) with a step `the protocol "PATH"` or
`the protocols "PATH" and "…"` whose PATH, read from the project root as the steps read it, is the
protocol's file. The shipped steps collect a feature file only when its Feature is tagged `@carepath`:
a named file without the tag is an error, a found one is left out with a note.

Results are matched to the protocol by the SHA-256 of its text, so a scenario that gives the same text
inline counts too, and one about another protocol in the same file runs (its failures are reported) but
adds no coverage. Comparisons (`When the protocols are compared`) evaluate without a trace and add none.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd.scenario import scenario_wrapper_template_registry
from pytest_bdd.utils import registry_get_safe

from carepath.analysis.coverage import Coverage, ScenarioRun, measure
from carepath.compile.compiler import CompiledProtocol
from carepath.runtime.engine import Result, Run
from carepath.tooling import bdd, scenario

PROTOCOL_STEP = re.compile(r'^[ \t]*(?:Given|When|Then|And|But|\*)[ \t]+the protocols?[ \t]+"([^"]+)"(?:[ \t]+and[ \t]+"([^"]+)")?',
                           re.MULTILINE)
SKIPPED = {"__pycache__", "node_modules"}
UNTAGGED = "a feature file is run only when its Feature is tagged @carepath"


class FeatureRunError(Exception):
    """The features could not be run at all: none found, a path that is not a feature file, pytest failing to start."""


def cover(protocol: Path, compiled: CompiledProtocol, features: Sequence[Path], root: Path) -> tuple[Coverage, list[str]]:
    """Run the features (or find them) and measure the protocol's rule coverage; also notes for the user."""
    files, notes = select(protocol, features, root)
    runs = run(compiled, files, root)
    return measure(compiled, runs, [shown(f, root) for f in files]), notes


# ---- which feature files -----------------------------------------------------------------------


def select(protocol: Path, given: Sequence[Path], root: Path) -> tuple[list[Path], list[str]]:
    """The feature files to run, and notes on files left out. Relative paths are read from `root`. A file
    named one by one must be tagged `@carepath`; one found by search or in a named directory without the
    tag is left out with a note."""
    notes: list[str] = []

    def tagged(found: Sequence[Path]) -> list[Path]:
        kept = [f for f in found if _tagged(f)]
        notes.extend(f"{shown(f, root)}: left out ({UNTAGGED})" for f in found if f not in kept)
        return kept

    if not given:
        found = [f for f in feature_files(root) if names_protocol(f, protocol, root)]
        if not found:
            raise FeatureRunError(f'no feature file under {root} has a step `Given the protocol "{shown(protocol, root)}"`; '
                                  "name the feature files to run after the protocol")
        files = tagged(found)
    else:
        files = []
        for written in given:
            path = root / written  # an absolute path stays itself
            if path.is_dir():
                files.extend(tagged(list(feature_files(path))))
            elif not path.exists():
                raise FeatureRunError(f"no such feature file or directory: {written}")
            elif path.suffix != ".feature":
                raise FeatureRunError(f"{written} is not a .feature file")
            elif not _tagged(path):
                raise FeatureRunError(f"{written} is not tagged @carepath ({UNTAGGED})")
            else:
                files.append(path)
    files = list({f.resolve(): f for f in files}.values())
    if not files:
        raise FeatureRunError("no feature file to run: " + "; ".join(notes))
    return files, notes


def _tagged(feature: Path) -> bool:
    try:
        return bdd.is_tagged(feature.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return True  # let pytest report why it cannot be read


def feature_files(directory: Path) -> Iterator[Path]:
    """`.feature` files under a directory, in a stable order, leaving out tool and environment directories."""
    for current, dirs, names in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED
                         and not (Path(current) / d / "pyvenv.cfg").exists())
        for name in sorted(names):
            if name.endswith(".feature"):
                yield Path(current) / name


def names_protocol(feature: Path, protocol: Path, root: Path) -> bool:
    """Whether a feature file gives this protocol by path in a `the protocol(s) "…"` step."""
    try:
        text = feature.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    target = (root / protocol).resolve()
    for match in PROTOCOL_STEP.finditer(text):
        for written in match.groups():
            if written is not None and (root / written).resolve() == target:  # an absolute path stays itself
                return True
    return False


def shown(path: Path, root: Path) -> str:
    """A path as reports print it: relative to the project root where it can be."""
    try:
        return (root / path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


# ---- running them ------------------------------------------------------------------------------


@dataclass
class _Record:
    """A scenario run while it is under way."""

    feature: str
    line: int
    name: str
    example: tuple[tuple[str, str], ...] = ()
    row: int | None = None
    outcome: str = "pending"
    results: list[Result] = field(default_factory=list)
    step: str | None = None
    message: str | None = None

    def done(self) -> ScenarioRun:
        outcome, message = self.outcome, self.message
        if outcome == "pending":  # never reached its call phase: the session stopped
            outcome, message = "failed", message or "did not run to the end"
        return ScenarioRun(self.feature, self.line, self.name, outcome, self.example, self.row, tuple(self.results),
                           self.step, message)


class _Collector:
    """A pytest plugin object: which scenario is running, what it evaluated, and how it ended."""

    def __init__(self, sha256: str, root: Path) -> None:
        self.sha256, self.root = sha256, root
        self.records: dict[str, _Record] = {}  # node id → record, in the order pytest ran them
        self.broken: list[ScenarioRun] = []  # files pytest could not collect
        self.current: _Record | None = None

    def observe(self, compiled: CompiledProtocol, run: Run) -> None:
        if self.current is not None and compiled.checked.sha256 == self.sha256:
            self.current.results.extend(run.results)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            where = Path(str(report.fspath)) if report.fspath else Path(report.nodeid)
            self.broken.append(ScenarioRun(shown(self.root / where, self.root), 0, "could not be collected", "failed",
                                           message=_message(report)))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
        self.current = self.records[item.nodeid] = self._describe(item)
        try:
            return (yield)
        finally:
            self.current = None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        record = self.records.get(report.nodeid)
        if record is None:
            return
        if report.failed:
            record.outcome = "failed"
            record.message = record.message or _message(report)
        elif report.skipped and record.outcome != "failed":
            record.outcome = "skipped"
        elif report.when == "call" and record.outcome == "pending":
            record.outcome = "passed"

    def pytest_bdd_step_error(self, request: pytest.FixtureRequest, step: Any) -> None:
        self._failed_at(request, step)

    def pytest_bdd_step_func_lookup_error(self, request: pytest.FixtureRequest, step: Any) -> None:
        self._failed_at(request, step)

    def _failed_at(self, request: pytest.FixtureRequest, step: Any) -> None:
        record = self.records.get(request.node.nodeid)
        if record is not None and record.step is None:
            record.step = f"{step.keyword} {step.name}".strip() + f" (line {step.line_number})"

    def _describe(self, item: pytest.Item) -> _Record:
        template = registry_get_safe(scenario_wrapper_template_registry, getattr(item, "obj", None))
        if template is None:  # not a scenario (only feature files are given, so hardly ever)
            return _Record(shown(Path(item.path), self.root), item.location[1] + 1 if item.location[1] is not None else 0, item.name)
        callspec = getattr(item, "callspec", None)
        example: dict[str, str] = dict(callspec.params.get("_pytest_bdd_example") or {}) if callspec is not None else {}
        if not example:
            return _Record(shown(Path(template.feature.filename), self.root), template.line_number, template.name)
        rows = [context for examples in template.examples for context in examples.as_contexts()]
        row = rows.index(example) + 1 if example in rows else None
        return _Record(shown(Path(template.feature.filename), self.root), template.line_number, template.render(example).name,
                       tuple(example.items()), row)


def _message(report: pytest.CollectReport | pytest.TestReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return str(crash.message)
    text = str(report.longrepr or "").strip()
    return text.splitlines()[-1] if text else "failed"


def _plugin(module: str) -> str:
    """How to ask pytest for a plugin: by its entry point's name when installed (so it is registered once,
    exactly as plain `pytest` registers it), else by module."""
    for entry in metadata.entry_points(group="pytest11"):
        if entry.value.split(":")[0] == module:
            return entry.name
    return module


def run(compiled: CompiledProtocol, files: Sequence[Path], root: Path) -> list[ScenarioRun]:
    """Run the files with pytest in this process; pytest's own output is kept back, and shown only if it fails to start."""
    collector = _Collector(compiled.checked.sha256, root)
    args = [*(str(f.resolve()) for f in files), "-p", _plugin("pytest_bdd.plugin"), "-p", _plugin("carepath.tooling.bdd"),
            "-p", "no:cacheprovider", "-q", "--rootdir", str(root), "--continue-on-collection-errors"]
    output = io.StringIO()
    scenario.OBSERVERS.append(collector.observe)
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            code = pytest.main(args, plugins=[collector])
    finally:
        scenario.OBSERVERS.remove(collector.observe)
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED, pytest.ExitCode.NO_TESTS_COLLECTED):
        raise FeatureRunError(f"pytest could not run the features (exit status {int(code)}):\n{output.getvalue().strip()}")
    runs = [*collector.broken, *(record.done() for record in collector.records.values())]
    if not runs:
        raise FeatureRunError("no scenarios in " + ", ".join(shown(f, root) for f in files))
    return runs
