"""The Python API behind the `carepath` package: `load_protocol` → `load_records` → `run`, as the CLI does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path

from carepath.analysis.pipeline import check_source
from carepath.compile.compiler import CompiledProtocol
from carepath.data.maps import read_map
from carepath.data.records import InvalidRecord, PatientRecord, bind_all, load, load_text
from carepath.data.sources import DataFormat, DataSet, bind_data, read_data
from carepath.language.source import Source
from carepath.runtime.engine import Run, evaluate_all


def compile_source(source: Source, parameters: Mapping[str, str] | None = None) -> CompiledProtocol:
    """Parse, check and compile; raises `ProtocolError` with every diagnostic.

    `parameters` override the protocol's parameters by name, each value written as in a protocol file
    ("1.1 mg/kg", "3", "7 days", "day 30"); a misfit raises `ParameterError`. The deep analysis is left to
    `check_source` (and `carepath check`): running a protocol does not need it.
    """
    return check_source(source, parameters, deep=False).program()


def load_protocol(path: str | Path, parameters: Mapping[str, str] | None = None) -> CompiledProtocol:
    return compile_source(Source.from_path(path), parameters)


def load_records(compiled: CompiledProtocol, paths: Iterable[str | Path],
                 extra_fields: frozenset[str] = frozenset()) -> list[PatientRecord | InvalidRecord]:
    """`extra_fields`: fields another protocol reads, accepted here unread (as `compare` needs)."""
    return bind_all(load(paths), compiled.checked, extra_fields)


def records_from_text(compiled: CompiledProtocol, text: str, name: str = "<records>",
                      extra_fields: frozenset[str] = frozenset()) -> list[PatientRecord | InvalidRecord]:
    return bind_all(load_text(text, name), compiled.checked, extra_fields)


def load_data(compiled: CompiledProtocol, paths: Iterable[str | Path], map_path: str | Path | None = None,
              data_format: str | None = None, stdin: bytes | None = None,
              extra_fields: frozenset[str] = frozenset()) -> list[PatientRecord | InvalidRecord]:
    """Records from YAML/JSON, CSV, Parquet, FHIR Bundle or NDJSON files (`-`: `stdin`'s bytes), read through the data map
    at `map_path` if given; a map that does not fit raises `ProtocolError` (CP8xx), located in the map."""
    return bind_data(read_data_set(paths, map_path, data_format, stdin), compiled.checked, extra_fields)


def read_data_set(paths: Iterable[str | Path], map_path: str | Path | None = None, data_format: str | None = None,
                  stdin: bytes | None = None) -> DataSet:
    """The sources read, not yet bound: what `compare` binds to each of its two protocols."""
    data_map = read_map(map_path) if map_path is not None else None
    return read_data(paths, data_map, DataFormat(data_format) if data_format else None, stdin)


def run(compiled: CompiledProtocol, paths: Iterable[str | Path], as_of: dt.date, trace: bool = True) -> Run:
    """Evaluate every record in the given files; bad records become invalid results, the rest still run."""
    return evaluate_all(compiled, load_records(compiled, paths), as_of, trace)
