"""The language server behind `carepath lsp`: an editor shows a protocol's problems as the author types, a
criterion's title and citation on hover, where a name is declared, and the file's outline.

It reads protocols only through `check_source`, the pipeline `carepath check` uses, and the AST's spans, so
what the editor shows is exactly what `carepath check` reports. The only
module that imports pygls and lsprotocol: the rest of carepath runs without them (`carepath[editor]` brings
them).
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.workspace import PositionCodec, ServerTextPosition, TextDocument

from carepath._version import __version__
from carepath.analysis.deep import Finding
from carepath.analysis.pipeline import check_source
from carepath.check.checker import AS_OF
from carepath.language import nodes as n
from carepath.language.diagnostics import Diagnostic, Severity
from carepath.language.source import Source, Span, lines, normalise
from carepath.semantics.builtins import BUILTINS

__all__ = ["Analysis", "Declaration", "Occurrence", "analyse", "build_server", "describe", "serve"]

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# ---- what a document declares and uses (no pygls here: plain data, tested directly) ------------------------------


class DeclarationKind(enum.StrEnum):
    """What a declared name is; the value is the word a hover shows."""

    PROTOCOL = "protocol"
    INPUT = "input"
    CRITERION = "criterion"
    CLASSIFICATION = "classification"
    RECOMMENDATION = "recommendation"
    PARAMETER = "parameter"
    DOSE = "dose"
    TARGET = "target"
    EVENT = "event"
    BRANCH = "branch"
    MEMBER = "member"


@dataclass(frozen=True, slots=True)
class Declaration:
    """A name an author can point at: the protocol, an input, a definition, a classification's branch, an enum member."""

    name: str
    kind: DeclarationKind
    span: Span  # the declaring name
    node: object  # the declaring AST node (for a member: its input's declaration)
    owner: str | None = None  # a branch's classification, a member's input


@dataclass(frozen=True, slots=True)
class Occurrence:
    """A name in the text and what it refers to: a declaration, a built-in function, or nothing known."""

    span: Span
    name: str
    target: Declaration | None = None
    builtin: str | None = None


@dataclass(slots=True)
class Analysis:
    findings: tuple[Finding, ...]  # diagnostics, some with a counterexample patient
    protocol: n.Protocol | None  # None when the text does not parse
    header: Declaration | None = None  # the protocol's own name
    declarations: dict[str, Declaration] = field(default_factory=dict)  # inputs and definitions, by name
    members: dict[str, list[Declaration]] = field(default_factory=dict)  # branch and enum member names → candidates
    occurrences: list[Occurrence] = field(default_factory=list)  # every name in the text, declarations included

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return tuple(f.diagnostic for f in self.findings)

    def resolve(self, name: str, context: str | None = None) -> Declaration | None:
        """A name as an expression means it: an input or definition first, else a branch or member — the one
        belonging to the other side of its comparison (`risk = high`) when that settles it."""
        if name in self.declarations:
            return self.declarations[name]
        candidates = self.members.get(name, [])
        chosen = [c for c in candidates if c.owner == context] or candidates
        return chosen[0] if chosen else None

    def at(self, line: int, column: int) -> Occurrence | None:
        """The name under a cursor (1-based, in code points); the cursor just after a name still points at it."""
        hits = [o for o in self.occurrences if o.span.line == line and o.span.column <= column <= o.span.end_column]
        hits.sort(key=lambda o: o.span.end_column == column)  # strictly inside wins over just after
        return hits[0] if hits else None


def analyse(text: str, name: str = "<protocol>", deep: bool = True) -> Analysis:
    """What `carepath check` reports: syntax, then names, types, units and structure, and for a protocol without
    errors (unless `deep` is false) the deep analysis — completeness, unreachable branches, unused names."""
    report = check_source(Source(name, text), deep=deep)
    analysis = Analysis(report.findings, report.protocol)
    if report.protocol is not None:
        _index(analysis, report.protocol)
    return analysis


