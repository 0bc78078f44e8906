"""CSV and Parquet registry exports → bound patient records, read and converted column by column with pyarrow.

A column with one unit (the map's `unit:` for bare numbers, or one unit written in every cell) is converted
with one vectorised multiplication and range check; other columns are converted once per distinct value. A
cell that does not fit is an error naming the patient, the column, the value and its row; the rest still run.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from carepath.data.convert import BadValue, convert, plausibility_problem, show
from carepath.data.errors import Place, RecordCode, RecordError
from carepath.data.ids import refuse_duplicates
from carepath.data.maps import DataMap, FieldMap, check_columns
from carepath.data.records import InvalidRecord, PatientRecord, RawRecord
from carepath.ir.program import CheckedProtocol, InputInfo
from carepath.language.diagnostics import did_you_mean
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

    def place(self, row: int, column: int) -> Place:
        """Row 0 of a CSV is on line 2; a Parquet row is counted from 1."""
        return Place(self.name, row + 2 if self.csv else row + 1, column + 1)

    def where(self, row: int) -> str:
        return f"{self.name}:{row + 2}" if self.csv else f"{self.name} row {row + 1}"


def read_csv(source: Path | bytes, name: str) -> Table:
    """Every column read as text (what the export holds, `33,900` and `6M` alike); an empty cell is missing."""
    raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    first = raw.split(b"\n", 1)[0].decode("utf-8-sig").rstrip("\r")
    header = next(csv.reader([first]), [])
    options = pacsv.ConvertOptions(column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=True,
                                   quoted_strings_can_be_null=True, null_values=[""])
    return Table(pacsv.read_csv(io.BytesIO(raw), convert_options=options), name, True)


def read_parquet(source: Path | bytes, name: str) -> Table:
    return Table(pq.read_table(io.BytesIO(source) if isinstance(source, bytes) else source), name, False)


def bind_table(table: Table, protocol: CheckedProtocol, data_map: DataMap | None,
               extra_fields: frozenset[str] = frozenset()) -> list[PatientRecord | InvalidRecord]:
    """Bind every row; a map's missing column raises the map's `ProtocolError` (CP804) before any row is read."""
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
    slots: list[tuple[InputInfo, list[Any], list[Fact | None]]] = []
    for info in protocol.inputs:
        entry = data_map.field(info.name) if data_map is not None else None
        column = entry.column if entry is not None else (info.name if data_map is None and info.name in columns else None)
        if column is None or info.type.kind is Kind.SERIES:
            continue
        index = columns.index(column)
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


def _records(table: Table, protocol: CheckedProtocol, ids: list[str | None], slots: list[tuple[InputInfo, list[Any], list[Fact | None]]],
             errors: dict[int, list[RecordError]], file_errors: list[RecordError], id_index: int) -> list[PatientRecord | InvalidRecord]:
    from carepath.data.records import _derive  # same package: the derivation YAML records get

    width = len(protocol.inputs)
    derived = any(info.derived_from for info in protocol.inputs)
    out: list[PatientRecord | InvalidRecord] = []
    places: list[Place] = []
    for row, patient in enumerate(ids):
        where = table.where(row)
        places.append(table.place(row, id_index))
        row_errors = errors.get(row, [])
        if patient is None or not patient.strip():
            code = RecordCode.NO_ID if patient is None else RecordCode.EMPTY_ID
            row_errors = [RecordError.at(table.place(row, id_index), code, "id", f"{where}: the record has no id" if patient is None
                                         else f"{where}: the record's id is empty", patient), *row_errors]
        if row_errors:
            out.append(InvalidRecord(patient if patient and patient.strip() else None, tuple(row_errors), where))
            continue
        values: list[Any] = [None] * width
        facts: list[Fact | None] = [None] * width
        for info, column_values, column_facts in slots:
            values[info.slot] = column_values[row]
            facts[info.slot] = column_facts[row]
        if derived:
            found: list[RecordError] = []
            _derive(protocol, values, facts, found, f"patient '{patient}'", {}, RawRecord({}, where, file=table.name))
            if found:
                out.append(InvalidRecord(patient, tuple(found), where))
                continue
        assert patient is not None
        out.append(PatientRecord(patient, tuple(values), tuple(facts), {}, where, {}, table.name))
    if file_errors:
        out.append(InvalidRecord(None, tuple(file_errors), table.name))
        places.append(Place(table.name, 1, 1))
    return refuse_duplicates(out, places, InvalidRecord)


class _ColumnReader:
    """One input's column: converted with one vectorised pass where it has one unit, else once per distinct value."""

    def __init__(self, table: Table, info: InputInfo, entry: FieldMap | None, column: str, index: int,
                 ids: list[str | None], errors: dict[int, list[RecordError]]) -> None:
        self.table, self.info, self.entry, self.column, self.index = table, info, entry, column, index
        self.ids, self.errors = ids, errors

    def read(self, array: pa.ChunkedArray) -> tuple[list[Any], list[Fact | None]]:
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

    def _fact(self, row: int, shown: str, written: Any) -> Fact:
        origin = f"{self.table.where(row)}, column '{self.column}'"
        return Fact(self.info.name, shown, None if written is None else str(written), origin, source=origin)

    def _quantity(self, array: pa.ChunkedArray) -> tuple[list[Any], list[Fact | None]] | None:
        """The vectorised path: None when the column has no single unit (then each distinct value is converted)."""
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
        converted = pc.multiply(numbers, float(factor))
        if factor.denominator != 1 or factor < 1:
            converted = pc.round(converted, 9)  # a decimal factor: no float noise such as 91600.00000000001
        bad = pc.is_null(numbers) if array.null_count == 0 else pc.and_(pc.is_null(numbers), pc.is_valid(array))
        if self.info.plausible is not None:
            low, high = self.info.plausible
            outside = pc.or_(pc.less(converted, float(low)), pc.greater(converted, float(high)))  # type: ignore[arg-type]
            bad = pc.or_kleene(bad, pc.fill_null(outside, False))
        values: list[Any] = converted.to_pylist()
        shown_unit = target.display
        cells = written.to_pylist()
        facts: list[Fact | None] = [None] * len(values)
        for row in pc.indices_nonzero(bad).to_pylist():
            cell = cells[row]
            text = f"{cell} {unit_text}" if self.entry is not None and self.entry.unit is not None else cell
            try:
                convert(self.info, text)
                self._fail(row, cell, BadValue(f"cannot be read with the unit {unit_text}"))
            except BadValue as error:
                self._fail(row, cell, error)
            values[row] = None
        where_cache = self.table
        for row, value in enumerate(values):
            if value is None:
                continue
            if value.is_integer():
                value = values[row] = int(value)
            origin = f"{where_cache.where(row)}, column '{self.column}'"
            facts[row] = Fact(self.info.name, f"{format_number(value)} {shown_unit}", str(cells[row]), origin, source=origin)
        return values, facts

    def _distinct(self, array: pa.ChunkedArray) -> tuple[list[Any], list[Fact | None]]:
        """Each distinct value through the map's forms and vocabulary, then the records' own conversion, once."""
        cells = array.to_pylist()
        seen: dict[Any, tuple[Any, str] | BadValue] = {}
        values: list[Any] = [None] * len(cells)
        facts: list[Fact | None] = [None] * len(cells)
        for row, cell in enumerate(cells):
            if cell is None:
                continue
            key = (type(cell), cell)
            outcome = seen.get(key)
            if outcome is None:
                outcome = seen[key] = self._one(cell)
            if isinstance(outcome, BadValue):
                self._fail(row, cell, outcome)
                continue
            values[row] = outcome[0]
            facts[row] = self._fact(row, outcome[1], cell)
        return values, facts

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
