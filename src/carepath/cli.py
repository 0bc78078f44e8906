"""The `carepath` command: arguments, files and exit codes (0 fine, 1 invalid records, 2 bad protocol or usage).

Each command imports what it uses inside its handler, so `carepath --help` loads neither lark, pint, yaml nor rich.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carepath import cli_scale as scale

if TYPE_CHECKING:
    from carepath.analysis.pipeline import CheckReport
    from carepath.compile.compiler import CompiledProtocol

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except (_UsageError, scale.EngineUnavailable) as error:
        _say(f"carepath: {error}", file=sys.stderr)
        return EXIT_USAGE


class _UsageError(Exception):
    pass


def _say(message: str, file: Any = None, one_line: bool = False) -> None:
    """Print a message that may hold data (a record's id, a file name, a protocol's text under a caret): each
    control character escaped (newlines too for `one_line`), so nothing printed can drive the terminal."""
    from carepath.render import escape

    print(escape.text(message) if one_line else escape.lines(message), file=file)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="carepath", description="Evaluate clinical protocol rules and explain every decision.")
    from carepath._version import __version__

    parser.add_argument("--version", action="version", version=f"carepath {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="evaluate a protocol on patient records")
    run.add_argument("protocol", type=Path)
    run.add_argument("records", type=Path, nargs="+")
    _data_options(run)
    run.add_argument("--format", choices=("table", "json"), default="table")
    run.add_argument("--as-of", type=_date, default=None, help="evaluation date (YYYY-MM-DD); default today")
    run.add_argument("--log", type=Path, default=None, metavar="FILE.jsonl", help="append each decision, with its provenance, to a hash-chained log")
    run.add_argument("--output", type=Path, default=None, metavar="FILE", help="write every result to FILE (.json, .csv or .parquet)")
    _parameter_options(run)
    scale.engine_options(run)
    run.set_defaults(handler=_run)

    explain = commands.add_parser("explain", help="show why (and why not) each decision was reached for one patient")
    explain.add_argument("protocol", type=Path)
    explain.add_argument("records", type=Path, nargs="+")
    _data_options(explain)
    explain.add_argument("--patient", required=True, help="the record's id")
    explain.add_argument("--format", choices=("text", "json"), default="text")
    explain.add_argument("--as-of", type=_date, default=None)
    _parameter_options(explain)
    explain.set_defaults(handler=_explain)

    compare_cmd = commands.add_parser("compare", help="put two protocols' decisions side by side per patient, and who changes")
    compare_cmd.add_argument("protocol_a", type=Path)
    compare_cmd.add_argument("protocol_b", type=Path)
    compare_cmd.add_argument("records", type=Path, nargs="+")
    _data_options(compare_cmd)
    compare_cmd.add_argument("--format", choices=("table", "json"), default="table")
    compare_cmd.add_argument("--as-of", type=_date, default=None, help="evaluation date (YYYY-MM-DD); default today")
    scale.engine_options(compare_cmd)
    _parameter_options(compare_cmd)
    compare_cmd.set_defaults(handler=_compare)

    check_cmd = commands.add_parser("check", help="report every problem in protocol files, and prove each classification complete")
    check_cmd.add_argument("protocols", type=Path, nargs="+")
    check_cmd.add_argument("--strict", action="store_true", help="treat warnings as errors (exit 2)")
    check_cmd.add_argument("--verbose", "-v", action="store_true", help="also print notes: what was proved, sampled or not analysed")
    check_cmd.add_argument("--format", choices=("text", "json"), default="text",
                           help="json: every file's diagnostics as data (code, severity, place, message, hint, counterexample)")
    _parameter_options(check_cmd)  # each file takes the overrides it declares; CP309 says which make a dose exceed a limit
    check_cmd.set_defaults(handler=_check)

    lsp_cmd = commands.add_parser("lsp", help="run the language server on stdin and stdout, for editors")
    lsp_cmd.set_defaults(handler=_lsp)

    fmt_cmd = commands.add_parser("fmt", help="rewrite protocol files in the canonical layout, comments kept")
    fmt_cmd.add_argument("files", type=Path, nargs="+")
    fmt_cmd.add_argument("--check", action="store_true", help="write nothing; exit 1 listing the files that would change")
    fmt_cmd.add_argument("--diff", action="store_true", help="write nothing; print what would change as a unified diff (exit 1 if anything would)")
    fmt_cmd.set_defaults(handler=_fmt)

    test_cmd = commands.add_parser("test", help="run a protocol's feature files and report which rule outcomes they exercised")
    test_cmd.add_argument("protocol", type=Path)
    test_cmd.add_argument("features", type=Path, nargs="*", help="feature files or directories; default: the feature files that name the protocol")
    test_cmd.add_argument("--format", choices=("table", "json"), default="table")
    test_cmd.add_argument("--fail-under", type=float, default=None, metavar="PERCENT", help="exit 1 when less than PERCENT of the rule outcomes are exercised")
    test_cmd.set_defaults(handler=_test)
    from carepath.cli_outcomes import register  # outcomes, audit, report, log

    register(commands, _date, _parameter_options)
    scale.register(commands, _parameter_options, _sql)
    return parser


def _data_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--map", type=Path, default=None, metavar="MAP", help="a data map: where each input comes from (docs/data.md)")
    command.add_argument("--data-format", choices=("yaml", "json", "csv", "parquet", "fhir", "ndjson"), default=None,
                         help="the records' format when neither the file name nor its first bytes tell (standard input, '-')")


def _records(args: argparse.Namespace, compiled: CompiledProtocol) -> list[Any] | None:
    """The records of `args.records` (`-`: standard input) through `--map`; None when the map does not fit (printed)."""
    from carepath.api import load_data
    from carepath.language.diagnostics import ProtocolError

    stdin = _stdin(args.records)
    try:
        return load_data(compiled, args.records, args.map, args.data_format, stdin)
    except ProtocolError as error:
        print(error.render(), file=sys.stderr)
        return None


def _parameter_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                         help="override a protocol parameter, written as in the protocol (repeatable), e.g. busulfan_light=\"1.1 mg/kg\"")
    command.add_argument("--params", type=Path, default=None, metavar="FILE", help="a YAML file of parameter: value overrides")


def _overrides(args: argparse.Namespace) -> dict[str, str]:
    """`--params FILE` first, then each `--param`, so the command line has the last word."""
    from carepath.data.records import load_parameters
    from carepath.language.diagnostics import ParameterError

    values: dict[str, str] = {}
    try:
        if args.params is not None:
            values.update(load_parameters(args.params))
    except ParameterError as error:
        raise _UsageError(str(error)) from None
    for item in args.param:
        name, equals, value = item.partition("=")
        if not equals or not name.strip():
            raise _UsageError(f"--param {item!r}: write NAME=VALUE, e.g. --param busulfan_light=\"1.1 mg/kg\"")
        values[name.strip()] = value.strip()
    return values


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date as YYYY-MM-DD") from None


def _load(path: Path, parameters: dict[str, str] | None = None) -> CompiledProtocol | None:
    from carepath.api import compile_source
    from carepath.language.diagnostics import ParameterError, ProtocolError
    from carepath.language.source import Source

    try:
        source = Source.from_path(path)
    except (OSError, UnicodeDecodeError) as error:
        raise _UsageError(f"cannot read protocol {path}: {error}") from None
    try:
        return compile_source(source, parameters)
    except ParameterError as error:
        raise _UsageError(str(error)) from None
    except ProtocolError as error:
        _say(error.render(), file=sys.stderr)
        return None


def _as_of(args: argparse.Namespace) -> dt.date:
    return args.as_of or dt.date.today()


def _require(paths: Sequence[Path]) -> None:
    """A records path that does not exist is a wrong command line (exit 2), not a bad record."""
    missing = [str(p) for p in paths if str(p) != "-" and not p.exists()]
    if missing:
        raise _UsageError("no such records file or directory: " + ", ".join(missing))


def _protocol_and_records(args: argparse.Namespace) -> tuple[CompiledProtocol, list[Any]] | None:
    """What `run` and `explain` start from; None when the protocol does not compile or the map does not fit (told)."""
    _require(args.records)
    compiled = _load(args.protocol, _overrides(args))
    if compiled is None:
        return None
    records = _records(args, compiled)
    return None if records is None else (compiled, records)


def _stdin(paths: Sequence[Path]) -> bytes | None:
    """Standard input's bytes when `-` is among the records, read no further than the table limit."""
    from carepath.data.limits import TABLE_BYTES

    if not any(str(p) == "-" for p in paths):
        return None
    data: bytes = sys.stdin.buffer.read(TABLE_BYTES + 1)
    if len(data) > TABLE_BYTES:
        raise _UsageError(f"standard input holds more than {TABLE_BYTES:,} bytes; give a larger cohort as Parquet or NDJSON files")
    return data


