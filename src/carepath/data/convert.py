"""Record values → evaluator values: quantities in the input's unit, durations, enumeration members, booleans,
dates and text; a value that does not fit raises `BadValue` with its CP5xx code and what was expected.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from carepath.data.errors import RecordCode
from carepath.data.limits import shown
from carepath.ir.program import InputInfo
from carepath.language.diagnostics import did_you_mean
from carepath.language.limits import MAX_DURATION_DAYS, MAX_DURATION_MONTHS, MAX_MAGNITUDE, NumberLimitError, read_number
from carepath.semantics.types import Kind
from carepath.semantics.units import CalendarUnit, Unit, UnitError, UnitLimitError, display, exact_number, parse_unit, suggest_unit
from carepath.semantics.values import Duration, format_number

MAPPINGS = (dict, Mapping)  # dict first: the ABC check is slow, and YAML and JSON give dicts
NUMBER = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?"
_QUANTITY = re.compile(rf"^\s*({NUMBER})\s*(.*)$", re.DOTALL)  # the unit is stripped after: `(.*?)\s*$` is quadratic on spaces


class BadValue(ValueError):
    """A value that does not fit its input: the message says what was expected."""

    def __init__(self, message: str, code: RecordCode = RecordCode.BAD_VALUE) -> None:
        super().__init__(message)
        self.code = code


def convert(info: InputInfo, value: Any) -> tuple[Any, str]:
    """A record value → (evaluator value, how explanations show it); raises `BadValue` saying what was expected."""
    kind = info.type.kind
    if kind is Kind.QUANTITY:
        return _quantity(info, value)
    if kind is Kind.DURATION:
        duration = _duration(value)
        problem = plausibility_problem(info, duration)
        if problem:
            raise BadValue(problem, RecordCode.IMPLAUSIBLE)
        return duration, duration.text
    if kind is Kind.ENUM:
        if not isinstance(value, str) or value not in info.type.members:
            hint = did_you_mean(str(value), info.type.members) if isinstance(value, str) else None
            raise BadValue(f"expected one of {', '.join(info.type.members)}" + (f"; {hint}" if hint else ""))
        return value, value
    if kind is Kind.BOOLEAN:
        if isinstance(value, bool):
            return value, "true" if value else "false"
        if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no"):
            flag = value.lower() in ("true", "yes")
            return flag, "true" if flag else "false"
        raise BadValue("expected true or false")
    if kind is Kind.DATE:
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value, value.isoformat()
        if isinstance(value, str):
            try:
                parsed = dt.date.fromisoformat(value.strip())
            except ValueError:
                raise BadValue("expected a date as YYYY-MM-DD") from None
            return parsed, parsed.isoformat()
        raise BadValue("expected a date as YYYY-MM-DD")
    if kind is Kind.TEXT:
        if isinstance(value, int) and abs(value) > MAX_MAGNITUDE:
            raise BadValue(f"a number larger than {MAX_MAGNITUDE:,}, the limit on a number; quote it to give it as text", RecordCode.NUMBER_TOO_LARGE)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value), str(value)
        raise BadValue("expected text")
    raise AssertionError(kind)


def _split(value: Any, example: str = "33900 /uL") -> tuple[int | Fraction, str]:
    """Accept '33900 /uL', '33,900 /uL', '33.9 10*9/L' or {value: 33900, unit: /uL}; `example` is in the input's own unit."""
    if isinstance(value, MAPPINGS):
        number, unit = value.get("value"), value.get("unit")
        if isinstance(number, bool) or not isinstance(number, (int, float, str)) or not isinstance(unit, str):
            raise BadValue("expected {value: NUMBER, unit: UNIT}")
        if isinstance(number, int) and abs(number) > MAX_MAGNITUDE:
            raise BadValue(f"a number larger than {MAX_MAGNITUDE:,}, the limit on a number", RecordCode.NUMBER_TOO_LARGE)
        text = f"{number} {unit}"
    elif isinstance(value, str):
        text = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        shown = value if not isinstance(value, int) or abs(value) <= MAX_MAGNITUDE else 1
        raise BadValue(f"a number needs a unit, e.g. '{_example(shown, example)}'")
    else:
        raise BadValue(f"expected a number with a unit, e.g. '{example}'")
    match = _QUANTITY.match(text)
    if not match:
        raise BadValue(f"expected a number with a unit, e.g. '{example}'")
    number_text, unit = match.group(1).replace(",", ""), match.group(2).strip()
    try:
        number = read_number(number_text)
    except NumberLimitError as error:
        raise BadValue(str(error), RecordCode.NUMBER_TOO_LARGE) from None
    if not unit:
        raise BadValue(f"a number needs a unit, e.g. '{_example(number_text, example)}'")
    return (int(number) if number.denominator == 1 else number), unit


