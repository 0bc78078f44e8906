"""A comparison of two protocols as a JSON document (the compare contract) and as rich tables."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from carepath.render import escape
from carepath.render.json import ENGINE_NAME, result_document
from carepath.render.terminal import cell
from carepath.render.words import why_text
from carepath.runtime.compare import INVALID, Comparison, PatientComparison, Side, word
from carepath.runtime.engine import Provenance, Result

# ---- JSON ----------------------------------------------------------------------------------


def _protocol(provenance: Provenance) -> dict[str, Any]:
    return {"name": provenance.protocol, "version": provenance.version, "sha256": provenance.sha256}


def _side_document(result: Result) -> dict[str, Any]:
    """A result as in the run contract, without the id, which the patient entry carries once."""
    document = result_document(result)
    del document["id"]
    return document


def document(comparison: Comparison) -> dict[str, Any]:
    """The compare contract: fixed key order, record order, transitions in a fixed order; no timestamps."""
    return {
        "protocols": {"a": _protocol(comparison.a.provenance), "b": _protocol(comparison.b.provenance)},
        "engine": {"name": ENGINE_NAME, "version": comparison.a.provenance.engine_version},
        "as_of": comparison.as_of.isoformat(),
        "patients": [
            {"id": p.id, "a": _side_document(p.a), "b": _side_document(p.b), "changed": list(p.changed)}
            for p in comparison.patients
        ],
        "summary": {
            decision: {"transitions": [
                {"from": t.before, "to": t.after, "count": t.count, "patients": list(t.patients)} for t in transitions
            ]}
            for decision, transitions in comparison.summary.items()
        },
    }


# ---- tables --------------------------------------------------------------------------------

_VALUE_STYLE = {"undetermined": "yellow", INVALID: "bold red"}


def _label(side: Side) -> str:
    p = side.provenance
    return f"{p.protocol} {p.version}" if p.version else p.protocol


def patients_table(comparison: Comparison) -> Table:
    """One row per record: each shared decision as `A → B` when it changes (one value when it does not),
    decisions only one protocol has, and each side's reasons, needs or errors."""
    count = len(comparison.patients)
    title = (f"A = {_label(comparison.a)} · B = {_label(comparison.b)} · {count} patient{'s' * (count != 1)}"
             f" · as of {comparison.as_of.isoformat()}")
    table = Table(title=cell(title), title_justify="left")
    table.add_column("patient", style="bold")
    for name in comparison.shared:
        table.add_column(name)  # decision names are the protocol's identifiers: no markup, no control character
    for name in comparison.only_a:
        table.add_column(f"{name} (A only)")
    for name in comparison.only_b:
        table.add_column(f"{name} (B only)")
    table.add_column("why in A")
    table.add_column("why in B")
    for patient in comparison.patients:
        cells: list[Text] = [_pair(patient, name) for name in comparison.shared]
        cells += [_value(word(patient.a, name)) for name in comparison.only_a]
        cells += [_value(word(patient.b, name)) for name in comparison.only_b]
        table.add_row(cell(escape.text(patient.id or "?")), *cells, cell(why_text(patient.a, comparison.a.fallbacks)),
                      cell(why_text(patient.b, comparison.b.fallbacks)))
    return table


def _value(text: str) -> Text:
    return cell(text, style=_VALUE_STYLE.get(text, ""))


def _pair(patient: PatientComparison, decision: str) -> Text:
    before, after = word(patient.a, decision), word(patient.b, decision)
    if before == after:
        return _value(before)
    text = Text()  # each value keeps its own colour: a Text's base style would spread to the arrow and to B
    text.append_text(_value(before))
    text.append(" → ")
    text.append_text(_value(after))
    text.stylize("bold")
    return text


def summary_table(comparison: Comparison) -> Table:
    """Per shared decision, every pair of values that occurs, with how many patients and which."""
    table = Table(title="Who changes", title_justify="left")
    table.add_column("decision", style="bold")
    table.add_column("A")
    table.add_column("B")
    table.add_column("patients", justify="right")
    table.add_column("which")
    for decision, transitions in comparison.summary.items():
        for index, t in enumerate(transitions):
            style = "bold" if t.changed else "dim"
            table.add_row(cell(decision if index == 0 else ""), _value(t.before), _value(t.after), Text(str(t.count), style=style),
                          cell(", ".join(escape.text(p or "?") for p in t.patients), style=style), end_section=index == len(transitions) - 1)
    return table


def footer(comparison: Comparison) -> Text:
    """Counts, then provenance, as the run table ends."""
    total = len(comparison.patients)
    changes = ", ".join(f"{name} {sum(t.count for t in transitions if t.changed)}" for name, transitions in comparison.summary.items())
    invalid_a = sum(p.a.status == INVALID for p in comparison.patients)
    invalid_b = sum(p.b.status == INVALID for p in comparison.patients)
    a, b = comparison.a.provenance, comparison.b.provenance
    return cell(f"{total} patient{'s' * (total != 1)} · changed: {changes or 'no shared decisions'} · invalid: {invalid_a} in A, {invalid_b} in B\n"
                f"A {a.protocol} sha256 {a.sha256[:12]} · B {b.protocol} sha256 {b.sha256[:12]} · carepath {a.engine_version}", style="dim")


def tables(comparison: Comparison) -> Group:
    parts: list[Table | Text] = [patients_table(comparison)]
    if comparison.summary:
        parts.append(summary_table(comparison))
    parts.append(footer(comparison))
    return Group(*parts)