_KINDS: dict[type, DeclarationKind] = {
    n.Criterion: DeclarationKind.CRITERION, n.Classification: DeclarationKind.CLASSIFICATION,
    n.Recommendation: DeclarationKind.RECOMMENDATION, n.Parameter: DeclarationKind.PARAMETER, n.Dose: DeclarationKind.DOSE,
    n.Target: DeclarationKind.TARGET, n.Event: DeclarationKind.EVENT,
}


def _index(analysis: Analysis, protocol: n.Protocol) -> None:
    analysis.header = Declaration(protocol.name.name, DeclarationKind.PROTOCOL, protocol.name.span, protocol)
    analysis.occurrences.append(Occurrence(protocol.name.span, protocol.name.name, analysis.header))
    declared: list[Declaration] = []
    for decl in protocol.inputs:
        declared.append(Declaration(decl.name.name, DeclarationKind.INPUT, decl.name.span, decl))
        element = decl.type.element if isinstance(decl.type, n.SeriesType) else decl.type
        if isinstance(element, n.EnumType):
            declared += [Declaration(m.name, DeclarationKind.MEMBER, m.span, decl, decl.name.name) for m in element.members]
    for definition in protocol.definitions:
        declared.append(Declaration(definition.name.name, _KINDS[type(definition)], definition.name.span, definition))
        if isinstance(definition, n.Classification):
            declared += [Declaration(b.name.name, DeclarationKind.BRANCH, b.name.span, b, definition.name.name) for b in definition.branches]
    for declaration in declared:
        if declaration.kind in (DeclarationKind.BRANCH, DeclarationKind.MEMBER):
            analysis.members.setdefault(declaration.name, []).append(declaration)
        else:
            analysis.declarations.setdefault(declaration.name, declaration)  # a duplicate (CP202) points at the first
        analysis.occurrences.append(Occurrence(declaration.span, declaration.name, declaration))
    for node in (*protocol.inputs, *protocol.definitions):
        for item in dataclasses.fields(node):
            if item.name not in ("name", "span"):
                for used, context, call in _names(getattr(node, item.name)):
                    if call:
                        analysis.occurrences.append(Occurrence(used.span, used.name, builtin=used.name if used.name in BUILTINS else None))
                    else:
                        analysis.occurrences.append(Occurrence(used.span, used.name, analysis.resolve(used.name, context)))


def _names(value: object, context: str | None = None) -> Iterator[tuple[n.Name, str | None, bool]]:
    """Names used in a piece of the AST: (name, the other side of its comparison, whether it is a function called)."""
    match value:
        case n.Name():
            yield value, context, False
        case n.Comparison(left=left, right=right):
            yield from _names(left, right.name if isinstance(right, n.Name) else None)
            yield from _names(right, left.name if isinstance(left, n.Name) else None)
        case n.Call(function=function, args=args):
            yield function, None, True
            for arg in args:
                yield from _names(arg)
        case n.Branch(condition=condition):  # the branch's own name is a declaration
            yield from _names(condition)
        case n.EnumType():  # members are declarations
            return
        case tuple():
            for item in value:
                yield from _names(item)
        case _ if dataclasses.is_dataclass(value) and not isinstance(value, type):
            for item in dataclasses.fields(value):
                if item.name != "span":
                    yield from _names(getattr(value, item.name))


# ---- hover text ----------------------------------------------------------------------------------------------------


