"""Compiler and engine: Kleene evaluation, first-true classification, exact units and durations, results."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest

import carepath
from carepath.compile.compiler import CompiledProtocol
from carepath.data.records import InvalidRecord, PatientRecord
from carepath.runtime.engine import decide, evaluate
from carepath.semantics.values import Duration, Truth

Compile = Callable[[str], CompiledProtocol]
AS_OF = dt.date(2026, 1, 1)

THREE_WAY = """
protocol p
input
  a : boolean
  b : boolean
classify r:
  x when a
  y when b
  z otherwise
"""


def decision(compiled: CompiledProtocol, name: str, *values: Any) -> Any:
    """Run the fast path on input values in slot order and read one decision."""
    env = decide(compiled, values)
    (target,) = [d for d in compiled.decisions if d.name == name]
    return env[target.slot]


def record(compiled: CompiledProtocol, **values: Any) -> PatientRecord:
    """A bound record built directly from evaluator values (None = missing)."""
    slots = [None] * len(compiled.checked.inputs)
    for name, value in values.items():
        info = compiled.checked.input(name)
        assert info is not None
        slots[info.slot] = value
    return PatientRecord("r", tuple(slots), (None,) * len(slots), {}, "test")


# ---- classification ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (True, True, "x"), (True, False, "x"), (True, None, "x"),
        (False, True, "y"), (False, False, "z"), (False, None, None),
        (None, True, None),  # undetermined although a later branch is true: `a` might have held
        (None, False, None), (None, None, None),
    ],
)
def test_classification_is_first_true_and_stops_at_first_unknown(compile_text: Compile, a: Truth, b: Truth, expected: str | None) -> None:
    compiled = compile_text(THREE_WAY)
    assert decision(compiled, "r", a, b) == expected
    assert evaluate(compiled, record(compiled, a=a, b=b), AS_OF).decisions["r"] == expected


@pytest.mark.parametrize(
    ("a", "b", "needs"),
    [(None, True, ("a",)), (None, None, ("a",)), (False, None, ("b",)), (None, False, ("a",))],
)
def test_undetermined_classification_needs_the_first_unknown_branch_inputs(compile_text: Compile, a: Truth, b: Truth,
                                                                           needs: tuple[str, ...]) -> None:
    compiled = compile_text(THREE_WAY)
    for trace in (True, False):
        result = evaluate(compiled, record(compiled, a=a, b=b), AS_OF, trace=trace)
        assert result.status == "undetermined"
        assert result.needs == needs


def test_otherwise_only_when_all_earlier_are_false_two_way(compile_text: Compile) -> None:
    compiled = compile_text("protocol p\ninput\n  a : boolean\nclassify r:\n  hi when a\n  lo otherwise\n")
    assert [decision(compiled, "r", v) for v in (True, False, None)] == ["hi", "lo", None]


def test_classification_without_otherwise_is_undetermined_when_nothing_holds(compile_text: Compile) -> None:
    compiled = compile_text("protocol p\ninput\n  a : boolean\n  b : boolean\nclassify r:\n  x when a\n  y when b\n")
    assert decision(compiled, "r", False, True) == "y"
    assert decision(compiled, "r", False, False) is None
    result = evaluate(compiled, record(compiled, a=False, b=False), AS_OF)
    assert result.status == "undetermined"
    assert result.needs == ()  # nothing missing would decide it


def test_four_branches_use_the_general_path(compile_text: Compile) -> None:
    compiled = compile_text("protocol p\ninput\n  a : boolean\n  b : boolean\n  c : boolean\n"
                            "classify r:\n  x when a\n  y when b\n  w when c\n  z otherwise\n")
    for a, b, c in itertools.product((True, False, None), repeat=3):
        expected: str | None
        if a is None:
            expected = None
        elif a:
            expected = "x"
        elif b is None:
            expected = None
        elif b:
            expected = "y"
        elif c is None:
            expected = None
        else:
            expected = "w" if c else "z"
        assert decision(compiled, "r", a, b, c) == expected, (a, b, c)


# ---- Kleene logic through the compiler -----------------------------------------------------


@pytest.mark.parametrize("form", ["a {op} b", "{fn} of (a, b)", "{fn} of (a, b, true)", "{fn} of (a, b, c, c)"])
def test_compiled_logic_matches_kleene(compile_text: Compile, form: str) -> None:
    from carepath.semantics.operators import kleene_and, kleene_or

    for op, fn, reference in (("and", "all", kleene_and), ("or", "any", kleene_or)):
        text = form.format(op=op, fn=fn)
        if "true" in text and op == "or":
            continue  # `true` would decide every row
        compiled = compile_text(f"protocol p\ninput\n  a : boolean\n  b : boolean\n  c : boolean\nrecommend r: when {text}\n")
        for a, b in itertools.product((True, False, None), repeat=2):
            c = op == "and"  # the identity, so only a and b matter
            assert decision(compiled, "r", a, b, c) is reference([a, b]), (text, a, b)


@pytest.mark.parametrize(("a", "expected"), [(True, False), (False, True), (None, None)])
def test_not_is_kleene(compile_text: Compile, a: Truth, expected: Truth) -> None:
    compiled = compile_text("protocol p\ninput\n  a : boolean\nrecommend r: when not a\n")
    assert decision(compiled, "r", a) is expected


def test_presence_is_two_valued(compile_text: Compile) -> None:
    compiled = compile_text("protocol p\ninput\n  w : quantity kg\nrecommend gone: when w is missing\nrecommend here: when w is known\n")
    assert decision(compiled, "gone", None) is True
    assert decision(compiled, "here", None) is False
    assert decision(compiled, "gone", 10) is False
    assert decision(compiled, "here", 10) is True


def test_comparison_with_a_missing_operand_is_unknown(compile_text: Compile) -> None:
    compiled = compile_text("protocol p\ninput\n  w : quantity kg\n  v : quantity kg\nrecommend r: when w < v\n")
    assert decision(compiled, "r", None, 3) is None
    assert decision(compiled, "r", 2, None) is None
    assert decision(compiled, "r", 2, 3) is True


def test_enumeration_equality(compile_text: Compile) -> None:
    compiled = compile_text("protocol p\ninput\n  m : one of g, t, d\nrecommend eq: when m = t\nrecommend ne: when m != t\n")
    assert [decision(compiled, "eq", v) for v in ("t", "d", None)] == [True, False, None]
    assert [decision(compiled, "ne", v) for v in ("t", "d", None)] == [False, True, None]


def test_recommendation_on_an_undetermined_classification_is_undetermined(seed: CompiledProtocol) -> None:
    env = decide(seed, [None, None, None, 10000, "germline"])
    values = {d.name: env[d.slot] for d in seed.decisions}
    assert values == {"risk_group": None, "hsct_referral": None}


# ---- units ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("threshold", "value", "expected"),
    [
        ("50000 /uL", 50, True), ("50000 /uL", 49.999, False), ("50 10*9/L", 50, True),
        ("50 10*3/uL", 50, True), ("100 /uL", 0.1, True), ("101 /uL", 0.1, False),
    ],
)
def test_thresholds_in_other_units_convert_exactly(compile_text: Compile, threshold: str, value: float, expected: bool) -> None:
    compiled = compile_text(f"protocol p\ninput\n  wbc : quantity 10*9/L\nrecommend r: when wbc >= {threshold}\n")
    assert decision(compiled, "r", value) is expected


def test_literal_on_the_left_is_converted_too(compile_text: Compile) -> None:
    compiled = compile_text("protocol p\ninput\n  wbc : quantity /uL\nrecommend r: when 50 10*9/L <= wbc\n")
    assert [decision(compiled, "r", v) for v in (50000, 49999)] == [True, False]


def test_two_inputs_in_different_units_are_scaled(compile_text: Compile) -> None:
    compiled = compile_text("protocol p\ninput\n  a : quantity /uL\n  b : quantity 10*9/L\nrecommend r: when a >= b\n")
    assert decision(compiled, "r", 50000, 50) is True
    assert decision(compiled, "r", 49999, 50) is False
    assert decision(compiled, "r", 100, 0.1) is True


# ---- durations -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (Duration.of_months(5), True), (Duration.of_months(6), False),
        (Duration.of_days(180), True), (Duration.of_days(181), None), (Duration.of_days(183), None),
        (Duration.of_days(184), False), (Duration.of_days(185), False),
        (Duration.between(dt.date(2008, 1, 31), dt.date(2008, 7, 30)), True),
        (Duration.between(dt.date(2008, 1, 31), dt.date(2008, 7, 31)), False),
        (Duration.between(dt.date(2007, 8, 31), dt.date(2008, 2, 29)), False),  # clamped: 6 months in 182 days
        (None, None),
    ],
)
def test_age_under_six_months(seed: CompiledProtocol, age: Duration | None, expected: Truth) -> None:
    """The seed's criterion, through the seed's own protocol: WBC low and germline, so only age decides."""
    env = decide(seed, [None, None, age, 10000, "germline"])
    risk = {d.name: env[d.slot] for d in seed.decisions}["risk_group"]
    assert risk == {True: "high", False: "standard", None: None}[expected]


@pytest.mark.parametrize(
    ("condition", "age", "expected"),
    [
        ("age >= 183 days", Duration.of_months(6), None),
        ("age >= 181 days", Duration.of_months(6), True),
        ("age < 200 days", Duration.of_months(6), True),
        ("age > 184 days", Duration.of_months(6), False),
        ("age = 6 months", Duration.of_months(6), True),
        ("age = 6 months", Duration.of_days(183), None),
        ("age = 6 months", Duration.of_days(170), False),
        ("6 months > age", Duration.of_days(180), True),  # literal on the left
        ("age <= 1 year", Duration.of_days(364), True),
        ("age >= 2 weeks", Duration.of_days(14), True),
        ("age >= 2 weeks", Duration.of_days(13), False),
    ],
)
def test_duration_comparisons(compile_text: Compile, condition: str, age: Duration, expected: Truth) -> None:
    compiled = compile_text(f"protocol p\ninput\n  age : duration\nrecommend r: when {condition}\n")
    assert decision(compiled, "r", age) is expected


def test_duration_against_duration(compile_text: Compile) -> None:
    compiled = compile_text("protocol p\ninput\n  a : duration\n  b : duration\nrecommend r: when a < b\n")
    assert decision(compiled, "r", Duration.of_days(100), Duration.of_months(6)) is True
    assert decision(compiled, "r", Duration.of_days(183), Duration.of_months(6)) is None
    assert decision(compiled, "r", Duration.of_months(7), Duration.of_days(183)) is False


# ---- the engine ----------------------------------------------------------------------------


def test_seed_cohort_matches_table_1(seed: CompiledProtocol, root: Any) -> None:
    run = carepath.run(seed, [root / "cohorts" / "severance_2011.yaml"], AS_OF)
    risk = {r.id: r.decisions["risk_group"] for r in run.results}
    assert risk == {"1": "high", "2": "standard", "3": "standard", "4": "high", "5": "high",
                    "6": "high", "7": "high", "8": "high", "9": "high"}
    assert all(r.decisions["hsct_referral"] is (r.decisions["risk_group"] == "high") for r in run.results)
    assert {r.id: r.reasons["risk_group"] for r in run.results if r.decisions["risk_group"] == "high"} == {
        "1": ("mll_translocation",),
        "4": ("infant_under_6_months",),
        "5": ("hyperleukocytosis",),
        "6": ("infant_under_6_months", "hyperleukocytosis"),
        "7": ("hyperleukocytosis",),
        "8": ("mll_translocation",),
        "9": ("hyperleukocytosis", "mll_translocation"),
    }
    assert run.exit_code == 0


def test_dup_mll_alone_is_never_high_risk(seed: CompiledProtocol) -> None:
    env = decide(seed, [None, None, Duration.of_months(10), 11410, "duplication"])
    assert {d.name: env[d.slot] for d in seed.decisions} == {"risk_group": "standard", "hsct_referral": False}


def test_kleene_or_lets_a_true_criterion_decide_despite_missing_inputs(seed: CompiledProtocol) -> None:
    result = evaluate(seed, record(seed, wbc_at_diagnosis=60000), AS_OF)
    assert (result.status, result.decisions["risk_group"], result.needs) == ("ok", "high", ())
    assert result.reasons["risk_group"] == ("hyperleukocytosis",)


@pytest.mark.parametrize("trace", [True, False])
def test_needs_follow_input_order_and_agree_with_and_without_trace(seed: CompiledProtocol, trace: bool) -> None:
    result = evaluate(seed, record(seed), AS_OF, trace=trace)
    assert result.status == "undetermined"
    assert result.decisions == {"risk_group": None, "hsct_referral": None}
    assert result.needs == ("age_at_diagnosis", "wbc_at_diagnosis", "mll")
    imprecise = evaluate(seed, record(seed, age_at_diagnosis=Duration.of_days(183), wbc_at_diagnosis=100, mll="germline"), AS_OF, trace=trace)
    assert imprecise.needs == ("age_at_diagnosis",)  # present but too imprecise to decide


def test_reasons_only_with_trace(seed: CompiledProtocol) -> None:
    rec = record(seed, age_at_diagnosis=Duration.of_months(5), wbc_at_diagnosis=100, mll="germline")
    assert evaluate(seed, rec, AS_OF, trace=False).reasons == {}
    traced = evaluate(seed, rec, AS_OF, trace=True)
    assert traced.reasons == {"risk_group": ("infant_under_6_months",), "hsct_referral": ("risk_group",)}
    assert [s.text for s in traced.steps] == ["risk_group", "hsct_referral"]


def test_invalid_record_becomes_an_invalid_result(seed: CompiledProtocol) -> None:
    bad = InvalidRecord("x", (), "test")
    result = evaluate(seed, bad, AS_OF)
    assert (result.id, result.status, result.decisions) == ("x", "invalid", {})


def test_run_keeps_input_order_and_exit_code_reflects_invalid(seed: CompiledProtocol, tmp_path: Any) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("- id: a\n  mll: translocation\n- id: b\n  mll: dup\n- id: c\n  mll: germline\n", encoding="utf-8")
    run = carepath.run(seed, [path], AS_OF)
    assert [(r.id, r.status) for r in run.results] == [("a", "ok"), ("b", "invalid"), ("c", "undetermined")]
    assert run.exit_code == 1
    assert run.as_of == AS_OF


def test_age_derived_to_as_of(compile_text: Compile) -> None:
    compiled = compile_text("protocol p\ninput\n  dob : date\n  age : duration plausible 0 days .. 12 months from dob to as_of\n"
                            "recommend young: when age < 6 months\n")
    (rec,) = carepath.records_from_text(compiled, "- id: a\n  dob: 2025-07-02\n")
    assert evaluate(compiled, rec, dt.date(2026, 1, 1)).decisions == {"young": True}  # 5 months 30 days
    assert evaluate(compiled, rec, dt.date(2026, 1, 2)).decisions == {"young": False}  # 6 months exactly
    after = evaluate(compiled, rec, dt.date(2025, 1, 1))
    assert after.status == "invalid"
    assert "is after the evaluation date 2025-01-01" in after.errors[0].message
    old = evaluate(compiled, rec, dt.date(2027, 1, 1))
    assert old.status == "invalid" and "outside the plausible range" in old.errors[0].message


def test_evaluation_is_repeatable(seed: CompiledProtocol) -> None:
    rec = record(seed, age_at_diagnosis=Duration.of_days(183), wbc_at_diagnosis=33900, mll="germline")
    first, second = evaluate(seed, rec, AS_OF), evaluate(seed, rec, AS_OF)
    assert first == second
