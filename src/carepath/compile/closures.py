"""Checked conditions and operands → (value, explain) closure pairs, each operator lifted from the operator table.

`value` closures are the fast path (no allocation beyond the result); `explain` closures build the trace from
the same outcomes. Fast paths come from the table's registered specialisations, never written here.
"""

from __future__ import annotations

from typing import Any

from carepath.compile import clinical
from carepath.compile.explain import DAY_SLOT, Env, ExplainContext, ExplainFn, Scope, ValueFn, explain_compare, fact
from carepath.ir import program as p
from carepath.language.nodes import BoolKind, Comparator
from carepath.semantics.fastpaths import NOT_LOOKUP, ROW_AGAINST_CONSTANT, ROW_LOGIC
from carepath.semantics.operators import (
    LOGIC,
    PRESENCE,
    Decide,
    Operand,
    comparison,
    deciding,
    exact,
)
from carepath.semantics.trace import Step, StepKind
from carepath.semantics.types import Kind
from carepath.semantics.values import Truth

Pair = tuple[ValueFn, ExplainFn]


def value_of(node: Any, scope: Scope) -> ValueFn:
    """The value closure of a condition or operand (`None` for an absent one)."""
    if node is None:
        return lambda env: None
    return operand(node, scope)


def cond(node: p.Cond, scope: Scope) -> Pair:
    match node:
        case p.Logic():
            return _logic(node, scope)
        case p.Negation():
            return _negation(node, scope)
        case p.Compare():
            return _compare(node, scope)
        case p.Presence():
            return _presence(node, scope)
        case p.DefRef():
            return _reference(node, scope)
        case p.InputRef():
            return _boolean_input(node)
        case p.Const():
            constant = node.value

            def explain_const(ctx: ExplainContext) -> Step:
                return Step(StepKind.LITERAL, node.text, constant)  # type: ignore[arg-type]

            return (lambda env: constant), explain_const
        case p.SeriesAt():
            return _series_condition(node)
        case p.NoneBefore():
            return _none_before(node)
    raise AssertionError(node)


# ---- Kleene logic and presence -------------------------------------------------------------


def _logic(node: p.Logic, scope: Scope) -> Pair:
    pairs = [cond(o, scope) for o in node.operands]
    fns = tuple(v for v, _ in pairs)
    kind = node.kind
    lifted = ROW_LOGIC.get(kind)
    value = lifted(fns) if lifted is not None else _lift_logic(kind, fns)
    combine = LOGIC[kind]

    def explain(ctx: ExplainContext) -> Step:
        children = tuple(e(ctx) for _, e in pairs)
        outcomes = [c.outcome for c in children]
        return Step(StepKind.of(kind), node.text, combine(outcomes), children, deciding(kind, outcomes), span=node.span)  # type: ignore[arg-type]

    return value, explain


def _lift_logic(kind: BoolKind, fns: tuple[ValueFn, ...]) -> ValueFn:
    combine = LOGIC[kind]
    return lambda env: combine([fn(env) for fn in fns])


def _negation(node: p.Negation, scope: Scope) -> Pair:
    inner_value, inner_explain = cond(node.operand, scope)

    def value(env: Env) -> Any:
        return NOT_LOOKUP(inner_value(env))

    def explain(ctx: ExplainContext) -> Step:
        child = inner_explain(ctx)
        return Step(StepKind.NOT, node.text, NOT_LOOKUP(child.outcome), (child,), (0,), span=node.span)  # type: ignore[arg-type]

    return value, explain


def _presence(node: p.Presence, scope: Scope) -> Pair:
    slot, known = node.input.slot, node.known
    test = PRESENCE[known]

    def value(env: Env) -> bool:
        return test(env[slot])

    def explain(ctx: ExplainContext) -> Step:
        present = ctx.env[slot] is not None
        return Step(StepKind.PRESENCE, node.text, test(ctx.env[slot]), facts=(fact(ctx, node.input),),
                    detail=f"{node.input.name} is {'given' if present else 'missing'}", span=node.span)

    return value, explain


def _reference(node: p.DefRef, scope: Scope) -> Pair:
    slot = node.slot
    # a criterion is called in place; a decision was computed earlier and is read from the environment
    value: ValueFn = scope[node.name] if node.name in scope else (lambda env: env[slot])

    def explain(ctx: ExplainContext) -> Step:
        inner = ctx.steps[slot]
        return Step(StepKind.REFERENCE, node.name, ctx.env[slot], (inner,), (0,), reference=node.name, span=node.span)

    return value, explain


def _boolean_input(node: p.InputRef) -> Pair:
    slot = node.input.slot

    def value(env: Env) -> Any:
        return env[slot]

    def explain(ctx: ExplainContext) -> Step:
        missing = ctx.env[slot] is None
        return Step(StepKind.INPUT, node.text, ctx.env[slot], facts=(fact(ctx, node.input),), wanting=(node.input.name,) if missing else (),
                    detail=f"{node.input.name} is missing" if missing else None, span=node.span)

    return value, explain


# ---- series inside an event's condition ----------------------------------------------------


def _series_condition(node: p.SeriesAt) -> Pair:
    """A boolean series named as a condition: its value on the day examined."""
    value = clinical.series_at(node, DAY_SLOT)

    def explain(ctx: ExplainContext) -> Step:
        outcome = value(ctx.env)
        day = ctx.env[DAY_SLOT]
        detail = f"{node.input.name} on day {day}: " + ("not recorded" if outcome is None else "yes" if outcome else "no")
        return Step(StepKind.SERIES, node.text, outcome, detail=detail, wanting=(node.input.name,) if outcome is None else (), span=node.span)

    return value, explain


