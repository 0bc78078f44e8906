"""Rule coverage: which outcomes of a protocol's rules the scenarios exercised, and which never were.

Pure: a compiled protocol and the traced results each scenario run evaluated go in, a `Coverage` value
comes out; running the scenarios (pytest) and printing (rich, JSON) live elsewhere.

A coverage item is one outcome of one rule, as the engine's trace reports it:

  criterion        holds, does not hold, unknown
  recommendation   yes, no, undetermined
  classification   each branch (an `otherwise` branch too), undetermined
  dose             each amount line (the band whose amount was given), undetermined
  target           below, within, above, undetermined
  event            reached, undetermined

The unknown / undetermined outcome is an item only where it can happen: where the rule reads a value that
can be missing (an input outside `is missing` / `is known`, a series, or a rule that can itself be
undetermined), or where a classification or dose has no `otherwise` line. An input is not counted as
possibly missing where the same `and` says `x is known` (or the same `or` says `x is missing`, or it is
read after `x is known implies`); durations still can be too imprecise. The test is syntactic, so it may
keep an unknown outcome that a subtler condition can never reach. An item is
exercised when at least one patient evaluated in a passing scenario run had that outcome; a failing run's
patients do not count, so coverage never rests on a scenario whose expectations did not hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import assert_never

from carepath.compile.compiler import CompiledProtocol
from carepath.ir import program as p
from carepath.language.nodes import BoolKind
from carepath.runtime.engine import Result
from carepath.semantics.trace import Step, StepKind
from carepath.semantics.types import Kind

UNKNOWN = {StepKind.CRITERION: "unknown", StepKind.RECOMMENDATION: "undetermined"}
TRUTHS = {StepKind.CRITERION: ("holds", "does not hold"), StepKind.RECOMMENDATION: ("yes", "no")}
BANDS = ("below", "within", "above")


@dataclass(frozen=True, slots=True)
class Item:
    """One outcome of one rule that a scenario can exercise."""

    rule: str
    kind: StepKind  # the rule's kind: its value is the word reports print
    outcome: str  # holds / does not hold / unknown, a branch name, yes / no / undetermined, an amount line, a band, reached
    line: int  # the rule's line, or the branch's or amount line's own
    otherwise: bool = False  # a classification's or dose's `otherwise` line


@dataclass(frozen=True, slots=True)
class ScenarioRun:
    """One scenario as pytest ran it (an outline once per example row), with this protocol's results."""

    feature: str  # the feature file, relative to the project root where it can be
    line: int  # the Scenario's line; 0 for a file that could not be collected
    name: str  # with an outline's example values filled in
    outcome: str  # "passed" | "failed" | "skipped"
    example: tuple[tuple[str, str], ...] = ()  # an outline's example row as (column, value) pairs
    row: int | None = None  # that row's number among the outline's examples, from 1
    results: tuple[Result, ...] = ()  # every result the run evaluated for the protocol under test
    step: str | None = None  # the step that failed, as the feature writes it
    message: str | None = None  # why it failed

    @property
    def label(self) -> str:
        """`file:line name [row n]`: where to look, as a report prints it."""
        return f"{self.feature}:{self.line} {self.name}" + (f" [row {self.row}]" if self.row is not None else "")


@dataclass(frozen=True, slots=True)
class ItemCoverage:
    item: Item
    patients: int  # results with this outcome, over the passing runs
    scenarios: int  # passing runs with at least one such result

    @property
    def exercised(self) -> bool:
        return self.patients > 0


