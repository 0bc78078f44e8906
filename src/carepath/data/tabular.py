"""CSV and Parquet registry exports → bound patient records, read and converted column by column with pyarrow.

A column with one unit (the map's `unit:` for bare numbers, or one unit written in every cell) is converted
with one vectorised multiplication and range check; other columns are converted once per distinct value. A
cell that does not fit is an error naming the patient, the column, the value and its row; the rest still run.
"""

from __future__ import annotations

import csv
import dataclasses
import gc
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple, overload

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from carepath.data.convert import BadValue, convert, plausibility_problem, show
from carepath.data.errors import Place, RecordCode, RecordError
from carepath.data.ids import refuse_duplicates
from carepath.data.limits import TABLE_BYTES
from carepath.data.maps import DataMap, FieldMap, check_columns
from carepath.data.records import InvalidRecord, PatientRecord, RawRecord
from carepath.ir.program import CheckedProtocol, InputInfo
from carepath.language.diagnostics import did_you_mean
from carepath.language.source import read_bounded
from carepath.semantics.trace import Fact
from carepath.semantics.types import Kind
from carepath.semantics.units import Unit, UnitError, parse_unit
from carepath.semantics.values import format_number

_NUMBER = r"^\s*[-+]?(?:\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?\s*$"
_WITH_UNIT = r"^\s*(?P<number>[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*(?P<unit>.*?)\s*$"


@dataclass(frozen=True, slots=True)
class Table:
    """A table as read: its columns, where it came from, and whether rows are CSV lines (the header being line 1)."""

    data: pa.Table
    name: str
    csv: bool
    rows: Sequence[int] | None = None  # a part of a larger table (a batch, or rows taken out): each row's place in it

    def place(self, row: int, column: int) -> Place:
        """Row 0 of a CSV is on line 2; a Parquet row is counted from 1."""
        row = self._row(row)
        return Place(self.name, row + 2 if self.csv else row + 1, column + 1)

    def where(self, row: int) -> str:
        row = self._row(row)
        return f"{self.name}:{row + 2}" if self.csv else f"{self.name} row {row + 1}"

    def _row(self, row: int) -> int:
        return row if self.rows is None else self.rows[row]

def read_csv(source: Path | bytes, name: str) -> Table:
    """Every column read as text (what the export holds, `33,900` and `6M` alike); an empty cell is missing."""
    raw = source if isinstance(source, bytes) else read_bounded(source, TABLE_BYTES, "a CSV file (a larger export is read as Parquet)")
    first = raw.split(b"\n", 1)[0].decode("utf-8-sig").rstrip("\r")
    try:
        header = next(csv.reader([first]), [])
    except csv.Error as error:  # reported as the file's error, as pyarrow's own are
        raise ValueError(f"the header line cannot be read: {error}") from None
    options = pacsv.ConvertOptions(column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=True,
                                   quoted_strings_can_be_null=True, null_values=[""])
    # a quoted cell may hold line breaks (a registry's free-text notes): places then count records, the header being 1
    return Table(pacsv.read_csv(io.BytesIO(raw), parse_options=pacsv.ParseOptions(newlines_in_values=True), convert_options=options),
                 name, True)


def read_parquet(source: Path | bytes, name: str) -> Table:
    return Table(pq.read_table(io.BytesIO(source) if isinstance(source, bytes) else source), name, False)


