"""The column path gives, patient for patient, what the per-record closures give: both read the operator table."""

from __future__ import annotations

import datetime as dt
import itertools

import carepath
from carepath import Source
from carepath.data.records import PatientRecord
from carepath.runtime.engine import decide, evaluate_batch

PROTOCOL = """\
protocol columns
input
  a   : boolean
  b   : boolean
  mll : one of germline, translocation, duplication
  wbc : quantity /uL
criterion high: wbc >= 50000 /uL
classify band:
  first  when a and not b
  second when mll = translocation or high
  third  when a xor b
recommend both: when all of (a, b, high, mll != germline)
recommend known: when wbc is known implies (a = true)
recommend either: when any of (a, b, mll = duplication, wbc < 1000 /uL)
"""
TRUTHS = (True, False, None)


def test_every_input_combination_gets_the_same_decisions_on_both_paths() -> None:
    compiled = carepath.compile_source(Source("columns.care", PROTOCOL))
    slots = {info.name: info.slot for info in compiled.checked.inputs}
    combos = list(itertools.product(TRUTHS, TRUTHS, ("germline", "translocation", "duplication", None), (500, 60000, None)))
    records = []
    for a, b, mll, wbc in combos:
        values: list[object] = [None] * len(slots)
        for name, value in zip(("a", "b", "mll", "wbc"), (a, b, mll, wbc), strict=True):
            values[slots[name]] = value
        records.append(PatientRecord("r", tuple(values), (None,) * len(values), {}, "test"))
    assert compiled.columns is not None  # this protocol has a column form
    batch = evaluate_batch(compiled, records, dt.date(2026, 1, 1))
    for index, record in enumerate(records):
        env = decide(compiled, record.values)
        for decision in compiled.decisions:
            assert batch.decisions[decision.name][index] == env[decision.slot], (decision.name, combos[index])
    # hand-checked rows: a true and b false is `first`; all false with no otherwise places nobody
    assert batch.decisions["band"][combos.index((True, False, "germline", 500))] == "first"
    assert batch.decisions["band"][combos.index((False, False, "germline", 500))] is None
    assert batch.decisions["band"][combos.index((False, False, "translocation", None))] == "second"
    assert batch.decisions["known"][combos.index((False, None, None, None))] is True  # a false premise decides implies