def _run(args: argparse.Namespace) -> int:
    from carepath.render import terminal

    if args.output is not None and args.output.suffix.lower() not in scale.OUTPUTS:
        raise _UsageError(f"--output {args.output}: write .json, .csv or .parquet")
    engine = scale.chosen_engine(args)
    if engine is scale.Engine.DUCKDB and scale.can_stream(args) and args.log is None:
        _require(args.records)
        streamed = _load(args.protocol, _overrides(args))
        return EXIT_USAGE if streamed is None else scale.stream(args, streamed, _as_of(args))
    inputs = _protocol_and_records(args)
    if inputs is None:
        return EXIT_USAGE
    compiled, records = inputs
    # Reasons without a full trace per record: the cohort path traces one record per pattern of outcomes.
    run = scale.decide(compiled, records, _as_of(args), engine, args.master)
    if run is None:  # a construct the SQL back end refuses, told as `check` tells it
        return EXIT_USAGE
    scale.show(run, compiled, args.output, args.format)
    for result in run.results:
        for error in result.errors:
            print(terminal.record_error_line(error), file=sys.stderr)
    if args.log is not None:
        from carepath.cli_outcomes import write_log
        return write_log(args.log, run) or run.exit_code
    return run.exit_code


def _sql(args: argparse.Namespace) -> int:
    return EXIT_USAGE if (compiled := _load(args.protocol, _overrides(args))) is None else scale.print_sql(compiled, args.dialect, args.table)