def describe(declaration: Declaration) -> str:
    """Markdown for a hover: what the name is, its title and citation, and what it says."""
    node = declaration.node
    title = getattr(node, "title", None)
    lines = [f"**{declaration.kind}** `{declaration.name}`" + (f" — {title}" if title and declaration.kind is not DeclarationKind.BRANCH else "")]
    citation = getattr(node, "citation", None)
    if citation:
        lines.append(f"cites: {citation}")
    match node:
        case n.Protocol(version=version, source=source):
            lines += [f"version: {version}"] if version else []
            lines += [f"source: {source}"] if source else []
        case n.InputDecl() if declaration.kind is DeclarationKind.MEMBER:
            lines.append(f"a value of input `{declaration.owner}` ({_type_text(node.type)})")
        case n.InputDecl():
            lines += _input_lines(node)
        case n.Criterion(condition=condition) | n.Recommendation(condition=condition):
            lines.append(_code(n.expr_text(condition)))
        case n.Classification(branches=branches):
            lines.append("\n".join(f"- `{b.name.name}` " + (f"when `{n.expr_text(b.condition)}`" if b.condition else "otherwise")
                                   for b in branches))
        case n.Branch(condition=condition):
            lines.append(f"a branch of classification `{declaration.owner}`")
            lines.append(_code(n.expr_text(condition)) if condition is not None else "otherwise: when every branch before it is false")
        case n.Parameter(value=value, plausible=plausible):
            lines.append(f"value: `{_value_text(value)}`" + (f" (plausible {_range_text(plausible)})" if plausible else ""))
        case n.Dose(unit=unit, branches=branches):
            lines.append(f"in {unit}")
            lines.append(_code("\n".join(n.expr_text(b.amount) + (f" when {n.expr_text(b.condition)}" if b.condition is not None else
                                                                   " otherwise" if b.otherwise else "") for b in branches)))
        case n.Target(measured=measured, low=low, high=high):
            lines.append(_code(f"{n.expr_text(measured)} within {n.expr_text(low)} .. {n.expr_text(high)}"))
        case n.Event(condition=condition):
            lines.append(_code(n.expr_text(condition)))
    return "\n\n".join(lines)


def _code(text: str) -> str:
    return f"```care\n{text}\n```"


def _type_text(spec: n.TypeSpec) -> str:
    match spec:
        case n.SeriesType(element=element):
            return "series of " + _type_text(element)
        case n.QuantityType(unit=unit):
            return f"quantity {unit}"
        case n.EnumType(members=members):
            return "one of " + ", ".join(m.name for m in members)
        case n.DurationType():
            return "duration"
        case n.BooleanType():
            return "boolean"
        case n.TextType():
            return "text"
        case n.DateType():
            return "date"
    raise AssertionError(spec)


def _input_lines(decl: n.InputDecl) -> list[str]:
    element = decl.type.element if isinstance(decl.type, n.SeriesType) else decl.type
    lines = [f"type: {_type_text(decl.type)}"]
    if isinstance(element, n.QuantityType):
        lines.append(f"unit: {element.unit}")
    if decl.plausible is not None:
        lines.append(f"plausible: {_range_text(decl.plausible)}")
    if decl.derived_from is not None:
        lines.append(f"or derived from `{decl.derived_from.start.name}` to `{decl.derived_from.end.name}`")
    if decl.relative_to is not None:
        lines.append(f"day 0 is `{decl.relative_to.name}`")
    lines.append("optional: may be missing" if decl.optional else "required")
    return lines


def _range_text(plausible: n.Plausible) -> str:
    return f"{n.expr_text(plausible.low)} .. {n.expr_text(plausible.high)}"


def _value_text(value: n.Literal | n.DayLiteral | n.DayList) -> str:
    if isinstance(value, n.DayList):
        return "days " + ", ".join(n.number_text(d) for d in value.days)
    return n.expr_text(value)


# ---- positions: carepath counts lines and code points from 1, LSP from 0 in the client's units ------------------------


def _lines(text: str) -> list[str]:
    """The lines as the parser counts them (CR and CR LF end one too, as they do for the client), the first keeping
    the byte-order mark the parser drops but the client's text still holds: a column on it is one further along."""
    found = lines(normalise(text))
    if text.startswith(_BOM) and found:
        found[0] = _BOM + found[0]
    return found


_BOM = "\ufeff"


def _position(codec: PositionCodec, lines: Sequence[str], line: int, column: int) -> lsp.Position:
    shift = 1 if line == 1 and lines and lines[0].startswith(_BOM) else 0
    return codec.position_to_client_units(lines, ServerTextPosition(max(line - 1, 0), max(column - 1 + shift, 0)))


def _range(codec: PositionCodec, lines: Sequence[str], span: Span) -> lsp.Range:
    return lsp.Range(_position(codec, lines, span.line, span.column), _position(codec, lines, span.end_line, span.end_column))