def _example(number: object, example: str) -> str:
    """The number as written with the input's unit: '0.0001' for an MRD in % becomes '0.0001 %'."""
    return f"{number} {example.split(' ', 1)[1]}" if " " in example else example


def _quantity(info: InputInfo, value: Any) -> tuple[Any, str]:
    target = info.type.unit
    assert isinstance(target, Unit)
    number, unit_text = _split(value, f"33900 {target.text}" if target.text == "/uL" else f"1 {target.text}")
    try:
        unit = parse_unit(unit_text)
    except UnitError as error:
        hint = suggest_unit(unit_text, target)
        code = RecordCode.UNIT_TOO_LARGE if isinstance(error, UnitLimitError) else RecordCode.BAD_VALUE
        raise BadValue(f"{error}; expected a unit like {target.display}" + (f"; {hint}" if hint else ""), code) from None
    if isinstance(unit, CalendarUnit) or unit.dimension != target.dimension:
        raise BadValue(f"'{display(unit_text)}' is not a unit of the same kind as {target.display}")
    converted = exact_number(number * _factor(unit.text, target.text))
    shown = f"{format_number(converted)} {target.display}"
    problem = plausibility_problem(info, converted)
    if problem:
        as_if = exact_number(number)
        hint = ""
        if unit.text != target.text and plausibility_problem(info, as_if) is None:
            hint = f"; {format_number(as_if)} {target.display} would be plausible: was {display(unit_text)} meant as {target.display}?"
        raise BadValue(f"that is {shown}, {problem}{hint}", RecordCode.IMPLAUSIBLE)
    return converted, shown


@functools.lru_cache(maxsize=1024)
def _factor(unit_text: str, target_text: str) -> int | Fraction:
    """The exact factor between two units, worked out once per pair (an int when it is whole)."""
    unit, target = parse_unit(unit_text), parse_unit(target_text)
    assert isinstance(unit, Unit) and isinstance(target, Unit)
    factor = unit.factor_to(target)
    return int(factor) if factor.denominator == 1 else factor


def _duration(value: Any) -> Duration:
    number, unit_text = _split(value)
    try:
        unit = parse_unit(unit_text)
    except UnitError:
        unit = None
    if not isinstance(unit, CalendarUnit):
        raise BadValue(f"'{unit_text}' is not a duration unit; expected days, weeks, months or years")
    amount: int | Fraction = number * unit.multiple
    limit = MAX_DURATION_DAYS if unit.base == "days" else MAX_DURATION_MONTHS
    if not -limit <= amount <= limit:
        raise BadValue(f"a duration longer than {limit:,} {unit.base} (200 years)", RecordCode.DURATION_TOO_LONG)
    if unit.base == "days":
        if amount.denominator != 1:
            raise BadValue("expected a whole number of days")
        return Duration.of_days(int(amount))
    if amount.denominator == 1:
        return Duration.of_months(int(amount))
    whole = int(amount)
    return Duration.within_month(whole, f"{format_number(float(amount))} months (between {whole} and {whole + 1} months)")


def derived_problem(info: InputInfo, derived: Duration) -> tuple[RecordCode, str] | None:
    """Why a duration derived from two dates is not read: past the limit on any duration (CP530, as one given
    would be), or outside its input's plausible range (CP505); None when it is read."""
    if derived.day_high > MAX_DURATION_DAYS:
        return RecordCode.DURATION_TOO_LONG, f"a duration longer than {MAX_DURATION_DAYS:,} days (200 years)"
    problem = plausibility_problem(info, derived)
    return (RecordCode.IMPLAUSIBLE, problem) if problem else None


def plausibility_problem(info: InputInfo, value: Any) -> str | None:
    """Why a value lies outside the declared plausible range, or None when it may lie inside."""
    if info.plausible is None:
        return None
    low, high = info.plausible
    if isinstance(value, Duration):
        assert isinstance(low, Duration) and isinstance(high, Duration)
        outside = value.day_high < low.day_low or value.day_low > high.day_high
    else:
        outside = value < low or value > high
    return f"outside the plausible range {info.plausible_text}" if outside else None


def show(value: Any) -> str:
    """A value inside a message: text quoted, mappings as JSON, at most `limits.SHOWN` characters of any value."""
    return shown(value)


def show_raw(value: Any) -> str:
    """A value as an explanation repeats it: `{value, unit}` as one quantity."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, MAPPINGS):
        return f"{value.get('value')} {value.get('unit')}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)
