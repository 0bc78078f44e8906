"""`needs`: the inputs an undetermined decision is waiting for, read from the branch that holds it up."""

from __future__ import annotations

import datetime as dt

import pytest

import carepath
from carepath import Source
from carepath.compile.compiler import CompiledProtocol

PROTOCOL = """\
protocol waiting
input
  age : duration
  wbc : quantity /uL
  mll : one of germline, translocation
classify risk:
  high     when age < 6 months
  high_wbc when wbc >= 50000 /uL
  rare     when mll = translocation
"""


@pytest.fixture(scope="module")
def compiled() -> CompiledProtocol:
    return carepath.compile_source(Source("waiting.care", PROTOCOL))


@pytest.mark.parametrize(
    ("fields", "needs"),
    [
        ("", ("age",)),  # the first branch is unknown: it holds the choice up
        ("  age: 183 days\n", ("age",)),  # present but too imprecise against 6 months
        ("  age: 8 months\n", ("wbc",)),  # first branch false: the second holds it up
        ("  age: 8 months\n  wbc: 20000 /uL\n", ("mll",)),
        ("  age: 8 months\n  wbc: 20000 /uL\n  mll: germline\n", ()),  # every branch false: nothing missing
        ("  age: 2 months\n", ()),  # decided
    ],
)
def test_needs_name_the_inputs_of_the_branch_holding_up_the_choice(compiled: CompiledProtocol, fields: str,
                                                                   needs: tuple[str, ...]) -> None:
    records = carepath.records_from_text(compiled, f"- id: r\n{fields}")
    for trace in (True, False):
        (result,) = carepath.evaluate_all(compiled, records, dt.date(2026, 1, 1), trace=trace).results
        assert result.needs == needs
