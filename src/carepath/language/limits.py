"""The limits on what a protocol file can make large, and the checks that enforce them before any later pass runs.

Every limit has its own diagnostic code and its reason in `docs/limits.md`. The parser applies the token-level
limits while it reads (so a huge input is refused at the token that crosses the limit, not after it has been
parsed); `tree_problems` walks the parsed protocol once, without recursion, for the rest. Numbers and unit
exponents are also checked here for the records' side: `number_problem` and `unit_exponent_problem` are what
`semantics` uses when it reads a value from a record.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from carepath.language import nodes as n
from carepath.language.diagnostics import Diagnostic, Severity
from carepath.language.source import Span

MAX_TOKENS = 20_000  # words, numbers, units and symbols; comments are not counted
MAX_PARENTHESES = 128  # `(` open at once; the same limit as CP105's tree depth
MAX_DIGITS = 40  # digits in one number, before and after the decimal point
MAX_MAGNITUDE = 10**15  # the largest number a protocol may write (before its unit)
MAX_UNIT_EXPONENT = 30  # |n| in a unit's 10*n factor
MAX_UNIT_POWER = 9  # the power on one unit symbol (m2, cm3)
MAX_DURATION_DAYS = 73_050  # 200 years of 365.25 days: every duration and every day number
MAX_DURATION_MONTHS = 2_400  # 200 years
MAX_SCHEDULE_DAYS = 2_000  # the days one schedule covers
MAX_OPERANDS = 256  # operands of one and / or / xor / any of / all of, or arguments of one call
MAX_ITEMS = 256  # branches of one decision, amounts of one dose, members of one enumeration, days of one list
MAX_DECLARATIONS = 1_000  # inputs, parameters and definitions together
MAX_CHAIN = 128  # expression levels through the definitions an expression reads, in all (checked by the checker, which knows the references)

_CALENDAR = {"d": 1, "day": 1, "days": 1, "wk": 7, "week": 7, "weeks": 7}
_MONTHLY = {"mo": 1, "month": 1, "months": 1, "a": 12, "y": 12, "yr": 12, "year": 12, "years": 12}
_FACTOR = re.compile(r"10[*^](-?\d+)")
_POWER = re.compile(r"[A-Za-zµμ%](\d+)")


class NumberLimitError(ValueError):
    """A number or unit beyond carepath's limits; the message says which limit and its value."""


def number_problem(text: str) -> str | None:
    """Why the number written as `text` (digits, `_`, `,`, one `.`, an optional sign and exponent) is refused,
    or None. Cheap on any length: it counts characters before it converts anything."""
    mantissa, _, exponent = text.lower().partition("e")
    digits = sum(c.isdigit() for c in mantissa)
    if digits > MAX_DIGITS:
        return f"a number of {digits} digits; the limit is {MAX_DIGITS}"
    if exponent:
        stripped = exponent.lstrip("+-")
        if len(stripped) > 4 or not stripped.isdigit() or int(stripped) > 2 * MAX_DIGITS:
            return f"the exponent {exponent} is too large; the limit on a number is {MAX_MAGNITUDE:.0e}".replace("e+", "e")
    return None


def read_number(text: str) -> Fraction:
    """An exact number from text such as '33900', '33_900', '0.5' or '1.2e3'; `NumberLimitError` beyond the limits."""
    problem = number_problem(text)
    if problem is None:
        value = Fraction(text.replace("_", "").replace(",", ""))
        if abs(value) > MAX_MAGNITUDE:
            problem = f"{text} is larger than {MAX_MAGNITUDE:,}, the limit on a number"
        else:
            return value
    raise NumberLimitError(problem)


def unit_exponent_problem(text: str) -> str | None:
    """Why a unit's 10*n factor or a symbol's power is refused (`10*99999999/L`, `m99`), or None."""
    for match in _FACTOR.finditer(text):
        if len(match.group(1).lstrip("-")) > 3 or abs(int(match.group(1))) > MAX_UNIT_EXPONENT:
            return f"the factor 10*{match.group(1)} in unit '{text}' is beyond 10*±{MAX_UNIT_EXPONENT}"
    rest = _FACTOR.sub("", text)
    for match in _POWER.finditer(rest):
        if len(match.group(1)) > 1 or int(match.group(1)) > MAX_UNIT_POWER:
            return f"the power {match.group(1)} in unit '{text}' is beyond {MAX_UNIT_POWER}"
    return None


def node_depth(node: n.Node) -> int:
    """Levels of the tree below `node` (a leaf is 1), found without recursion."""
    deepest = 0
    stack = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in current.children())
    return deepest


_SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(text: str) -> Diagnostic | None:
    """CP106 at the first character that is not text: a byte that was not UTF-8 (read with `surrogateescape`), or a
    lone surrogate handed to the API. Such a character cannot even be printed, so it is refused before parsing."""
    found = _SURROGATE.search(text)
    if found is None:
        return None
    before = text[: found.start()]
    span = Span.point(before.count("\n") + 1, found.start() - before.rfind("\n"))
    code = ord(found.group())
    what = f"byte 0x{code - 0xDC00:02x} is not UTF-8 text" if 0xDC80 <= code <= 0xDCFF else "a lone surrogate is not UTF-8 text"
    return error("CP106", what, span, "save the file as UTF-8")


