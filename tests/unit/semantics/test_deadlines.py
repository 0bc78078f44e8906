"""Deadlines: due dates by calendar months or days, and met / overdue / undetermined for exact or bounded times."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

import pytest

from carepath.semantics.deadlines import DeadlineOutcome, deadline_status, due_date


@dataclass(frozen=True)
class Within:
    within: int
    base: str


SIX_MONTHS = Within(6, "months")


@pytest.mark.parametrize(("low", "high", "open_bounds", "outcome"), [
    (5, None, False, DeadlineOutcome.MET),
    (6, None, False, DeadlineOutcome.MET),  # exactly at the deadline is within it
    (Fraction(61, 10), None, False, DeadlineOutcome.OVERDUE),
    (4, 6, True, DeadlineOutcome.MET),  # transplant 5 completed months after: strictly between 4 and 6
    (5, 7, True, DeadlineOutcome.UNDETERMINED),
    (6, 8, True, DeadlineOutcome.OVERDUE),  # strictly more than 6
    (6, 8, False, DeadlineOutcome.UNDETERMINED),  # 6 itself possible
    (12, 14, True, DeadlineOutcome.OVERDUE),
])
def test_met_overdue_or_undetermined(low: int | Fraction, high: int | None, open_bounds: bool, outcome: DeadlineOutcome) -> None:
    assert deadline_status(SIX_MONTHS, low, high, open_bounds=open_bounds).outcome is outcome


def test_how_much_past_or_to_spare() -> None:
    late = deadline_status(SIX_MONTHS, 12, 14, open_bounds=True)
    assert (late.over_low, late.over_high) == (6, 8)
    assert str(late) == "overdue: 6 to 8 months past the deadline of 6 months"
    assert str(deadline_status(SIX_MONTHS, 7)) == "overdue: 1 month past the deadline of 6 months"
    assert str(deadline_status(SIX_MONTHS, 4)) == "met the deadline of 6 months, with 2 months to spare"
    assert str(deadline_status(SIX_MONTHS, 5, 7, open_bounds=True)) == \
        "undetermined: between 1 month before and 1 month after the deadline of 6 months"


def test_a_time_running_backwards_is_refused() -> None:
    with pytest.raises(ValueError, match="backwards"):
        deadline_status(SIX_MONTHS, 7, 5)


def test_due_dates_count_calendar_months_or_days() -> None:
    assert due_date(SIX_MONTHS, dt.date(2008, 5, 31)) == dt.date(2008, 11, 30)  # clamped to the month's end
    assert due_date(SIX_MONTHS, dt.date(2008, 1, 15)) == dt.date(2008, 7, 15)
    assert due_date(Within(30, "days"), dt.date(2008, 1, 15)) == dt.date(2008, 2, 14)