def bind_table(table: Table, protocol: CheckedProtocol, data_map: DataMap | None,
               extra_fields: frozenset[str] = frozenset()) -> list[PatientRecord | InvalidRecord]:
    """Bind every row; a map's missing column raises the map's `ProtocolError` (CP804) before any row is read.

    The cyclic garbage collector is paused while the records are made: they hold no cycles, and a collection
    triggered every few hundred of the million objects a large table makes would cost more than making them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _bind_table(table, protocol, data_map, extra_fields)
    finally:
        if enabled:
            gc.enable()


def _bind_table(table: Table, protocol: CheckedProtocol, data_map: DataMap | None,
                extra_fields: frozenset[str]) -> list[PatientRecord | InvalidRecord]:
    data = table.data
    columns = list(data.column_names)
    if data_map is not None:
        problems = check_columns(data_map, columns, table.name)
        if problems:
            raise data_map.fail(problems)
    id_column = (data_map.id.column if data_map is not None else None) or "id"
    if id_column not in columns:
        hint = did_you_mean(id_column, columns)
        error = RecordError.at(Place(table.name, 1, 1), RecordCode.NO_ID, "id",
                               f"{table.name}: no '{id_column}' column to take patient ids from" + (f"; {hint}" if hint else ""))
        return [InvalidRecord(None, (error,), table.name)]
    ids = [None if v is None else str(v) for v in data.column(id_column).to_pylist()]
    errors: dict[int, list[RecordError]] = {}
    file_errors: list[RecordError] = []
    slots: list[tuple[InputInfo, list[Any], FactColumn]] = []
    for info in protocol.inputs:
        entry = data_map.field(info.name) if data_map is not None else None
        column = entry.column if entry is not None else (info.name if data_map is None and info.name in columns else None)
        if column is None:
            continue
        index = columns.index(column)
        if info.type.kind is Kind.SERIES:  # a series has many dated values: one cell cannot hold them
            file_errors.append(RecordError.at(Place(table.name, 1, index + 1), RecordCode.BAD_SERIES, info.name,
                                              f"{table.name}: column '{column}' cannot hold the series '{info.name}'; a series is read "
                                              "from YAML records (day: value) or from dated FHIR resources"))
            continue
        reader = _ColumnReader(table, info, entry, column, index, ids, errors)
        slots.append((info, *reader.read(data.column(column))))
    if data_map is None:
        known = {id_column, *protocol.input_index, *extra_fields}
        for index, column in enumerate(columns):
            if column not in known and not column.startswith("about."):
                hint = did_you_mean(column, list(protocol.input_index))
                message = f"{table.name}: unknown column '{column}'" + (f"; {hint}" if hint else
                          f"; {protocol.name} reads {', '.join(protocol.input_index)}; name descriptive columns about.NAME, or write a map")
                file_errors.append(RecordError.at(Place(table.name, 1, index + 1), RecordCode.UNKNOWN_FIELD, column, message))
    return _records(table, protocol, ids, slots, errors, file_errors, columns.index(id_column))


def _records(table: Table, protocol: CheckedProtocol, ids: list[str | None], slots: list[tuple[InputInfo, list[Any], FactColumn]],
             errors: dict[int, list[RecordError]], file_errors: list[RecordError], id_index: int) -> list[PatientRecord | InvalidRecord]:
    """Rows → records: each row's values are zipped from the columns, and its facts are made from them when read."""
    from carepath.data.records import _derive  # same package: the derivation YAML records get

    n = len(ids)
    width = len(protocol.inputs)
    empty: list[Any] = [None] * n
    value_columns: list[list[Any]] = [empty] * width
    fact_columns: list[FactColumn | None] = [None] * width
    for info, column_values, column_facts in slots:
        value_columns[info.slot], fact_columns[info.slot] = column_values, column_facts
    by_slot = tuple(fact_columns)
    pairs = [(protocol.input_index[d.derived_from[0]].slot, protocol.input_index[d.derived_from[1]].slot)
             for d in protocol.inputs if d.derived_from and all(name in protocol.input_index for name in d.derived_from)]
    name = table.name
    line, at = (2 if table.csv else 1), table.rows
    prefix = f"{name}:" if table.csv else f"{name} row "
    new_record = _new_record
    # rows that need more than zipping, found once per column rather than once per row
    apart = set(errors) | {row for row, patient in enumerate(ids) if patient is None or not patient.strip()}
    derive = {row for a, b in pairs for row, (x, y) in enumerate(zip(value_columns[a], value_columns[b], strict=True))
              if x is not None and y is not None}
    rows = zip(*value_columns, strict=True) if width else (() for _ in ids)
    # every row as a record in one comprehension (the `where` worded as `Table.where` words it); then the few rows
    # that need more: those with an error or no id, and those whose durations are derived from two dates
    out: list[PatientRecord | InvalidRecord] = [
        new_record(patient, values, RowFacts(by_slot, row), _NOTHING, f"{prefix}{(row if at is None else at[row]) + line}", _NOTHING, name, None)
        for row, (patient, values) in enumerate(zip(ids, rows, strict=True))]
    for row in apart:
        out[row] = _invalid(table, row, ids[row], errors.get(row) or [], id_index)
    for row in derive - apart:
        record = out[row]
        assert isinstance(record, PatientRecord)
        found: list[RecordError] = []
        listed = list(record.values)
        made_facts: list[Fact | None] = [None] * width  # the derived values' facts; the others stay in their columns
        _derive(protocol, listed, made_facts, found, f"patient '{record.id}'", {}, RawRecord({}, record.where, file=name))
        derived = RowFacts(by_slot, row, {slot: fact for slot, fact in enumerate(made_facts) if fact is not None})
        out[row] = InvalidRecord(record.id, tuple(found), record.where) if found else \
            new_record(record.id, tuple(listed), derived, _NOTHING, record.where, _NOTHING, name, None)
    if file_errors:
        out.append(InvalidRecord(None, tuple(file_errors), name))
    known = [r.id for r in out if r.id is not None]
    if len(known) == len(set(known)):
        return out
    places = [table.place(row, id_index) for row in range(n)] + [Place(name, 1, 1)] * bool(file_errors)
    return refuse_duplicates(out, places, InvalidRecord)


