"""Results as a rich table and explanations as rich trees, for people at a terminal."""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from carepath.data.errors import RecordError
from carepath.render import escape
from carepath.render.words import why_text
from carepath.runtime.engine import Result, Run
from carepath.semantics.trace import Step, StepKind, needs
from carepath.semantics.trace import decision_text as value_text
from carepath.semantics.values import DoseValue

_MARK = {True: ("✔", "green"), False: ("✘", "red"), None: ("?", "yellow")}
_STATUS_STYLE = {"ok": "green", "undetermined": "yellow", "invalid": "bold red"}


def cell(value: object, style: str = "") -> Text:
    """Data as a table cell or label: escaped (`escape.lines`), and a `Text`, which rich never reads markup from."""
    return Text(escape.lines(value), style=style)


def run_table(run: Run, decision_names: list[str], fallbacks: dict[str, str] | None = None) -> Table:
    """One row per record. `fallbacks` names each classification's `otherwise` branch: its reasons are
    the criteria that failed, and the table says "not …" rather than list them as if they held."""
    p = run.provenance
    count = len(run.results)
    named = f"{p.protocol} {p.version}" if p.version else p.protocol
    table = Table(title=cell(f"{named} · {count} record{'s' * (count != 1)}"), title_justify="left")
    table.add_column("patient", style="bold")
    table.add_column("status")
    for name in decision_names:
        table.add_column(name)  # decision names are the protocol's identifiers: no markup, no control character
    table.add_column("why / what is needed")
    for result in run.results:
        cells = [cell(cell_text(result.decisions.get(n)) if result.status != "invalid" else "") for n in decision_names]
        table.add_row(cell(escape.text(result.id or "?")), Text(result.status, style=_STATUS_STYLE[result.status]), *cells,
                      cell(why_text(result, fallbacks or {})))
    return table


def cell_text(value: object) -> str:
    """A decision as a table cell: a dose above a reference limit is marked with how far above, per which period."""
    text = value_text(value)
    if isinstance(value, DoseValue) and value.flags:
        worst = max(value.flags, key=lambda f: (f.percent_over is None, f.percent_over or 0))  # `explain` lists each limit, with its source
        more = f" (+{len(value.flags) - 1} more)" if len(value.flags) > 1 else ""
        over = f"+{worst.percent_text}" if worst.percent_over is not None else "above"
        text += f" ⚠ {over} per {worst.period}{'?' if not worst.certain else ''}{more}"
    return text


def summary(run: Run) -> Text:
    counts = {s: sum(r.status == s for r in run.results) for s in ("ok", "undetermined", "invalid")}
    p = run.provenance
    return cell(f"{counts['ok']} ok, {counts['undetermined']} undetermined, {counts['invalid']} invalid · "
                f"protocol sha256 {p.sha256[:12]} · carepath {p.engine_version}" + overridden(run), style="dim")


def overridden(run: Run) -> str:
    """Overridden parameters belong on every summary: the protocol's hash no longer says what ran."""
    changed = [f"{name} = {value} (protocol: {default})" for name, value, default, over in run.provenance.parameters if over]
    return "\nparameters overridden: " + "; ".join(changed) if changed else ""


def record_error_line(error: RecordError) -> str:
    """`invalid record: file:line:column: CP5nn message`, as a compiler prints a diagnostic; one line, escaped."""
    return f"invalid record: {escape.text(located(error))}"


def located(error: RecordError) -> str:
    """`file:line:column: CP5nn message`. A file's fault already starts with its place, so that is not repeated."""
    place = str(error.place)
    if not place or error.message.startswith(f"{error.file}:"):
        return f"{error.code} {error.message}"
    return f"{place}: {error.code} {error.message}"


