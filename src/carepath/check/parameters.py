"""The checker's part for parameters: a value a site may override, checked for type, unit and range.

Functions take the run's `resolver.Resolver` and declare each parameter into it.
"""

from __future__ import annotations

from carepath.check.resolver import Resolver
from carepath.ir import program as p
from carepath.language import nodes as n
from carepath.language.diagnostics import ParameterError
from carepath.semantics.types import DAY, DAYS, DURATION, Kind, Type
from carepath.semantics.units import CalendarUnit, Unit, UnitError, describe_dimension, display, parse_unit


def declare_parameter(resolver: Resolver, declared: n.Parameter) -> None:
    name = declared.name.name
    default, default_text = parameter_value(resolver, declared, declared.value)
    if default is None:
        return
    type_, value = default
    used, shown, overridden = value, default_text, False
    override = resolver.overrides.get(name)
    if override is not None:
        replaced, override_text = parameter_value(resolver, declared, override.value, type_)
        if replaced is None:
            return
        used, shown, overridden = replaced[1], override_text, True
        if type_.kind is Kind.DURATION and isinstance(value, tuple) and isinstance(used, tuple) and used[0] != value[0]:
            raise ParameterError(f"parameter {name}={override_text}: '{name}' is counted in {value[0]}; "
                                 f"give it in {value[0]} too (months and days are not interchangeable)")
    if declared.plausible is not None:
        parameter_plausible(resolver, declared, type_, used, shown, overridden)
    resolver.parameters[name] = p.ParameterInfo(name, type_, used, shown, default_text, overridden, declared.title, declared.citation,
                                            declared.span)


def parameter_value(resolver: Resolver, declared: n.Parameter, value: n.Literal | n.DayLiteral | n.DayList,
                     like: Type | None = None) -> tuple[tuple[Type, object] | None, str]:
    """A parameter's value in the evaluator's terms; `like` is the type an override must keep."""
    name = declared.name.name
    text = " ".join(["days", ", ".join(n.number_text(d) for d in value.days)]) if isinstance(value, n.DayList) else n.expr_text(value)
    problem: str | None = None
    result: tuple[Type, object] | None = None
    match value:
        case n.DayList(days=days) if all(d.denominator == 1 for d in days):
            result = DAYS, tuple(int(d) for d in days)
        case n.DayLiteral(day=day) if day.denominator == 1:
            result = DAY, int(day)
        case n.DayList() | n.DayLiteral():
            problem = f"{text} is not a whole number of days"
        case n.QuantityLiteral():
            if like is not None:
                override_fits(name, value, like, text)
            resolved, type_ = resolver.resolve_quantity(value, like if like is not None and like.kind in (Kind.QUANTITY, Kind.DURATION) else None)
            if type_ is None:
                return None, text
            if isinstance(resolved, p.CalendarConst):
                result = DURATION, (resolved.base, resolved.amount)
            else:
                assert isinstance(resolved, p.Const)
                result = type_, resolved.value
            text = display(text)
        case _:
            resolved, type_ = resolver.resolve(value, None)
            assert isinstance(resolved, p.Const) and type_ is not None
            result = type_, resolved.value
    if problem is None and result is not None and like is not None and result[0].kind is not like.kind:
        problem = f"'{name}' is {like.describe()}; {text} is {result[0].describe()}"
    if problem is not None:
        if like is not None:
            raise ParameterError(f"parameter {name}={text}: {problem}")
        resolver.error("CP306", problem, value.span)
        return None, text
    return result, text


def override_fits(name: str, value: n.QuantityLiteral, like: Type, text: str) -> None:
    """An override is checked against its parameter here, so its errors name the parameter, not a line."""
    try:
        unit = parse_unit(value.unit)
    except UnitError as error:
        raise ParameterError(f"parameter {name}={text}: {error}" + (f"; {error.hint}" if error.hint else "")) from None
    if like.kind is Kind.DURATION:
        if not isinstance(unit, CalendarUnit):
            raise ParameterError(f"parameter {name}={text}: '{name}' is a duration; write it in days, weeks, months or years")
        if (value.value * unit.multiple).denominator != 1:
            raise ParameterError(f"parameter {name}={text}: not a whole number of {unit.base}")
        return
    if not isinstance(unit, Unit) or like.kind is not Kind.QUANTITY or not isinstance(like.unit, Unit) or unit.dimension != like.unit.dimension:
        expected = f"in {like.unit.display} ({describe_dimension(like.unit)})" if isinstance(like.unit, Unit) else like.describe()
        raise ParameterError(f"parameter {name}={text}: '{name}' is {expected}; {display(text)} is {describe_dimension(unit)}")


def parameter_plausible(resolver: Resolver, declared: n.Parameter, type_: Type, value: object, shown: str, overridden: bool) -> None:
    assert declared.plausible is not None
    name = declared.name.name
    if type_.kind not in (Kind.QUANTITY, Kind.NUMBER, Kind.DURATION):
        resolver.error("CP405", f"a plausible range needs a quantity, a number or a duration; '{name}' is {type_.describe()}",
                       declared.plausible.span)
        return
    bounds: list[object] = []
    for literal in (declared.plausible.low, declared.plausible.high):
        resolved, bound_type = resolver.resolve(literal, type_)
        if isinstance(resolved, p.CalendarConst) and type_.kind is Kind.DURATION and isinstance(value, tuple) and resolved.base == value[0]:
            bounds.append(resolved.amount)
            continue
        if not isinstance(resolved, p.Const) or bound_type is None or bound_type.kind is not type_.kind:
            unit = f" in {value[0]}" if isinstance(value, tuple) else ""
            resolver.error("CP405", f"the plausible range of '{name}' must be {type_.describe()}{unit}", literal.span)
            return
        bounds.append(resolved.value)
    low, high = bounds
    if isinstance(value, tuple):
        value = value[1]  # a duration parameter: its amount, in the unit its bounds share
    if not low <= value <= high:  # type: ignore[operator]
        message = f"'{name}' = {shown} is outside its plausible range {n.expr_text(declared.plausible.low)} .. {n.expr_text(declared.plausible.high)}"
        if overridden:
            raise ParameterError(f"parameter {message}")
        resolver.error("CP405", message, declared.value.span)
