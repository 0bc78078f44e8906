"""Doses, targets, parameters, arithmetic and events, through the public API, against hand-computed values."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import pytest

import carepath
from carepath import ParameterError, ProtocolError, Source
from carepath.compile.compiler import CompiledProtocol
from carepath.semantics.values import DoseValue

AS_OF = dt.date(2026, 1, 1)

DOSING = """protocol dosing "Dosing"
input
  weight : quantity kg plausible 1 kg .. 80 kg
  height : quantity cm plausible 30 cm .. 200 cm
  cyclosporine_level : quantity ug/L plausible 0 ug/L .. 3000 ug/L
parameter light_per_dose "Busulfan per dose at 12 kg or less": 0.9 mg/kg plausible 0.5 mg/kg .. 1.5 mg/kg
parameter heavy_per_dose: 1.1 mg/kg
parameter band_limit: 12 kg
parameter mtx_days: days 3, 6, 11
dose busulfan "Busulfan per dose" in mg:
  light_per_dose * weight when weight <= band_limit
  heavy_per_dose * weight otherwise
  rounded to 0.1 mg
  given 4 times daily on days -7 to -4
dose prednisone "Prednisone prophase" in mg/d:
  60 mg/m2/d * bsa_mosteller(height, weight)
  rounded down to 1 mg/d
  given daily on days 1 to 7
dose methotrexate "Short-course methotrexate" in mg:
  10 mg/m2 * bsa_mosteller(height, weight)
  rounded to 0.5 mg
  given once on days mtx_days
target cyclosporine "Cyclosporine level":
  cyclosporine_level within 150 ug/L .. 300 ug/L
  below "Raise the dose"
  within "Keep the dose"
  above "Lower the dose"
