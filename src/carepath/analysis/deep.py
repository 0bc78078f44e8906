"""Deep checks on a compiled protocol: completeness proofs, unreachable branches, constant conditions, unused names.

The method is an exact region analysis run by the engine itself. A condition in this language compares one
input with constants (or tests an enumeration, a boolean or presence), so the constants cut each input's
plausible range into finitely many regions inside which every comparison keeps its truth value. One
representative per region, plus "missing" for every input, stands for every possible patient; each
combination is evaluated by the compiled protocol (`engine.decide`), so what is proved is what the engine
does, and a counterexample is a record the engine really leaves unclassified. Conditions that compute
(arithmetic, functions) or compare two inputs are still sampled, but reported as not proven. Pure: it
returns findings and notes, and prints nothing.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from fractions import Fraction
from typing import Any, assert_never

from carepath.compile.compiler import CompiledProtocol, compile_protocol
from carepath.compile.needs import NeedsFn
from carepath.data.records import PatientRecord, RawRecord, bind, load_text, plausibility_problem
from carepath.ir import program as p
from carepath.language import nodes as n
from carepath.language.diagnostics import Diagnostic, Severity
from carepath.language.source import Source, Span
from carepath.runtime.engine import decide, evaluate
from carepath.semantics.types import BOOLEAN, Kind, Type
from carepath.semantics.units import Unit, exact_number
from carepath.semantics.values import Duration, days_in_months, format_number

#: Combinations evaluated per decision at most; beyond it the decision is reported as not analysed.
LIMIT = 200_000
#: Start dates for durations derived from two dates: leap and common years, and the common century year 2100.
_START_DATES = tuple(dt.date(year, 1, 1) + dt.timedelta(days=i) for year in (2023, 2099) for i in range(731))
#: The evaluation date a counterexample is checked with when nothing in it depends on the date.
_AS_OF = dt.date(2026, 1, 1)

@dataclass(frozen=True, slots=True)
class Note:
    """Information, not a problem: what was proved, or why a decision was only sampled or not analysed."""

    message: str
    span: Span

    def render(self, source: Source) -> str:
        return f"{source.name}:{self.span.line}:{self.span.column}: note: {self.message}"


@dataclass(frozen=True, slots=True)
class Finding:
    """A diagnostic, with a counterexample patient as a ready-to-paste YAML record when there is one."""

    diagnostic: Diagnostic
    record: str | None = None
    as_of: dt.date | None = None  # the evaluation date the record needs (an age counted to the run date)

    def render(self, source: Source, severity: Severity | None = None) -> str:
        diagnostic = self.diagnostic if severity is None else replace(self.diagnostic, severity=severity)
        text = diagnostic.render(source)
        if self.record is None:
            return text
        when = f" with --as-of {self.as_of.isoformat()}" if self.as_of is not None else ""
        lines = [f"    such a patient, as a record to paste into a records file and run{when}:"]
        lines += ["      " + line for line in self.record.splitlines()]
        return text + "\n" + "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Analysis:
    findings: tuple[Finding, ...]
    notes: tuple[Note, ...]
    proved: frozenset[str] = frozenset()  # decisions proved to place every patient, so "no otherwise" (CP402) is moot

    def settles(self, diagnostic: Diagnostic, checked: object) -> bool:
        """A checker warning the proof makes moot: CP402 on a classification or dose proved complete."""
        if diagnostic.code != "CP402":
            return False
        definitions = getattr(checked, "definitions", ())
        for definition in definitions:
            branches = getattr(definition, "branches", ())
            if definition.name in self.proved and branches and branches[-1].span == diagnostic.span:
                return True
        return False

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return tuple(f.diagnostic for f in self.findings)


# ---- representatives ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Rep:
    """One value an input can take: in the evaluator's terms, as record fields, and as a message shows it."""

    value: Any
    fields: tuple[tuple[str, str], ...]
    shown: str
    as_of: dt.date | None = None


def _missing(info: p.InputInfo) -> _Rep:
    return _Rep(None, (), f"{info.name} missing")


def _exact(value: object) -> Fraction:
    """A constant as an exact rational: floats in the program came from decimal text."""
    if isinstance(value, float):
        return Fraction(repr(value))
    assert isinstance(value, (int, Fraction)), value
    return Fraction(value)


def _decimal(value: Fraction) -> str:
    return n.number_text(value)