def _invalid(table: Table, row: int, patient: str | None, row_errors: list[RecordError], id_index: int) -> InvalidRecord:
    where = table.where(row)
    if patient is None or not patient.strip():
        code = RecordCode.NO_ID if patient is None else RecordCode.EMPTY_ID
        message = f"{where}: the record has no id" if patient is None else f"{where}: the record's id is empty"
        row_errors = [RecordError.at(table.place(row, id_index), code, "id", message, patient), *row_errors]
    return InvalidRecord(patient if patient and patient.strip() else None, tuple(row_errors), where)


def _fast_fact() -> Any:
    """A fast constructor for `Fact`: sets its slots directly. The frozen dataclass's `__init__` goes through
    `object.__setattr__` per field, which for a table costs more than reading the row; the facts made are equal to
    those `__init__` makes (the unit tests compare them). Should `Fact` gain a field, its `__init__` is used."""
    if tuple(f.name for f in dataclasses.fields(Fact)) != ("input", "shown", "raw", "origin", "missing", "source"):
        return lambda name, shown, raw, origin, source: Fact(name, shown, raw, origin, source=source)
    new = object.__new__
    set_input, set_shown, set_raw, set_origin, set_missing, set_source = (
        Fact.__dict__[name].__set__ for name in ("input", "shown", "raw", "origin", "missing", "source"))

    def make(name: str, shown: str, raw: str | None, origin: str, source: object) -> Fact:
        fact = new(Fact)
        set_input(fact, name)
        set_shown(fact, shown)
        set_raw(fact, raw)
        set_origin(fact, origin)
        set_missing(fact, False)
        set_source(fact, source)
        return fact

    return make


def _fast_record() -> Any:
    """The same for `PatientRecord`, made once per row."""
    names = ("id", "values", "facts", "about", "where", "unread", "file", "source", "care")
    if tuple(f.name for f in dataclasses.fields(PatientRecord)) != names:
        return lambda *values: PatientRecord(*values)
    new = object.__new__
    set_id, set_values, set_facts, set_about, set_where, set_unread, set_file, set_source, set_care = (
        PatientRecord.__dict__[name].__set__ for name in names)

    def make(patient: str, values: tuple[Any, ...], facts: Sequence[Any], about: Mapping[str, Any], where: str,
             unread: Mapping[str, Any], file: str, source: object) -> PatientRecord:
        record = new(PatientRecord)
        set_id(record, patient)
        set_values(record, values)
        set_facts(record, facts)
        set_about(record, about)
        set_where(record, where)
        set_unread(record, unread)
        set_file(record, file)
        set_source(record, source)
        set_care(record, None)  # a table has no follow-up or care sections
        return record

    return make


