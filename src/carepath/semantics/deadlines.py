"""Deadlines on recommendations: when one falls due, and whether care given at a known time met it.

A deadline is a whole number of months or days (`base`) from a date, as `due within 6 months of
date_of_diagnosis` declares it. `deadline_status` is the one comparison every report uses (`explain`, and an
audit of actual care): given the time from the anchor to the event, met or overdue and by how much. The time
may be known only within bounds (ages in completed months make a difference of two ages uncertain by up to
a month either way), and then the answer is undetermined when the bounds straddle the deadline.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol

from carepath.semantics.values import add_months, format_number

__all__ = ["DeadlineLike", "DeadlineOutcome", "DeadlineStatus", "deadline_status", "due_date"]


class DeadlineLike(Protocol):
    """What the functions read of a deadline (the checked program's `Deadline` is one)."""

    @property
    def within(self) -> int: ...

    @property
    def base(self) -> str: ...  # "months" or "days"


class DeadlineOutcome(enum.Enum):
    MET = "met"
    OVERDUE = "overdue"
    UNDETERMINED = "undetermined"


@dataclass(frozen=True, slots=True)
class DeadlineStatus:
    """Met, overdue or undetermined; `over_low`..`over_high` is the time past the deadline (negative: to spare), in `base`."""

    outcome: DeadlineOutcome
    within: int
    base: str
    over_low: Fraction
    over_high: Fraction

    def __str__(self) -> str:
        def amount(value: Fraction) -> str:
            return f"{format_number(value)} {self.base if value != 1 else self.base.rstrip('s')}"

        deadline = f"the deadline of {self.within} {self.base}"
        spread = self.over_low != self.over_high
        match self.outcome:
            case DeadlineOutcome.MET:
                spare = -self.over_high if not spread else None
                return f"met {deadline}" + (f", with {amount(spare)} to spare" if spare else "")
            case DeadlineOutcome.OVERDUE:
                by = amount(self.over_low) if not spread else f"{format_number(self.over_low)} to {amount(self.over_high)}"
                return f"overdue: {by} past {deadline}"
            case DeadlineOutcome.UNDETERMINED:
                return (f"undetermined: between {amount(-self.over_low) if self.over_low < 0 else amount(self.over_low)} "
                        f"{'before' if self.over_low < 0 else 'after'} and {amount(self.over_high)} after {deadline}")


def deadline_status(deadline: DeadlineLike, low: Fraction | int, high: Fraction | int | None = None, *,
                    open_bounds: bool = False) -> DeadlineStatus:
    """Whether an event `low`..`high` (in the deadline's base, from its anchor) met the deadline.

    Exactly at the deadline is met ("within 6 months" includes 6 months). With `open_bounds` the bounds
    themselves are excluded: a difference of two ages in completed months, 5, lies strictly between 4 and 6.
    """
    low = Fraction(low)
    high = low if high is None else Fraction(high)
    if high < low:
        raise ValueError(f"the time runs backwards: {low} .. {high}")
    within = deadline.within
    if high <= within:
        outcome = DeadlineOutcome.MET
    elif low > within or (open_bounds and low >= within):
        outcome = DeadlineOutcome.OVERDUE
    else:
        outcome = DeadlineOutcome.UNDETERMINED
    return DeadlineStatus(outcome, within, deadline.base, low - within, high - within)


def due_date(deadline: DeadlineLike, anchor: dt.date) -> dt.date:
    """The last day on which the deadline is met: `within` months (calendar months, clamped to the month's end) or days."""
    if deadline.base == "months":
        return add_months(anchor, deadline.within)
    return anchor + dt.timedelta(days=deadline.within)
