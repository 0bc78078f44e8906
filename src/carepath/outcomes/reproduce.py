"""Published figures against the survival estimates: for each figure a records file's `published:` section
holds that matches the estimate asked for (endpoint, grouping, protocol, time), what the data give, and whether
that reproduces the printed figure to its printed decimals; a figure that does not carries its note saying why.
"""

from __future__ import annotations

from dataclasses import dataclass

from carepath.data.followup import months_of
from carepath.data.published import Figure, Published
from carepath.outcomes.survival import Survival


@dataclass(frozen=True, slots=True)
class Check:
    figure: Figure
    computed: str  # what the data give, printed as the figure is
    reproduces: bool


def _estimate(figure: Figure, survival: Survival, at: float) -> Check | None:
    assert figure.survival is not None and figure.se is not None
    wanted = figure.group or "all"
    curve = survival.overall if wanted == "all" and figure.by is None else next((c for c in survival.groups if c.group == wanted), None)
    if curve is None or not curve.size:
        return Check(figure, f"no group '{wanted}'", False)
    point = curve.at(at)
    s, se = point.survival * 100, point.se * 100
    same = figure.survival.matches(s) and figure.se.matches(se)
    return Check(figure, f"{s:.1f} ± {se:.1f} %", same)


def check(published: Published | None, survival: Survival, protocol: str, at: float | None) -> list[Check]:
    """The figures that speak of these estimates, each with what the data give."""
    if published is None:
        return []
    checks = []
    for figure in published.figures:
        if figure.endpoint != survival.endpoint.value or figure.by != survival.by or figure.protocol not in (None, protocol):
            continue
        if figure.p is not None:
            test = survival.logrank
            computed = f"P = {test.p:.{max(figure.p.decimals, 3)}f}" if test is not None else "no log-rank test"
            checks.append(Check(figure, computed, test is not None and figure.p.matches(test.p)))
            continue
        months = months_of(figure.at) if figure.at is not None else None
        if at is None or months is None or abs(months - at) > 1e-9:
            continue
        found = _estimate(figure, survival, at)
        if found is not None:
            checks.append(found)
    return checks


def lines(published: Published | None, checks: list[Check]) -> list[str]:
    """One line per figure: printed against computed, and the note when it does not reproduce."""
    source = published.source if published is not None and published.source else "the publication"
    out = []
    for c in checks:
        f = c.figure
        what = f"log-rank P by {f.by}" if f.p is not None else f"group {f.group or 'all'} at {f.at}"
        where = f" ({f.where})" if f.where else ""
        verdict = "reproduces" if c.reproduces else "does not reproduce" + (f": {f.note}" if f.note else "")
        out.append(f"{source}{where}, {what}: printed {f.printed}, the data give {c.computed}: {verdict}")
    return out


__all__ = ["Check", "check", "lines"]