_NOTHING: Mapping[str, Any] = MappingProxyType({})  # no `about:`, nothing unread: one shared empty mapping
_new_fact = _fast_fact()
_new_record = _fast_record()


class CellPlace(NamedTuple):
    """Where a cell was read (`file:line, column 'C'` for CSV, `file row N, column 'C'` for Parquet), made when printed.
    A named tuple: one is made per value read, and a tuple is the cheapest object to make."""

    table: Table
    row: int
    column: str

    def __str__(self) -> str:
        return f"{self.table.where(self.row)}, column '{self.column}'"


class FactColumn:
    """An input's facts for every row of a table, each made when it is read: a table of a million rows would
    otherwise make a million facts that only an explanation, a log or a report ever looks at."""

    __slots__ = ("column", "name", "origin", "table")

    def __init__(self, reader: _ColumnReader) -> None:
        self.name, self.origin, self.table, self.column = reader.info.name, reader.origin, reader.table, reader.column

    def fact(self, row: int) -> Fact | None:
        raise NotImplementedError

    def _made(self, row: int, shown: str, written: str | None) -> Fact:
        made: Fact = _new_fact(self.name, shown, written, self.origin, CellPlace(self.table, row, self.column))
        return made


class _QuantityFacts(FactColumn):
    """A column read with one unit: a fact shows the converted number in the input's unit, and the cell as written."""

    __slots__ = ("cells", "unit", "values")

    def __init__(self, reader: _ColumnReader, values: list[Any], cells: list[Any], unit: str) -> None:
        super().__init__(reader)
        self.values, self.cells, self.unit = values, cells, unit

    def fact(self, row: int) -> Fact | None:
        value = self.values[row]
        if value is None:
            return None
        shown = f"{value:,} {self.unit}" if isinstance(value, int) else f"{format_number(value)} {self.unit}"
        return self._made(row, shown, str(self.cells[row]))


class _DistinctFacts(FactColumn):
    """A column read once per distinct value: a row's fact is its value's, placed at the row."""

    __slots__ = ("indices", "shown", "written")

    def __init__(self, reader: _ColumnReader, indices: list[int | None], shown: list[str | None], written: list[str | None]) -> None:
        super().__init__(reader)
        self.indices, self.shown, self.written = indices, shown, written

    def fact(self, row: int) -> Fact | None:
        index = self.indices[row]
        if index is None:
            return None
        shown = self.shown[index]
        return None if shown is None else self._made(row, shown, self.written[index])


class RowFacts(Sequence[Fact | None]):
    """One row's facts, one per input slot, made from their columns when read; equal to the tuple of them."""

    __slots__ = ("columns", "derived", "row")

    def __init__(self, columns: tuple[FactColumn | None, ...], row: int, derived: Mapping[int, Fact] | None = None) -> None:
        self.columns, self.row, self.derived = columns, row, derived  # derived: slot → the fact of a value derived from others

    def __len__(self) -> int:
        return len(self.columns)

    @overload
    def __getitem__(self, slot: int) -> Fact | None: ...

    @overload
    def __getitem__(self, slot: slice) -> Sequence[Fact | None]: ...

    def __getitem__(self, slot: int | slice) -> Fact | Sequence[Fact | None] | None:
        if isinstance(slot, slice):
            return tuple(self)[slot]
        if self.derived is not None and slot in self.derived:
            return self.derived[slot]
        column = self.columns[slot]
        return None if column is None else column.fact(self.row)

    def __iter__(self) -> Iterator[Fact | None]:
        if self.derived is not None:
            return (self[slot] for slot in range(len(self.columns)))
        row = self.row
        return (None if column is None else column.fact(row) for column in self.columns)

    def __eq__(self, other: object) -> bool:
        return tuple(self) == (tuple(other) if isinstance(other, (tuple, list, RowFacts)) else other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))


