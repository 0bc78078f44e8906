"""Runtime values: Kleene truth (True/False/None), exact calendar durations, event days and doses.

Quantities reach the evaluator as plain numbers in their input's declared unit (see `units`), so only
durations need a class: a month is 28 to 31 days, and a comparison must never guess which. What the
operators do with these values is the operator table's (`operators`).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any, cast

Truth = bool | None  # None is *unknown*

#: A month position encodes "m months and d days" as m * 32 + d, so that ordering (months, days)
#: pairs is ordering integers (d is at most 30 after completed months are taken out).
MONTH = 32

# Start dates used to find how many days n calendar months can span; 2096–2104 includes the
# non-leap century year 2100 as well as ordinary leap and common years.
# Start days 2 to 28 of a month are left out: no month is shorter than 28 days, so from any of them every
# monthly anniversary and every span falls exactly as from the 1st, shifted by the same number of days; the
# 1st and the 29th to 31st (which month ends clamp) give every result the full list would, at an eighth the work.
_STARTS = tuple(day for day in (dt.date(2096, 1, 1) + dt.timedelta(days=i) for i in range((dt.date(2105, 1, 1) - dt.date(2096, 1, 1)).days))
                if day.day == 1 or day.day > 28)


def add_months(start: dt.date, months: int) -> dt.date:
    """Calendar month addition; a day past the end of the target month clamps to its last day."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(start.day, month_length(year, month)))


_MONTH_LENGTHS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def month_length(year: int, month: int) -> int:
    """Days in a month of the proleptic Gregorian calendar (calendar.monthrange also computes a weekday)."""
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _MONTH_LENGTHS[month - 1]


def completed_months(start: dt.date, end: dt.date) -> tuple[int, int]:
    """Completed calendar months from start to end, and the days left over."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if min(start.day, month_length(end.year, end.month)) > end.day:  # this month's anniversary, clamped, is after `end`
        months -= 1
    return months, (end - add_months(start, months)).days


# Beyond a century the calendar scan would be slow and can leave the date range; a coarse but safe
# bound (28 to 31 days a month) is enough there, since no such value is plausible for a patient.
_CALENDAR_SCAN_LIMIT_MONTHS = 1200
_CALENDAR_SCAN_LIMIT_DAYS = 36600

# The scans below add months to each start date many times over: they read the first day (as an ordinal) and the
# length of every month they can reach from these tables, instead of making a date each time.
_TABLE_BASE = 2096 * 12 - _CALENDAR_SCAN_LIMIT_MONTHS - 1  # month index (year * 12 + month - 1) of the table's first month
_TABLE = range(_TABLE_BASE, 2105 * 12 + _CALENDAR_SCAN_LIMIT_DAYS // 28 + 4)
_MONTH_FIRST = [dt.date(index // 12, index % 12 + 1, 1).toordinal() for index in _TABLE]
_MONTH_DAYS = [month_length(index // 12, index % 12 + 1) for index in _TABLE]
# each start date as (ordinal, its month's place in the tables, day of month)
_START_KEYS = tuple((s.toordinal(), s.year * 12 + s.month - 1 - _TABLE_BASE, s.day) for s in _STARTS)


def _anniversary(place: int, day: int, months: int) -> int:
    """The ordinal of `add_months` from the date on `day` of the month at `place` in the tables."""
    return _MONTH_FIRST[place + months] + min(day, _MONTH_DAYS[place + months]) - 1


@functools.cache
def days_in_months(months: int) -> tuple[int, int]:
    """The fewest and most days that `months` calendar months can span."""
    if abs(months) > _CALENDAR_SCAN_LIMIT_MONTHS:
        return sorted((months * 28, months * 31))  # type: ignore[return-value]
    spans = [_anniversary(place, day, months) - ordinal for ordinal, place, day in _START_KEYS]
    return min(spans), max(spans)


@functools.lru_cache(maxsize=4096)
def month_positions_of_days(days: int) -> tuple[int, int]:
    """The lowest and highest month position that a span of `days` days can have."""
    if abs(days) > _CALENDAR_SCAN_LIMIT_DAYS:
        low, high = sorted((days // 31, days // 28 + 1))
        return low * MONTH, high * MONTH + MONTH - 1
    if days < 0:
        low, high = month_positions_of_days(-days)
        return -high, -low
    needed = days // 28 + 2
    # for each start: the last monthly anniversary not after the end, and the days from it to the end
    positions = [(months := bisect.bisect_right(anniversaries, end) - 1) * MONTH + end - anniversaries[months]
                 for end, anniversaries in zip([start[0] + days for start in _START_KEYS], _anniversaries(needed), strict=True)]
    return min(positions), max(positions)


_ANNIVERSARIES: list[list[int]] = [[] for _ in _STARTS]


def _anniversaries(months: int) -> list[list[int]]:
    """Ordinal day of each start date's first `months` monthly anniversaries, extended as spans grow."""
    if len(_ANNIVERSARIES[0]) < months:
        for (_, place, day), row in zip(_START_KEYS, _ANNIVERSARIES, strict=True):
            row.extend(_anniversary(place, day, k) for k in range(len(row), months))
    return _ANNIVERSARIES


