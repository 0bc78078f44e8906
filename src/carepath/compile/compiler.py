"""`CheckedProtocol` → `CompiledProtocol`: each node becomes two closures, decided once.

`value` closures are the fast path (no allocation beyond the result); `explain` closures build the
trace. Both read one environment list: the record's input values followed by each definition's
result, filled in evaluation order. No source text is generated and nothing is `exec`-ed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, assert_never

from carepath.compile import clinical
from carepath.compile.columns import ColumnPlan, Unsupported, compile_columns
from carepath.compile.needs import NeedsFn, compile_definition_needs
from carepath.ir import program as p
from carepath.language.nodes import BoolKind
from carepath.semantics.trace import Fact, Step, StepKind
from carepath.semantics.types import Kind
from carepath.semantics.units import Unit
from carepath.semantics.values import (
    FLIPPED,
    MONTH,
    OPERATORS,
    Duration,
    NotBefore,
    Truth,
    combine,
    compare_durations,
    compare_interval,
    days_in_months,
    format_number,
    kleene_implies,
    kleene_xor,
)

Env = list[Any]
ValueFn = Callable[[Env], Any]
ExplainFn = Callable[["ExplainContext"], Step]
Scope = dict[str, ValueFn]  # criterion name → its value closure, for inlining references

_SYMBOL = {"=": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}


@dataclass(slots=True)
class ExplainContext:
    env: Env
    facts: Sequence[Fact | None]
    steps: dict[int, Step]  # definition slot → its step, built once per record


@dataclass(frozen=True, slots=True)
class CompiledDefinition:
    definition: p.Definition
    value: ValueFn
    explain: ExplainFn


@dataclass(frozen=True, slots=True)
class CompiledProtocol:
    checked: p.CheckedProtocol
    definitions: tuple[CompiledDefinition, ...]  # evaluation order
    plan: tuple[tuple[int, ValueFn], ...]  # (slot, value) for every definition: fills the environment for a trace
    decision_plan: tuple[tuple[int, ValueFn], ...]  # decisions only: the fast path
    columns: ColumnPlan | None  # every definition over a whole cohort at once (batch.py); None where a node has no column form
    decisions: tuple[p.Decision, ...]  # declaration order
    needs: tuple[NeedsFn, ...]  # per decision: the inputs an undetermined result is waiting for
    slots: int
    padding: tuple[None, ...]  # one None per definition slot, appended to a record's values
    input_order: dict[str, int]
    read_inputs: tuple[p.InputInfo, ...] = ()  # the inputs some rule reads (not, say, dates an age is derived from)
    always_classified: bool = True  # every classification ends in `otherwise`
    as_of_inputs: tuple[p.InputInfo, ...] = ()  # durations derived `to as_of`, computed per evaluation
    has_events: bool = False  # an event not yet reached is carried as `NotBefore`, published as undetermined

    @property
    def name(self) -> str:
        return self.checked.name


def compile_protocol(checked: p.CheckedProtocol) -> CompiledProtocol:
    # Criteria are pure and cheap, so the fast path calls them where they are referenced (and only
    # when a short-circuit needs them); decisions are computed once each, in order, into the environment.
    scope: Scope = {}
    compiled = []
    needs: dict[str, NeedsFn] = {}
    try:
        columns: ColumnPlan | None = compile_columns(checked)
    except Unsupported:
        columns = None  # doses, targets, events and arithmetic are evaluated record by record
    for definition in checked.definitions:
        item = _definition(definition, scope)
        compiled.append(item)
        if isinstance(definition, p.Criterion):
            scope[definition.name] = item.value
    frozen_scope = dict(scope)
    for definition in checked.definitions:
        needs[definition.name] = compile_definition_needs(definition, lambda node: _value_of(node, frozen_scope), needs)
    return CompiledProtocol(
        checked=checked,
        definitions=tuple(compiled),
        plan=tuple((c.definition.slot, c.value) for c in compiled),
        decision_plan=tuple((c.definition.slot, c.value) for c in compiled if c.definition.is_decision),
        columns=columns,
        decisions=checked.decisions,
        needs=tuple(needs[d.name] for d in checked.decisions),
        slots=len(checked.inputs) + len(checked.definitions),
        padding=(None,) * (len(checked.definitions) + 1),  # the last slot is the day an event is examining
        read_inputs=_read_inputs(checked),
        always_classified=all(d.otherwise is not None for d in checked.definitions if isinstance(d, p.Classification)),
        input_order={i.name: i.slot for i in checked.inputs},
        has_events=any(isinstance(d, p.Event) for d in checked.decisions),
        as_of_inputs=tuple(i for i in checked.inputs if i.derived_from and i.derived_from[1] == "as_of" and checked.input("as_of") is None),
    )


def compile_condition(compiled: CompiledProtocol, condition: p.Cond) -> ValueFn:
    """A condition on its own, as a value closure over an environment `engine.decide` filled: for analyses that
    test a condition (a branch's, an atom's) apart from the definition it belongs to."""
    return _cond(condition, _criteria(compiled))[0]


def compile_choice(compiled: CompiledProtocol, branches: Sequence[p.Branch | p.DoseBranch]) -> ValueFn:
    """Which branch the first-true rule picks (its name), None while an earlier branch is unknown: a dose's band
    choice on its own, without computing an amount."""
    scope = _criteria(compiled)
    return _first_true(tuple((b.name, None if b.condition is None else _cond(b.condition, scope)[0]) for b in branches))


def _criteria(compiled: CompiledProtocol) -> Scope:
    return {c.definition.name: c.value for c in compiled.definitions if isinstance(c.definition, p.Criterion)}


def _read_inputs(checked: p.CheckedProtocol) -> tuple[p.InputInfo, ...]:
    found: dict[int, p.InputInfo] = {}
    for definition in checked.definitions:
        for info in p.inputs_in(definition):
            found[info.slot] = info
    return tuple(found[slot] for slot in sorted(found))


# ---- definitions ---------------------------------------------------------------------------


DAY_SLOT = -1  # the environment's last slot: the day an event's condition is being evaluated on


def _definition(definition: p.Definition, scope: Scope) -> CompiledDefinition:
    def cond(node: Any) -> tuple[ValueFn, ExplainFn]:
        return _cond(node, scope)

    def value_of(node: Any) -> ValueFn:
        return _value_of(node, scope)

    match definition:
        case p.Classification():
            return _classification(definition, scope)
        case p.Dose():
            return CompiledDefinition(definition, *clinical.dose(definition, cond, value_of))
        case p.Target():
            return CompiledDefinition(definition, *clinical.target(definition, value_of))
        case p.Event():
            return CompiledDefinition(definition, *clinical.event(definition, cond, value_of, DAY_SLOT))
        case p.Criterion() | p.Recommendation():
            return _truth(definition, scope)
        case _:
            assert_never(definition)


def _truth(definition: p.Criterion | p.Recommendation, scope: Scope) -> CompiledDefinition:
    value, explain_condition = _cond(definition.condition, scope)
    slot = definition.slot

    def explain(ctx: ExplainContext) -> Step:
        inner = explain_condition(ctx)
        return Step(definition.step_kind, definition.name, ctx.env[slot], (inner,), (0,), title=definition.title,
                    citation=definition.citation, wanting=(), span=definition.span)

    return CompiledDefinition(definition, value, explain)


def _classification(definition: p.Classification, scope: Scope) -> CompiledDefinition:
    branches = tuple((b.name, None if b.condition is None else _cond(b.condition, scope), b) for b in definition.branches)
    fast = tuple((name, None if pair is None else pair[0]) for name, pair, _ in branches)

    if len(fast) == 2 and fast[1][1] is None and fast[0][1] is not None:
        (first_name, first_condition), (otherwise_name, _) = fast  # `X when …, Y otherwise`, the common shape
        assert first_condition is not None

        def two_way(env: Env) -> str | None:
            result = first_condition(env)
            return first_name if result is True else otherwise_name if result is False else None

        value: ValueFn = two_way
    else:
        value = _first_true(fast)

    def explain(ctx: ExplainContext) -> Step:
        steps: list[Step] = []
        deciding: tuple[int, ...] = ()
        for index, (name, pair, branch) in enumerate(branches):
            if pair is None:
                steps.append(Step(StepKind.OTHERWISE, f"{name} otherwise", True, span=branch.span))
                deciding = tuple(range(index + 1))  # every earlier branch was false
                break
            inner = pair[1](ctx)
            steps.append(Step(StepKind.BRANCH, f"{name} when {inner.text}", inner.outcome, (inner,), (0,), reference=name, span=branch.span))
            if inner.outcome is not False:
                deciding = (index,)
                break
        else:
            deciding = tuple(range(len(steps)))
        return Step(StepKind.CLASSIFICATION, definition.name, ctx.env[definition.slot], tuple(steps), deciding,
                    title=definition.title, citation=definition.citation, span=definition.span)

    return CompiledDefinition(definition, value, explain)


def _first_true(fast: tuple[tuple[str, ValueFn | None], ...]) -> ValueFn:
    def value(env: Env) -> str | None:
        for name, condition in fast:
            if condition is None:
                return name
            result = condition(env)
            if result is True:
                return name
            if result is None:
                return None  # an earlier branch might hold: undetermined, never a later branch
        return None

    return value


def _value_of(node: Any, scope: Scope) -> ValueFn:
    if node is None:
        return lambda env: None
    return _operand(node, scope)[0]


# ---- conditions ----------------------------------------------------------------------------


def _cond(node: p.Cond, scope: Scope) -> tuple[ValueFn, ExplainFn]:
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
            return _boolean_input(node, scope)
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


def _series_condition(node: p.SeriesAt) -> tuple[ValueFn, ExplainFn]:
    """A boolean series named as a condition: its value on the day examined."""
    value = clinical.series_at(node, DAY_SLOT)

    def explain(ctx: ExplainContext) -> Step:
        outcome = value(ctx.env)
        day = ctx.env[DAY_SLOT]
        detail = f"{node.input.name} on day {day}: " + ("not recorded" if outcome is None else "yes" if outcome else "no")
        return Step(StepKind.SERIES, node.text, outcome, detail=detail, wanting=(node.input.name,) if outcome is None else (), span=node.span)

    return value, explain


def _none_before(node: p.NoneBefore) -> tuple[ValueFn, ExplainFn]:
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


def _logic(node: p.Logic, scope: Scope) -> tuple[ValueFn, ExplainFn]:
    pairs = [_cond(o, scope) for o in node.operands]
    fns = tuple(v for v, _ in pairs)
    kind = node.kind
    conjunction = kind.is_conjunction
    stop, other = (False, True) if conjunction else (True, False)

    value = _unrolled(fns, stop, other) if kind not in (BoolKind.XOR, BoolKind.IMPLIES) else _strict(kind, fns)

    def explain(ctx: ExplainContext) -> Step:
        children = tuple(e(ctx) for _, e in pairs)
        outcomes = [c.outcome for c in children]
        outcome = combine(kind.value, outcomes)  # type: ignore[arg-type]
        if kind is BoolKind.IMPLIES:
            premise, conclusion = outcomes
            deciding = ((0,) if premise is False else ()) + ((1,) if conclusion is True else ())
            if not deciding:
                deciding = tuple(i for i, o in enumerate(outcomes) if o is None) if outcome is None else (0, 1)
        elif kind is BoolKind.XOR:
            deciding = tuple(i for i, o in enumerate(outcomes) if o is None) if outcome is None else tuple(range(len(children)))
        elif outcome is stop:
            deciding = tuple(i for i, o in enumerate(outcomes) if o is stop)
        elif outcome is None:
            deciding = tuple(i for i, o in enumerate(outcomes) if o is None)
        else:
            deciding = tuple(range(len(children)))
        return Step(StepKind.of(kind), node.text, outcome, children, deciding, span=node.span)

    return value, explain


def _strict(kind: BoolKind, fns: tuple[ValueFn, ...]) -> ValueFn:
    if kind is BoolKind.IMPLIES:
        premise, conclusion = fns
        return lambda env: kleene_implies(premise(env), conclusion(env))
    return lambda env: kleene_xor([fn(env) for fn in fns])


def _unrolled(fns: tuple[ValueFn, ...], stop: bool, other: bool) -> ValueFn:
    """Kleene and/or with short-circuit; two and three operands (the usual sizes) avoid the loop."""
    if len(fns) == 2:
        first, second = fns

        def two(env: Env) -> Any:
            a = first(env)
            if a is stop:
                return stop
            b = second(env)
            if b is stop:
                return stop
            return None if a is None or b is None else other

        return two
    if len(fns) == 3:
        first, second, third = fns

        def three(env: Env) -> Any:
            a = first(env)
            if a is stop:
                return stop
            b = second(env)
            if b is stop:
                return stop
            c = third(env)
            if c is stop:
                return stop
            return None if a is None or b is None or c is None else other

        return three

    def many(env: Env) -> Any:
        unknown = False
        for fn in fns:
            result = fn(env)
            if result is stop:
                return stop
            if result is None:
                unknown = True
        return None if unknown else other

    return many


def _negation(node: p.Negation, scope: Scope) -> tuple[ValueFn, ExplainFn]:
    inner_value, inner_explain = _cond(node.operand, scope)

    def value(env: Env) -> Truth:
        result = inner_value(env)
        return None if result is None else not result

    def explain(ctx: ExplainContext) -> Step:
        child = inner_explain(ctx)
        outcome = None if child.outcome is None else not child.outcome
        return Step(StepKind.NOT, node.text, outcome, (child,), (0,), span=node.span)

    return value, explain


def _presence(node: p.Presence, scope: Scope) -> tuple[ValueFn, ExplainFn]:
    slot, known = node.input.slot, node.known

    def value(env: Env) -> bool:
        return (env[slot] is not None) is known

    def explain(ctx: ExplainContext) -> Step:
        fact = _fact(ctx, node.input)
        present = ctx.env[slot] is not None
        return Step(StepKind.PRESENCE, node.text, present is known, facts=(fact,),
                    detail=f"{node.input.name} is {'given' if present else 'missing'}", span=node.span)

    return value, explain


def _reference(node: p.DefRef, scope: Scope) -> tuple[ValueFn, ExplainFn]:
    slot = node.slot
    # a criterion is called in place; a decision was computed earlier and is read from the environment
    value: ValueFn = scope[node.name] if node.name in scope else (lambda env: env[slot])

    def explain(ctx: ExplainContext) -> Step:
        inner = ctx.steps[slot]
        return Step(StepKind.REFERENCE, node.name, ctx.env[slot], (inner,), (0,), reference=node.name, span=node.span)

    return value, explain


def _boolean_input(node: p.InputRef, scope: Scope) -> tuple[ValueFn, ExplainFn]:
    slot = node.input.slot

    def value(env: Env) -> Any:
        return env[slot]

    def explain(ctx: ExplainContext) -> Step:
        fact = _fact(ctx, node.input)
        missing = ctx.env[slot] is None
        return Step(StepKind.INPUT, node.text, ctx.env[slot], facts=(fact,), wanting=(node.input.name,) if missing else (),
                    detail=f"{node.input.name} is missing" if missing else None, span=node.span)

    return value, explain


# ---- comparisons ---------------------------------------------------------------------------


def _operand(node: Any, scope: Scope) -> tuple[ValueFn, ExplainFn | None]:
    """How to fetch one side of a comparison; conditions on either side are allowed (`a = true`)."""
    if isinstance(node, p.Arith):
        return clinical.arithmetic(node, lambda n: _value_of(n, scope)), None
    if isinstance(node, p.Call):
        return clinical.call(node, lambda n: _value_of(n, scope)), None
    if isinstance(node, p.SeriesAt):
        return clinical.series_at(node, DAY_SLOT), None
    if isinstance(node, p.DefRef) and node.name in scope:
        return scope[node.name], None
    if isinstance(node, (p.InputRef, p.DefRef)):
        slot = node.input.slot if isinstance(node, p.InputRef) else node.slot
        return (lambda env: env[slot]), None
    if isinstance(node, p.Const):
        constant = node.value
        return (lambda env: constant), None
    return _cond(node, scope)


def _compare(node: p.Compare, scope: Scope) -> tuple[ValueFn, ExplainFn]:
    left, right, op = node.left, node.right, node.op
    if isinstance(left, p.CalendarConst) and not isinstance(right, p.CalendarConst):
        left, right, op = right, left, op.flipped  # keep the duration on the left
    if clinical.is_day(left) or clinical.is_day(right):
        value = _day_compare(left, right, op, scope)
    elif isinstance(right, p.CalendarConst):
        value = _duration_vs_literal(left, right, op, scope)
    elif _is_duration(left) and _is_duration(right):
        value = _duration_vs_duration(left, right, op, scope)
    else:
        value = _plain(left, right, op, node.scale, scope)
    return value, _explain_compare(node, left, right, op, value, scope)


def _is_duration(node: Any) -> bool:
    if isinstance(node, p.InputRef):
        return node.input.type.kind is Kind.DURATION
    return isinstance(node, p.DefRef) and node.type.kind is Kind.DURATION


# A value in the environment against a constant, one closure per operator: the hot path of most rules.
_SLOT_TESTS: dict[str, Callable[[int, Any], ValueFn]] = {
    "=": lambda s, c: lambda env: None if (v := env[s]) is None else v == c,
    "!=": lambda s, c: lambda env: None if (v := env[s]) is None else v != c,
    "<": lambda s, c: lambda env: None if (v := env[s]) is None else v < c,
    "<=": lambda s, c: lambda env: None if (v := env[s]) is None else v <= c,
    ">": lambda s, c: lambda env: None if (v := env[s]) is None else v > c,
    ">=": lambda s, c: lambda env: None if (v := env[s]) is None else v >= c,
}


def _slot(node: Any, scope: Scope) -> int | None:
    """The environment slot a side reads directly, if any (inputs, and decisions computed earlier)."""
    if isinstance(node, p.InputRef):
        return node.input.slot
    if isinstance(node, p.DefRef) and node.name not in scope:
        return node.slot
    return None


def _plain(left: Any, right: Any, op: str, scale: Any, scope: Scope) -> ValueFn:
    compare = OPERATORS[op]
    slot = _slot(left, scope)
    if slot is not None and isinstance(right, p.Const) and scale == 1 and right.value is not None:
        return _SLOT_TESTS[op](slot, right.value)
    get_left, _ = _operand(left, scope)
    get_right, _ = _operand(right, scope)
    if any(isinstance(side, (p.Arith, p.Call)) for side in (left, right)):
        return _exact_compare(get_left, get_right, compare, scale)

    def general(env: Env) -> Truth:
        a = get_left(env)
        b = get_right(env)
        if a is None or b is None:
            return None
        return compare(a, b * scale if scale != 1 else b)

    return general


def _exact_compare(get_left: ValueFn, get_right: ValueFn, compare: Callable[[Any, Any], bool], scale: Any) -> ValueFn:
    """A computed side is an exact rational; the other side's decimal is read back exactly too, so that
    `0.1 mg + 0.2 mg = 0.3 mg` holds as it does on paper."""
    factor = clinical.exact(scale)
    assert factor is not None

    def exact(env: Env) -> Truth:
        a, b = clinical.exact(get_left(env)), clinical.exact(get_right(env))
        if a is None or b is None:
            return None
        return bool(compare(a, b * factor if factor != 1 else b))

    return exact


def _duration_vs_literal(left: Any, right: p.CalendarConst, op: str, scope: Scope) -> ValueFn:
    get_left, _ = _operand(left, scope)
    by_months = right.base == "months"
    threshold = right.amount * MONTH if by_months else right.amount
    if isinstance(left, p.InputRef) and op == "<" and by_months:
        slot = left.input.slot  # "age < 6 months", the commonest duration test, without a call

        def under(env: Env) -> Truth:
            v: Duration | None = env[slot]
            if v is None:
                return None
            return True if v.month_high < threshold else False if v.month_low >= threshold else None

        return under

    def interval(env: Env) -> Truth:
        v: Duration | None = get_left(env)
        if v is None:
            return None
        if by_months:
            return compare_interval(v.month_low, v.month_high, op, threshold)
        return compare_interval(v.day_low, v.day_high, op, threshold)

    return interval


def _day_compare(left: Any, right: Any, op: str, scope: Scope) -> ValueFn:
    """Event days: an event not yet reached is `NotBefore(d)`, which still settles `> day 30` once d > 30."""
    get_left, _ = _operand(left, scope)
    get_right, _ = _operand(right, scope)
    compare = OPERATORS[op]

    def value(env: Env) -> Truth:
        a, b = get_left(env), get_right(env)
        if a is None or b is None:
            return None
        a_low, a_high = (a.day, a.by) if isinstance(a, NotBefore) else (a, a)
        b_low, b_high = (b.day, b.by) if isinstance(b, NotBefore) else (b, b)
        if not isinstance(a, NotBefore) and not isinstance(b, NotBefore):
            return bool(compare(a, b))
        return compare_interval_open(a_low, a_high, op, b_low, b_high)

    return value


def compare_interval_open(a_low: int, a_high: int | None, op: str, b_low: int, b_high: int | None) -> Truth:
    """Compare two day ranges, either open above; true or false only when every pair agrees."""
    if op in ("<", "<="):
        return compare_interval_open(b_low, b_high, FLIPPED[op], a_low, a_high)
    if op in (">", ">="):
        strict = op == ">"
        if b_high is not None and (a_low > b_high or (not strict and a_low >= b_high)):
            return True
        if a_high is not None and (a_high < b_low or (strict and a_high <= b_low)):
            return False
        return None
    if op == "=":
        disjoint = (a_high is not None and a_high < b_low) or (b_high is not None and b_high < a_low)
        return False if disjoint else None
    equal = compare_interval_open(a_low, a_high, "=", b_low, b_high)
    return None if equal is None else not equal


def _duration_vs_duration(left: Any, right: Any, op: str, scope: Scope) -> ValueFn:
    get_left, _ = _operand(left, scope)
    get_right, _ = _operand(right, scope)

    def value(env: Env) -> Truth:
        a: Duration | None = get_left(env)
        b: Duration | None = get_right(env)
        return None if a is None or b is None else compare_durations(a, b, op)

    return value


def _explain_compare(node: p.Compare, left: Any, right: Any, op: str, value: ValueFn, scope: Scope) -> ExplainFn:
    sides = [s for s in (left, right) if isinstance(s, (p.InputRef, p.DefRef, p.Compare, p.Logic, p.Negation, p.Presence))]
    nested = [(i, _cond(s, scope)[1]) for i, s in enumerate(sides) if not isinstance(s, (p.InputRef, p.DefRef))]
    get_left = _operand(left, scope)[0]  # the left side's value, for the sentence an explanation prints

    def explain(ctx: ExplainContext) -> Step:
        outcome = value(ctx.env)
        facts = tuple(_fact(ctx, s.input) for s in (left, right) if isinstance(s, p.InputRef))
        facts += tuple(f for s in (left, right) if isinstance(s, (p.Arith, p.Call)) for f in clinical._facts(ctx, s))
        children = tuple(e(ctx) for _, e in nested)
        children += tuple(Step(StepKind.REFERENCE, s.name, ctx.env[s.slot], (ctx.steps[s.slot],), (0,), reference=s.name, span=s.span)
                          for s in (left, right) if isinstance(s, p.DefRef))
        missing = tuple(f.input for f in facts if f.missing)
        detail = _comparison_detail(ctx, left, right, op, outcome, missing, get_left(ctx.env))
        wanting: tuple[str, ...] = ()
        if outcome is None and not children:
            wanting = missing or tuple(f.input for f in facts)
        deciding = tuple(range(len(children))) if children else ()
        return Step(StepKind.COMPARISON, node.text, outcome, children, deciding, facts, detail, wanting=wanting, span=node.span)

    return explain


def _comparison_detail(ctx: ExplainContext, left: Any, right: Any, op: str, outcome: Truth, missing: tuple[str, ...],
                       left_value: Any) -> str:
    if missing:
        return ", ".join(missing) + (" is" if len(missing) == 1 else " are") + " missing"
    shown_left, shown_right = _shown(ctx, left), _shown(ctx, right)
    symbol = _SYMBOL[op]
    if outcome is None:
        undetermined = [s.name for s in (left, right) if isinstance(s, p.DefRef) and ctx.env[s.slot] is None]
        if undetermined:
            return ", ".join(undetermined) + (" is" if len(undetermined) == 1 else " are") + " undetermined"
        if isinstance(right, p.CalendarConst):
            if isinstance(left_value, Duration) and right.base == "months":
                low, high = days_in_months(right.amount)
                return (f"cannot tell whether {left_value.text} {symbol} {right.shown}: {right.shown} is {low} to {high} days "
                        f"depending on the calendar; give the age in months or the dates")
            return f"cannot tell whether {shown_left} {symbol} {shown_right} without exact dates"
        unrecorded = [s.input.name for s in (left, right) if isinstance(s, p.SeriesAt) and clinical.series_at(s, DAY_SLOT)(ctx.env) is None]
        if unrecorded:
            return f"{', '.join(unrecorded)} not recorded on day {ctx.env[DAY_SLOT]}"
        return f"{shown_left} {symbol} {shown_right} is unknown"
    if op in ("=", "!=") and isinstance(right, p.Const) and right.type.kind in (Kind.ENUM, Kind.BOOLEAN, Kind.TEXT):
        name = left.input.name if isinstance(left, p.InputRef) else getattr(left, "name", left.text)
        actual = _outcome_text(left_value)
        if outcome is (op == "="):
            return f"{name} is {actual}"
        return f"{name} is {actual}, not {right.shown}" if op == "=" else f"{name} is {actual}"
    if outcome:
        return f"{shown_left} {symbol} {shown_right}"
    distance = _distance(ctx, left, right)
    negated = {"=": "≠", "!=": "=", "<": "≥", "<=": ">", ">": "≤", ">=": "<"}[op]
    text = f"{shown_left} {negated} {shown_right} (needs {symbol} {shown_right})"
    return f"{text}; {distance}" if distance else text


def _distance(ctx: ExplainContext, left: Any, right: Any) -> str | None:
    if not (isinstance(left, p.InputRef) and isinstance(right, p.Const) and left.input.type.kind is Kind.QUANTITY):
        return None
    value, threshold = ctx.env[left.input.slot], right.value
    if not isinstance(value, (int, float)) or not isinstance(threshold, (int, float)):
        return None
    unit = left.input.type.unit
    suffix = f" {unit.display}" if isinstance(unit, Unit) else ""
    if value == threshold:
        return "exactly at the threshold"
    direction = "below" if value < threshold else "above"
    gap = abs(clinical.exact(value) - clinical.exact(threshold))  # type: ignore[operator]  # 12.1 - 12 is 0.1, not 0.0999…
    return f"{format_number(gap)}{suffix} {direction} the threshold"


def _shown(ctx: ExplainContext, side: Any) -> str:
    if isinstance(side, p.InputRef):
        fact = _fact(ctx, side.input)
        return f"{side.input.name} {fact.shown}"
    if isinstance(side, (p.Const, p.CalendarConst)):
        return side.shown
    if isinstance(side, p.DefRef):
        return f"{side.name} = {_outcome_text(ctx.env[side.slot])}"
    if isinstance(side, (p.Arith, p.Call)):
        return f"{side.text} = {clinical.shown(_operand(side, {})[0](ctx.env), side.type)}"
    if isinstance(side, p.SeriesAt):
        value = clinical.series_at(side, DAY_SLOT)(ctx.env)
        return f"{side.input.name} on day {ctx.env[DAY_SLOT]} " + ("not recorded" if value is None else clinical.shown(value, side.input.type))
    return side.text  # type: ignore[no-any-return]


def _outcome_text(value: Any) -> str:
    return {True: "true", False: "false", None: "unknown"}.get(value, str(value)) if isinstance(value, (bool, type(None))) else str(value)


def _fact(ctx: ExplainContext, info: p.InputInfo) -> Fact:
    fact = ctx.facts[info.slot]
    if fact is None:
        return Fact(info.name, "missing", None, "not in the record", missing=True)
    return fact
