"""What a Gherkin scenario has said so far, and the helpers its steps share: given a protocol (checked through
`check_source`, as `carepath check` does) and patients, it evaluates or compares them on demand. No pytest here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import carepath
from carepath import CheckReport, CompiledProtocol, InvalidRecord, PatientRecord, ProtocolError, Result, Run, Source, check_source
from carepath.render import json as json_render
from carepath.runtime.compare import Comparison, PatientComparison, compare_bound, extra_fields
from carepath.runtime.engine import evaluate_all
from carepath.semantics.trace import decision_text

DEFAULT_AS_OF = dt.date(2026, 1, 1)

# Each is called with every run a scenario evaluates (compiled protocol, traced run): `carepath test` measures
# rule coverage this way. Empty unless something listens, so a plain `pytest` run is untouched.
OBSERVERS: list[Callable[[CompiledProtocol, Run], None]] = []

# The quoted values of the step vocabulary, each captured under its own name.
Q = r'"(?P<{}>[^"]*)"'
PATIENT, DECISION, VALUE, FIELD, TEXT = Q.format("patient"), Q.format("name"), Q.format("value"), Q.format("field"), Q.format("text")
FROM, TO, PROTOCOL = Q.format("before"), Q.format("after"), Q.format("protocol")


# ---- one protocol --------------------------------------------------------------------------


@dataclass
class CarepathState:
    """What a scenario has said so far; compiled and evaluated lazily so Given steps may come in any order."""

    root: Path
    as_of: dt.date = DEFAULT_AS_OF
    source: Source | None = None
    records: list[tuple[str, Path | str]] = field(default_factory=list)  # ("file", path) | (name, records text)
    parameters: dict[str, str] = field(default_factory=dict)  # a site's overrides, by name
    _checked: CheckReport | None = None  # as a run needs it: names, types, units, structure
    _deep: CheckReport | None = None  # as `carepath check` reports it: the deep analysis too
    _run: Run | None = None

    def set_protocol(self, source: Source) -> None:
        self.source = source
        self.forget()

    def forget(self) -> None:
        """Drop what was checked or evaluated: the protocol or its parameters changed."""
        self._checked, self._deep, self._run = None, None, None

    def report(self, deep: bool = False) -> CheckReport:
        """Check once through the pipeline every front end uses; a protocol error stays in the report for the
        `rejected` steps rather than being raised. `deep` adds the analysis `carepath check` runs."""
        assert self.source is not None, 'no protocol given: start with Given the protocol "…" or Given the protocol:'
        if deep:
            if self._deep is None:
                self._deep = check_source(self.source, self.parameters)
            return self._deep
        if self._checked is None:
            self._checked = check_source(self.source, self.parameters, deep=False)
        return self._checked

    @property
    def compiled(self) -> CompiledProtocol:
        report = self.report()
        if report.compiled is None:
            raise AssertionError(f"the protocol was rejected:\n{report.render()}")
        return report.compiled

    def resolve(self, path: str) -> Path:
        candidate = Path(path)
        return candidate if candidate.is_absolute() else self.root / candidate

    def evaluate(self) -> Run:
        if self._run is None:
            compiled = self.compiled
            bound: list[PatientRecord | InvalidRecord] = []
            for kind, what in self.records:
                if isinstance(what, Path):
                    bound.extend(file_records(compiled, what, kind))
                else:
                    bound.extend(carepath.records_from_text(compiled, what, kind))
            assert bound, "no patients given: add Given the patients in \"…\" or Given a patient \"…\" with:"
            self._run = evaluate_all(compiled, bound, self.as_of)
            for observe in OBSERVERS:
                observe(compiled, self._run)
        return self._run

    @property
    def results(self) -> tuple[Result, ...]:
        return self.evaluate().results

    def result(self, patient: str) -> Result:
        found = [r for r in self.results if r.id == patient]
        known = ", ".join(str(r.id) for r in self.results)
        assert found, f"no patient {patient!r}; the patients are {known}"
        assert len(found) == 1, f"patient {patient!r} appears {len(found)} times"
        return found[0]

    def explanation(self, patient: str) -> dict[str, Any]:
        return json_render.explain_document(self.evaluate(), self.result(patient))


# ---- helpers -------------------------------------------------------------------------------


shown = decision_text  # a decision value as features write it: yes/no, a branch name, or undetermined


SYNONYMS = {"true": "yes", "false": "no", "unknown": "undetermined"}


def file_records(compiled: CompiledProtocol, path: Path, kind: str,
                 extra: frozenset[str] = frozenset()) -> list[PatientRecord | InvalidRecord]:
    """A data file in any format carepath reads; `kind` is "file", or "map:PATH" to read it through a data map."""
    from carepath.api import load_data

    map_path = Path(kind[len("map:"):]) if kind.startswith("map:") else None
    try:
        return load_data(compiled, [path], map_path, extra_fields=extra)
    except ProtocolError as error:
        raise AssertionError(f"the data map {map_path} does not fit:\n{error.render()}") from None


def names(text: str) -> list[str]:
    """'a, b, c' → ['a', 'b', 'c']; empty text → []."""
    return [part.strip() for part in text.split(",") if part.strip()]


def describe(result: Result) -> str:
    """A one-line summary for assertion messages, so a failing step says what did happen."""
    if result.status == "invalid":
        return f"patient {result.id!r} was rejected: " + "; ".join(e.message for e in result.errors)
    decisions = ", ".join(f"{k} = {shown(v)}" for k, v in result.decisions.items())
    why = "; ".join(f"{k} by {', '.join(v)}" for k, v in result.reasons.items())
    needs = f"; needs {', '.join(result.needs)}" if result.needs else ""
    return f"patient {result.id!r} ({result.status}): {decisions}" + (f"; decided {why}" if why else "") + needs


def decision(result: Result, name: str) -> object:
    assert result.status != "invalid", describe(result)
    assert name in result.decisions, f"{name!r} is not a decision; the decisions are {', '.join(result.decisions)}"
    return result.decisions[name]


def assert_value(result: Result, name: str, expected: str) -> None:
    actual = shown(decision(result, name))
    wanted = SYNONYMS.get(expected, expected)
    assert actual == wanted, f"expected {name} = {wanted}, got {actual}: {describe(result)}"


def outcome(result: Result, name: str) -> object:
    """A criterion's (or decision's) outcome: True, False or None for unknown."""
    assert result.status != "invalid", describe(result)
    outcomes = {step.text: step.outcome for step in result.criteria}
    assert name in outcomes, f"{name!r} is not a criterion or decision; they are {', '.join(outcomes)}"
    return outcomes[name]


_HOW = {"holds": True, "does not hold": False, "is unknown": None}


def assert_criterion(result: Result, name: str, how: str) -> None:
    actual = outcome(result, name)
    got = {True: "holds", False: "does not hold", None: "is unknown"}[actual]  # type: ignore[index]
    assert actual is _HOW[how], f"expected {name} {how}, but it {got}: {describe(result)}"


def recorded(result: Result, field_name: str) -> list[str]:
    """The ways a field's value may be written: as the rules saw it and as written, or an `about:` entry."""
    record = result.record
    assert record is not None, describe(result)
    for fact in record.facts:
        if fact is not None and fact.input == field_name:
            return [fact.shown] + ([fact.raw] if fact.raw is not None else [])
    value: Any = record.about
    for part in field_name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return []
        value = value[part]
    return [str(value)]


