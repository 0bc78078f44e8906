"""Translate HL7 CQL conformance cases (logic, null handling, comparison) into one-rule carepath protocols.

carepath's three-valued logic and comparisons are meant to agree with CQL's; this module makes that
checkable. Each CQL expression becomes `recommend result: when <expr>` plus a one-patient record, and the
decision (true / false / null) is compared with the case's expected value. CQL `null` becomes a declared
input of the needed type that the record leaves missing, so carepath sees exactly what CQL sees: a value
of a known type that is unknown.

The translator knows nothing of the case names. Cases it cannot translate (a CQL-only type or operator)
are listed, with the reason, in the one `SKIPS` table below; a test keeps that table exact.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

import carepath
from carepath import InvalidRecord, ProtocolError, Source

CASES_FILE: Final = Path(__file__).resolve().parent / "cql" / "logic-null-comparison.jsonl"
AS_OF: Final = dt.date(2026, 1, 1)  # no case reads the date; fixed so no result depends on the clock
DECISION: Final = "result"

# ---------------------------------------------------------------------------------------------------
# The one list of cases that are not translated, each with the reason carepath has no counterpart.

TUPLE: Final = "Tuple values: carepath has no tuple type"
RATIO: Final = "Ratio literals (1'cm':2'cm'): carepath has no ratio type"
TODAY: Final = "Today() and date arithmetic: rules read no clock (only an explicit as-of date) and have no date literals"
DATETIME: Final = "DateTime literals with partial precision: carepath has no date literals, and its dates are whole days"
EQUIVALENT: Final = "`~` equivalence (null ~ null is true): carepath has no equivalence operator"
COALESCE: Final = "Coalesce (with list and time literals): carepath has no null-coalescing function, lists or times of day"
PLAIN_NUMBER: Final = "IsNull of a plain number: `is missing` takes an input, and carepath has no unitless number input"

SKIPS: Final[dict[str, str]] = {
    # Equal
    "RatioEqual": RATIO,
    "RatioNotEqualDiffNumerator": RATIO,
    "RatioNotEqualDiffDenominator": RATIO,
    "TupleEqJohn1John2WithNullName": TUPLE,
    "TupleEqDifferentNamesWithOneNullId": TUPLE,
    "TupleEqJohn1John1WithBothNamesNull": TUPLE,
    "TupleEqJohnJohnWithBothIdsNull": TUPLE,
    "TupleEqJohn1John1WithNullName": TUPLE,
    "DateTimeEqTodayYesterday": TODAY,
    "DateTimeEqTrue": DATETIME,
    # Greater, Greater Or Equal, Less, Less Or Equal
    "UncertaintyGreaterNull": DATETIME,
    "UncertaintyGreaterEqualNull": DATETIME,
    "UncertaintyLessNull": DATETIME,
    "UncertaintyLessEqualNull": DATETIME,
    # Equivalent
    "EquivNullNull": EQUIVALENT,
    "EquivTrueNull": EQUIVALENT,
    "EquivNullTrue": EQUIVALENT,
    "EquivEqCM1CM1": EQUIVALENT,
    "EquivEqCM1M01": EQUIVALENT,
    "RatioEquivalent": RATIO,
    "RatioNotEquivalentDiffNumerator": RATIO,
    "RatioNotEquivalentDiffDenominator": RATIO,
    "EquivTupleJohnJohnWithNulls": TUPLE,
    "EquivDateTimeTodayYesterday": TODAY,
    # Not Equal
    "TupleNotEqJohn1John2WithNullName": TUPLE,
    "TupleNotEqDifferingNamesWithOneNullId": TUPLE,
    "TupleNotEqJohn1John1WithBothNamesNull": TUPLE,
    "TupleNotEqMatchingNamesWithNullIDs": TUPLE,
    "TupleNotEqJohn1John1WithNullName": TUPLE,
    "DateTimeNotEqTodayYesterday": TODAY,
    # Coalesce
    "CoalesceANull": COALESCE,
    "CoalesceNullA": COALESCE,
    "CoalesceEmptyList": COALESCE,
    "CoalesceListFirstA": COALESCE,
    "CoalesceListLastA": COALESCE,
    "CoalesceFirstList": COALESCE,
    "CoalesceLastList": COALESCE,
    "DateTimeCoalesce": COALESCE,
    "DateTimeListCoalesce": COALESCE,
    "TimeCoalesce": COALESCE,
    "TimeListCoalesce": COALESCE,
    # IsNull
    "IsNullAlsoFalseNumber1": PLAIN_NUMBER,
    "IsNullAlsoFalseNumberZero": PLAIN_NUMBER,
}

# ---------------------------------------------------------------------------------------------------
# Cases

Rejected = Literal["rejected"]
REJECTED: Final[Rejected] = "rejected"
Expected = bool | None | Rejected  # None is CQL null; "rejected" for a case the suite marks invalid


@dataclass(frozen=True, slots=True)
class Case:
    """One line of the conformance file."""

    suite: str
    group: str
    name: str
    expression: str
    expected: tuple[str, ...]
    invalid: bool


def load_cases(path: Path = CASES_FILE) -> list[Case]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            cases.append(Case(raw["suite"], raw["group"], raw["name"], raw["expression"], tuple(raw["expected"]), raw["invalid"] == "true"))
    return cases


class Untranslatable(Exception):
    """The expression uses something carepath has no counterpart for; the message says what."""


# ---------------------------------------------------------------------------------------------------
# A parser for the CQL subset these suites use. CQL precedence, loosest first: implies; or, xor; and;
# not; = != ~ !~; < <= > >=; `as` casts; unary minus.

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<number>\d+(?:\.\d+)?)
    | (?P<string>'(?:[^'\\]|\\.)*')
    | (?P<temporal>@[^\s,)}]*)
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<symbol><=|>=|!=|!~|[=<>~:(),{}\-])
    )""", re.VERBOSE)

