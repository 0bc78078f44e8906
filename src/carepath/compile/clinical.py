"""Closures for the clinical definitions: arithmetic, doses, target ranges and events over dated series.

`compiler` hands each builder its own `cond`/`value` compilers, so this module adds node kinds without
knowing how conditions are compiled. Arithmetic is exact: numbers become `Fraction`s on the way in.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from carepath.compile.limits import limit_flags
from carepath.ir import program as p
from carepath.language.nodes import Comparator
from carepath.semantics.builtins import BUILTINS, round_to
from carepath.semantics.operators import ARITHMETIC, Operand, comparison, exact, first_true, kleene_and, kleene_not
from carepath.semantics.trace import Step, StepKind
from carepath.semantics.types import Kind
from carepath.semantics.units import Unit
from carepath.semantics.values import DoseValue, NotBefore, Series, Truth, format_number

Env = list[Any]
ValueFn = Callable[[Env], Any]
ExplainFn = Callable[[Any], Step]
CondCompiler = Callable[[Any], tuple[ValueFn, ExplainFn]]
ValueCompiler = Callable[[Any], ValueFn]


def _fraction(value: object) -> Fraction:
    assert isinstance(value, (int, Fraction)), value
    return Fraction(value)


def unit_text(type_: Any) -> str:
    return f" {type_.unit.display}" if getattr(type_, "unit", None) is not None and isinstance(type_.unit, Unit) else ""


def shown(value: Any, type_: Any) -> str:
    if value is None:
        return "unknown"
    return f"{approximate(value)}{unit_text(type_)}"


def approximate(value: Any) -> str:
    """Exact when short; a long or endless decimal (a square root, a third) to 4 places, marked ≈."""
    if isinstance(value, Fraction) and value.denominator != 1:
        places = (value * 10**6).denominator != 1
        if places:
            return "≈" + format_number(round(value, 4))
    return format_number(value)


# ---- values ----------------------------------------------------------------------------------


def arithmetic(node: p.Arith, value_of: ValueCompiler) -> ValueFn:
    left, right = value_of(node.left), value_of(node.right)
    scale = _fraction(node.right_scale)
    compute_exactly = ARITHMETIC[node.op]
    if scale == 1:  # always for × and ÷, and for + and − within one unit
        return lambda env: compute_exactly(left(env), right(env))

    def compute(env: Env) -> Fraction | None:
        b = exact(right(env))
        return compute_exactly(left(env), None if b is None else b * scale)

    return compute


def call(node: p.Call, value_of: ValueCompiler) -> ValueFn:
    run = BUILTINS[node.function].run
    args = tuple((value_of(a), _fraction(s)) for a, s in zip(node.args, node.scales, strict=True))

    def compute(env: Env) -> Fraction | None:
        values = []
        for fn, scale in args:
            v = exact(fn(env))
            if v is None:
                return None
            values.append(v * scale)
        return run(values)

    return compute


def series_at(node: p.SeriesAt, day_slot: int) -> ValueFn:
    slot = node.input.slot

    def value(env: Env) -> Any:
        series: Series | None = env[slot]
        return None if series is None else series.at(env[day_slot])

    return value


def none_before(node: p.NoneBefore, day_slot: int) -> ValueFn:
    slot, window = node.input.slot, node.window

    def value(env: Env) -> Truth:
        series: Series | None = env[slot]
        if series is None:
            return None
        day = env[day_slot]
        return kleene_and(kleene_not(series.at(earlier)) for earlier in range(day - window, day))

    return value


def explain_value(node: Any, value: ValueFn, what: StepKind) -> ExplainFn:
    def explain(ctx: Any) -> Step:
        result = value(ctx.env)
        return Step(what, node.text, shown(result, node.type) if result is not None else None, detail=f"{node.text} = {shown(result, node.type)}",
                    span=node.span)

    return explain


# ---- doses -------------------------------------------------------------------------------------


def dose(definition: p.Dose, cond: CondCompiler, value_of: ValueCompiler) -> tuple[ValueFn, ExplainFn]:
    info = definition
    assert info is not None
    unit = info.unit.display
    branches = tuple((None if b.condition is None else cond(b.condition), None if b.amount is None else value_of(b.amount), b)
                     for b in definition.branches)
    rounding = info.rounding
    flags_of = limit_flags(definition, cond, value_of)

    def amount_of(fn: ValueFn | None, env: Env) -> DoseValue | None:
        raw = None if fn is None else exact(fn(env))
        if raw is None:
            return None
        computed = raw  # limits read the amount before rounding: rounding to a deliverable amount never raises a flag by itself
        if rounding is not None:
            raw = round_to(raw, rounding[1], rounding[0])  # type: ignore[arg-type]
            if raw is None:
                return None
        if flags_of is not None:
            return DoseValue(raw, unit, info.schedule, flags_of(env, computed))
        return DoseValue(raw, unit, info.schedule)

    def value(env: Env) -> DoseValue | None:
        # an earlier band that might apply leaves the dose unknown: never fall through to a later one
        index = first_true(True if condition is None else condition[0](env) for condition, _, _ in branches)
        return None if index is None else amount_of(branches[index][1], env)

    def explain(ctx: Any) -> Step:
        steps: list[Step] = []
        deciding: tuple[int, ...] = ()
        for index, (condition, amount, branch) in enumerate(branches):
            inner = None if condition is None else condition[1](ctx)
            if inner is not None and inner.outcome is not True:
                steps.append(Step(StepKind.BRANCH, f"{branch.amount.text if branch.amount else '?'} when {inner.text}", inner.outcome, (inner,), (0,),
                                  span=branch.span))
                if inner.outcome is None:
                    deciding = (index,)
                    break
                continue
            raw = None if amount is None else amount(ctx.env)
            result = amount_of(amount, ctx.env)
            detail = f"{branch.amount.text if branch.amount else '?'} = {shown(raw, definition.type)}"
            if rounding is not None and result is not None:
                detail += f", rounded {'to the nearest' if rounding[0] == 'nearest' else rounding[0] + ' to a multiple of'} {format_number(rounding[1])} {unit}"
            wanting = tuple(i.name for i in p.inputs_in(branch.amount) if ctx.env[i.slot] is None) if result is None else ()
            children = (inner,) if inner is not None else ()
            steps.append(Step(StepKind.AMOUNT, f"{branch.amount.text if branch.amount else '?'}" + (f" when {inner.text}" if inner else ""),
                              str(result) if result is not None else None, children, tuple(range(len(children))),
                              facts=tuple(facts_of(ctx, branch.amount)), detail=detail, wanting=wanting, span=branch.span))
            deciding = tuple(range(index + 1))  # every earlier band was false: they chose this amount as much as it did
            break
        outcome = ctx.env[definition.slot]
        shown_detail = info.schedule
        if isinstance(outcome, DoseValue) and outcome.flags:
            shown_detail = "; ".join([*([info.schedule] if info.schedule else []), *map(str, outcome.flags)])
        return Step(StepKind.DOSE, definition.name, str(outcome) if outcome is not None else None, tuple(steps), deciding,
                    detail=shown_detail, title=definition.title, citation=definition.citation, span=definition.span)

    return value, explain


def facts_of(ctx: Any, node: Any) -> list[Any]:
    from carepath.semantics.trace import Fact

    out = []
    for info in p.inputs_in(node):
        fact = ctx.facts[info.slot]
        out.append(fact if fact is not None else Fact(info.name, "missing", None, "not in the record", missing=True))
    return out


# ---- targets -----------------------------------------------------------------------------------


def target(definition: p.Target, value_of: ValueCompiler) -> tuple[ValueFn, ExplainFn]:
    info = definition
    assert info is not None
    measured = value_of(info.measured)
    low, high = info.low.value, info.high.value
    below, above = comparison(Comparator.LT, Operand.VALUE, Operand.VALUE), comparison(Comparator.GT, Operand.VALUE, Operand.VALUE)

    def value(env: Env) -> str | None:
        level = measured(env)
        if level is None or low is None or high is None:
            return None
        return "below" if below(level, low) else "above" if above(level, high) else "within"

    measured_type = getattr(info.measured, "type", None) or getattr(getattr(info.measured, "input", None), "type", None)

    def explain(ctx: Any) -> Step:
        band = ctx.env[definition.slot]
        level = measured(ctx.env)
        facts = tuple(facts_of(ctx, info.measured))
        bounds = f"{info.low.shown} .. {info.high.shown}"
        if band is None:
            detail = f"{info.measured.text} is unknown; the range is {bounds}"
        else:
            detail = f"{info.measured.text} = {shown(level, measured_type)}: {band} {bounds}"
            if band in info.actions:
                detail += f" → {info.actions[band]}"
        wanting = tuple(f.input for f in facts if f.missing) if band is None else ()
        return Step(StepKind.TARGET, definition.name, band, (), (), facts, detail, title=definition.title, citation=definition.citation,
                    wanting=wanting, span=definition.span)

    return value, explain


# ---- events ------------------------------------------------------------------------------------


def event(definition: p.Event, cond: CondCompiler, value_of: ValueCompiler, day_slot: int) -> tuple[ValueFn, ExplainFn]:
    """The first day of `run` consecutive days on which the condition holds.

    Kleene `and` over days: a window is true when every day in it is, false when any day is, else unknown. The
    first true window counts only when every earlier window is false; an earlier unknown window makes the
    day unknown (it might have been then), carried as `NotBefore` so `event > day 30` can still be decided.
    """
    info = definition
    assert info is not None
    holds, explain_day = cond(info.condition)
    start = value_of(info.start) if info.start is not None else None
    slots = tuple(s.slot for s in info.series)
    run = info.run

    def scan(env: Env) -> tuple[Any, int | None]:
        """(event value, first day of the deciding window) — the window is for explanations."""
        first: int | None = None
        if start is not None:
            begin = start(env)
            if begin is None:
                return None, None
            if isinstance(begin, NotBefore):
                return NotBefore(begin.day), None  # this event starts after that one: not before it, with no upper bound
            first = begin
        recorded = [s for s in (env[slot] for slot in slots) if s is not None and s.values]
        if not recorded:
            return (NotBefore(first) if first is not None else None), None
        if first is None:
            first = min(s.first for s in recorded)
        last = max(s.last for s in recorded)
        unknown_from: int | None = None
        saved = env[day_slot]
        truths: list[Truth] = []  # the condition on day first + i, each day evaluated once however many windows hold it
        try:
            for index, day in enumerate(range(first, last + 1)):  # a window running past the data is unknown, or false if a day in it is
                while len(truths) < index + run:
                    env[day_slot] = first + len(truths)
                    truths.append(holds(env))
                window = kleene_and(truths[index:index + run])
                if window is True:
                    return (day if unknown_from is None else NotBefore(unknown_from, day)), (day if unknown_from is None else unknown_from)
                if window is None and unknown_from is None:
                    unknown_from = day
        finally:
            env[day_slot] = saved
        return NotBefore(max(first, last + 1) if unknown_from is None else unknown_from), unknown_from

    def value(env: Env) -> Any:
        return scan(env)[0]

    def explain(ctx: Any) -> Step:
        outcome, window_start = scan(ctx.env)
        children: list[Step] = []
        if window_start is not None:
            saved = ctx.env[day_slot]
            for offset in range(run):
                ctx.env[day_slot] = window_start + offset
                step = explain_day(ctx)
                children.append(Step(StepKind.DAY, f"day {window_start + offset}", step.outcome, (step,), (0,), span=step.span))
            ctx.env[day_slot] = saved
        series = ", ".join(s.name for s in info.series)
        if isinstance(outcome, int):
            detail = f"day {outcome}: first of {run} consecutive day{'s' if run > 1 else ''} with {info.condition.text}"
        elif isinstance(outcome, NotBefore) and window_start is not None:
            detail = (f"undetermined: the days from day {window_start} cannot be read ({series} not recorded on every day); "
                      f"{outcome}")
        elif isinstance(outcome, NotBefore) and all(ctx.env[s.slot] is None or not ctx.env[s.slot].values for s in info.series):
            detail = f"{series} not recorded; not before day {outcome.day}"
        elif isinstance(outcome, NotBefore):
            detail = f"not reached in the recorded days of {series}; not before day {outcome.day}"
        else:
            detail = f"{series} not recorded" if start is None or start(ctx.env) is not None else "its start is undetermined"
        wanting = tuple(s.name for s in info.series) if not isinstance(outcome, int) else ()
        facts = tuple(_series_fact(ctx, s) for s in info.series)
        return Step(StepKind.EVENT, definition.name, outcome if isinstance(outcome, int) else None, tuple(children),  # type: ignore[arg-type]
                    tuple(range(len(children))), facts, detail, title=definition.title, citation=definition.citation, wanting=wanting,
                    span=definition.span)

    return value, explain


def _series_fact(ctx: Any, info: p.InputInfo) -> Any:
    from carepath.semantics.trace import Fact

    fact = ctx.facts[info.slot]
    return fact if fact is not None else Fact(info.name, "missing", None, "not in the record", missing=True)


def is_day(node: Any) -> bool:
    type_ = getattr(node, "type", None)
    if isinstance(node, p.InputRef):
        type_ = node.input.type
    return type_ is not None and type_.kind is Kind.DAY
