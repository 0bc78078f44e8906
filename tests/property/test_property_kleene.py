"""Kleene three-valued logic, checked against a reference implementation and the algebra's laws.

Why: a missing input must never be read as false. The reference orders false < unknown < true, so
`and` is the minimum, `or` the maximum and `not` the mirror image; everything the engine computes —
through `carepath.semantics.values` and through compiled protocol text, on both the fast path and the trace
path — must agree with it for every assignment of true, false and missing to the inputs.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import carepath
from carepath import Source
from carepath.compile.compiler import CompiledProtocol
from carepath.data.records import PatientRecord, RawRecord, bind
from carepath.runtime.engine import decide
from carepath.semantics.operators import kleene_and, kleene_implies, kleene_not, kleene_or, kleene_xor

Truth = bool | None
TRUTHS: tuple[Truth, ...] = (True, False, None)
INPUTS = ("a", "b", "c")
AS_OF = dt.date(2026, 1, 1)
RANK = {False: 0, None: 1, True: 2}
BY_RANK = {0: False, 1: None, 2: True}

truths = st.sampled_from(TRUTHS)


# ---- the reference ---------------------------------------------------------------------------


def ref_and(values: Iterable[Truth]) -> Truth:
    return BY_RANK[min((RANK[v] for v in values), default=2)]


def ref_or(values: Iterable[Truth]) -> Truth:
    return BY_RANK[max((RANK[v] for v in values), default=0)]


def ref_not(value: Truth) -> Truth:
    return BY_RANK[2 - RANK[value]]


def ref_implies(premise: Truth, conclusion: Truth) -> Truth:
    return ref_or([ref_not(premise), conclusion])  # CQL defines implies as (not a) or b


def ref_xor(left: Truth, right: Truth) -> Truth:
    return ref_and([ref_or([left, right]), ref_not(ref_and([left, right]))])


def ref_equal(left: Truth, right: Truth) -> Truth:
    return None if left is None or right is None else left == right


# ---- carepath.semantics.values -------------------------------------------------------------------------


@given(st.lists(truths, max_size=6))
def test_kleene_and_or_match_the_reference(values: list[Truth]) -> None:
    assert kleene_and(values) is ref_and(values)
    assert kleene_or(values) is ref_or(values)
    assert kleene_and(iter(values)) is ref_and(values)  # any iterable, consumed once


@given(truths, truths)
def test_kleene_implies_and_xor_match_the_reference(x: Truth, y: Truth) -> None:
    assert kleene_implies(x, y) is ref_implies(x, y)
    assert kleene_xor([x, y]) is ref_xor(x, y)


@given(truths)
def test_kleene_not_matches_the_reference(value: Truth) -> None:
    assert kleene_not(value) is ref_not(value)
    assert kleene_not(kleene_not(value)) is value


@given(truths, truths, truths)
def test_value_level_laws(x: Truth, y: Truth, z: Truth) -> None:
    land = lambda *v: kleene_and(v)  # noqa: E731
    lor = lambda *v: kleene_or(v)  # noqa: E731
    assert land(x, y) is land(y, x)
    assert lor(x, y) is lor(y, x)
    assert land(land(x, y), z) is land(x, land(y, z)) is land(x, y, z)
    assert lor(lor(x, y), z) is lor(x, lor(y, z)) is lor(x, y, z)
    assert kleene_not(land(x, y)) is lor(kleene_not(x), kleene_not(y))
    assert kleene_not(lor(x, y)) is land(kleene_not(x), kleene_not(y))
    assert land(x, True) is x
    assert lor(x, False) is x
    assert land(x, False) is False
    assert lor(x, True) is True
    assert land(x, kleene_not(x)) is not True
    assert lor(x, kleene_not(x)) is not False
    assert land(x, lor(x, y)) is x
    assert lor(x, land(x, y)) is x
    assert land(x, lor(y, z)) is lor(land(x, y), land(x, z))


# ---- expressions in the language -------------------------------------------------------------


@dataclass(frozen=True)
class Expr:
    """A generated condition: its protocol text and how the reference evaluates it."""

    text: str
    op: str
    args: tuple[Any, ...] = ()

    def value(self, env: dict[str, Truth]) -> Truth:
        op, args = self.op, self.args
        if op == "input":
            return env[args[0]]
        if op == "const":
            return bool(args[0])
        if op == "missing":
            return env[args[0]] is None
        if op == "known":
            return env[args[0]] is not None
        if op == "not":
            return ref_not(args[0].value(env))
        if op in ("and", "all of"):
            return ref_and(a.value(env) for a in args)
        if op in ("or", "any of"):
            return ref_or(a.value(env) for a in args)
        if op == "implies":
            return ref_implies(args[0].value(env), args[1].value(env))
        if op == "xor":
            return ref_xor(args[0].value(env), args[1].value(env))
        if op == "=":
            return ref_equal(args[0].value(env), args[1].value(env))
        if op == "!=":
            equal = ref_equal(args[0].value(env), args[1].value(env))
            return ref_not(equal)
        raise AssertionError(op)


def _input(name: str) -> Expr:
    return Expr(name, "input", (name,))


LEAVES = st.one_of(
    st.sampled_from(INPUTS).map(_input),
    st.sampled_from(INPUTS).map(lambda n: Expr(f"{n} is missing", "missing", (n,))),
    st.sampled_from(INPUTS).map(lambda n: Expr(f"{n} is known", "known", (n,))),
    st.sampled_from((True, False)).map(lambda v: Expr("true" if v else "false", "const", (v,))),
    st.tuples(st.sampled_from(INPUTS), st.sampled_from(("=", "!=")), st.booleans()).map(
        lambda t: Expr(f"{t[0]} {t[1]} {'true' if t[2] else 'false'}", t[1], (_input(t[0]), Expr("true" if t[2] else "false", "const", (t[2],))))),
)


def _extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    return st.one_of(
        children.map(lambda e: Expr(f"not ({e.text})", "not", (e,))),
        st.tuples(children, children).map(lambda p: Expr(f"({p[0].text}) and ({p[1].text})", "and", p)),
        st.tuples(children, children).map(lambda p: Expr(f"({p[0].text}) or ({p[1].text})", "or", p)),
        st.tuples(children, children).map(lambda p: Expr(f"({p[0].text}) implies ({p[1].text})", "implies", p)),
        st.tuples(children, children).map(lambda p: Expr(f"({p[0].text}) xor ({p[1].text})", "xor", p)),
        st.lists(children, min_size=1, max_size=4).map(lambda es: Expr(f"all of ({', '.join(e.text for e in es)})", "all of", tuple(es))),
        st.lists(children, min_size=1, max_size=4).map(lambda es: Expr(f"any of ({', '.join(e.text for e in es)})", "any of", tuple(es))),
        st.tuples(children, st.sampled_from(("=", "!=")), children).map(
            lambda t: Expr(f"({t[0].text}) {t[1]} ({t[2].text})", t[1], (t[0], t[2]))),
    )


expressions = st.recursive(LEAVES, _extend, max_leaves=8)


def compile_conditions(decisions: Sequence[tuple[str, str]], criteria: Sequence[tuple[str, str]] = ()) -> CompiledProtocol:
    """A protocol over boolean inputs a, b, c: each condition a recommendation, so the fast path computes it."""
    lines = ['protocol laws "Kleene laws"', "input"] + [f"  {name} : boolean" for name in INPUTS]
    lines += [f"criterion {name}: {text}" for name, text in criteria]
    lines += [f"recommend {name}: when {text}" for name, text in decisions]
    return carepath.compile_source(Source("laws.care", "\n".join(lines) + "\n"))


def assignments() -> list[dict[str, Truth]]:
    return [dict(zip(INPUTS, values, strict=True)) for values in itertools.product(TRUTHS, repeat=len(INPUTS))]


def bound(compiled: CompiledProtocol, env: dict[str, Truth]) -> PatientRecord:
    data: dict[str, Any] = {"id": "p"} | {k: v for k, v in env.items() if v is not None}
    record = bind(RawRecord(data, "generated"), compiled.checked)
    assert isinstance(record, PatientRecord), record
    return record


def outcomes(compiled: CompiledProtocol, record: PatientRecord) -> dict[str, tuple[Truth, ...]]:
    """Each decision four ways: `decide`, `evaluate` without and with a trace, and the traced condition."""
    env = decide(compiled, record.values)
    quick = carepath.evaluate(compiled, record, AS_OF, trace=False)
    full = carepath.evaluate(compiled, record, AS_OF, trace=True)
    steps = {step.text: step for step in full.steps}
    return {d.name: (env[d.slot], quick.decisions[d.name], full.decisions[d.name], steps[d.name].outcome, steps[d.name].children[0].outcome)
            for d in compiled.decisions}


def assert_batch_agrees(compiled: CompiledProtocol, records: Sequence[PatientRecord]) -> None:
    """Column-at-a-time evaluation gives, record for record, what evaluation one at a time gives."""
    one_by_one = [carepath.evaluate(compiled, record, AS_OF, trace=False) for record in records]
    assert list(carepath.evaluate_batch(compiled, records, AS_OF).results()) == one_by_one
    traced = [carepath.evaluate(compiled, record, AS_OF, trace=True) for record in records]
    patterned = carepath.evaluate_batch(compiled, records, AS_OF, reasons=True).results()
    assert [(r.reasons, r.needs, r.status) for r in patterned] == [(r.reasons, r.needs, r.status) for r in traced]


@settings(max_examples=60, deadline=None)
@given(expressions)
def test_compiled_expressions_match_the_reference(expr: Expr) -> None:
    compiled = compile_conditions([("decision", expr.text)])
    assert_batch_agrees(compiled, [bound(compiled, env) for env in assignments()])
    for env in assignments():
        want = expr.value(env)
        record = bound(compiled, env)
        assert outcomes(compiled, record)["decision"] == (want,) * 5, (expr.text, env)
        missing = {name for name, value in env.items() if value is None}
        for trace in (False, True):
            result = carepath.evaluate(compiled, record, AS_OF, trace=trace)
            assert result.status == ("undetermined" if want is None else "ok")
            assert set(result.needs) <= missing, (expr.text, env, result.needs)
            if want is None:
                assert result.needs, (expr.text, env)  # an unknown decision says which input would settle it


LAWS: tuple[tuple[str, str, str], ...] = (
    # name, left, right: the two sides must agree under every assignment
    ("and_commutes", "({x}) and ({y})", "({y}) and ({x})"),
    ("or_commutes", "({x}) or ({y})", "({y}) or ({x})"),
    ("and_associates", "(({x}) and ({y})) and ({z})", "({x}) and (({y}) and ({z}))"),
    ("or_associates", "(({x}) or ({y})) or ({z})", "({x}) or (({y}) or ({z}))"),
    ("all_of_is_and", "all of ({x}, {y}, {z})", "({x}) and ({y}) and ({z})"),
    ("any_of_is_or", "any of ({x}, {y}, {z})", "({x}) or ({y}) or ({z})"),
    ("de_morgan_and", "not (({x}) and ({y}))", "(not ({x})) or (not ({y}))"),
    ("de_morgan_or", "not (({x}) or ({y}))", "(not ({x})) and (not ({y}))"),
    ("and_identity", "({x}) and true", "{x}"),
    ("or_identity", "({x}) or false", "{x}"),
    ("double_negation", "not (not ({x}))", "{x}"),
    ("and_absorbs", "({x}) and (({x}) or ({y}))", "{x}"),
    ("or_absorbs", "({x}) or (({x}) and ({y}))", "{x}"),
    ("distributes", "({x}) and (({y}) or ({z}))", "(({x}) and ({y})) or (({x}) and ({z}))"),
)


@settings(max_examples=25, deadline=None)
@given(expressions, expressions, expressions)
def test_laws_hold_in_compiled_protocols(x: Expr, y: Expr, z: Expr) -> None:
    decisions: list[tuple[str, str]] = []
    for name, left, right in LAWS:
        decisions.append((f"{name}_l", left.format(x=x.text, y=y.text, z=z.text)))
        decisions.append((f"{name}_r", right.format(x=x.text, y=y.text, z=z.text)))
        # The same law through criterion references instead of inline text.
        decisions.append((f"{name}_rl", left.format(x="x", y="y", z="z")))
        decisions.append((f"{name}_rr", right.format(x="x", y="y", z="z")))
    decisions += [("never_true", f"({x.text}) and not ({x.text})"), ("never_false", f"({x.text}) or not ({x.text})"),
                  ("never_true_r", "x and not x"), ("never_false_r", "x or not x"), ("just_x", "x")]
    compiled = compile_conditions(decisions, criteria=[("x", x.text), ("y", y.text), ("z", z.text)])
    assert_batch_agrees(compiled, [bound(compiled, env) for env in assignments()])
    for env in assignments():
        got = outcomes(compiled, bound(compiled, env))
        for name, ways in got.items():
            assert len(set(ways)) == 1, (name, env, ways)  # every path agrees
        value = {name: ways[0] for name, ways in got.items()}
        for name, _, _ in LAWS:
            for suffix in ("", "r"):
                assert value[f"{name}_{suffix}l"] is value[f"{name}_{suffix}r"], (name, suffix, x.text, y.text, z.text, env)
        assert value["never_true"] is not True and value["never_true_r"] is not True, (x.text, env)
        assert value["never_false"] is not False and value["never_false_r"] is not False, (x.text, env)
        assert value["just_x"] is x.value(env)