@dataclass(frozen=True, slots=True)
class Coverage:
    protocol: str  # the protocol's declared name
    path: str  # its file, as given
    sha256: str
    features: tuple[str, ...]  # the feature files run
    items: tuple[ItemCoverage, ...]  # in the protocol's order: rule by rule, outcome by outcome
    runs: tuple[ScenarioRun, ...]  # in the order pytest ran them

    @property
    def exercised(self) -> int:
        return sum(i.exercised for i in self.items)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def percent(self) -> float:
        """Exercised items as a percentage; a protocol without rules has nothing left untested."""
        return 100.0 * self.exercised / self.total if self.total else 100.0

    def below(self, threshold: float) -> bool:
        """Exactly, not after rounding: 14 of 15 items (93.33…%) is below 93.34. The threshold is taken as
        written in decimal (99.95, not the binary float nearest it)."""
        return self.exercised * 100 < Fraction(str(threshold)) * self.total

    def meets(self, fail_under: float | None = None) -> bool:
        """No scenario failed and, when a threshold is given, coverage reaches it: `carepath test` exits 0."""
        return not self.failed and (fail_under is None or not self.below(fail_under))

    @property
    def never(self) -> tuple[Item, ...]:
        return tuple(i.item for i in self.items if not i.exercised)

    @property
    def failed(self) -> tuple[ScenarioRun, ...]:
        return tuple(r for r in self.runs if r.outcome == "failed")

    @property
    def passed(self) -> tuple[ScenarioRun, ...]:
        return tuple(r for r in self.runs if r.outcome == "passed")

    @property
    def evaluated(self) -> tuple[ScenarioRun, ...]:
        """Runs that evaluated at least one patient under this protocol."""
        return tuple(r for r in self.runs if r.results)

    @property
    def scenarios(self) -> int:
        """Scenarios as written: an outline counts once, however many example rows it has."""
        return len({(r.feature, r.line, r.name if r.line == 0 else "") for r in self.runs})

    @property
    def patients(self) -> int:
        return sum(len(r.results) for r in self.runs)


# ---- the items a protocol has ------------------------------------------------------------------


def items(compiled: CompiledProtocol) -> tuple[Item, ...]:
    """Every coverage item of a protocol, rule by rule in the order the file declares them."""
    return tuple(item for _, rule_items in _rules(compiled) for item in rule_items if item is not None)


def _rules(compiled: CompiledProtocol) -> list[tuple[p.Definition, list[Item | None]]]:
    """Each rule with its outcomes by position; None where an unknown outcome cannot happen (it stays
    addressable, so a trace that shows one anyway is counted rather than lost)."""
    unknowable: set[str] = set()
    found: list[tuple[p.Definition, list[Item | None]]] = []
    for definition in compiled.checked.definitions:  # evaluation order: every reference before its user
        maybe = _may_be_unknown(definition, unknowable)
        if maybe:
            unknowable.add(definition.name)
        found.append((definition, _outcomes(definition, maybe)))
    found.sort(key=lambda pair: (pair[0].span.line, pair[0].span.column))
    return found


def _outcomes(definition: p.Definition, maybe_unknown: bool) -> list[Item | None]:
    name, kind, line = definition.name, definition.step_kind, definition.span.line

    def item(outcome: str, at: int = line, otherwise: bool = False) -> Item:
        return Item(name, kind, outcome, at, otherwise)

    undetermined = item("undetermined") if maybe_unknown else None
    match definition:
        case p.Criterion() | p.Recommendation():
            yes, no = TRUTHS[kind]
            return [item(yes), item(no), item(UNKNOWN[kind]) if maybe_unknown else None]
        case p.Classification():
            return [*(item(b.name, b.span.line, b.condition is None) for b in definition.branches), undetermined]
        case p.Dose():
            lines: list[Item | None] = []
            for branch in definition.branches:
                amount = branch.amount.text
                if branch.condition is not None:
                    lines.append(item(f"{amount} when {branch.condition.text}", branch.span.line))
                else:
                    lines.append(item(f"{amount} otherwise" if len(definition.branches) > 1 else amount, branch.span.line,
                                      len(definition.branches) > 1))
            return [*lines, undetermined]
        case p.Target():
            return [*(item(band) for band in BANDS), undetermined]
        case p.Event():
            return [item("reached"), undetermined]
        case _:
            assert_never(definition)


def _may_be_unknown(definition: p.Definition, unknowable: set[str]) -> bool:
    """Whether some patient could leave this rule unknown / undetermined (syntactically: see the module doc)."""
    def can(node: object) -> bool:
        return _can_be_unknown(node, unknowable)

    match definition:
        case p.Criterion() | p.Recommendation():
            return can(definition.condition)
        case p.Classification():
            return definition.branches[-1].condition is not None or any(can(b.condition) for b in definition.branches)
        case p.Dose():
            return (definition.branches[-1].condition is not None
                    or any(can(b.condition) or can(b.amount) for b in definition.branches))
        case p.Target():
            return can(definition.measured)
        case p.Event():
            return True  # an event waits for its series: unrecorded days leave it undetermined
        case _:
            assert_never(definition)


