"""A CSV or Parquet file read in batches of rows, each bound column by column straight into the SQL input table.

The conversions are the tabular reader's own (one vectorised pass for a column with one unit, once per distinct value
otherwise), so a value reads the same on either path. Rows that need more than a column pass (an error, no id, a
duration derived from two dates, a number the table cannot hold exactly) are set apart for the record-by-record path.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from carepath.data.columnar import DURATION_PARTS, exact_decimal, number_type
from carepath.data.errors import RecordError
from carepath.data.maps import DataMap, check_columns
from carepath.data.tabular import Table, _ColumnReader
from carepath.ir.program import CheckedProtocol, InputInfo
from carepath.language.limits import MAX_DURATION_DAYS
from carepath.semantics.types import Kind
from carepath.semantics.values import MONTH

#: Rows per batch: large enough that per-batch work is nothing, small enough that memory stays flat.
BATCH_ROWS = 262_144


@dataclass(frozen=True, slots=True)
class BoundBatch:
    """One batch bound: the SQL input table of the rows bound by columns (`rows`: their row in the batch), and the
    rows set apart for the record-by-record path, in order."""

    table: pa.Table
    rows: pa.Array
    apart: tuple[int, ...]


def batches(path: Path, csv: bool, batch_rows: int = BATCH_ROWS) -> Iterator[Table]:
    """The file as consecutive batches; each knows its rows' places in the whole file."""
    name = str(path)
    start = 0
    if csv:
        with open(path, "rb") as handle:
            header = handle.readline().decode("utf-8-sig").rstrip("\r\n")
        import csv as csv_module

        columns = next(csv_module.reader([header]), [])
        options = pacsv.ConvertOptions(column_types=dict.fromkeys(columns, pa.string()), strings_can_be_null=True,
                                       quoted_strings_can_be_null=True, null_values=[""])
        reader = pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 24),
                                parse_options=pacsv.ParseOptions(newlines_in_values=True), convert_options=options)
        stream: Iterator[pa.RecordBatch] = iter(reader)
    else:
        stream = pq.ParquetFile(path).iter_batches(batch_size=batch_rows)
    for block in stream:  # a CSV reader's blocks are of bytes: cut to `batch_rows` as Parquet's batches are
        for offset in range(0, block.num_rows, batch_rows):
            batch = block.slice(offset, batch_rows)
            yield Table(pa.Table.from_batches([batch]), name, csv, range(start, start + batch.num_rows))
            start += batch.num_rows


def check_map(table: Table, data_map: DataMap | None) -> None:
    """A map's column the file lacks: raised as the map's error before any row is read, as the tabular reader does."""
    if data_map is not None:
        problems = check_columns(data_map, list(table.data.column_names), table.name)
        if problems:
            raise data_map.fail(problems)


