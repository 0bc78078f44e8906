"""The Gherkin steps comparing two protocols on the same patients: who changes which decision, from what to what.
Registered by the `carepath.tooling.bdd` plugin; the patients and evaluation date are the scenario's own.
"""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from carepath import Source
from carepath.runtime.compare import word
from carepath.tooling.scenario import (
    DECISION,
    FROM,
    PATIENT,
    PROTOCOL,
    SYNONYMS,
    TEXT,
    TO,
    VALUE,
    CarepathState,
    ComparisonState,
    assert_shared,
    compared,
    decision,
    describe,
    describe_pair,
    names,
    transition_patients,
    transitions_text,
)

re_ = parsers.re


@given(re_(r'the protocols "(?P<first>[^"]+)" and "(?P<second>[^"]+)"'))
def given_protocols(carepath_state: CarepathState, carepath_comparison: ComparisonState, first: str, second: str) -> None:
    carepath_comparison.set_protocols([(p, Source.from_path(carepath_state.resolve(p), p)) for p in (first, second)])


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
    assert (word(pair.a, name), word(pair.b, name)) == (SYNONYMS.get(before, before), SYNONYMS.get(after, after)), describe_pair(pair)
    assert name in pair.changed, describe_pair(pair)


@then(re_(rf"patient {PATIENT} keeps {DECISION} at {VALUE}"))
def then_patient_keeps(carepath_state: CarepathState, carepath_comparison: ComparisonState, patient: str, name: str, value: str) -> None:
    assert_shared(carepath_comparison.compare(carepath_state), name)
    pair = compared(carepath_state, carepath_comparison, patient)
    wanted = SYNONYMS.get(value, value)
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
