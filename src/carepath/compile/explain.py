"""What every closure shares, and how a comparison's explanation is worded: the context an `explain` closure
reads, the step a comparison becomes, and the sentence ("anc 0.3 ×10⁹/L < 0.5 ×10⁹/L") its detail prints.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from carepath.compile import clinical
from carepath.ir import program as p
from carepath.language.nodes import Comparator
from carepath.semantics.operators import Operand, comparison, exact
from carepath.semantics.trace import Fact, Step, StepKind
from carepath.semantics.types import Kind
from carepath.semantics.units import Unit
from carepath.semantics.values import Duration, Truth, days_in_months, format_number

Env = list[Any]
ValueFn = Callable[[Env], Any]
ExplainFn = Callable[["ExplainContext"], Step]
Scope = dict[str, ValueFn]  # criterion name → its value closure, for inlining references

DAY_SLOT = -1  # the environment's last slot: the day an event's condition is being evaluated on



@dataclass(slots=True)
class ExplainContext:
    env: Env
    facts: Sequence[Fact | None]
    steps: dict[int, Step]  # definition slot → its step, built once per record


def explain_compare(node: p.Compare, left: Any, right: Any, op: Comparator, value: ValueFn, nested: Sequence[ExplainFn],
                    get_left: ValueFn, value_of: Callable[[Any], ValueFn]) -> ExplainFn:
    """A comparison's step: its outcome from the value closure (the operator table), its facts, and a sentence."""

    def explain(ctx: ExplainContext) -> Step:
        outcome = value(ctx.env)
        facts = tuple(fact(ctx, s.input) for s in (left, right) if isinstance(s, p.InputRef))
        facts += tuple(f for s in (left, right) if isinstance(s, (p.Arith, p.Call)) for f in clinical.facts_of(ctx, s))
        children = tuple(e(ctx) for e in nested)
        children += tuple(Step(StepKind.REFERENCE, s.name, ctx.env[s.slot], (ctx.steps[s.slot],), (0,), reference=s.name, span=s.span)
                          for s in (left, right) if isinstance(s, p.DefRef))
        missing = tuple(f.input for f in facts if f.missing)
        detail = _comparison_detail(ctx, left, right, op, outcome, missing, get_left(ctx.env), value_of)
        wanting: tuple[str, ...] = ()
        if outcome is None and not children:
            wanting = missing or tuple(f.input for f in facts)
        deciding = tuple(range(len(children))) if children else ()
        return Step(StepKind.COMPARISON, node.text, outcome, children, deciding, facts, detail, wanting=wanting, span=node.span)

    return explain


def _comparison_detail(ctx: ExplainContext, left: Any, right: Any, op: Comparator, outcome: Truth, missing: tuple[str, ...],
                       left_value: Any, value_of: Callable[[Any], ValueFn]) -> str:
    if missing:
        return ", ".join(missing) + (" is" if len(missing) == 1 else " are") + " missing"
    shown_left, shown_right = _shown(ctx, left, value_of), _shown(ctx, right, value_of)
    symbol = op.symbol
    if outcome is None:
        undetermined = [s.name for s in (left, right) if isinstance(s, p.DefRef) and ctx.env[s.slot] is None]
        if undetermined:
            return ", ".join(undetermined) + (" is" if len(undetermined) == 1 else " are") + " undetermined"
        if isinstance(right, p.CalendarConst):
            if isinstance(left_value, Duration) and right.base is p.CalendarBase.MONTHS:
                low, high = days_in_months(right.amount)
                return (f"cannot tell whether {left_value.text} {symbol} {right.shown}: {right.shown} is {low} to {high} days "
                        f"depending on the calendar; give the age in months or the dates")
            return f"cannot tell whether {shown_left} {symbol} {shown_right} without exact dates"
        unrecorded = [s.input.name for s in (left, right) if isinstance(s, p.SeriesAt) and clinical.series_at(s, DAY_SLOT)(ctx.env) is None]
        if unrecorded:
            return f"{', '.join(unrecorded)} not recorded on day {ctx.env[DAY_SLOT]}"
        return f"{shown_left} {symbol} {shown_right} is unknown"
    if op in (Comparator.EQ, Comparator.NE) and isinstance(right, p.Const) and right.type.kind in (Kind.ENUM, Kind.BOOLEAN, Kind.TEXT):
        name = left.input.name if isinstance(left, p.InputRef) else getattr(left, "name", left.text)
        actual = outcome_text(left_value)
        if outcome is (op is Comparator.EQ):
            return f"{name} is {actual}"
        return f"{name} is {actual}, not {right.shown}" if op is Comparator.EQ else f"{name} is {actual}"
    if outcome:
        return f"{shown_left} {symbol} {shown_right}"
    distance = _distance(ctx, left, right)
    text = f"{shown_left} {op.negated.symbol} {shown_right} (needs {symbol} {shown_right})"
    return f"{text}; {distance}" if distance else text


def _distance(ctx: ExplainContext, left: Any, right: Any) -> str | None:
    if not (isinstance(left, p.InputRef) and isinstance(right, p.Const) and left.input.type.kind is Kind.QUANTITY):
        return None
    value, threshold = ctx.env[left.input.slot], right.value
    if not isinstance(value, (int, float)) or not isinstance(threshold, (int, float)):
        return None
    unit = left.input.type.unit
    suffix = f" {unit.display}" if isinstance(unit, Unit) else ""
    if comparison(Comparator.EQ, Operand.VALUE, Operand.VALUE)(value, threshold):
        return "exactly at the threshold"
    direction = "below" if comparison(Comparator.LT, Operand.VALUE, Operand.VALUE)(value, threshold) else "above"
    gap = abs(exact(value) - exact(threshold))  # type: ignore[operator]  # 12.1 - 12 is 0.1, not 0.0999…
    return f"{format_number(gap)}{suffix} {direction} the threshold"


def _shown(ctx: ExplainContext, side: Any, value_of: Callable[[Any], ValueFn]) -> str:
    if isinstance(side, p.InputRef):
        return f"{side.input.name} {fact(ctx, side.input).shown}"
    if isinstance(side, (p.Const, p.CalendarConst)):
        return side.shown
    if isinstance(side, p.DefRef):
        return f"{side.name} = {outcome_text(ctx.env[side.slot])}"
    if isinstance(side, (p.Arith, p.Call)):
        return f"{side.text} = {clinical.shown(value_of(side)(ctx.env), side.type)}"
    if isinstance(side, p.SeriesAt):
        value = clinical.series_at(side, DAY_SLOT)(ctx.env)
        return f"{side.input.name} on day {ctx.env[DAY_SLOT]} " + ("not recorded" if value is None else clinical.shown(value, side.input.type))
    return side.text  # type: ignore[no-any-return]


def outcome_text(value: Any) -> str:
    return {True: "true", False: "false", None: "unknown"}.get(value, str(value)) if isinstance(value, (bool, type(None))) else str(value)


def fact(ctx: ExplainContext, info: p.InputInfo) -> Fact:
    found = ctx.facts[info.slot]
    if found is None:
        return Fact(info.name, "missing", None, "not in the record", missing=True)
    return found
