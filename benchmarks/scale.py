"""Cohort scale: the seed protocol over 1 M and 10 M synthetic patients in Parquet, decided by the interpreter's cohort
path, by carepath on DuckDB, by carepath's Spark SQL on Spark local, and by the same rule written by hand in DuckDB SQL.

    python benchmarks/scale.py                      # 1 M and 10 M patients (about 10 minutes on 2 cores)
    python benchmarks/scale.py --sizes 200000       # a quick run
    python benchmarks/scale.py --no-spark           # without Spark (no Java, or no `[spark]` extra)

Each contender runs in a child process of its own, so each peak memory (max RSS) is its own. One run prints every
line and the ratios; agreement with carepath's own answers is checked before anything is reported.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
PROTOCOL = ROOT / "protocols" / "severance_2011.care"
AS_OF = "2026-01-01"
MAP = """id: patient
fields:
  date_of_birth:
    column: born
  date_of_diagnosis:
    column: diagnosed
  age_at_diagnosis:
    column: age
  wbc_at_diagnosis:
    column: wbc
    unit: /uL
  mll:
    column: mll
"""


def make_cohort(path: Path, rows: int, seed: int = 1) -> None:
    """A registry export: age as "N months" or "N days" text, or (15 %) birth and diagnosis dates to derive it from; WBC a
    bare number per µL; MLL status; 5 % of each value missing."""
    rng = np.random.default_rng(seed)
    schema = pa.schema([("patient", pa.string()), ("age", pa.string()), ("wbc", pa.float64()), ("mll", pa.string()),
                        ("born", pa.date32()), ("diagnosed", pa.date32())])
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, rows, 1_000_000):
            n = min(1_000_000, rows - start)
            ids = pc.cast(pa.array(np.arange(start, start + n)), pa.string())
            months = rng.integers(0, 13, n)
            days = rng.integers(0, 366, n)
            in_days = rng.random(n) < 0.25
            age = pc.if_else(pa.array(in_days), pc.binary_join_element_wise(pc.cast(pa.array(days), pa.string()), " days", ""),
                             pc.binary_join_element_wise(pc.cast(pa.array(months), pa.string()), " months", ""))
            wbc = np.round(np.exp(rng.uniform(np.log(500), np.log(500_000), n)))
            mll = pa.array(np.array(["germline", "translocation", "duplication"])[rng.choice(3, n, p=[0.6, 0.3, 0.1])])
            dated = rng.random(n) < 0.15
            born = rng.integers(14_600, 20_000, n)  # 2010 to 2024, as days since 1970
            diagnosed = born + rng.integers(0, 366, n)
            age = pc.if_else(pa.array(dated), pa.scalar(None, pa.string()), age)
            born_dates = pc.if_else(pa.array(dated), pa.array(born.astype(np.int32)).cast(pa.date32()), pa.scalar(None, pa.date32()))
            diagnosed_dates = pc.if_else(pa.array(dated), pa.array(diagnosed.astype(np.int32)).cast(pa.date32()), pa.scalar(None, pa.date32()))
            columns = [ids, age, pa.array(wbc), mll, born_dates, diagnosed_dates]
            columns = [c if i == 0 else pc.if_else(pa.array(rng.random(n) < 0.05), pa.scalar(None, c.type), c)
                       for i, c in enumerate(columns)]
            writer.write_table(pa.table(columns, schema=schema))


def hand_sql(data: Path, output: Path) -> str:
    """The rule by hand: age < 6 months (whole months exact; a day count by the day spans 6 months can have),
    WBC >= 50,000 /µL, MLL translocation; any true → high; all false → standard; else undetermined."""
    from carepath.semantics.values import month_positions_of_days

    always_under = max(d for d in range(400) if month_positions_of_days(d)[1] < 6 * 32)  # every start: under 6 months
    never_under = min(d for d in range(400) if month_positions_of_days(d)[0] >= 6 * 32)
    return f"""
    COPY (
      WITH parsed AS (
        SELECT patient AS id,
               TRY_CAST(regexp_extract(age, '^(\\d+) months$', 1) AS INTEGER) AS months,
               TRY_CAST(regexp_extract(age, '^(\\d+) days$', 1) AS INTEGER) AS days,
               born, diagnosed, wbc, mll FROM read_parquet('{data}')),
      criteria AS (
        SELECT id,
               CASE WHEN born IS NOT NULL AND diagnosed IS NOT NULL THEN diagnosed < born + INTERVAL 6 MONTH
                    WHEN months IS NOT NULL THEN months < 6
                    WHEN days <= {always_under} THEN TRUE WHEN days >= {never_under} THEN FALSE END AS infant,
               CAST(wbc AS DECIMAL(18, 3)) >= 50000 AS hyper,
               mll = 'translocation' AS mll_t FROM parsed)
      {HAND_DECISIONS}) TO '{output}' (FORMAT parquet)"""


def child(name: str, data: Path, work: Path) -> dict[str, float]:
    """One contender, timed end to end (read, bind, decide, write), in this process."""
    import datetime as dt

    from carepath.api import load_data, load_protocol
    from carepath.data.maps import read_map

    compiled = load_protocol(PROTOCOL)
    as_of = dt.date.fromisoformat(AS_OF)
    map_path = work / "cohort.map.yaml"
    started = time.perf_counter()
    if name == "interpreter":
        from carepath.runtime.engine import evaluate_batch

        records = load_data(compiled, [data], map_path)
        batch = evaluate_batch(compiled, records, as_of)
        decided = pa.table({"id": [r.id for r in records], "risk_group": list(batch.decisions["risk_group"])})
        pq.write_table(decided, work / "interpreter.parquet")
    elif name == "duckdb":
        from carepath.runtime.stream import stream_file

        stream_file(compiled, data, False, read_map(map_path), as_of, work / "duckdb.parquet")
    elif name == "hand":
        import duckdb

        duckdb.sql(hand_sql(data, work / "hand.parquet"))
    elif name in ("duckdb-decide", "spark-decide", "hand-decide"):
        decide_only(name, compiled, work)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux → MiB
    return {"seconds": seconds, "peak_mib": peak}


def decide_only(name: str, compiled: object, work: Path) -> None:
    """The query alone, over the input table already bound (carepath's SQL against the hand-written rule, same engine)."""
    from carepath.compile.sql import Dialect, compile_sql

    program = compile_sql(compiled.checked)  # type: ignore[attr-defined]
    bound = work / "bound.parquet"
    if name == "spark-decide":
        from carepath.runtime.spark import spark_session

        spark = spark_session(None)
        spark.read.parquet(str(bound)).createOrReplaceTempView("inputs")
        spark.sql(program.sql(Dialect.SPARK, pretty=False)).write.mode("overwrite").parquet(str(work / "spark.parquet"))
        return
    import duckdb

    connection = duckdb.connect()
    connection.sql(f"CREATE VIEW inputs AS SELECT * FROM read_parquet('{bound}')")
    query = program.sql(Dialect.DUCKDB, pretty=False) if name == "duckdb-decide" else HAND_ON_BOUND
    connection.sql(f"COPY ({query}) TO '{work / (name + '.parquet')}' (FORMAT parquet)")


#: The same output as carepath's query (status, both decisions, what an undetermined patient needs), by hand.
HAND_DECISIONS = """
SELECT id, CASE WHEN risk_group IS NULL THEN 'undetermined' ELSE 'ok' END AS status, risk_group,
  risk_group = 'high' AS hsct_referral,
  CASE WHEN risk_group IS NULL THEN concat_ws(',', CASE WHEN infant IS NULL THEN 'age_at_diagnosis' END,
    CASE WHEN hyper IS NULL THEN 'wbc_at_diagnosis' END, CASE WHEN mll_t IS NULL THEN 'mll' END) END AS needs
FROM (SELECT *, CASE WHEN infant OR hyper OR mll_t THEN 'high' WHEN NOT infant AND NOT hyper AND NOT mll_t THEN 'standard' END
      AS risk_group FROM criteria)"""

HAND_ON_BOUND = """
WITH criteria AS (SELECT id,
  CASE WHEN age_at_diagnosis__month_high < 192 THEN TRUE WHEN age_at_diagnosis__month_low >= 192 THEN FALSE END AS infant,
  wbc_at_diagnosis >= 50000 AS hyper, mll = 'translocation' AS mll_t FROM inputs)""" + HAND_DECISIONS


def bind_to_parquet(data: Path, work: Path) -> None:
    """The SQL input table for the decide-only lines, bound by carepath's own column binder."""
    from carepath.api import load_protocol
    from carepath.compile.sql import compile_sql
    from carepath.data.batches import batches, bind_batch
    from carepath.data.maps import read_map

    compiled = load_protocol(PROTOCOL)
    program = compile_sql(compiled.checked)
    data_map = read_map(work / "cohort.map.yaml")
    writer = None
    for table in batches(data, False):
        bound = bind_batch(table, compiled.checked, data_map, program.inputs, frozenset()).table
        writer = writer or pq.ParquetWriter(work / "bound.parquet", bound.schema)
        writer.write_table(bound)
    if writer is not None:
        writer.close()


def agree(work: Path, name: str, reference: str = "duckdb") -> int:
    """How many patients' answer differs from carepath on DuckDB's: the risk group, and for SQL also status and needs."""
    import duckdb

    columns = ["risk_group"] if name == "interpreter" else ["risk_group", "status", "needs"]
    differs = " OR ".join(f"a.{c} IS DISTINCT FROM b.{c}" for c in columns)
    return int(duckdb.sql(f"""SELECT count(*) FROM read_parquet('{work / (reference + '.parquet')}') a
        FULL JOIN read_parquet('{work / (name + '.parquet')}') b USING (id) WHERE {differs}""").fetchall()[0][0])


def run_child(name: str, data: Path, work: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", name, "--data", str(data), "--work", str(work)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--interpreter-up-to", type=int, default=1_000_000, help="the interpreter runs on sizes up to this")
    parser.add_argument("--no-spark", action="store_true")
    parser.add_argument("--child", default=None)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.data, args.work)))
        return 0
    print(f"{'patients':>11}  {'contender':<34} {'seconds':>8} {'patients/s':>12} {'peak MiB':>9}")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            work = Path(folder)
            data = work / "cohort.parquet"
            make_cohort(data, size)
            (work / "cohort.map.yaml").write_text(MAP, encoding="utf-8")
            bind_to_parquet(data, work)
            names = ["duckdb", "hand", "duckdb-decide", "hand-decide"]
            if not args.no_spark:
                names.append("spark-decide")
            if size <= args.interpreter_up_to:
                names.insert(0, "interpreter")
            results = {name: run_child(name, data, work) for name in names}
            for name in names:
                if name in ("spark-decide",):
                    continue
                differ = agree(work, name) if name not in ("duckdb",) else 0
                if differ:
                    print(f"{name}: {differ} patients' risk group differs from carepath on DuckDB", file=sys.stderr)
                    return 1
            if "spark-decide" in results:
                differ = agree(work, "spark", "duckdb-decide")
                if differ:
                    print(f"Spark: {differ} patients differ from DuckDB", file=sys.stderr)
                    return 1
            for name, result in results.items():
                label = LABELS[name]
                print(f"{size:>11,}  {label:<34} {result['seconds']:>8.2f} {size / result['seconds']:>12,.0f} {result['peak_mib']:>9,.0f}")
            rate = {name: size / r["seconds"] for name, r in results.items()}
            print(f"{size:>11,}  ratio carepath SQL / hand SQL, decide only (goal >= 0.8): {rate['duckdb-decide'] / rate['hand-decide']:.2f}")
            print(f"{size:>11,}  ratio carepath DuckDB / hand SQL, end to end: {rate['duckdb'] / rate['hand']:.2f}")
            if "interpreter" in rate:
                print(f"{size:>11,}  ratio carepath DuckDB / interpreter, end to end (goal >= 50): {rate['duckdb'] / rate['interpreter']:.1f}")
    return 0


LABELS = {
    "interpreter": "interpreter (load+bind+decide)",
    "duckdb": "carepath on DuckDB (end to end)",
    "hand": "hand-written DuckDB SQL (end to end)",
    "duckdb-decide": "carepath SQL on DuckDB (decide)",
    "hand-decide": "hand-written DuckDB SQL (decide)",
    "spark-decide": "carepath SQL on Spark local (decide)",
}

if __name__ == "__main__":
    sys.exit(main())
