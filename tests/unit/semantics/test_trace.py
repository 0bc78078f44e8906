"""Traces: which children decided a step (reasons), which inputs an unknown waits for (needs), and the details shown."""

from __future__ import annotations

import datetime as dt

import carepath
from carepath.compile.compiler import CompiledProtocol
from carepath.runtime.engine import Result
from carepath.semantics.trace import Fact, Step, StepKind, needs, reasons

AS_OF = dt.date(2026, 1, 1)


def fact(name: str, missing: bool = False) -> Fact:
    return Fact(name, "missing" if missing else "1", None, "test", missing=missing)


def comparison(name: str, outcome: bool | None, missing: bool = False) -> Step:
    return Step(StepKind.COMPARISON, f"{name} > 0", outcome, facts=(fact(name, missing),), wanting=(name,) if outcome is None else ())


def reference(name: str, inner: Step) -> Step:
    return Step(StepKind.REFERENCE, name, inner.outcome, (inner,), (0,), reference=name)


def test_reasons_follow_only_deciding_children() -> None:
    a = reference("crit_a", Step(StepKind.CRITERION, "crit_a", True, (comparison("x", True),), (0,)))
    b = reference("crit_b", Step(StepKind.CRITERION, "crit_b", False, (comparison("y", False),), (0,)))
    c = reference("crit_c", Step(StepKind.CRITERION, "crit_c", True, (comparison("z", True),), (0,)))
    any_of = Step(StepKind.ANY_OF, "any of (crit_a, crit_b, crit_c)", True, (a, b, c), (0, 2))
    top = Step(StepKind.CLASSIFICATION, "r", "high", (Step(StepKind.BRANCH, "high when …", True, (any_of,), (0,)),), (0,))
    assert reasons(top) == ("crit_a", "crit_c")


def test_reasons_stop_at_named_references() -> None:
    inner = Step(StepKind.CRITERION, "crit", True, (comparison("x", True),), (0,))
    top = Step(StepKind.RECOMMENDATION, "rec", True, (reference("crit", inner),), (0,))
    assert reasons(top) == ("crit",)  # not the input x behind it


def test_reasons_fall_back_to_inputs_without_named_criteria() -> None:
    logic = Step(StepKind.AND, "x > 0 and y > 0", True, (comparison("x", True), comparison("y", True)), (0, 1))
    top = Step(StepKind.RECOMMENDATION, "rec", True, (logic,), (0,))
    assert reasons(top) == ("x", "y")


def test_reasons_are_deduplicated_in_first_seen_order() -> None:
    logic = Step(StepKind.OR, "…", True, (comparison("y", True), comparison("x", True), comparison("y", True)), (0, 1, 2))
    assert reasons(Step(StepKind.RECOMMENDATION, "rec", True, (logic,), (0,))) == ("y", "x")


def test_needs_walk_only_unknown_deciding_children() -> None:
    unknown_x = comparison("x", None, missing=True)
    false_y = comparison("y", False)
    unknown_z = comparison("z", None, missing=True)
    logic = Step(StepKind.OR, "…", None, (unknown_x, false_y, unknown_z), (0, 2))
    top = Step(StepKind.RECOMMENDATION, "rec", None, (logic,), (0,))
    assert needs(top) == ("x", "z")


def test_needs_of_a_known_step_is_empty() -> None:
    top = Step(StepKind.RECOMMENDATION, "rec", True, (comparison("x", True),), (0,))
    assert needs(top) == ()


def test_needs_stop_at_the_wanting_step() -> None:
    inner = Step(StepKind.COMPARISON, "a < b", None, (comparison("x", None, missing=True),), (0,), wanting=("a",))
    assert needs(Step(StepKind.CRITERION, "c", None, (inner,), (0,))) == ("a",)


# ---- traces built by the engine ------------------------------------------------------------


def evaluate_text(seed: CompiledProtocol, text: str) -> Result:
    (rec,) = carepath.records_from_text(seed, text, "t.yaml")
    return carepath.evaluate(seed, rec, AS_OF, trace=True)


def criterion_step(result: Result, name: str) -> Step:
    (step,) = [s for s in result.criteria if s.text == name]
    return step


