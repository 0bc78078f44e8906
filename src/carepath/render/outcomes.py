"""Survival estimates as a rich table (groups, events, the estimate at a time ± its Greenwood SE, numbers at
risk, the log-rank test) and as the JSON outcomes document (docs/outcomes.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from carepath.outcomes.reproduce import Check
from carepath.outcomes.survival import Curve, Survival
from carepath.render.json import header
from carepath.render.terminal import cell
from carepath.runtime.engine import Provenance

YEAR = 12.0


def percent(value: float) -> str:
    return f"{value * 100:.1f}"


def estimate_text(curve: Curve, months: float | None) -> str:
    """`66.7 ± 15.7 %` at `months` (the last step of the curve when no time is asked for)."""
    if not curve.size:
        return "no patients"
    point = curve.at(months if months is not None else max(t for t, _ in curve.times))
    text = f"{percent(point.survival)} ± {percent(point.se)} %"
    return text + " (past follow-up)" if point.beyond_follow_up else text


def risk_times(survival: Survival) -> list[float]:
    """Every 12 months from diagnosis to the longest follow-up: the columns of the numbers-at-risk table."""
    longest = max((t for t, _ in survival.overall.times), default=0.0)
    return [YEAR * k for k in range(int(longest // YEAR) + 1)]


def months_text(months: float) -> str:
    return f"{months:g}"


def table(survival: Survival, provenance: Provenance, at: tuple[str, float] | None, published: Sequence[str] = ()) -> Group:
    """The curves' summary for a terminal: one row per group, the whole cohort first."""
    named = f"{provenance.protocol} {provenance.version}" if provenance.version else provenance.protocol
    by = f" by {survival.by}" if survival.by else ""
    heading = f"at {at[0]}" if at else "at last follow-up"
    times = risk_times(survival)
    result = Table(title=f"{survival.endpoint.title}{by} · {named}", title_justify="left")
    for column in ("group", "patients", "events", heading, "at risk at " + ", ".join(months_text(t) for t in times) + " months", "ids"):
        result.add_column(column)
    curves = [survival.overall, *survival.groups]
    for curve in curves:
        at_risk = " · ".join(str(curve.at_risk(t)) for t in times)
        result.add_row(*map(cell, (curve.group, str(curve.size), str(curve.events), estimate_text(curve, at[1] if at else None), at_risk,
                                  ", ".join(curve.patients))))  # data as text: never markup or terminal control
    lines: list[Text | Table] = [result]
    for line in [*notes(survival), *published]:
        lines.append(cell(line))  # notes name patients: their ids are data
    return Group(*lines)


def notes(survival: Survival) -> list[str]:
    """What a reader must know beside the numbers: the test, who is not in the curves, which times are estimated."""
    lines = []
    test = survival.logrank
    if test is not None:
        lines.append(f"log-rank ({' vs '.join(test.groups)}): chi-square {test.statistic:.3f}, {test.df} df, P = {test.p:.3f}")
    elif survival.by:
        lines.append("log-rank: not computed (fewer than two groups with patients, or no event)")
    if any(c.group == "undetermined" and c.size for c in survival.groups):
        lines.append("the undetermined group is drawn and counted, and left out of the log-rank test")
    if survival.unfollowed:
        lines.append(f"no follow-up for {survival.endpoint.value}: {', '.join(survival.unfollowed)} (not in any curve)")
    if survival.invalid:
        lines.append(f"invalid records (not in any curve): {', '.join(survival.invalid)}")
    if survival.estimated:
        count, total = len(survival.estimated), survival.overall.size
        lines.append(f"times marked estimated: {count} of {total} patients ({', '.join(pid for pid, _ in survival.estimated)}); "
                     "see each record's follow_up for how")
    return lines


def curve_document(curve: Curve, at: float | None, times: list[float]) -> dict[str, Any]:
    document: dict[str, Any] = {"group": curve.group, "patients": list(curve.patients), "size": curve.size, "events": curve.events}
    if at is not None and curve.size:
        point = curve.at(at)
        document["estimate"] = {"months": point.months, "survival": round(point.survival, 6), "se": round(point.se, 6),
                                "at_risk": point.at_risk, "beyond_follow_up": point.beyond_follow_up}
    document["at_risk"] = [{"months": t, "at_risk": curve.at_risk(t)} for t in times]
    document["steps"] = [{"months": p.months, "at_risk": p.at_risk, "events": p.events, "censored": p.censored,
                          "survival": round(p.survival, 6), "se": round(p.se, 6)} for p in curve.points]
    return document


def check_document(check: Check) -> dict[str, Any]:
    f = check.figure
    return {"group": f.group if f.p is None else None, "at": f.at if f.p is None else None, "logrank": f.p is not None, "printed": f.printed,
            "computed": check.computed, "reproduces": check.reproduces, "where": f.where, "note": f.note}


def document(survival: Survival, provenance: Provenance, at: tuple[str, float] | None, as_of: str, checks: Sequence[Check] = ()) -> dict[str, Any]:
    """The outcomes document: the header of the run contract, then the curves, the test and who is not in them."""
    times = risk_times(survival)
    months = at[1] if at else None
    test = survival.logrank
    return {
        **header(provenance),
        "as_of": as_of,
        "endpoint": survival.endpoint.value,
        "by": survival.by,
        "at": {"text": at[0], "months": at[1]} if at else None,
        "overall": curve_document(survival.overall, months, times),
        "groups": [curve_document(c, months, times) for c in survival.groups],
        "logrank": {"groups": list(test.groups), "statistic": round(test.statistic, 6), "df": test.df, "p": round(test.p, 6)} if test else None,
        "unfollowed": list(survival.unfollowed),
        "invalid": list(survival.invalid),
        "estimated": [{"patient": pid, "how": how} for pid, how in survival.estimated],
        "published": [check_document(c) for c in checks],
    }


__all__ = ["check_document", "curve_document", "document", "estimate_text", "notes", "percent", "risk_times", "table"]