def bind_batch(table: Table, protocol: CheckedProtocol, data_map: DataMap | None, inputs: Sequence[InputInfo],
               repeated: frozenset[str]) -> BoundBatch:
    """The batch's input table for `compile.sql`; `repeated` are ids given more than once in the whole file."""
    data = table.data
    names = list(data.column_names)
    id_column = (data_map.id.column if data_map is not None else None) or "id"
    n = data.num_rows
    if id_column not in names:
        return BoundBatch(pa.table({}), pa.array([], pa.int64()), tuple(range(n)))
    ids = pc.cast(data.column(id_column), pa.string())
    apart = pc.or_kleene(pc.is_null(ids), pc.equal(pc.utf8_trim_whitespace(ids), ""))
    if repeated:
        apart = pc.or_kleene(apart, pc.is_in(ids, pa.array(sorted(repeated), pa.string())))
    errors: dict[int, list[RecordError]] = {}
    columns: dict[str, Any] = {"id": ids}
    derived = [info for info in inputs if info.derived_from is not None and all(protocol.input(d) for d in info.derived_from)]
    dates = [protocol.input_index[d] for info in derived for d in info.derived_from or ()]
    for info in [*inputs, *(d for d in dates if d not in inputs)]:
        column = _column_name(data_map, names, info.name)
        if column is None:
            columns.update(_missing(info, n))
            continue
        entry = data_map.field(info.name) if data_map is not None else None
        reader = _ColumnReader(table, info, entry, column, names.index(column), _Ids(ids), errors)
        made, unfit = _bind_column(reader, info, data.column(column))
        columns.update(made)
        if unfit is not None:
            apart = pc.or_kleene(apart, unfit)
    for info in derived:
        start_name, end_name = info.derived_from or ("", "")
        made, unfit = derive(info, columns[start_name], columns[end_name], [columns[f"{info.name}__{part}"] for part in DURATION_PARTS])
        columns.update(made)
        apart = pc.or_kleene(apart, unfit)
    if errors:
        apart = pc.or_kleene(apart, _mask(n, list(errors)))
    apart = pc.fill_null(apart, True)
    rows = pc.indices_nonzero(pc.invert(apart))
    every = len(rows) == n  # usually: no row set apart, nothing to take
    table_out = pa.table({name: values if every else pc.take(values, rows) for name, values in columns.items()})
    return BoundBatch(table_out, rows, tuple(pc.indices_nonzero(apart).to_pylist()))


def derive(info: InputInfo, start: pa.Array, end: pa.Array, given: list[pa.Array]) -> tuple[dict[str, pa.Array], pa.Array]:
    """A duration `from start to end` for every row with both dates (`Duration.between`, vectorised: completed calendar
    months, a month-end anniversary clamped to the month's last day), and the rows the record path must see: the age
    also given (to be checked against the dates), the dates in the wrong order, the result outside its plausible range."""
    both = pc.and_(pc.is_valid(start), pc.is_valid(end))
    first = np.asarray(pc.fill_null(pc.cast(start, pa.int32()), 0), dtype=np.int64)
    last = np.asarray(pc.fill_null(pc.cast(end, pa.int32()), 0), dtype=np.int64)
    first_month, last_month = _month_index(first), _month_index(last)
    first_day, last_day = first - _month_start(first_month) + 1, last - _month_start(last_month) + 1
    months = last_month - first_month
    months -= (np.minimum(first_day, _month_length(last_month)) > last_day).astype(np.int64)
    target = first_month + months
    anniversary = _month_start(target) + np.minimum(first_day, _month_length(target)) - 1
    position = months * MONTH + (last - anniversary)
    days = last - first
    low, high = -np.inf, float(MAX_DURATION_DAYS)
    if info.plausible is not None:
        low_bound, high_bound = info.plausible
        low, high = float(getattr(low_bound, "day_low", low)), min(high, float(getattr(high_bound, "day_high", high)))
    wrong = (days < 0) | (days < low) | (days > high)
    unfit = pc.and_(both, pc.or_(pa.array(wrong), pc.is_valid(given[0])))
    use = pc.and_(both, pc.invert(unfit))
    made = {f"{info.name}__{part}": pc.if_else(use, pa.array(values), pc.cast(already, pa.int64()))
            for part, values, already in zip(DURATION_PARTS, (position, position, days, days), given, strict=True)}
    return made, unfit


def _month_index(days: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Months since January 1970 of each day (days since 1 January 1970)."""
    index: np.ndarray[Any, Any] = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return index


def _month_start(index: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    start: np.ndarray[Any, Any] = index.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    return start


def _month_length(index: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    length: np.ndarray[Any, Any] = _month_start(index + 1) - _month_start(index)
    return length


class _Ids(Sequence[str | None]):
    """A batch's ids, each read only when an error names its patient."""

    def __init__(self, ids: pa.ChunkedArray) -> None:
        self.ids = ids

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, row: Any) -> Any:
        value = self.ids[row]
        return value.as_py() if isinstance(row, int) else [v.as_py() for v in value]