_CAST_TYPES: Final = {"String": "text", "Boolean": "boolean"}
_UNIT: Final = re.compile(r"[A-Za-z%][A-Za-z0-9%./]*")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # number, string, temporal, word, symbol, end
    text: str


def _tokens(expression: str) -> list[Token]:
    tokens = []
    position = 0
    while position < len(expression):
        if not expression[position:].strip():
            break
        match = _TOKEN.match(expression, position)
        if match is None or match.lastgroup is None:
            raise Untranslatable(f"unexpected character {expression[position:].strip()[0]!r}")
        tokens.append(Token(match.lastgroup, match.group(match.lastgroup)))
        position = match.end()
    tokens.append(Token("end", ""))
    return tokens


@dataclass(frozen=True, slots=True)
class Lit:
    """A literal: its carepath spelling, its carepath type, and the value a record would give it."""

    type: str  # "boolean", "text", "quantity cm", "number"
    text: str
    record_value: object


@dataclass(frozen=True, slots=True)
class Null:
    type: str | None  # from an `as` cast or a typed constructor; otherwise taken from the context


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary:
    operator: str  # and, or, xor, implies, = != < <= > >=
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Test:
    function: str  # IsNull, IsTrue, IsFalse
    argument: Node


Node = Lit | Null | Not | Binary | Test

_LOGIC: Final = ("and", "or", "xor", "implies")
_COMPARISONS: Final = ("=", "!=", "<", "<=", ">", ">=")