class TokenLimits:
    """The limits the parser applies token by token as it reads: count, parentheses, digits, magnitude, unit exponents.
    `check` returns (code, message, hint) for the first token that crosses one."""

    def __init__(self) -> None:
        self.count = 0
        self.depth = 0

    def check(self, kind: str, text: str) -> tuple[str, str, str | None] | None:
        self.count += 1
        if self.count > MAX_TOKENS:
            return "CP107", f"more than {MAX_TOKENS:,} words, numbers and symbols", "split the protocol into several files"
        if kind == "LPAR":
            self.depth += 1
            if self.depth > MAX_PARENTHESES:
                return "CP105", f"parentheses nested more than {MAX_PARENTHESES} deep", "name parts of the condition as criteria"
        elif kind == "RPAR":
            self.depth -= 1
        elif kind == "NUMBER":
            problem = number_problem(text)
            if problem is not None:
                return "CP108", problem, None
            if Fraction(text.replace("_", "")) > MAX_MAGNITUDE:
                return "CP109", f"a number larger than {MAX_MAGNITUDE:,}", "write it in a larger unit"
        elif kind == "UNIT":
            problem = unit_exponent_problem(text)
            if problem is not None:
                hint = "a number is written in digits: there is no exponent (1e5)" if text[:1] in "eE" else None
                return "CP110", problem, hint
        return None


def deepest(tree: Any) -> tuple[int, Any]:
    """The depth of a parse tree and its deepest node, found without recursion (the parser's trees: a node's
    `children` are nodes, or tokens, which have none)."""
    best: tuple[int, Any] = (1, tree)
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > best[0]:
            best = (depth, node)
        stack.extend((child, depth + 1) for child in node.children if hasattr(child, "children"))
    return best


def error(code: str, message: str, span: Span, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, span, hint)


def tree_problems(protocol: n.Protocol) -> list[Diagnostic]:
    """Every limit the parsed protocol crosses, in one iterative walk; an empty list when it keeps them all."""
    found: list[Diagnostic] = []
    declarations = len(protocol.inputs) + len(protocol.definitions)
    if declarations > MAX_DECLARATIONS:
        place = (protocol.definitions[-1] if protocol.definitions else protocol.inputs[-1]).span
        found.append(error("CP115", f"{declarations} inputs and definitions; the limit is {MAX_DECLARATIONS}", place,
                           "split the protocol into several files"))
    for node in protocol.walk():
        found.extend(_node_problems(node))
    return found


def _node_problems(node: n.Node) -> Iterator[Diagnostic]:
    match node:
        case n.QuantityLiteral(value=value, unit=unit):
            yield from _magnitude(value, node.span)
            yield from _duration(value, unit, node.span)
        case n.NumberLiteral(value=value):
            yield from _magnitude(value, node.span)
        case n.DayLiteral(day=day):
            yield from _days((day,), node.span)
        case n.DayList(days=days):
            yield from _items(len(days), "days in one list", node.span)
            yield from _days(days, node.span)
        case n.DaySet(kind=kind, days=days):
            yield from _items(len(days), "days in one schedule", node.span)
            yield from _days(days, node.span)
            if kind is n.DayKind.RANGE and len(days) == 2 and days[1] - days[0] + 1 > MAX_SCHEDULE_DAYS:
                yield error("CP112", f"a schedule of {days[1] - days[0] + 1} days; the limit is {MAX_SCHEDULE_DAYS}", node.span,
                            "a longer course is several doses, one per phase")
        case n.BoolOp(operands=operands) if len(operands) > MAX_OPERANDS:
            yield error("CP113", f"{len(operands)} operands in one '{node.kind.value}'; the limit is {MAX_OPERANDS}", node.span,
                        "name groups of them as criteria")
        case n.Call(args=arguments) if len(arguments) > MAX_OPERANDS:
            yield error("CP113", f"{len(arguments)} arguments to one call; the limit is {MAX_OPERANDS}", node.span)
        case n.Classification(branches=items) | n.Dose(branches=items):
            yield from _items(len(items), "branches in one decision", node.span)
        case n.EnumType(members=members):
            yield from _items(len(members), "members in one enumeration", node.span)
        case n.Target(actions=actions):
            yield from _items(len(actions), "actions on one target", node.span)
        case _:
            pass


def _items(count: int, what: str, span: Span) -> Iterator[Diagnostic]:
    if count > MAX_ITEMS:
        yield error("CP114", f"{count} {what}; the limit is {MAX_ITEMS}", span)


def _magnitude(value: Fraction, span: Span) -> Iterator[Diagnostic]:
    if abs(value) > MAX_MAGNITUDE:
        yield error("CP109", f"a number larger than {MAX_MAGNITUDE:,}", span, "write it in a larger unit")


def _duration(value: Fraction, unit: str, span: Span) -> Iterator[Diagnostic]:
    if unit in _CALENDAR and abs(value * _CALENDAR[unit]) > MAX_DURATION_DAYS:
        yield error("CP111", f"a duration longer than {MAX_DURATION_DAYS:,} days (200 years)", span)
    elif unit in _MONTHLY and abs(value * _MONTHLY[unit]) > MAX_DURATION_MONTHS:
        yield error("CP111", f"a duration longer than {MAX_DURATION_MONTHS:,} months (200 years)", span)


def _days(days: tuple[Fraction, ...], span: Span) -> Iterator[Diagnostic]:
    far = next((d for d in days if abs(d) > MAX_DURATION_DAYS), None)
    if far is not None:
        yield error("CP111", f"day {far} is more than {MAX_DURATION_DAYS:,} days (200 years) from day 0", span)