def _can_be_unknown(node: object, unknowable: set[str], guarded: frozenset[str] = frozenset()) -> bool:
    """`guarded` names inputs whose absence an enclosing `and`/`or` already decides (`x is known and …`,
    `x is missing or …`, `x is known implies …`); a duration can still be too imprecise, so it is never guarded."""
    match node:
        case p.Presence():
            return False  # `x is missing` is always decided
        case p.InputRef(input=info):
            return info.name not in guarded or info.type.kind is Kind.DURATION
        case p.SeriesAt() | p.NoneBefore():
            return True
        case p.DefRef(name=name):
            return name in unknowable
        case p.Compare(left=left, right=right) | p.Arith(left=left, right=right):
            return _can_be_unknown(left, unknowable, guarded) or _can_be_unknown(right, unknowable, guarded)
        case p.Call(args=args):
            return any(_can_be_unknown(a, unknowable, guarded) for a in args)
        case p.Logic(kind=kind, operands=operands):
            deciding = operands[:1] if kind is BoolKind.IMPLIES else operands if kind is not BoolKind.XOR else ()
            known = kind.is_conjunction or kind is BoolKind.IMPLIES  # `x is known` false decides and/implies; `x is missing` true decides or
            guards = frozenset(o.input.name for o in deciding if isinstance(o, p.Presence) and o.known is known)
            return any(_can_be_unknown(o, unknowable, guarded | guards) for o in operands)
        case p.Negation(operand=operand):
            return _can_be_unknown(operand, unknowable, guarded)
    return False  # constants and parameters are never missing


# ---- what a trace shows ------------------------------------------------------------------------


def _position(definition: p.Definition, step: Step) -> int:
    """The index, among the rule's outcomes, of the one this step reached."""
    outcome = step.outcome
    match definition:
        case p.Criterion() | p.Recommendation():
            return {True: 0, False: 1, None: 2}[outcome]  # type: ignore[index]
        case p.Classification():
            names = [b.name for b in definition.branches]
            return names.index(outcome) if outcome is not None else len(names)  # type: ignore[arg-type]
        case p.Dose():
            if outcome is None:
                return len(definition.branches)
            # one child per line up to the chosen one
            return next(i for i, child in enumerate(step.children) if child.kind is StepKind.AMOUNT)
        case p.Target():
            return BANDS.index(outcome) if outcome is not None else len(BANDS)
        case p.Event():
            return 0 if outcome is not None else 1
        case _:
            assert_never(definition)


def measure(compiled: CompiledProtocol, runs: Sequence[ScenarioRun], features: Sequence[str] = ()) -> Coverage:
    """Tally, over the passing runs, how many patients (and runs) reached each rule outcome."""
    rules = _rules(compiled)
    by_name = {definition.name: (definition, index) for index, (definition, _) in enumerate(rules)}
    patients: dict[tuple[int, int], int] = {}
    scenarios: dict[tuple[int, int], int] = {}
    for run in runs:
        if run.outcome != "passed":
            continue
        seen: set[tuple[int, int]] = set()
        for result in run.results:
            for step in result.criteria:  # every definition's step, decisions included
                entry = by_name.get(step.text)
                if entry is None or entry[0].step_kind is not step.kind:
                    continue
                key = (entry[1], _position(entry[0], step))
                patients[key] = patients.get(key, 0) + 1
                seen.add(key)
        for key in seen:
            scenarios[key] = scenarios.get(key, 0) + 1
    covered: list[ItemCoverage] = []
    for index, (definition, outcomes) in enumerate(rules):
        for position, item in enumerate(outcomes):
            key = (index, position)
            if item is None:
                if key not in patients:
                    continue
                item = Item(definition.name, definition.step_kind, UNKNOWN.get(definition.step_kind, "undetermined"), definition.span.line)
            covered.append(ItemCoverage(item, patients.get(key, 0), scenarios.get(key, 0)))
    checked = compiled.checked
    return Coverage(checked.name, checked.source.name, checked.sha256, tuple(features), tuple(covered), tuple(runs))