def _explain(args: argparse.Namespace) -> int:
    from carepath.render import json as json_render
    from carepath.render import terminal
    from carepath.runtime.engine import evaluate_all

    inputs = _protocol_and_records(args)
    if inputs is None:
        return EXIT_USAGE
    compiled, records = inputs
    chosen = [r for r in records if r.id == args.patient]
    if not chosen:
        known = ", ".join(str(r.id) for r in records if r.id is not None)
        raise _UsageError(f"no patient '{args.patient}' in {', '.join(map(str, args.records))} (ids: {known})")
    if len(chosen) > 1:
        places = "; ".join(r.where for r in chosen)
        raise _UsageError(f"patient id '{args.patient}' appears {len(chosen)} times ({places}): ids must be unique to explain one")
    run = evaluate_all(compiled, chosen, _as_of(args), trace=True)
    result = run.results[0]
    if args.format == "json":
        sys.stdout.write(json_render.dumps(json_render.explain_document(run, result)))
    else:
        terminal.console().print(terminal.explanation(run, result))
    return run.exit_code


def _compare(args: argparse.Namespace) -> int:
    """Both protocols are compiled (and every error in either reported) before any record is read once."""
    from carepath.api import read_data_set
    from carepath.data.sources import bind_data
    from carepath.language.diagnostics import ProtocolError
    from carepath.render import compare as compare_render
    from carepath.render import json as json_render
    from carepath.render import terminal
    from carepath.runtime.compare import compare_bound, extra_fields

    _require(args.records)
    overrides = _overrides(args)
    declared = {path: _parameter_names(path) if overrides else set() for path in (args.protocol_a, args.protocol_b)}
    unknown = sorted(name for name in overrides if not any(name in names for names in declared.values()))
    if unknown:
        raise _UsageError(f"neither protocol has a parameter '{unknown[0]}'")
    # each protocol takes the overrides it declares: a site's parameters file can serve a whole library
    a = _load(args.protocol_a, {k: v for k, v in overrides.items() if k in declared[args.protocol_a]})
    b = _load(args.protocol_b, {k: v for k, v in overrides.items() if k in declared[args.protocol_b]})
    if a is None or b is None:
        return EXIT_USAGE
    stdin = _stdin(args.records)
    try:
        data = read_data_set(args.records, args.map, args.data_format, stdin)
        records_a, records_b = bind_data(data, a.checked, extra_fields(a, b)), bind_data(data, b.checked, extra_fields(b, a))
    except ProtocolError as problem:
        print(problem.render(), file=sys.stderr)
        return EXIT_USAGE
    try:
        comparison = compare_bound(a, b, records_a, records_b, _as_of(args), scale.decider(args.engine or scale.Engine.INTERPRETER, args.master))
    except ProtocolError as problem:  # a protocol the SQL back end does not compile
        scale.refused(problem)
        return EXIT_USAGE
    if args.format == "json":
        sys.stdout.write(json_render.dumps(compare_render.document(comparison)))
    else:
        terminal.console().print(compare_render.tables(comparison))
    names = {"a": a.name, "b": b.name}
    for patient in comparison.patients:
        seen: dict[str, list[str]] = {}
        for side, result in (("a", patient.a), ("b", patient.b)):
            for error in result.errors:
                seen.setdefault(error.message, []).append(names[side])
        for message, sides in seen.items():
            _say(f"invalid record for {' and '.join(dict.fromkeys(sides))}: {message}", file=sys.stderr, one_line=True)
    return comparison.exit_code


