"""carepath: clinical protocol rules in a small language, evaluated with an explanation for every decision.

The Python API mirrors the CLI: `load_protocol` → `load_records` → `run`. Names load on first use, so
`import carepath` (and `carepath --help`) stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from carepath._version import __version__

if TYPE_CHECKING:
    from carepath.analysis.pipeline import CheckReport, check_source
    from carepath.api import compile_source, load_protocol, load_records, records_from_text, run
    from carepath.compile.compiler import CompiledProtocol
    from carepath.data.records import InvalidRecord, PatientRecord, load_parameters
    from carepath.language.diagnostics import Diagnostic, ParameterError, ProtocolError
    from carepath.language.source import Source
    from carepath.runtime.engine import Batch, Result, Run, evaluate, evaluate_all, evaluate_batch

_WHERE = {
    "CheckReport": "carepath.analysis.pipeline", "check_source": "carepath.analysis.pipeline",
    "compile_source": "carepath.api", "load_protocol": "carepath.api", "load_records": "carepath.api",
    "records_from_text": "carepath.api", "run": "carepath.api",
    "CompiledProtocol": "carepath.compile.compiler",
    "InvalidRecord": "carepath.data.records", "PatientRecord": "carepath.data.records", "load_parameters": "carepath.data.records",
    "Diagnostic": "carepath.language.diagnostics", "ParameterError": "carepath.language.diagnostics",
    "ProtocolError": "carepath.language.diagnostics", "Source": "carepath.language.source",
    "Batch": "carepath.runtime.engine", "Result": "carepath.runtime.engine", "Run": "carepath.runtime.engine",
    "evaluate": "carepath.runtime.engine", "evaluate_all": "carepath.runtime.engine", "evaluate_batch": "carepath.runtime.engine",
}

__all__ = [
    "Batch", "CheckReport", "CompiledProtocol", "Diagnostic", "InvalidRecord", "ParameterError", "PatientRecord", "ProtocolError", "Result", "Run", "Source",
    "__version__",
    "check_source", "compile_source", "evaluate", "evaluate_all", "evaluate_batch", "load_parameters", "load_protocol", "load_records",
    "records_from_text", "run",
]


def __getattr__(name: str) -> Any:
    """Load a public name's module on first use."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'carepath' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
