"""The checker's part for parameters: a value a site may override, checked for type, unit and range.

Functions take the running `checker.Checker`; they are its methods kept in their own module by family.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from carepath.ir import program as p
from carepath.language import nodes as n
from carepath.language.diagnostics import ParameterError
from carepath.semantics.types import DAY, DAYS, DURATION, Kind, Type
from carepath.semantics.units import CalendarUnit, Unit, UnitError, describe_dimension, display, exact_number, parse_unit

if TYPE_CHECKING:
    from carepath.check.checker import Checker


def rational(value: object) -> Fraction:
    """A checked quantity constant back as an exact rational (constants hold ints or floats of exact rationals)."""
    assert isinstance(value, (int, float, Fraction))
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)  # the float came from decimal text


def declare_parameter(checker: Checker, declared: n.Parameter) -> None:
    name = declared.name.name
    default, default_text = parameter_value(checker, declared, declared.value)
    if default is None:
        return
    type_, value = default
    used, shown, overridden = value, default_text, False
    override = checker.overrides.get(name)
    if override is not None:
        replaced, override_text = parameter_value(checker, declared, override.value, type_)
        if replaced is None:
            return
        used, shown, overridden = replaced[1], override_text, True
        if type_.kind is Kind.DURATION and isinstance(value, tuple) and isinstance(used, tuple) and used[0] != value[0]:
            raise ParameterError(f"parameter {name}={override_text}: '{name}' is counted in {value[0]}; "
                                 f"give it in {value[0]} too (months and days are not interchangeable)")
    if declared.plausible is not None:
        parameter_plausible(checker, declared, type_, used, shown, overridden)
    checker.parameters[name] = p.ParameterInfo(name, type_, used, shown, default_text, overridden, declared.title, declared.citation,
                                            declared.span)


def parameter_value(checker: Checker, declared: n.Parameter, value: n.Literal | n.DayLiteral | n.DayList,
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
            resolved, type_ = checker._resolve_quantity(value, like if like is not None and like.kind in (Kind.QUANTITY, Kind.DURATION) else None)
            if type_ is None:
                return None, text
            if isinstance(resolved, p.CalendarConst):
                result = DURATION, (resolved.base, resolved.amount)
            else:
                assert isinstance(resolved, p.Const)
                result = type_, resolved.value
            text = display(text)
        case _:
            resolved, type_ = checker._resolve(value, None)
            assert isinstance(resolved, p.Const) and type_ is not None
            result = type_, resolved.value
    if problem is None and result is not None and like is not None and result[0].kind is not like.kind:
        problem = f"'{name}' is {like.describe()}; {text} is {result[0].describe()}"
    if problem is not None:
        if like is not None:
            raise ParameterError(f"parameter {name}={text}: {problem}")
        checker.error("CP306", problem, value.span)
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


def parameter_plausible(checker: Checker, declared: n.Parameter, type_: Type, value: object, shown: str, overridden: bool) -> None:
    assert declared.plausible is not None
    name = declared.name.name
    if type_.kind not in (Kind.QUANTITY, Kind.NUMBER, Kind.DURATION):
        checker.error("CP405", f"a plausible range needs a quantity, a number or a duration; '{name}' is {type_.describe()}",
                      declared.plausible.span)
        return
    bounds: list[object] = []
    for literal in (declared.plausible.low, declared.plausible.high):
        resolved, bound_type = checker._resolve(literal, type_)
        if isinstance(resolved, p.CalendarConst) and type_.kind is Kind.DURATION and isinstance(value, tuple) and resolved.base == value[0]:
            bounds.append(resolved.amount)
            continue
        if not isinstance(resolved, p.Const) or bound_type is None or bound_type.kind is not type_.kind:
            unit = f" in {value[0]}" if isinstance(value, tuple) else ""
            checker.error("CP405", f"the plausible range of '{name}' must be {type_.describe()}{unit}", literal.span)
            return
        bounds.append(resolved.value)
    low, high = bounds
    if isinstance(value, tuple):
        value = value[1]  # a duration parameter: its amount, in the unit its bounds share
    if not low <= value <= high:  # type: ignore[operator]
        message = f"'{name}' = {shown} is outside its plausible range {n.expr_text(declared.plausible.low)} .. {n.expr_text(declared.plausible.high)}"
        if overridden:
            raise ParameterError(f"parameter {message}")
        checker.error("CP405", message, declared.value.span)


def parameter_ref(checker: Checker, expr: n.Name, context: Type | None) -> tuple[object, Type | None]:
    info = checker.parameters[expr.name]
    type_, value = info.type, info.value
    if type_.kind is Kind.DURATION:
        assert isinstance(value, tuple)
        return p.CalendarConst(p.CalendarBase(value[0]), int(value[1]), expr.name, info.shown, expr.span), DURATION
    if (type_.kind is Kind.QUANTITY and context is not None and context.kind is Kind.QUANTITY and isinstance(context.unit, Unit)
            and isinstance(type_.unit, Unit) and context.unit.dimension == type_.unit.dimension):
        converted = exact_number(rational(value) * type_.unit.factor_to(context.unit))
        return p.Const(converted, context, expr.name, info.shown, expr.span), context
    return p.Const(value, type_, expr.name, info.shown, expr.span), type_
