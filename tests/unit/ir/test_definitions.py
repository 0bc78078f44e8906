"""IR definitions: one class per kind, with `is_decision` and the step kind derived from the class."""

from __future__ import annotations

import carepath
from carepath import Source
from carepath.ir import definitions as d
from carepath.ir import program as p
from carepath.semantics.trace import StepKind

PROTOCOL = """protocol p
input
  a : boolean
  m : quantity /uL
  s : series of boolean relative to start
  start : date
criterion c: a
classify r:
  hi when c
  lo otherwise
classify open:
  yes when a
recommend go: when r = hi
dose x in mg:
  2 mg when m > 2 /uL
  1 mg otherwise
  rounded down to 0.5 mg
target t:
  m within 1 /uL .. 8 /uL
event e: first day where s
"""


def definitions() -> dict[str, p.Definition]:
    checked = carepath.compile_source(Source("p.care", PROTOCOL)).checked
    return {definition.name: definition for definition in checked.definitions}


def test_each_kind_has_its_class_and_step_kind() -> None:
    found = definitions()
    assert {name: (type(x).__name__, x.step_kind) for name, x in found.items()} == {
        "c": ("Criterion", StepKind.CRITERION), "r": ("Classification", StepKind.CLASSIFICATION),
        "open": ("Classification", StepKind.CLASSIFICATION), "go": ("Recommendation", StepKind.RECOMMENDATION),
        "x": ("Dose", StepKind.DOSE), "t": ("Target", StepKind.TARGET), "e": ("Event", StepKind.EVENT)}
    assert all(isinstance(x, d.DefinitionBase) for x in found.values())


def test_is_decision_comes_from_the_class() -> None:
    assert [name for name, x in definitions().items() if not x.is_decision] == ["c"]
    assert d.Criterion.is_decision is False and d.Target.is_decision is True


def test_a_classification_knows_its_otherwise_branch() -> None:
    found = definitions()
    closed, open_ = found["r"], found["open"]
    assert isinstance(closed, d.Classification) and isinstance(open_, d.Classification)
    assert closed.otherwise is not None and closed.otherwise.name == "lo"
    assert open_.otherwise is None


def test_a_dose_holds_its_bands_unit_and_rounding() -> None:
    dose = definitions()["x"]
    assert isinstance(dose, d.Dose)
    assert [(b.name, b.amount.text, b.condition is None) for b in dose.branches] == [("band 1", "2 mg", False), ("otherwise", "1 mg", True)]
    assert dose.unit.display == "mg"
    assert dose.rounding is not None and dose.rounding[0] is d.RoundingMode.DOWN and dose.rounding[1] == 0.5


def test_a_target_and_an_event_hold_what_they_read() -> None:
    found = definitions()
    target, event = found["t"], found["e"]
    assert isinstance(target, d.Target) and isinstance(event, d.Event)
    assert (target.measured.text, target.low.shown, target.high.shown) == ("m", "1 /µL", "8 /µL")
    assert (event.run, event.start, [s.name for s in event.series]) == (1, None, ["s"])