def test_false_comparison_says_how_far_from_the_threshold(seed: CompiledProtocol) -> None:
    result = evaluate_text(seed, "- id: a\n  age_at_diagnosis: 6 months\n  wbc_at_diagnosis: 33.9 10*9/L\n  mll: germline\n")
    (compare,) = criterion_step(result, "hyperleukocytosis").children
    assert compare.kind is StepKind.COMPARISON
    assert compare.outcome is False
    assert compare.detail == "wbc_at_diagnosis 33,900 /µL < 50,000 /µL (needs ≥ 50,000 /µL); 16,100 /µL below the threshold"
    assert compare.facts == (Fact("wbc_at_diagnosis", "33,900 /µL", "33.9 10*9/L", "t.yaml, record 1, field wbc_at_diagnosis"),)


def test_true_comparison_and_enumeration_details(seed: CompiledProtocol) -> None:
    result = evaluate_text(seed, "- id: a\n  age_at_diagnosis: 5 months\n  wbc_at_diagnosis: 50000 /uL\n  mll: duplication\n")
    (wbc,) = criterion_step(result, "hyperleukocytosis").children
    assert wbc.detail == "wbc_at_diagnosis 50,000 /µL ≥ 50,000 /µL"
    (mll,) = criterion_step(result, "mll_translocation").children
    assert (mll.outcome, mll.detail) == (False, "mll is duplication, not translocation")
    assert result.reasons["risk_group"] == ("infant_under_6_months", "hyperleukocytosis")


def test_imprecise_age_explains_the_calendar(seed: CompiledProtocol) -> None:
    result = evaluate_text(seed, "- id: a\n  age_at_diagnosis: 183 days\n  wbc_at_diagnosis: 100 /uL\n  mll: germline\n")
    (age,) = criterion_step(result, "infant_under_6_months").children
    assert age.outcome is None
    assert age.detail == ("cannot tell whether 183 days < 6 months: 6 months is 181 to 184 days depending on the calendar; "
                          "give the age in months or the dates")
    assert age.wanting == ("age_at_diagnosis",)
    assert result.needs == ("age_at_diagnosis",)


def test_missing_input_is_named_in_the_trace(seed: CompiledProtocol) -> None:
    result = evaluate_text(seed, "- id: a\n  wbc_at_diagnosis: 100 /uL\n  mll: germline\n")
    (age,) = criterion_step(result, "infant_under_6_months").children
    assert age.detail == "age_at_diagnosis is missing"
    assert age.facts == (Fact("age_at_diagnosis", "missing", None, "not in the record", missing=True),)
    risk = result.steps[0]
    assert risk.kind is StepKind.CLASSIFICATION and risk.outcome is None
    (branch,) = risk.children  # evaluation of branches stopped at the unknown one
    assert branch.kind is StepKind.BRANCH and branch.outcome is None
    assert needs(risk) == ("age_at_diagnosis",)


def test_otherwise_branch_is_decided_by_every_earlier_branch(seed: CompiledProtocol) -> None:
    result = evaluate_text(seed, "- id: a\n  age_at_diagnosis: 10 months\n  wbc_at_diagnosis: 11410 /uL\n  mll: duplication\n")
    risk = result.steps[0]
    assert risk.outcome == "standard"
    assert [c.kind for c in risk.children] == [StepKind.BRANCH, StepKind.OTHERWISE]
    assert risk.deciding == (0, 1)
    assert reasons(risk) == ("infant_under_6_months", "hyperleukocytosis", "mll_translocation")


def test_decision_steps_carry_title_citation_and_span(seed: CompiledProtocol) -> None:
    result = evaluate_text(seed, "- id: a\n  age_at_diagnosis: 5 months\n  wbc_at_diagnosis: 100 /uL\n  mll: germline\n")
    hsct = result.steps[1]
    assert hsct.kind is StepKind.RECOMMENDATION
    assert hsct.title == "Allogeneic HSCT after intensive chemotherapy"
    assert hsct.citation is not None and hsct.citation.startswith("Lee 2011, Methods")
    assert hsct.span is not None and seed.checked.source.line_text(hsct.span.line).startswith("recommend hsct_referral")
    assert reasons(hsct) == ("risk_group",)