class _Parser:
    def __init__(self, expression: str) -> None:
        self.tokens = _tokens(expression)
        self.index = 0

    @property
    def peek(self) -> Token:
        return self.tokens[self.index]

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            raise Untranslatable(f"expected {text!r}, found {token.text or 'the end'!r}")

    def parse(self) -> Node:
        node = self.binary(0)
        if self.peek.kind != "end":
            raise Untranslatable(self._unsupported(self.peek))
        return node

    _LEVELS: Final = (("implies",), ("or", "xor"), ("and",))

    def binary(self, level: int) -> Node:
        if level == len(self._LEVELS):
            return self.negation()
        node = self.binary(level + 1)
        while self.peek.kind == "word" and self.peek.text in self._LEVELS[level]:
            operator = self.take().text
            node = Binary(operator, node, self.binary(level + 1))
        return node

    def negation(self) -> Node:
        if self.peek.kind == "word" and self.peek.text == "not":
            self.take()
            return Not(self.negation())
        return self.comparison(("=", "!="), lambda: self.comparison(("<", "<=", ">", ">="), self.cast))

    def comparison(self, operators: tuple[str, ...], operand: Callable[[], Node]) -> Node:
        node = operand()
        while self.peek.kind == "symbol" and self.peek.text in operators:
            operator = self.take().text
            node = Binary(operator, node, operand())
        return node

    def cast(self) -> Node:
        node = self.unary()
        if self.peek.kind == "word" and self.peek.text == "as":
            self.take()
            target = self.take().text
            if target not in _CAST_TYPES:
                raise Untranslatable(f"cast to {target}")
            if not isinstance(node, Null):
                raise Untranslatable("a cast of a non-null value")
            node = Null(_CAST_TYPES[target])
        return node

    def unary(self) -> Node:
        if self.peek.kind == "symbol" and self.peek.text == "-":
            self.take()
            node = self.unary()
            if not isinstance(node, Lit) or not (node.type == "number" or node.type.startswith("quantity ")):
                raise Untranslatable("unary minus of something other than a number")
            return Lit(node.type, "-" + node.text, None if node.record_value is None else f"-{node.record_value}")
        return self.primary()

    def primary(self) -> Node:
        token = self.take()
        if token.kind == "number":
            if self.peek.kind == "string":  # a quantity: 1'cm'
                unit = self.take().text[1:-1]
                if not _UNIT.fullmatch(unit):
                    raise Untranslatable(f"unit {unit!r}")
                if self.peek.kind == "symbol" and self.peek.text == ":":
                    raise Untranslatable("Ratio literal")
                return Lit(f"quantity {unit}", f"{token.text} {unit}", f"{token.text} {unit}")
            return Lit("number", token.text, None)
        if token.kind == "string":
            text = token.text[1:-1].replace("\\'", "'")
            return Lit("text", json.dumps(text, ensure_ascii=False), text)
        if token.kind == "word":
            if token.text in ("true", "false"):
                return Lit("boolean", token.text, token.text == "true")
            if token.text == "null":
                return Null(None)
            if self.peek.kind == "symbol" and self.peek.text == "(":
                return self.call(token.text)
        if token.kind == "symbol" and token.text == "(":
            node = self.binary(0)
            self.expect(")")
            return node
        raise Untranslatable(self._unsupported(token))

    def call(self, function: str) -> Node:
        self.expect("(")
        arguments = []
        while not (self.peek.kind == "symbol" and self.peek.text == ")"):
            if self.peek.kind == "end":
                raise Untranslatable("unclosed call")
            arguments.append(self.binary(0))
            if self.peek.text != ",":
                break
            self.take()
        self.expect(")")
        if function in ("IsNull", "IsTrue", "IsFalse") and len(arguments) == 1:
            return Test(function, arguments[0])
        if function == "DateTime" and arguments and all(isinstance(a, Null) and a.type is None for a in arguments):
            return Null("date")  # DateTime(null) is a null DateTime; carepath's nearest type is a date
        if function == "DateTime":
            raise Untranslatable("DateTime literal")
        raise Untranslatable(f"function {function}()")

    @staticmethod
    def _unsupported(token: Token) -> str:
        if token.kind == "temporal":
            return f"temporal literal {token.text}"
        return {"~": "equivalence (~)", "!~": "equivalence (!~)", ":": "Ratio literal", "{": "list literal",
                "Tuple": "Tuple literal"}.get(token.text, f"unexpected {token.text or 'end'!r}")


# ---------------------------------------------------------------------------------------------------
# Emitting carepath


@dataclass(frozen=True, slots=True)
class Translation:
    """A case as a carepath protocol and a one-patient record, with the value carepath must decide."""

    case: Case
    expression: str  # the carepath condition
    protocol: str
    records: str
    expected: Expected


