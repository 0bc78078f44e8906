"""A large CSV or Parquet file decided by DuckDB batch by batch, results streamed to a CSV or Parquet file.

Each batch is bound column by column into the SQL input table (`data.batches`) and decided by the compiled query; rows
set apart (errors, no id, dates to derive, numbers past the table's exact decimals) go record by record through the
interpreter. Memory holds one batch at a time; an id given more than once is refused (CP509) at the end, naming every row.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from carepath.compile.compiler import CompiledProtocol
from carepath.compile.sql import NEEDS, STATUS, Dialect, SqlProgram, compile_sql
from carepath.data.batches import BATCH_ROWS, batches, bind_batch, check_map
from carepath.data.maps import DataMap
from carepath.data.records import InvalidRecord, PatientRecord
from carepath.data.tabular import Table, bind_table
from carepath.runtime.engine import Result, evaluate
from carepath.runtime.sql import results_table


@dataclass(slots=True)
class Counts:
    """What has been read and decided so far: shown as progress, and the run's summary."""

    read: int = 0
    ok: int = 0
    undetermined: int = 0
    invalid: int = 0
    by_interpreter: int = 0  # rows set apart and decided record by record
    errors: list[str] = field(default_factory=list)  # the first errors, for standard error
    values: dict[str, Counter[object]] = field(default_factory=dict)  # decision → how many patients have each value
    not_ok: list[tuple[str | None, str, str | None]] = field(default_factory=list)  # the first patients not `ok`: id, status, needs

    @property
    def decided(self) -> int:
        return self.ok + self.undetermined


Progress = Callable[[Counts], None]
#: How many record errors a streamed run keeps to print; the output file has every one.
KEPT_ERRORS = 50
#: Batches worked on at once: one per core of the machines this runs on (two, often).
WORKERS = 2
#: DuckDB's share of memory in a streamed run; past it, DuckDB spills to disk (the ids of a very large file).
MEMORY_LIMIT = "256MB"


def stream_file(compiled: CompiledProtocol, path: Path, csv: bool, data_map: DataMap | None, as_of: dt.date, output: Path,
                progress: Progress | None = None, batch_rows: int = BATCH_ROWS) -> Counts:
    """Decide every row of `path` and write one result row each to `output` (.csv or .parquet), in the file's order.

    Two batches are worked on at once (the binding's Arrow kernels and DuckDB leave Python's lock while they run, so
    both cores are used); one more is read ahead at most, so memory holds a few batches whatever the file's size."""
    import duckdb

    program = compile_sql(compiled.checked)
    id_column = (data_map.id.column if data_map is not None else None) or "id"
    schema = _schema(program, compiled)
    counts = Counts()
    held: list[Table] = []  # rows whose id repeats: refused together at the end, each naming every place
    sql = program.sql(Dialect.DUCKDB, pretty=False)
    with duckdb.connect(":memory:", config={"memory_limit": MEMORY_LIMIT}) as connection, _Writer(output, schema) as writer, \
            ThreadPoolExecutor(max_workers=WORKERS) as pool:
        repeated = _repeated_ids(connection, path, csv, id_column, batch_rows)

        def decide(table: Table) -> tuple[pa.Table, Table, int]:
            """One batch: bound by columns and decided by SQL, its rows set apart decided record by record."""
            bound = bind_batch(table, compiled.checked, data_map, program.inputs, repeated)
            with connection.cursor() as cursor:  # a cursor per thread: one connection runs one query at a time
                decided = _decide(cursor, sql, bound.table, schema)
            apart = [row for row in bound.apart if _id(table, id_column, row) not in repeated]
            by_record = _by_record(compiled, _rows(table, apart), data_map, as_of, table.data.column_names)
            merged = _ordered(decided, bound.rows, _results_of(by_record, program, schema), apart)
            return merged, _rows(table, [row for row in bound.apart if _id(table, id_column, row) in repeated]), len(apart)

        pending: deque[tuple[Future[tuple[pa.Table, Table, int]], int]] = deque()
        for index, table in enumerate(batches(path, csv, batch_rows)):
            if index == 0:
                check_map(table, data_map)
                file_level = [r for r in bind_table(_rows(table, []), compiled.checked, data_map) if isinstance(r, InvalidRecord)]
                writer.write(_results_of([evaluate(compiled, r, as_of, trace=False) for r in file_level], program, schema), counts)
            pending.append((pool.submit(decide, table), table.data.num_rows))
            while len(pending) >= WORKERS:
                _collect(pending.popleft(), writer, counts, held, progress)
        while pending:
            _collect(pending.popleft(), writer, counts, held, progress)
        if any(t.data.num_rows for t in held):
            rows = [r for t in held for r in (t.rows or ())]
            whole = Table(pa.concat_tables([t.data for t in held]), str(path), csv, rows)
            refused = _by_record(compiled, whole, data_map, as_of, whole.data.column_names)
            writer.write(_results_of(refused, program, schema), counts)
    return counts


def _collect(done: tuple[Future[tuple[pa.Table, Table, int]], int], writer: _Writer, counts: Counts, held: list[Table],
             progress: Progress | None) -> None:
    """A batch's results written in turn, its repeated ids kept for the end."""
    future, rows = done
    merged, repeated, by_interpreter = future.result()
    writer.write(merged, counts)
    held.append(repeated)
    counts.by_interpreter += by_interpreter
    counts.read += rows
    if progress is not None:
        progress(counts)


