"""Names, types and units for one expression at a time: `Resolver` turns syntax into checked IR and collects diagnostics.

The checker's family modules (inputs, parameters, doses/targets/events) receive the one `Resolver` of a run and
declare into it; nothing here knows the order in which definitions are checked.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from carepath.ir import program as p
from carepath.language import nodes as n
from carepath.language.diagnostics import Diagnostic, Severity, did_you_mean
from carepath.language.limits import MAX_SCHEDULE_DAYS
from carepath.language.source import Span
from carepath.semantics.builtins import BUILTINS
from carepath.semantics.types import BOOLEAN, DAY, DURATION, NUMBER, TEXT, Kind, Type
from carepath.semantics.units import CalendarUnit, Unit, UnitError, combine_units, describe_dimension, display, exact_number, parse_unit
from carepath.semantics.values import Duration, format_number

AS_OF = "as_of"  # `from date_of_birth to as_of`: the evaluation date


#: Misspelt names in one protocol that get a "did you mean" hint; the rest are reported without one.
SUGGESTIONS = 20


def rational(value: object) -> Fraction:
    """A checked quantity constant back as an exact rational (constants hold ints or floats of exact rationals)."""
    assert isinstance(value, (int, float, Fraction))
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)  # the float came from decimal text


class Resolver:
    """What a run has declared so far (inputs, parameters, definitions' types and slots) and what it found wrong."""

    def __init__(self, overrides: dict[str, n.Parameter] | None = None) -> None:
        self.overrides = overrides or {}
        self.diagnostics: list[Diagnostic] = []
        self.inputs: dict[str, p.InputInfo] = {}
        self.parameters: dict[str, p.ParameterInfo] = {}
        self.definitions: dict[str, n.Definition] = {}
        self.def_types: dict[str, Type] = {}
        self.def_slots: dict[str, int] = {}
        self.doses: set[str] = set()
        self.dependencies: dict[str, set[str]] = {}  # definition → the definitions it reads
        self.current: str | None = None  # the definition being checked, whose dependencies a name adds to
        self.in_event = False  # inside an event's condition, where series are read day by day
        self.suggestions = SUGGESTIONS  # did-you-mean hints left (`suggest`)

    # ---- reporting -------------------------------------------------------------------------

    def error(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        diagnostic = Diagnostic(code, Severity.ERROR, message, span, hint)
        if diagnostic not in self.diagnostics:  # an operand resolved twice (to learn the other side's unit) reports once
            self.diagnostics.append(diagnostic)

    def suggest(self, word: str, candidates: Iterable[str]) -> str | None:
        """`did_you_mean`, for the first `SUGGESTIONS` misspellings of a protocol only: each compares the word with
        every candidate, so 500 misspelt names among 500 definitions took 8 s."""
        if self.suggestions <= 0:
            return None
        self.suggestions -= 1
        return did_you_mean(word, candidates)

    def warn(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(code, Severity.WARNING, message, span, hint))

    # ---- literals --------------------------------------------------------------------------

    def convert_literal(self, literal: n.QuantityLiteral, target: Type, what: str) -> object | None:
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
        if not isinstance(target.unit, Unit):
            return None  # the input's own unit is unknown, reported where it is declared
        if isinstance(unit, CalendarUnit) or unit.dimension != target.unit.dimension:
            self.error("CP302", f"{what} is in {target.unit.display} ({describe_dimension(target.unit)}) but "
                       f"{display(n.expr_text(literal))} is {describe_dimension(unit)}", literal.span,
                       f"write it in {target.unit.display}")
            return None
        return exact_number(literal.value * unit.factor_to(target.unit))

    # ---- expressions -----------------------------------------------------------------------

    def condition(self, expr: n.Expr) -> p.Cond:
        node, type_ = self.resolve(expr, None)
        if type_ is not None and type_.kind is not Kind.BOOLEAN:
            hint = None
            if type_.kind is Kind.ENUM and type_.members:
                hint = f"compare it: {n.expr_text(expr)} = {type_.members[0]}"
            elif type_.kind in (Kind.QUANTITY, Kind.DURATION):
                hint = f"compare it with a threshold, e.g. {n.expr_text(expr)} >= ..."
            self.error("CP305", f"'{n.expr_text(expr)}' is {type_.describe()}, not a condition", expr.span, hint)
        return node  # type: ignore[return-value]

    def resolve(self, expr: n.Expr, context: Type | None) -> tuple[object, Type | None]:
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
                return self.resolve_quantity(expr, context)
            case n.Not(operand=operand):
                return p.Negation(self.condition(operand), text, expr.span), BOOLEAN
            case n.BoolOp(kind=kind, operands=operands):
                return p.Logic(kind, tuple(self.condition(o) for o in operands), text, expr.span), BOOLEAN
            case n.Presence(name=name_node, known=known):
                info = self.inputs.get(name_node.name)
                if info is None:
                    what = "a definition, not an input" if name_node.name in self.definitions else "not declared"
                    self.error("CP201", f"'{name_node.name}' is {what}: 'is missing' applies to inputs", name_node.span,
                               self.suggest(name_node.name, self.inputs))
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
                if not self.in_event:
                    self.error("CP301", f"'{name}' is {info.type.describe()}: a series is read day by day, inside an event's 'where'",
                               expr.span, f"e.g. event first_day \"…\": first day where {name} …")
                    return p.Const(None, BOOLEAN, name, name, expr.span), None
                assert info.type.element is not None
                return p.SeriesAt(info, name, expr.span), info.type.element
            return p.InputRef(info, name, expr.span), info.type
        if name in self.doses:
            self.error("CP301", f"'{name}' is a dose: it is a result to give, not a value to test", expr.span)
            return p.Const(None, BOOLEAN, name, name, expr.span), None
        if name in self.definitions:
            assert self.current is not None
            self.dependencies[self.current].add(name)
            return p.DefRef(name, self.def_slots[name], self.def_types[name], name, expr.span), self.def_types[name]
        if context is not None and context.kind is Kind.ENUM:
            self.error("CP203", f"'{name}' is not one of {', '.join(context.members)} (the values of '{context.owner}')", expr.span,
                       self.suggest(name, context.members))
        else:
            self.error("CP201", f"unknown name '{name}'", expr.span, self.suggest(name, [*self.inputs, *self.definitions, *self.parameters]))
        return p.Const(None, Type(Kind.BOOLEAN), name, name, expr.span), None

    def resolve_quantity(self, expr: n.QuantityLiteral, context: Type | None) -> tuple[object, Type | None]:
        text = n.expr_text(expr)
        if context is not None and context.kind in (Kind.QUANTITY, Kind.DURATION) and (context.unit is not None or context.kind is Kind.DURATION):
            if context.kind is Kind.DURATION:
                value = self.convert_literal(expr, context, "the comparison")
                if not isinstance(value, Duration):
                    return p.Const(None, context, text, text, expr.span), None
                unit = parse_unit(expr.unit)
                assert isinstance(unit, CalendarUnit)
                return p.CalendarConst(p.CalendarBase(unit.base), int(expr.value * unit.multiple), text, display(text), expr.span), DURATION
            value = self.convert_literal(expr, context, "the other side")
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
        op = expr.op
        text = n.expr_text(expr)
        left_context, right_context = self._context_of(expr.left), self._context_of(expr.right)
        left, left_type = self.resolve(expr.left, right_context)
        right, right_type = self.resolve(expr.right, left_type or left_context)
        if left_type is None and right_type is not None and isinstance(expr.left, n.QuantityLiteral):
            left, left_type = self.resolve(expr.left, right_type)
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

    def value(self, expr: n.Expr, context: Type | None = None) -> tuple[object, Type | None]:
        node, type_ = self.resolve(expr, context)
        if type_ is not None and type_.kind is Kind.DURATION:
            self.error("CP301", f"'{n.expr_text(expr)}' is a duration: durations are compared, not computed with", expr.span)
            return node, None
        if type_ is not None and type_.kind not in (Kind.QUANTITY, Kind.NUMBER):
            self.error("CP301", f"'{n.expr_text(expr)}' is {type_.describe()}, not a number or quantity", expr.span)
            return node, None
        return node, type_

    def _arithmetic(self, expr: n.Arithmetic) -> tuple[object, Type | None]:
        text = n.expr_text(expr)
        op = expr.op
        left, left_type = self.value(expr.left)
        right, right_type = self.value(expr.right, left_type if op.is_additive else None)
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
        resolved = [self.value(arg) for arg in expr.args]
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

    # ---- parameters and series windows named in an expression ------------------------------

    def _parameter_ref(self, expr: n.Name, context: Type | None) -> tuple[object, Type | None]:
        info = self.parameters[expr.name]
        type_, value = info.type, info.value
        if type_.kind is Kind.DURATION:
            assert isinstance(value, tuple)
            return p.CalendarConst(p.CalendarBase(value[0]), int(value[1]), expr.name, info.shown, expr.span), DURATION
        if (type_.kind is Kind.QUANTITY and context is not None and context.kind is Kind.QUANTITY and isinstance(context.unit, Unit)
                and isinstance(type_.unit, Unit) and context.unit.dimension == type_.unit.dimension):
            converted = exact_number(rational(value) * type_.unit.factor_to(context.unit))
            return p.Const(converted, context, expr.name, info.shown, expr.span), context
        return p.Const(value, type_, expr.name, info.shown, expr.span), type_

    def _none_in_previous(self, expr: n.NoneInPrevious) -> p.Cond:
        text = n.expr_text(expr)
        info = self.inputs.get(expr.series.name)
        if not self.in_event:
            self.error("CP301", f"'{text}' looks at the days before the day examined: use it inside an event's 'where'", expr.span)
            return p.Const(None, BOOLEAN, text, text, expr.span)
        if info is None or info.type.kind is not Kind.SERIES or info.type.element != BOOLEAN:
            self.error("CP301", f"'no … in previous' needs a series of booleans; '{expr.series.name}' is "
                       f"{info.type.describe() if info else 'not declared'}", expr.series.span,
                       self.suggest(expr.series.name, [i.name for i in self.inputs.values() if i.type.kind is Kind.SERIES]))
            return p.Const(None, BOOLEAN, text, text, expr.span)
        node, type_ = self.resolve(expr.window, None)
        days: int | None = None
        if isinstance(node, p.CalendarConst) and node.base is p.CalendarBase.DAYS:
            days = node.amount
        elif isinstance(node, p.Const) and type_ is not None and type_.kind is Kind.NUMBER and isinstance(node.value, int):
            days = node.value
        if days is None or days < 1:
            self.error("CP301", f"the window of '{text}' must be a whole number of days, at least 1 (7 days, or a parameter)", expr.window.span)
            days = 1
        elif days > MAX_SCHEDULE_DAYS:
            self.error("CP112", f"a window of {days} days; the limit is {MAX_SCHEDULE_DAYS:,}", expr.window.span)
            days = 1
        return p.NoneBefore(info, days, text, expr.span)
