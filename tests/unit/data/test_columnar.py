"""The SQL input table from bound records: exact decimals as the interpreter reads numbers, durations as their bounds."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from carepath.api import load_protocol, records_from_text
from carepath.data.columnar import exact_decimal, input_table
from carepath.data.records import PatientRecord

ROOT = Path(__file__).resolve().parents[3]
SEED = load_protocol(ROOT / "protocols" / "severance_2011.care")


def test_a_number_is_the_decimal_the_interpreter_reads_or_none() -> None:
    assert exact_decimal(0.1) == Decimal("0.1")  # the float's shortest decimal, not its binary expansion
    assert exact_decimal(33900) == Decimal(33900)
    assert exact_decimal(8029.999999999999) is None  # 12 decimals: more than the table's 9
    assert exact_decimal(1e-10) is None
    assert exact_decimal(10**29) is None and exact_decimal(10**28) == Decimal(10**28)


def test_rows_the_table_cannot_hold_exactly_are_left_to_the_interpreter() -> None:
    records = records_from_text(SEED, """fields: [age_at_diagnosis, wbc_at_diagnosis, mll]
patients:
  - {id: a, age_at_diagnosis: 5 months, wbc_at_diagnosis: 60000 /uL, mll: germline}
  - {id: b, age_at_diagnosis: 183 days, wbc_at_diagnosis: 49999.0000000001 /uL, mll: translocation}
  - {id: c, wbc_at_diagnosis: 1000 /uL}
""")
    valid = [r for r in records if isinstance(r, PatientRecord)]
    program_inputs = [SEED.checked.input_index[name] for name in ("age_at_diagnosis", "wbc_at_diagnosis", "mll")]
    made = input_table([str(r.id) for r in valid], [r.values for r in valid], program_inputs)
    assert made.positions == (0, 2) and made.left_out == (1,)
    table = made.table
    assert table.column_names == ["id", "age_at_diagnosis__month_low", "age_at_diagnosis__month_high", "age_at_diagnosis__day_low",
                                  "age_at_diagnosis__day_high", "wbc_at_diagnosis", "mll"]
    assert table.schema.field("wbc_at_diagnosis").type == pa.decimal128(16, 9)  # as wide as 2,000,000 /µL needs
    assert table.column("age_at_diagnosis__month_low").to_pylist() == [160, None]  # 5 months is position 5 × 32
    assert table.column("age_at_diagnosis__day_low").to_pylist() == [150, None]  # and 150 to 153 days
    assert table.column("age_at_diagnosis__day_high").to_pylist() == [153, None]
    assert table.column("wbc_at_diagnosis").to_pylist() == [Decimal("60000"), Decimal("1000")]
    assert table.column("mll").to_pylist() == ["germline", None]