@dataclass
class _Emitter:
    inputs: list[tuple[str, str]] = field(default_factory=list)  # (name, type spec)
    values: dict[str, object] = field(default_factory=dict)  # recorded values; nulls are left out

    def declare(self, stem: str, type_: str, value: object = None) -> str:
        name = f"{stem}_{len(self.inputs) + 1}"
        self.inputs.append((name, type_))
        if value is not None:
            self.values[name] = value
        return name

    def emit(self, node: Node, wanted: str | None) -> str:
        """carepath text for `node`; `wanted` is the type the context gives an untyped null."""
        match node:
            case Lit():
                if node.type == "number":
                    raise Untranslatable("a plain number outside a comparison")
                return node.text
            case Null():
                type_ = node.type or wanted
                if type_ is None:
                    raise Untranslatable("a null whose type nothing in the expression fixes")
                return self.declare("null", type_)
            case Not():
                return f"not ({self.emit(node.operand, 'boolean')})"
            case Binary() if node.operator in _LOGIC:
                return f"({self.emit(node.left, 'boolean')}) {node.operator} ({self.emit(node.right, 'boolean')})"
            case Binary():
                left = self.emit(node.left, _static_type(node.right))
                right = self.emit(node.right, _static_type(node.left))
                return f"({left}) {node.operator} ({right})"
            case Test():
                name = self.argument(node.argument, node.function)
                return {"IsNull": f"{name} is missing",
                        "IsTrue": f"({name} is known and {name})",
                        "IsFalse": f"({name} is known and not {name})"}[node.function]
        raise AssertionError(node)

    def argument(self, node: Node, function: str) -> str:
        """`is missing` / `is known` take an input: the argument becomes one, recorded unless it is null."""
        if isinstance(node, Null):
            return self.declare("null", node.type or "boolean")  # IsNull(null): any type is null; IsTrue/IsFalse take Boolean
        if isinstance(node, Lit):
            if node.type == "number":
                raise Untranslatable(f"{function} of a plain number (carepath has no unitless number input)")
            return self.declare("value", node.type, node.record_value)
        raise Untranslatable(f"{function} of a computed expression")


def _static_type(node: Node) -> str | None:
    match node:
        case Lit():
            return None if node.type == "number" else node.type
        case Null():
            return node.type
        case _:
            return "boolean"


def _expected(case: Case) -> Expected:
    if case.invalid:
        return REJECTED
    values = {"true": True, "false": False, "null": None}
    if len(case.expected) != 1 or case.expected[0] not in values:
        raise Untranslatable(f"expected result {list(case.expected)} is not a Boolean or null")
    return values[case.expected[0]]


def translate(case: Case) -> Translation:
    """The case as carepath; raises `Untranslatable` naming the construct carepath has no counterpart for."""
    emitter = _Emitter()
    expression = emitter.emit(_Parser(case.expression).parse(), "boolean")
    expected = _expected(case)
    declarations = "".join(f"\n  {name} : {type_}" for name, type_ in emitter.inputs)
    protocol = (
        f"protocol cql_{case.name}\n"
        f"  source {json.dumps(f'HL7 CQL conformance suite, {case.suite}, {case.group}, {case.name}')}\n"
        + (f"input{declarations}\n" if declarations else "")
        + f"recommend {DECISION} {json.dumps(case.expression, ensure_ascii=False)}: when {expression}\n"
    )
    records = json.dumps([{"id": case.name, **emitter.values}])
    return Translation(case, expression, protocol, records, expected)


# ---------------------------------------------------------------------------------------------------
# Running


@dataclass(frozen=True, slots=True)
class Outcome:
    translation: Translation
    actual: Expected | str  # a str other than "rejected" describes something that went wrong

    @property
    def passed(self) -> bool:
        return type(self.actual) is type(self.translation.expected) and self.actual == self.translation.expected


def run(translation: Translation) -> Outcome:
    """Compile and evaluate through the public API; a check error counts as "rejected"."""
    try:
        compiled = carepath.compile_source(Source(f"{translation.case.name}.care", translation.protocol))
    except ProtocolError as error:
        if translation.expected == REJECTED:
            return Outcome(translation, REJECTED)
        return Outcome(translation, "check error: " + "; ".join(f"{d.code} {d.message}" for d in error.diagnostics))
    (record,) = carepath.records_from_text(compiled, translation.records)
    if isinstance(record, InvalidRecord):
        return Outcome(translation, "invalid record: " + "; ".join(f"{e.field}: {e.message}" for e in record.errors))
    result = carepath.evaluate(compiled, record, AS_OF, trace=False)
    decision = result.decisions[DECISION]
    if (decision is None) != (result.status == "undetermined"):
        return Outcome(translation, f"status {result.status!r} disagrees with decision {decision!r}")
    if not (decision is None or isinstance(decision, bool)):
        return Outcome(translation, f"decision {decision!r} is not a Boolean")
    return Outcome(translation, decision)


def translations(cases: list[Case]) -> Iterator[Translation]:
    """Every case that is not in SKIPS, translated (raises if one of them cannot be)."""
    for case in cases:
        if case.name not in SKIPS:
            yield translate(case)


def cql_literal(value: Expected | str) -> str:
    """A result as the suite writes it (`true`, `false`, `null`)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    return value