def _parameter_names(path: Path) -> set[str]:
    """The parameters a protocol declares, read from its text alone: compiling it twice would report its errors twice."""
    from carepath.language import nodes
    from carepath.language.diagnostics import ProtocolError
    from carepath.language.parser import parse
    from carepath.language.source import Source

    try:
        protocol = parse(Source.from_path(path))
    except (OSError, UnicodeDecodeError, ProtocolError):
        return set()  # the real load that follows reports the problem
    return {d.name.name for d in protocol.definitions if isinstance(d, nodes.Parameter)}


def _check(args: argparse.Namespace) -> int:
    """Names, types and units first; a protocol without errors then goes through the deep analysis."""
    from carepath.analysis.pipeline import check_source
    from carepath.language.source import Source

    worst = EXIT_OK
    files: list[dict[str, Any]] = []
    overrides = _overrides(args)
    unknown = sorted(set(overrides) - {name for path in args.protocols for name in _parameter_names(path)}) if overrides else []
    if unknown:
        raise _UsageError(f"no protocol given has a parameter '{unknown[0]}'")
    for path in args.protocols:
        try:
            source = Source.from_path(path)
        except (OSError, UnicodeDecodeError) as error:
            _say(f"{path}: cannot read: {error}", file=sys.stderr)
            worst = EXIT_USAGE
            continue
        declared = _parameter_names(path) if overrides else set()
        from carepath.language.diagnostics import ParameterError

        try:
            report = check_source(source, {k: v for k, v in overrides.items() if k in declared}, strict=args.strict)
        except ParameterError as error:
            raise _UsageError(str(error)) from None
        errors, cautions = len(report.errors), len(report.warnings)
        if errors:
            worst = EXIT_USAGE
        if args.format == "json":
            files.append(_check_document(str(path), report))
            continue
        for finding in report.findings:
            _say(finding.render(source))
        if args.verbose:
            for note in report.notes:
                _say(note.render(source))
        _say(f"{path}: {errors} error{'s' * (errors != 1)}, {cautions} warning{'s' * (cautions != 1)}")
    if args.format == "json":
        from carepath.render import json as json_render

        sys.stdout.write(json_render.dumps({"files": files}))
    return worst


def _check_document(path: str, report: CheckReport) -> dict[str, Any]:
    """One file's report as data: what an editor or CI reads instead of parsing the text."""
    diagnostics = []
    for finding in report.findings:
        d = finding.diagnostic
        item: dict[str, Any] = {"code": d.code, "severity": d.severity.value, "line": d.span.line, "column": d.span.column,
                                "end_line": d.span.end_line, "end_column": d.span.end_column, "message": d.message, "hint": d.hint}
        if finding.record is not None:
            item["record"] = finding.record
            item["as_of"] = finding.as_of.isoformat() if finding.as_of is not None else None
        diagnostics.append(item)
    notes = [{"line": n.span.line, "column": n.span.column, "message": n.message} for n in report.notes]
    return {"path": path, "errors": len(report.errors), "warnings": len(report.warnings), "diagnostics": diagnostics, "notes": notes}


