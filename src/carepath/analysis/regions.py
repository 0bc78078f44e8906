"""Representatives: the few values of an input that stand for all of them, one per region its thresholds cut,
each with the record fields that give it and the words a message shows it in."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from carepath.data.records import plausibility_problem
from carepath.ir import program as p
from carepath.language import nodes as n
from carepath.semantics.operators import exact as exact_or_unknown
from carepath.semantics.units import Unit, exact_number
from carepath.semantics.values import Duration, days_in_months, format_number

#: Start dates for durations derived from two dates: leap and common years, and the common century year 2100.
_START_DATES = tuple(dt.date(year, 1, 1) + dt.timedelta(days=i) for year in (2023, 2099) for i in range(731))


@dataclass(frozen=True, slots=True)
class Rep:
    """One value an input can take: in the evaluator's terms, as record fields, and as a message shows it."""

    value: Any
    fields: tuple[tuple[str, str], ...]
    shown: str
    as_of: dt.date | None = None


def missing(info: p.InputInfo) -> Rep:
    return Rep(None, (), f"{info.name} missing")


def exact(value: object) -> Fraction:
    """A constant as an exact rational, read as the operator table reads it (floats came from decimal text)."""
    found = exact_or_unknown(value)
    assert found is not None, value
    return found


def _decimal(value: Fraction) -> str:
    return n.number_text(value)


def between(low: Fraction, high: Fraction) -> Fraction:
    """A short decimal strictly between two numbers, as near the middle as a few digits allow."""
    middle = (low + high) / 2
    for places in range(30):
        scale = Fraction(10) ** places
        candidate = Fraction(round(middle * scale)) / scale
        if low < candidate < high:
            return candidate
    return middle


_PLAIN = re.compile(r"^[A-Za-z0-9_.,/*%\[\]{}()^ -]+$")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


def scalar(text: str) -> str:
    """A YAML scalar that reads back as this exact string."""
    if _PLAIN.match(text) and text.lower() not in _YAML_WORDS and text[0] not in "[{*&!|>%@`-" and text == text.strip():
        return text
    return json.dumps(text)


def quantity_reps(info: p.InputInfo, constants: set[Fraction], sampled: bool) -> list[Rep]:
    unit = info.unit
    assert isinstance(unit, Unit)
    cuts = sorted(constants)
    outside: list[Fraction] = []
    if info.plausible is not None:
        low, high = (exact(b) for b in info.plausible)
        cuts = sorted({low, high, *(c for c in cuts if low <= c <= high)})
    elif cuts:
        reach = max(abs(cuts[0]), abs(cuts[-1]), Fraction(1))
        outside = [between(cuts[0] - reach, cuts[0]), between(cuts[-1], cuts[-1] + reach)]
    else:
        cuts = [Fraction(1)]
    inner = [between(a, b) for a, b in itertools.pairwise(cuts)]
    if sampled and len(cuts) >= 2:  # arithmetic on the input: more points across its range
        low, high = cuts[0], cuts[-1]
        inner += [between(low + (high - low) * k / 10, low + (high - low) * (k + 1) / 10) for k in range(10)]
    elif sampled:
        inner += [cuts[0] * 10, cuts[0] * 100] if cuts[0] > 0 else [Fraction(1), Fraction(10)]
    values = list(dict.fromkeys([*inner, *cuts, *outside]))
    reps = [Rep(exact_number(v), ((info.name, scalar(f"{_decimal(v)} {unit.text}")),), f"{info.name} {format_number(exact_number(v))} {unit.display}")
            for v in values]
    return [*reps, missing(info)]


def _month_text(months: int) -> str:
    return f"{months} month" if months == 1 else f"{months} months"


def _marks(first: int, last: int, windows: set[int]) -> list[int]:
    """Whole values from first to last that stand for all: the first, each window's, and one per gap between."""
    marks = sorted({first, *(w for w in windows if first <= w <= last)})
    gaps = [a + 1 for a, b in itertools.pairwise([*marks, last + 1]) if a + 1 < b]
    return sorted({*marks, *gaps})


def duration_candidates(info: p.InputInfo, months: set[int], days: set[int], dates: tuple[str, str] | None) -> list[tuple[int, Rep]]:
    """Every kind of duration a record can give (months, days, half months, two dates), in each region the thresholds cut.

    A month count changes a comparison only next to a month threshold, or where its 28-31 days a month
    straddle a day threshold; a day count only next to a day threshold or inside a month threshold's span
    of days; so beyond a short range, values next to each threshold and one per gap between stand for all.
    """
    if info.plausible is not None:
        low, high = info.plausible
        assert isinstance(low, Duration) and isinstance(high, Duration)
        first, last = max(0, low.day_low), high.day_high
    else:
        first = 0
        last = max([*days, *(days_in_months(m)[1] for m in months), 0]) + 62
    day_windows: set[int] = set()
    month_windows: set[int] = set()
    for m in months:
        shortest, longest = days_in_months(m)
        day_windows.update(range(shortest - 1, longest + 2))
        month_windows.update((m - 2, m - 1, m, m + 1))
    for d in days:
        day_windows.update((d - 1, d, d + 1))
        month_windows.update(range(d // 31 - 2, d // 28 + 2))
    out: list[tuple[int, Rep]] = []
    for m in _marks(max(0, first // 31 - 1), last // 28 + 1, month_windows):
        whole = Duration.of_months(m)
        if plausibility_problem(info, whole) is None:
            out.append((0, Rep(whole, ((info.name, _month_text(m)),), f"{info.name} {_month_text(m)}")))
        half = Duration.within_month(m, f"{m}.5 months")
        if plausibility_problem(info, half) is None:
            out.append((2, Rep(half, ((info.name, f"{m}.5 months"),), f"{info.name} {m}.5 months")))
    for d in _marks(first, last, day_windows):
        value = Duration.of_days(d)
        if plausibility_problem(info, value) is None:
            text = f"{d} day" if d == 1 else f"{d} days"
            out.append((1, Rep(value, ((info.name, text),), f"{info.name} {text}")))
    if dates is not None:  # exact ages from two dates matter only where a month threshold's days are uncertain
        start_name, end_name = dates
        seen: set[tuple[int, int]] = set()
        for d in sorted(w for w in day_windows if w >= 0 and first <= w <= last):
            for start in _START_DATES:
                end = start + dt.timedelta(days=d)
                value = Duration.between(start, end)
                if (value.month_low, d) in seen or plausibility_problem(info, value) is not None:
                    continue
                seen.add((value.month_low, d))
                if end_name == "as_of":
                    rep = Rep(value, ((start_name, start.isoformat()),), f"{info.name} {value.text}", as_of=end)
                else:
                    rep = Rep(value, ((start_name, start.isoformat()), (end_name, end.isoformat())), f"{info.name} {value.text}")
                out.append((3, rep))
    return out
