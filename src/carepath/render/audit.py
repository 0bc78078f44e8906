"""Audit deviations as a rich table and as the audit document (docs/audit.md, "The audit contract")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from carepath.outcomes.audit import Audit, Deviation
from carepath.render.json import header
from carepath.render.terminal import cell
from carepath.runtime.engine import Provenance
from carepath.semantics.values import format_number


def deviation_document(deviation: Deviation) -> dict[str, Any]:
    place = deviation.place
    return {
        "patient": deviation.patient,
        "kind": deviation.kind.value,
        "title": deviation.kind.title,
        "decision": deviation.decision,
        "expected": deviation.expected,
        "actual": deviation.actual,
        "detail": deviation.detail,
        "day": deviation.day,
        "estimated": deviation.estimated,
        "where": None if place is None else {"file": place.file, "line": place.line, "column": place.column},
    }


def document(audit: Audit, provenance: Provenance, as_of: str) -> dict[str, Any]:
    """The audit document: the run contract's header, the tolerance and where it came from, who was audited,
    every deviation, and the records rejected."""
    return {
        **header(provenance),
        "as_of": as_of,
        "tolerance": {"percent": float(audit.tolerance), "source": audit.tolerance_source},
        "patients": list(audit.patients),
        "without_care": list(audit.without_care),
        "deviations": [deviation_document(d) for d in audit.deviations],
        "invalid": [{"id": r.id, "errors": [e.message for e in r.errors]} for r in audit.results if r.status == "invalid"],
    }


def _where(deviation: Deviation) -> str:
    """`file.yaml:48`: the file's name and line (the JSON document has the whole path and the column)."""
    place = deviation.place
    if place is None or place.file is None:
        return ""
    return f"{Path(place.file).name}:{place.line}" if place.line is not None else Path(place.file).name


def table(audit: Audit, provenance: Provenance) -> Group:
    named = f"{provenance.protocol} {provenance.version}" if provenance.version else provenance.protocol
    count = len(audit.deviations)
    result = Table(title=f"audit · {named} · {len(audit.patients)} patients, {count} deviation{'s' * (count != 1)}", title_justify="left")
    for column in ("patient", "deviation", "decision", "protocol", "done", "detail"):
        result.add_column(column)
    result.add_column("recorded at", no_wrap=True)
    for d in audit.deviations:
        day = f"day {d.day}: " if d.day is not None else ""
        detail = "; ".join(part for part in (d.detail, "estimated (see the record)" if d.estimated else None) if part)
        result.add_row(*map(cell, (d.patient,)), Text(d.kind.title, style="yellow"),  # data as text: never markup or terminal control
                       *map(cell, (d.decision, d.expected, day + d.actual, detail, _where(d))))
    lines: list[Table | Text] = [result]
    lines.append(Text(f"dose tolerance {format_number(audit.tolerance)} % ({audit.tolerance_source})", style="dim"))
    if audit.without_care:
        lines.append(cell(f"no follow-up or care recorded: {', '.join(audit.without_care)}", style="dim"))
    return Group(*lines)


__all__ = ["deviation_document", "document", "table"]
