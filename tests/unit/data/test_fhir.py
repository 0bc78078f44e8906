"""FHIR reading: the seed Bundle, bulk NDJSON streamed one patient at a time, invalid resources (CP511), resources
without their patient (CP512), and anchors: the nearest resource is chosen, a tie that disagrees is unknown."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import carepath
from carepath.data.errors import RecordCode
from carepath.data.fhir import bind_fhir, validation_problem
from carepath.data.maps import map_from_text, read_map
from carepath.data.records import InvalidRecord, PatientRecord

ROOT = Path(__file__).resolve().parents[3]
SEED = carepath.load_protocol(ROOT / "protocols" / "severance_2011.care").checked
BUNDLE = ROOT / "cohorts" / "severance_2011.fhir.json"
MAP = read_map(ROOT / "cohorts" / "severance_2011.fhir.map.yaml")
WBC = {"system": "http://loinc.org", "code": "26464-8"}


def _patient(pid: str = "p1", birth: str = "2010-01-01") -> dict[str, Any]:
    return {"resourceType": "Patient", "id": pid, "birthDate": birth,
            "identifier": [{"system": "urn:carepath:severance-2011:case", "value": pid}]}


def _wbc(rid: str, pid: str, when: str, value: float, unit: str = "10*9/L") -> dict[str, Any]:
    return {"resourceType": "Observation", "id": rid, "status": "final", "subject": {"reference": f"Patient/{pid}"},
            "code": {"coding": [WBC]}, "effectiveDateTime": when,
            "valueQuantity": {"value": value, "system": "http://unitsofmeasure.org", "code": unit}}


def _diagnosis(pid: str, when: str) -> dict[str, Any]:
    return {"resourceType": "Condition", "id": f"{pid}-dx", "subject": {"reference": f"Patient/{pid}"},
            "code": {"coding": [{"system": "http://snomed.info/sct", "code": "91857003"}]}, "onsetDateTime": when}


def _bundle(*resources: dict[str, Any]) -> bytes:
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}).encode()


def _ndjson(*resources: dict[str, Any]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in resources)


def test_the_seed_bundle_gives_nine_patients_with_their_values_and_sources() -> None:
    records = bind_fhir(BUNDLE, "b.json", False, SEED, MAP)
    assert [r.id for r in records] == [str(n) for n in range(1, 10)]
    first = records[0]
    assert isinstance(first, PatientRecord)
    wbc = first.facts[SEED.input_index["wbc_at_diagnosis"].slot]
    assert wbc is not None and wbc.shown == "33,900 /µL"
    assert str(wbc.source) == "b.json Observation/severance-1-wbc-dx valueQuantity"  # the count nearest diagnosis, not day 29's


def test_bulk_ndjson_is_read_a_patient_at_a_time() -> None:
    data = _ndjson(_patient("a"), _diagnosis("a", "2010-05-10"), _wbc("w1", "a", "2010-05-10", 60),
                   _patient("b"), _diagnosis("b", "2010-08-10"), _wbc("w2", "b", "2010-08-10", 2.5))
    records = bind_fhir(data, "bulk.ndjson", True, SEED, MAP)
    assert [(r.id, type(r).__name__) for r in records] == [("a", "PatientRecord"), ("b", "PatientRecord")]
    values = [r.values[SEED.input_index["wbc_at_diagnosis"].slot] for r in records]  # type: ignore[union-attr]
    assert values == [60000, 2500]


def test_bulk_ndjson_whose_patient_comes_back_is_refused_there() -> None:
    data = _ndjson(_patient("a"), _patient("b"), _wbc("w1", "a", "2010-05-10", 60))
    records = bind_fhir(data, "bulk.ndjson", True, SEED, MAP)
    refused = [e for r in records if isinstance(r, InvalidRecord) for e in r.errors]
    assert [(e.code, e.line) for e in refused] == [(RecordCode.NO_PATIENT, 3)]
    assert "keep each patient's resources together" in refused[0].message


def test_json_nested_past_the_reader_s_own_limit_is_refused_not_a_crash() -> None:
    deep = '{"resourceType": "Observation", "note": ' + "[" * 100_000 + "]" * 100_000 + "}"
    bulk = _ndjson(_patient("a"), _diagnosis("a", "2010-05-10")) + deep.encode() + b"\n" + _ndjson(_wbc("w1", "a", "2010-05-10", 60))
    records = bind_fhir(bulk, "bulk.ndjson", True, SEED, MAP)
    refused = [e for r in records if isinstance(r, InvalidRecord) for e in r.errors]
    assert [(e.code, e.line) for e in refused] == [(RecordCode.NESTED_TOO_DEEPLY, 3)]
    assert [r.id for r in records if isinstance(r, PatientRecord)] == ["a"]  # the rest of the file still runs
    bundle = b'{"resourceType": "Bundle", "entry": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    (whole,) = bind_fhir(bundle, "b.json", False, SEED, MAP)
    assert isinstance(whole, InvalidRecord) and whole.errors[0].code is RecordCode.NESTED_TOO_DEEPLY


def test_an_invalid_resource_names_its_type_id_and_path_and_the_rest_run() -> None:
    bad = _wbc("w-bad", "a", "2010-05-10", 60)
    bad["valueQuantity"]["value"] = "sixty"
    records = bind_fhir(_bundle(_patient("a"), bad, _patient("b")), "b.json", False, SEED, MAP)
    assert [type(r).__name__ for r in records] == ["InvalidRecord", "PatientRecord"]
    (error,) = records[0].errors  # type: ignore[union-attr]
    assert error.code is RecordCode.INVALID_RESOURCE
    assert "Observation/w-bad is not valid FHIR R4: valueQuantity.value" in error.message


def test_validation_problems() -> None:
    assert validation_problem(_patient()) is None
    assert validation_problem({"resourceType": "Nonsense"}) == "resourceType: 'Nonsense' is not a FHIR R4 resource"
    assert "birthDate" in (validation_problem({**_patient(), "birthDate": "not a date"}) or "")


def test_a_resource_without_its_patient_is_refused() -> None:
    orphan = _wbc("w1", "zz", "2010-05-10", 60)
    del orphan["subject"]
    records = bind_fhir(_bundle(_patient("a"), orphan), "b.json", False, SEED, MAP)
    errors = [e for r in records if isinstance(r, InvalidRecord) for e in r.errors]
    assert [e.code for e in errors] == [RecordCode.NO_PATIENT] and "Observation/w1 names no patient" in errors[0].message


def test_two_counts_equally_near_the_diagnosis_that_disagree_are_unknown_never_guessed() -> None:
    data = _bundle(_patient("a"), _diagnosis("a", "2010-05-10"),
                   _wbc("w1", "a", "2010-05-09", 60), _wbc("w2", "a", "2010-05-11", 2.5), _wbc("w3", "a", "2010-05-30", 9))
    (record,) = bind_fhir(data, "b.json", False, SEED, MAP)
    assert isinstance(record, PatientRecord)
    assert record.values[SEED.input_index["wbc_at_diagnosis"].slot] is None
    assert "w1, Observation/w2 are equally eligible and disagree" in record.about["unknown"]["wbc_at_diagnosis"]
    fact = record.facts[SEED.input_index["wbc_at_diagnosis"].slot]
    assert fact is not None and fact.missing and fact.shown == "unknown" and "equally eligible and disagree" in fact.origin


def test_agreeing_ties_and_the_window() -> None:
    agree = _bundle(_patient("a"), _diagnosis("a", "2010-05-10"), _wbc("w1", "a", "2010-05-09", 60), _wbc("w2", "a", "2010-05-11", 60))
    (record,) = bind_fhir(agree, "b.json", False, SEED, MAP)
    assert record.values[SEED.input_index["wbc_at_diagnosis"].slot] == 60000  # type: ignore[union-attr]
    far = _bundle(_patient("a"), _diagnosis("a", "2010-05-10"), _wbc("w1", "a", "2010-06-10", 60))
    (record,) = bind_fhir(far, "b.json", False, SEED, MAP)
    assert record.values[SEED.input_index["wbc_at_diagnosis"].slot] is None  # type: ignore[union-attr]
    assert "no Observation within 7 days" in record.about["unknown"]["wbc_at_diagnosis"]  # type: ignore[union-attr]


@pytest.mark.parametrize(("unit", "value"), [("10*3/uL", 50), ("10*9/L", 50), ("/uL", 50000), ("G/L", 50), ("K/uL", 50)])
def test_ucum_and_lab_units_from_fhir(unit: str, value: float) -> None:
    (record,) = bind_fhir(_bundle(_patient("a"), _wbc("w1", "a", "2010-05-10", value, unit)), "b.json", False, SEED,
                          map_from_text("id: {identifier: urn:carepath:severance-2011:case}\nfields:\n"
                                        "  wbc_at_diagnosis: {resource: Observation, code: 'http://loinc.org|26464-8'}\n"))
    assert record.values[SEED.input_index["wbc_at_diagnosis"].slot] == 50000  # type: ignore[union-attr]


def test_fhir_data_without_a_map_is_refused_with_a_reason() -> None:
    (record,) = bind_fhir(BUNDLE, "b.json", False, SEED, None)
    assert isinstance(record, InvalidRecord) and "needs a data map" in record.errors[0].message


def test_a_file_that_is_not_a_bundle() -> None:
    (record,) = bind_fhir(b'{"resourceType": "Patient"}', "b.json", False, SEED, MAP)
    assert isinstance(record, InvalidRecord) and "expected a FHIR Bundle" in record.errors[0].message


def test_dated_observations_as_a_series_relative_to_the_transplant() -> None:
    protocol = carepath.load_protocol(ROOT / "docs" / "examples" / "engraftment.care")
    data_map = map_from_text("fields:\n  transplant_date: {resource: Procedure, code: 'http://snomed.info/sct|234336002'}\n"
                             "  anc: {resource: Observation, code: 'http://loinc.org|751-8', series: true}\n")
    anc = [{"resourceType": "Observation", "id": f"anc-{day}", "status": "final", "subject": {"reference": "Patient/a"},
            "code": {"coding": [{"system": "http://loinc.org", "code": "751-8"}]}, "effectiveDateTime": f"2025-03-{1 + day:02d}",
            "valueQuantity": {"value": value, "system": "http://unitsofmeasure.org", "code": "10*9/L"}}
           for day, value in ((1, 0.1), (2, 0.6), (3, 0.7), (4, 0.8))]
    transplant = {"resourceType": "Procedure", "id": "hsct", "status": "completed", "subject": {"reference": "Patient/a"},
                  "code": {"coding": [{"system": "http://snomed.info/sct", "code": "234336002"}]}, "performedDateTime": "2025-03-01"}
    (record,) = bind_fhir(_bundle({"resourceType": "Patient", "id": "a"}, transplant, *anc), "b.json", False, protocol.checked, data_map)
    assert isinstance(record, PatientRecord)
    run = carepath.evaluate_all(protocol, [record], dt.date(2025, 4, 1))
    assert run.results[0].decisions["neutrophil_engraftment"] == 2  # the first of 3 days with ANC >= 500 /µL


def test_two_values_on_one_day_that_disagree_leave_that_day_unknown_and_an_undated_one_is_said() -> None:
    protocol = carepath.load_protocol(ROOT / "docs" / "examples" / "engraftment.care")
    data_map = map_from_text("fields:\n  transplant_date: {resource: Procedure, code: 'http://snomed.info/sct|234336002'}\n"
                             "  anc: {resource: Observation, code: 'http://loinc.org|751-8', series: true}\n")

    def anc(rid: str, when: str | None, value: float) -> dict[str, Any]:
        dated = {"effectiveDateTime": when} if when else {}
        return {"resourceType": "Observation", "id": rid, "status": "final", "subject": {"reference": "Patient/a"}, **dated,
                "code": {"coding": [{"system": "http://loinc.org", "code": "751-8"}]},
                "valueQuantity": {"value": value, "system": "http://unitsofmeasure.org", "code": "10*9/L"}}

    transplant = {"resourceType": "Procedure", "id": "hsct", "status": "completed", "subject": {"reference": "Patient/a"},
                  "code": {"coding": [{"system": "http://snomed.info/sct", "code": "234336002"}]}, "performedDateTime": "2025-03-01"}
    counts = [anc("d2", "2025-03-02", 0.6), anc("d3", "2025-03-03", 0.7), anc("d3-again", "2025-03-03", 0.1), anc("d4", "2025-03-04", 0.8),
              anc("d4-again", "2025-03-04", 0.8), anc("undated", None, 0.9)]
    (record,) = bind_fhir(_bundle({"resourceType": "Patient", "id": "a"}, transplant, *counts), "b.json", False, protocol.checked, data_map)
    assert isinstance(record, PatientRecord)
    slot = protocol.checked.input_index["anc"].slot
    fact = record.facts[slot]
    assert fact is not None and "2025-03-03 left unknown (Observation/d3, Observation/d3-again disagree)" in str(fact.source)
    assert "not placed, having no date: Observation/undated" in str(fact.source)
    assert fact.raw == "{2025-03-02: 0.6 10*9/L, 2025-03-04: 0.8 10*9/L}"  # the agreeing pair on day 4 is one value
    run = carepath.evaluate_all(protocol, [record], dt.date(2025, 4, 1))
    assert run.results[0].decisions["neutrophil_engraftment"] is None  # day 2 high, day 3 unknown: not guessed either way


_LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=6),
                  st.sampled_from(["Patient/a", "urn:uuid:x", "2020-01-01", "http://loinc.org", "26464-8", "10*9/L", "Observation", "Patient"]))
_KEYS = st.sampled_from(["resourceType", "id", "status", "subject", "reference", "code", "coding", "system", "valueQuantity", "value",
                         "effectiveDateTime", "birthDate", "identifier", "onsetDateTime", "valueString", "patient", "performedPeriod"])
_JSON = st.recursive(_LEAF, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=5)), max_leaves=16)


@settings(max_examples=100, deadline=None)
@given(resources=st.lists(_JSON, max_size=4), ndjson=st.booleans())
def test_no_resource_crashes_the_reader(resources: list[Any], ndjson: bool) -> None:
    if ndjson:
        data = b"".join(json.dumps(r).encode() + b"\n" for r in resources)
    else:
        data = json.dumps({"resourceType": "Bundle", "entry": [{"resource": r, "fullUrl": "urn:uuid:x"} for r in resources]}).encode()
    records = bind_fhir(data, "f", ndjson, SEED, MAP)
    assert all(isinstance(r, (PatientRecord, InvalidRecord)) for r in records)
