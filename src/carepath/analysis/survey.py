"""A compiled protocol → its `Survey`: the thresholds each input is compared with, representatives for every
input, and, for each definition worth analysing, what the engine decides on every combination of them.

The checks in `analysis.checks` read a survey; none evaluates anything itself.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, assert_never

from carepath.analysis.reach import Reach, exact_compare, input_and_constant, reach
from carepath.analysis.regions import Rep, duration_candidates, exact, missing, quantity_reps, scalar
from carepath.compile.compiler import CompiledProtocol, ValueFn, compile_choice, compile_condition
from carepath.compile.needs import NeedsFn
from carepath.ir import program as p
from carepath.language.source import Span
from carepath.runtime.engine import decide
from carepath.semantics.types import Kind
from carepath.semantics.units import Unit

#: Combinations evaluated per decision at most; beyond it the decision is reported as not analysed.
LIMIT = 200_000
#: Evaluations for a whole protocol at most, a few tenths of a second: each combination of a decision counts four
#: times for itself and once for each definition it reads, as they cost (the shipped protocols need at most 39,272). With many thresholds
#: on one input every decision reading it has many representatives to try, and 990 of them took 18 s. Decisions
#: are served first, then criteria, each in file order; a decision left over is reported as not analysed. Judging
#: thresholds against plausible ranges has a budget of its own, a third of this.
BUDGET = 200_000


@dataclass(frozen=True, slots=True)
class Atom:
    """A comparison of one input with a constant: a threshold that cuts the input's range."""

    node: p.Compare
    input: p.InputInfo
    constant: p.Const | p.CalendarConst
    value: ValueFn  # over an environment holding the input


@dataclass(frozen=True, slots=True)
class Condition:
    """A condition whose outcomes over every patient are collected: a criterion's, a branch's, a band's."""

    value: ValueFn  # over an environment `decide` filled
    node: p.Cond
    owner: str  # how a message names it: "criterion 'x'", "branch 'high' of 'risk'"
    reads_inputs: bool
    branch: bool  # a branch's or band's: never true is reported as an unreachable branch instead


@dataclass(slots=True)
class Subject:
    """A definition to analyse, with what it chooses among and the conditions it tests."""

    definition: p.Definition
    roots: list[p.Node]
    chooser: ValueFn | None  # the branch chosen (a classification's, a dose's band, a target's band), over a filled environment
    choices: tuple[tuple[str, Span, str], ...]  # (value, span, how a message names it)
    conditions: list[Condition]
    complete_check: bool  # prove every patient lands in a branch or is undetermined with a reason
    reach: Reach = field(default_factory=Reach)
    total: int = 0  # combinations of representatives over the inputs it reads


@dataclass(slots=True)
class Enumeration:
    """What the engine decided for one subject over every combination of representatives."""

    subject: Subject
    inputs: list[p.InputInfo]
    outcomes: list[set[Any]]  # per condition of the subject, every value it took
    chosen: set[Any]
    failure: tuple[Rep, ...] | None  # a patient left undetermined with nothing missing, known inputs preferred
    blocked: tuple[str, ...]  # decisions it reads that are themselves undetermined for that patient


def read(slot: int) -> ValueFn:
    """A decision's value, read from the environment `decide` filled."""
    return lambda env: env[slot]


