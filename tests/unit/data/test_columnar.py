"""The SQL back end's input table (`data.columnar`): exact decimals only, a duration as its four bounds, a row the table
cannot hold exactly left to the interpreter rather than rounded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from carepath.api import compile_source, load_protocol, records_from_text
from carepath.data.columnar import NUMBER_TYPE, exact_decimal, input_table
from carepath.data.records import PatientRecord
from carepath.language.source import Source

ROOT = Path(__file__).resolve().parents[3]


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
    assert table.schema.field("wbc").type == NUMBER_TYPE and table.schema.field("seen").type == pa.date32()
    assert table.to_pylist()[0] == {"id": "a", "wbc": Decimal("50000.000000000"), "age__month_low": 192, "age__month_high": 192,
                                    "age__day_low": 181, "age__day_high": 184, "flag": True, "mll": "germline",
                                    "seen": dt.date(2025, 1, 31), "note": "x"}
    assert set(table.to_pylist()[1].values()) == {"c", None}


def test_a_series_has_no_column() -> None:
    checked = load_protocol(ROOT / "protocols" / "engraftment.care").checked
    with pytest.raises(ValueError, match="anc"):
        input_table([], [], [checked.input("anc")])
