"""Bound input values → the SQL back end's input table (an Arrow table): one row per patient, one column per input.

Numbers are DECIMALs with 9 decimals in the input's declared unit (as wide as the plausible range needs), a duration is
four integer columns (its bounds in month positions and in days), enumeration members and text are strings, booleans
booleans, dates dates. A number the table cannot hold exactly (more than 9 decimals, or past 10^29) is not rounded: its
row is left to the interpreter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Context, Decimal
from typing import Any

import pyarrow as pa

from carepath.compile import sqlexact
from carepath.ir.program import InputInfo
from carepath.semantics.types import Kind

_QUANTUM = Decimal(1).scaleb(-9)
_WIDE = Context(prec=50)
_LIMIT = Decimal(10) ** 29
DURATION_PARTS = ("month_low", "month_high", "day_low", "day_high")


def number_type(info: InputInfo) -> pa.DataType:
    """An input's number column: DECIMAL as wide as its plausible range needs (`compile.sqlexact.number_type`), never float."""
    return pa.decimal128(*sqlexact.number_type(info))


@dataclass(frozen=True, slots=True)
class InputTable:
    """The rows the table holds (`positions` into the rows given) and those left out, which the interpreter decides."""

    table: pa.Table
    positions: tuple[int, ...]
    left_out: tuple[int, ...]


def exact_decimal(value: int | float) -> Decimal | None:
    """The decimal the interpreter reads a number as (a float by its shortest repr), if 9 decimals hold it exactly."""
    number = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    if not number.is_finite() or abs(number) >= _LIMIT:
        return None
    held = number.quantize(_QUANTUM, context=_WIDE)  # 29 digits and 9 decimals: past the default context's 28
    return held if held == number else None


def input_table(ids: Sequence[str], rows: Sequence[Sequence[Any]], inputs: Sequence[InputInfo]) -> InputTable:
    """Rows of bound values (by input slot) → the input table of `compile.sql`; `inputs` are the columns it needs."""
    kept: list[int] = []
    left_out: list[int] = []
    for index, values in enumerate(rows):
        fits = all(_fits(info, values[info.slot]) for info in inputs)
        (kept if fits else left_out).append(index)
    columns: dict[str, pa.Array] = {"id": pa.array([ids[i] for i in kept], pa.string())}
    for info in inputs:
        cells = [rows[i][info.slot] for i in kept]
        columns.update(_columns(info, cells))
    return InputTable(pa.table(columns), tuple(kept), tuple(left_out))


def _fits(info: InputInfo, value: Any) -> bool:
    if value is None or info.type.kind not in (Kind.QUANTITY, Kind.NUMBER):
        return True
    return isinstance(value, (int, float)) and not isinstance(value, bool) and exact_decimal(value) is not None


def _columns(info: InputInfo, cells: list[Any]) -> dict[str, pa.Array]:
    match info.type.kind:
        case Kind.QUANTITY | Kind.NUMBER:
            return {info.name: pa.array([None if v is None else exact_decimal(v) for v in cells], number_type(info))}
        case Kind.DURATION:
            return {f"{info.name}__{part}": pa.array([None if v is None else getattr(v, part) for v in cells], pa.int64())
                    for part in DURATION_PARTS}
        case Kind.BOOLEAN:
            return {info.name: pa.array(cells, pa.bool_())}
        case Kind.DATE:
            return {info.name: pa.array(cells, pa.date32())}
        case Kind.ENUM | Kind.TEXT:
            return {info.name: pa.array([None if v is None else str(v) for v in cells], pa.string())}
    raise ValueError(f"the input '{info.name}' ({info.type.kind.value}) has no column in the SQL input table")
