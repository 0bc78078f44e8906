"""Data sources: each path (or `-`, standard input) read in its format — YAML/JSON records, CSV, Parquet, a FHIR
R4 Bundle or bulk NDJSON — then bound to a protocol, with one data map for all, and ids checked across them all.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from carepath.data.errors import Place, RecordCode
from carepath.data.ids import refuse_duplicates
from carepath.data.maps import DataMap, check_columns, check_map
from carepath.data.records import InvalidRecord, LoadFailure, PatientRecord, RawRecord, bind_all, load, load_text
from carepath.ir.program import CheckedProtocol
from carepath.language.source import FileTooLarge

if TYPE_CHECKING:
    from carepath.data.tabular import Table

STDIN = "-"


class DataFormat(enum.Enum):
    """How a data source is written; the value is the `--data-format` word."""

    YAML = "yaml"
    JSON = "json"
    CSV = "csv"
    PARQUET = "parquet"
    FHIR = "fhir"  # a FHIR R4 Bundle, JSON
    NDJSON = "ndjson"  # FHIR bulk export, one resource a line


_SUFFIXES = {".yaml": DataFormat.YAML, ".yml": DataFormat.YAML, ".json": DataFormat.JSON, ".csv": DataFormat.CSV,
             ".parquet": DataFormat.PARQUET, ".ndjson": DataFormat.NDJSON}


def detect(name: str, head: bytes) -> DataFormat:
    """A file's format from its name, else from its first bytes (standard input has no name)."""
    suffix = Path(name).suffix.lower()
    if suffix == ".json" or (suffix not in _SUFFIXES and head.lstrip()[:1] in (b"{", b"[")):
        start = head.lstrip()
        if start.startswith(b"{") and b'"resourceType"' in head:
            first_line = start.split(b"\n", 1)[0]
            if b'"Bundle"' in head[:4096]:
                return DataFormat.FHIR
            try:
                json.loads(first_line)
                return DataFormat.NDJSON
            except (ValueError, RecursionError):  # the reader then says what is wrong with it
                return DataFormat.FHIR
        return DataFormat.JSON
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    if head.startswith(b"PAR1"):
        return DataFormat.PARQUET
    first = head.split(b"\n", 1)[0]
    if b"," in first and b":" not in first:
        return DataFormat.CSV
    return DataFormat.YAML


@dataclass(frozen=True, slots=True)
class Part:
    """One source as read: records (YAML, JSON) ready to bind, or bytes a tabular or FHIR reader binds."""

    name: str
    format: DataFormat
    raws: tuple[RawRecord | LoadFailure, ...] = ()
    content: bytes | None = None
    path: Path | None = None


@dataclass(frozen=True, slots=True)
class DataSet:
    parts: tuple[Part, ...]
    data_map: DataMap | None = None


def read_data(paths: Iterable[str | Path], data_map: DataMap | None = None, data_format: DataFormat | None = None,
              stdin: bytes | None = None) -> DataSet:
    """Read each source; `-` is standard input (its bytes given as `stdin`). Nothing is bound yet."""
    parts = []
    for path in paths:
        if str(path) == STDIN:
            content = stdin or b""
            fmt = data_format or detect("", content[:4096])
            parts.append(_part("<stdin>", fmt, content, None))
            continue
        path = Path(path)
        if path.is_dir():
            parts.append(Part(str(path), DataFormat.YAML, tuple(load([path]))))
            continue
        parts.append(_part(str(path), data_format or _detect_file(path), None, path))
    return DataSet(tuple(parts), data_map)


def _detect_file(path: Path) -> DataFormat:
    try:
        with path.open("rb") as handle:
            return detect(str(path), handle.read(4096))
    except OSError:
        return DataFormat.YAML  # the YAML loader reports the file it cannot read


def _part(name: str, fmt: DataFormat, content: bytes | None, path: Path | None) -> Part:
    if fmt in (DataFormat.YAML, DataFormat.JSON):
        if content is None:
            assert path is not None
            return Part(name, fmt, tuple(load([path])) if fmt is DataFormat.YAML or path.suffix.lower() == ".json"
                        else tuple(_load_json_path(path)))
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as error:
            return Part(name, fmt, (LoadFailure(name, f"{name}: cannot read: {error}", Place(name)),))
        return Part(name, fmt, tuple(load_text(text, name, json_only=fmt is DataFormat.JSON)))
    return Part(name, fmt, (), content, path)


def _load_json_path(path: Path) -> list[RawRecord | LoadFailure]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return [LoadFailure(str(path), f"{path}: cannot read: {error}", Place(str(path)))]
    return load_text(text, str(path), json_only=True)


def bind_data(data: DataSet, protocol: CheckedProtocol, extra_fields: frozenset[str] = frozenset()) -> list[PatientRecord | InvalidRecord]:
    """Every source bound to `protocol`; raises the map's `ProtocolError` with every problem of the map (its form, its
    fit to the protocol, the columns the tables lack) before any record is bound. An id given to records in two
    sources makes each copy invalid, as within one."""
    tables = {index: _table(part) for index, part in enumerate(data.parts) if part.format in (DataFormat.CSV, DataFormat.PARQUET)}
    if data.data_map is not None:
        problems = check_map(data.data_map, protocol)
        for index, table in tables.items():
            if not isinstance(table, InvalidRecord):
                problems.extend(check_columns(data.data_map, list(table.data.column_names), data.parts[index].name))
        if problems:
            raise data.data_map.fail(problems)
    out: list[PatientRecord | InvalidRecord] = []
    for index, part in enumerate(data.parts):
        if index in tables:
            from carepath.data import tabular

            table = tables[index]
            out.extend([table] if isinstance(table, InvalidRecord) else tabular.bind_table(table, protocol, data.data_map, extra_fields))
        else:
            out.extend(_bind_part(part, data.data_map, protocol, extra_fields))
    if len(data.parts) < 2:
        return out
    return refuse_duplicates(out, [record.where for record in out], InvalidRecord)  # across sources: each source refused its own


def _table(part: Part) -> Table | InvalidRecord:
    from carepath.data import tabular

    source: Path | bytes = part.content if part.content is not None else part.path  # type: ignore[assignment]
    try:
        return tabular.read_csv(source, part.name) if part.format is DataFormat.CSV else tabular.read_parquet(source, part.name)
    except FileTooLarge as error:
        return InvalidRecord(None, (LoadFailure(part.name, str(error), Place(part.name), RecordCode.FILE_TOO_LARGE).error(),), part.name)
    except (OSError, ValueError) as error:  # pyarrow's ArrowInvalid is a ValueError
        return _unreadable(part, error)


def _unreadable(part: Part, error: Exception) -> InvalidRecord:
    failure = LoadFailure(part.name, f"{part.name}: cannot be read as {part.format.value}: {error}", Place(part.name))
    return InvalidRecord(None, (failure.error(),), part.name)


def _bind_part(part: Part, data_map: DataMap | None, protocol: CheckedProtocol,
               extra_fields: frozenset[str]) -> list[PatientRecord | InvalidRecord]:
    if part.format in (DataFormat.YAML, DataFormat.JSON):
        return bind_all(part.raws, protocol, extra_fields)
    from carepath.data import fhir

    source: Path | bytes = part.content if part.content is not None else part.path  # type: ignore[assignment]
    try:
        return fhir.bind_fhir(source, part.name, part.format is DataFormat.NDJSON, protocol, data_map, extra_fields)
    except (OSError, ValueError) as error:
        return [_unreadable(part, error)]