def strings(document: object, key: str | None = None) -> Iterator[tuple[str | None, str]]:
    """Every (key, string) leaf of a JSON document."""
    if isinstance(document, Mapping):
        for k, v in document.items():
            yield from strings(v, str(k))
    elif isinstance(document, list):
        for item in document:
            yield from strings(item, key)
    elif isinstance(document, str):
        yield key, document


def matching(state: CarepathState, field_name: str, value: str) -> list[Result]:
    """Accepted patients whose field reads `value`; at least one, so an `every` step is never vacuous."""
    chosen = [r for r in state.results if r.status != "invalid" and value in recorded(r, field_name)]
    assert chosen, f"no accepted patient has {field_name} {value!r}"
    return chosen



# ---- two protocols -------------------------------------------------------------------------


@dataclass
class ComparisonState:
    """Two protocols for `compare` steps; the patients and evaluation date are the scenario's own."""

    protocols: list[tuple[str, Source]] = field(default_factory=list)  # (path as written in the step, text)
    _comparison: Comparison | None = None

    def set_protocols(self, protocols: list[tuple[str, Source]]) -> None:
        self.protocols, self._comparison = protocols, None

    def compare(self, state: CarepathState) -> Comparison:
        if self._comparison is None:
            assert len(self.protocols) == 2, 'no protocols to compare: start with Given the protocols "…" and "…"'
            compiled: list[CompiledProtocol] = []
            for path, source in self.protocols:
                try:
                    compiled.append(carepath.compile_source(source))
                except ProtocolError as error:
                    raise AssertionError(f"the protocol {path} was rejected:\n{error.render()}") from None
            a, b = compiled
            bound: dict[str, list[PatientRecord | InvalidRecord]] = {"a": [], "b": []}
            for side, protocol, other in (("a", a, b), ("b", b, a)):
                for kind, what in state.records:
                    if isinstance(what, Path):
                        bound[side].extend(file_records(protocol, what, kind, extra_fields(protocol, other)))
                    else:
                        bound[side].extend(carepath.records_from_text(protocol, what, kind, extra_fields(protocol, other)))
            assert bound["a"], "no patients given: add Given the patients in \"…\" or Given a patient \"…\" with:"
            self._comparison = compare_bound(a, b, bound["a"], bound["b"], state.as_of)
        return self._comparison

    def side(self, state: CarepathState, which: str) -> str:
        """'a' or 'b' for a protocol named in a step by its declared name or by its path as given."""
        comparison = self.compare(state)
        found = [side for side, (path, _), info in zip("ab", self.protocols, (comparison.a, comparison.b), strict=True)
                 if which in (path, info.provenance.protocol)]
        assert found, f"no compared protocol {which!r}; they are {comparison.a.provenance.protocol} and {comparison.b.provenance.protocol}"
        assert len(found) == 1, f"both compared protocols are called {which!r}: name them by path"
        return found[0]