def _column_name(data_map: DataMap | None, names: list[str], name: str) -> str | None:
    """The column an input is read from: the map's, else (with no map) the one named as the input."""
    entry = data_map.field(name) if data_map is not None else None
    if entry is not None:
        return entry.column
    return name if data_map is None and name in names else None


def _missing(info: InputInfo, n: int) -> dict[str, pa.Array]:
    """An input the file has no column for: unknown for every row."""
    if info.type.kind is Kind.DURATION:
        return {f"{info.name}__{part}": pa.nulls(n, pa.int64()) for part in DURATION_PARTS}
    return {info.name: pa.nulls(n, _arrow_type(info))}


def _arrow_type(info: InputInfo) -> pa.DataType:
    match info.type.kind:
        case Kind.QUANTITY | Kind.NUMBER:
            return number_type(info)
        case Kind.BOOLEAN:
            return pa.bool_()
        case Kind.DATE:
            return pa.date32()
    return pa.string()


def _bind_column(reader: _ColumnReader, info: InputInfo, array: pa.ChunkedArray) -> tuple[dict[str, Any], pa.Array | None]:
    """One input's columns in the SQL layout, and which rows cannot be held (None: every row can)."""
    if info.type.kind is Kind.DATE and (pa.types.is_date32(array.type) or pa.types.is_date64(array.type)):
        return {info.name: pc.cast(array, pa.date32())}, None  # a typed date is read as it is, as `convert` reads one
    if info.type.kind is Kind.QUANTITY and (reader.entry is None or not (reader.entry.forms or reader.entry.vocabulary)):
        found = reader.quantity_arrays(array)
        if found is not None:
            converted, bad_rows, _ = found
            # exact in 9 decimals as the interpreter reads it (a float by its shortest decimal): any value under 10^6 (at
            # most 15 digits, so its shortest decimal is the one rounded to) and any whole number a float holds exactly
            size = pc.abs(converted)
            whole = pc.and_(pc.equal(converted, pc.floor(converted)), pc.less(size, 2.0**53))
            exact = pc.fill_null(pc.or_(pc.less(size, 1e6), whole), True)
            unfit = pc.invert(exact)
            if bad_rows:
                unfit = pc.or_(unfit, _mask(len(converted), bad_rows))
            number = pc.cast(pc.if_else(exact, converted, pa.scalar(None, pa.float64())), number_type(info), safe=False)
            return {info.name: number}, unfit
    encoded, _, outcomes = reader.distinct_outcomes(array)
    values = [None if isinstance(outcome, Exception) else outcome[0] for outcome in outcomes]
    unfit_distinct = [isinstance(outcome, Exception) for outcome in outcomes]
    indices = encoded.indices
    made: dict[str, Any]
    match info.type.kind:
        case Kind.QUANTITY | Kind.NUMBER:
            decimals = [None if v is None else exact_decimal(v) for v in values]
            unfit_distinct = [u or (v is not None and d is None) for u, v, d in zip(unfit_distinct, values, decimals, strict=True)]
            made = {info.name: _take(pa.array(decimals, number_type(info)), indices)}
        case Kind.DURATION:
            made = {f"{info.name}__{part}": _take(pa.array([None if v is None else getattr(v, part) for v in values], pa.int64()), indices)
                    for part in DURATION_PARTS}
        case Kind.BOOLEAN | Kind.DATE:
            made = {info.name: _take(pa.array(values, _arrow_type(info)), indices)}
        case _:
            made = {info.name: _take(pa.array([None if v is None else str(v) for v in values], pa.string()), indices)}
    unfit = pc.fill_null(_take(pa.array(unfit_distinct, pa.bool_()), indices), False) if any(unfit_distinct) else None  # an empty cell fits
    return made, unfit


def _take(values: pa.Array, indices: pa.Array) -> pa.Array:
    return pc.take(values, indices) if len(values) else pa.nulls(len(indices), values.type)


def _mask(n: int, rows: list[int]) -> pa.Array:
    flags = [False] * n
    for row in rows:
        flags[row] = True
    return pa.array(flags, pa.bool_())

