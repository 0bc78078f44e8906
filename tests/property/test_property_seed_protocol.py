"""Properties of the seed protocol on generated records: monotone in information, never raising, deterministic.

Why: a decision reached with less data must never contradict the one reached with more (a missing
value is unknown, not false); one odd record must never stop a run; and the same input must give
the same bytes out, so results can be diffed and audited.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import math
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import carepath
from carepath.data.records import InvalidRecord, PatientRecord, RawRecord, bind
from carepath.render import json as json_render
from carepath.runtime.engine import evaluate_all

ROOT = Path(__file__).resolve().parents[2]
COMPILED = carepath.load_protocol(ROOT / "protocols" / "severance_2011.care")
AS_OF = dt.date(2026, 1, 1)
FIELDS = ("date_of_birth", "date_of_diagnosis", "age_at_diagnosis", "wbc_at_diagnosis", "mll")
RISK_GROUPS = ("high", "standard", None)


# ---- plausible records, dense around the seed protocol's boundaries ---------------------------

ages = st.one_of(
    st.integers(0, 12).map(lambda m: f"{m} months"),
    st.integers(0, 366).map(lambda d: f"{d} days"),
    st.integers(170, 195).map(lambda d: f"{d} days"),  # 6 months is 181–184 days
    st.integers(0, 52).map(lambda w: f"{w} weeks"),
    st.sampled_from(("1 year", "5.5 months", "6.5 months", "0 days")),
)
wbc_numbers = st.one_of(st.integers(49_990, 50_010), st.integers(100, 2_000_000))
wbcs = st.one_of(
    wbc_numbers.map(lambda v: f"{v} /uL"),
    wbc_numbers.map(lambda v: f"{v:,} /µL"),
    wbc_numbers.map(lambda v: f"{Decimal(v) / 1000} 10*9/L"),
    wbc_numbers.map(lambda v: f"{Decimal(v) / 1000} 10*3/uL"),
    wbc_numbers.map(lambda v: {"value": v, "unit": "/uL"}),
)
births = st.dates(dt.date(2010, 1, 1), dt.date(2025, 1, 1))


@st.composite
def seed_records(draw: st.DrawFn) -> dict[str, Any]:
    record: dict[str, Any] = {"id": "p"}
    if draw(st.booleans()):
        birth = draw(births)
        record["date_of_birth"] = birth.isoformat()
        record["date_of_diagnosis"] = (birth + dt.timedelta(days=draw(st.integers(0, 366)))).isoformat()
    elif draw(st.booleans()):
        record["age_at_diagnosis"] = draw(ages)
    record["wbc_at_diagnosis"] = draw(wbcs)
    record["mll"] = draw(st.sampled_from(("germline", "translocation", "duplication")))
    for name in FIELDS:  # each field may be absent
        if name in record and draw(st.integers(0, 9)) == 0:
            del record[name]
    return record


def bound(data: dict[str, Any]) -> PatientRecord | InvalidRecord:
    return bind(RawRecord(data, "generated"), COMPILED.checked)


@settings(max_examples=150, deadline=None)
@given(seed_records(), st.data())
def test_removing_inputs_never_changes_a_determined_decision(data: dict[str, Any], choice: st.DataObject) -> None:
    full = bound(data)
    assert isinstance(full, PatientRecord), full  # the generator only writes plausible values
    present = sorted(k for k in data if k in FIELDS)
    removed = choice.draw(st.sets(st.sampled_from(present)) if present else st.just(set()), label="removed")
    fewer = bound({k: v for k, v in data.items() if k not in removed})
    assert isinstance(fewer, PatientRecord), (removed, fewer)  # less data never makes a valid record invalid
    for trace in (False, True):
        before = carepath.evaluate(COMPILED, full, AS_OF, trace=trace).decisions
        after = carepath.evaluate(COMPILED, fewer, AS_OF, trace=trace).decisions
        for name, value in after.items():
            assert value is None or value == before[name], (name, data, removed, before, after)


def expected_infant(data: dict[str, Any]) -> bool | None:
    """`age < 6 months` read off the record as written: 6 calendar months are 181 to 184 days."""
    if "date_of_birth" in data and "date_of_diagnosis" in data:
        birth, diagnosis = dt.date.fromisoformat(data["date_of_birth"]), dt.date.fromisoformat(data["date_of_diagnosis"])
        # Completed months; a birthday past the end of a shorter month falls on that month's last day.
        due_day = min(birth.day, calendar.monthrange(diagnosis.year, diagnosis.month)[1])
        months = (diagnosis.year - birth.year) * 12 + diagnosis.month - birth.month - (diagnosis.day < due_day)
        return months < 6
    if "age_at_diagnosis" not in data:
        return None
    number, unit = data["age_at_diagnosis"].split()
    amount = Decimal(number)
    if unit in ("days", "weeks"):
        days = amount * (7 if unit == "weeks" else 1)
        return True if days < 181 else False if days >= 184 else None
    return amount * (12 if unit == "year" else 1) < 6


def expected_wbc_per_microlitre(value: Any) -> Decimal:
    if isinstance(value, dict):
        return Decimal(value["value"])
    number, unit = value.split()
    return Decimal(number.replace(",", "")) * (1000 if unit in ("10*9/L", "10*3/uL") else 1)


@settings(max_examples=100, deadline=None)
@given(seed_records())
@example({"id": "p", "date_of_birth": "2021-08-31", "date_of_diagnosis": "2022-02-28", "wbc_at_diagnosis": "100 /uL", "mll": "germline"})
@example({"id": "p", "date_of_birth": "2021-08-31", "date_of_diagnosis": "2022-02-27", "wbc_at_diagnosis": "100 /uL", "mll": "germline"})
@example({"id": "p", "age_at_diagnosis": "183 days", "wbc_at_diagnosis": "49.999 10*9/L", "mll": "duplication"})
def test_decisions_follow_the_paper_rule(data: dict[str, Any]) -> None:
    """High exactly when a criterion is known true, standard exactly when all three are known false."""
    record = bound(data)
    assert isinstance(record, PatientRecord)
    criteria = [
        expected_infant(data),
        expected_wbc_per_microlitre(data["wbc_at_diagnosis"]) >= 50_000 if "wbc_at_diagnosis" in data else None,
        data["mll"] == "translocation" if "mll" in data else None,
    ]
    result = carepath.evaluate(COMPILED, record, AS_OF, trace=False)
    if True in criteria:
        assert result.decisions == {"risk_group": "high", "hsct_referral": True}, (data, criteria)
    elif None not in criteria:
        assert result.decisions == {"risk_group": "standard", "hsct_referral": False}, (data, criteria)
    else:
        assert result.decisions == {"risk_group": None, "hsct_referral": None}, (data, criteria)
        assert result.status == "undetermined" and result.needs


# ---- odd records: binding reports, evaluation never raises ------------------------------------

odd_numbers = st.one_of(
    st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(("1e400", "-0", "0.0000001", "1,000", "1,00", "1e-400", "999999999999", "12.", ".5", "1_000")),
)
odd_units = st.sampled_from(("/uL", "/µL", "/μL", "10*9/L", "10^9/L", "10*3/uL", "/mL", "/L", "uL", "days", "day", "months", "mo",
                             "weeks", "years", "a", "kg", "", "10*", "1/uL", "/ul", "%", "mg/kg", "µ", "/uL/uL", "10*-3/uL"))
odd_values = st.one_of(
    st.none(), st.booleans(), odd_numbers, st.text(max_size=12), st.dates(),
    st.tuples(odd_numbers, odd_units).map(lambda t: f"{t[0]} {t[1]}"),
    st.tuples(odd_numbers, odd_units).map(lambda t: {"value": t[0], "unit": t[1]}),
    st.sampled_from(("germline", "translocation", "duplication", "Translocation", "2020-02-30", "2020-02-29", "0001-01-01", "9999-12-31")),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@st.composite
def odd_records(draw: st.DrawFn) -> dict[str, Any]:
    record: dict[str, Any] = {"id": draw(st.one_of(st.text(max_size=5), st.integers(), st.none()))}
    for name in FIELDS:
        if draw(st.booleans()):
            record[name] = draw(odd_values)
    if draw(st.integers(0, 4)) == 0:
        record[draw(st.text(min_size=1, max_size=6))] = draw(odd_values)  # maybe an unknown field
    return record


def _check_result(result: carepath.Result) -> None:
    assert result.status in ("ok", "undetermined", "invalid")
    if result.status == "invalid":
        assert result.errors and not result.decisions
        return
    assert result.decisions["risk_group"] in RISK_GROUPS
    assert result.decisions["hsct_referral"] in (True, False, None)
    assert (result.status == "undetermined") == (None in result.decisions.values())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(odd_records(), seed_records()))
def test_binding_and_evaluation_never_raise(data: dict[str, Any]) -> None:
    record = bound(data)  # errors are reported in the record, never raised
    if isinstance(record, InvalidRecord):
        assert record.errors
    for trace in (False, True):
        _check_result(carepath.evaluate(COMPILED, record, AS_OF, trace=trace))
    run = evaluate_all(COMPILED, [record], AS_OF, trace=True)
    json_render.dumps(json_render.run_document(run))
    json_render.dumps(json_render.explain_document(run, run.results[0]))


# ---- unit conversion is exact -----------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(st.decimals(min_value=Decimal("0.1"), max_value=Decimal(2000), allow_nan=False, allow_infinity=False, places=6))
def test_billions_per_litre_bind_to_exactly_a_thousand_times_per_microlitre(x: Decimal) -> None:
    expected = x * 1000  # exact in decimal arithmetic: at most 9 significant digits here
    giga = bound({"id": "p", "wbc_at_diagnosis": f"{x} 10*9/L"})
    micro = bound({"id": "p", "wbc_at_diagnosis": f"{expected} /uL"})
    assert isinstance(giga, PatientRecord) and isinstance(micro, PatientRecord), (giga, micro)
    value = giga.values[COMPILED.checked.input("wbc_at_diagnosis").slot]  # type: ignore[union-attr]
    assert value == micro.values[COMPILED.checked.input("wbc_at_diagnosis").slot]  # type: ignore[union-attr]
    if expected == expected.to_integral_value():
        assert type(value) is int and value == int(expected)
    else:
        assert value == float(expected)  # the nearest double of the exact product, not x * 1000.0
    # ... so the 50,000 /µL threshold is met exactly when it is met in exact arithmetic.
    hyper = carepath.evaluate(COMPILED, giga, AS_OF, trace=False)
    assert math.isfinite(value)
    assert hyper.decisions["risk_group"] in RISK_GROUPS


@settings(max_examples=60, deadline=None)
@given(st.integers(49_000, 51_000))
def test_threshold_is_met_exactly_at_50000(count: int) -> None:
    text = f"{(Decimal(count) / 1000).quantize(Decimal(1).scaleb(-3))} 10*9/L"
    record = bound({"id": "p", "wbc_at_diagnosis": text, "age_at_diagnosis": "8 months", "mll": "germline"})
    assert isinstance(record, PatientRecord)
    risk = carepath.evaluate(COMPILED, record, AS_OF, trace=False).decisions["risk_group"]
    assert risk == ("high" if count >= 50_000 else "standard"), text


# ---- determinism ------------------------------------------------------------------------------


# Values every record loader must reject politely; mixed into otherwise plausible records.
FLAWS: tuple[tuple[str, Any], ...] = (
    ("wbc_at_diagnosis", "33900 /mL"), ("wbc_at_diagnosis", "33900"), ("wbc_at_diagnosis", "5 kg"), ("mll", "Translocation"),
    ("age_at_diagnosis", "13 months"), ("age_at_diagnosis", "0.5 days"), ("wbc", "33900 /uL"), ("date_of_diagnosis", "2020-02-30"),
)


@st.composite
def run_records(draw: st.DrawFn) -> dict[str, Any]:
    record = draw(seed_records())
    if draw(st.integers(0, 3)) == 0:
        field, value = draw(st.sampled_from(FLAWS))
        record[field] = value
    return record


@settings(max_examples=25, deadline=None)
@given(st.lists(run_records(), min_size=1, max_size=8))
def test_run_document_is_identical_across_runs(raw: list[dict[str, Any]]) -> None:
    text = json.dumps([{**r, "id": f"p{i}"} for i, r in enumerate(raw)])

    def one_run() -> tuple[str, list[str]]:
        compiled = carepath.load_protocol(ROOT / "protocols" / "severance_2011.care")
        run = evaluate_all(compiled, carepath.records_from_text(compiled, text), AS_OF, trace=True)
        explained = [json_render.dumps(json_render.explain_document(run, r)) for r in run.results]
        return json_render.dumps(json_render.run_document(run)), explained

    first, second = one_run(), one_run()
    assert first == second
    assert json.loads(first[0])["results"][0]["id"] == "p0"


def test_cli_output_is_identical_under_different_hash_seeds() -> None:
    """Set and dict ordering must not leak into output: two processes with different hash seeds agree byte for byte."""
    command = [sys.executable, "-c", "import sys; from carepath.cli import main; sys.exit(main())", "run",
               str(ROOT / "protocols" / "severance_2011.care"), str(ROOT / "cohorts" / "severance_2011.yaml"),
               "--format", "json", "--as-of", "2026-01-01"]
    outputs = []
    for seed in ("1", "2"):
        done = subprocess.run(command, capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed}, check=False)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert len(json.loads(outputs[0])["results"]) == 9


# ---- the whole-cohort path ---------------------------------------------------------------------

COUNTED_TO_AS_OF = carepath.compile_source(carepath.Source("as_of.care", """
protocol counted "ages counted to the evaluation date"
input
  date_of_birth : date optional
  age : duration plausible 0 days .. 24 months from date_of_birth to as_of
  wbc : quantity /uL plausible 100 /uL .. 2000000 /uL