def compared(state: CarepathState, comparison: ComparisonState, patient: str) -> PatientComparison:
    found = [p for p in comparison.compare(state).patients if p.id == patient]
    known = ", ".join(str(p.id) for p in comparison.compare(state).patients)
    assert found, f"no patient {patient!r}; the patients are {known}"
    assert len(found) == 1, f"patient {patient!r} appears {len(found)} times"
    return found[0]


def describe_pair(patient: PatientComparison) -> str:
    return f"under the first protocol {describe(patient.a)}; under the second {describe(patient.b)}"


def assert_shared(comparison: Comparison, name: str) -> None:
    assert name in comparison.summary, f"{name!r} is not a decision both protocols have; those are {', '.join(comparison.shared) or 'none'}"


def transition_patients(comparison: Comparison, name: str, before: str, after: str) -> list[str | None]:
    assert_shared(comparison, name)
    wanted = (SYNONYMS.get(before, before), SYNONYMS.get(after, after))
    return [p for t in comparison.summary[name] if (t.before, t.after) == wanted for p in t.patients]


def transitions_text(comparison: Comparison, name: str) -> str:
    return "; ".join(f"{t.before} → {t.after}: {', '.join(str(p) for p in t.patients)}" for t in comparison.summary.get(name, ()))


FROM, TO, PROTOCOL = Q.format("before"), Q.format("after"), Q.format("protocol")
