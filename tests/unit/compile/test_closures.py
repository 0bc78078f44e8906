"""Which operator-table entry each comparison reads, decided once when the protocol is compiled."""

from __future__ import annotations

import pytest

import carepath
from carepath import Source
from carepath.compile.closures import constant_of, operand_kinds, oriented
from carepath.ir import program as p
from carepath.language.nodes import Comparator
from carepath.semantics.operators import Operand

PROTOCOL = """\
protocol kinds
input
  age   : duration
  onset : duration
  wbc   : quantity /uL
  anc   : quantity /uL
  mll   : one of germline, translocation
criterion under_6_months: age < 6 months
criterion months_first: 6 months > age
criterion over_183_days: age >= 183 days
criterion older: age > onset
criterion high: wbc >= 50000 /uL
criterion more: wbc > anc
criterion summed: wbc + anc = 50000 /uL
criterion rearranged: mll = translocation
"""

V, X, DUR = Operand.VALUE, Operand.EXACT, Operand.DURATION


@pytest.fixture(scope="module")
def conditions() -> dict[str, p.Compare]:
    compiled = carepath.compile_source(Source("kinds.care", PROTOCOL))
    found = {}
    for definition in compiled.checked.definitions:
        assert isinstance(definition, p.Criterion) and isinstance(definition.condition, p.Compare)
        found[definition.name] = definition.condition
    return found


@pytest.mark.parametrize(
    ("name", "key", "constant"),
    [
        ("under_6_months", (Comparator.LT, DUR, Operand.MONTHS), 6),
        ("months_first", (Comparator.LT, DUR, Operand.MONTHS), 6),  # read as `age < 6 months`
        ("over_183_days", (Comparator.GE, DUR, Operand.DAYS), 183),
        ("older", (Comparator.GT, DUR, DUR), None),
        ("high", (Comparator.GE, V, V), 50000),
        ("more", (Comparator.GT, V, V), None),
        ("summed", (Comparator.EQ, X, V), 50000),
        ("rearranged", (Comparator.EQ, V, V), "translocation"),
    ],
)
def test_each_comparison_reads_one_table_entry(conditions: dict[str, p.Compare], name: str, key: tuple[Comparator, Operand, Operand],
                                               constant: object) -> None:
    left, right, op = oriented(conditions[name])
    assert (op, *operand_kinds(left, right)) == key
    known, value = constant_of(right)
    assert (value if known else None) == constant
