"""The checker's part for inputs: declared types, plausible ranges, and dates a duration or series is counted from."""

from __future__ import annotations

from carepath.check.resolver import AS_OF, Resolver
from carepath.ir import program as p
from carepath.language import nodes as n
from carepath.semantics.types import BOOLEAN, DATE, DURATION, TEXT, Kind, Type
from carepath.semantics.units import CalendarUnit, UnitError, display, parse_unit
from carepath.semantics.values import Duration, format_number


def declare_input(resolver: Resolver, decl: n.InputDecl) -> None:
    name = decl.name.name
    if name in resolver.inputs:
        resolver.error("CP202", f"input '{name}' is declared twice", decl.name.span)
        return
    if name == AS_OF:
        resolver.error("CP202", f"'{AS_OF}' is reserved for the evaluation date", decl.name.span)
        return
    type_ = input_type(resolver, name, decl.type)
    plausible, plausible_text = plausible_range(resolver, name, type_.element or type_, decl.plausible)
    derived = (decl.derived_from.start.name, decl.derived_from.end.name) if decl.derived_from else None
    if derived and type_.kind is not Kind.DURATION:
        assert decl.derived_from is not None
        resolver.error("CP406", f"only a duration can be derived from two dates; '{name}' is {type_.describe()}", decl.derived_from.span)
    anchor = decl.relative_to.name if decl.relative_to else None
    if decl.relative_to is not None and type_.kind is not Kind.SERIES:
        resolver.error("CP406", f"only a series is counted relative to a date; '{name}' is {type_.describe()}", decl.relative_to.span)
    resolver.inputs[name] = p.InputInfo(name, len(resolver.inputs), type_, decl.optional, plausible, plausible_text, derived, decl.span, anchor)


def input_type(resolver: Resolver, name: str, spec: n.TypeSpec) -> Type:
    match spec:
        case n.SeriesType(element=element):
            element_type = input_type(resolver, name, element)
            if element_type.kind not in (Kind.QUANTITY, Kind.BOOLEAN, Kind.NUMBER):
                resolver.error("CP301", f"a series holds quantities or booleans; '{name}' would hold {element_type.describe()}", spec.span)
            return Type(Kind.SERIES, element_type.unit, element_type.members, element_type.owner, element_type)
        case n.QuantityType(unit=unit_text):
            try:
                unit = parse_unit(unit_text)
            except UnitError as error:
                resolver.error("CP303", str(error), spec.span, error.hint)
                return Type(Kind.QUANTITY)
            if isinstance(unit, CalendarUnit):
                resolver.error("CP307", f"'{name}' is measured in {unit_text}: declare it as a duration", spec.span,
                               f"write '{name} : duration'")
                return DURATION
            return Type(Kind.QUANTITY, unit)
        case n.DurationType():
            return DURATION
        case n.BooleanType():
            return BOOLEAN
        case n.TextType():
            return TEXT
        case n.DateType():
            return DATE
        case n.EnumType(members=members):
            seen: set[str] = set()
            for member in members:
                if member.name in seen:
                    resolver.error("CP204", f"'{member.name}' is listed twice in '{name}'", member.span)
                seen.add(member.name)
            return Type(Kind.ENUM, members=tuple(m.name for m in members), owner=name)
    raise AssertionError(spec)


def plausible_range(resolver: Resolver, name: str, type_: Type, plausible: n.Plausible | None) -> tuple[tuple[object, object] | None, str | None]:
    if plausible is None:
        return None, None
    if type_.kind not in (Kind.QUANTITY, Kind.DURATION):
        resolver.error("CP405", f"a plausible range needs a quantity or a duration; '{name}' is {type_.describe()}", plausible.span)
        return None, None
    bounds = []
    for literal in (plausible.low, plausible.high):
        if not isinstance(literal, n.QuantityLiteral):
            resolver.error("CP308", f"the bound {n.expr_text(literal)} needs a unit", literal.span,
                           f"write it in {type_.unit.text}" if type_.unit else "write it as 12 months or 365 days")
            return None, None
        bound = resolver.convert_literal(literal, type_, f"the plausible range of '{name}'")
        if bound is None:
            return None, None
        bounds.append(bound)
    low, high = bounds
    if isinstance(low, Duration) and isinstance(high, Duration):
        inverted = low.day_low > high.day_high
    else:
        inverted = low > high  # type: ignore[operator]
    if inverted:
        resolver.error("CP405", f"the plausible range of '{name}' runs backwards", plausible.span, "write the lower bound first")
        return None, None
    text = " .. ".join(f"{format_number(b.value)} {display(b.unit)}" for b in (plausible.low, plausible.high)
                       if isinstance(b, n.QuantityLiteral))
    return (low, high), text


def check_derivations(resolver: Resolver) -> None:
    for info in resolver.inputs.values():
        if info.anchor is not None:
            anchor = resolver.inputs.get(info.anchor)
            if anchor is None or anchor.type.kind is not Kind.DATE:
                dates = [i.name for i in resolver.inputs.values() if i.type.kind is Kind.DATE]
                problem = "is not declared" if anchor is None else f"is {anchor.type.describe()}, not a date"
                resolver.error("CP406", f"'{info.name}' is counted relative to '{info.anchor}', which {problem}", info.span,
                               resolver.suggest(info.anchor, dates) or "declare it as 'NAME : date'")
        if not info.derived_from:
            continue
        for date_name in info.derived_from:
            if date_name == AS_OF and date_name == info.derived_from[1]:
                continue
            other = resolver.inputs.get(date_name)
            if other is None or other.type.kind is not Kind.DATE:
                dates = [i.name for i in resolver.inputs.values() if i.type.kind is Kind.DATE]
                problem = "is not declared" if other is None else f"is {other.type.describe()}, not a date"
                resolver.error("CP406", f"'{info.name}' is derived from '{date_name}', which {problem}", info.span,
                               resolver.suggest(date_name, dates) or "declare it as 'NAME : date'")
