"""`nodes.Protocol` → `CheckedProtocol`: names, types, units, cycles and branch structure, every problem at once."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from fractions import Fraction

from carepath.check import clinical as checker_clinical
from carepath.check import parameters as checker_parameters
from carepath.check.parameters import rational
from carepath.ir import program as p
from carepath.language import nodes as n
from carepath.language.diagnostics import Diagnostic, ParameterError, ProtocolError, Severity, did_you_mean
from carepath.language.source import Source, Span
from carepath.semantics.builtins import BUILTINS
from carepath.semantics.types import BOOLEAN, DATE, DAY, DURATION, NUMBER, TEXT, Kind, Type
from carepath.semantics.units import CalendarUnit, Unit, UnitError, combine_units, describe_dimension, display, exact_number, parse_unit
from carepath.semantics.values import Duration, format_number

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
    checker = Checker(protocol, source, overrides or {})
    checked = checker.run()
    errors = [d for d in checker.diagnostics if d.severity is Severity.ERROR]
    if errors or checked is None:
        raise ProtocolError(source, sorted(checker.diagnostics, key=_position))
    return checked


def _position(d: Diagnostic) -> tuple[int, int, str]:
    return d.span.line, d.span.column, d.code


class Checker:
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
                checker_parameters.declare_parameter(self, definition)
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

    def _check_definition(self, definition: n.Definition) -> p.Definition:
        name = definition.name.name
        self._current = name
        self.dependencies[name] = set()
        slot = self.def_slots[name]
        match definition:
            case n.Criterion(condition=condition):
                return p.Criterion(name, slot, definition.title, definition.citation, BOOLEAN, definition.span, self._condition(condition))
            case n.Recommendation(condition=condition):
                return p.Recommendation(name, slot, definition.title, definition.citation, BOOLEAN, definition.span,
                                        self._condition(condition))
            case n.Classification(branches=branches):
                return p.Classification(name, slot, definition.title, definition.citation, self.def_types[name], definition.span,
                                        self._branches(name, branches))
            case n.Dose():
                return checker_clinical.dose(self, definition, slot)
            case n.Target():
                return checker_clinical.target(self, definition, slot)
            case n.Event():
                return checker_clinical.event(self, definition, slot)
        raise AssertionError(definition)

    def _branches(self, name: str, branches: tuple[n.Branch, ...]) -> tuple[p.Branch, ...]:
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
            checked.append(p.Branch(branch.name.name, condition, branch.span))
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
                return checker_clinical.none_in_previous(self, expr), BOOLEAN
        raise AssertionError(expr)

    def _resolve_name(self, expr: n.Name, context: Type | None) -> tuple[object, Type | None]:
        name = expr.name
        if context is not None and context.kind is Kind.ENUM and name in context.members:
            return p.Const(name, context, name, name, expr.span), context
        if name in self.parameters:
            return checker_parameters.parameter_ref(self, expr, context)
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
                return p.CalendarConst(p.CalendarBase(unit.base), int(expr.value * unit.multiple), text, display(text), expr.span), DURATION
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
            return p.CalendarConst(p.CalendarBase(unit.base), int(amount), text, display(text), expr.span), DURATION
        type_ = Type(Kind.QUANTITY, unit)
        return p.Const(exact_number(expr.value), type_, text, display(text), expr.span), type_

    def _context_of(self, expr: n.Expr) -> Type | None:
        if isinstance(expr, n.Name):
            if expr.name in self.inputs:
                return self.inputs[expr.name].type
            return self.def_types.get(expr.name)
        return None

    def _comparison(self, expr: n.Comparison) -> p.Compare:
        op = p.CompareOp.of(expr.op)
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
                right = p.Const(exact_number(rational(right.value) * scale), left_type, right.text, right.shown, right.span)
                scale = Fraction(1)
            elif isinstance(left, p.Const):
                left = p.Const(exact_number(rational(left.value) / scale), right_type, left.text, left.shown, left.span)
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
        op = p.ArithOp(expr.op.value)
        left, left_type = self._value(expr.left)
        right, right_type = self._value(expr.right, left_type if op.is_additive else None)
        if left_type is None or right_type is None:
            return p.Const(None, NUMBER, text, text, expr.span), None
        left_unit = left_type.unit if isinstance(left_type.unit, Unit) else None
        right_unit = right_type.unit if isinstance(right_type.unit, Unit) else None
        scale = Fraction(1)
        if op.is_additive:
            if left_type.kind is not right_type.kind or (left_unit and right_unit and left_unit.dimension != right_unit.dimension):
                self.error("CP302", f"cannot {'add' if op is p.ArithOp.ADD else 'subtract'} {right_type.describe()} "
                           f"{'to' if op is p.ArithOp.ADD else 'from'} {left_type.describe()}", expr.span)
                return p.Const(None, NUMBER, text, text, expr.span), None
            if left_unit and right_unit:
                scale = right_unit.factor_to(left_unit)
            result = left_type
        else:
            if isinstance(right, p.Const) and op is p.ArithOp.DIVIDE and right.value == 0:
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
