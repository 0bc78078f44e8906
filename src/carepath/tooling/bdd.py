"""carepath's pytest plugin: generic Gherkin steps, so a protocol author writes `.feature` files and no Python.

The plugin is registered through the `pytest11` entry point, so installing carepath with its `test` extra
(which brings pytest-bdd) is all it takes. Without pytest-bdd the module still imports and does nothing.

How feature files are collected
  * A `.feature` file whose `Feature:` carries the tag `@carepath` is collected by this plugin directly
    (`pytest_collect_file`): `pytest features/` runs it with no Python glue at all. The tag is the opt-in, so
    other projects' feature files are left alone; it also becomes the `carepath` marker (`pytest -m carepath`).
  * Where `testpaths` does not reach the features directory (carepath's own `testpaths` is `tests/`), one
    module binds them: `scenarios("../features")` in tests/test_features.py. A scenario collected both ways
    (e.g. `pytest tests features`) runs once: the directly collected copy is deselected.

Step vocabulary (quoted values are written in double quotes; lists are comma-separated):

  Given the protocol "protocols/severance_2011.care"        path relative to pytest's rootdir
  Given the protocol:                                       protocol text in a docstring
  Given the patients in "cohorts/severance_2011.yaml"       a records file or directory
  Given a patient "X" with:                                 data table of | field | value | rows; an empty
                                                            value cell means the field is absent; values are
                                                            written as in a records file ("123.8 10*9/L"); a
                                                            cell in braces is a series ({1: 600, 2: 700})
  Given the evaluation date is "2026-01-01"                 default 2026-01-01, so runs are reproducible
  Given the parameter "busulfan_per_dose_light" is "1.1 mg/kg"   a site's override, written as in the protocol
  Given the site parameters in "site.yaml"                  a parameters file (name: value)
  When the protocol is evaluated
  When the protocol is checked
  Then the protocol is accepted
  Then the protocol is accepted with warning "CP402"
  Then the protocol is rejected with "CP302"                optionally `at line 7` and/or `mentioning "text"`
  Then patient "6" is assigned "high" for "risk_group"
  Then the decision "hsct_referral" for patient "6" is "yes"      yes | no | undetermined | a branch name
  Then "risk_group" for patient "6" was decided by "infant_under_6_months, hyperleukocytosis"   exact set;
                                                            for an `otherwise` branch these are the criteria
                                                            that failed
  Then "risk_group" for patient "4" was not decided by "mll_translocation"
  Then "hyperleukocytosis" holds for patient "6"            also `does not hold for`, `is unknown for`
  Then patient "X" is undetermined and needs "wbc_at_diagnosis"    exact set
  Then patient "X" is accepted                              not rejected (decided or undetermined)
  Then patient "X" is rejected with an error on "wbc_at_diagnosis" mentioning "plausible"
  Then no patient is rejected
  Then patient "1" has "wbc_at_diagnosis" recorded as "33,900 /µL"   an input as the rules saw it (or as
                                                            written), or a descriptive field under `about:`
  Then 7 of the 9 patients are assigned "high" for "risk_group"    `of the patients` skips the total check
  Then 4 of the 9 patients meet "hyperleukocytosis"
  Then every patient whose "mll" is "translocation" is assigned "high" for "risk_group"
  Then for every patient whose "mll" is "duplication", "mll_translocation" does not hold
                                                            also `holds` / `is unknown`; an `every` step
                                                            fails when no patient matches
  Then the explanation for patient "6" cites "[12]"         searched in the explanation's citations
  Then the explanation for patient "6" shows "123,800 /µL ≥ 50,000 /µL"   searched in all its text

Comparing two protocols on the same patients (the patients and evaluation date are given as above; a
field either protocol declares is accepted by both; values are words: yes, no, a branch name,
undetermined, or invalid for a record that protocol rejected):

  Given the protocols "protocols/severance_2011.care" and "protocols/interfant06.care"    first is A, second B
  When the protocols are compared
  Then 3 patients change "hsct_referral" from "yes" to "undetermined"    exact count; 0 is allowed
  Then patient "1" changes "risk_group" from "high" to "medium"
  Then patient "2" keeps "hsct_referral" at "no"
  Then 7 of the 9 patients change "hsct_referral"                       `of the patients` skips the total check
  Then under "interfant06" patient "1" is undetermined and needs "mrd_before_octadad"   exact set; a protocol
                                                            is named by its declared name or its path as given
  Then under "interfant06", "risk_group" for patient "1" was decided by "mll_rearranged"
  Then patient "X" is rejected under "interfant06"          also `is accepted under`
  Then no patient is rejected by either protocol

Steps read and write one `carepath_state` fixture; only carepath's public API is used.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import types
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import carepath
from carepath import CompiledProtocol, InvalidRecord, PatientRecord, ProtocolError, Result, Run, Source
from carepath.render import json as json_render
from carepath.runtime.compare import Comparison, PatientComparison, compare_bound, extra_fields, word
from carepath.runtime.engine import evaluate_all
from carepath.semantics.trace import decision_text

try:
    import pytest_bdd
    from pytest_bdd import parsers
    from pytest_bdd.feature import get_feature
    from pytest_bdd.scenario import get_python_name_generator, scenario_wrapper_template_registry
    from pytest_bdd.utils import registry_get_safe
except ImportError:  # pragma: no cover - pytest-bdd is in the `test` extra; without it the plugin is inert
    pytest_bdd = None  # type: ignore[assignment]

DEFAULT_AS_OF = dt.date(2026, 1, 1)
TAG = "carepath"
_TAG_LINE = re.compile(r"^\s*(?:@\S+\s+)*@carepath(?:\s|$)", re.MULTILINE)
_FEATURE_LINE = re.compile(r"^\s*Feature:", re.MULTILINE)

# Each is called with every run a scenario evaluates (compiled protocol, traced run): `carepath test` measures
# rule coverage this way. Empty unless something listens, so a plain `pytest` run is untouched.
OBSERVERS: list[Callable[[CompiledProtocol, Run], None]] = []


def is_tagged(text: str) -> bool:
    """Whether a feature file's text opts in to direct collection: `@carepath` among its Feature's tags."""
    feature_at = _FEATURE_LINE.search(text)
    tagged = _TAG_LINE.search(text)
    return tagged is not None and (feature_at is None or tagged.start() <= feature_at.start())


# ---- state ---------------------------------------------------------------------------------


@dataclass
class CarepathState:
    """What a scenario has said so far; compiled and evaluated lazily so Given steps may come in any order."""

    root: Path
    as_of: dt.date = DEFAULT_AS_OF
    source: Source | None = None
    records: list[tuple[str, Path | str]] = field(default_factory=list)  # ("file", path) | (name, records text)
    parameters: dict[str, str] = field(default_factory=dict)  # a site's overrides, by name
    _compiled: CompiledProtocol | None = None
    _error: ProtocolError | None = None
    _run: Run | None = None

    def set_protocol(self, source: Source) -> None:
        self.source = source
        self.forget()

    def forget(self) -> None:
        """Drop what was compiled or evaluated: the protocol or its parameters changed."""
        self._compiled, self._error, self._run = None, None, None

    def check(self) -> ProtocolError | None:
        """Compile once; a protocol error is kept for the `rejected` steps rather than raised."""
        assert self.source is not None, 'no protocol given: start with Given the protocol "…" or Given the protocol:'
        if self._compiled is None and self._error is None:
            try:
                self._compiled = carepath.compile_source(self.source, self.parameters)
            except ProtocolError as error:
                self._error = error
        return self._error

    @property
    def compiled(self) -> CompiledProtocol:
        error = self.check()
        if error is not None:
            raise AssertionError(f"the protocol was rejected:\n{error.render()}")
        assert self._compiled is not None
        return self._compiled

    def resolve(self, path: str) -> Path:
        candidate = Path(path)
        return candidate if candidate.is_absolute() else self.root / candidate

    def evaluate(self) -> Run:
        if self._run is None:
            compiled = self.compiled
            bound: list[PatientRecord | InvalidRecord] = []
            for kind, what in self.records:
                if isinstance(what, Path):
                    bound.extend(carepath.load_records(compiled, [what]))
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


@pytest.fixture
def carepath_state(request: pytest.FixtureRequest) -> CarepathState:
    """A fresh scenario state; relative paths in steps are read from pytest's rootdir."""
    return CarepathState(Path(request.config.rootpath))