def _lsp(args: argparse.Namespace) -> int:
    """The server needs pygls, an optional extra: without it, say how to get it rather than fail with a traceback."""
    try:
        from carepath.tooling.lsp import serve
    except ImportError as error:
        if (error.name or "").split(".")[0] not in ("pygls", "lsprotocol"):
            raise
        print("carepath lsp needs the language server library: pip install 'carepath[editor]'", file=sys.stderr)
        return EXIT_USAGE
    serve()
    return EXIT_OK


def _fmt(args: argparse.Namespace) -> int:
    """Exit 0 when every file is (now) formatted, 1 when `--check`/`--diff` found one that would change,
    2 when a file cannot be read or does not parse (it is left untouched)."""
    import difflib

    from carepath.language.diagnostics import ProtocolError
    from carepath.language.formatter import FormatError, format_source
    from carepath.language.source import MAX_SOURCE_BYTES

    changed, unchanged, failed = 0, 0, False
    write = not (args.check or args.diff)
    for path in args.files:
        try:
            # bytes, so that CRLF line ends count as a change; a byte that is not UTF-8 is then the parser's CP106
            with path.open("rb") as handle:  # no more than the parser reads (CP104), whatever the file is
                text = handle.read(MAX_SOURCE_BYTES + 1).decode("utf-8", errors="surrogateescape")
        except OSError as error:
            _say(f"{path}: cannot read: {error}", file=sys.stderr)
            failed = True
            continue
        try:
            formatted = format_source(text, str(path))
        except ProtocolError as error:
            _say(error.render(), file=sys.stderr)
            failed = True
            continue
        except FormatError as error:
            _say(f"carepath fmt: {error}", file=sys.stderr)
            failed = True
            continue
        if formatted == text:
            unchanged += 1
            continue
        changed += 1
        if args.diff:
            sys.stdout.writelines(difflib.unified_diff(text.splitlines(keepends=True), formatted.splitlines(keepends=True),
                                                       f"{path}", f"{path} (formatted)"))
        if write:
            with path.open("w", encoding="utf-8", newline="\n") as handle:
                handle.write(formatted)
            _say(f"reformatted {path}")
        elif not args.diff:
            _say(f"would reformat {path}")
    files = "file" if changed == 1 else "files"
    summary = sys.stderr if args.diff else sys.stdout  # a diff on stdout stays a clean patch
    if write:
        print(f"{changed} {files} reformatted, {unchanged} unchanged", file=summary)
    else:
        print(f"{changed} {files} would be reformatted, {unchanged} already formatted", file=summary)
    return EXIT_USAGE if failed else EXIT_INVALID if changed and not write else EXIT_OK


def _test(args: argparse.Namespace) -> int:
    """Run the protocol's features with the shipped steps: exit 1 on a failing scenario or coverage below --fail-under."""
    try:
        from carepath.tooling import featurerun
    except ImportError as error:
        raise _UsageError(f"carepath test needs pytest and pytest-bdd (pip install 'carepath[test]'): {error}") from None
    from carepath.render import coverage as coverage_render
    from carepath.render import json as json_render
    from carepath.render import terminal

    if args.fail_under is not None and not 0 <= args.fail_under <= 100:
        raise _UsageError(f"--fail-under takes a percentage from 0 to 100, not {args.fail_under:g}")
    compiled = _load(args.protocol)
    if compiled is None:
        return EXIT_USAGE
    try:
        coverage, notes = featurerun.cover(args.protocol, compiled, args.features, Path.cwd())
    except featurerun.FeatureRunError as error:
        raise _UsageError(str(error)) from None
    for note in notes:
        _say(f"note: {note}", file=sys.stderr)
    if args.format == "json":
        sys.stdout.write(json_render.dumps(coverage_render.document(coverage, args.fail_under)))
    else:
        terminal.console().print(coverage_render.report(coverage, args.fail_under))
    return EXIT_OK if coverage.meets(args.fail_under) else EXIT_INVALID


if __name__ == "__main__":
    raise SystemExit(main())
