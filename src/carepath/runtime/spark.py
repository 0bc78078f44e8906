"""Spark as the SQL runtime's engine: a compiled query and its Arrow input table in, the result as an Arrow table out,
with the same columns and values DuckDB gives. Needs the `[spark]` extra (pyspark) and Java 17.
"""

from __future__ import annotations

import functools
import os
import shutil
from typing import TYPE_CHECKING

import pyarrow as pa

from carepath.compile.sql import Dialect, SqlProgram
from carepath.runtime.sql import Runner

if TYPE_CHECKING:  # pyspark is imported when a session is made: the other engines never pay for it
    from pyspark.sql import DataFrame, SparkSession

#: The query reads its input table under this name (`compile_sql`'s default).
INPUTS = "inputs"
LOCAL = "local[*]"


class SparkUnavailable(Exception):
    """Spark cannot start here: pyspark or Java is missing; the message says how to get it."""


def _pyspark_major() -> int:
    """pyspark's major version, after checking it and Java are there, so a missing one is said before Spark fails."""
    try:
        import pyspark
    except ImportError as missing:
        raise SparkUnavailable("Spark needs pyspark: pip install 'carepath[spark]'") from missing
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise SparkUnavailable("Spark needs Java 17 (no `java` on PATH and JAVA_HOME unset): "
                               "install it, e.g. apt-get install -y openjdk-17-jre-headless, or set JAVA_HOME")
    return int(pyspark.__version__.split(".")[0])


@functools.cache
def spark_session(master: str | None = None) -> SparkSession:
    """One session per master, made once (a JVM starts in seconds, not milliseconds): `local[*]` unless a cluster's
    master URL is given; quiet, UTC, Arrow transfers, and few shuffle partitions when local (the query never shuffles
    much: one row per patient, no joins).

    Decimal products stay exact: Spark types `a * b` with p1 + p2 + 1 digits, one more than the query's cast allows
    for, and past 38 its default (`allowPrecisionLoss`) drops a decimal, rounding (a product of two billionths became 0).
    Turned off, the type is capped at 38 digits with every decimal kept; the product fits, as the compiler sized it from
    the inputs' plausible ranges."""
    _pyspark_major()
    from pyspark.sql import SparkSession

    chosen = master or LOCAL
    builder = (SparkSession.builder.master(chosen).appName("carepath")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.log.level", "ERROR")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.sql.decimalOperations.allowPrecisionLoss", "false"))
    if chosen.startswith("local"):
        builder = builder.config("spark.sql.shuffle.partitions", "4")
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def run_on_spark(program: SqlProgram, table: pa.Table, master: str | None = None) -> pa.Table:
    """The query in Spark's SQL over `table` (as the view `inputs`): the result as DuckDB's runner gives it."""
    native = _pyspark_major() >= 4
    spark = spark_session(master)
    to_spark(spark, table, native).createOrReplaceTempView(INPUTS)
    try:
        return to_arrow(spark.sql(program.sql(Dialect.SPARK, pretty=False)), native)
    finally:
        spark.catalog.dropTempView(INPUTS)


def spark_runner(master: str | None = None) -> Runner:
    """`run_on_spark` on one master, as `evaluate_sql`'s `runner`; raises `SparkUnavailable` at once when pyspark or Java
    is missing, before any record is read."""
    _pyspark_major()

    def run(program: SqlProgram, table: pa.Table) -> pa.Table:
        return run_on_spark(program, table, master)

    return run


def to_spark(spark: SparkSession, table: pa.Table, native: bool) -> DataFrame:
    """Spark 4 reads an Arrow table as it is; before it, the rows go as Python values under the table's own schema,
    so decimals stay DECIMAL(38, 9) and a NULL integer never becomes a float NaN on the way."""
    if native:
        return spark.createDataFrame(table)
    from pyspark.sql.pandas.types import from_arrow_schema

    rows = list(zip(*(column.to_pylist() for column in table.columns), strict=True))
    return spark.createDataFrame(rows, schema=from_arrow_schema(table.schema))


def to_arrow(frame: DataFrame, native: bool) -> pa.Table:
    """Spark 4 gives Arrow directly; before it, through pandas under Spark's own schema as Arrow types, so a NULL boolean
    or string comes back None (never NaN) and the column types are those Spark computed."""
    if native:
        return frame.toArrow()
    from pyspark.sql.pandas.types import to_arrow_schema

    return pa.Table.from_pandas(frame.toPandas(), schema=to_arrow_schema(frame.schema), preserve_index=False)