def _between(low: Fraction, high: Fraction) -> Fraction:
    """A short decimal strictly between two numbers, as near the middle as a few digits allow."""
    middle = (low + high) / 2
    for places in range(30):
        scale = Fraction(10) ** places
        candidate = Fraction(round(middle * scale)) / scale
        if low < candidate < high:
            return candidate
    return middle


_PLAIN = re.compile(r"^[A-Za-z0-9_.,/*%\[\]{}()^ -]+$")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


def _scalar(text: str) -> str:
    """A YAML scalar that reads back as this exact string."""
    if _PLAIN.match(text) and text.lower() not in _YAML_WORDS and text[0] not in "[{*&!|>%@`-" and text == text.strip():
        return text
    return json.dumps(text)


def _quantity_reps(info: p.InputInfo, constants: set[Fraction], sampled: bool) -> list[_Rep]:
    unit = info.unit
    assert isinstance(unit, Unit)
    cuts = sorted(constants)
    outside: list[Fraction] = []
    if info.plausible is not None:
        low, high = (_exact(b) for b in info.plausible)
        cuts = sorted({low, high, *(c for c in cuts if low <= c <= high)})
    elif cuts:
        reach = max(abs(cuts[0]), abs(cuts[-1]), Fraction(1))
        outside = [_between(cuts[0] - reach, cuts[0]), _between(cuts[-1], cuts[-1] + reach)]
    else:
        cuts = [Fraction(1)]
    inner = [_between(a, b) for a, b in itertools.pairwise(cuts)]
    if sampled and len(cuts) >= 2:  # arithmetic on the input: more points across its range
        low, high = cuts[0], cuts[-1]
        inner += [_between(low + (high - low) * k / 10, low + (high - low) * (k + 1) / 10) for k in range(10)]
    elif sampled:
        inner += [cuts[0] * 10, cuts[0] * 100] if cuts[0] > 0 else [Fraction(1), Fraction(10)]
    values = list(dict.fromkeys([*inner, *cuts, *outside]))
    reps = [_Rep(exact_number(v), ((info.name, _scalar(f"{_decimal(v)} {unit.text}")),), f"{info.name} {format_number(exact_number(v))} {unit.display}")
            for v in values]
    return [*reps, _missing(info)]


def _month_text(months: int) -> str:
    return f"{months} month" if months == 1 else f"{months} months"


def _marks(first: int, last: int, windows: set[int]) -> list[int]:
    """Whole values from first to last that stand for all: the first, each window's, and one per gap between."""
    marks = sorted({first, *(w for w in windows if first <= w <= last)})
    gaps = [a + 1 for a, b in itertools.pairwise([*marks, last + 1]) if a + 1 < b]
    return sorted({*marks, *gaps})


