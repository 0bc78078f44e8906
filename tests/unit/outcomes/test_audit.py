"""Deviations: patient 1's HSCT not done, doses off the computed dose, levels outside the target, undetermined
recommendations acted on, and the tolerance's sources."""

from __future__ import annotations

from fractions import Fraction

import carepath
from carepath.compile.compiler import CompiledProtocol
from carepath.data.records import InvalidRecord, PatientRecord
from carepath.outcomes.audit import CHECKS, DeviationKind, audit, tolerance_of
from tests.unit.outcomes.conftest import AS_OF, ROOT

GVHD = ROOT / "protocols" / "gvhd_prophylaxis.care"
CARE = ROOT / "docs" / "examples" / "audit" / "gvhd_care.yaml"


def test_patient_1_is_the_seed_cohorts_one_recommendation_not_followed(seed: CompiledProtocol,
                                                                      cohort: list[PatientRecord | InvalidRecord]) -> None:
    found = audit(seed, cohort, AS_OF)
    (only,) = [d for d in found.deviations if d.kind is not DeviationKind.OVERDUE and d.kind is not DeviationKind.MAYBE_OVERDUE]
    assert (only.patient, only.kind, only.decision, only.actual) == ("1", DeviationKind.NOT_FOLLOWED, "hsct_referral", "transplant not done")
    assert only.detail is not None and "economic" in only.detail
    assert only.place is not None and only.place.file is not None and only.place.file.endswith("severance_2011.yaml")
    assert found.patients == tuple(str(i) for i in range(1, 10)) and found.without_care == ()


def test_the_six_month_deadline_patients_4_and_9_missed_and_5_perhaps(seed: CompiledProtocol,
                                                                     cohort: list[PatientRecord | InvalidRecord]) -> None:
    """Transplant 13, 6 and 7 months after diagnosis, each known to a month either side (completed months);
    patients 6, 7 and 8 (5 months) met the 6-month deadline."""
    late = {d.patient: (d.kind, d.detail) for d in audit(seed, cohort, AS_OF).deviations if d.decision == "hsct_referral" and d.patient != "1"}
    assert late == {
        "4": (DeviationKind.OVERDUE, "overdue: 6 to 8 months past the deadline of 6 months"),
        "5": (DeviationKind.MAYBE_OVERDUE, "undetermined: between 1 month before and 1 month after the deadline of 6 months"),
        "9": (DeviationKind.OVERDUE, "overdue: 0 to 2 months past the deadline of 6 months"),
    }


def test_interfant06_on_the_seed_cohort_finds_transplants_it_did_not_recommend() -> None:
    interfant = carepath.load_protocol(ROOT / "protocols" / "interfant06.care")
    found = audit(interfant, carepath.load_records(interfant, [ROOT / "cohorts" / "severance_2011.yaml"]), AS_OF)
    kinds = {d.patient: d.kind for d in found.deviations}
    assert kinds["8"] is DeviationKind.UNDETERMINED_ACTED_ON and kinds["4"] is DeviationKind.DONE_WITHOUT_RECOMMENDATION


def test_doses_and_levels_against_the_protocol() -> None:
    gvhd = carepath.load_protocol(GVHD)
    found = audit(gvhd, carepath.load_records(gvhd, [CARE]), AS_OF)
    assert [(d.patient, d.kind, d.day) for d in found.deviations] == [("G2", DeviationKind.DOSE_DIFFERS, -1), ("G2", DeviationKind.LEVEL_OFF_TARGET, 7)]
    dose, level = found.deviations
    assert (dose.expected, dose.actual, dose.detail) == ("24 mg/d", "given 30 mg/d", "+25 %; tolerance 10 %")
    assert level.actual == "340 ug/L: above" and level.estimated is not None
    assert [d.kind for d in audit(gvhd, carepath.load_records(gvhd, [CARE]), AS_OF, Fraction(30)).deviations] == [DeviationKind.LEVEL_OFF_TARGET]


def test_an_undetermined_dose_given_is_acted_on() -> None:
    gvhd = carepath.load_protocol(GVHD)
    records = carepath.records_from_text(gvhd, "- id: x\n  care: {doses: [{dose: cyclosporine, given: 20 mg/d}]}\n")
    (deviation,) = audit(gvhd, records, AS_OF).deviations
    assert deviation.kind is DeviationKind.UNDETERMINED_ACTED_ON and "weight" in deviation.expected


def test_tolerance_from_the_command_line_the_protocol_or_the_default(seed: CompiledProtocol) -> None:
    assert tolerance_of(seed, None) == (Fraction(10), "default")
    assert tolerance_of(seed, Fraction(5)) == (Fraction(5), "--tolerance")
    text = (ROOT / "protocols" / "gvhd_prophylaxis.care").read_text(encoding="utf-8") + (
        '\nparameter dose_tolerance "How far a dose given may differ":\n  15 %\n')
    from carepath import Source
    from carepath.api import compile_source

    compiled = compile_source(Source("t.care", text))
    assert tolerance_of(compiled, None) == (Fraction(15), "protocol parameter dose_tolerance")
    assert len(CHECKS) == 4
