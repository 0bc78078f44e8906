"""UCUM-style unit text → `Unit` with an exact conversion factor; pint does the dimensional work.

Calendar units (days, weeks, months, years) are not pint units here: months have no fixed length, so
durations are handled exactly in `values.Duration` and this module only names them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, cast

from carepath.language.diagnostics import did_you_mean
from carepath.language.limits import unit_exponent_problem
from carepath.semantics.labunits import SHOWN_SPELLINGS, lab_unit

CALENDAR_UNITS: dict[str, tuple[str, int]] = {
    # spelling → (calendar base, multiple): weeks are 7 days, years 12 months, exactly.
    "d": ("days", 1), "day": ("days", 1), "days": ("days", 1),
    "wk": ("days", 7), "week": ("days", 7), "weeks": ("days", 7),
    "mo": ("months", 1), "month": ("months", 1), "months": ("months", 1),
    "a": ("months", 12), "y": ("months", 12), "yr": ("months", 12), "year": ("months", 12), "years": ("months", 12),
}

_ALIASES = {"mcg": "ug", "cc": "mL", "%": "percent"}
_FACTOR = re.compile(r"^10[*^](-?\d+)")
_POWER = re.compile(r"^([A-Za-z]+?)(\d+)$")
_SPELLINGS = list(dict.fromkeys([*SHOWN_SPELLINGS, "/mL", "mg/kg", "mg/m2", "mg", "kg", "g", "m2", "cm", "L", "mL", "uL"]))
#: A percentage is dimensionless to pint, as is mg/kg; a clinician never mixes them, so it has a dimension of its own.
PERCENT = ("[percent]", Fraction(1))


class UnitError(ValueError):
    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class UnitLimitError(UnitError):
    """A unit past carepath's limits (a 10*n factor beyond ±30, a power beyond 9): a limit, not a misspelling."""


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit as written, its dimension and its exact size relative to the dimension's base."""

    text: str
    dimension: tuple[tuple[str, Fraction], ...]
    size: Fraction

    @property
    def display(self) -> str:
        return display(self.text)

    def factor_to(self, other: Unit) -> Fraction:
        return self.size / other.size


@dataclass(frozen=True, slots=True)
class CalendarUnit:
    text: str
    base: str  # "days" or "months"
    multiple: int

    @property
    def display(self) -> str:
        return self.text


if TYPE_CHECKING:
    import pint


@functools.cache
def _registry() -> pint.UnitRegistry:  # type: ignore[type-arg]
    import pint  # imported on first use: it is the slowest import, and most runs need a handful of units

    return pint.UnitRegistry(non_int_type=Fraction)


def display(text: str) -> str:
    """Micro written as µ for people; the file may say u."""
    return re.sub(r"(?<![A-Za-z])u(?=[LgmMl])", "µ", text)


def is_calendar(text: str) -> bool:
    return text in CALENDAR_UNITS


@functools.cache
def parse_unit(text: str) -> Unit | CalendarUnit:
    """Parse unit text once (cached), so records and literals share the work."""
    if text in CALENDAR_UNITS:
        base, multiple = CALENDAR_UNITS[text]
        return CalendarUnit(text, base, multiple)
    try:
        canonical = lab_unit(text)  # G/L, K/uL, x10^9/L…: the lab table before pint, which reads gauss and kelvin
        if canonical is not None:
            unit = _parse_quantity_unit(canonical)
            return Unit(text, unit.dimension, unit.size)
        problem = unit_exponent_problem(text)
        if problem is not None:  # 10*99999999 would take minutes to work out exactly
            raise UnitLimitError(problem)
        return _parse_quantity_unit(text)
    except UnitError:
        raise
    except (ValueError, AttributeError, TypeError, LookupError, ZeroDivisionError) as error:  # pint's parse errors
        raise UnitError(f"unknown unit '{text}'", did_you_mean(text, _SPELLINGS)) from error


