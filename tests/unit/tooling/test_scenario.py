"""The scenario state behind the Gherkin steps: checked through `check_source`, evaluated and compared on demand."""

from __future__ import annotations

from pathlib import Path

import pytest

from carepath import Source
from carepath.tooling.scenario import CarepathState, ComparisonState, describe, names, strings, transition_patients

HEAD = "protocol infants\ninput\n  age : duration plausible 0 days .. 25 years\n"
# two branches and no `otherwise`, covering every age: the deep analysis proves it complete
COVERED = HEAD + "classify infant:\n  young when age < 6 months\n  older when age >= 6 months\n"


def state_with(text: str, *patients: str) -> CarepathState:
    state = CarepathState(Path.cwd())
    state.set_protocol(Source("p.care", text))
    for patient in patients:
        state.records.append(("table", patient))
    return state


def test_the_warnings_are_those_of_carepath_check_only_when_asked_for_deeply() -> None:
    state = state_with(COVERED)
    assert [d.code for d in state.report().warnings] == ["CP402"]  # as a run needs it: no analysis
    assert state.report(deep=True).warnings == ()  # as `carepath check` prints it: the proof settles CP402


def test_a_rejected_protocol_fails_the_step_that_needs_its_program_with_every_diagnostic() -> None:
    state = state_with(HEAD + "criterion c: agee < 6 months\n")
    assert [d.code for d in state.report().errors] == ["CP201"]
    with pytest.raises(AssertionError, match=r"the protocol was rejected:\np.care:4:14: CP201"):
        state.compiled  # noqa: B018


def test_a_patient_is_evaluated_and_described_in_one_line() -> None:
    state = state_with(COVERED, "- {id: a, age: 3 months}\n- {id: b}\n")
    assert describe(state.result("a")) == "patient 'a' (ok): infant = young; decided infant by age"
    assert describe(state.result("b")) == "patient 'b' (undetermined): infant = undetermined; needs age"


def test_a_changed_protocol_is_checked_again() -> None:
    state = state_with(HEAD + "criterion c: agee < 6 months\n")
    assert state.report().errors
    state.set_protocol(Source("p.care", COVERED))
    assert state.report().errors == ()


def test_lists_and_json_leaves() -> None:
    assert names(" a, b ,,c ") == ["a", "b", "c"] and names("") == []
    assert list(strings({"x": ["one", {"y": "two"}], "n": 3})) == [("x", "one"), ("y", "two")]


def test_two_protocols_are_compared_on_the_scenario_s_patients() -> None:
    state = state_with(COVERED, "- {id: a, age: 7 months}\n- {id: b, age: 13 months}\n")
    later = COVERED.replace("6 months", "12 months")
    comparison = ComparisonState()
    comparison.set_protocols([("six.care", Source("six.care", COVERED)), ("twelve.care", Source("twelve.care", later))])
    assert transition_patients(comparison.compare(state), "infant", "older", "young") == ["a"]
    assert comparison.side(state, "twelve.care") == "b"
