"""Load speed: patients read and bound from YAML records, from a CSV registry export and from Parquet, in one run.

Why: a registry export of a whole cohort must load in seconds. The CSV and Parquet readers convert a column
with one unit with one vectorised pass (pyarrow compute), so they are meant to load ≥ 20× as many records per
second as the YAML reader, which reads each value through the YAML parser and converts it on its own.

The same synthetic patients (benchmarks/run.py's generator) are written three ways: YAML records as a site
writes them by hand, and a registry export (bare numbers whose unit is in the data map, ages in months, MLL as
the lab writes it) as CSV and as Parquet. Before timing, every form's bound values are compared patient by
patient; a disagreement exits with status 1. The YAML reader is timed on the first `--yaml-records` patients
(it is the slow one: 100,000 would take most of a minute on its own) and its rate is per record either way.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import PROTOCOL, best_of, synthetic_records

import carepath
from carepath.api import load_data, records_from_text
from carepath.data.records import PatientRecord

GOAL = 20.0  # CSV and Parquet records/s ≥ 20 × YAML's
MAP = """\
id: case
fields:
  age_at_diagnosis: {column: age_months, unit: months}
  date_of_birth: birth_date
  date_of_diagnosis: diagnosis_date
  wbc_at_diagnosis: {column: wbc_k_per_ul, unit: K/uL}
  mll:
    column: mll_finding
    vocabulary: {"t(4;11)(q21;q23)": translocation, "dupMLL(11q23)": duplication, "-": germline}
"""
_FINDING = {"translocation": "t(4;11)(q21;q23)", "duplication": "dupMLL(11q23)", "germline": "-"}


def yaml_text(raws: Sequence[dict[str, Any]]) -> str:
    lines = []
    for raw in raws:
        lines.append(f'- id: "{raw["id"]}"')
        lines.extend(f'  {key}: "{value}"' for key, value in raw.items() if key != "id")
    return "\n".join(lines) + "\n"


def export_table(raws: Sequence[dict[str, Any]]) -> pa.Table:
    """The registry export: one column per item, bare numbers, the lab's MLL spelling, missing as empty."""
    columns: dict[str, list[Any]] = {"case": [], "age_months": [], "birth_date": [], "diagnosis_date": [], "wbc_k_per_ul": [],
                                      "mll_finding": []}
    for raw in raws:
        age = raw.get("age_at_diagnosis", "")
        wbc = raw.get("wbc_at_diagnosis")
        columns["case"].append(raw["id"])
        columns["age_months"].append(age.split()[0] if age.endswith("months") else None)
        columns["birth_date"].append(raw.get("date_of_birth"))
        columns["diagnosis_date"].append(raw.get("date_of_diagnosis"))
        columns["wbc_k_per_ul"].append(None if wbc is None else _per_microlitre(wbc) / 1000)
        columns["mll_finding"].append(_FINDING[raw["mll"]] if "mll" in raw else None)
    return pa.table(columns)


def _per_microlitre(written: str) -> float:
    number, unit = written.rsplit(" ", 1)
    value = float(number.replace(",", ""))
    return value * 1000 if unit == "10*9/L" else value


def registry_raws(raws: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records the export holds, as YAML would: ages in days are not exported (a registry keeps months)."""
    out = []
    for raw in raws:
        record = {k: v for k, v in raw.items() if not (k == "age_at_diagnosis" and not v.endswith("months"))}
        out.append(record)
    return out


def _values(records: Sequence[Any]) -> list[tuple[str, tuple[Any, ...]]]:
    return [(r.id, r.values) for r in records if isinstance(r, PatientRecord)]


@dataclass(frozen=True)
class Measured:
    lines: tuple[tuple[str, str, int, float], ...]  # (key, label, patients, best seconds)
    repeats: int

    @property
    def rates(self) -> dict[str, float]:
        return {key: count / seconds for key, _, count, seconds in self.lines}

    @property
    def ratios(self) -> dict[str, float]:
        rates = self.rates
        return {key: rates[key] / rates["yaml"] for key in ("csv", "parquet")}

    def report(self) -> list[str]:
        rates = self.rates
        width = max(len(label) for _, label, _, _ in self.lines)
        out = [f"{'load + bind':<{width}}  {'records/s':>12}  {'µs/record':>10}"]
        out.extend(f"{label:<{width}}  {rates[key]:>12,.0f}  {seconds / count * 1e6:>10.2f}" for key, label, count, seconds in self.lines)
        out.extend(f"{key} / yaml: {ratio:.1f}×  (goal ≥ {GOAL:.0f}×: {'met' if ratio >= GOAL else 'MISSED'})"
                   for key, ratio in self.ratios.items())
        return out


def measure(records: int, yaml_records: int, seed: int, repeats: int) -> Measured | None:
    """Every form's load + bind timed; None (after printing the disagreement) when the forms bind different values."""
    compiled = carepath.load_protocol(PROTOCOL)
    raws = registry_raws(synthetic_records(records, seed))
    table = export_table(raws)
    with tempfile.TemporaryDirectory() as folder:
        csv_path, parquet_path, map_path = Path(folder, "export.csv"), Path(folder, "export.parquet"), Path(folder, "export.map.yaml")
        sink = io.BytesIO()
        pacsv.write_csv(table, sink)
        csv_path.write_bytes(sink.getvalue())
        pq.write_table(table, parquet_path)
        map_path.write_text(MAP, encoding="utf-8")
        yaml_part = yaml_text(raws[:yaml_records])

        def from_yaml() -> list[Any]:
            return records_from_text(compiled, yaml_part, "records.yaml")

        def from_csv() -> list[Any]:
            return load_data(compiled, [csv_path], map_path)

        def from_parquet() -> list[Any]:
            return load_data(compiled, [parquet_path], map_path)

        # ---- agreement first: every form binds the same values
        yaml_values, csv_values, parquet_values = _values(from_yaml()), _values(from_csv()), _values(from_parquet())
        if not (csv_values == parquet_values and csv_values[:len(yaml_values)] == yaml_values and len(csv_values) == records):
            print(f"DISAGREEMENT: bound values differ (yaml {len(yaml_values)}, csv {len(csv_values)}, parquet {len(parquet_values)})",
                  file=sys.stderr)
            return None
        return Measured((
            ("yaml", f"YAML records ({yaml_records:,} patients)", yaml_records, best_of(repeats, from_yaml)),
            ("csv", f"CSV export + map ({records:,} patients)", records, best_of(repeats, from_csv)),
            ("parquet", f"Parquet export + map ({records:,} patients)", records, best_of(repeats, from_parquet)),
        ), repeats)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--yaml-records", type=int, default=10_000, help="patients the YAML reader is timed on")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    measured = measure(args.records, args.yaml_records, args.seed, args.repeats)
    if measured is None:
        return 1
    print(f"carepath {carepath.__version__}, Python {platform.python_version()}, pyarrow {pa.__version__}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs; best of {args.repeats}; all forms bind the same values")
    print("\n".join(measured.report()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
