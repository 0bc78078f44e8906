"""The Python API: `load_protocol` → `load_records` → `run`, the same answers the CLI gives, errors as exceptions."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

import carepath
from carepath import ParameterError, ProtocolError, Source

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "protocols" / "severance_2011.care"
COHORT = ROOT / "cohorts" / "severance_2011.yaml"
AS_OF = dt.date(2026, 1, 1)


def test_the_seed_cohort_runs_through_the_api() -> None:
    compiled = carepath.load_protocol(SEED)
    run = carepath.run(compiled, [COHORT], AS_OF)
    assert len(run.results) == 9
    assert {r.status for r in run.results} == {"ok"}
    # Table 1: seven of the nine infants meet a high-risk criterion and are referred for HSCT
    assert sum(r.decisions["hsct_referral"] is True for r in run.results) == 7


def test_load_records_and_records_from_text_bind_the_same_way() -> None:
    compiled = carepath.load_protocol(SEED)
    text = COHORT.read_text(encoding="utf-8")
    from_file = carepath.load_records(compiled, [COHORT])
    from_text = carepath.records_from_text(compiled, text, str(COHORT))
    assert [r.id for r in from_file] == [r.id for r in from_text]
    assert [getattr(r, "values", None) for r in from_file] == [getattr(r, "values", None) for r in from_text]


def test_a_protocol_with_an_error_raises_with_every_diagnostic() -> None:
    source = Source("bad.care", "protocol bad\ninput\n  wbc: quantity /uL\ncriterion high: wbcc > 1 /uL and ageX < 1 months\n")
    with pytest.raises(ProtocolError) as raised:
        carepath.compile_source(source)
    codes = [d.code for d in raised.value.diagnostics]
    assert codes.count("CP201") == 2, codes


def test_a_parameter_override_that_does_not_fit_raises_parameter_error() -> None:
    path = ROOT / "protocols" / "hsct_conditioning.care"
    with pytest.raises(ParameterError):
        carepath.load_protocol(path, {"no_such_parameter": "1"})


def test_an_invalid_record_is_a_result_not_an_exception() -> None:
    compiled = carepath.load_protocol(SEED)
    records = carepath.records_from_text(compiled, "- {id: a, wbc_at_diagnosis: lots}\n- {id: b, mll: germline}\n")
    run = carepath.evaluate_all(compiled, records, AS_OF)
    assert [r.status for r in run.results] == ["invalid", "undetermined"]


def test_importing_the_package_loads_nothing_heavy() -> None:
    code = "import sys, carepath; print(sorted(m for m in ('lark', 'pint', 'yaml', 'rich') if m in sys.modules))"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "[]"


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        carepath.no_such_name  # noqa: B018


def test_load_data_reads_any_format_through_a_map() -> None:
    from carepath.api import load_data, read_data_set

    root = Path(__file__).resolve().parents[2]
    compiled = carepath.load_protocol(root / "protocols" / "severance_2011.care")
    cohorts = root / "cohorts"
    from_csv = load_data(compiled, [cohorts / "severance_2011.csv"], cohorts / "severance_2011.csv.map.yaml")
    from_yaml = load_data(compiled, [cohorts / "severance_2011.yaml"])
    assert [(r.id, r.values) for r in from_csv] == [(r.id, r.values) for r in from_yaml]  # type: ignore[union-attr]
    piped = load_data(compiled, ["-"], data_format="yaml", stdin=(cohorts / "severance_2011.yaml").read_bytes())
    assert [r.id for r in piped] == [str(n) for n in range(1, 10)]
    assert len(read_data_set([cohorts / "severance_2011.csv"]).parts) == 1
