"""A run, its audit and its outcomes → one self-contained HTML report (Jinja2, autoescaped): styles, script
and the survival plot inline, nothing fetched from the network. The why / why-not trees are the explain
documents the terminal's `explain --format json` prints (`render.json.explain_document`).
"""

from __future__ import annotations

import base64
from collections import Counter
from dataclasses import dataclass
from typing import Any

from carepath.compile.compiler import CompiledProtocol
from carepath.ir.program import Classification, Dose
from carepath.outcomes.audit import Audit
from carepath.outcomes.survival import Survival
from carepath.render.audit import deviation_document
from carepath.render.json import explain_document
from carepath.render.outcomes import estimate_text, notes
from carepath.render.words import why_text
from carepath.runtime.engine import Run
from carepath.semantics.trace import decision_text


@dataclass(frozen=True, slots=True)
class Outcomes:
    """What the report shows of survival: the estimates, the PNG, and the time asked for."""

    survival: Survival
    png: bytes | None
    at: tuple[str, float] | None
    published: tuple[str, ...] = ()  # printed figures against what the data give (outcomes.reproduce.lines)


def _environment() -> Any:
    from jinja2 import Environment, PackageLoader

    return Environment(loader=PackageLoader("carepath.render", "templates"), autoescape=True,
                       trim_blocks=True, lstrip_blocks=True)


def _summary(run: Run, names: list[str]) -> dict[str, Any]:
    statuses = Counter(r.status for r in run.results)
    values = {name: Counter(decision_text(r.decisions.get(name)) for r in run.results if r.status != "invalid") for name in names}
    return {"statuses": {s: statuses.get(s, 0) for s in ("ok", "undetermined", "invalid")},
            "values": {name: sorted(counts.items()) for name, counts in values.items()}}


def _outcomes(outcomes: Outcomes | None) -> dict[str, Any] | None:
    if outcomes is None:
        return None
    s = outcomes.survival
    months = outcomes.at[1] if outcomes.at else None
    curves = [{"group": c.group, "size": c.size, "events": c.events, "estimate": estimate_text(c, months), "patients": ", ".join(c.patients)}
              for c in (s.overall, *s.groups)]
    return {
        "title": s.endpoint.title + (f" by {s.by}" if s.by else ""),
        "at": outcomes.at[0] if outcomes.at else "last follow-up",
        "curves": curves,
        "notes": [*notes(s), *outcomes.published],
        "png": base64.b64encode(outcomes.png).decode("ascii") if outcomes.png else None,
    }


def render(compiled: CompiledProtocol, run: Run, audit: Audit, outcomes: Outcomes | None, records: list[str]) -> str:
    """The report as HTML text; `run` must be traced (each result's steps are its why / why-not trees)."""
    checked = compiled.checked
    names = [d.name for d in compiled.decisions]
    fallbacks = {d.name: d.branches[-1].name for d in compiled.decisions
                 if isinstance(d, (Classification, Dose)) and d.branches and d.branches[-1].condition is None}
    rows = []
    for index, result in enumerate(run.results):
        rows.append({
            "index": index,
            "id": result.id if result.id is not None else "?",
            "status": result.status,
            "values": [decision_text(result.decisions.get(n)) if result.status != "invalid" else "" for n in names],
            "why": why_text(result, fallbacks),
        })
    patients = []
    for index, result in enumerate(run.results):
        explained = explain_document(run, result)
        for decision in explained["decisions"]:  # shown as the run table shows it: yes / no, 24 mg/d, undetermined
            value = result.decisions.get(decision["name"])
            decision["shown"] = decision_text(value) if value is not None else "undetermined"
        patients.append({"index": index, **explained})
    p = run.provenance
    context = {
        "protocol": {"name": p.protocol, "title": checked.title, "version": p.version, "sha256": p.sha256, "file": p.source,
                     "reference": checked.reference, "text": checked.source.text,
                     "parameters": [{"name": n, "value": v, "default": d, "overridden": o} for n, v, d, o in p.parameters]},
        "engine": p.engine_version,
        "as_of": run.as_of.isoformat(),
        "records": records,
        "names": names,
        "rows": rows,
        "summary": _summary(run, names),
        "patients": patients,
        "audit": {"tolerance": str(audit.tolerance), "source": audit.tolerance_source, "without_care": list(audit.without_care),
                  "deviations": [deviation_document(d) for d in audit.deviations]},
        "outcomes": _outcomes(outcomes),
    }
    return str(_environment().get_template("report.html.j2").render(**context))


__all__ = ["Outcomes", "render"]