criterion infant: age < 6 months
criterion hyper: wbc >= 50000 /uL
classify risk: high when infant or hyper  standard otherwise
recommend refer: when risk = high
"""))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(seed_records(), odd_records()), min_size=1, max_size=40))
def test_a_cohort_evaluated_column_by_column_matches_record_by_record(cohort: list[dict[str, Any]]) -> None:
    records = [bound({**data, "id": f"p{i}"}) for i, data in enumerate(cohort)]
    one_by_one = [carepath.evaluate(COMPILED, record, AS_OF, trace=False) for record in records]
    assert list(carepath.evaluate_batch(COMPILED, records, AS_OF).results()) == one_by_one
    assert list(evaluate_all(COMPILED, records, AS_OF, trace=False).results) == one_by_one
    # With reasons (as `carepath run` asks), the run document is the one a full trace per record gives.
    traced = evaluate_all(COMPILED, records, AS_OF, trace=True)
    patterned = evaluate_all(COMPILED, records, AS_OF, trace=False, reasons=True)
    assert json_render.run_document(patterned) == json_render.run_document(traced)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), births), st.one_of(st.none(), wbc_numbers)), min_size=1, max_size=30))
def test_ages_counted_to_the_evaluation_date_agree_across_paths(rows: list[tuple[dt.date | None, int | None]]) -> None:
    data = [{"id": f"p{i}", "date_of_birth": birth.isoformat() if birth else None, "wbc": f"{wbc} /uL" if wbc else None}
            for i, (birth, wbc) in enumerate(rows)]
    records = carepath.records_from_text(COUNTED_TO_AS_OF, json.dumps(data))
    for as_of in (dt.date(2024, 6, 1), dt.date(2011, 1, 1)):  # the second date comes before most births: invalid records
        one_by_one = [carepath.evaluate(COUNTED_TO_AS_OF, record, as_of, trace=False) for record in records]
        assert list(carepath.evaluate_batch(COUNTED_TO_AS_OF, records, as_of).results()) == one_by_one
        traced = evaluate_all(COUNTED_TO_AS_OF, records, as_of, trace=True)
        assert json_render.run_document(evaluate_all(COUNTED_TO_AS_OF, records, as_of, trace=False, reasons=True)) == \
            json_render.run_document(traced)
