"""How a table words a result's reasons: shared by the run table and the compare table, so they never differ."""

from __future__ import annotations

from collections.abc import Mapping

from carepath.render import escape
from carepath.runtime.engine import Result
from carepath.semantics.trace import reason_text

_ERRORS_SHOWN = 20  # a record's errors a table cell lists; a cell of thousands of lines takes rich minutes to lay out


def why_text(result: Result, fallbacks: Mapping[str, str]) -> str:
    """Reasons per decision (a criterion that failed reads `not …`, a decision its value), then what is needed.

    `fallbacks` names each classification's `otherwise` branch, for results that carry no reason outcomes
    (built without a trace): the reasons of an `otherwise` are then the criteria that failed.
    """
    if result.status == "invalid":
        shown = [escape.text(e.message) for e in result.errors[:_ERRORS_SHOWN]]
        more = len(result.errors) - _ERRORS_SHOWN
        return "\n".join(shown + ([f"… and {more:,} more errors, each listed after the table"] if more > 0 else []))
    parts = []
    for name, why in result.reasons.items():
        held = (result.reason_outcomes or {}).get(name)
        if why and held is not None:
            parts.append(f"{name}: " + ", ".join(reason_text(w, h) for w, h in zip(why, held, strict=True)))
        elif why and fallbacks.get(name) is not None and result.decisions.get(name) == fallbacks[name]:
            parts.append(f"{name}: " + ", ".join(f"not {w}" for w in why))
        elif why:
            parts.append(f"{name}: {', '.join(why)}")
    if result.needs:
        parts.append("needs " + ", ".join(result.needs))
    return "\n".join(parts)
