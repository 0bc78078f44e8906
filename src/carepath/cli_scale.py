"""`carepath sql`, and how `run` decides a cohort: the interpreter, DuckDB embedded or Spark, and where results go.

A CSV or Parquet file above `AUTO_BYTES` is decided by DuckDB unless `--engine` says otherwise; with `--output` to a CSV
or Parquet file it is streamed batch by batch, so memory stays flat however many patients it holds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import enum
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from carepath.compile.compiler import CompiledProtocol
    from carepath.runtime.engine import Run
    from carepath.runtime.stream import Counts

#: A CSV or Parquet input larger than this is decided by DuckDB by default (docs/scale.md).
AUTO_BYTES = 64 * 1024 * 1024
#: A terminal table longer than this is summarised: counts, and the patients who are not `ok`, first ones only.
TABLE_ROWS = 1_000


class Engine(enum.StrEnum):
    """Who decides a cohort: the interpreter (every command), DuckDB embedded, or Spark (the `[spark]` extra)."""

    INTERPRETER = "interpreter"
    DUCKDB = "duckdb"
    SPARK = "spark"


OUTPUTS = (".json", ".csv", ".parquet")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], parameter_options: Callable[[argparse.ArgumentParser], None],
             handler: Callable[[argparse.Namespace], int]) -> None:
    sql = commands.add_parser("sql", help="print the protocol as one SQL query over a table of bound inputs (docs/scale.md)")
    sql.add_argument("protocol", type=Path)
    sql.add_argument("--dialect", choices=("duckdb", "spark", "trino", "postgres"), default="duckdb")
    sql.add_argument("--table", default="inputs", help="the input table's name (default: inputs)")
    parameter_options(sql)
    sql.set_defaults(handler=handler)


def engine_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--engine", type=Engine, choices=list(Engine), default=None,
                         help=f"who decides: the interpreter (default), DuckDB (default for a CSV or Parquet file over "
                              f"{AUTO_BYTES // (1024 * 1024)} MiB) or Spark (pip install 'carepath[spark]')")
    command.add_argument("--master", default=None, help="Spark's master URL (default: local[*])")


def print_sql(compiled: CompiledProtocol, dialect: str, table: str) -> int:
    """The query, or the diagnostics naming what cannot be compiled (exit 2)."""
    from carepath.compile.sql import Dialect, compile_sql
    from carepath.language.diagnostics import ProtocolError
    from carepath.render import escape

    try:
        program = compile_sql(compiled.checked, table)
    except ProtocolError as error:
        print(escape.lines(error.render()), file=sys.stderr)
        return 2
    sys.stdout.write(program.sql(Dialect(dialect)) + ";\n")
    return 0


def chosen_engine(args: argparse.Namespace) -> Engine:
    """`--engine`, else DuckDB for one large CSV or Parquet file, else the interpreter."""
    if args.engine is not None:
        return Engine(args.engine)
    paths = [p for p in args.records if str(p) != "-"]
    tabular = len(paths) == 1 and (paths[0].suffix.lower() in (".csv", ".parquet") or args.data_format in ("csv", "parquet"))
    return Engine.DUCKDB if tabular and paths[0].is_file() and paths[0].stat().st_size > AUTO_BYTES else Engine.INTERPRETER


def can_stream(args: argparse.Namespace) -> bool:
    """One CSV or Parquet file, and results to a CSV or Parquet file, or a file large enough that DuckDB was chosen for
    it, summarised on the terminal: streamed in batches (the JSON contract, with every patient's reasons, and the
    table `--engine duckdb` prints for a smaller file are made in memory)."""
    paths = list(args.records)
    to_file = args.output is not None and args.output.suffix.lower() in (".csv", ".parquet")
    summarised = args.output is None and args.format == "table" and args.engine is None  # a file past `AUTO_BYTES`
    return (to_file or summarised) and len(paths) == 1 and str(paths[0]) != "-" and _format(args, paths[0]) in ("csv", "parquet")


def _format(args: argparse.Namespace, path: Path) -> str | None:
    if args.data_format is not None:
        return str(args.data_format)
    suffix = path.suffix.lower()
    return suffix[1:] if suffix in (".csv", ".parquet") else None


def stream(args: argparse.Namespace, compiled: CompiledProtocol, as_of: dt.date) -> int:
    """The streamed run: progress on standard error when it is a terminal, a one-line summary on standard output."""
    from carepath.data.maps import read_map
    from carepath.language.diagnostics import ProtocolError
    from carepath.render import escape
    from carepath.runtime.stream import stream_file

    path = Path(args.records[0])
    with tempfile.TemporaryDirectory() as folder:  # no --output: the results are summarised, then left
        output = args.output or Path(folder) / "results.parquet"
        try:
            data_map = read_map(args.map) if args.map is not None else None
            counts = stream_file(compiled, path, _format(args, path) == "csv", data_map, as_of, output,
                                 _progress if sys.stderr.isatty() else None)
        except ProtocolError as error:
            print(escape.lines(error.render()), file=sys.stderr)
            return 2
    if sys.stderr.isatty():
        print(file=sys.stderr)
    for message in counts.errors:
        print(f"invalid record: {escape.text(message)}", file=sys.stderr)
    if counts.invalid > len(counts.errors):
        where = f"every error is in {args.output}" if args.output else "--output FILE keeps every one"
        print(f"… {counts.invalid - len(counts.errors):,} more invalid records: {escape.text(where)}", file=sys.stderr)
    if args.output is not None:
        print(escape.text(_summary(compiled, counts, args.output)))
    else:
        print(escape.lines("\n".join(_streamed_lines(compiled, counts))))
    return 1 if counts.invalid else 0


def _streamed_lines(compiled: CompiledProtocol, counts: Counts) -> list[str]:
    """A streamed cohort on the terminal: as `summarised` gives one held in memory."""
    lines = [f"{counts.read:,} records: {counts.ok:,} ok, {counts.undetermined:,} undetermined, {counts.invalid:,} invalid"]
    for name, values in counts.values.items():
        found = sorted(values.items(), key=lambda item: -item[1])
        lines.append(f"  {name}: " + ", ".join(f"{_shown(v)} {n:,}" for v, n in found))
    lines.extend(f"  {patient}: {status}" + (f", needs {needs.replace(',', ', ')}" if needs else "")
                 for patient, status, needs in counts.not_ok[:20])
    lines.append("(decided by DuckDB, summarised; --output FILE gives every patient)")
    return lines


def _summary(compiled: CompiledProtocol, counts: Counts, output: Path) -> str:
    version = compiled.checked.version or ""
    return (f"{compiled.checked.name} {version} · {counts.read:,} records: {counts.ok:,} ok, {counts.undetermined:,} undetermined, "
            f"{counts.invalid:,} invalid (DuckDB; {counts.by_interpreter:,} rows bound record by record) → {output}")


def _progress(counts: Counts) -> None:
    sys.stderr.write(f"\rread {counts.read:,} · decided {counts.decided:,} · invalid {counts.invalid:,}")
    sys.stderr.flush()


class EngineUnavailable(Exception):
    """The engine asked for cannot run here (Spark without pyspark or Java): a usage error, said with how to get it."""


def decider(engine: Engine, master: str | None, criteria: bool = False) -> Callable[[CompiledProtocol, Sequence[Any], dt.date], Run]:
    """How a cohort in memory is decided, with reasons, by the engine chosen: the same `Run` whichever decides. The SQL
    engines raise `ProtocolError` (CP901/CP902) for a protocol they do not compile. `criteria` keeps each criterion's
    value among the decisions (`outcomes --by` a criterion)."""
    from carepath.runtime.engine import Run, evaluate_all, provenance

    if engine is Engine.INTERPRETER:
        return lambda compiled, records, as_of: evaluate_all(compiled, records, as_of, trace=False, reasons=True)
    from carepath.runtime.sql import Runner, evaluate_sql, run_on_duckdb

    runner: Runner = run_on_duckdb
    if engine is Engine.SPARK:
        from carepath.runtime.spark import SparkUnavailable, spark_runner

        try:
            runner = spark_runner(master)
        except SparkUnavailable as missing:
            raise EngineUnavailable(str(missing)) from None

    def decided(compiled: CompiledProtocol, records: Sequence[Any], as_of: dt.date) -> Run:
        batch = evaluate_sql(compiled, records, as_of, runner, reasons=True, criteria=criteria)
        return Run(provenance(compiled), as_of, batch.results())

    return decided


def decide(compiled: CompiledProtocol, records: Sequence[Any], as_of: dt.date, engine: Engine, master: str | None) -> Run | None:
    """`run`'s cohort decided; None when the SQL back end refuses the protocol (the diagnostics are printed)."""
    from carepath.language.diagnostics import ProtocolError

    try:
        return decider(engine, master)(compiled, records, as_of)
    except ProtocolError as error:
        refused(error)
        return None