def _cursor(document: TextDocument, position: lsp.Position) -> tuple[int, int]:
    lines = _lines(document.source)
    server = document.position_codec.position_from_client_units(lines, lsp.Position(position.line, position.character))
    shift = 1 if server.line == 0 and lines and lines[0].startswith(_BOM) else 0
    return server.line + 1, max(server.character + 1 - shift, 1)


# ---- the server ----------------------------------------------------------------------------------------------------

_SYMBOL_KINDS = {
    DeclarationKind.PROTOCOL: lsp.SymbolKind.Module, DeclarationKind.INPUT: lsp.SymbolKind.Field,
    DeclarationKind.CRITERION: lsp.SymbolKind.Boolean, DeclarationKind.CLASSIFICATION: lsp.SymbolKind.Enum,
    DeclarationKind.RECOMMENDATION: lsp.SymbolKind.Boolean, DeclarationKind.PARAMETER: lsp.SymbolKind.Constant,
    DeclarationKind.DOSE: lsp.SymbolKind.Number, DeclarationKind.TARGET: lsp.SymbolKind.Function, DeclarationKind.EVENT: lsp.SymbolKind.Event,
    DeclarationKind.BRANCH: lsp.SymbolKind.EnumMember, DeclarationKind.MEMBER: lsp.SymbolKind.EnumMember,
}


class CarepathServer(LanguageServer):
    """Keeps each open document's analysis, and the last one that parsed for while the text does not."""

    def __init__(self) -> None:
        super().__init__("carepath", __version__)
        self.analyses: dict[str, Analysis] = {}
        self.parsed: dict[str, Analysis] = {}

    def refresh(self, uri: str) -> None:
        document = self.workspace.get_text_document(uri)
        try:
            analysis = analyse(document.source, document.path or uri)
        except Exception as error:  # a failure of the deep analysis must not hide the checker's diagnostics: say so, keep those
            self.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Error,
                                                           message=f"carepath: the deep analysis failed on {uri}: {error!r}"))
            analysis = analyse(document.source, document.path or uri, deep=False)
        self.analyses[uri] = analysis
        if analysis.protocol is not None:
            self.parsed[uri] = analysis
        lines = _lines(document.source)
        codec = document.position_codec
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
            uri=uri, version=document.version, diagnostics=[_diagnostic(codec, lines, f) for f in analysis.findings]))

    def forget(self, uri: str) -> None:
        self.analyses.pop(uri, None)
        self.parsed.pop(uri, None)
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def occurrence(self, uri: str, position: lsp.Position) -> tuple[Occurrence | None, Analysis | None]:
        """The name under the cursor. While the text does not parse, the word there is looked up in the last version
        that did, so hover and go-to-definition keep working mid-edit (the place found may have moved since)."""
        document = self.workspace.get_text_document(uri)
        if uri not in self.analyses:
            self.refresh(uri)
        line, column = _cursor(document, position)
        current = self.analyses[uri]
        if current.protocol is not None:
            return current.at(line, column), current
        previous = self.parsed.get(uri)
        text = _lines(document.source)[line - 1] if line <= len(_lines(document.source)) else ""
        word = next((m for m in _WORD.finditer(text) if m.start() < column <= m.end() + 1), None)
        if previous is None or word is None:
            return None, None
        span = Span(line, word.start() + 1, line, word.end() + 1)
        header = previous.header if previous.header is not None and previous.header.name == word.group() else None
        found = previous.resolve(word.group()) or header
        return Occurrence(span, word.group(), found, word.group() if word.group() in BUILTINS else None), previous

    def symbols(self, uri: str) -> list[lsp.DocumentSymbol]:
        if uri not in self.analyses:
            self.refresh(uri)
        analysis = self.analyses[uri] if self.analyses[uri].protocol is not None else self.parsed.get(uri)
        if analysis is None or analysis.protocol is None:
            return []
        document = self.workspace.get_text_document(uri)
        return [_outline(analysis.protocol, document.position_codec, _lines(document.source))]