def _parse_quantity_unit(text: str) -> Unit:
    plain = text.replace("µ", "u").replace("μ", "u")
    factor = Fraction(1)
    match = _FACTOR.match(plain)
    if match:
        factor = Fraction(10) ** int(match.group(1))
        plain = plain[match.end():]
    if not plain:
        raise UnitError(f"unit '{text}' has a factor but no unit")
    if plain.startswith("/"):
        plain = "1" + plain
    if not re.fullmatch(r"1?[A-Za-z%][A-Za-z0-9%]*([/.][A-Za-z%][A-Za-z0-9%]*)*|1([/.][A-Za-z%][A-Za-z0-9%]*)+", plain):
        raise UnitError(f"unknown unit '{text}'", did_you_mean(text, _SPELLINGS))
    pieces = re.split(r"([/.])", plain)
    expression = []
    for index, piece in enumerate(pieces):
        if piece in ("/", "."):
            expression.append("/" if piece == "/" else "*")
            continue
        if index == 0 and piece == "1":
            expression.append("1")
            continue
        expression.append(_symbol(piece, text))
    quantity = _registry().Quantity(Fraction(1), "".join(expression)).to_base_units()
    dimension = tuple(sorted((str(k), Fraction(cast(Fraction, v))) for k, v in dict(quantity.dimensionality).items()))
    if not dimension and "percent" in expression:
        dimension = (PERCENT,)
    magnitude = quantity.magnitude
    assert isinstance(magnitude, Fraction | int)  # exact: the registry works in Fractions
    return Unit(text, dimension, Fraction(magnitude) * factor)


def _symbol(piece: str, whole: str) -> str:
    piece = _ALIASES.get(piece, piece)
    power = _POWER.match(piece)
    exponent = ""
    if power and power.group(1) not in ("",):
        piece, exponent = power.group(1), "**" + power.group(2)
    if piece in CALENDAR_UNITS:
        piece = {"days": "day", "months": "month", "years": "year", "weeks": "week", "mo": "month", "wk": "week"}.get(piece, piece)
    if piece not in _registry():
        raise UnitError(f"unknown unit '{whole}'", did_you_mean(whole, _SPELLINGS))
    return piece + exponent


def suggest_unit(text: str, target: Unit) -> str | None:
    """"Did you mean" for an unknown unit: among the accepted spellings of the same kind as `target`."""
    alike = []
    for spelling in _SPELLINGS:
        try:
            unit = parse_unit(spelling)
        except UnitError:
            continue
        if isinstance(unit, Unit) and unit.dimension == target.dimension:
            alike.append(spelling)
    return did_you_mean(text, alike or _SPELLINGS)


def same_dimension(a: Unit, b: Unit) -> bool:
    return a.dimension == b.dimension


def describe_dimension(unit: Unit | CalendarUnit) -> str:
    if isinstance(unit, CalendarUnit):
        return "a duration"
    names = {
        (("[length]", Fraction(-3)),): "a count per volume",
        (("[length]", Fraction(-3)), ("[mass]", Fraction(1))): "a mass concentration",
        (("[mass]", Fraction(1)),): "a mass",
        (("[length]", Fraction(1)),): "a length",
        (("[time]", Fraction(-1)),): "a rate per time",
        (("[length]", Fraction(-3)), ("[mass]", Fraction(1)), ("[time]", Fraction(-1))): "a mass concentration per time",
        (("[mass]", Fraction(1)), ("[time]", Fraction(-1))): "a mass per time",
        (("[length]", Fraction(2)),): "an area",
        (("[length]", Fraction(3)),): "a volume",
        (): "dimensionless (a ratio such as mg/kg)",
        (PERCENT,): "a percentage",
    }
    return names.get(unit.dimension, "dimension " + " ".join(f"{k}^{v}" for k, v in unit.dimension))


def exact_number(value: Fraction | int) -> int | float:
    """The evaluator's number: an int when exact, else the nearest double of the exact rational.

    Conversions are done in rationals, so `50 10*9/L` and `50000 /uL` become the same int and decimal
    values written in records compare with decimal thresholds exactly as written.
    """
    if isinstance(value, int):
        return value
    return int(value) if value.denominator == 1 else float(value)


def combine_units(left: Unit | None, right: Unit | None, op: str) -> Unit:
    """The unit of a product or quotient (`None` is a plain number): `mg/kg` × `kg` has the dimension of `mg`."""
    one = Unit("1", (), Fraction(1))
    a, b = left or one, right or one
    exponents: dict[str, Fraction] = dict(a.dimension)
    sign = 1 if op == "*" else -1
    for name, power in b.dimension:
        exponents[name] = exponents.get(name, Fraction(0)) + sign * power
    dimension = tuple(sorted((k, v) for k, v in exponents.items() if v != 0))
    size = a.size * b.size if op == "*" else a.size / b.size
    if left is None:
        text = b.text if op == "*" else f"1/({b.text})"
    elif right is None:
        text = a.text
    else:
        joined = b.text if "/" not in b.text and "." not in b.text else f"({b.text})"
        text = f"{a.text}.{joined}" if op == "*" else f"{a.text}/{joined}"
    return Unit(text, dimension, size)
