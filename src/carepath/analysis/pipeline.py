"""The one check pipeline: source text (and a site's parameter overrides) → a `CheckReport` of every diagnostic
and, when there is no error, the checked and compiled program. The CLI, the language server, the pytest plugin and
the Python API all call `check_source`, so they report the same problems in the same order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from carepath.analysis.deep import Finding, Note, analyse
from carepath.analysis.limits import override_findings
from carepath.check.checker import check
from carepath.compile.compiler import CompiledProtocol, compile_protocol
from carepath.ir.program import CheckedProtocol
from carepath.language import nodes as n
from carepath.language.diagnostics import Diagnostic, ProtocolError, Severity
from carepath.language.parser import parse, parse_parameter_value
from carepath.language.source import Source

__all__ = ["CheckReport", "check_source"]


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Every finding on one source, sorted by place; `checked` and `compiled` are set only when none is an error."""

    source: Source
    findings: tuple[Finding, ...]
    notes: tuple[Note, ...] = ()  # what the deep analysis proved, sampled or left alone
    protocol: n.Protocol | None = None  # the parsed text, kept even when checking fails (an editor still indexes it)
    checked: CheckedProtocol | None = None
    compiled: CompiledProtocol | None = None

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return tuple(f.diagnostic for f in self.findings)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.WARNING)

    def program(self) -> CompiledProtocol:
        """The compiled program, or `ProtocolError` carrying every diagnostic when there is an error."""
        if self.compiled is None:
            raise ProtocolError(self.source, self.diagnostics)
        return self.compiled

    def render(self) -> str:
        """Each finding as `carepath check` prints it: location, code, message, caret, hint, counterexample."""
        return "\n".join(f.render(self.source) for f in self.findings)


def check_source(source: Source, parameters: Mapping[str, str] | None = None, *, deep: bool = True,
                 strict: bool = False) -> CheckReport:
    """Parse, check and compile `source`; then, unless `deep` is false, run the deep analysis on a clean protocol.

    `parameters` override the protocol's parameters by name, each written as in a protocol file ("1.1 mg/kg");
    a misfit raises `ParameterError`, since it is the caller's mistake, not the protocol's. A CP402 ("no
    otherwise") on a decision the analysis proves complete is dropped: the proof says more than the warning.
    `strict` reports every warning as an error, so a report with warnings then has no program.
    """
    overrides = {name: parse_parameter_value(name, value) for name, value in (parameters or {}).items()}
    try:
        protocol = parse(source)
    except ProtocolError as error:
        return _report(source, [Finding(d) for d in error.diagnostics], strict)
    try:
        checked = check(protocol, source, overrides)
    except ProtocolError as error:
        return _report(source, [Finding(d) for d in error.diagnostics], strict, protocol=protocol)
    compiled = compile_protocol(checked)
    warnings = [d for d in checked.warnings if isinstance(d, Diagnostic)]
    if not deep:
        return _report(source, [Finding(d) for d in warnings], strict, protocol=protocol, checked=checked, compiled=compiled)
    analysis = analyse(compiled)
    findings = [Finding(d) for d in warnings if not analysis.settles(d, checked)] + list(analysis.findings)
    if overrides:  # CP309: does the site's value make a dose exceed a limit the protocol's own value keeps to?
        findings += override_findings(compile_protocol(check(protocol, source, {})), compiled)
    return _report(source, findings, strict, analysis.notes, protocol, checked, compiled)


def _report(source: Source, findings: list[Finding], strict: bool, notes: tuple[Note, ...] = (), protocol: n.Protocol | None = None,
            checked: CheckedProtocol | None = None, compiled: CompiledProtocol | None = None) -> CheckReport:
    if strict:
        findings = [replace(f, diagnostic=replace(f.diagnostic, severity=Severity.ERROR)) for f in findings]
    findings.sort(key=lambda f: (f.diagnostic.span.line, f.diagnostic.span.column, f.diagnostic.code))
    if any(f.diagnostic.severity is Severity.ERROR for f in findings):
        checked, compiled = None, None
    return CheckReport(source, tuple(findings), notes, protocol, checked, compiled)
