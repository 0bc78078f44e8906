"""The `outcomes`, `audit`, `report` and `log` commands: arguments, files and exit codes, as in `cli`
(0 fine, 1 invalid records, 2 bad protocol or usage). Each imports what it uses when it runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from carepath.cli_scale import Engine, decider, engine_options, refused

if TYPE_CHECKING:
    from carepath.compile.compiler import CompiledProtocol
    from carepath.data.published import Published
    from carepath.data.records import InvalidRecord, PatientRecord
    from carepath.outcomes.reproduce import Check
    from carepath.outcomes.survival import Survival
    from carepath.runtime.engine import Run

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A wrong command line: printed as `carepath: message`, exit 2."""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], date: object, parameter_options: object) -> None:
    """Add the commands to `carepath`'s parser; `date` parses `--as-of`, `parameter_options` adds `--param`/`--params`."""
    assert callable(date) and callable(parameter_options)
    outcomes = commands.add_parser("outcomes", help="survival (Kaplan-Meier) by a decision or criterion, with the log-rank test")
    outcomes.add_argument("protocol", type=Path)
    outcomes.add_argument("records", type=Path, nargs="+")
    outcomes.add_argument("--by", default=None, metavar="NAME",
                          help="a decision or criterion of PROTOCOL (or follow_up.transplant) to group by; default: the whole cohort")
    outcomes.add_argument("--endpoint", choices=("efs", "os"), default="efs", help="event-free (relapse or death) or overall survival")
    outcomes.add_argument("--at", default=None, metavar="DURATION", help="the estimate at this time from diagnosis, e.g. '3 years'")
    outcomes.add_argument("--plot", type=Path, default=None, metavar="FILE.png", help="write the curves, with numbers at risk, as a PNG")
    outcomes.add_argument("--format", choices=("table", "json"), default="table")
    outcomes.add_argument("--as-of", type=date, default=None, help="evaluation date (YYYY-MM-DD); default today")
    parameter_options(outcomes)
    engine_options(outcomes)
    outcomes.set_defaults(handler=_guarded(_outcomes))

    audit = commands.add_parser("audit", help="what the protocol recommended against the care recorded: every deviation")
    audit.add_argument("protocol", type=Path)
    audit.add_argument("records", type=Path, nargs="+")
    audit.add_argument("--tolerance", default=None, metavar="PERCENT",
                       help="how far a dose given may differ from the computed dose, e.g. 10%%; default: the protocol's dose_tolerance, else 10%%")
    audit.add_argument("--format", choices=("table", "json"), default="table")
    audit.add_argument("--as-of", type=date, default=None, help="evaluation date (YYYY-MM-DD); default today")
    parameter_options(audit)
    audit.set_defaults(handler=_guarded(_audit))

    report = commands.add_parser("report", help="one self-contained HTML audit report: protocol, decisions, why and why not, deviations, outcomes")
    report.add_argument("protocol", type=Path)
    report.add_argument("records", type=Path, nargs="+")
    report.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.html")
    report.add_argument("--by", default=None, metavar="NAME", help="group the outcome curves by this decision or criterion; default: the first classification")
    report.add_argument("--endpoint", choices=("efs", "os"), default="efs")
    report.add_argument("--at", default=None, metavar="DURATION", help="the survival estimate at this time from diagnosis, e.g. '3 years'")
    report.add_argument("--tolerance", default=None, metavar="PERCENT", help="dose tolerance for the audit, as for `carepath audit`")
    report.add_argument("--as-of", type=date, default=None, help="evaluation date (YYYY-MM-DD); default today")
    parameter_options(report)
    report.set_defaults(handler=_guarded(_report))

    log = commands.add_parser("log", help="check a decision log written by `carepath run --log`")
    log_commands = log.add_subparsers(dest="log_command", required=True)
    verify = log_commands.add_parser("verify", help="recompute the hash chain; exit 1 naming the first line edited, removed or moved")
    verify.add_argument("file", type=Path)
    verify.add_argument("--kept", default=None, metavar="HASH",
                        help="a line's hash noted elsewhere when the log was written: exit 1 unless a line of the intact chain has it")
    verify.set_defaults(handler=_guarded(_verify))


def _guarded(handler: object) -> object:
    assert callable(handler)

    def run(args: argparse.Namespace) -> int:
        try:
            return int(handler(args))
        except UsageError as error:
            print(f"carepath: {error}", file=sys.stderr)
            return EXIT_USAGE

    return run


