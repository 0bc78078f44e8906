"""Parse-tree → node builders for the clinical clauses: a dose's reference limits and a recommendation's deadline.

The parser's transformer takes these methods into its own class body, so lark calls them with the node's
position (`meta`) like every other builder; this module itself never sees lark.
"""

from __future__ import annotations

from typing import Any

from carepath.language import nodes as n
from carepath.language.source import Span


def _span(meta: Any) -> Span:
    if getattr(meta, "empty", True):
        return n.NO_SPAN
    return Span(meta.line, meta.column, meta.end_line, meta.end_column)


def _text(token: Any) -> str:
    return str(token)[1:-1].replace('\\"', '"').replace("\\\\", "\\")


def _cited(children: list[Any]) -> str | None:
    return next((c[1] for c in children if isinstance(c, tuple) and c and c[0] == "cites"), None)


class ClauseNodes:
    """Builders for `limit … per dose|day|course [when …] cites "…"` and `due within … of NAME [cites "…"]`."""

    def dose_limit(self, meta: Any, children: list[Any]) -> n.DoseLimit:
        amount, period, *rest = children
        condition = next((c for c in rest if not isinstance(c, tuple)), None)
        return n.DoseLimit(amount, period, condition, _cited(rest), _span(meta))

    def per_dose(self, meta: Any, children: list[Any]) -> n.LimitPeriod:
        return n.LimitPeriod.DOSE

    def per_day(self, meta: Any, children: list[Any]) -> n.LimitPeriod:
        return n.LimitPeriod.DAY

    def per_course(self, meta: Any, children: list[Any]) -> n.LimitPeriod:
        return n.LimitPeriod.COURSE

    def deadline(self, meta: Any, children: list[Any]) -> n.Deadline:
        within, anchor, *rest = children
        token_span = Span(anchor.line or 0, anchor.column or 0, anchor.end_line or 0, anchor.end_column or 0)
        return n.Deadline(within, n.Name(str(anchor), token_span), _cited(rest), _span(meta))
