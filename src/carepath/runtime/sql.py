"""A cohort decided by SQL: the protocol compiled once (`compile.sql`), the bound records as its input table, the query
run by DuckDB embedded or by Spark; the result is the interpreter's own `Batch`, so every renderer reads it unchanged.

Rows the input table cannot hold exactly are decided by the interpreter; reasons come from one traced evaluation per
pattern of comparison outcomes and input states, as `evaluate_batch` gives them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from carepath.compile.compiler import CompiledProtocol
from carepath.compile.sql import NEEDS, STATUS, SqlProgram, compile_sql
from carepath.data.columnar import input_table
from carepath.data.records import InvalidRecord, PatientRecord
from carepath.runtime.engine import Batch, Result, Run, evaluate, input_state, valid_rows

#: Runs a compiled query over an input table (registered as `inputs`) and gives its result table.
Runner = Callable[[SqlProgram, pa.Table], pa.Table]


def run_on_duckdb(program: SqlProgram, table: pa.Table) -> pa.Table:
    """DuckDB embedded, in memory: the Arrow table is read in place, never copied into a database file."""
    import duckdb  # imported when used: the interpreter's commands never pay for it

    from carepath.compile.sql import Dialect

    with duckdb.connect(":memory:") as connection:
        connection.register("inputs", table)
        return connection.sql(program.sql(Dialect.DUCKDB, pretty=False)).to_arrow_table()


def evaluate_sql(compiled: CompiledProtocol, records: Iterable[PatientRecord | InvalidRecord], as_of: dt.date,
                 runner: Runner = run_on_duckdb, reasons: bool = False, criteria: bool = False) -> Batch:
    """Every record, decided by SQL where the input table holds its values exactly, else by the interpreter. With
    `criteria`, each criterion's value is kept beside the decisions (to group patients by it)."""
    given = tuple(records)
    program = compile_sql(compiled.checked, atoms=reasons, criteria=criteria)
    rows, positions, errors = valid_rows(compiled, given, as_of)
    ids = [str(row) for row in range(len(rows))]  # each row by its place: two records bound apart may share an id
    made = input_table(ids, rows, program.inputs)
    result = runner(program, made.table).to_pydict() if made.table.num_rows else {}
    count = len(given)
    statuses = ["invalid"] * count
    shown = (*program.decisions, *program.criteria)
    decided: dict[str, list[Any]] = {name: [None] * count for name in shown}
    needs: dict[int, tuple[str, ...]] = {}
    why: dict[int, dict[str, tuple[str, ...]]] = {}
    held: dict[int, dict[str, tuple[object, ...]]] = {}
    traced: dict[tuple[Any, ...], Result] = {}
    read = compiled.read_inputs
    for index, place in enumerate(result.get("id", ())):
        row = int(place)
        position = positions[row]
        statuses[position] = result[STATUS][index]
        for name in shown:
            decided[name][position] = result[name][index]
        if result[NEEDS][index] is not None:
            needs[position] = tuple(name for name in result[NEEDS][index].split(",") if name)
        if reasons:
            pattern = (*(result[atom][index] for atom in program.atoms), *(input_state(rows[row][i.slot]) for i in read))
            sample = traced.get(pattern)
            if sample is None:
                sample = traced[pattern] = evaluate(compiled, given[position], as_of, trace=True)
            why[position] = sample.reasons
            held[position] = sample.reason_outcomes or {}
    for row in made.left_out:  # a value past the table's exact decimals: the interpreter decides it
        position = positions[row]
        one = evaluate(compiled, given[position], as_of, trace=reasons or criteria)
        statuses[position] = one.status
        steps = {c.definition.name: step.outcome for c, step in zip(compiled.definitions, one.criteria, strict=False)}
        values = {**one.decisions, **{name: steps.get(name) for name in program.criteria}}
        for name in shown:
            decided[name][position] = values.get(name)
        if one.needs:
            needs[position] = one.needs
        if reasons:
            why[position], held[position] = one.reasons, one.reason_outcomes or {}
    return Batch(given, tuple(statuses), {name: column for name, column in decided.items()}, needs, errors, why, held)


def results_table(results: Sequence[Result], names: Sequence[str], schema: pa.Schema | None = None) -> pa.Table:
    """One row per patient: id, status, each decision, what an undetermined one needs, the errors of an invalid one."""
    columns: dict[str, list[Any]] = {"id": [], STATUS: [], **{name: [] for name in names}, NEEDS: [], "errors": []}
    for result in results:
        columns["id"].append(result.id)
        columns[STATUS].append(result.status)
        for name in names:
            columns[name].append(result.decisions.get(name))
        columns[NEEDS].append(",".join(result.needs) if result.status == "undetermined" else None)
        columns["errors"].append("; ".join(error.message for error in result.errors) or None)
    return pa.table(columns, schema=schema)


def write_table(run: Run, names: Sequence[str], path: Path) -> None:
    """`run --output` to a Parquet or CSV file: `results_table`'s rows."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    table = results_table(run.results, names)
    if path.suffix.lower() == ".parquet":
        pq.write_table(table, path)
    else:
        pacsv.write_csv(table, path)
