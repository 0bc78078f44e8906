"""Without pyspark or Java, `--engine spark` says how to get them instead of failing inside Spark's start-up.

Why: the SQL back end's Spark runner is an optional extra; its absence must read as an instruction, not a traceback.
These run without Spark installed (the integration tests are skipped then).
"""

from __future__ import annotations

import sys
import types

import pytest

from carepath.compile.compiler import CompiledProtocol
from carepath.compile.sql import compile_sql
from carepath.data.columnar import input_table
from carepath.runtime import spark
from carepath.runtime.spark import SparkUnavailable, run_on_spark


def _run(seed: CompiledProtocol) -> None:
    program = compile_sql(seed.checked)
    run_on_spark(program, input_table([], [], program.inputs).table)


def test_without_pyspark_the_extra_is_named(monkeypatch: pytest.MonkeyPatch, seed: CompiledProtocol) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # `import pyspark` raises ImportError
    with pytest.raises(SparkUnavailable, match=r"pip install 'carepath\[spark\]'"):
        _run(seed)


def test_without_java_java_17_is_named(monkeypatch: pytest.MonkeyPatch, seed: CompiledProtocol) -> None:
    fake = types.ModuleType("pyspark")
    fake.__version__ = "4.0.0"
    monkeypatch.setitem(sys.modules, "pyspark", fake)
    monkeypatch.setattr(spark.shutil, "which", lambda name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(SparkUnavailable, match="Java 17"):
        _run(seed)
