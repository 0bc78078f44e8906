"""`nodes.Protocol` → `CheckedProtocol`: names, types, units, cycles and branch structure, every problem at once."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from fractions import Fraction

from . import nodes as n
from . import program as p
from .builtins import BUILTINS
from .diagnostics import Diagnostic, ParameterError, ProtocolError, Severity, did_you_mean
from .source import Source, Span
from .types import BOOLEAN, DATE, DAY, DAYS, DURATION, NUMBER, TEXT, Kind, Type
from .units import CalendarUnit, Unit, UnitError, combine_units, describe_dimension, display, exact_number, parse_unit
from .values import Duration, format_number

AS_OF = "as_of"  # `from date_of_birth to as_of`: the evaluation date


TARGET_BANDS = ("below", "within", "above")


def check(protocol: n.Protocol, source: Source, overrides: dict[str, n.Parameter] | None = None) -> p.CheckedProtocol:
    """Check a parsed protocol; raise `ProtocolError` listing every error, keep warnings on the result.

    `overrides` replace parameters' values (a site's `--param`); each must keep its parameter's type and
    unit dimension, or `ParameterError` says which and why.
    """
    unknown = sorted(set(overrides or {}) - {d.name.name for d in protocol.definitions if isinstance(d, n.Parameter)})
    if unknown:
        names = [d.name.name for d in protocol.definitions if isinstance(d, n.Parameter)]
        hint = did_you_mean(unknown[0], names)
        raise ParameterError(f"{source.name} has no parameter '{unknown[0]}'" + (f"; {hint}" if hint else
                             f"; its parameters are {', '.join(names)}" if names else "; it declares no parameters"))
    checker = _Checker(protocol, source, overrides or {})
    checked = checker.run()
    errors = [d for d in checker.diagnostics if d.severity is Severity.ERROR]
    if errors or checked is None:
        raise ProtocolError(source, sorted(checker.diagnostics, key=_position))
    return checked


def _rational(value: object) -> Fraction:
    """A checked quantity constant back as an exact rational (constants hold ints or floats of exact rationals)."""
    assert isinstance(value, (int, float, Fraction))
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)  # the float came from decimal text


def _position(d: Diagnostic) -> tuple[int, int, str]:
    return d.span.line, d.span.column, d.code


class _Checker:
    def __init__(self, protocol: n.Protocol, source: Source, overrides: dict[str, n.Parameter] | None = None) -> None:
        self.protocol = protocol
        self.overrides = overrides or {}
        self.parameters: dict[str, p.ParameterInfo] = {}
        self.doses: set[str] = set()
        self._event_series: list[p.InputInfo] | None = None  # inside an event's condition: the series it reads
        self.source = source
        self.diagnostics: list[Diagnostic] = []
        self.inputs: dict[str, p.InputInfo] = {}
        self.definitions: dict[str, n.Definition] = {}
        self.def_types: dict[str, Type] = {}
        self.def_slots: dict[str, int] = {}
        self.dependencies: dict[str, set[str]] = {}
        self._current: str | None = None

    # ---- reporting -------------------------------------------------------------------------

    def error(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        diagnostic = Diagnostic(code, Severity.ERROR, message, span, hint)
        if diagnostic not in self.diagnostics:  # an operand resolved twice (to learn the other side's unit) reports once
            self.diagnostics.append(diagnostic)

    def warn(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(code, Severity.WARNING, message, span, hint))

    # ---- driver ----------------------------------------------------------------------------

    def run(self) -> p.CheckedProtocol | None:
        for decl in self.protocol.inputs:
            self._declare_input(decl)
        self._check_derivations()
        slot = len(self.inputs)
        for definition in self.protocol.definitions:
            name = definition.name.name
            if name in self.inputs or name in self.definitions or name in self.parameters:
                self.error("CP202", f"'{name}' is already defined", definition.name.span, "every input and definition needs its own name")
                continue
            if isinstance(definition, n.Parameter):
                self._declare_parameter(definition)
                continue
            self.definitions[name] = definition
            self.def_slots[name] = slot
            slot += 1
            if isinstance(definition, n.Classification):
                members = tuple(b.name.name for b in definition.branches)
                self.def_types[name] = Type(Kind.ENUM, members=members, owner=name)
            elif isinstance(definition, n.Target):
                self.def_types[name] = Type(Kind.ENUM, members=TARGET_BANDS, owner=name)
            elif isinstance(definition, n.Event):
                self.def_types[name] = DAY
            elif isinstance(definition, n.Dose):
                self.doses.add(name)
                self.def_types[name] = Type(Kind.QUANTITY)
            else:
                self.def_types[name] = BOOLEAN
        checked = {name: self._check_definition(d) for name, d in self.definitions.items()}
        order = self._evaluation_order()
        if any(d.severity is Severity.ERROR for d in self.diagnostics):
            return None
        text = self.source.text
        return p.CheckedProtocol(
            source=self.source,
            sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            ast=self.protocol,
            name=self.protocol.name.name,
            title=self.protocol.title,
            version=self.protocol.version,
            reference=self.protocol.source,
            inputs=tuple(self.inputs.values()),
            definitions=tuple(checked[name] for name in order),
            warnings=tuple(self.diagnostics),
            parameters=tuple(self.parameters.values()),
            input_index=dict(self.inputs),
        )

    # ---- inputs ----------------------------------------------------------------------------

    def _declare_input(self, decl: n.InputDecl) -> None:
        name = decl.name.name
        if name in self.inputs:
            self.error("CP202", f"input '{name}' is declared twice", decl.name.span)
            return
        if name == AS_OF:
            self.error("CP202", f"'{AS_OF}' is reserved for the evaluation date", decl.name.span)
            return
        type_ = self._input_type(name, decl.type)
        plausible, plausible_text = self._plausible(name, type_.element or type_, decl.plausible)
        derived = (decl.derived_from.start.name, decl.derived_from.end.name) if decl.derived_from else None
        if derived and type_.kind is not Kind.DURATION:
            assert decl.derived_from is not None
            self.error("CP406", f"only a duration can be derived from two dates; '{name}' is {type_.describe()}", decl.derived_from.span)
        anchor = decl.relative_to.name if decl.relative_to else None
        if decl.relative_to is not None and type_.kind is not Kind.SERIES:
            self.error("CP406", f"only a series is counted relative to a date; '{name}' is {type_.describe()}", decl.relative_to.span)
        self.inputs[name] = p.InputInfo(name, len(self.inputs), type_, decl.optional, plausible, plausible_text, derived, decl.span, anchor)

    def _input_type(self, name: str, spec: n.TypeSpec) -> Type:
        match spec:
            case n.SeriesType(element=element):
                element_type = self._input_type(name, element)
                if element_type.kind not in (Kind.QUANTITY, Kind.BOOLEAN, Kind.NUMBER):
                    self.error("CP301", f"a series holds quantities or booleans; '{name}' would hold {element_type.describe()}", spec.span)
                return Type(Kind.SERIES, element_type.unit, element_type.members, element_type.owner, element_type)
            case n.QuantityType(unit=unit_text):
                try:
                    unit = parse_unit(unit_text)
                except UnitError as error:
                    self.error("CP303", str(error), spec.span, error.hint)
                    return Type(Kind.QUANTITY)
                if isinstance(unit, CalendarUnit):
                    self.error("CP307", f"'{name}' is measured in {unit_text}: declare it as a duration", spec.span,
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
                        self.error("CP204", f"'{member.name}' is listed twice in '{name}'", member.span)
                    seen.add(member.name)
                return Type(Kind.ENUM, members=tuple(m.name for m in members), owner=name)
        raise AssertionError(spec)

    def _plausible(self, name: str, type_: Type, plausible: n.Plausible | None) -> tuple[tuple[object, object] | None, str | None]:
        if plausible is None:
            return None, None
        if type_.kind not in (Kind.QUANTITY, Kind.DURATION):
            self.error("CP405", f"a plausible range needs a quantity or a duration; '{name}' is {type_.describe()}", plausible.span)
            return None, None
        bounds = []
        for literal in (plausible.low, plausible.high):
            if not isinstance(literal, n.QuantityLiteral):
                self.error("CP308", f"the bound {n.expr_text(literal)} needs a unit", literal.span,
                           f"write it in {type_.unit.text}" if type_.unit else "write it as 12 months or 365 days")
                return None, None
            bound = self._convert_literal(literal, type_, f"the plausible range of '{name}'")
            if bound is None:
                return None, None
            bounds.append(bound)
        low, high = bounds
        if isinstance(low, Duration) and isinstance(high, Duration):
            inverted = low.day_low > high.day_high
        else:
            inverted = low > high  # type: ignore[operator]
        if inverted:
            self.error("CP405", f"the plausible range of '{name}' runs backwards", plausible.span, "write the lower bound first")
            return None, None
        text = " .. ".join(f"{format_number(b.value)} {display(b.unit)}" for b in (plausible.low, plausible.high)
                           if isinstance(b, n.QuantityLiteral))
        return (low, high), text

    def _convert_literal(self, literal: n.QuantityLiteral, target: Type, what: str) -> object | None:
        """A literal in the evaluator's terms for `target`: a number in its unit, or a `Duration`."""
        try:
            unit = parse_unit(literal.unit)
        except UnitError as error:
            self.error("CP303", str(error), literal.span, error.hint)
            return None
        if target.kind is Kind.DURATION:
            if not isinstance(unit, CalendarUnit):
                self.error("CP302", f"{what} is a duration but {n.expr_text(literal)} is {describe_dimension(unit)}", literal.span,
                           "use days, weeks, months or years")
                return None
            amount = literal.value * unit.multiple
            if amount.denominator != 1:
                self.error("CP306", f"{n.expr_text(literal)} is not a whole number of {unit.base}", literal.span,
                           "write durations in whole days or months, e.g. 183 days")
                return None
            return Duration.of_months(int(amount)) if unit.base == "months" else Duration.of_days(int(amount))
        assert isinstance(target.unit, Unit)
        if isinstance(unit, CalendarUnit) or unit.dimension != target.unit.dimension:
            self.error("CP302", f"{what} is in {target.unit.display} ({describe_dimension(target.unit)}) but "
                       f"{display(n.expr_text(literal))} is {describe_dimension(unit)}", literal.span,
                       f"write it in {target.unit.display}")
            return None
        return exact_number(literal.value * unit.factor_to(target.unit))

    def _check_derivations(self) -> None:
        for info in self.inputs.values():
            if info.anchor is not None:
                anchor = self.inputs.get(info.anchor)
                if anchor is None or anchor.type.kind is not Kind.DATE:
                    dates = [i.name for i in self.inputs.values() if i.type.kind is Kind.DATE]
                    problem = "is not declared" if anchor is None else f"is {anchor.type.describe()}, not a date"
                    self.error("CP406", f"'{info.name}' is counted relative to '{info.anchor}', which {problem}", info.span,
                               did_you_mean(info.anchor, dates) or "declare it as 'NAME : date'")
            if not info.derived_from:
                continue
            for date_name in info.derived_from:
                if date_name == AS_OF and date_name == info.derived_from[1]:
                    continue
                other = self.inputs.get(date_name)
                if other is None or other.type.kind is not Kind.DATE:
                    dates = [i.name for i in self.inputs.values() if i.type.kind is Kind.DATE]
                    problem = "is not declared" if other is None else f"is {other.type.describe()}, not a date"
                    self.error("CP406", f"'{info.name}' is derived from '{date_name}', which {problem}", info.span,
                               did_you_mean(date_name, dates) or "declare it as 'NAME : date'")

    # ---- definitions -----------------------------------------------------------------------

    def _check_definition(self, definition: n.Definition) -> p.CheckedDefinition:
        name = definition.name.name
        self._current = name
        self.dependencies[name] = set()
        slot = self.def_slots[name]
        match definition:
            case n.Criterion(condition=condition) | n.Recommendation(condition=condition):
                kind = "criterion" if isinstance(definition, n.Criterion) else "recommendation"
                cond = self._condition(condition)
                return p.CheckedDefinition(kind, name, slot, definition.title, definition.citation, cond, (), BOOLEAN, definition.span)
            case n.Classification(branches=branches):
                return p.CheckedDefinition("classification", name, slot, definition.title, definition.citation, None,
                                           self._branches(name, branches), self.def_types[name], definition.span)
            case n.Dose():
                return self._dose(definition, slot)
            case n.Target():
                return self._target(definition, slot)
            case n.Event():
                return self._event(definition, slot)
        raise AssertionError(definition)

    def _branches(self, name: str, branches: tuple[n.Branch, ...]) -> tuple[p.CheckedBranch, ...]:
        checked = []
        seen: set[str] = set()
        otherwise: n.Branch | None = None
        for branch in branches:
            if branch.name.name in seen:
                self.error("CP404", f"'{name}' has two branches named '{branch.name.name}'", branch.name.span)
            seen.add(branch.name.name)
            if otherwise is not None:
                self.error("CP403", f"branch '{branch.name.name}' can never be reached: '{otherwise.name.name} otherwise' comes before it",
                           branch.span, "put 'otherwise' last")
            condition = None if branch.condition is None else self._condition(branch.condition)
            if branch.condition is None:
                otherwise = branch
            checked.append(p.CheckedBranch(branch.name.name, condition, branch.span))
        if otherwise is None:
            last = branches[-1]
            self.warn("CP402", f"'{name}' has no 'otherwise' branch: a patient matching no branch is left undetermined", last.span,
                      "add a final 'NAME otherwise' branch")
        return tuple(checked)

    # ---- expressions -----------------------------------------------------------------------

    def _condition(self, expr: n.Expr) -> p.Cond:
        node, type_ = self._resolve(expr, None)
        if type_ is not None and type_.kind is not Kind.BOOLEAN:
            hint = None
            if type_.kind is Kind.ENUM and type_.members:
                hint = f"compare it: {n.expr_text(expr)} = {type_.members[0]}"
            elif type_.kind in (Kind.QUANTITY, Kind.DURATION):
                hint = f"compare it with a threshold, e.g. {n.expr_text(expr)} >= ..."
            self.error("CP305", f"'{n.expr_text(expr)}' is {type_.describe()}, not a condition", expr.span, hint)
        return node  # type: ignore[return-value]

    def _resolve(self, expr: n.Expr, context: Type | None) -> tuple[object, Type | None]:
        text = n.expr_text(expr)
        match expr:
            case n.Name():
                return self._resolve_name(expr, context)
            case n.BooleanLiteral(value=value):
                return p.Const(value, BOOLEAN, text, text, expr.span), BOOLEAN
            case n.StringLiteral(value=value):
                return p.Const(value, TEXT, text, text, expr.span), TEXT
            case n.NumberLiteral(value=value):
                return p.Const(exact_number(value), NUMBER, text, format_number(value), expr.span), NUMBER
            case n.QuantityLiteral():
                return self._resolve_quantity(expr, context)
            case n.Not(operand=operand):
                return p.Negation(self._condition(operand), text, expr.span), BOOLEAN
            case n.BoolOp(kind=kind, operands=operands):
                return p.Logic(kind, tuple(self._condition(o) for o in operands), text, expr.span), BOOLEAN
            case n.Presence(name=name_node, known=known):
                info = self.inputs.get(name_node.name)
                if info is None:
                    what = "a definition, not an input" if name_node.name in self.definitions else "not declared"
                    self.error("CP201", f"'{name_node.name}' is {what}: 'is missing' applies to inputs", name_node.span,
                               did_you_mean(name_node.name, self.inputs))
                    return p.Const(None, BOOLEAN, text, text, expr.span), BOOLEAN
                return p.Presence(info, known, text, expr.span), BOOLEAN
            case n.Comparison():
                return self._comparison(expr), BOOLEAN
            case n.DayLiteral(day=day):
                if day.denominator != 1:
                    self.error("CP306", f"{text} is not a whole day", expr.span)
                return p.Const(int(day), DAY, text, text, expr.span), DAY
            case n.Arithmetic():
                return self._arithmetic(expr)
            case n.Call():
                return self._call(expr)
            case n.NoneInPrevious():
                return self._none_in_previous(expr), BOOLEAN
        raise AssertionError(expr)

    def _resolve_name(self, expr: n.Name, context: Type | None) -> tuple[object, Type | None]:
        name = expr.name
        if context is not None and context.kind is Kind.ENUM and name in context.members:
            return p.Const(name, context, name, name, expr.span), context
        if name in self.parameters:
            return self._parameter_ref(expr, context)
        if name in self.inputs:
            info = self.inputs[name]
            if info.type.kind is Kind.SERIES:
                if self._event_series is None:
                    self.error("CP301", f"'{name}' is {info.type.describe()}: a series is read day by day, inside an event's 'where'",
                               expr.span, f"e.g. event first_day \"…\": first day where {name} …")
                    return p.Const(None, BOOLEAN, name, name, expr.span), None
                self._event_series.append(info)
                assert info.type.element is not None
                return p.SeriesAt(info, name, expr.span), info.type.element
            return p.InputRef(info, name, expr.span), info.type
        if name in self.doses:
            self.error("CP301", f"'{name}' is a dose: it is a result to give, not a value to test", expr.span)
            return p.Const(None, BOOLEAN, name, name, expr.span), None
        if name in self.definitions:
            assert self._current is not None
            self.dependencies[self._current].add(name)
            return p.DefRef(name, self.def_slots[name], self.def_types[name], name, expr.span), self.def_types[name]
        if context is not None and context.kind is Kind.ENUM:
            self.error("CP203", f"'{name}' is not one of {', '.join(context.members)} (the values of '{context.owner}')", expr.span,
                       did_you_mean(name, context.members))
        else:
            self.error("CP201", f"unknown name '{name}'", expr.span, did_you_mean(name, [*self.inputs, *self.definitions, *self.parameters]))
        return p.Const(None, Type(Kind.BOOLEAN), name, name, expr.span), None

    def _resolve_quantity(self, expr: n.QuantityLiteral, context: Type | None) -> tuple[object, Type | None]:
        text = n.expr_text(expr)
        if context is not None and context.kind in (Kind.QUANTITY, Kind.DURATION) and (context.unit is not None or context.kind is Kind.DURATION):
            if context.kind is Kind.DURATION:
                value = self._convert_literal(expr, context, "the comparison")
                if not isinstance(value, Duration):
                    return p.Const(None, context, text, text, expr.span), None
                unit = parse_unit(expr.unit)
                assert isinstance(unit, CalendarUnit)
                return p.CalendarConst(unit.base, int(expr.value * unit.multiple), text, display(text), expr.span), DURATION
            value = self._convert_literal(expr, context, "the other side")
            if value is None:
                return p.Const(None, context, text, text, expr.span), None
            assert isinstance(context.unit, Unit)
            shown = f"{format_number(value)} {context.unit.display}"
            return p.Const(value, context, text, shown, expr.span), context
        try:
            unit = parse_unit(expr.unit)
        except UnitError as error:
            self.error("CP303", str(error), expr.span, error.hint)
            return p.Const(None, NUMBER, text, text, expr.span), None
        if isinstance(unit, CalendarUnit):
            amount: Fraction = expr.value * unit.multiple
            if amount.denominator != 1:
                self.error("CP306", f"{text} is not a whole number of {unit.base}", expr.span)
                return p.Const(None, DURATION, text, text, expr.span), None
            return p.CalendarConst(unit.base, int(amount), text, display(text), expr.span), DURATION
        type_ = Type(Kind.QUANTITY, unit)
        return p.Const(exact_number(expr.value), type_, text, display(text), expr.span), type_

    def _context_of(self, expr: n.Expr) -> Type | None:
        if isinstance(expr, n.Name):
            if expr.name in self.inputs:
                return self.inputs[expr.name].type
            return self.def_types.get(expr.name)
        return None

    def _comparison(self, expr: n.Comparison) -> p.Compare:
        op = expr.op.value
        text = n.expr_text(expr)
        left_context, right_context = self._context_of(expr.left), self._context_of(expr.right)
        left, left_type = self._resolve(expr.left, right_context)
        right, right_type = self._resolve(expr.right, left_type or left_context)
        if left_type is None and right_type is not None and isinstance(expr.left, n.QuantityLiteral):
            left, left_type = self._resolve(expr.left, right_type)
        scale: Fraction = Fraction(1)
        if left_type is None or right_type is None:
            return p.Compare(op, left, right, scale, text, expr.span)  # type: ignore[arg-type]
        problem = self._compatibility(left_type, right_type, expr)
        if problem:
            self.error("CP301", problem, expr.span)
        elif expr.op.is_ordering and left_type.kind in (Kind.ENUM, Kind.BOOLEAN, Kind.TEXT, Kind.DATE):
            self.error("CP304", f"'{expr.op.value}' needs ordered values; {left_type.describe()} can only be compared with = or !=", expr.span)
        elif left_type.kind is Kind.QUANTITY and isinstance(left_type.unit, Unit) and isinstance(right_type.unit, Unit):
            scale = right_type.unit.factor_to(left_type.unit)
            if isinstance(right, p.Const) and not isinstance(left, p.Const):
                scale = Fraction(1)  # the literal was already converted to the left side's unit
            elif isinstance(left, p.Const) and isinstance(right, p.Const):
                right = p.Const(exact_number(_rational(right.value) * scale), left_type, right.text, right.shown, right.span)
                scale = Fraction(1)
            elif isinstance(left, p.Const):
                left = p.Const(exact_number(_rational(left.value) / scale), right_type, left.text, left.shown, left.span)
                scale = Fraction(1)
        return p.Compare(op, left, right, exact_number(scale), text, expr.span)  # type: ignore[arg-type]

    def _compatibility(self, left: Type, right: Type, expr: n.Comparison) -> str | None:
        lt, rt = n.expr_text(expr.left), n.expr_text(expr.right)
        if (left.kind is Kind.QUANTITY and right.kind is Kind.NUMBER) or (left.kind is Kind.NUMBER and right.kind is Kind.QUANTITY):
            quantity = left if left.kind is Kind.QUANTITY else right
            unit = quantity.unit.text if quantity.unit else "its unit"
            return f"'{rt if right.kind is Kind.NUMBER else lt}' needs a unit to be compared with {quantity.describe()} (e.g. write it in {unit})"
        if left.kind is not right.kind:
            return f"cannot compare '{lt}' ({left.describe()}) with '{rt}' ({right.describe()})"
        if left.kind is Kind.QUANTITY and isinstance(left.unit, Unit) and isinstance(right.unit, Unit) and left.unit.dimension != right.unit.dimension:
            return (f"cannot compare '{lt}' ({describe_dimension(left.unit)}, {left.unit.display}) with '{rt}' "
                    f"({describe_dimension(right.unit)}, {right.unit.display})")
        if left.kind is Kind.ENUM and left.owner != right.owner:
            return f"'{lt}' and '{rt}' are values of different enumerations"
        return None

    # ---- parameters --------------------------------------------------------------------------

    def _declare_parameter(self, declared: n.Parameter) -> None:
        name = declared.name.name
        default, default_text = self._parameter_value(declared, declared.value)
        if default is None:
            return
        type_, value = default
        used, shown, overridden = value, default_text, False
        override = self.overrides.get(name)
        if override is not None:
            replaced, override_text = self._parameter_value(declared, override.value, type_)
            if replaced is None:
                return
            used, shown, overridden = replaced[1], override_text, True
            if type_.kind is Kind.DURATION and isinstance(value, tuple) and isinstance(used, tuple) and used[0] != value[0]:
                raise ParameterError(f"parameter {name}={override_text}: '{name}' is counted in {value[0]}; "
                                     f"give it in {value[0]} too (months and days are not interchangeable)")
        if declared.plausible is not None:
            self._parameter_plausible(declared, type_, used, shown, overridden)
        self.parameters[name] = p.ParameterInfo(name, type_, used, shown, default_text, overridden, declared.title, declared.citation,
                                                declared.span)

    def _parameter_value(self, declared: n.Parameter, value: n.Literal | n.DayLiteral | n.DayList,
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
                    self._override_fits(name, value, like, text)
                resolved, type_ = self._resolve_quantity(value, like if like is not None and like.kind in (Kind.QUANTITY, Kind.DURATION) else None)
                if type_ is None:
                    return None, text
                if isinstance(resolved, p.CalendarConst):
                    result = DURATION, (resolved.base, resolved.amount)
                else:
                    assert isinstance(resolved, p.Const)
                    result = type_, resolved.value
                text = display(text)
            case _:
                resolved, type_ = self._resolve(value, None)
                assert isinstance(resolved, p.Const) and type_ is not None
                result = type_, resolved.value
        if problem is None and result is not None and like is not None and result[0].kind is not like.kind:
            problem = f"'{name}' is {like.describe()}; {text} is {result[0].describe()}"
        if problem is not None:
            if like is not None:
                raise ParameterError(f"parameter {name}={text}: {problem}")
            self.error("CP306", problem, value.span)
            return None, text
        return result, text

    @staticmethod
    def _override_fits(name: str, value: n.QuantityLiteral, like: Type, text: str) -> None:
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

    def _parameter_plausible(self, declared: n.Parameter, type_: Type, value: object, shown: str, overridden: bool) -> None:
        assert declared.plausible is not None
        name = declared.name.name
        if type_.kind not in (Kind.QUANTITY, Kind.NUMBER, Kind.DURATION):
            self.error("CP405", f"a plausible range needs a quantity, a number or a duration; '{name}' is {type_.describe()}",
                       declared.plausible.span)
            return
        bounds: list[object] = []
        for literal in (declared.plausible.low, declared.plausible.high):
            resolved, bound_type = self._resolve(literal, type_)
            if isinstance(resolved, p.CalendarConst) and type_.kind is Kind.DURATION and isinstance(value, tuple) and resolved.base == value[0]:
                bounds.append(resolved.amount)
                continue
            if not isinstance(resolved, p.Const) or bound_type is None or bound_type.kind is not type_.kind:
                unit = f" in {value[0]}" if isinstance(value, tuple) else ""
                self.error("CP405", f"the plausible range of '{name}' must be {type_.describe()}{unit}", literal.span)
                return
            bounds.append(resolved.value)
        low, high = bounds
        if isinstance(value, tuple):
            value = value[1]  # a duration parameter: its amount, in the unit its bounds share
        if not low <= value <= high:  # type: ignore[operator]
            message = f"'{name}' = {shown} is outside its plausible range {n.expr_text(declared.plausible.low)} .. {n.expr_text(declared.plausible.high)}"
            if overridden:
                raise ParameterError(f"parameter {message}")
            self.error("CP405", message, declared.value.span)

    def _parameter_ref(self, expr: n.Name, context: Type | None) -> tuple[object, Type | None]:
        info = self.parameters[expr.name]
        type_, value = info.type, info.value
        if type_.kind is Kind.DURATION:
            assert isinstance(value, tuple)
            return p.CalendarConst(str(value[0]), int(value[1]), expr.name, info.shown, expr.span), DURATION
        if (type_.kind is Kind.QUANTITY and context is not None and context.kind is Kind.QUANTITY and isinstance(context.unit, Unit)
                and isinstance(type_.unit, Unit) and context.unit.dimension == type_.unit.dimension):
            converted = exact_number(_rational(value) * type_.unit.factor_to(context.unit))
            return p.Const(converted, context, expr.name, info.shown, expr.span), context
        return p.Const(value, type_, expr.name, info.shown, expr.span), type_

    # ---- arithmetic and functions ------------------------------------------------------------

    def _value(self, expr: n.Expr, context: Type | None = None) -> tuple[object, Type | None]:
        node, type_ = self._resolve(expr, context)
        if type_ is not None and type_.kind is Kind.DURATION:
            self.error("CP301", f"'{n.expr_text(expr)}' is a duration: durations are compared, not computed with", expr.span)
            return node, None
        if type_ is not None and type_.kind not in (Kind.QUANTITY, Kind.NUMBER):
            self.error("CP301", f"'{n.expr_text(expr)}' is {type_.describe()}, not a number or quantity", expr.span)
            return node, None
        return node, type_

    def _arithmetic(self, expr: n.Arithmetic) -> tuple[object, Type | None]:
        text = n.expr_text(expr)
        op = expr.op.value
        left, left_type = self._value(expr.left)
        right, right_type = self._value(expr.right, left_type if op in ("+", "-") else None)
        if left_type is None or right_type is None:
            return p.Const(None, NUMBER, text, text, expr.span), None
        left_unit = left_type.unit if isinstance(left_type.unit, Unit) else None
        right_unit = right_type.unit if isinstance(right_type.unit, Unit) else None
        scale = Fraction(1)
        if op in ("+", "-"):
            if left_type.kind is not right_type.kind or (left_unit and right_unit and left_unit.dimension != right_unit.dimension):
                self.error("CP302", f"cannot {'add' if op == '+' else 'subtract'} {right_type.describe()} "
                           f"{'to' if op == '+' else 'from'} {left_type.describe()}", expr.span)
                return p.Const(None, NUMBER, text, text, expr.span), None
            if left_unit and right_unit:
                scale = right_unit.factor_to(left_unit)
            result = left_type
        else:
            if isinstance(right, p.Const) and op == "/" and right.value == 0:
                self.error("CP301", f"'{text}' divides by zero", expr.right.span)
            result = NUMBER if left_unit is None and right_unit is None else Type(Kind.QUANTITY, combine_units(left_unit, right_unit, op))
        return p.Arith(op, left, right, scale, result, text, expr.span), result  # type: ignore[arg-type]

    def _call(self, expr: n.Call) -> tuple[object, Type | None]:
        text = n.expr_text(expr)
        builtin = BUILTINS.get(expr.function.name)
        if builtin is None:
            self.error("CP201", f"unknown function '{expr.function.name}'", expr.function.span,
                       did_you_mean(expr.function.name, BUILTINS) or "functions: " + ", ".join(BUILTINS))
            return p.Const(None, NUMBER, text, text, expr.span), None
        resolved = [self._value(arg) for arg in expr.args]
        if any(t is None for _, t in resolved):
            return p.Const(None, NUMBER, text, text, expr.span), None
        signature = builtin.signature([t for _, t in resolved])  # type: ignore[misc]
        if isinstance(signature, str):
            self.error("CP301", signature, expr.span, builtin.usage)
            return p.Const(None, NUMBER, text, text, expr.span), None
        result, scales = signature
        if builtin.name.startswith("round") and isinstance(resolved[1][0], p.Const) and resolved[1][0].value is not None \
                and resolved[1][0].value <= 0:  # type: ignore[operator]
            self.error("CP405", f"'{text}' rounds to a step of {n.expr_text(expr.args[1])}; it must be above zero", expr.args[1].span)
        return p.Call(builtin.name, tuple(node for node, _ in resolved), scales, result, text, expr.span), result  # type: ignore[misc]

    # ---- doses, targets, events --------------------------------------------------------------

    def _dose(self, dose: n.Dose, slot: int) -> p.CheckedDefinition:
        name = dose.name.name
        try:
            parsed = parse_unit(dose.unit)
        except UnitError as error:
            self.error("CP303", str(error), dose.span, error.hint)
            parsed = parse_unit("mg")
        if isinstance(parsed, CalendarUnit):
            self.error("CP307", f"dose '{name}' is in {dose.unit}, a duration", dose.span)
            parsed = parse_unit("mg")
        assert isinstance(parsed, Unit)
        target = Type(Kind.QUANTITY, parsed)
        branches: list[p.CheckedBranch] = []
        closed: n.DoseBranch | None = None
        for index, branch in enumerate(dose.branches):
            if closed is not None:
                self.error("CP403", f"this amount of '{name}' can never be reached: an unconditional amount comes before it", branch.span,
                           "put 'otherwise' last, and give every earlier amount a 'when'")
            if branch.condition is None:
                closed = branch
            condition = None if branch.condition is None else self._condition(branch.condition)
            amount = self._amount(branch.amount, target, f"dose '{name}'")
            label = "otherwise" if branch.otherwise else "always" if branch.condition is None else f"band {index + 1}"
            branches.append(p.CheckedBranch(label, condition, branch.span, amount))
        if closed is None and dose.branches:
            self.warn("CP402", f"'{name}' has no 'otherwise' amount: a patient matching no band gets no dose and is left undetermined",
                      dose.branches[-1].span, "add a final 'AMOUNT otherwise'")
        rounding = None
        if dose.rounding is not None:
            step_node, step_type = self._resolve(dose.rounding.step, None)
            step_unit = step_type.unit if step_type is not None and isinstance(step_type.unit, Unit) else None
            if step_unit is not None and step_unit.dimension == parsed.dimension:
                step_node, step_type = self._resolve(dose.rounding.step, target)  # now in the dose's unit
            if step_type is not None and step_type != target:
                self.error("CP302", f"'{name}' is in {parsed.display}; its rounding step {n.expr_text(dose.rounding.step)} is not",
                           dose.rounding.step.span, f"write the step in {parsed.display}")
            elif not isinstance(step_node, p.Const) or step_type is None or step_node.value is None:
                self.error("CP301", f"'{name}' is rounded to a constant in {parsed.display}", dose.rounding.step.span)
            elif step_node.value <= 0:  # type: ignore[operator]
                self.error("CP405", f"'{name}' is rounded to a step of {n.expr_text(dose.rounding.step)}; it must be above zero",
                           dose.rounding.step.span)
            else:
                rounding = (dose.rounding.mode, _rational(step_node.value))
        schedule_text, days, from_day = self._schedule(dose.schedule)
        info = p.DoseInfo(parsed, rounding, schedule_text, days, from_day)
        return p.CheckedDefinition("dose", name, slot, dose.title, dose.citation, None, tuple(branches), target, dose.span, dose=info)

    def _amount(self, expr: n.Expr, target: Type, what: str) -> p.Value | None:
        node, type_ = self._value(expr)  # in its own unit: converted below, so a wrong unit is named as such
        if type_ is None:
            return None
        unit = type_.unit if isinstance(type_.unit, Unit) else None
        assert isinstance(target.unit, Unit)
        if unit is None or unit.dimension != target.unit.dimension:
            shown = unit.display if unit else "a plain number"
            self.error("CP302", f"{what} is in {target.unit.display} ({describe_dimension(target.unit)}); '{n.expr_text(expr)}' is in {shown}"
                       f" ({describe_dimension(unit) if unit else 'no unit'})", expr.span,
                       "check each factor's unit: mg/kg × kg gives mg, mg/m2 × m2 gives mg")
            return None
        factor = unit.factor_to(target.unit)
        if factor == 1:
            return node  # type: ignore[return-value]
        scale = p.Const(exact_number(factor), NUMBER, "", "", expr.span)
        return p.Arith("*", node, scale, Fraction(1), target, n.expr_text(expr), expr.span)  # type: ignore[arg-type]

    def _schedule(self, schedule: n.Schedule | None) -> tuple[str | None, tuple[int, ...] | None, int | None]:
        if schedule is None:
            return None, None, None
        count = n.number_text(schedule.count) if schedule.count is not None else ""
        frequency = {"times daily": f"{count} times daily", "every hours": f"every {count} hours"}.get(schedule.frequency, schedule.frequency)
        if schedule.count is not None and (schedule.count <= 0 or schedule.count.denominator != 1):
            self.error("CP405", f"'{frequency}' needs a whole number above zero", schedule.span)
        spec = schedule.days
        if spec is None:
            return frequency, None, None
        if any(d.denominator != 1 for d in spec.days):
            self.error("CP306", "schedule days are whole days", spec.span)
            return frequency, None, None
        whole = [int(d) for d in spec.days]
        if spec.kind in ("day", "from") and spec.parameter is not None:  # `on start_day`, `from start_day`: a day parameter
            parameter = self.parameters.get(spec.parameter.name)
            if parameter is None or parameter.type.kind is not Kind.DAY:
                day_parameters = [q.name for q in self.parameters.values() if q.type.kind is Kind.DAY]
                self.error("CP201", f"'{spec.parameter.name}' is not a day parameter", spec.parameter.span,
                           did_you_mean(spec.parameter.name, day_parameters) or "declare it: parameter NAME: day -1")
                return frequency, None, None
            assert isinstance(parameter.value, int)
            whole = [parameter.value]
        match spec.kind:
            case "day":
                return f"{frequency} on day {whole[0]}", (whole[0],), None
            case "range":
                first, last = whole
                if last < first:
                    self.error("CP405", f"days {first} to {last} run backwards", spec.span, "write the earlier day first")
                return f"{frequency} on days {first} to {last}", tuple(range(first, last + 1)), None
            case "list":
                return f"{frequency} on days " + ", ".join(map(str, whole)), tuple(whole), None
            case "from":
                return f"{frequency} from day {whole[0]}", None, whole[0]
        assert spec.parameter is not None
        parameter = self.parameters.get(spec.parameter.name)
        if parameter is None or parameter.type.kind is not Kind.DAYS:
            days_parameters = [q.name for q in self.parameters.values() if q.type.kind is Kind.DAYS]
            self.error("CP201", f"'{spec.parameter.name}' is not a parameter listing days", spec.parameter.span,
                       did_you_mean(spec.parameter.name, days_parameters) or "declare it: parameter NAME: days 1, 3, 6")
            return frequency, None, None
        listed: tuple[int, ...] = parameter.value  # type: ignore[assignment]
        return f"{frequency} on day{'s' if len(listed) != 1 else ''} " + ", ".join(map(str, listed)), listed, None

    def _target(self, target: n.Target, slot: int) -> p.CheckedDefinition:
        name = target.name.name
        measured, measured_type = self._value(target.measured)
        bounds: list[p.Const] = []
        for bound in (target.low, target.high):
            node, type_ = self._resolve(bound, measured_type)
            if measured_type is not None and (not isinstance(node, p.Const) or type_ != measured_type):
                unit = measured_type.unit.display if isinstance(measured_type.unit, Unit) else "the measured value's unit"
                self.error("CP302", f"the bounds of '{name}' must be constants in {unit}; {n.expr_text(bound)} is not", bound.span)
            bounds.append(node if isinstance(node, p.Const) else p.Const(None, NUMBER, "", "", bound.span))
        low, high = bounds
        if low.value is not None and high.value is not None and low.value > high.value:  # type: ignore[operator]
            self.error("CP405", f"the range of '{name}' runs backwards", target.low.span, "write the lower bound first")
        actions: dict[str, str] = {}
        for band, text in target.actions:
            if band in actions:
                self.error("CP404", f"'{name}' gives two actions for '{band}'", target.span)
            actions[band] = text
        info = p.TargetInfo(measured, low, high, actions)  # type: ignore[arg-type]
        return p.CheckedDefinition("target", name, slot, target.title, target.citation, None, (), self.def_types[name], target.span, target=info)

    def _event(self, event: n.Event, slot: int) -> p.CheckedDefinition:
        name = event.name.name
        run = 1
        if event.run is not None:
            node, type_ = self._resolve(event.run, None)
            value = node.value if isinstance(node, p.Const) else None
            if (type_ is not NUMBER and (type_ is None or type_.kind is not Kind.NUMBER)) or not isinstance(value, int) or value < 1:
                self.error("CP301", f"'{name}' needs a whole number of consecutive days; {n.expr_text(event.run)} is not", event.run.span)
            else:
                run = value
        start: p.Value | None = None
        if event.start is not None:
            node, type_ = self._resolve(event.start, None)
            if type_ is None or type_.kind is not Kind.DAY:
                self.error("CP301", f"'{name}' starts from a day (day 1, a day parameter or another event); {n.expr_text(event.start)} is not",
                           event.start.span)
            else:
                start = node  # type: ignore[assignment]
        self._event_series = []
        condition = self._condition(event.condition)
        series = tuple({info.name: info for info in self._event_series}.values())
        self._event_series = None
        if not series:
            self.error("CP301", f"the condition of event '{name}' reads no series: nothing to count days over", event.condition.span,
                       "name a series input (declared 'series of …') in the condition")
        info = p.EventInfo(run, start, condition, series)
        return p.CheckedDefinition("event", name, slot, event.title, event.citation, None, (), DAY, event.span, event=info)

    def _none_in_previous(self, expr: n.NoneInPrevious) -> p.Cond:
        text = n.expr_text(expr)
        info = self.inputs.get(expr.series.name)
        if self._event_series is None:
            self.error("CP301", f"'{text}' looks at the days before the day examined: use it inside an event's 'where'", expr.span)
            return p.Const(None, BOOLEAN, text, text, expr.span)
        if info is None or info.type.kind is not Kind.SERIES or info.type.element != BOOLEAN:
            self.error("CP301", f"'no … in previous' needs a series of booleans; '{expr.series.name}' is "
                       f"{info.type.describe() if info else 'not declared'}", expr.series.span,
                       did_you_mean(expr.series.name, [i.name for i in self.inputs.values() if i.type.kind is Kind.SERIES]))
            return p.Const(None, BOOLEAN, text, text, expr.span)
        self._event_series.append(info)
        node, type_ = self._resolve(expr.window, None)
        days: int | None = None
        if isinstance(node, p.CalendarConst) and node.base == "days":
            days = node.amount
        elif isinstance(node, p.Const) and type_ is not None and type_.kind is Kind.NUMBER and isinstance(node.value, int):
            days = node.value
        if days is None or days < 1:
            self.error("CP301", f"the window of '{text}' must be a whole number of days, at least 1 (7 days, or a parameter)", expr.window.span)
            days = 1
        return p.NoneBefore(info, days, text, expr.span)

    # ---- order and cycles ------------------------------------------------------------------

    def _evaluation_order(self) -> list[str]:
        order: list[str] = []
        state: dict[str, int] = {}  # 1 visiting, 2 done
        reported: set[str] = set()

        def visit(name: str, path: list[str]) -> Iterator[None]:
            state[name] = 1
            for dep in sorted(self.dependencies.get(name, ())):
                if state.get(dep) == 1:
                    cycle = [*path[path.index(dep):], dep] if dep in path else [name, dep]
                    if dep not in reported:
                        reported.update(cycle)
                        definition = self.definitions[dep]
                        self.error("CP401", "circular definition: " + " → ".join(cycle), definition.name.span,
                                   "a definition cannot depend on itself, directly or through others")
                elif state.get(dep) is None:
                    yield from visit(dep, [*path, dep])
            state[name] = 2
            order.append(name)
            yield None

        for name in self.definitions:
            if state.get(name) is None:
                for _ in visit(name, [name]):
                    pass
        return order