def _compile(args: argparse.Namespace, path: Path) -> CompiledProtocol | None:
    from carepath.api import compile_source
    from carepath.data.records import load_parameters
    from carepath.language.diagnostics import ParameterError, ProtocolError
    from carepath.language.source import Source

    values: dict[str, str] = {}
    try:
        if args.params is not None:
            values.update(load_parameters(args.params))
        for item in args.param:
            name, equals, value = item.partition("=")
            if not equals or not name.strip():
                raise UsageError(f"--param {item!r}: write NAME=VALUE, e.g. --param busulfan_light=\"1.1 mg/kg\"")
            values[name.strip()] = value.strip()
        source = Source.from_path(path)
        return compile_source(source, values)
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read protocol {path}: {error}") from None
    except ParameterError as error:
        raise UsageError(str(error)) from None
    except ProtocolError as error:
        print(error.render(), file=sys.stderr)
        return None


def _records(compiled: CompiledProtocol, paths: Sequence[Path]) -> list[PatientRecord | InvalidRecord]:
    from carepath.api import load_records

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UsageError("no such records file or directory: " + ", ".join(missing))
    return load_records(compiled, paths)


def _inputs(args: argparse.Namespace) -> tuple[CompiledProtocol, list[PatientRecord | InvalidRecord], dt.date] | None:
    """What `outcomes`, `audit` and `report` all start from: the protocol (None when it does not compile, told), its
    records and the day they are judged on."""
    compiled = _compile(args, args.protocol)
    if compiled is None:
        return None
    return compiled, _records(compiled, args.records), args.as_of or dt.date.today()


def _report_errors(records: Sequence[PatientRecord | InvalidRecord]) -> int:
    from carepath.data.records import InvalidRecord
    from carepath.render.terminal import record_error_line

    invalid = [r for r in records if isinstance(r, InvalidRecord)]
    for record in invalid:
        for error in record.errors:
            print(record_error_line(error), file=sys.stderr)
    return EXIT_INVALID if invalid else EXIT_OK


def _outcomes(args: argparse.Namespace) -> int:
    from carepath.language.diagnostics import ProtocolError
    from carepath.outcomes.groups import GroupingError, assign, group_order
    from carepath.outcomes.reproduce import lines
    from carepath.outcomes.survival import EndpointKind, survival
    from carepath.render import json as json_render
    from carepath.render import outcomes as outcomes_render
    from carepath.render import terminal
    from carepath.runtime.engine import provenance

    at = _at(args.at)
    inputs = _inputs(args)
    if inputs is None:
        return EXIT_USAGE
    compiled, records, as_of = inputs
    try:
        decided = None
        if args.engine not in (None, Engine.INTERPRETER):  # decided by SQL, each criterion's value kept to group by it
            decided = decider(args.engine, args.master, criteria=True)(compiled, records, as_of).results
        members = assign(compiled, records, as_of, args.by, decided)
    except GroupingError as error:
        raise UsageError(str(error)) from None
    except ProtocolError as error:  # a protocol the SQL back end does not compile
        refused(error)
        return 2
    endpoint = EndpointKind(args.endpoint)
    result = survival(members, endpoint, args.by, group_order(compiled, args.by, [m.group for m in members]))
    header = provenance(compiled)
    published, checks = _published(args.records, result, compiled.name, at)
    if args.plot is not None:
        from carepath.render.plot import png

        title = f"{endpoint.title}" + (f" by {args.by}" if args.by else "") + f" · {compiled.name}"
        try:
            args.plot.write_bytes(png(result, title))
        except OSError as error:
            raise UsageError(f"cannot write the plot {args.plot}: {error}") from None
    if args.format == "json":
        sys.stdout.write(json_render.dumps(outcomes_render.document(result, header, at, as_of.isoformat(), checks)))
    else:
        terminal.console().print(outcomes_render.table(result, header, at, lines(published, checks)))
        if args.plot is not None:
            print(f"plot written to {args.plot}")
    return _report_errors(records)


def _published(paths: Sequence[Path], result: Survival, protocol: str, at: tuple[str, float] | None) -> tuple[Published | None, list[Check]]:
    """The figures the records files say were published for this cohort, each against what the data give."""
    from carepath.data.published import PublishedError, load_published
    from carepath.outcomes.reproduce import check

    try:
        published = load_published(paths)
    except PublishedError as error:
        raise UsageError(str(error)) from None
    return published, check(published, result, protocol, at[1] if at else None)


def _at(text: str | None) -> tuple[str, float] | None:
    from carepath.data.followup import months_of
    from carepath.language.limits import MAX_DURATION_MONTHS

    if text is None:
        return None
    months = months_of(text)
    if months is None or months < 0:
        raise UsageError(f"--at {text!r}: write a time from diagnosis, e.g. '3 years', '36 months', '1000 days'")
    if months > MAX_DURATION_MONTHS:  # the limit on any duration (docs/limits.md)
        raise UsageError(f"--at {text!r}: a time longer than {MAX_DURATION_MONTHS:,} months (200 years)")
    return text, months


