"""Survival curves as a PNG (matplotlib, Agg backend: no display needed): Kaplan–Meier steps per group, censor
marks, and the numbers at risk in a table under the axis."""

from __future__ import annotations

import io

from carepath.outcomes.survival import Curve, Survival
from carepath.render.outcomes import months_text, risk_times


def _steps(curve: Curve) -> tuple[list[float], list[float]]:
    xs, ys = [0.0], [1.0]
    for point in curve.points:
        if point.events:
            xs.append(point.months)
            ys.append(point.survival)
    last = max((t for t, _ in curve.times), default=0.0)
    xs.append(max(last, xs[-1]))
    ys.append(ys[-1])
    return xs, ys


def _censored(curve: Curve) -> tuple[list[float], list[float]]:
    xs, ys = [], []
    for time, event in curve.times:
        if event:
            continue
        xs.append(time)
        ys.append(curve.at(time).survival)
    return xs, ys


def png(survival: Survival, title: str) -> bytes:
    """The figure as PNG bytes: one curve per group (the whole cohort alone when not grouped)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.transforms import Bbox

    curves = list(survival.groups) or [survival.overall]
    times = risk_times(survival)
    figure = Figure(figsize=(7.5, 4.4 + 0.3 * len(curves)), dpi=100)
    axis = figure.add_subplot(1, 1, 1)
    for curve in curves:
        if not curve.size:
            continue
        xs, ys = _steps(curve)
        (line,) = axis.step(xs, [100 * y for y in ys], where="post", label=f"{curve.group} (n={curve.size}, events={curve.events})")
        cx, cy = _censored(curve)
        axis.plot(cx, [100 * y for y in cy], linestyle="none", marker="+", markersize=10, color=line.get_color())
    axis.set_ylim(-2, 102)
    axis.set_xlim(0, max(times[-1] if times else 12.0, max((t for t, _ in survival.overall.times), default=0.0)) + 1)
    axis.set_xticks(times)
    axis.set_ylabel(f"{survival.endpoint.title} (%)")
    axis.set_xlabel("months from diagnosis   (+: censored)")
    axis.set_title(title, fontsize=10)
    if any(c.size for c in curves):
        axis.legend(loc="lower left", fontsize=8)
    axis.grid(alpha=0.3)
    rows = [[str(c.at_risk(t)) for t in times] for c in curves]
    table = axis.table(cellText=rows, rowLabels=[c.group for c in curves], colLabels=[months_text(t) for t in times],
                       loc="bottom", bbox=Bbox.from_bounds(0.0, -0.26 - 0.07 * len(curves), 1.0, 0.07 + 0.07 * len(curves)), cellLoc="center")
    table.set_fontsize(8)
    axis.text(-0.02, -0.14, "at risk", transform=axis.transAxes, ha="right", fontsize=8)
    figure.subplots_adjust(left=0.16, bottom=0.30 + 0.045 * len(curves), top=0.92)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight", pad_inches=0.15)
    return buffer.getvalue()


__all__ = ["png"]
