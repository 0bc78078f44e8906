"""The checker's part for doses, target ranges and events: amounts in their declared unit, schedules,
bounds, and conditions over dated series.

Functions take the run's `resolver.Resolver`, resolve each part through it and return the checked definition.
"""

from __future__ import annotations

from fractions import Fraction
from typing import assert_never

from carepath.check.resolver import Resolver, rational
from carepath.ir import program as p
from carepath.language import nodes as n
from carepath.language.limits import MAX_SCHEDULE_DAYS
from carepath.semantics.types import DAY, NUMBER, Kind, Type
from carepath.semantics.units import CalendarUnit, Unit, UnitError, describe_dimension, exact_number, parse_unit


def dose(resolver: Resolver, dose: n.Dose, slot: int) -> p.Dose:
    name = dose.name.name
    try:
        parsed = parse_unit(dose.unit)
    except UnitError as error:
        resolver.error("CP303", str(error), dose.span, error.hint)
        parsed = parse_unit("mg")
    if isinstance(parsed, CalendarUnit):
        resolver.error("CP307", f"dose '{name}' is in {dose.unit}, a duration", dose.span)
        parsed = parse_unit("mg")
    assert isinstance(parsed, Unit)
    target = Type(Kind.QUANTITY, parsed)
    branches: list[p.DoseBranch] = []
    closed: n.DoseBranch | None = None
    for index, branch in enumerate(dose.branches):
        if closed is not None:
            resolver.error("CP403", f"this amount of '{name}' can never be reached: an unconditional amount comes before it", branch.span,
                           "put 'otherwise' last, and give every earlier amount a 'when'")
        if branch.condition is None:
            closed = branch
        condition = None if branch.condition is None else resolver.condition(branch.condition)
        amount = dose_amount(resolver, branch.amount, target, f"dose '{name}'")
        label = "otherwise" if branch.otherwise else "always" if branch.condition is None else f"band {index + 1}"
        if amount is None:  # reported; the program is rejected, so a placeholder keeps the branch whole
            text = n.expr_text(branch.amount)
            amount = p.Const(None, target, text, text, branch.amount.span)
        branches.append(p.DoseBranch(label, condition, amount, branch.span))
    if closed is None and dose.branches:
        resolver.warn("CP402", f"'{name}' has no 'otherwise' amount: a patient matching no band gets no dose and is left undetermined",
                      dose.branches[-1].span, "add a final 'AMOUNT otherwise'")
    rounding: tuple[p.RoundingMode, object] | None = None
    if dose.rounding is not None:
        step_node, step_type = resolver.resolve(dose.rounding.step, None)
        step_unit = step_type.unit if step_type is not None and isinstance(step_type.unit, Unit) else None
        if step_unit is not None and step_unit.dimension == parsed.dimension:
            step_node, step_type = resolver.resolve(dose.rounding.step, target)  # now in the dose's unit
        if step_type is not None and step_type != target:
            resolver.error("CP302", f"'{name}' is in {parsed.display}; its rounding step {n.expr_text(dose.rounding.step)} is not",
                           dose.rounding.step.span, f"write the step in {parsed.display}")
        elif not isinstance(step_node, p.Const) or step_type is None or step_node.value is None:
            resolver.error("CP301", f"'{name}' is rounded to a constant in {parsed.display}", dose.rounding.step.span)
        elif step_node.value <= 0:  # type: ignore[operator]
            resolver.error("CP405", f"'{name}' is rounded to a step of {n.expr_text(dose.rounding.step)}; it must be above zero",
                           dose.rounding.step.span)
        else:
            rounding = (dose.rounding.mode, rational(step_node.value))
    schedule_text, days, from_day = schedule(resolver, dose.schedule)
    return p.Dose(name, slot, dose.title, dose.citation, target, dose.span, tuple(branches), parsed, rounding, schedule_text, days, from_day)


def dose_amount(resolver: Resolver, expr: n.Expr, target: Type, what: str) -> p.Value | None:
    node, type_ = resolver.value(expr)  # in its own unit: converted below, so a wrong unit is named as such
    if type_ is None:
        return None
    unit = type_.unit if isinstance(type_.unit, Unit) else None
    assert isinstance(target.unit, Unit)
    if unit is None or unit.dimension != target.unit.dimension:
        shown = unit.display if unit else "a plain number"
        resolver.error("CP302", f"{what} is in {target.unit.display} ({describe_dimension(target.unit)}); '{n.expr_text(expr)}' is in {shown}"
                       f" ({describe_dimension(unit) if unit else 'no unit'})", expr.span,
                       "check each factor's unit: mg/kg × kg gives mg, mg/m2 × m2 gives mg")
        return None
    factor = unit.factor_to(target.unit)
    if factor == 1:
        return node  # type: ignore[return-value]
    scale = p.Const(exact_number(factor), NUMBER, "", "", expr.span)
    return p.Arith(p.ArithOp.MULTIPLY, node, scale, Fraction(1), target, n.expr_text(expr), expr.span)  # type: ignore[arg-type]