def _report(args: argparse.Namespace) -> int:
    """The report is written even when some records are invalid (they are in it, with their errors): exit 1 then."""
    from carepath.ir.program import Classification
    from carepath.outcomes.audit import audit
    from carepath.outcomes.groups import GroupingError, assign, group_order
    from carepath.outcomes.survival import EndpointKind, survival
    from carepath.render import html
    from carepath.render.plot import png
    from carepath.runtime.engine import evaluate_all

    at, tolerance = _at(args.at), _tolerance(args.tolerance)
    inputs = _inputs(args)
    if inputs is None:
        return EXIT_USAGE
    compiled, records, as_of = inputs
    by = args.by or next((d.name for d in compiled.decisions if isinstance(d, Classification)), None)
    try:
        members = assign(compiled, records, as_of, by)
    except GroupingError as error:
        raise UsageError(str(error)) from None
    endpoint = EndpointKind(args.endpoint)
    estimates = survival(members, endpoint, by, group_order(compiled, by, [m.group for m in members]))
    outcomes = None
    if estimates.overall.size:
        from carepath.outcomes.reproduce import lines

        title = endpoint.title + (f" by {by}" if by else "") + f" · {compiled.name}"
        published, checks = _published(args.records, estimates, compiled.name, at)
        outcomes = html.Outcomes(estimates, png(estimates, title), at, tuple(lines(published, checks)))
    run = evaluate_all(compiled, records, as_of, trace=True)
    text = html.render(compiled, run, audit(compiled, records, as_of, tolerance), outcomes, [str(p) for p in args.records])
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write the report {args.output}: {error}") from None
    print(f"report written to {args.output}", file=sys.stderr)
    return _report_errors(records)


def write_log(path: Path, run: Run) -> int:
    """Append a run to its decision log; 2 (usage) when the log cannot be written or continued, else 0."""
    from carepath.outcomes.log import append

    try:
        count = append(path, run)
    except (OSError, ValueError) as error:
        print(f"carepath: cannot log to {path}: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(f"{count} decision{'s' * (count != 1)} logged to {path}", file=sys.stderr)
    return EXIT_OK


def _verify(args: argparse.Namespace) -> int:
    from carepath.outcomes.log import verify
    from carepath.render.escape import text as escape

    try:
        verdict = verify(args.file, args.kept)
    except (OSError, ValueError) as error:  # not there, not a regular file, not UTF-8
        raise UsageError(f"cannot read log {args.file}: {error}") from None
    if not verdict.ok:
        print(f"{args.file}:{verdict.bad_line}: {verdict.problem}")
        print(f"{args.file}: the first {verdict.lines} line{'s' * (verdict.lines != 1)} hold; line {verdict.bad_line} does not")
        return EXIT_INVALID
    print(f"{args.file}: {verdict.lines} line{'s' * (verdict.lines != 1)}, hash chain intact; last hash {verdict.last} (keep it elsewhere)")
    if args.kept is None:
        return EXIT_OK
    if verdict.kept_at is None:
        print(f"{args.file}: no line has the kept hash {escape(args.kept)}: the log was rewritten since it was noted, or it is another log")
        return EXIT_INVALID
    print(f"{args.file}:{verdict.kept_at}: has the kept hash; the lines up to it are as they were when it was noted")
    return EXIT_OK


def _tolerance(text: str | None) -> Fraction | None:
    if text is None:
        return None
    try:
        value = Fraction(text.strip().removesuffix("%").strip())
    except ValueError:
        value = Fraction(-1)
    if value < 0:
        raise UsageError(f"--tolerance {text!r}: write a percentage, e.g. 10%")
    return value


def _audit(args: argparse.Namespace) -> int:
    """Deviations are findings, not failures: the exit status is the run contract's (1 only for invalid records)."""
    from carepath.outcomes.audit import audit
    from carepath.render import audit as audit_render
    from carepath.render import json as json_render
    from carepath.render import terminal
    from carepath.runtime.engine import provenance

    tolerance = _tolerance(args.tolerance)
    inputs = _inputs(args)
    if inputs is None:
        return EXIT_USAGE
    compiled, records, as_of = inputs
    result = audit(compiled, records, as_of, tolerance)
    if args.format == "json":
        sys.stdout.write(json_render.dumps(audit_render.document(result, provenance(compiled), as_of.isoformat())))
    else:
        terminal.console().print(audit_render.table(result, provenance(compiled)))
    return _report_errors(records)


__all__ = ["EXIT_INVALID", "EXIT_OK", "EXIT_USAGE", "UsageError", "register", "write_log"]