class Survey:
    """Everything the checks read, computed once: atoms and representatives per input, the subjects, and one
    enumeration per subject that is neither over dated series nor past `LIMIT` combinations."""

    def __init__(self, compiled: CompiledProtocol) -> None:
        self.compiled = compiled
        self.checked = compiled.checked
        self.definitions = {d.name: d for d in self.checked.definitions}
        self.ast = {d.name.name: d for d in self.checked.ast.definitions}
        self.inputs_only = replace(compiled, decision_plan=())  # `decide` with it fills the inputs alone
        self.needs: dict[int, NeedsFn] = {d.slot: fn for d, fn in zip(compiled.decisions, compiled.needs, strict=True)}
        self.atoms: dict[int, Atom] = {}  # by id(Compare)
        self.constants: dict[int, set[Fraction]] = {}
        self.texts: dict[int, set[str]] = {}
        self.months: dict[int, set[int]] = {}
        self.days: dict[int, set[int]] = {}
        self.sampled: set[int] = set()  # inputs some computing or two-input condition reads
        self.over_budget: set[str] = set()  # definitions left out once `BUDGET` was spent
        self.budget = BUDGET
        self.collect_constants()
        self.reps = {info.slot: self.representatives(info) for info in self.checked.inputs}
        self.subjects = self.find_subjects()
        self.range_verdicts = self.decided_by_range()
        self.flagged = {atom.node.span for atom, _ in self.range_verdicts}  # comparisons reported as decided by the range alone
        self.enumerations = [self.enumerate(s) for s in self.within_budget()]

    def within_budget(self) -> list[Subject]:
        """The subjects to enumerate, in file order: not over dated series, within `LIMIT`, and while `BUDGET` lasts."""
        wanted = [s for s in self.subjects if not s.reach.series and s.total <= LIMIT]
        for subject in sorted(wanted, key=lambda s: not s.definition.is_decision):  # stable: file order within each
            cost = subject.total * (4 + len(subject.reach.definitions))  # a combination's own cost, and each definition it reads
            if cost > self.budget:
                self.over_budget.add(subject.definition.name)
            else:
                self.budget -= cost
        return [s for s in wanted if s.definition.name not in self.over_budget]

    def name_span(self, name: str, fallback: Span) -> Span:
        definition = self.ast.get(name)
        return definition.name.span if definition is not None else fallback

    @property
    def proved(self) -> frozenset[str]:
        """Decisions proved to place every patient: complete over exact regions."""
        return frozenset(e.subject.definition.name for e in self.enumerations
                         if e.subject.complete_check and e.failure is None and e.subject.reach.exact)

    # ---- constants and atoms ----------------------------------------------------------------------

    def collect_constants(self) -> None:
        for definition in self.checked.definitions:
            for node in definition.walk():
                if isinstance(node, p.Compare):
                    self.compare_constants(node)
                if isinstance(node, (p.Arith, p.Call)) or (isinstance(node, p.Compare) and not exact_compare(node)):
                    self.sampled.update(x.input.slot for x in node.find_all(p.InputRef))
            if isinstance(definition, p.Target) and isinstance(definition.measured, p.InputRef):
                slot = definition.measured.input.slot
                for bound in (definition.low, definition.high):
                    if bound.value is not None:
                        self.constants.setdefault(slot, set()).add(exact(bound.value))

    def compare_constants(self, node: p.Compare) -> None:
        pair = input_and_constant(node)
        if pair is None:
            return
        info, constant = pair
        slot = info.slot
        kind = info.type.kind
        if kind is Kind.QUANTITY and isinstance(constant, p.Const) and constant.value is not None and node.scale == 1:
            self.constants.setdefault(slot, set()).add(exact(constant.value))
        elif kind is Kind.DURATION and isinstance(constant, p.CalendarConst):
            (self.months if constant.base is p.CalendarBase.MONTHS else self.days).setdefault(slot, set()).add(constant.amount)
        elif kind is Kind.TEXT and isinstance(constant, p.Const) and isinstance(constant.value, str):
            self.texts.setdefault(slot, set()).add(constant.value)
        else:
            return
        if id(node) not in self.atoms:
            self.atoms[id(node)] = Atom(node, info, constant, compile_condition(self.compiled, node))

    # ---- representatives ------------------------------------------------------------------------

    def representatives(self, info: p.InputInfo) -> list[Rep]:
        kind = info.type.kind
        slot = info.slot
        if kind is Kind.QUANTITY and isinstance(info.unit, Unit):
            return quantity_reps(info, self.constants.get(slot, set()), slot in self.sampled)
        if kind is Kind.ENUM:
            return [*(Rep(m, ((info.name, scalar(m)),), f"{info.name} {m}") for m in info.type.members), missing(info)]
        if kind is Kind.BOOLEAN:
            return [Rep(True, ((info.name, "true"),), f"{info.name} true"), Rep(False, ((info.name, "false"),), f"{info.name} false"),
                    missing(info)]
        if kind is Kind.TEXT:
            texts = sorted(self.texts.get(slot, set()))
            other = next(t for t in (f"other{i}" if i else "other" for i in itertools.count()) if t not in texts)
            return [*(Rep(t, ((info.name, json.dumps(t)),), f"{info.name} {json.dumps(t)}") for t in [*texts, other]), missing(info)]
        if kind is Kind.DURATION:
            return self.duration_reps(info)
        if kind is Kind.DATE:
            return [Rep(dt.date(2024, 1, 1), ((info.name, "2024-01-01"),), f"{info.name} 2024-01-01"), missing(info)]
        return [missing(info)]

    def duration_reps(self, info: p.InputInfo) -> list[Rep]:
        """Candidates grouped by how every threshold on this input judges them (the engine's verdicts): one per group."""
        slot = info.slot
        dates = None
        if info.derived_from is not None:
            start, end = info.derived_from
            start_info = self.checked.input(start)
            end_info = self.checked.input(end)
            if start_info is not None and (end_info is not None or end == "as_of"):
                dates = (start, end)
        candidates = duration_candidates(info, self.months.get(slot, set()), self.days.get(slot, set()), dates)
        thresholds = [atom.value for atom in self.atoms.values() if atom.input.slot == slot]
        groups: dict[tuple[Any, ...], list[tuple[int, Rep]]] = {}
        values: list[Any] = [None] * len(self.checked.inputs)
        if len(candidates) * len(thresholds) > BUDGET:  # grouping would cost more than the analysis: each stands for itself
            groups = {(index,): [candidate] for index, candidate in enumerate(candidates)}
            candidates = []
        for preference, rep in candidates:
            values[slot] = rep.value
            env = decide(self.inputs_only, values)
            groups.setdefault(tuple(threshold(env) for threshold in thresholds), []).append((preference, rep))
        chosen: list[Rep] = []
        for members in groups.values():
            best = min(preference for preference, _ in members)
            kind_members = [rep for preference, rep in members if preference == best]
            chosen.append(kind_members[len(kind_members) // 2])
        if slot in self.sampled and candidates:
            plain = [rep for preference, rep in candidates if preference in (0, 1)]
            chosen += [plain[0], plain[-1]]
        return [*dict.fromkeys(chosen), missing(info)]

    def decided_by_range(self) -> list[tuple[Atom, str]]:
        """Thresholds every plausible value of their input falls on one side of, with the verdict they always give."""
        found: list[tuple[Atom, str]] = []
        budget = BUDGET // 3
        for atom in self.atoms.values():
            info = atom.input
            if info.plausible is None or info.type.kind not in (Kind.QUANTITY, Kind.DURATION):
                continue
            if len(self.reps[info.slot]) > budget:
                break  # the rest of the thresholds are not judged (a budget of its own: see `BUDGET`)
            budget -= len(self.reps[info.slot])
            outcomes = set()
            values: list[Any] = [None] * len(self.checked.inputs)
            for rep in self.reps[info.slot]:
                if rep.value is None:
                    continue
                values[info.slot] = rep.value
                outcomes.add(atom.value(decide(self.inputs_only, values)))
            if True in outcomes and False in outcomes:
                continue
            found.append((atom, "true" if True in outcomes else "false" if False in outcomes else "unknown"))
        return found

    # ---- subjects ---------------------------------------------------------------------------------

    def find_subjects(self) -> list[Subject]:
        subjects: list[Subject] = []
        for definition in self.checked.definitions:
            subject = self.subject(definition)
            if subject is not None:
                subject.reach = reach(subject.roots, self.definitions)
                subject.total = math.prod(len(self.reps[slot]) for slot in subject.reach.inputs)
                subjects.append(subject)
        return subjects

    def subject(self, definition: p.Definition) -> Subject | None:
        name = definition.name
        match definition:
            case p.Criterion() | p.Recommendation():
                kind = definition.step_kind.value
                value = read(definition.slot) if isinstance(definition, p.Recommendation) else self.probe(definition.condition)
                condition = Condition(value, definition.condition, f"{kind} '{name}'", self.reads_inputs([definition.condition]), False)
                return Subject(definition, [definition.condition], None, (), [condition], False)
            case p.Classification():
                conditions = [Condition(self.probe(b.condition), b.condition, f"branch '{b.name}' of '{name}'",
                                        self.reads_inputs([b.condition]), True) for b in definition.branches if b.condition is not None]
                choices = tuple((b.name, b.span, f"branch '{b.name}' of '{name}'") for b in definition.branches)
                return Subject(definition, [b.condition for b in definition.branches if b.condition is not None],
                               read(definition.slot), choices, conditions, True)
            case p.Dose():
                if all(b.condition is None for b in definition.branches):
                    return None
                conditions = []
                bands: list[tuple[str, Span, str]] = []
                for index, branch in enumerate(definition.branches):
                    label = f"the amount '{branch.amount.text}' ({'otherwise' if branch.condition is None else f'band {index + 1}'}) of '{name}'"
                    bands.append((branch.name, branch.span, label))
                    if branch.condition is not None:
                        conditions.append(Condition(self.probe(branch.condition), branch.condition, label,
                                                    self.reads_inputs([branch.condition]), True))
                return Subject(definition, [b.condition for b in definition.branches if b.condition is not None],
                               compile_choice(self.compiled, definition.branches), tuple(bands), conditions, True)
            case p.Target():
                spans = {"below": definition.low.span, "within": definition.span, "above": definition.high.span}
                choices = tuple((band, spans[band], f"band '{band}' of target '{name}'") for band in ("below", "within", "above"))
                return Subject(definition, [definition.measured], read(definition.slot), choices, [], False)
            case p.Event():
                return None  # dated series are not enumerated
            case _:
                assert_never(definition)

    def probe(self, condition: p.Cond) -> ValueFn:
        """A condition evaluated on its own, after `decide` has filled the decisions it reads."""
        return compile_condition(self.compiled, condition)

    def reads_inputs(self, starts: list[p.Node]) -> bool:
        return bool(reach(starts, self.definitions).inputs)

    # ---- one subject -----------------------------------------------------------------------------

    def enumerate(self, subject: Subject) -> Enumeration:
        definition = subject.definition
        found = subject.reach
        inputs = sorted(found.inputs.values(), key=lambda info: info.slot)
        reps = [self.reps[info.slot] for info in inputs]
        wanted = {self.definitions[d].slot for d in found.definitions}
        if isinstance(definition, (p.Recommendation, p.Classification, p.Target)):
            wanted.add(definition.slot)  # its own value is its condition's or choice's
        plan = replace(self.compiled, decision_plan=tuple((s, f) for s, f in self.compiled.decision_plan if s in wanted))
        outcomes: list[set[Any]] = [set() for _ in subject.conditions]
        chosen: set[Any] = set()
        failure: tuple[Rep, ...] | None = None
        failure_known = False
        blocked: tuple[str, ...] = ()
        values: list[Any] = [None] * len(self.checked.inputs)
        needs = self.needs.get(definition.slot) if subject.chooser is not None else None  # a dose's needs are its bands' then
        upstream = [d for d in sorted(found.definitions) if self.definitions[d].is_decision]
        for point in itertools.product(*reps):
            for info, rep in zip(inputs, point, strict=True):
                values[info.slot] = rep.value
            env = decide(plan, values)
            for seen, condition in zip(outcomes, subject.conditions, strict=True):
                seen.add(condition.value(env))
            if subject.chooser is None:
                continue
            value = subject.chooser(env)
            chosen.add(value)
            if value is None and subject.complete_check and needs is not None and not needs(env):
                known = all(rep.value is not None for rep in point)
                if failure is None or (known and not failure_known):
                    failure, failure_known = point, known
                    blocked = tuple(d for d in upstream if env[self.definitions[d].slot] is None)
        return Enumeration(subject, inputs, outcomes, chosen, failure, blocked)