def schedule(resolver: Resolver, schedule: n.Schedule | None) -> tuple[str | None, tuple[int, ...] | None, int | None]:
    if schedule is None:
        return None, None, None
    count = n.number_text(schedule.count) if schedule.count is not None else ""
    frequency = {"times daily": f"{count} times daily", "every hours": f"every {count} hours"}.get(schedule.frequency, schedule.frequency)
    if schedule.count is not None and (schedule.count <= 0 or schedule.count.denominator != 1):
        resolver.error("CP405", f"'{frequency}' needs a whole number above zero", schedule.span)
    spec = schedule.days
    if spec is None:
        return frequency, None, None
    if any(d.denominator != 1 for d in spec.days):
        resolver.error("CP306", "schedule days are whole days", spec.span)
        return frequency, None, None
    whole = [int(d) for d in spec.days]
    if spec.kind in (n.DayKind.DAY, n.DayKind.FROM) and spec.parameter is not None:  # `on start_day`, `from start_day`: a day parameter
        parameter = _parameter_of(resolver, spec.parameter, Kind.DAY, "a day parameter", "parameter NAME: day -1")
        if parameter is None:
            return frequency, None, None
        assert isinstance(parameter.value, int)
        whole = [parameter.value]
    match spec.kind:
        case n.DayKind.DAY:
            return f"{frequency} on day {whole[0]}", (whole[0],), None
        case n.DayKind.RANGE:
            first, last = whole
            if last < first:
                resolver.error("CP405", f"days {first} to {last} run backwards", spec.span, "write the earlier day first")
            return f"{frequency} on days {first} to {last}", tuple(range(first, last + 1)), None
        case n.DayKind.LIST:
            return f"{frequency} on days " + ", ".join(map(str, whole)), tuple(whole), None
        case n.DayKind.FROM:
            return f"{frequency} from day {whole[0]}", None, whole[0]
        case n.DayKind.PARAMETER:
            pass
        case _:
            assert_never(spec.kind)
    assert spec.parameter is not None
    parameter = _parameter_of(resolver, spec.parameter, Kind.DAYS, "a parameter listing days", "parameter NAME: days 1, 3, 6")
    if parameter is None:
        return frequency, None, None
    listed: tuple[int, ...] = parameter.value  # type: ignore[assignment]
    return f"{frequency} on day{'s' if len(listed) != 1 else ''} " + ", ".join(map(str, listed)), listed, None


def _parameter_of(resolver: Resolver, name: n.Name, kind: Kind, what: str, example: str) -> p.ParameterInfo | None:
    """A schedule's day or list of days named by a parameter of that kind, or a located error saying which exist."""
    parameter = resolver.parameters.get(name.name)
    if parameter is not None and parameter.type.kind is kind:
        return parameter
    candidates = [q.name for q in resolver.parameters.values() if q.type.kind is kind]
    resolver.error("CP201", f"'{name.name}' is not {what}", name.span, resolver.suggest(name.name, candidates) or f"declare it: {example}")
    return None


def target(resolver: Resolver, target: n.Target, slot: int) -> p.Target:
    name = target.name.name
    measured, measured_type = resolver.value(target.measured)
    bounds: list[p.Const] = []
    for bound in (target.low, target.high):
        node, type_ = resolver.resolve(bound, measured_type)
        if measured_type is not None and (not isinstance(node, p.Const) or type_ != measured_type):
            unit = measured_type.unit.display if isinstance(measured_type.unit, Unit) else "the measured value's unit"
            resolver.error("CP302", f"the bounds of '{name}' must be constants in {unit}; {n.expr_text(bound)} is not", bound.span)
        bounds.append(node if isinstance(node, p.Const) else p.Const(None, NUMBER, "", "", bound.span))
    low, high = bounds
    if low.value is not None and high.value is not None and low.value > high.value:  # type: ignore[operator]
        resolver.error("CP405", f"the range of '{name}' runs backwards", target.low.span, "write the lower bound first")
    actions: dict[str, str] = {}
    for band, text in target.actions:
        if band in actions:
            resolver.error("CP404", f"'{name}' gives two actions for '{band}'", target.span)
        actions[band] = text
    return p.Target(name, slot, target.title, target.citation, resolver.def_types[name], target.span, measured, low, high,  # type: ignore[arg-type]
                    actions)


def event(resolver: Resolver, event: n.Event, slot: int) -> p.Event:
    name = event.name.name
    run = 1
    if event.run is not None:
        node, type_ = resolver.resolve(event.run, None)
        value = node.value if isinstance(node, p.Const) else None
        if (type_ is not NUMBER and (type_ is None or type_.kind is not Kind.NUMBER)) or not isinstance(value, int) or value < 1:
            resolver.error("CP301", f"'{name}' needs a whole number of consecutive days; {n.expr_text(event.run)} is not", event.run.span)
        elif value > MAX_SCHEDULE_DAYS:
            resolver.error("CP112", f"a run of {value} consecutive days; the limit is {MAX_SCHEDULE_DAYS:,}", event.run.span)
        else:
            run = value
    start: p.Value | None = None
    if event.start is not None:
        node, type_ = resolver.resolve(event.start, None)
        if type_ is None or type_.kind is not Kind.DAY:
            resolver.error("CP301", f"'{name}' starts from a day (day 1, a day parameter or another event); {n.expr_text(event.start)} is not",
                           event.start.span)
        else:
            start = node  # type: ignore[assignment]
    resolver.in_event = True
    condition = resolver.condition(event.condition)
    resolver.in_event = False
    read = [node.input for node in condition.walk() if isinstance(node, (p.SeriesAt, p.NoneBefore))]
    series = tuple({info.name: info for info in read}.values())
    if not series:
        resolver.error("CP301", f"the condition of event '{name}' reads no series: nothing to count days over", event.condition.span,
                       "name a series input (declared 'series of …') in the condition")
    return p.Event(name, slot, event.title, event.citation, DAY, event.span, run, start, condition, series)