# ---- helpers -------------------------------------------------------------------------------


shown = decision_text  # a decision value as features write it: yes/no, a branch name, or undetermined


_SYNONYMS = {"true": "yes", "false": "no", "unknown": "undetermined"}


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
    wanted = _SYNONYMS.get(expected, expected)
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


# ---- steps ---------------------------------------------------------------------------------

if pytest_bdd is not None:
    given, when, then, re_ = pytest_bdd.given, pytest_bdd.when, pytest_bdd.then, parsers.re
else:  # pragma: no cover
    def _inert(*_args: Any, **_kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return lambda function: function

    given = when = then = _inert

    def re_(pattern: str) -> str:
        return pattern


Q = r'"(?P<{}>[^"]*)"'
PATIENT, DECISION, VALUE, FIELD, TEXT = Q.format("patient"), Q.format("name"), Q.format("value"), Q.format("field"), Q.format("text")


@given(re_(r'the protocol "(?P<path>[^"]+)"'))
def given_protocol_file(carepath_state: CarepathState, path: str) -> None:
    carepath_state.set_protocol(Source(path, carepath_state.resolve(path).read_text(encoding="utf-8")))


@given(re_(r"the protocol:"))
def given_protocol_text(carepath_state: CarepathState, docstring: str) -> None:
    carepath_state.set_protocol(Source("protocol.care", docstring + "\n"))


@given(re_(r'the patients in "(?P<path>[^"]+)"'))
def given_patients_file(carepath_state: CarepathState, path: str) -> None:
    resolved = carepath_state.resolve(path)
    assert resolved.exists(), f"no such records file or directory: {path}"
    carepath_state.records.append(("file", resolved))


@given(re_(rf"a patient {PATIENT} with:"))
def given_patient_table(carepath_state: CarepathState, patient: str, datatable: list[list[str]]) -> None:
    rows = [row for row in datatable if row]
    if rows and [c.strip().lower() for c in rows[0]] == ["field", "value"]:
        rows = rows[1:]
    lines = [f"- id: {json.dumps(patient)}"]
    seen: set[str] = set()
    for row in rows:
        assert len(row) == 2, f"each row is | field | value |, got {row}"
        name, value = row[0].strip(), row[1].strip()
        assert name not in seen, f"field {name!r} is given twice for patient {patient!r}"
        seen.add(name)
        if value:
            # a cell in braces or brackets is a YAML flow mapping or list (a series: {1: 600, 2: 700}); any other
            # cell is one value, quoted, so `no` or `2024-03-01` stay text until their field reads them
            written = value if value[0] in "{[" else json.dumps(value, ensure_ascii=False)
            lines.append(f"  {json.dumps(name)}: {written}")
    carepath_state.records.append((f'patient "{patient}" table', "\n".join(lines) + "\n"))


@given(re_(rf'the parameter "(?P<name>[^"]+)" is {VALUE}'))
def given_parameter(carepath_state: CarepathState, name: str, value: str) -> None:
    carepath_state.parameters[name] = value
    carepath_state.forget()


@given(re_(r'the site parameters in "(?P<path>[^"]+)"'))
def given_parameter_file(carepath_state: CarepathState, path: str) -> None:
    carepath_state.parameters.update(carepath.load_parameters(carepath_state.resolve(path)))
    carepath_state.forget()


@given(re_(r'the evaluation date is "(?P<date>[^"]+)"'))
def given_as_of(carepath_state: CarepathState, date: str) -> None:
    carepath_state.as_of = dt.date.fromisoformat(date)


@when(re_(r"the protocol is evaluated"))
def when_evaluated(carepath_state: CarepathState) -> None:
    carepath_state.evaluate()


@when(re_(r"the protocol is checked"))
def when_checked(carepath_state: CarepathState) -> None:
    carepath_state.check()


@then(re_(r"the protocol is accepted"))
def then_protocol_accepted(carepath_state: CarepathState) -> None:
    carepath_state.compiled  # noqa: B018 - raises with every diagnostic when the protocol was rejected


@then(re_(r'the protocol is accepted with warning "(?P<code>[^"]+)"'))
def then_protocol_warns(carepath_state: CarepathState, code: str) -> None:
    codes = [getattr(w, "code", None) for w in carepath_state.compiled.checked.warnings]
    assert code in codes, f"expected warning {code}, got {codes or 'no warnings'}"


@then(re_(r'the protocol is rejected with "(?P<code>[^"]+)"(?: at line (?P<line>\d+))?(?: mentioning "(?P<text>[^"]*)")?'))
def then_protocol_rejected(carepath_state: CarepathState, code: str, line: str | None, text: str | None) -> None:
    error = carepath_state.check()
    assert error is not None, f"expected {code}, but the protocol was accepted"
    found = [d for d in error.diagnostics if d.code == code]
    assert found, f"expected {code}, got:\n{error.render()}"
    if line is not None:
        found = [d for d in found if d.span.line == int(line)]
        assert found, f"expected {code} at line {line}, got:\n{error.render()}"
    if text is not None:
        found = [d for d in found if text in d.message or text in (d.hint or "")]
        assert found, f"expected {code} mentioning {text!r}, got:\n{error.render()}"


@then(re_(rf"patient {PATIENT} is assigned {VALUE} for {DECISION}"))
def then_assigned(carepath_state: CarepathState, patient: str, value: str, name: str) -> None:
    assert_value(carepath_state.result(patient), name, value)


@then(re_(rf"the decision {DECISION} for patient {PATIENT} is {VALUE}"))
def then_decision(carepath_state: CarepathState, name: str, patient: str, value: str) -> None:
    assert_value(carepath_state.result(patient), name, value)


@then(re_(rf"{DECISION} for patient {PATIENT} was decided by {TEXT}"))
def then_decided_by(carepath_state: CarepathState, name: str, patient: str, text: str) -> None:
    result = carepath_state.result(patient)
    assert decision(result, name) is not None, f"{name} is undetermined: {describe(result)}"
    actual = set(result.reasons.get(name, ()))
    assert actual == set(names(text)), f"{name} was decided by {', '.join(sorted(actual)) or 'nothing'}: {describe(result)}"


@then(re_(rf"{DECISION} for patient {PATIENT} was not decided by {TEXT}"))
def then_not_decided_by(carepath_state: CarepathState, name: str, patient: str, text: str) -> None:
    result = carepath_state.result(patient)
    assert decision(result, name) is not None, f"{name} is undetermined: {describe(result)}"
    overlap = set(result.reasons.get(name, ())) & set(names(text))
    assert not overlap, f"{name} was decided by {', '.join(sorted(overlap))}: {describe(result)}"


@then(re_(rf"{TEXT} (?P<how>holds|does not hold|is unknown) for patient {PATIENT}"))
def then_criterion(carepath_state: CarepathState, text: str, how: str, patient: str) -> None:
    assert_criterion(carepath_state.result(patient), text, how)


@then(re_(rf"patient {PATIENT} is undetermined and needs {TEXT}"))
def then_undetermined(carepath_state: CarepathState, patient: str, text: str) -> None:
    result = carepath_state.result(patient)
    assert result.status == "undetermined", f"expected undetermined: {describe(result)}"
    assert set(result.needs) == set(names(text)), f"expected needs {text}: {describe(result)}"


@then(re_(rf"patient {PATIENT} is accepted"))
def then_patient_accepted(carepath_state: CarepathState, patient: str) -> None:
    result = carepath_state.result(patient)
    assert result.status != "invalid", describe(result)


@then(re_(rf"patient {PATIENT} is rejected with an error on {FIELD} mentioning {TEXT}"))
def then_rejected(carepath_state: CarepathState, patient: str, field: str, text: str) -> None:
    result = carepath_state.result(patient)
    assert result.status == "invalid", f"expected a rejection: {describe(result)}"
    on_field = [e.message for e in result.errors if e.field == field]
    assert on_field, f"no error on {field}: {describe(result)}"
    assert any(text in m for m in on_field), f"no error on {field} mentions {text!r}: {'; '.join(on_field)}"


@then(re_(r"no patient is rejected"))
def then_none_rejected(carepath_state: CarepathState) -> None:
    rejected = [describe(r) for r in carepath_state.results if r.status == "invalid"]
    assert not rejected, "\n".join(rejected)


@then(re_(rf"patient {PATIENT} has {FIELD} recorded as {VALUE}"))
def then_recorded(carepath_state: CarepathState, patient: str, field: str, value: str) -> None:
    result = carepath_state.result(patient)
    assert result.status != "invalid", describe(result)
    ways = recorded(result, field)
    assert ways, f"patient {patient!r} has no {field}"
    assert value in ways, f"patient {patient!r} has {field} {' / '.join(repr(w) for w in ways)}, not {value!r}"


@then(re_(rf"(?P<count>\d+) of the (?:(?P<total>\d+) )?patients (?:is|are) assigned {VALUE} for {DECISION}"))
def then_count(carepath_state: CarepathState, count: str, total: str | None, value: str, name: str) -> None:
    results = carepath_state.results
    if total is not None:
        assert len(results) == int(total), f"expected {total} patients, got {len(results)}"
    wanted = _SYNONYMS.get(value, value)
    chosen = [r.id for r in results if r.status != "invalid" and shown(decision(r, name)) == wanted]
    assert len(chosen) == int(count), f"{len(chosen)} patients are assigned {wanted} for {name}: {', '.join(map(str, chosen))}"


@then(re_(rf"(?P<count>\d+) of the (?:(?P<total>\d+) )?patients meets? {TEXT}"))
def then_count_meet(carepath_state: CarepathState, count: str, total: str | None, text: str) -> None:
    results = carepath_state.results
    if total is not None:
        assert len(results) == int(total), f"expected {total} patients, got {len(results)}"
    chosen = [r.id for r in results if r.status != "invalid" and outcome(r, text) is True]
    assert len(chosen) == int(count), f"{len(chosen)} patients meet {text}: {', '.join(map(str, chosen))}"


@then(re_(rf"every patient whose {FIELD} is {TEXT} is assigned {VALUE} for {DECISION}"))
def then_every_assigned(carepath_state: CarepathState, field: str, text: str, value: str, name: str) -> None:
    for result in matching(carepath_state, field, text):
        assert_value(result, name, value)


@then(re_(rf"for every patient whose {FIELD} is {VALUE}, {TEXT} (?P<how>holds|does not hold|is unknown)"))
def then_every_criterion(carepath_state: CarepathState, field: str, value: str, text: str, how: str) -> None:
    for result in matching(carepath_state, field, value):
        assert_criterion(result, text, how)


@then(re_(rf"the explanation for patient {PATIENT} cites {TEXT}"))
def then_cites(carepath_state: CarepathState, patient: str, text: str) -> None:
    citations = {s for k, s in strings(carepath_state.explanation(patient)) if k == "citation"}
    assert any(text in c for c in citations), f"no citation mentions {text!r}; the citations are {sorted(citations)}"


@then(re_(rf"the explanation for patient {PATIENT} shows {TEXT}"))
def then_shows(carepath_state: CarepathState, patient: str, text: str) -> None:
    document = carepath_state.explanation(patient)
    assert any(text in s for _, s in strings(document)), f"the explanation does not show {text!r}:\n{json_render.dumps(document)}"


# ---- collection ----------------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{TAG}: a carepath feature scenario (tag a Feature @{TAG} to collect it)")


if pytest_bdd is not None:

    class FeatureFile(pytest.Module):
        """A tagged `.feature` file as a test module: one test per scenario, bound with pytest-bdd."""

        def _getobj(self) -> types.ModuleType:
            base, name = str(self.path.parent), self.path.name
            module = types.ModuleType("carepath_feature_" + re.sub(r"\W", "_", self.path.stem))
            module.__file__ = str(self.path)
            for scenario_name in get_feature(base, name).scenarios:
                test = pytest_bdd.scenario(name, scenario_name, features_base_dir=base)(_scenario_body)
                test_name = next(n for n in get_python_name_generator(scenario_name) if not hasattr(module, n))
                setattr(module, test_name, test)
            return module

    def _scenario_body() -> None:
        """Every step lives in the feature file; nothing is left to do after them."""

    def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
        if file_path.suffix != ".feature" or not parent.config.pluginmanager.hasplugin("pytest-bdd"):
            return None  # not a feature file, or pytest-bdd is installed but disabled (-p no:pytest-bdd)
        if not is_tagged(file_path.read_text(encoding="utf-8")):
            return None
        collector: pytest.Collector = FeatureFile.from_parent(parent, path=file_path)
        return collector

    def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
        """A scenario bound by a test module and also collected from its file runs once, from the module."""

        def key(item: pytest.Item) -> tuple[str, str, str] | None:
            template = registry_get_safe(scenario_wrapper_template_registry, getattr(item, "obj", None))
            if template is None:
                return None
            callspec = getattr(item, "callspec", None)
            return template.feature.filename, template.name, callspec.id if callspec else ""

        bound = {key(i) for i in items if not isinstance(i.parent, FeatureFile)} - {None}
        dropped = [i for i in items if isinstance(i.parent, FeatureFile) and key(i) in bound]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            gone = {id(i) for i in dropped}
            items[:] = [i for i in items if id(i) not in gone]


# ---- comparing two protocols ---------------------------------------------------------------


@dataclass
class ComparisonState:
    """Two protocols for `compare` steps; the patients and evaluation date are the scenario's own."""

    protocols: list[tuple[str, Source]] = field(default_factory=list)  # (path as written in the step, text)
    _comparison: Comparison | None = None

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
                        bound[side].extend(carepath.load_records(protocol, [what], extra_fields(protocol, other)))
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


@pytest.fixture
def carepath_comparison() -> ComparisonState:
    return ComparisonState()


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
    wanted = (_SYNONYMS.get(before, before), _SYNONYMS.get(after, after))
    return [p for t in comparison.summary[name] if (t.before, t.after) == wanted for p in t.patients]


def transitions_text(comparison: Comparison, name: str) -> str:
    return "; ".join(f"{t.before} → {t.after}: {', '.join(str(p) for p in t.patients)}" for t in comparison.summary.get(name, ()))


FROM, TO, PROTOCOL = Q.format("before"), Q.format("after"), Q.format("protocol")


@given(re_(r'the protocols "(?P<first>[^"]+)" and "(?P<second>[^"]+)"'))
def given_protocols(carepath_state: CarepathState, carepath_comparison: ComparisonState, first: str, second: str) -> None:
    carepath_comparison.protocols = [(p, Source(p, carepath_state.resolve(p).read_text(encoding="utf-8"))) for p in (first, second)]
    carepath_comparison._comparison = None


@when(re_(r"the protocols are compared"))
def when_compared(carepath_state: CarepathState, carepath_comparison: ComparisonState) -> None:
    carepath_comparison.compare(carepath_state)


@then(re_(rf"(?P<count>\d+) patients? changes? {DECISION} from {FROM} to {TO}"))
def then_transition_count(carepath_state: CarepathState, carepath_comparison: ComparisonState, count: str, name: str,
                          before: str, after: str) -> None:
    comparison = carepath_comparison.compare(carepath_state)
    moved = transition_patients(comparison, name, before, after)
    assert len(moved) == int(count), f"{len(moved)} patients go from {before} to {after} for {name}: {transitions_text(comparison, name)}"


@then(re_(rf"patient {PATIENT} changes {DECISION} from {FROM} to {TO}"))
def then_patient_changes(carepath_state: CarepathState, carepath_comparison: ComparisonState, patient: str, name: str,
                         before: str, after: str) -> None:
    assert_shared(carepath_comparison.compare(carepath_state), name)
    pair = compared(carepath_state, carepath_comparison, patient)
    assert before != after, "a change needs two different values; use `keeps` for the same value"
    assert (word(pair.a, name), word(pair.b, name)) == (_SYNONYMS.get(before, before), _SYNONYMS.get(after, after)), describe_pair(pair)
    assert name in pair.changed, describe_pair(pair)


@then(re_(rf"patient {PATIENT} keeps {DECISION} at {VALUE}"))
def then_patient_keeps(carepath_state: CarepathState, carepath_comparison: ComparisonState, patient: str, name: str, value: str) -> None:
    assert_shared(carepath_comparison.compare(carepath_state), name)
    pair = compared(carepath_state, carepath_comparison, patient)
    wanted = _SYNONYMS.get(value, value)
    assert (word(pair.a, name), word(pair.b, name)) == (wanted, wanted), describe_pair(pair)
    assert name not in pair.changed, describe_pair(pair)


@then(re_(rf"(?P<count>\d+) of the (?:(?P<total>\d+) )?patients change {DECISION}"))
def then_change_count(carepath_state: CarepathState, carepath_comparison: ComparisonState, count: str, total: str | None, name: str) -> None:
    comparison = carepath_comparison.compare(carepath_state)
    if total is not None:
        assert len(comparison.patients) == int(total), f"expected {total} patients, got {len(comparison.patients)}"
    assert_shared(comparison, name)
    changed = [p.id for p in comparison.patients if name in p.changed]
    assert len(changed) == int(count), f"{len(changed)} patients change {name}: {transitions_text(comparison, name)}"


@then(re_(rf"under {PROTOCOL} patient {PATIENT} is undetermined and needs {TEXT}"))
def then_side_needs(carepath_state: CarepathState, carepath_comparison: ComparisonState, protocol: str, patient: str, text: str) -> None:
    result = getattr(compared(carepath_state, carepath_comparison, patient), carepath_comparison.side(carepath_state, protocol))
    assert result.status == "undetermined", f"expected undetermined: {describe(result)}"
    assert set(result.needs) == set(names(text)), f"expected needs {text}: {describe(result)}"


@then(re_(rf"under {PROTOCOL}, {DECISION} for patient {PATIENT} was decided by {TEXT}"))
def then_side_decided_by(carepath_state: CarepathState, carepath_comparison: ComparisonState, protocol: str, name: str, patient: str,
                         text: str) -> None:
    result = getattr(compared(carepath_state, carepath_comparison, patient), carepath_comparison.side(carepath_state, protocol))
    assert decision(result, name) is not None, f"{name} is undetermined: {describe(result)}"
    actual = set(result.reasons.get(name, ()))
    assert actual == set(names(text)), f"{name} was decided by {', '.join(sorted(actual)) or 'nothing'}: {describe(result)}"


@then(re_(rf"patient {PATIENT} is (?P<how>accepted|rejected) under {PROTOCOL}"))
def then_side_status(carepath_state: CarepathState, carepath_comparison: ComparisonState, patient: str, how: str, protocol: str) -> None:
    result = getattr(compared(carepath_state, carepath_comparison, patient), carepath_comparison.side(carepath_state, protocol))
    assert (result.status == "invalid") == (how == "rejected"), f"expected {how}: {describe(result)}"


@then(re_(r"no patient is rejected by either protocol"))
def then_none_rejected_by_either(carepath_state: CarepathState, carepath_comparison: ComparisonState) -> None:
    rejected = [describe_pair(p) for p in carepath_comparison.compare(carepath_state).patients if "invalid" in (p.a.status, p.b.status)]
    assert not rejected, "\n".join(rejected)
