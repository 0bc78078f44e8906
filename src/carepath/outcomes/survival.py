"""Grouped patients' follow-up → Kaplan–Meier curves (lifelines), Greenwood standard errors, numbers at risk,
the estimate at a chosen time, and a log-rank test between the determined groups.

Times are months from diagnosis (`data.followup`). A patient without follow-up for the endpoint is listed, never
silently left out; one whose grouping decision is undetermined is a group of its own.
"""

from __future__ import annotations

import enum
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from carepath.data.followup import Endpoint
from carepath.outcomes.groups import INVALID, UNDETERMINED, Member


class EndpointKind(enum.Enum):
    """Event-free survival (relapse or death) or overall survival (death)."""

    EFS = "efs"
    OS = "os"

    @property
    def title(self) -> str:
        return "event-free survival" if self is EndpointKind.EFS else "overall survival"


@dataclass(frozen=True, slots=True)
class Point:
    """The curve after one time at which something happened: at risk just before, events, censored, S(t) and its
    Greenwood standard error."""

    months: float
    at_risk: int
    events: int
    censored: int
    survival: float
    se: float


@dataclass(frozen=True, slots=True)
class Estimate:
    """S(t) at a chosen time: the step in force then, its standard error, and who was still at risk."""

    months: float
    survival: float
    se: float
    at_risk: int
    beyond_follow_up: bool  # the time lies past the group's last follow-up: the curve is not known there


@dataclass(frozen=True, slots=True)
class Curve:
    group: str
    patients: tuple[str, ...]
    times: tuple[tuple[float, bool], ...]  # (months, event) per patient, in `patients` order
    points: tuple[Point, ...]
    estimated: int  # patients whose time is marked estimated

    @property
    def size(self) -> int:
        return len(self.patients)

    @property
    def events(self) -> int:
        return sum(event for _, event in self.times)

    def at(self, months: float) -> Estimate:
        """The Kaplan–Meier estimate at `months`: the last step at or before it."""
        survival, se = 1.0, 0.0
        for point in self.points:
            if point.months > months:
                break
            survival, se = point.survival, point.se
        at_risk = sum(1 for time, _ in self.times if time >= months)
        last = max((time for time, _ in self.times), default=0.0)
        return Estimate(months, survival, se, at_risk, months > last and survival > 0)

    def at_risk(self, months: float) -> int:
        return sum(1 for time, _ in self.times if time >= months)


@dataclass(frozen=True, slots=True)
class LogRank:
    """The log-rank test between the named groups (chi-square statistic, degrees of freedom, P)."""

    groups: tuple[str, ...]
    statistic: float
    df: int
    p: float


@dataclass(frozen=True, slots=True)
class Survival:
    endpoint: EndpointKind
    by: str | None
    overall: Curve
    groups: tuple[Curve, ...]
    logrank: LogRank | None
    unfollowed: tuple[str, ...]  # patients without follow-up for this endpoint
    invalid: tuple[str, ...]  # records with errors, which no curve can hold
    estimated: tuple[tuple[str, str], ...]  # (patient, why its time is estimated)


def endpoint_of(member: Member, endpoint: EndpointKind) -> Endpoint | None:
    care = member.record.care if member.record is not None else None
    if care is None:
        return None
    return care.event_free() if endpoint is EndpointKind.EFS else care.overall()


def curve(group: str, followed: Sequence[tuple[str, Endpoint]]) -> Curve:
    """One Kaplan–Meier curve, fitted by lifelines; the Greenwood variance summed over its event table."""
    patients = tuple(pid for pid, _ in followed)
    times = tuple((e.months, e.event) for _, e in followed)
    estimated = sum(1 for _, e in followed if e.estimated)
    if not followed:
        return Curve(group, patients, times, (), estimated)
    from lifelines import KaplanMeierFitter  # type: ignore[import-untyped]

    fitter = KaplanMeierFitter().fit([t for t, _ in times], [int(e) for _, e in times])
    table = fitter.event_table
    points = []
    greenwood = 0.0
    survival = 1.0
    for months, row in table.iterrows():
        at_risk, events, censored = int(row["at_risk"]), int(row["observed"]), int(row["censored"])
        if events == 0 and censored == 0:
            continue
        if events:
            survival *= 1 - events / at_risk
            greenwood += events / (at_risk * (at_risk - events)) if at_risk > events else math.inf
        se = survival * math.sqrt(greenwood) if survival > 0 and math.isfinite(greenwood) else 0.0
        points.append(Point(float(months), at_risk, events, censored, survival, se))
    return Curve(group, patients, times, tuple(points), estimated)


def logrank(curves: Sequence[Curve]) -> LogRank | None:
    """Between every group with a patient; None with fewer than two such groups or no event at all."""
    used = [c for c in curves if c.size]
    if len(used) < 2 or not any(c.events for c in used):
        return None
    from lifelines.statistics import multivariate_logrank_test  # type: ignore[import-untyped]

    durations = [t for c in used for t, _ in c.times]
    events = [int(e) for c in used for _, e in c.times]
    labels = [c.group for c in used for _ in c.times]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = multivariate_logrank_test(durations, labels, events)
    return LogRank(tuple(c.group for c in used), float(result.test_statistic), int(result.degrees_of_freedom), float(result.p_value))


def survival(members: Sequence[Member], endpoint: EndpointKind, by: str | None, order: Sequence[str]) -> Survival:
    """Curves for all followed patients and for each group in `order`; the log-rank test leaves out the
    undetermined group (a test of the rule's groups), which is still drawn and counted."""
    followed: dict[str, list[tuple[str, Endpoint]]] = {group: [] for group in order if group != INVALID}
    everyone: list[tuple[str, Endpoint]] = []
    unfollowed, invalid, estimated = [], [], []
    for member in members:
        pid = member.id if member.id is not None else "?"
        if member.group == INVALID:
            invalid.append(pid)
            continue
        point = endpoint_of(member, endpoint)
        if point is None:
            unfollowed.append(pid)
            continue
        followed.setdefault(member.group, []).append((pid, point))
        everyone.append((pid, point))
        if point.estimated:
            estimated.append((pid, point.estimated))
    groups = tuple(curve(group, items) for group, items in followed.items()) if by is not None else ()
    test = logrank([c for c in groups if c.group != UNDETERMINED]) if groups else None
    return Survival(endpoint, by, curve("all", everyone), groups, test, tuple(unfollowed), tuple(invalid), tuple(estimated))


__all__ = ["Curve", "EndpointKind", "Estimate", "LogRank", "Point", "Survival", "curve", "endpoint_of", "logrank", "survival"]