def explanation(run: Run, result: Result) -> Group:
    p = run.provenance
    named = f"{p.protocol} {p.version}" if p.version else p.protocol
    head = cell(f"Patient {escape.text(result.id)} · {named} (sha256 {p.sha256[:12]}) · as of {run.as_of.isoformat()}"
                + overridden(run), style="bold")
    parts: list[object] = [head]
    if result.status == "invalid":
        parts.append(Text("record rejected:", style="bold red"))
        parts.extend(cell("  " + escape.text(located(e)), style="red") for e in result.errors)
        return Group(*parts)  # type: ignore[arg-type]
    for step in result.steps:
        parts.append(_decision_tree(step, p.source, result))
    if result.record is not None and any(f is not None for f in result.record.facts):
        inputs = Tree(Text("inputs read", style="bold"))
        for fact in result.record.facts:
            if fact is not None:
                written = f" (written {fact.raw!r})" if fact.raw and fact.raw != fact.shown else ""
                inputs.add(cell(f"{fact.input} = {fact.shown}{written} · {fact.origin if fact.source is None else fact.source}"))
        parts.append(inputs)
    return Group(*parts)  # type: ignore[arg-type]


def _decision_tree(step: Step, source: str, result: Result) -> Tree:
    label = Text()
    label.append(escape.lines(f"{step.text} = {value_text(step.outcome)}"), style="bold " + _colour(step.outcome))
    _describe(label, step, source)
    tree = Tree(label)
    if step.detail and step.kind in (StepKind.DOSE, StepKind.TARGET, StepKind.EVENT, StepKind.CLASSIFICATION,  # a classification's: no branch applies
                                     StepKind.RECOMMENDATION):  # a recommendation's: when it falls due
        tree.add(cell(step.detail, style="" if step.outcome is not None else "yellow"))
    wanting = needs(step) if step.outcome is None else ()
    if wanting:
        tree.add(cell("undetermined: needs " + ", ".join(wanting), style="yellow"))
    for index, child in enumerate(step.children):
        _add(tree, child, source, index in step.deciding)
    return tree


def _describe(label: Text, step: Step, source: str) -> None:
    if step.title:
        label.append(escape.lines(f"  {step.title}"), style="italic")
    if step.span is not None and step.kind.is_definition:
        label.append(escape.lines(f"  {source}:{step.span.line}"), style="dim")
    if step.citation:
        label.append(escape.lines(f"  [cites {step.citation}]"), style="cyan")


def _colour(outcome: object) -> str:
    return _MARK[outcome][1] if outcome is None or isinstance(outcome, bool) else "green"


def _add(parent: Tree, step: Step, source: str, deciding: bool, decisions: frozenset[str] = frozenset()) -> None:
    mark, colour = _MARK.get(step.outcome, ("→", "green")) if isinstance(step.outcome, (bool, type(None))) else ("→", "green")
    label = Text(f"{mark} ", style=colour)
    if step.kind is StepKind.REFERENCE and step.children:
        target = step.children[0]
        if target.kind is not StepKind.CRITERION:  # a decision has its own tree: point to it rather than repeat it
            label.append(escape.lines(f"{target.text} = {value_text(target.outcome)}"), style="bold")
            label.append("  (see its own explanation)", style="dim")
            parent.add(label)
            return
        label.append(escape.lines(target.text), style="bold")
        _describe(label, target, source)
        if not deciding:
            label.append("  (not deciding)", style="dim")
        node = parent.add(label)
        for grandchild in target.children:
            _add(node, grandchild, source, True)
        return
    label.append(escape.lines(step.detail or step.text), style="" if deciding else "dim")
    if step.kind is StepKind.OTHERWISE:
        label.append("  (every earlier branch is false)", style="dim")
    if not deciding:
        label.append("  (not deciding)", style="dim")
    node = parent.add(label)
    if step.kind is StepKind.COMPARISON and step.detail and step.detail != step.text and not step.children:
        node.add(cell(step.text, style="dim"))
    for index, child in enumerate(step.children):
        _add(node, child, source, index in step.deciding)


def console() -> Console:
    """The console every command prints through: it reads no markup and no emoji codes from what it prints."""
    return Console(soft_wrap=False, markup=False, emoji=False)
