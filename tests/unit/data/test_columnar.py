"""The SQL input table from bound records: exact decimals as the interpreter reads numbers, durations as their bounds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from carepath.api import compile_source, load_protocol, records_from_text
from carepath.data.columnar import exact_decimal, input_table
from carepath.data.records import PatientRecord
from carepath.language.source import Source

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


@pytest.mark.parametrize(("value", "expected"), [
    (50000, Decimal("50000.000000000")),
    (0.1, Decimal("0.100000000")),  # the decimal written, not the double's binary expansion
    (49999.999999999, Decimal("49999.999999999")),
    (-2.5, Decimal("-2.500000000")),
    (0.0000000001, None),  # ten decimals: not rounded to nine
    (10**29, None),
    (float("inf"), None),
    (float("nan"), None),
])
def test_a_number_is_held_exactly_or_not_at_all(value: int | float, expected: Decimal | None) -> None:
    assert exact_decimal(value) == expected


def test_each_kind_of_input_has_its_columns() -> None:
    compiled = compile_source(Source("t.care", """protocol t
input
  wbc  : quantity /uL plausible 100 /uL .. 2000000 /uL
  age  : duration plausible 0 days .. 12 months
  flag : boolean optional
  mll  : one of germline, translocation
  seen : date optional
  note : text optional
"""))
    records = records_from_text(compiled, "- {id: a, wbc: 50 10*9/L, age: 6 months, flag: true, mll: germline, seen: 2025-01-31, note: x}\n"
                                          "- {id: b, wbc: 100.0000000001 /uL}\n- {id: c}\n")
    rows = [r.values for r in records if isinstance(r, PatientRecord)]
    made = input_table(["a", "b", "c"], rows, compiled.checked.inputs)
    assert (made.positions, made.left_out) == ((0, 2), (1,))
    table = made.table
    assert table.column_names == ["id", "wbc", "age__month_low", "age__month_high", "age__day_low", "age__day_high", "flag", "mll",
                                  "seen", "note"]
    assert table.schema.field("wbc").type == pa.decimal128(16, 9) and table.schema.field("seen").type == pa.date32()
    assert table.to_pylist()[0] == {"id": "a", "wbc": Decimal("50000.000000000"), "age__month_low": 192, "age__month_high": 192,
                                    "age__day_low": 181, "age__day_high": 184, "flag": True, "mll": "germline",
                                    "seen": dt.date(2025, 1, 31), "note": "x"}
    assert set(table.to_pylist()[1].values()) == {"c", None}


def test_a_series_has_no_column() -> None:
    checked = load_protocol(ROOT / "protocols" / "engraftment.care").checked
    with pytest.raises(ValueError, match="anc"):
        input_table([], [], [checked.input("anc")])
