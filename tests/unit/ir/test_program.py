"""The checked program of a whole protocol: its definitions in order, its decisions as declared, walks over them."""

from __future__ import annotations

from collections.abc import Iterable

import carepath
from carepath import Source
from carepath.ir import program as p

PROTOCOL = """protocol p
input
  a : boolean
  m : quantity /uL plausible 0 /uL .. 10 /uL
  age : duration
  s : series of boolean relative to start
  start : date
criterion c: a and m > 5 /uL
classify r:
  hi when c or age < 6 months
  lo otherwise
recommend go: when r = hi
dose d in mg:
  2 mg when m > 2 /uL
  1 mg otherwise
target t:
  m within 1 /uL .. 8 /uL
event e: first day where s
"""


def checked() -> p.CheckedProtocol:
    return carepath.compile_source(Source("p.care", PROTOCOL)).checked


def kinds(nodes: Iterable[p.Node]) -> list[str]:
    return [type(node).__name__ for node in nodes]


def by_name(program: p.CheckedProtocol) -> dict[str, p.Definition]:
    return {d.name: d for d in program.definitions}


def test_only_criteria_are_not_decisions() -> None:
    program = checked()
    assert [d.name for d in program.definitions if not d.is_decision] == ["c"]
    assert [d.name for d in program.decisions] == ["r", "go", "d", "t", "e"]  # in the order the file declares them


def test_children_come_from_fields_in_order() -> None:
    criterion = by_name(checked())["c"]
    assert isinstance(criterion, p.Criterion)
    assert kinds(criterion.children()) == ["Logic"]
    logic = criterion.condition
    assert isinstance(logic, p.Logic)
    assert kinds(logic.children()) == ["InputRef", "Compare"]
    compare = logic.operands[1]
    assert isinstance(compare, p.Compare)
    assert kinds(compare.children()) == ["InputRef", "Const"]  # the input's InputInfo is data, not a child


def test_walk_is_pre_order() -> None:
    definitions = by_name(checked())
    assert kinds(definitions["r"].walk()) == [
        "Classification", "Branch", "Logic", "DefRef", "Compare", "InputRef", "CalendarConst", "Branch"]
    assert kinds(definitions["d"].walk()) == [
        "Dose", "DoseBranch", "Compare", "InputRef", "Const", "Const", "DoseBranch", "Const"]
    assert kinds(definitions["t"].walk()) == ["Target", "InputRef", "Const", "Const"]
    assert kinds(definitions["e"].walk()) == ["Event", "SeriesAt"]


def test_find_all_and_inputs_in() -> None:
    definitions = by_name(checked())
    assert [r.name for r in definitions["go"].find_all(p.DefRef)] == ["r"]
    assert [i.name for i in p.inputs_in(definitions["r"])] == ["age"]  # a reference is not followed
    assert [i.name for i in p.inputs_in(definitions["c"])] == ["a", "m"]
    assert [i.name for i in p.inputs_in(definitions["e"])] == ["s"]
    assert p.inputs_in(None) == []


def test_operators_are_enums() -> None:
    definitions = by_name(checked())
    compares = list(definitions["r"].find_all(p.Compare))
    assert [c.op for c in compares] == [p.Comparator.LT]
    calendar = compares[0].right
    assert isinstance(calendar, p.CalendarConst) and calendar.base is p.CalendarBase.MONTHS and calendar.amount == 6


def test_arith_ops() -> None:
    assert [op.is_additive for op in p.ArithOp] == [True, True, False, False]
    program = carepath.compile_source(Source("a.care", "protocol a\ninput\n  w : quantity kg\ndose x in mg:\n  2 mg/kg * w\n")).checked
    dose = program.definitions[0]
    assert isinstance(dose, p.Dose)
    (arith,) = dose.find_all(p.Arith)
    assert arith.op is p.ArithOp.MULTIPLY