def refused(error: Exception) -> None:
    """A protocol the SQL back end does not compile, told as `check` tells a problem."""
    from carepath.language.diagnostics import ProtocolError
    from carepath.render import escape

    assert isinstance(error, ProtocolError)
    print(escape.lines(error.render()), file=sys.stderr)


def show(run: Run, compiled: CompiledProtocol, output: Path | None, form: str) -> None:
    """`run`'s results: to `--output`, as the JSON contract, as a table, or summarised when the table would be long."""
    from carepath.ir import program as p
    from carepath.render import escape, terminal
    from carepath.render import json as json_render

    names = [d.name for d in compiled.decisions]
    if output is not None:
        write_output(run, names, output)
    elif form == "json":
        sys.stdout.write(json_render.dumps(json_render.run_document(run)))
    elif len(run.results) > TABLE_ROWS:
        print(escape.lines("\n".join(summarised(run, names))))
    else:
        console = terminal.console()
        fallbacks = {d.name: d.branches[-1].name for d in compiled.decisions
                     if isinstance(d, (p.Classification, p.Dose)) and d.branches and d.branches[-1].condition is None}
        console.print(terminal.run_table(run, names, fallbacks))
        console.print(terminal.summary(run))


def write_output(run: Run, names: Sequence[str], path: Path) -> None:
    """`--output`: the run contract as JSON, or one row per patient as CSV or Parquet."""
    from carepath.render import json as json_render

    if path.suffix.lower() == ".json":
        path.write_text(json_render.dumps(json_render.run_document(run)), encoding="utf-8")
        return
    from carepath.runtime.sql import write_table

    write_table(run, names, path)


def summarised(run: Run, names: Sequence[str]) -> list[str]:
    """A large cohort's terminal output: how many of each status and decision, and the first patients not `ok`."""
    from collections import Counter

    statuses = Counter(r.status for r in run.results)
    lines = [f"{len(run.results):,} records: " + ", ".join(f"{statuses[s]:,} {s}" for s in ("ok", "undetermined", "invalid"))]
    for name in names:
        values = Counter(r.decisions.get(name) for r in run.results if r.status != "invalid")
        lines.append(f"  {name}: " + ", ".join(f"{_shown(v)} {n:,}" for v, n in sorted(values.items(), key=lambda item: -item[1])))
    others = [r for r in run.results if r.status != "ok"][:20]
    for result in others:
        lines.append(f"  {result.id}: {result.status}" + (f", needs {', '.join(result.needs)}" if result.needs else ""))
    lines.append(f"(more than {TABLE_ROWS:,} records: summarised; --format json or --output FILE gives every one)")
    return lines


def _shown(value: object) -> str:
    return "undetermined" if value is None else "yes" if value is True else "no" if value is False else str(value)