def _diagnostic(codec: PositionCodec, lines: Sequence[str], finding: Finding) -> lsp.Diagnostic:
    """The message, the hint on its own line, and a counterexample patient as the record to paste and run."""
    diagnostic = finding.diagnostic
    severity = lsp.DiagnosticSeverity.Error if diagnostic.severity is Severity.ERROR else lsp.DiagnosticSeverity.Warning
    message = diagnostic.message + (f"\nhint: {diagnostic.hint}" if diagnostic.hint else "")
    if finding.record is not None:
        when = f" with --as-of {finding.as_of.isoformat()}" if finding.as_of is not None else ""
        message += f"\nsuch a patient, as a record to run{when}:\n{finding.record.rstrip()}"
    return lsp.Diagnostic(range=_range(codec, lines, diagnostic.span), message=message, severity=severity, code=diagnostic.code,
                          source="carepath")


def _outline(protocol: n.Protocol, codec: PositionCodec, lines: Sequence[str]) -> lsp.DocumentSymbol:
    """The protocol, then its inputs and definitions in file order; enumerations and classifications list their values."""

    def symbol(name: n.Name, kind: DeclarationKind, whole: Span, detail: str | None, children: list[lsp.DocumentSymbol] | None = None) -> lsp.DocumentSymbol:
        around = whole if whole != n.NO_SPAN else name.span
        return lsp.DocumentSymbol(name=name.name, kind=_SYMBOL_KINDS[kind], range=_range(codec, lines, around),
                                  selection_range=_range(codec, lines, name.span), detail=detail, children=children)

    children = []
    for decl in protocol.inputs:
        element = decl.type.element if isinstance(decl.type, n.SeriesType) else decl.type
        members = [symbol(m, DeclarationKind.MEMBER, m.span, None) for m in element.members] if isinstance(element, n.EnumType) else None
        children.append(symbol(decl.name, DeclarationKind.INPUT, decl.span, f"input: {_type_text(decl.type)}", members))
    for definition in protocol.definitions:
        kind = _KINDS[type(definition)]
        branches = None
        if isinstance(definition, n.Classification):
            branches = [symbol(b.name, DeclarationKind.BRANCH, b.span, "otherwise" if b.condition is None else "when " + n.expr_text(b.condition))
                        for b in definition.branches]
        detail = kind + (f": {definition.title}" if definition.title else "")
        children.append(symbol(definition.name, kind, definition.span, detail, branches))
    return symbol(protocol.name, DeclarationKind.PROTOCOL, protocol.span, protocol.title, children)


def build_server() -> CarepathServer:
    server = CarepathServer()

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: CarepathServer, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.refresh(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: CarepathServer, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.refresh(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: CarepathServer, params: lsp.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(ls: CarepathServer, params: lsp.HoverParams) -> lsp.Hover | None:
        found, _ = ls.occurrence(params.text_document.uri, params.position)
        if found is None:
            return None
        if found.target is not None:
            text = describe(found.target)
        elif found.builtin is not None:
            text = f"**built-in** `{BUILTINS[found.builtin].usage}`"
        elif found.name == AS_OF:
            text = f"`{AS_OF}`: the evaluation date (`--as-of`, default today)"
        else:
            return None
        document = ls.workspace.get_text_document(params.text_document.uri)
        where = _range(document.position_codec, _lines(document.source), found.span)
        return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text), range=where)

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: CarepathServer, params: lsp.DefinitionParams) -> lsp.Location | None:
        found, _ = ls.occurrence(params.text_document.uri, params.position)
        if found is None or found.target is None:
            return None
        document = ls.workspace.get_text_document(params.text_document.uri)
        return lsp.Location(uri=params.text_document.uri, range=_range(document.position_codec, _lines(document.source), found.target.span))

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def document_symbol(ls: CarepathServer, params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
        return ls.symbols(params.text_document.uri)

    return server


def serve() -> None:
    """Talk LSP on stdin and stdout until the editor says exit."""
    build_server().start_io()