def _count(amount: int, noun: str) -> str:
    return f"{amount} {noun}" if amount == 1 else f"{amount} {noun}s"


@dataclass(frozen=True, slots=True)
class Duration:
    """A duration known exactly or within bounds, in both month positions and days.

    Given in months, its day count is a range (6 months is 181–184 days); given in days, its month
    position is a range; derived from two dates, both are exact.
    """

    month_low: int
    month_high: int
    day_low: int
    day_high: int
    text: str

    @staticmethod
    @functools.cache
    def of_months(months: int) -> Duration:
        """Shared instances: a cohort's many "8 months" are one object, which also keeps evaluation cache-friendly."""
        low, high = days_in_months(months)
        return Duration(months * MONTH, months * MONTH, low, high, f"{months} {'month' if months == 1 else 'months'}")

    @staticmethod
    @functools.lru_cache(maxsize=4096)
    def of_days(days: int) -> Duration:
        low, high = month_positions_of_days(days)
        return Duration(low, high, days, days, f"{days} {'day' if days == 1 else 'days'}")

    @staticmethod
    def within_month(months: int, text: str) -> Duration:
        """Somewhere inside the given month (for fractional months such as 5.5)."""
        return Duration(months * MONTH, months * MONTH + 30, days_in_months(months)[0], days_in_months(months + 1)[1], text)

    @staticmethod
    def between(start: dt.date, end: dt.date) -> Duration:
        months, rest = completed_months(start, end)
        days = (end - start).days
        text = f"{_count(months, 'month')} {_count(rest, 'day')} ({_count(days, 'day')}, {start.isoformat()} to {end.isoformat()})"
        return Duration(months * MONTH + rest, months * MONTH + rest, days, days, text)

    @property
    def exact(self) -> bool:
        return self.month_low == self.month_high and self.day_low == self.day_high


def is_imprecise(value: object) -> bool:
    """A value known only within bounds (a duration in days against months, or the reverse)."""
    return isinstance(value, Duration) and not value.exact


def unsettled(value: object) -> bool:
    """An operand some comparison of the operator table may leave unknown: missing, a duration known only within
    bounds (183 days against 6 months), or an event day not yet reached."""
    return value is None or is_imprecise(value) or isinstance(value, NotBefore)


_SCIENTIFIC = 10**21