class _ColumnReader:
    """One input's column: converted with one vectorised pass where it has one unit, else once per distinct value."""

    def __init__(self, table: Table, info: InputInfo, entry: FieldMap | None, column: str, index: int,
                 ids: Sequence[str | None], errors: dict[int, list[RecordError]]) -> None:
        self.table, self.info, self.entry, self.column, self.index = table, info, entry, column, index
        self.ids, self.errors = ids, errors
        self.origin = f"{table.name}, column '{column}'"  # the facts' sentence; each fact's `source` names its row

    def read(self, array: pa.ChunkedArray) -> tuple[list[Any], FactColumn]:
        if self.info.type.kind is Kind.QUANTITY and (self.entry is None or not (self.entry.forms or self.entry.vocabulary)):
            fast = self._quantity(array)
            if fast is not None:
                return fast
        return self._distinct(array)

    def _fail(self, row: int, written: Any, error: BadValue) -> None:
        who = f"patient '{self.ids[row]}'" if self.ids[row] else self.table.where(row)
        message = f"{who}: column '{self.column}' value {show(written)}: {error}"
        self.errors.setdefault(row, []).append(RecordError.at(self.table.place(row, self.index), error.code, self.info.name, message,
                                                              written, patient=self.ids[row], expected=str(error)))

    def _quantity(self, array: pa.ChunkedArray) -> tuple[list[Any], FactColumn] | None:
        """The vectorised path: None when the column has no single unit (then each distinct value is converted)."""
        found = self.quantity_arrays(array)
        if found is None:
            return None
        converted, bad_rows, _ = found
        values: list[Any] = converted.to_pylist()
        for row in bad_rows:
            values[row] = None
        if all(value is None or value.is_integer() for value in values):  # every value whole: ints, as YAML's are
            values = [None if value is None else int(value) for value in values]
        else:
            values = [int(value) if value is not None and value.is_integer() else value for value in values]
        target = self.info.type.unit
        assert isinstance(target, Unit)
        return values, _QuantityFacts(self, values, array.to_pylist(), target.display)

    def quantity_arrays(self, array: pa.ChunkedArray) -> tuple[pa.Array, list[int], str] | None:
        """The column converted into the input's unit in one vectorised pass (float64, to 9 decimals), the rows whose
        cell does not fit (each told as an error), and the unit read; None when the column has no single unit."""
        target = self.info.type.unit
        assert isinstance(target, Unit)
        written = array
        if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
            if self.entry is not None and self.entry.unit is not None:
                unit_text, numbers_text = self.entry.unit, pc.replace_substring(array, ",", "")
            else:
                parts = pc.extract_regex(array, _WITH_UNIT)
                units = pc.unique(pc.struct_field(parts, "unit")).drop_null()
                if len(units) != 1 or not units[0].as_py():
                    return None
                unit_text = str(units[0].as_py())
                numbers_text = pc.replace_substring(pc.struct_field(parts, "number"), ",", "")
            readable = pc.match_substring_regex(numbers_text, _NUMBER)
            numbers = pc.cast(pc.if_else(readable, numbers_text, pa.scalar(None, pa.string())), pa.float64())
        elif pa.types.is_integer(array.type) or pa.types.is_floating(array.type):
            if self.entry is None or self.entry.unit is None:
                return None  # a bare number needs a unit: each value says so
            unit_text, numbers = self.entry.unit, pc.cast(array, pa.float64())
        else:
            return None
        try:
            unit = parse_unit(unit_text)
        except UnitError:
            return None
        if not isinstance(unit, Unit) or unit.dimension != target.dimension:
            return None
        factor = unit.factor_to(target)
        # Rounded to 9 decimals of the input's unit: the cells are decimals, and 8.03 × 1000 is 8029.999999999999 in binary.
        # Numbers of 10^15 or more (or not finite) need no rounding and would overflow it: they are left as they are.
        product = pc.multiply(numbers, float(factor))
        small = pc.fill_null(pc.less(pc.abs(product), 1e15), False)
        converted = pc.if_else(small, pc.round(pc.if_else(small, product, 0.0), 9), product)
        bad = pc.is_null(numbers) if array.null_count == 0 else pc.and_(pc.is_null(numbers), pc.is_valid(array))
        bad = pc.or_kleene(bad, pc.invert(pc.fill_null(pc.is_finite(converted), True)))  # 1e400 is no count
        if self.info.plausible is not None:
            low, high = self.info.plausible
            outside = pc.or_(pc.less(converted, float(low)), pc.greater(converted, float(high)))  # type: ignore[arg-type]
            bad = pc.or_kleene(bad, pc.fill_null(outside, False))
        cells = written.to_pylist()
        bad_rows: list[int] = pc.indices_nonzero(bad).to_pylist()
        for row in bad_rows:
            cell = cells[row]
            text = f"{cell} {unit_text}" if self.entry is not None and self.entry.unit is not None else cell
            try:
                convert(self.info, text)
                self._fail(row, cell, BadValue(f"cannot be read with the unit {unit_text}"))
            except BadValue as error:
                self._fail(row, cell, error)
        return converted, bad_rows, unit_text

    def _distinct(self, array: pa.ChunkedArray) -> tuple[list[Any], FactColumn]:
        """Each distinct value through the map's forms and vocabulary, then the records' own conversion, once."""
        encoded, distinct, outcomes = self.distinct_outcomes(array)
        written = [None if cell is None else str(cell) for cell in distinct]
        indices: list[int | None] = encoded.indices.to_pylist()
        if any(isinstance(outcome, BadValue) for outcome in outcomes):
            indices = [None if index is None or isinstance(outcomes[index], BadValue) else index for index in indices]
        read = [(None, None) if isinstance(outcome, BadValue) else outcome for outcome in outcomes]
        values = [None if index is None else read[index][0] for index in indices]
        return values, _DistinctFacts(self, indices, [shown for _, shown in read], written)

    def distinct_outcomes(self, array: pa.ChunkedArray) -> tuple[pa.DictionaryArray, list[Any], list[tuple[Any, str] | BadValue]]:
        """The column dictionary-encoded, its distinct cells, and each one's (value, shown) or error; every row holding
        a bad cell is told as an error."""
        encoded = pc.dictionary_encode(array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array)  # a table of no rows has no chunk to encode
        distinct = encoded.dictionary.to_pylist()
        outcomes = [self._one(cell) for cell in distinct]
        bad = [index for index, outcome in enumerate(outcomes) if isinstance(outcome, BadValue)]
        if bad:
            indices = encoded.indices
            for row in pc.indices_nonzero(pc.fill_null(pc.is_in(indices, pa.array(bad, indices.type)), False)).to_pylist():
                index = indices[row].as_py()
                outcome = outcomes[index]
                assert isinstance(outcome, BadValue)
                self._fail(row, distinct[index], outcome)
        return encoded, distinct, outcomes

    def _one(self, cell: Any) -> tuple[Any, str] | BadValue:
        written = self.entry.read(str(cell)) if self.entry is not None and isinstance(cell, str) else cell
        if self.entry is not None and self.entry.unit is not None and isinstance(written, (str, int, float)) and not isinstance(written, bool):
            text = str(written).replace(",", "").strip()
            if _is_number(text):
                written = f"{text} {self.entry.unit}"
        try:
            value, shown = convert(self.info, written)
        except BadValue as error:
            return error
        problem = plausibility_problem(self.info, value) if self.info.type.kind is Kind.QUANTITY else None
        return BadValue(problem, RecordCode.IMPLAUSIBLE) if problem else (value, shown)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def columns_of(table: Table) -> Sequence[str]:
    return list(table.data.column_names)