def _repeated_ids(connection: Any, path: Path, csv: bool, id_column: str, batch_rows: int) -> frozenset[str]:
    """Ids given to more than one row of the whole file: one pass over the id column alone, read as the batches read
    it and counted by DuckDB, which keeps to its memory limit (spilling to disk) however many ids there are."""
    if csv:
        columns = (t.data.select([id_column]) for t in batches(path, csv, batch_rows) if id_column in t.data.column_names)
    elif id_column in pq.ParquetFile(path).schema_arrow.names:
        columns = (pa.table([b.column(0)], names=[id_column]) for b in pq.ParquetFile(path).iter_batches(batch_rows, columns=[id_column]))
    else:
        return frozenset()
    connection.execute("CREATE TEMP TABLE carepath_ids (id VARCHAR)")
    for table in columns:
        connection.register("carepath_batch", pa.table({"id": pc.cast(table.column(0), pa.string())}))
        connection.execute("INSERT INTO carepath_ids SELECT id FROM carepath_batch")
        connection.unregister("carepath_batch")
    many = connection.execute("SELECT id FROM carepath_ids WHERE id IS NOT NULL GROUP BY id HAVING count(*) > 1").fetchall()
    connection.execute("DROP TABLE carepath_ids")
    return frozenset(str(row[0]) for row in many)


def _id(table: Table, id_column: str, row: int) -> str | None:
    if id_column not in table.data.column_names:
        return None
    value = table.data.column(id_column)[row].as_py()
    return None if value is None else str(value)


def _rows(table: Table, rows: Sequence[int]) -> Table:
    """Some rows of a batch as a table of their own, each keeping its place in the file."""
    places = table.rows or range(table.data.num_rows)
    return Table(table.data.take(pa.array(rows, pa.int64())), table.name, table.csv, [places[row] for row in rows])


def _by_record(compiled: CompiledProtocol, table: Table, data_map: DataMap | None, as_of: dt.date,
               columns: Sequence[str]) -> list[Result]:
    if not table.data.num_rows:
        return []
    records: list[PatientRecord | InvalidRecord] = bind_table(table, compiled.checked, data_map, frozenset(columns))
    return [evaluate(compiled, record, as_of, trace=False) for record in records]


def _schema(program: SqlProgram, compiled: CompiledProtocol) -> pa.Schema:
    from carepath.ir import program as p

    kinds = {d.name: pa.bool_() if isinstance(d, p.Recommendation) else pa.string() for d in compiled.checked.decisions}
    return pa.schema([("id", pa.string()), (STATUS, pa.string()), *((name, kinds[name]) for name in program.decisions),
                      (NEEDS, pa.string()), ("errors", pa.string())])


def _decide(connection: Any, sql: str, table: pa.Table, schema: pa.Schema) -> pa.Table:
    """The batch's decisions, in the input table's row order (the ids of bound rows are unique)."""
    if not table.num_rows:
        return schema.empty_table()
    connection.register("inputs", table)
    result = connection.sql(sql).to_arrow_table()
    connection.unregister("inputs")
    if not pc.all(pc.equal(table.column("id"), result.column("id"))).as_py():  # DuckDB keeps the order; should it not, ids say
        result = result.take(pc.index_in(table.column("id"), result.column("id")))
    result = result.append_column("errors", pa.nulls(result.num_rows, pa.string()))
    return result.select(schema.names).cast(schema)


def _results_of(results: Sequence[Result], program: SqlProgram, schema: pa.Schema) -> pa.Table:
    return results_table(results, program.decisions, schema)


def _ordered(decided: pa.Table, rows: pa.Array, by_record: pa.Table, apart: Sequence[int]) -> pa.Table:
    """Bound rows and rows decided record by record, back in the file's order."""
    if not by_record.num_rows:
        return decided
    together = pa.concat_tables([decided, by_record])
    positions = pa.concat_arrays([rows.cast(pa.int64()), pa.array(apart, pa.int64())])
    return together.take(pc.sort_indices(positions))


class _Writer:
    """Result rows to a Parquet or CSV file as they come, counting statuses."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.path, self.schema = path, schema
        self.writer: Any = None

    def __enter__(self) -> _Writer:
        if self.path.suffix.lower() == ".parquet":
            self.writer = pq.ParquetWriter(self.path, self.schema)
        else:
            self.writer = pacsv.CSVWriter(self.path, self.schema)
        return self

    def __exit__(self, *exc: object) -> None:
        self.writer.close()

    def write(self, table: pa.Table, counts: Counts) -> None:
        if not table.num_rows:
            return
        self.writer.write_table(table)
        tally = dict(zip(*(c.to_pylist() for c in pc.value_counts(table.column(STATUS)).flatten()), strict=True))
        counts.ok += tally.get("ok", 0)
        counts.undetermined += tally.get("undetermined", 0)
        counts.invalid += tally.get("invalid", 0)
        valid = table.filter(pc.not_equal(table.column(STATUS), "invalid"))
        for name in self.schema.names[2:-2]:  # the decisions, between id and status, and needs and errors
            found = counts.values.setdefault(name, Counter())
            for value, number in zip(*(c.to_pylist() for c in pc.value_counts(valid.column(name)).flatten()), strict=True):
                found[value] += number
        if len(counts.not_ok) < KEPT_ERRORS and (tally.get("invalid") or tally.get("undetermined")):
            others = table.filter(pc.not_equal(table.column(STATUS), "ok")).slice(0, KEPT_ERRORS)
            counts.not_ok.extend(zip(*(others.column(c).to_pylist() for c in ("id", STATUS, NEEDS)), strict=True))
        if tally.get("invalid") and len(counts.errors) < KEPT_ERRORS:
            invalid = table.filter(pc.equal(table.column(STATUS), "invalid"))
            counts.errors.extend(e for e in invalid.column("errors").to_pylist()[:KEPT_ERRORS] if e)