def _none_before(node: p.NoneBefore) -> Pair:
    value = clinical.none_before(node, DAY_SLOT)

    def explain(ctx: ExplainContext) -> Step:
        outcome = value(ctx.env)
        day = ctx.env[DAY_SLOT]
        series = ctx.env[node.input.slot]
        window = range(day - node.window, day)
        given = [d for d in window if series is not None and series.at(d) is True]
        gaps = [d for d in window if series is None or series.at(d) is None]
        if given:
            detail = f"{node.input.name} on day {', '.join(map(str, given))}, within the {node.window} days before day {day}"
        elif gaps:
            detail = f"{node.input.name} not recorded on day {', '.join(map(str, gaps))}, within the {node.window} days before day {day}"
        else:
            detail = f"no {node.input.name} on days {window.start} to {window.stop - 1}"
        return Step(StepKind.SERIES, node.text, outcome, detail=detail, wanting=(node.input.name,) if outcome is None else (), span=node.span)

    return value, explain


# ---- operands and comparisons --------------------------------------------------------------


def operand(node: Any, scope: Scope) -> ValueFn:
    """How to fetch one side of a comparison; conditions on either side are allowed (`a = true`)."""
    if isinstance(node, p.Arith):
        return clinical.arithmetic(node, lambda n: value_of(n, scope))
    if isinstance(node, p.Call):
        return clinical.call(node, lambda n: value_of(n, scope))
    if isinstance(node, p.SeriesAt):
        return clinical.series_at(node, DAY_SLOT)
    if isinstance(node, p.DefRef) and node.name in scope:
        return scope[node.name]
    if isinstance(node, (p.InputRef, p.DefRef)):
        slot = node.input.slot if isinstance(node, p.InputRef) else node.slot
        return lambda env: env[slot]
    if isinstance(node, p.Const):
        constant = node.value
        return lambda env: constant
    return cond(node, scope)[0]


def _is_duration(node: Any) -> bool:
    if isinstance(node, p.InputRef):
        return node.input.type.kind is Kind.DURATION
    return isinstance(node, p.DefRef) and node.type.kind is Kind.DURATION


def oriented(node: p.Compare) -> tuple[Any, Any, Comparator]:
    """The comparison with a calendar literal on the right (`6 months > age` reads `age < 6 months`)."""
    left, right, op = node.left, node.right, node.op
    if isinstance(left, p.CalendarConst) and not isinstance(right, p.CalendarConst):
        return right, left, op.flipped
    return left, right, op


def operand_kinds(left: Any, right: Any) -> tuple[Operand, Operand]:
    """Which row of the operator table a comparison reads: event days, a duration against a calendar literal or
    another duration, a computed (exact) number, or plain recorded values."""
    if clinical.is_day(left) or clinical.is_day(right):
        return Operand.DAY, Operand.DAY
    if isinstance(right, p.CalendarConst):
        return Operand.DURATION, Operand.MONTHS if right.base is p.CalendarBase.MONTHS else Operand.DAYS
    if _is_duration(left) and _is_duration(right):
        return Operand.DURATION, Operand.DURATION
    return _number_kind(left), _number_kind(right)


def _number_kind(side: Any) -> Operand:
    return Operand.EXACT if isinstance(side, (p.Arith, p.Call)) else Operand.VALUE


def constant_of(node: Any) -> tuple[bool, Any]:
    """(True, value) for a side known before any record is read: a literal's value, a calendar literal's count."""
    if isinstance(node, p.CalendarConst):
        return True, node.amount
    if isinstance(node, p.Const) and node.value is not None:
        return True, node.value
    return False, None


def scaled(get: ValueFn, kind: Operand, scale: Any) -> ValueFn:
    """The right side brought into the left's unit; an exact side stays exact (`exact(b) × factor`)."""
    if scale == 1 or kind in (Operand.DURATION, Operand.MONTHS, Operand.DAYS, Operand.DAY):
        return get
    if kind is Operand.EXACT:
        factor = exact(scale)
        assert factor is not None
        return lambda env: None if (b := exact(get(env))) is None else b * factor
    return lambda env: None if (b := get(env)) is None else b * scale


def _slot(node: Any, scope: Scope) -> int | None:
    """The environment slot a side reads directly, if any (inputs, and decisions computed earlier)."""
    if isinstance(node, p.InputRef):
        return node.input.slot
    if isinstance(node, p.DefRef) and node.name not in scope:
        return node.slot
    return None


def _lifted(decide: Decide, get_left: ValueFn, get_right: ValueFn) -> ValueFn:
    def value(env: Env) -> Truth:
        return decide(get_left(env), get_right(env))

    return value


def _against_constant(decide: Decide, get_left: ValueFn, constant: Any) -> ValueFn:
    def value(env: Env) -> Truth:
        return decide(get_left(env), constant)

    return value


def _compare(node: p.Compare, scope: Scope) -> Pair:
    left, right, op = oriented(node)
    kinds = operand_kinds(left, right)
    key = (op, *kinds)
    known, constant = constant_of(right)
    slot = _slot(left, scope)
    fast = ROW_AGAINST_CONSTANT.get(key)
    value: ValueFn
    if fast is not None and known and slot is not None and node.scale == 1:
        value = fast(slot, constant)
    elif known and node.scale == 1:
        value = _against_constant(comparison(*key), operand(left, scope), constant)
    else:
        value = _lifted(comparison(*key), operand(left, scope), scaled(operand(right, scope), kinds[1], node.scale))
    sides = [s for s in (left, right) if isinstance(s, (p.Compare, p.Logic, p.Negation, p.Presence))]
    nested = [cond(s, scope)[1] for s in sides]
    explain = explain_compare(node, left, right, op, value, nested, operand(left, scope), lambda n: value_of(n, scope))
    return value, explain