"""


def compiled(text: str = DOSING, parameters: dict[str, str] | None = None) -> CompiledProtocol:
    return carepath.compile_source(Source("dosing.care", text), parameters)


def decide(protocol: CompiledProtocol, fields: str) -> carepath.Result:
    (record,) = carepath.records_from_text(protocol, f"- id: p\n{fields}", "r.yaml")
    return carepath.evaluate(protocol, record, AS_OF, trace=True)


@pytest.mark.parametrize(("weight", "expected"), [
    ("11.5 kg", "10.4"),  # 0.9 × 11.5 = 10.35 → 10.4 (a half rounds away from zero)
    ("12 kg", "10.8"),  # the band is ≤ 12 kg: 0.9 × 12 = 10.8
    ("12.1 kg", "13.3"),  # 1.1 × 12.1 = 13.31 → 13.3
    ("12.5 kg", "13.8"),  # 1.1 × 12.5 = 13.75 → 13.8
    ("3.3 kg", "3"),  # 0.9 × 3.3 = 2.97 → 3.0, exact although 3.3 has no exact binary double
])
def test_busulfan_by_weight_band(weight: str, expected: str) -> None:
    result = decide(compiled(), f"  weight: {weight}\n")
    dose = result.decisions["busulfan"]
    assert isinstance(dose, DoseValue)
    assert dose.amount == Fraction(expected)
    assert dose.unit == "mg" and dose.schedule == "4 times daily on days -7 to -4"
    assert result.reasons["busulfan"] == ("weight",)


def test_bsa_dose_by_mosteller_rounded_down() -> None:
    # BSA = √(80 × 11.5 / 3600) = √0.25556 = 0.50553 m²; 60 × 0.50553 = 30.33 mg/d → 30 mg/d
    dose = decide(compiled(), "  weight: 11.5 kg\n  height: 80 cm\n").decisions["prednisone"]
    assert str(dose) == "30 mg/d"
    # BSA = √(90 × 12.5 / 3600) = 0.55902 m²; 10 × 0.55902 = 5.59 mg → 5.5 mg to the nearest 0.5 mg
    methotrexate = decide(compiled(), "  weight: 12.5 kg\n  height: 90 cm\n").decisions["methotrexate"]
    assert str(methotrexate) == "5.5 mg" and methotrexate.schedule == "once on days 3, 6, 11"


def test_height_in_metres_converts_before_the_formula() -> None:
    in_cm = decide(compiled(), "  weight: 12.5 kg\n  height: 90 cm\n").decisions["prednisone"]
    in_m = decide(compiled(), "  weight: 12.5 kg\n  height: 0.9 m\n").decisions["prednisone"]
    assert in_cm == in_m


def test_a_missing_weight_leaves_the_dose_undetermined_and_named() -> None:
    result = decide(compiled(), "  height: 80 cm\n  cyclosporine_level: 200 ug/L\n")
    assert result.decisions["busulfan"] is None and result.decisions["prednisone"] is None
    assert result.status == "undetermined"
    assert set(result.needs) == {"weight"}


@pytest.mark.parametrize(("level", "band"), [
    ("149 ug/L", "below"), ("150 ug/L", "within"), ("300 ng/mL", "within"), ("0.2 ug/mL", "within"), ("301 ug/L", "above"),
])
def test_cyclosporine_target_bands_with_inclusive_bounds(level: str, band: str) -> None:
    result = decide(compiled(), f"  cyclosporine_level: {level}\n")
    assert result.decisions["cyclosporine"] == band
    assert result.reasons["cyclosporine"] == ("cyclosporine_level",)


def test_a_level_in_ug_per_ml_that_is_implausible_is_rejected() -> None:
    (record,) = carepath.records_from_text(compiled(), "- id: p\n  cyclosporine_level: 250 ug/mL\n", "r.yaml")
    assert isinstance(record, carepath.InvalidRecord)
    assert "plausible" in record.errors[0].message and "250 ug/mL" in record.errors[0].message


def test_the_target_explanation_carries_the_action_text() -> None:
    result = decide(compiled(), "  cyclosporine_level: 120 ug/L\n")
    (step,) = [s for s in result.steps if s.text == "cyclosporine"]
    assert step.detail is not None and "Raise the dose" in step.detail


def test_dose_json_follows_the_run_contract(tmp_path: Any) -> None:
    from carepath.render import json as json_render

    records = tmp_path / "r.yaml"
    records.write_text("- id: p\n  weight: 11.5 kg\n  height: 80 cm\n  cyclosporine_level: 200 ug/L\n")
    run = carepath.evaluate_all(compiled(), carepath.load_records(compiled(), [records]), AS_OF)
    document = json_render.run_document(run)
    decisions = document["results"][0]["decisions"]
    assert decisions["busulfan"] == {"value": 10.4, "unit": "mg", "schedule": "4 times daily on days -7 to -4"}
    assert decisions["cyclosporine"] == "within"
    assert document["protocol"]["parameters"]["light_per_dose"] == {"value": "0.9 mg/kg", "default": "0.9 mg/kg", "overridden": False}


# ---- parameters ------------------------------------------------------------------------------------


def test_an_override_changes_the_dose_and_is_recorded() -> None:
    # the drug label's band for 12 kg or less: 1.1 mg/kg; 1.1 × 11.5 = 12.65 → 12.7 mg
    protocol = compiled(parameters={"light_per_dose": "1.1 mg/kg"})
    assert str(decide(protocol, "  weight: 11.5 kg\n").decisions["busulfan"]) == "12.7 mg"
    (parameter,) = [q for q in protocol.checked.parameters if q.name == "light_per_dose"]
    assert parameter.overridden and parameter.shown == "1.1 mg/kg" and parameter.default == "0.9 mg/kg"


def test_an_override_in_another_unit_of_the_same_dimension_converts() -> None:
    protocol = compiled(parameters={"band_limit": "12000 g"})
    assert str(decide(protocol, "  weight: 12 kg\n").decisions["busulfan"]) == "10.8 mg"


@pytest.mark.parametrize(("name", "value", "message"), [
    ("light_per_dos", "1.1 mg/kg", "did you mean 'light_per_dose'"),
    ("light_per_dose", "1.1 mg", "is a mass"),
    ("light_per_dose", "2 mg/kg", "outside its plausible range"),
    ("mtx_days", "3", "list of days"),
    ("band_limit", "12 kg kg", "not a value"),
])
def test_overrides_that_do_not_fit_are_refused_with_a_reason(name: str, value: str, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        compiled(parameters={name: value})


def test_cli_param_and_params_file(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from carepath.cli import main

    protocol, records, site = tmp_path / "d.care", tmp_path / "r.yaml", tmp_path / "site.yaml"
    protocol.write_text(DOSING)
    records.write_text("- id: p\n  weight: 11.5 kg\n")
    site.write_text("light_per_dose: 1.1 mg/kg\nband_limit: 10 kg\n")
    assert main(["run", str(protocol), str(records), "--params", str(site), "--param", "band_limit=12 kg", "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert '"value": 12.7' in out  # the file's 1.1 mg/kg, and the command line's 12 kg band
    assert main(["run", str(protocol), str(records), "--param", "nonsense"]) == 2
    assert "NAME=VALUE" in capsys.readouterr().err
    assert main(["run", str(protocol), str(records), "--param", "light_per_dose=1.1 mg"]) == 2
    assert "light_per_dose" in capsys.readouterr().err


# ---- checks -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "code"), [
    ("dose d in mg:\n  2 mg/kg\n", "CP302"),  # mg/kg is not mg without a weight
    ("dose d in mg:\n  2 mg/kg * height\n", "CP302"),
    ("dose d in mg:\n  2 mg/kg * weight\n  3 mg/kg * weight when weight > 10 kg\n", "CP403"),
    ("dose d in mg:\n  2 mg/kg * weight when weight > 10 kg\n", "CP402"),
    ("dose d in mg:\n  2 mg/kg * weight\n  rounded to 0 mg\n", "CP405"),
    ("dose d in mg:\n  2 mg/kg * weight\n  rounded to 1 mL\n", "CP302"),
    ("dose d in mg:\n  2 mg/kg * weight\n  given once on days 3 to 1\n", "CP405"),
    ("dose d in mg:\n  2 mg/kg * weight\n  given once on days nothing\n", "CP201"),
    ("dose d in mg:\n  sqrt(weight)\n", "CP201"),
    ("dose d in mg:\n  round(weight)\n", "CP301"),
    ("criterion c: weight + 1 kg > 2 cm", "CP302"),
    ("criterion c: weight + height > 2 kg", "CP302"),
    ("criterion c: weight / 0 > 2 kg", "CP301"),
    ("target t:\n  weight within 10 kg .. 5 kg\n", "CP405"),
    ("target t:\n  weight within 5 cm .. 10 cm\n", "CP302"),
    ("target t:\n  weight within 5 kg .. 10 kg\n  below \"a\"\n  below \"b\"\n", "CP404"),
    ("parameter p: day 2.5\n", "CP306"),
    ("parameter p: 20 kg plausible 1 kg .. 10 kg\n", "CP405"),
    ("dose d in mg:\n  2 mg\ncriterion c: d > 1 mg", "CP301"),
])
def test_new_constructs_have_located_diagnostics(body: str, code: str) -> None:
    text = "protocol p\ninput\n  weight : quantity kg\n  height : quantity cm\n" + body + "\n"
    try:
        protocol = carepath.compile_source(Source("p.care", text))
    except ProtocolError as error:
        codes = [d.code for d in error.diagnostics]
        assert code in codes, error.render()
        assert all(d.span.line >= 1 for d in error.diagnostics)
        return
    assert code in [d.code for d in protocol.checked.warnings]  # type: ignore[attr-defined]
