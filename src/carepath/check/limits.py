"""The checker's part for a dose's reference limits and a recommendation's deadline.

A limit's amount is resolved like a dose amount (into the dose's unit); per day and per course it is compared
with the dose times the administrations the schedule gives in that period, so the schedule must count them.
"""

from __future__ import annotations

from fractions import Fraction

from carepath.check.clinical import dose_amount
from carepath.check.resolver import Resolver
from carepath.ir import program as p
from carepath.language import nodes as n
from carepath.semantics.types import Kind, Type


def per_day(schedule: n.Schedule | None) -> Fraction | None:
    """Administrations a day by the schedule's frequency, or None when it does not say (no schedule, continuously)."""
    if schedule is None or schedule.frequency is n.Frequency.CONTINUOUSLY:
        return None
    match schedule.frequency:
        case n.Frequency.TIMES_DAILY:
            return schedule.count
        case n.Frequency.EVERY_HOURS:
            return None if not schedule.count else Fraction(24) / schedule.count
        case _:
            return Fraction(1)


def dose_limits(resolver: Resolver, dose: n.Dose, target: Type, days: tuple[int, ...] | None) -> tuple[p.DoseLimit, ...]:
    """Each `limit` of the dose, checked: its amount in the dose's unit and how many doses its period holds."""
    name = dose.name.name
    daily = per_day(dose.schedule)
    once = dose.schedule is not None and dose.schedule.frequency is n.Frequency.ONCE
    out: list[p.DoseLimit] = []
    for limit in dose.limits:
        condition = None if limit.condition is None else resolver.condition(limit.condition)
        amount = dose_amount(resolver, limit.amount, target, f"the limit of dose '{name}'")
        administrations: Fraction | None = Fraction(1)
        if limit.period is n.LimitPeriod.DAY:
            administrations = Fraction(1) if once else daily
        elif limit.period is n.LimitPeriod.COURSE:
            administrations = Fraction(1) if once else None if daily is None or days is None else daily * len(days)
        if administrations is None or administrations.denominator != 1:
            resolver.error("CP310", f"a limit per {limit.period.value} on '{name}' needs a schedule that says how many doses a "
                           f"{limit.period.value} holds", limit.span,
                           "give the dose a schedule such as 'given 4 times daily on days -7 to -4'")
            continue
        if amount is None:
            continue
        text = f"{n.expr_text(limit.amount)} per {limit.period.value}"
        if limit.condition is not None:
            text += f" when {n.expr_text(limit.condition)}"
        out.append(p.DoseLimit(limit.period, condition, amount, int(administrations), text, limit.citation, limit.span))
    return tuple(out)


def deadline(resolver: Resolver, recommendation: n.Recommendation) -> p.Deadline | None:
    """`due within N months|days of DATE_INPUT`: whole months or days from a date the record gives."""
    spec = recommendation.deadline
    if spec is None:
        return None
    anchor = resolver.inputs.get(spec.anchor.name)
    within = spec.within
    if not isinstance(within, n.QuantityLiteral) or within.value.denominator != 1 or within.value <= 0 or \
            within.unit not in ("day", "days", "week", "weeks", "month", "months", "year", "years"):
        resolver.error("CP311", f"the deadline of '{recommendation.name.name}' is a whole number of days, weeks, months or years, 1 or more",
                       spec.within.span, "write e.g. 'due within 6 months of date_of_diagnosis'")
        return None
    if anchor is None or anchor.type.kind is not Kind.DATE:
        dates = [i.name for i in resolver.inputs.values() if i.type.kind is Kind.DATE]
        resolver.error("CP311", f"the deadline of '{recommendation.name.name}' counts from '{spec.anchor.name}', which is not a date input",
                       spec.anchor.span, f"count from one of: {', '.join(dates)}" if dates else "declare a date input to count from")
        return None
    count = int(within.value)
    months = within.unit.startswith(("month", "year"))
    amount = count * (12 if within.unit.startswith("year") else 7 if within.unit.startswith("week") else 1)
    return p.Deadline(amount, "months" if months else "days", f"{count} {within.unit}", anchor.name, anchor.slot, spec.citation)