def format_number(value: int | float | object) -> str:
    """Thousands separated, no float noise: 123800 → '123,800', 0.5 → '0.5'."""
    import math
    from decimal import Context, Decimal
    from fractions import Fraction

    finite = isinstance(value, (int, Fraction)) or (isinstance(value, float) and math.isfinite(value))
    exact = Fraction(cast("int | float | Fraction", value)) if finite and not isinstance(value, bool) else Fraction(0)
    if not -_SCIENTIFIC < exact < _SCIENTIFIC:
        # beyond 10^21: in powers of ten (a float would overflow, and an int of 4,300 digits cannot become text)
        return format(Context(prec=6).divide(Decimal(exact.numerator), Decimal(exact.denominator)).normalize(), "e")
    if isinstance(value, Fraction):
        value = int(value) if value.denominator == 1 else float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int) or value.is_integer():
        return f"{int(value):,}"
    text = format(Decimal(repr(value)).normalize(), "f")
    whole, _, frac = text.partition(".")
    return f"{int(whole):,}.{frac}" if whole.lstrip("-").isdigit() else text


# ---- dated series, event days and doses --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Series:
    """Values by day, counted from an anchor (day 0). A day with no entry is unknown, never a pass."""

    first: int  # the first recorded day
    values: tuple[Any, ...]  # values[i] belongs to day first + i; None where that day was not recorded

    @property
    def last(self) -> int:
        return self.first + len(self.values) - 1

    def at(self, day: int) -> Any:
        index = day - self.first
        return self.values[index] if 0 <= index < len(self.values) else None

    @classmethod
    def of(cls, by_day: dict[int, Any]) -> Series:
        if not by_day:
            return cls(0, ())
        first, last = min(by_day), max(by_day)
        return cls(first, tuple(by_day.get(day) for day in range(first, last + 1)))


@dataclass(frozen=True, slots=True)
class NotBefore:
    """An event day not yet known, but known not to fall before `day` (every earlier chance failed) and,
    when `by` is set, not after it (a later window already holds): enough to settle `event > day 30`."""

    day: int
    by: int | None = None

    def __str__(self) -> str:
        return f"between day {self.day} and day {self.by}" if self.by is not None else f"not before day {self.day}"


@dataclass(frozen=True, slots=True)
class LimitFlag:
    """A dose above one of its reference limits: the amount over the limit's period, the limit, and its source.

    `certain` is false when the limit's own condition is unknown: the dose exceeds it if it applies."""

    period: str  # "dose", "day" or "course"
    given: Any  # Fraction: the dose over the period, in the dose's unit
    limit: Any  # Fraction: the limit over the period, in the dose's unit
    unit: str
    text: str  # the limit as written
    citation: str | None
    certain: bool = True

    @property
    def percent_over(self) -> Any:
        """How far above the limit, as a percentage of it (exact); None for a limit of zero or less, which any dose exceeds."""
        if self.limit <= 0:
            return None
        return (self.given / self.limit - 1) * 100

    @property
    def percent_text(self) -> str:
        over = self.percent_over
        if over is None:
            return "any amount"
        exact_enough = (over * 10).denominator == 1
        return format_number(over if exact_enough else round(over, 1)) + " %"

    def __str__(self) -> str:
        when = "" if self.certain else " (if it applies: its condition is unknown)"
        cited = f"; {self.citation}" if self.citation else ""
        how_far = f"{self.percent_text} " if self.percent_over is not None else ""
        return (f"above limit: {format_number(self.given)} {self.unit} per {self.period} is {how_far}above "
                f"{format_number(self.limit)} {self.unit} ({self.text}{cited}){when}")


@dataclass(frozen=True, slots=True)
class DoseValue:
    """A computed dose: the exact amount in the dose's declared unit, when it is given, and the reference limits
    it exceeds (it is still given as computed: a flag asks a person to look, it changes nothing)."""

    amount: Any  # Fraction, exact
    unit: str
    schedule: str | None = None
    flags: tuple[LimitFlag, ...] = ()

    @property
    def number(self) -> int | float:
        return int(self.amount) if self.amount.denominator == 1 else float(self.amount)

    def __str__(self) -> str:
        amount = self.amount
        if amount.denominator != 1 and (amount * 10**6).denominator != 1:  # an unrounded square root: 4 places, marked ≈
            return f"≈{format_number(round(amount, 4))} {self.unit}"
        return f"{format_number(amount)} {self.unit}"