def _duration_candidates(info: p.InputInfo, months: set[int], days: set[int], dates: tuple[str, str] | None) -> list[tuple[int, _Rep]]:
    """Every kind of duration a record can give (months, days, half months, two dates), in each region the thresholds cut.

    A month count changes a comparison only next to a month threshold, or where its 28-31 days a month
    straddle a day threshold; a day count only next to a day threshold or inside a month threshold's span
    of days; so beyond a short range, values next to each threshold and one per gap between stand for all.
    """
    if info.plausible is not None:
        low, high = info.plausible
        assert isinstance(low, Duration) and isinstance(high, Duration)
        first, last = max(0, low.day_low), high.day_high
    else:
        first = 0
        last = max([*days, *(days_in_months(m)[1] for m in months), 0]) + 62
    day_windows: set[int] = set()
    month_windows: set[int] = set()
    for m in months:
        shortest, longest = days_in_months(m)
        day_windows.update(range(shortest - 1, longest + 2))
        month_windows.update((m - 2, m - 1, m, m + 1))
    for d in days:
        day_windows.update((d - 1, d, d + 1))
        month_windows.update(range(d // 31 - 2, d // 28 + 2))
    out: list[tuple[int, _Rep]] = []
    for m in _marks(max(0, first // 31 - 1), last // 28 + 1, month_windows):
        whole = Duration.of_months(m)
        if plausibility_problem(info, whole) is None:
            out.append((0, _Rep(whole, ((info.name, _month_text(m)),), f"{info.name} {_month_text(m)}")))
        half = Duration.within_month(m, f"{m}.5 months")
        if plausibility_problem(info, half) is None:
            out.append((2, _Rep(half, ((info.name, f"{m}.5 months"),), f"{info.name} {m}.5 months")))
    for d in _marks(first, last, day_windows):
        value = Duration.of_days(d)
        if plausibility_problem(info, value) is None:
            text = f"{d} day" if d == 1 else f"{d} days"
            out.append((1, _Rep(value, ((info.name, text),), f"{info.name} {text}")))
    if dates is not None:  # exact ages from two dates matter only where a month threshold's days are uncertain
        start_name, end_name = dates
        seen: set[tuple[int, int]] = set()
        for d in sorted(w for w in day_windows if w >= 0 and first <= w <= last):
            for start in _START_DATES:
                end = start + dt.timedelta(days=d)
                value = Duration.between(start, end)
                if (value.month_low, d) in seen or plausibility_problem(info, value) is not None:
                    continue
                seen.add((value.month_low, d))
                if end_name == "as_of":
                    rep = _Rep(value, ((start_name, start.isoformat()),), f"{info.name} {value.text}", as_of=end)
                else:
                    rep = _Rep(value, ((start_name, start.isoformat()), (end_name, end.isoformat())), f"{info.name} {value.text}")
                out.append((3, rep))
    return out


# ---- walking the checked program -----------------------------------------------------------------


_CONSTANT = (p.Const, p.CalendarConst)
_TESTABLE = (p.InputRef, p.DefRef, p.Compare, p.Logic, p.Negation, p.Presence)


def _exact_compare(node: p.Compare) -> bool:
    """One side a constant, the other an input, a decision, a criterion or a condition: regions are exact."""
    left, right = node.left, node.right
    if node.scale != 1:
        return False  # two quantities in different units: only inputs are compared that way
    if isinstance(left, _CONSTANT) and isinstance(right, _CONSTANT):
        return True
    if isinstance(left, _CONSTANT):
        return isinstance(right, _TESTABLE)
    if isinstance(right, _CONSTANT):
        return isinstance(left, _TESTABLE)
    return False


def _input_and_constant(node: p.Compare) -> tuple[p.InputInfo, p.Const | p.CalendarConst] | None:
    left, right = node.left, node.right
    if isinstance(left, p.InputRef) and isinstance(right, _CONSTANT):
        return left.input, right
    if isinstance(right, p.InputRef) and isinstance(left, _CONSTANT):
        return right.input, left
    return None


def _walk(node: p.Node | None) -> Iterator[p.Node]:
    return node.walk() if node is not None else iter(())


def _roots(definition: p.Definition) -> list[Any]:
    """The IR a definition evaluates: conditions, amounts, measured values and bounds."""
    return list(definition.children())


@dataclass(slots=True)
class _Reach:
    """What a set of roots reads, following criteria and earlier decisions."""

    inputs: dict[int, p.InputInfo] = field(default_factory=dict)
    definitions: set[str] = field(default_factory=set)
    exact: bool = True
    series: bool = False


def _reach(roots: Sequence[Any], definitions: dict[str, p.Definition]) -> _Reach:
    reach = _Reach()
    pending = list(roots)
    while pending:
        for node in _walk(pending.pop()):
            match node:
                case p.InputRef(input=info) | p.Presence(input=info):
                    reach.inputs[info.slot] = info
                    if info.type.kind is Kind.SERIES:
                        reach.series = True
                    elif info.type.kind is Kind.DATE:
                        reach.exact = False  # dates are only ever compared with each other
                case p.SeriesAt() | p.NoneBefore():
                    reach.series = True
                case p.DefRef(name=name) if name not in reach.definitions:
                    reach.definitions.add(name)
                    referenced = definitions[name]
                    if isinstance(referenced, p.Event):
                        reach.series = True
                    else:
                        pending.extend(_roots(referenced))
                case p.Compare() if not _exact_compare(node):
                    reach.exact = False
                case p.Arith() | p.Call():
                    reach.exact = False
    return reach


# ---- the analysis ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Condition:
    """A condition whose outcomes over every patient are collected: a criterion's, a branch's, a band's."""

    slot: int
    node: Any
    owner: str  # how a message names it: "criterion 'x'", "branch 'high' of 'risk'"
    reads_inputs: bool
    branch: bool  # a branch's or band's: never true is reported as an unreachable branch instead


@dataclass(slots=True)
class _Subject:
    definition: p.Definition
    roots: list[Any]
    chooser: int | None  # the slot holding the branch chosen (a classification, a dose's band probe, a target)
    choices: tuple[tuple[str, Span, str], ...]  # (value, span, how a message names it)
    conditions: list[_Condition]
    complete_check: bool  # prove every patient lands in a branch or is undetermined with a reason


class _Analyser:
    def __init__(self, compiled: CompiledProtocol) -> None:
        self.compiled = compiled
        self.checked = compiled.checked
        self.definitions = {d.name: d for d in self.checked.definitions}
        self.ast = {d.name.name: d for d in self.checked.ast.definitions}
        self.findings: list[Finding] = []
        self.notes: list[Note] = []
        self.proved: set[str] = set()
        self.probes: list[p.Definition] = []
        self.base = len(self.checked.inputs) + len(self.checked.definitions)
        self.atoms: dict[int, int] = {}  # id(Compare) → its probe slot
        self.atom_nodes: list[tuple[p.Compare, p.InputInfo, p.Const | p.CalendarConst]] = []
        self.constants: dict[int, set[Fraction]] = {}
        self.texts: dict[int, set[str]] = {}
        self.months: dict[int, set[int]] = {}
        self.days: dict[int, set[int]] = {}
        self.sampled: set[int] = set()  # inputs some computing or two-input condition reads
        self.flagged: set[Span] = set()  # comparisons reported as decided by the range alone

    # ---- reporting --------------------------------------------------------------------------

    def warn(self, code: str, message: str, span: Span, hint: str | None = None, record: str | None = None,
             as_of: dt.date | None = None) -> None:
        self.findings.append(Finding(Diagnostic(code, Severity.WARNING, message, span, hint), record, as_of))

    def note(self, message: str, span: Span) -> None:
        self.notes.append(Note(message, span))

    def name_span(self, name: str, fallback: Span) -> Span:
        definition = self.ast.get(name)
        return definition.name.span if definition is not None else fallback

    # ---- probes -----------------------------------------------------------------------------

    def probe(self, condition: Any, span: Span) -> int:
        """A condition evaluated on its own, as a recommendation the compiler builds like any other."""
        slot = self.base + len(self.probes)
        self.probes.append(p.Recommendation(f"\x00probe {len(self.probes)}", slot, None, None, BOOLEAN, span, condition))
        return slot

    def band_probe(self, dose: p.Dose) -> int:
        """A dose's bands as a classification: which band the engine's first-true rule picks."""
        slot = self.base + len(self.probes)
        branches = tuple(p.Branch(b.name, b.condition, b.span) for b in dose.branches)
        self.probes.append(p.Classification(f"\x00bands {dose.name}", slot, None, None, Type(Kind.ENUM, members=tuple(b.name for b in branches)),
                                            dose.span, branches))
        return slot

    # ---- driver -----------------------------------------------------------------------------

    def run(self) -> Analysis:
        self.unused()
        self.collect_constants()
        subjects = self.subjects()
        probed = replace(self.checked, definitions=self.checked.definitions + tuple(self.probes))
        self.engine = compile_protocol(probed)
        self.needs: dict[int, NeedsFn] = {d.slot: fn for d, fn in zip(self.engine.decisions, self.engine.needs, strict=True)}
        self.reps = {info.slot: self.representatives(info) for info in self.checked.inputs}
        self.range_alone()
        for subject in subjects:
            self.analyse(subject)
        order = sorted(self.findings, key=lambda f: (f.diagnostic.span.line, f.diagnostic.span.column, f.diagnostic.code))
        notes = sorted(self.notes, key=lambda note: (note.span.line, note.span.column))
        return Analysis(tuple(order), tuple(notes), frozenset(self.proved))

    # ---- unused inputs, criteria and parameters ------------------------------------------------

    def unused(self) -> None:
        read = {info.name for info in self.compiled.read_inputs}
        for info in self.checked.inputs:
            if info.name in read:
                if info.derived_from:
                    read.update(info.derived_from)
                if info.anchor:
                    read.add(info.anchor)
        declared = {d.name.name: d for d in self.checked.ast.inputs}
        for info in self.checked.inputs:
            if info.name not in read:
                span = declared[info.name].name.span if info.name in declared else info.span
                self.warn("CP410", f"input '{info.name}' is declared but no rule reads it", span,
                          "remove it; records may keep such data under 'about:'")
        used: set[str] = set()
        decisions = [d for d in self.checked.definitions if d.is_decision]
        reach = _reach([r for d in decisions for r in _roots(d)], self.definitions)
        used |= reach.definitions
        for definition in self.checked.definitions:
            if isinstance(definition, p.Criterion) and definition.name not in used:
                self.warn("CP411", f"criterion '{definition.name}' is not used by any decision",
                          self.name_span(definition.name, definition.span),
                          "use it in a classification, recommendation, dose or event, or remove it")
        named: set[str] = set()
        for body in self.checked.ast.definitions:
            if not isinstance(body, n.Parameter):
                named.update(_ast_names(body))
        for parameter in self.checked.parameters:
            if parameter.name not in named:
                self.warn("CP412", f"parameter '{parameter.name}' is not used", self.name_span(parameter.name, parameter.span),
                          "use it where its value belongs, or remove it")

    # ---- constants and atoms ----------------------------------------------------------------------

    def collect_constants(self) -> None:
        for definition in self.checked.definitions:
            for node in (x for root in _roots(definition) for x in _walk(root)):
                if isinstance(node, p.Compare):
                    self.compare_constants(node)
                if isinstance(node, (p.Arith, p.Call)) or (isinstance(node, p.Compare) and not _exact_compare(node)):
                    self.sampled.update(x.input.slot for x in _walk(node) if isinstance(x, p.InputRef))
            target = definition if isinstance(definition, p.Target) else None
            if target is not None and isinstance(target.measured, p.InputRef):
                slot = target.measured.input.slot
                for bound in (target.low, target.high):
                    if bound.value is not None:
                        self.constants.setdefault(slot, set()).add(_exact(bound.value))

    def compare_constants(self, node: p.Compare) -> None:
        pair = _input_and_constant(node)
        if pair is None:
            return
        info, constant = pair
        slot = info.slot
        kind = info.type.kind
        if kind is Kind.QUANTITY and isinstance(constant, p.Const) and constant.value is not None and node.scale == 1:
            self.constants.setdefault(slot, set()).add(_exact(constant.value))
        elif kind is Kind.DURATION and isinstance(constant, p.CalendarConst):
            (self.months if constant.base is p.CalendarBase.MONTHS else self.days).setdefault(slot, set()).add(constant.amount)
        elif kind is Kind.TEXT and isinstance(constant, p.Const) and isinstance(constant.value, str):
            self.texts.setdefault(slot, set()).add(constant.value)
        else:
            return
        if id(node) not in self.atoms:
            self.atoms[id(node)] = self.probe(node, node.span)
            self.atom_nodes.append((node, info, constant))

    # ---- representatives ------------------------------------------------------------------------

    def representatives(self, info: p.InputInfo) -> list[_Rep]:
        kind = info.type.kind
        slot = info.slot
        if kind is Kind.QUANTITY and isinstance(info.unit, Unit):
            return _quantity_reps(info, self.constants.get(slot, set()), slot in self.sampled)
        if kind is Kind.ENUM:
            return [*(_Rep(m, ((info.name, _scalar(m)),), f"{info.name} {m}") for m in info.type.members), _missing(info)]
        if kind is Kind.BOOLEAN:
            return [_Rep(True, ((info.name, "true"),), f"{info.name} true"), _Rep(False, ((info.name, "false"),), f"{info.name} false"),
                    _missing(info)]
        if kind is Kind.TEXT:
            texts = sorted(self.texts.get(slot, set()))
            other = next(t for t in (f"other{i}" if i else "other" for i in itertools.count()) if t not in texts)
            return [*(_Rep(t, ((info.name, json.dumps(t)),), f"{info.name} {json.dumps(t)}") for t in [*texts, other]), _missing(info)]
        if kind is Kind.DURATION:
            return self.duration_reps(info)
        if kind is Kind.DATE:
            return [_Rep(dt.date(2024, 1, 1), ((info.name, "2024-01-01"),), f"{info.name} 2024-01-01"), _missing(info)]
        return [_missing(info)]

    def duration_reps(self, info: p.InputInfo) -> list[_Rep]:
        """Candidates grouped by how every threshold on this input judges them (the engine's verdicts): one per group."""
        slot = info.slot
        dates = None
        if info.derived_from is not None:
            start, end = info.derived_from
            start_info = self.checked.input(start)
            end_info = self.checked.input(end)
            if start_info is not None and (end_info is not None or end == "as_of"):
                dates = (start, end)
        candidates = _duration_candidates(info, self.months.get(slot, set()), self.days.get(slot, set()), dates)
        probes = [self.atoms[id(node)] for node, atom_input, _ in self.atom_nodes if atom_input.slot == slot]
        plan = replace(self.engine, decision_plan=tuple((s, f) for s, f in self.engine.decision_plan if s in set(probes)))
        groups: dict[tuple[Any, ...], list[tuple[int, _Rep]]] = {}
        values: list[Any] = [None] * len(self.checked.inputs)
        for preference, rep in candidates:
            values[slot] = rep.value
            env = decide(plan, values)
            groups.setdefault(tuple(env[s] for s in probes), []).append((preference, rep))
        chosen: list[_Rep] = []
        for members in groups.values():
            best = min(preference for preference, _ in members)
            kind_members = [rep for preference, rep in members if preference == best]
            chosen.append(kind_members[len(kind_members) // 2])
        if slot in self.sampled and candidates:
            plain = [rep for preference, rep in candidates if preference in (0, 1)]
            chosen += [plain[0], plain[-1]]
        return [*dict.fromkeys(chosen), _missing(info)]

    # ---- comparisons decided by the range alone ------------------------------------------------

    def range_alone(self) -> None:
        for node, info, constant in self.atom_nodes:
            if info.plausible is None or info.type.kind not in (Kind.QUANTITY, Kind.DURATION):
                continue
            slot = self.atoms[id(node)]
            plan = replace(self.engine, decision_plan=tuple((s, f) for s, f in self.engine.decision_plan if s == slot))
            outcomes = set()
            values: list[Any] = [None] * len(self.checked.inputs)
            for rep in self.reps[info.slot]:
                if rep.value is None:
                    continue
                values[info.slot] = rep.value
                outcomes.add(decide(plan, values)[slot])
            if True in outcomes and False in outcomes:
                continue
            verdict = "true" if True in outcomes else "false" if False in outcomes else "unknown"
            self.flagged.add(node.span)
            where = "outside" if self._outside(info, constant) else "at the edge of"
            self.warn("CP413", f"'{node.text}' is {verdict} for every plausible {info.name}: {constant.shown} lies {where} "
                      f"its plausible range {info.plausible_text}", node.span,
                      "check the threshold's value and unit against the plausible range")

    @staticmethod
    def _outside(info: p.InputInfo, constant: p.Const | p.CalendarConst) -> bool:
        assert info.plausible is not None
        low, high = info.plausible
        if isinstance(constant, p.CalendarConst):
            assert isinstance(low, Duration) and isinstance(high, Duration)
            value = Duration.of_months(constant.amount) if constant.base is p.CalendarBase.MONTHS else Duration.of_days(constant.amount)
            return value.day_high < low.day_low or value.day_low > high.day_high
        return bool(_exact(constant.value) < _exact(low) or _exact(constant.value) > _exact(high))

    # ---- subjects ---------------------------------------------------------------------------------

    def subjects(self) -> list[_Subject]:
        subjects: list[_Subject] = []
        for definition in self.checked.definitions:
            name = definition.name
            match definition:
                case p.Criterion() | p.Recommendation():
                    kind = definition.step_kind.value
                    slot = definition.slot if isinstance(definition, p.Recommendation) else self.probe(definition.condition,
                                                                                                         definition.condition.span)
                    condition = _Condition(slot, definition.condition, f"{kind} '{name}'", self._reads_inputs([definition.condition]), False)
                    subjects.append(_Subject(definition, [definition.condition], None, (), [condition], False))
                case p.Classification():
                    conditions = [_Condition(self.probe(b.condition, b.condition.span), b.condition, f"branch '{b.name}' of '{name}'",
                                             self._reads_inputs([b.condition]), True) for b in definition.branches if b.condition is not None]
                    choices = tuple((b.name, b.span, f"branch '{b.name}' of '{name}'") for b in definition.branches)
                    subjects.append(_Subject(definition, [b.condition for b in definition.branches if b.condition is not None],
                                             definition.slot, choices, conditions, True))
                case p.Dose():
                    if all(b.condition is None for b in definition.branches):
                        continue
                    conditions = []
                    bands: list[tuple[str, Span, str]] = []
                    for index, branch in enumerate(definition.branches):
                        amount = branch.amount.text
                        label = f"the amount '{amount}' ({'otherwise' if branch.condition is None else f'band {index + 1}'}) of '{name}'"
                        bands.append((branch.name, branch.span, label))
                        if branch.condition is not None:
                            conditions.append(_Condition(self.probe(branch.condition, branch.condition.span), branch.condition, label,
                                                         self._reads_inputs([branch.condition]), True))
                    subjects.append(_Subject(definition, [b.condition for b in definition.branches if b.condition is not None],
                                             self.band_probe(definition), tuple(bands), conditions, True))
                case p.Target():
                    spans = {"below": definition.low.span, "within": definition.span, "above": definition.high.span}
                    choices = tuple((band, spans[band], f"band '{band}' of target '{name}'") for band in ("below", "within", "above"))
                    subjects.append(_Subject(definition, [definition.measured], definition.slot, choices, [], False))
                case p.Event():
                    self.note(f"'{name}' not analysed: it reads dated series", self.name_span(name, definition.span))
                case _:
                    assert_never(definition)
        return subjects

    def _reads_inputs(self, roots: Sequence[Any]) -> bool:
        return bool(_reach(roots, self.definitions).inputs)

    # ---- one subject -----------------------------------------------------------------------------

    def analyse(self, subject: _Subject) -> None:
        definition = subject.definition
        name = definition.name
        reach = _reach(subject.roots, self.definitions)
        is_decision = definition.is_decision
        where = self.name_span(name, definition.span)
        if reach.series:
            if is_decision:
                self.note(f"'{name}' not analysed: it reads dated series", where)
            return
        inputs = sorted(reach.inputs.values(), key=lambda info: info.slot)
        reps = [self.reps[info.slot] for info in inputs]
        total = math.prod(len(r) for r in reps)
        if total > LIMIT:
            if is_decision:
                self.note(f"'{name}' not analysed: too many combinations to enumerate ({total:,}, more than {LIMIT:,})", where)
            return
        wanted = {self.definitions[d].slot for d in reach.definitions} | {c.slot for c in subject.conditions}
        if subject.chooser is not None:
            wanted.add(subject.chooser)
        if isinstance(definition, p.Recommendation):
            wanted.add(definition.slot)
        plan = replace(self.engine, decision_plan=tuple((s, f) for s, f in self.engine.decision_plan if s in wanted))
        outcomes: dict[int, set[Any]] = {c.slot: set() for c in subject.conditions}
        chosen: set[Any] = set()
        failure: tuple[_Rep, ...] | None = None
        failure_known = False
        blocked: tuple[str, ...] = ()  # decisions read that are themselves undetermined for the failing patient
        values: list[Any] = [None] * len(self.checked.inputs)
        needs = self.needs.get(subject.chooser) if subject.chooser is not None else None
        upstream = [d for d in sorted(reach.definitions) if self.definitions[d].is_decision]
        for point in itertools.product(*reps):
            for info, rep in zip(inputs, point, strict=True):
                values[info.slot] = rep.value
            env = decide(plan, values)
            for condition in subject.conditions:
                outcomes[condition.slot].add(env[condition.slot])
            if subject.chooser is None:
                continue
            value = env[subject.chooser]
            chosen.add(value)
            if value is None and subject.complete_check and needs is not None and not needs(env):
                known = all(rep.value is not None for rep in point)
                if failure is None or (known and not failure_known):
                    failure, failure_known = point, known
                    blocked = tuple(d for d in upstream if env[self.definitions[d].slot] is None)
        if subject.complete_check:
            self.completeness(subject, inputs, failure, blocked, total, reach.exact)
        if not reach.exact:
            if is_decision:
                self.note(f"'{name}' checked on {total:,} samples, not proven: a condition computes with arithmetic or a function, "
                          "or compares two inputs", where)
            return
        self.reachability(subject, chosen, outcomes)
        for condition in subject.conditions:
            self.constancy(condition, outcomes[condition.slot])

    def completeness(self, subject: _Subject, inputs: list[p.InputInfo], failure: tuple[_Rep, ...] | None, blocked: tuple[str, ...],
                     total: int, exact: bool) -> None:
        definition = subject.definition
        name = definition.name
        where = self.name_span(name, definition.span)
        if failure is None:
            if exact:
                self.proved.add(name)
                self.note(f"'{name}' proved complete: {total:,} cases cover every patient, and each lands in one branch or is "
                          "undetermined naming the inputs it needs", where)
            return
        record, as_of = self.counterexample(definition, inputs, failure)
        patient = ", ".join(rep.shown for rep in failure) or "no inputs at all"
        if blocked:
            names = ", ".join(f"'{d}'" for d in blocked)
            self.warn("CP407", f"'{name}' is incomplete: for a patient with {patient}, it reads {names}, which "
                      f"{'is' if len(blocked) == 1 else 'are'} undetermined with nothing missing, so it is too", where,
                      f"make {names} complete first", record, as_of)
            return
        dose = isinstance(definition, p.Dose)
        what = "no amount" if dose else "no branch"
        self.warn("CP407", f"'{name}' is incomplete: a patient with {patient} matches {what}, and is left undetermined with nothing "
                  "missing", where, "add an 'otherwise' branch, or a branch for such patients" if not dose else
                  "add an 'AMOUNT otherwise' band, or a band for such patients", record, as_of)

    def counterexample(self, definition: p.Definition, inputs: list[p.InputInfo],
                       point: tuple[_Rep, ...]) -> tuple[str | None, dt.date | None]:
        """The patient as a YAML record, bound and evaluated by the engine to confirm it is left undetermined."""
        lines = ["- id: counterexample"]
        as_of = None
        for rep in point:
            lines += [f"  {field_name}: {text}" for field_name, text in rep.fields]
            as_of = rep.as_of or as_of
        text = "\n".join(lines) + "\n"
        loaded = load_text(text, "<counterexample>")
        record = bind(loaded[0], self.checked) if len(loaded) == 1 and isinstance(loaded[0], RawRecord) else None
        if not isinstance(record, PatientRecord):
            return None, None
        result = evaluate(self.compiled, record, as_of or _AS_OF, trace=False)
        if result.decisions.get(definition.name) is not None:
            return None, None
        return text, as_of

    def reachability(self, subject: _Subject, chosen: set[Any], outcomes: dict[int, set[Any]]) -> None:
        definition = subject.definition
        for index, (value, span, label) in enumerate(subject.choices):
            if value in chosen:
                continue
            if isinstance(definition, p.Target):
                measured = definition.measured.text
                reason = f"no plausible {measured} lies {'below' if value == 'below' else 'above' if value == 'above' else 'within'} " \
                         f"{definition.low.shown} .. {definition.high.shown}"
                self.warn("CP408", f"{label} is never reached: {reason}", span, "check the bounds against the plausible range")
                continue
            assert isinstance(definition, (p.Classification, p.Dose))
            branch = definition.branches[index]
            if branch.condition is None:
                reason = "every patient whose inputs are known matches an earlier branch"
            else:
                condition = next(c for c in subject.conditions if c.node is branch.condition)
                reason = "an earlier branch takes every patient it fits"
                if True not in outcomes[condition.slot]:
                    reason = "its condition is never true"
            self.warn("CP408", f"{label} is never chosen: {reason}", span,
                      "remove it, or correct its condition or the conditions before it")

    def constancy(self, condition: _Condition, outcomes: set[Any]) -> None:
        if not condition.reads_inputs or condition.node.span in self.flagged or isinstance(condition.node, p.DefRef):
            return  # constant by construction, or already reported where the constant part is written
        if True in outcomes and False in outcomes:
            return
        if condition.branch and True not in outcomes:
            return  # reported as a branch never chosen
        if True in outcomes:
            whom = "every patient whose inputs are known" if None in outcomes else "every patient"
            message = f"the condition of {condition.owner} is never false: it holds for {whom}"
        elif False in outcomes:
            message = f"the condition of {condition.owner} is never true"
        else:
            message = f"the condition of {condition.owner} is never decided: it is unknown for every patient"
        self.warn("CP409", message, condition.node.span, "check the comparisons and thresholds: as written it does not depend on the patient")


_DECLARING = (n.Criterion, n.Classification, n.Recommendation, n.Parameter, n.Dose, n.Target, n.Event, n.Branch, n.InputDecl)


def _ast_names(node: object) -> Iterator[str]:
    """Every name a definition's body mentions (not the names it declares)."""
    if isinstance(node, n.Name):
        yield node.name
    elif isinstance(node, tuple):
        for item in node:
            yield from _ast_names(item)
    elif is_dataclass(node) and not isinstance(node, type):
        for item in fields(node):
            if item.name != "span" and not (item.name == "name" and isinstance(node, _DECLARING)):
                yield from _ast_names(getattr(node, item.name))


def analyse(compiled: CompiledProtocol) -> Analysis:
    """Every deep finding on a protocol that checks without errors, with notes on what was proved or only sampled."""
    return _Analyser(compiled).run()
