"""What a definition reads: inputs through criteria and decisions, whether its comparisons are exact, series."""

from __future__ import annotations

import carepath
from carepath import Source
from carepath.analysis.reach import exact_compare, input_and_constant, reach, roots
from carepath.ir import program as p

PROTOCOL = """protocol p
input
  wbc : quantity /uL
  plt : quantity /uL
  flag : boolean
  s : series of boolean relative to start
  start : date
criterion high: wbc > 5000 /uL
criterion both: high and flag
recommend r: when both
recommend two: when wbc > plt
recommend sum: when wbc + plt > 10 /uL
event e: first day where s
recommend after: when e > day 3
"""


def definitions() -> dict[str, p.Definition]:
    checked = carepath.compile_source(Source("p.care", PROTOCOL)).checked
    return {d.name: d for d in checked.definitions}


def test_reach_follows_criteria_to_their_inputs() -> None:
    found = definitions()
    reached = reach(roots(found["r"]), found)
    assert sorted(i.name for i in reached.inputs.values()) == ["flag", "wbc"]
    assert reached.definitions == {"both", "high"}
    assert (reached.exact, reached.series) == (True, False)


def test_two_inputs_or_arithmetic_are_not_exact() -> None:
    found = definitions()
    assert reach(roots(found["two"]), found).exact is False
    assert reach(roots(found["sum"]), found).exact is False


def test_an_event_read_is_a_series() -> None:
    found = definitions()
    assert reach(roots(found["after"]), found).series is True
    assert reach(roots(found["e"]), found).series is True


def test_input_and_constant_and_exactness_of_one_comparison() -> None:
    found = definitions()
    (against_constant,) = found["high"].find_all(p.Compare)
    (two_inputs,) = found["two"].find_all(p.Compare)
    assert exact_compare(against_constant) and not exact_compare(two_inputs)
    pair = input_and_constant(against_constant)
    assert pair is not None and (pair[0].name, pair[1].shown) == ("wbc", "5,000 /µL")
    assert input_and_constant(two_inputs) is None
