"""Rule coverage: the rule outcomes a protocol can have, and which of them traces exercised (what `carepath test` counts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import carepath
from carepath.analysis.coverage import Coverage, Item, ScenarioRun, items, measure
from carepath.compile.compiler import CompiledProtocol
from carepath.semantics.trace import StepKind

# ---- items, without running pytest -----------------------------------------------------------------


def outcomes(compiled: CompiledProtocol) -> list[tuple[str, str]]:
    return [(i.rule, i.outcome) for i in items(compiled)]


def test_unknown_is_an_item_only_where_a_value_can_be_missing(compile_text: Callable[[str], CompiledProtocol]) -> None:
    compiled = compile_text("""protocol p "P"
input
  cns : boolean
  age : duration plausible 0 days .. 18 years
criterion plain "Plain": cns
criterion guarded "Guarded": cns is known and cns
criterion guarded_or "Guarded by or": cns is missing or cns
criterion guarded_implies "Guarded by implies": cns is known implies cns
criterion unguarded_xor "Xor decides nothing early": cns is known xor cns
criterion imprecise "A duration can be imprecise": age is known and age < 6 months
recommend follow "Follows": when guarded
classify only_presence "Decided by presence":
  recorded when cns is known
  unrecorded otherwise
classify no_otherwise "No otherwise":
  yes_cns when guarded
""")
    unknown = {rule for rule, outcome in outcomes(compiled) if outcome in ("unknown", "undetermined")}
    assert unknown == {"plain", "unguarded_xor", "imprecise", "no_otherwise"}


def test_dose_lines_target_bands_and_events_from_traces(compile_text: Callable[[str], CompiledProtocol]) -> None:
    compiled = compile_text("""protocol mini "Mini"
input
  weight : quantity kg plausible 1 kg .. 40 kg
  level : quantity ug/L plausible 20 ug/L .. 1000 ug/L
  anc : series of quantity /uL plausible 0 /uL .. 100000 /uL
dose drug "Drug" in mg:
  1 mg/kg * weight when weight <= 12 kg
  2 mg/kg * weight otherwise
  given once on day 1
target level_target "Level":
  level within 150 ug/L .. 300 ug/L
  below "Raise"
  within "Keep"
  above "Lower"
event engraftment "Engraftment":
  first of 3 consecutive days from day 1 where anc >= 500 /uL
""")
    assert outcomes(compiled) == [
        ("drug", "1 mg/kg * weight when weight <= 12 kg"), ("drug", "2 mg/kg * weight otherwise"), ("drug", "undetermined"),
        ("level_target", "below"), ("level_target", "within"), ("level_target", "above"), ("level_target", "undetermined"),
        ("engraftment", "reached"), ("engraftment", "undetermined"),
    ]
    records = carepath.records_from_text(compiled, """
- {id: light, weight: 10 kg, level: 100 ug/L, anc: {unit: /uL, values: {1: 600, 2: 700, 3: 800}}}
- {id: heavy, weight: 20 kg, level: 200 ug/L, anc: {unit: /uL, values: {1: 600, 2: 100}}}
- {id: heavy too, weight: 30 kg, level: 350 ug/L, anc: {unit: /uL, values: {1: 600, 2: 700, 3: 800}}}
- {id: nothing}
""")
    results = tuple(carepath.evaluate(compiled, r, dt.date(2026, 1, 1)) for r in records)
    coverage = measure(compiled, [ScenarioRun("f.feature", 1, "s", "passed", results=results)])
    patients = {(i.item.rule, i.item.outcome): i.patients for i in coverage.items}
    assert patients == {
        ("drug", "1 mg/kg * weight when weight <= 12 kg"): 1, ("drug", "2 mg/kg * weight otherwise"): 2, ("drug", "undetermined"): 1,
        ("level_target", "below"): 1, ("level_target", "within"): 1, ("level_target", "above"): 1, ("level_target", "undetermined"): 1,
        ("engraftment", "reached"): 2, ("engraftment", "undetermined"): 2,
    }
    assert coverage.exercised == coverage.total == 9
    # the same results from a run that failed count for nothing
    failed = measure(compiled, [ScenarioRun("f.feature", 1, "s", "failed", results=results)])
    assert failed.exercised == 0 and [i.outcome for i in failed.never] == [i.outcome for i in items(compiled)]


def test_a_protocol_without_rules_has_nothing_left_untested() -> None:
    coverage = Coverage("p", "p.care", "0" * 64, (), (), ())
    assert coverage.percent == 100.0 and not coverage.below(100) and coverage.meets(100)


def test_below_is_exact_and_the_display_never_rounds_up() -> None:
    from carepath.render.coverage import percent_text

    item = Item("r", StepKind.CRITERION, "holds", 1)
    from carepath.analysis.coverage import ItemCoverage

    coverage = Coverage("p", "p.care", "0" * 64, (), (*(ItemCoverage(item, 1, 1) for _ in range(1999)), ItemCoverage(item, 0, 0)), ())
    assert percent_text(coverage) == "99.9%"  # 99.95%
    assert coverage.below(100) and not coverage.below(99.95)
